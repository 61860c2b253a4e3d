// cxctl's command tree (commands.hpp): setup, market, off-book, allocation and compliance verbs.
#include "commands.hpp"

#include <nlohmann/json.hpp>

#include "carbonx/tools/format.hpp"
#include "simulate.hpp"

namespace carbonx::cxctl {

using json = nlohmann::json;

std::string source_path(const std::string& relative) {
  return std::string(CARBONX_SOURCE_DIR) + "/" + relative;
}

Commands::Commands(CLI::App& app, Context& ctx, Options& options) : ctx_(ctx), options_(options) {
  add_setup(app);
  add_funds(app);
  add_market(app);
  add_simulate(app);
  add_offbook(app);
  add_instruments(app);
  add_allocation(app);
  add_compliance(app);
  add_reports(app);
  add_journal(app);
}

void Commands::run() {
  if (action_) action_();
}

CLI::App* Commands::add(CLI::App& parent, const std::string& name, const std::string& help,
                        Action action) {
  CLI::App* sub = parent.add_subcommand(name, help);
  if (action) {
    sub->callback([this, action] { action_ = action; });
  } else {
    sub->require_subcommand(1);
  }
  return sub;
}

namespace {

// Prints a reply: the JSON as is for --format json, else its fields one per line.
void print_reply(Context& ctx, const std::string& body) {
  const json j = json::parse(body, nullptr, false);
  if (ctx.options().format == "json" || !j.is_object()) {
    std::printf("%s\n", body.c_str());
    return;
  }
  for (const auto& [k, v] : j.items()) {
    if (k == "ok") continue;
    std::printf("%s: %s\n", k.c_str(),
                v.is_string() ? v.get<std::string>().c_str() : v.dump().c_str());
  }
}

std::int64_t fen_of(const std::string& cny) {
  std::int64_t fen = 0;
  if (!tools::parse_yuan(cny, fen) || fen <= 0) {
    throw Failure("amount " + cny + ": a positive CNY amount with at most two decimals");
  }
  return fen;
}

}  // namespace

void Commands::add_setup(CLI::App& app) {
  static std::string accounts = source_path("tools/data/market/accounts.csv");
  add(app, "init", "initialise the store and open the accounts of an accounts file", [this] {
    cmd_init(ctx_, accounts);
  })->add_option("--accounts", accounts, "accounts CSV (account,kind,member,name)");

  CLI::App* acc =
      add(app, "account", "open accounts, set holding limits and show balances", nullptr);
  static std::uint32_t id = 0;
  static std::uint32_t member = 0;
  static std::string kind;
  CLI::App* open = add(*acc, "open", "open one account", [this] {
    print_reply(ctx_, ctx_.call("account.open",
                                json{{"id", id}, {"kind", kind}, {"member", member}}.dump()));
  });
  open->add_option("--id", id, "account id")->required();
  open->add_option("--kind", kind, "control_emission_firm | investment_institution | individual")
      ->required();
  open->add_option("--member", member, "the member allowed to trade it");
  static std::int64_t limit_t = 0;
  static bool kind_default = false;
  static CLI::Option* tonnes = nullptr;
  CLI::App* limit =
      add(*acc, "limit", "set the account's holding limit per instrument (journaled)", [this] {
        if (tonnes->count() == 0 && !kind_default)
          throw Failure("give --tonnes N or --kind-default");
        const json limit_json = kind_default ? json(nullptr) : json(limit_t);
        print_reply(ctx_, ctx_.call("account.limit",
                                    json{{"account", id}, {"limit_t", limit_json}}.dump()));
      });
  limit->add_option("--id", id, "account id")->required();
  tonnes =
      limit->add_option("--tonnes", limit_t, "the most it may hold of each instrument, t (>= 0)");
  CLI::Option* clear = limit->add_flag("--kind-default", kind_default,
                                       "drop the account's own limit: its kind's applies again");
  tonnes->excludes(clear);
  add(*acc, "balances", "available and frozen balances of an account",
      [this] {
        print_reply(ctx_, ctx_.call("query.balances", json{{"account", id}}.dump()));
      })
      ->add_option("--id", id, "account id")
      ->required();

  CLI::App* mem = add(app, "member", "exchange members (FIX sessions)", nullptr);
  add(*mem, "list", "list members", [this] { print_reply(ctx_, ctx_.call("member.list", "{}")); });
  static std::string comp_id, username, password;
  static std::vector<std::uint32_t> accounts_of;
  CLI::App* madd =
      add(*mem, "add", "add a member (its FIX session exists from the next start)", [this] {
        print_reply(ctx_, ctx_.call("member.add", json{{"id", member},
                                                       {"comp_id", comp_id},
                                                       {"username", username},
                                                       {"password", password},
                                                       {"accounts", accounts_of}}
                                                      .dump()));
      });
  madd->add_option("--id", member, "member id")->required();
  madd->add_option("--comp-id", comp_id, "SenderCompID")->required();
  madd->add_option("--username", username, "logon username")->required();
  madd->add_option("--password", password, "logon password")->required();
  madd->add_option("--accounts", accounts_of, "accounts it may trade");
}

void Commands::add_funds(CLI::App& app) {
  static std::uint32_t id = 0;
  CLI::App* cash = add(app, "cash", "cash deposits and withdrawals", nullptr);
  static std::uint64_t transfer_id = 0;
  static std::string amount;
  for (const char* verb : {"deposit", "withdraw"}) {
    const std::string v = verb;
    CLI::App* c = add(*cash, v, v + " cash (CNY) for an account", [this, v] {
      print_reply(ctx_, ctx_.call("cash." + v, json{{"transfer_id", transfer_id},
                                                    {"account", id},
                                                    {"amount_fen", fen_of(amount)}}
                                                   .dump()));
    });
    c->add_option("--account", id, "account id")->required();
    c->add_option("--amount", amount, "CNY, e.g. 1000000.00")->required();
    c->add_option("--transfer-id", transfer_id, "your id: the same id twice takes effect once")
        ->required();
  }
  CLI::App* units = add(app, "units", "issue units (operator issuance)", nullptr);
  static std::string symbol;
  static std::int64_t quantity = 0;
  CLI::App* issue = add(*units, "issue", "issue units of an instrument to an account", [this] {
    print_reply(ctx_, ctx_.call("units.issue", json{{"transfer_id", transfer_id},
                                                    {"account", id},
                                                    {"symbol", symbol},
                                                    {"quantity_t", quantity}}
                                                   .dump()));
  });
  issue->add_option("--account", id, "account id")->required();
  issue->add_option("--symbol", symbol, "instrument code")->required();
  issue->add_option("--quantity", quantity, "tonnes")->required();
  issue->add_option("--transfer-id", transfer_id, "your id (idempotent)")->required();
  add(app, "status", "applied seq, state hashes and ledger invariants",
      [this] { print_reply(ctx_, ctx_.call("query.status", "{}")); });
}

void Commands::add_simulate(CLI::App& app) {
  CLI::App* sim = add(app, "simulate", "demonstration traffic through FIX", nullptr);
  static SimulateOptions o;
  o.accounts_csv = source_path("tools/data/market/accounts.csv");
  CLI::App* day = add(*sim, "day",
                      "fund the traders, open the market and trade through members' FIX "
                      "sessions (institutions ~60%, firms ~30%, individuals ~10% of volume)",
                      [this] { cmd_simulate_day(ctx_, o); });
  day->add_option("--accounts", o.accounts_csv, "accounts CSV");
  day->add_option("--symbol", o.symbol, "instrument");
  day->add_option("--trades", o.trades, "trades to attempt");
  day->add_option("--min-qty", o.min_qty, "smallest trade, t");
  day->add_option("--max-qty", o.max_qty, "largest trade, t");
  day->add_option("--seed", o.seed, "random seed (same seed, same day)");
  day->add_option("--cash", o.cash_cny, "CNY deposited to each trading account");
  day->add_option("--inventory", o.inventory_t, "t issued to each institution and individual");
  day->add_flag("--offbook", o.offbook,
                "then an agreement transfer and auction bids over FIX, a repo and an auction");
  day->add_option("--auction-symbol", o.auction_symbol, "the instrument auctioned (--offbook)");
}

void Commands::add_market(CLI::App& app) {
  CLI::App* market = add(app, "market", "trading phases, the order book, the end of day", nullptr);
  static std::string symbol;
  for (const char* phase : {"open", "close", "halt", "resume"}) {
    const std::string p = phase;
    add(*market, p, p + " one instrument (--symbol) or all", [this, p] {
      const json body = symbol.empty() ? json::object() : json{{"symbol", symbol}};
      print_reply(ctx_, ctx_.call("market." + p, body.dump()));
    })->add_option("--symbol", symbol, "instrument code (default: all)");
  }
  static int depth = 5;
  CLI::App* book = add(*market, "book", "price levels of an instrument's book", [this] {
    print_reply(ctx_, ctx_.call("query.book", json{{"symbol", symbol}, {"depth", depth}}.dump()));
  });
  book->add_option("--symbol", symbol, "instrument code")->required();
  book->add_option("--depth", depth, "levels per side");
  add(*market, "day-end", "end-of-day processing (expire orders, close prices)",
      [this] { print_reply(ctx_, ctx_.call("day.end", "{}")); });
  // The exchange clock (gateway/include/carbonx/gateway/clock.hpp).
  CLI::App* clock = add(app, "clock", "the exchange clock: wall or simulated, its time", nullptr);
  add(*clock, "status", "the clock's mode, time and trading date",
      [this] { print_reply(ctx_, ctx_.call("clock.status", "{}")); });
  static std::string to;
  static std::int64_t seconds = 0;
  CLI::App* advance = add(*clock, "advance", "move a simulated clock forward (never back)", [this] {
    const json body = to.empty() ? json{{"seconds", seconds}} : json{{"to", to}};
    print_reply(ctx_, ctx_.call("clock.advance", body.dump()));
  });
  advance->add_option("--to", to, "the new time, e.g. 2018-06-21T09:30:00+08:00");
  advance->add_option("--seconds", seconds, "or: this many seconds forward");
}

void Commands::add_offbook(CLI::App& app) {
  // Off-book trading (issue 6): the server's verbs are listed in gateway/README.md.
  CLI::App* auction = add(app, "auction", "one-way bidding auctions", nullptr);
  static std::string body = "{}";
  add(*auction, "open", "open an auction (JSON body: seller, symbol, quantity_t, ...)", [this] {
    print_reply(ctx_, ctx_.call("auction.open", body));
  })->add_option("--json", body, "the auction's terms as JSON");
  add(*auction, "close", "close an auction and clear it", [this] {
    print_reply(ctx_, ctx_.call("auction.close", body));
  })->add_option("--json", body, "{\"auction_id\": id}");
  add(*auction, "list", "auctions and their results",
      [this] { print_reply(ctx_, ctx_.call("auction.list", "{}")); });
  CLI::App* repo = add(app, "repo", "filed repos", nullptr);
  add(*repo, "list", "open repos, maturities and defaults",
      [this] { print_reply(ctx_, ctx_.call("repo.list", "{}")); });
  add(*repo, "file", "file a repo on behalf of both parties (JSON terms)", [this] {
    print_reply(ctx_, ctx_.call("repo.file", body));
  })->add_option("--json", body, "the repo's terms as JSON");
  add(*repo, "mature", "repurchase repos whose end date has come ({\"repo_id\": id}: early)",
      [this] { print_reply(ctx_, ctx_.call("repo.mature", body)); })
      ->add_option("--json", body, "{} or {\"repo_id\": id}");
  CLI::App* agreement = add(app, "agreement", "agreement transfer reports", nullptr);
  add(*agreement, "list", "open agreement transfer reports",
      [this] { print_reply(ctx_, ctx_.call("agreement.list", "{}")); });
}

}  // namespace carbonx::cxctl
