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
  add_cluster(app);
  add_verbs(app);
}

void Commands::run() {
  if (action_) action_();
}

std::string symbol_error(const std::string& option, const std::string& symbol) {
  if (symbol.size() <= verbs::kMaxSymbolLength) return "";
  return option + ": the symbol " + symbol + " is longer than " +
         std::to_string(verbs::kMaxSymbolLength) + " characters (no instrument has such a symbol)";
}

CLI::Validator symbol_text() {
  return CLI::Validator(
      [](std::string& symbol) {
        return symbol.size() <= verbs::kMaxSymbolLength
                   ? std::string()
                   : "the symbol " + symbol + " is longer than " +
                         std::to_string(verbs::kMaxSymbolLength) +
                         " characters (no instrument has such a symbol)";
      },
      "SYMBOL");
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

registry::AccountKind account_kind(const std::string& name) {
  const auto k = verbs::enum_from<registry::AccountKind>(name);
  if (!k) {
    throw Failure("--kind " + name +
                  ": control_emission_firm | investment_institution | individual | retirement");
  }
  return *k;
}

std::uint16_t year_of(int year) {
  if (year < verbs::kYearMin || year > verbs::kYearMax) {
    throw Failure("year " + std::to_string(year) + ": 1..9999");
  }
  return static_cast<std::uint16_t>(year);
}

void print_verb_table(Context& ctx) {
  if (ctx.options().format == "json") {
    json rows = json::array();
    for (const verbs::Meta& m : verbs::table()) {
      rows.push_back({{"verb", m.name},
                      {"journaled", m.journaled},
                      {"query", m.query},
                      {"needs_approval", m.needs_approval},
                      {"route", m.route == verbs::Route::kMembers ? "members" : "core"},
                      {"help", m.help},
                      {"body", verbs::body_usage(m)}});
    }
    std::printf("%s\n", rows.dump().c_str());
    return;
  }
  tools::TextTable t({{"verb", false},
                      {"journaled", false},
                      {"query", false},
                      {"approval", false},
                      {"applied", false},
                      {"what", false}});
  for (const verbs::Meta& m : verbs::table()) {
    t.add_row({std::string(m.name), m.journaled ? "yes" : "no", m.query ? "yes" : "no",
               m.needs_approval ? "two" : "one",
               m.route == verbs::Route::kMembers ? "members file" : "core", std::string(m.help)});
  }
  std::fputs(t.render().c_str(), stdout);
}

void Commands::add_setup(CLI::App& app) {
  static std::string accounts = source_path("tools/data/market/accounts.csv");
  add(app, "init",
      "create the exchange (as carbonxd --init) when the data directory holds none, then open "
      "the accounts of an accounts file (idempotent)",
      [this] { cmd_init(ctx_, accounts); })
      ->add_option("--accounts", accounts, "accounts CSV (account,kind,member,name)");

  CLI::App* acc =
      add(app, "account", "open accounts, set holding limits and show balances", nullptr);
  static std::uint32_t id = 0;
  static std::uint32_t member = 0;
  static std::string kind;
  CLI::App* open = add(*acc, "open", help_of<verbs::AccountOpen>(), [this] {
    verbs::AccountOpen r;
    r.id = AccountId(id);
    r.kind = account_kind(kind);
    r.member = MemberId(member);
    print_reply(ctx_, ctx_.call(r));
  });
  open->add_option("--id", id, "account id")->required();
  open->add_option("--kind", kind, "control_emission_firm | investment_institution | individual")
      ->required();
  open->add_option("--member", member,
                   "the member the account is opened for (recorded; who may act for it is "
                   "cxctl authority grant)");
  static std::int64_t limit_t = 0;
  static bool kind_default = false;
  static CLI::Option* tonnes = nullptr;
  CLI::App* limit =
      add(*acc, "limit", "set the account's holding limit per instrument (journaled)", [this] {
        if (tonnes->count() == 0 && !kind_default)
          throw Failure("give --tonnes N or --kind-default");
        verbs::AccountLimit r;
        r.account = AccountId(id);
        if (!kind_default) r.limit_t = limit_t;
        print_reply(ctx_, ctx_.call(r));
      });
  limit->add_option("--id", id, "account id")->required();
  tonnes =
      limit->add_option("--tonnes", limit_t, "the most it may hold of each instrument, t (>= 0)");
  CLI::Option* clear = limit->add_flag("--kind-default", kind_default,
                                       "drop the account's own limit: its kind's applies again");
  tonnes->excludes(clear);
  add(*acc, "balances", help_of<verbs::QueryBalances>(),
      [this] { print_reply(ctx_, ctx_.call(verbs::QueryBalances{AccountId(id)})); })
      ->add_option("--id", id, "account id")
      ->required();

  CLI::App* mem = add(app, "member", "exchange members (FIX sessions)", nullptr);
  add(*mem, "list", help_of<verbs::MemberList>(),
      [this] { print_reply(ctx_, ctx_.call(verbs::MemberList{})); });
  static std::string comp_id, username, password;
  static std::vector<std::uint32_t> accounts_of;
  CLI::App* madd = add(*mem, "add", help_of<verbs::MemberAdd>(), [this] {
    verbs::MemberAdd r;
    r.id = member;
    r.comp_id = comp_id;
    r.username = username;
    r.password = password;
    r.accounts = accounts_of;
    print_reply(ctx_, ctx_.call(r));
  });
  madd->add_option("--id", member, "member id")->required();
  madd->add_option("--comp-id", comp_id, "SenderCompID")->required();
  madd->add_option("--username", username, "logon username")->required();
  madd->add_option("--password", password, "logon password")->required();
  madd->add_option("--accounts", accounts_of,
                   "accounts it may act for: granted (journaled) at the next start, with its "
                   "session");

  // Member authority: journaled registry commands, the one record of who may act for what.
  CLI::App* auth =
      add(app, "authority", "which member may act for which account (journaled)", nullptr);
  static std::uint32_t auth_member = 0, auth_account = 0;
  for (const bool grant : {true, false}) {
    CLI::App* c = add(*auth, grant ? "grant" : "revoke",
                      grant ? help_of<verbs::AuthorityGrant>() : help_of<verbs::AuthorityRevoke>(),
                      [this, grant] {
                        const MemberId m(auth_member);
                        const AccountId a(auth_account);
                        print_reply(ctx_, grant ? ctx_.call(verbs::AuthorityGrant{m, a})
                                                : ctx_.call(verbs::AuthorityRevoke{m, a}));
                      });
    c->add_option("--member", auth_member, "member id")->required();
    c->add_option("--account", auth_account, "account id")->required();
  }
  static std::uint32_t list_member = 0, list_account = 0;
  CLI::App* list = add(*auth, "list", help_of<verbs::AuthorityList>(), [this] {
    verbs::AuthorityList r;
    if (list_member != 0) r.member = MemberId(list_member);
    if (list_account != 0) r.account = AccountId(list_account);
    print_reply(ctx_, ctx_.call(r));
  });
  list->add_option("--member", list_member, "only this member's accounts");
  list->add_option("--account", list_account, "only the members of this account");
}

void Commands::add_funds(CLI::App& app) {
  static std::uint32_t id = 0;
  CLI::App* cash = add(app, "cash", "cash deposits and withdrawals", nullptr);
  static std::uint64_t transfer_id = 0;
  static std::string amount;
  for (const bool deposit : {true, false}) {
    CLI::App* c = add(*cash, deposit ? "deposit" : "withdraw",
                      deposit ? help_of<verbs::CashDeposit>() : help_of<verbs::CashWithdraw>(),
                      [this, deposit] {
                        verbs::CashMovement m;
                        m.transfer_id = TransferId(transfer_id);
                        m.account = AccountId(id);
                        m.amount_fen = AmountFen(fen_of(amount));
                        print_reply(ctx_, deposit ? ctx_.call(verbs::CashDeposit{m})
                                                  : ctx_.call(verbs::CashWithdraw{m}));
                      });
    c->add_option("--account", id, "account id")->required();
    c->add_option("--amount", amount, "CNY, e.g. 1000000.00")->required();
    c->add_option("--transfer-id", transfer_id, "your id: the same id twice takes effect once")
        ->required();
  }
  CLI::App* units = add(app, "units", "issue units (operator issuance)", nullptr);
  static std::string symbol;
  static std::int64_t quantity = 0;
  CLI::App* issue = add(*units, "issue", help_of<verbs::UnitsIssue>(), [this] {
    verbs::UnitsIssue r;
    r.transfer_id = TransferId(transfer_id);
    r.account = AccountId(id);
    r.symbol = symbol;
    r.quantity_t = quantity;
    print_reply(ctx_, ctx_.call(r));
  });
  issue->add_option("--account", id, "account id")->required();
  issue->add_option("--symbol", symbol, "instrument code")->required()->check(symbol_text());
  issue->add_option("--quantity", quantity, "tonnes")->required();
  issue->add_option("--transfer-id", transfer_id, "your id (idempotent)")->required();
  add(app, "status", help_of<verbs::QueryStatus>(), [this] {
    // The server's alarms first, one line each (storage full, read-only, ...), then the fields.
    const std::string body = ctx_.call(verbs::QueryStatus{});
    const json j = json::parse(body, nullptr, false);
    if (ctx_.options().format != "json" && j.is_object() && j.contains("alarms")) {
      for (const json& alarm : j.at("alarms"))
        std::printf("ALARM: %s\n",
                    alarm.is_string() ? alarm.get<std::string>().c_str() : alarm.dump().c_str());
    }
    print_reply(ctx_, body);
  });
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
  day->add_option("--symbol", o.symbol, "instrument")->check(symbol_text());
  day->add_option("--trades", o.trades, "trades to attempt");
  day->add_option("--min-qty", o.min_qty, "smallest trade, t");
  day->add_option("--max-qty", o.max_qty, "largest trade, t");
  day->add_option("--seed", o.seed, "random seed (same seed, same day)");
  day->add_option("--cash", o.cash_cny, "CNY deposited to each trading account");
  day->add_option("--inventory", o.inventory_t, "t issued to each institution and individual");
  day->add_flag("--offbook", o.offbook,
                "then an agreement transfer and auction bids over FIX, a repo and an auction");
  day->add_option("--auction-symbol", o.auction_symbol, "the instrument auctioned (--offbook)")
      ->check(symbol_text());
  day->add_flag("!--no-repo", o.repo, "no repo in the off-book part (--offbook)");
}

void Commands::add_market(CLI::App& app) {
  CLI::App* market = add(app, "market", "trading phases, the order book, the end of day", nullptr);
  static std::string symbol;
  // One subcommand per phase verb: its name after "market." and its help from the table.
  const auto phase = [&]<typename R>(R) {
    const std::string_view verb = verbs::name_of<R>();
    add(*market, std::string(verb.substr(verb.find('.') + 1)), help_of<R>(),
        [this] {
          R r;
          if (!symbol.empty()) r.symbol = symbol;
          print_reply(ctx_, ctx_.call(r));
        })
        ->add_option("--symbol", symbol, "instrument code (default: all)")
        ->check(symbol_text());
  };
  phase(verbs::MarketOpen{});
  phase(verbs::MarketClose{});
  phase(verbs::MarketHalt{});
  phase(verbs::MarketResume{});
  static int depth = 5;
  CLI::App* book = add(*market, "book", help_of<verbs::QueryBook>(), [this] {
    print_reply(ctx_, ctx_.call(verbs::QueryBook{symbol, depth}));
  });
  book->add_option("--symbol", symbol, "instrument code")->required()->check(symbol_text());
  book->add_option("--depth", depth, "levels per side");
  add(*market, "day-end", help_of<verbs::DayEnd>(),
      [this] { print_reply(ctx_, ctx_.call(verbs::DayEnd{})); });
  // The exchange clock (gateway/include/carbonx/gateway/clock.hpp).
  CLI::App* clock = add(app, "clock", "the exchange clock: wall or simulated, its time", nullptr);
  add(*clock, "status", help_of<verbs::ClockStatus>(),
      [this] { print_reply(ctx_, ctx_.call(verbs::ClockStatus{})); });
  static std::string to;
  static std::int64_t seconds = 0;
  CLI::App* advance = add(*clock, "advance", help_of<verbs::ClockAdvance>(), [this] {
    verbs::ClockAdvance r;
    if (to.empty()) {
      r.seconds = seconds;
    } else {
      r.to = to;
    }
    print_reply(ctx_, ctx_.call(r));
  });
  advance->add_option("--to", to, "the new time, e.g. 2018-06-21T09:30:00+08:00");
  advance->add_option("--seconds", seconds, "or: this many seconds forward");
}

void Commands::add_offbook(CLI::App& app) {
  // Off-book trading (issue 6): the terms as the verb's JSON body (gateway/README.md), checked
  // by the verb table before they are sent.
  CLI::App* auction = add(app, "auction", "one-way bidding auctions", nullptr);
  static std::string body = "{}";
  const auto with_body = [&](CLI::App& parent, const std::string& name, std::string_view verb) {
    const verbs::Meta& m = *verbs::find(verb);
    add(parent, name, std::string(m.help) + " (--json " + verbs::body_usage(m) + ")", [this, verb] {
      print_reply(ctx_, ctx_.call_text(verb, body));
    })->add_option("--json", body, "the body: " + verbs::body_usage(m));
  };
  with_body(*auction, "open", verbs::name_of<verbs::AuctionOpen>());
  with_body(*auction, "close", verbs::name_of<verbs::AuctionClose>());
  add(*auction, "list", help_of<verbs::AuctionList>(),
      [this] { print_reply(ctx_, ctx_.call(verbs::AuctionList{})); });
  CLI::App* repo = add(app, "repo", "filed repos", nullptr);
  add(*repo, "list", help_of<verbs::RepoList>(),
      [this] { print_reply(ctx_, ctx_.call(verbs::RepoList{})); });
  with_body(*repo, "file", verbs::name_of<verbs::RepoFile>());
  with_body(*repo, "mature", verbs::name_of<verbs::RepoMature>());
  CLI::App* agreement = add(app, "agreement", "agreement transfer reports", nullptr);
  add(*agreement, "list", help_of<verbs::AgreementList>(),
      [this] { print_reply(ctx_, ctx_.call(verbs::AgreementList{})); });
}

// Every verb of the table, by its own name, with its help and body from the table: `cxctl verb
// list` prints the table; `cxctl verb <name> --json BODY` calls it (the body checked first).
void Commands::add_verbs(CLI::App& app) {
  CLI::App* v =
      add(app, "verb", "any operator verb of the table, by name (verb list: all)", nullptr);
  add(*v, "list", "the verb table: name, journaled, query, approval, where applied, help",
      [this] { print_verb_table(ctx_); });
  static std::string body = "{}";
  for (const verbs::Meta& m : verbs::table()) {
    const std::string_view verb = m.name;
    add(*v, std::string(verb), std::string(m.help), [this, verb] {
      print_reply(ctx_, ctx_.call_text(verb, body));
    })->add_option("--json", body, "the body: " + verbs::body_usage(m));
  }
}

}  // namespace carbonx::cxctl
