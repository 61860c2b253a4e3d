// cxctl simulate: a demonstration trading day sent through FIX, as real members would (the
// gateway's cxload measures throughput; this drives a realistic participant mix). Every trade is
// a resting Day sell and a crossing IOC buy from two members' FIX sessions; the server matches
// and settles them like any other order. Deterministic for a seed.
//
// Participant mix (share of volume, both sides counted, the issue's figures): institutions 60%,
// control firms 30%, individuals 10%: each side's participant type is drawn with these weights
// and the quantity does not depend on the type.
#include <sys/socket.h>
#include <sys/time.h>

#include <algorithm>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "carbonx/gateway/fix_wire.hpp"
#include "carbonx/tools/format.hpp"
#include "carbonx/tools/market_data.hpp"
#include "simulate.hpp"

namespace carbonx::cxctl {
namespace {

namespace asio = boost::asio;
namespace wire = gateway::wire;
using tcp = asio::ip::tcp;
using json = nlohmann::json;

// Six base-36 digits of the wall clock in milliseconds: a new value for every run.
std::string base36_now() {
  std::uint64_t v =
      static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                     std::chrono::system_clock::now().time_since_epoch())
                                     .count());
  std::string out(6, '0');
  for (int i = 5; i >= 0; --i) {
    out[static_cast<std::size_t>(i)] = "0123456789abcdefghijklmnopqrstuvwxyz"[v % 36];
    v /= 36;
  }
  return out;
}

// A FIX price: CNY with two decimals ("14.20").
std::string price_text(std::int64_t price_fen) {
  char px[32];
  std::snprintf(px, sizeof px, "%lld.%02lld", static_cast<long long>(price_fen / 100),
                static_cast<long long>(price_fen % 100));
  return px;
}

// One member's FIX session, synchronous (the simulator waits for each reply it needs).
class FixSession {
 public:
  static constexpr int kReplyTimeoutS = 10;
  FixSession(asio::io_context& io, const gateway::MemberSeed& m, std::uint16_t port)
      : socket_(io), member_(m) {
    boost::system::error_code ec;
    socket_.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), ec);
    if (ec) throw Failure("FIX connect to port " + std::to_string(port) + ": " + ec.message());
    // Never hang on a silent server: a read waits at most kReplyTimeoutS.
    const timeval tv{kReplyTimeoutS, 0};
    ::setsockopt(socket_.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    send("A", {{98, "0"}, {108, "30"}, {141, "Y"}, {553, m.username}, {554, m.password}});
    const wire::Fields reply = wait([](const wire::Fields& f) {
      const auto t = wire::get(f, 35);
      return t == "A" || t == "5";
    });
    if (wire::get(reply, 35) != "A") {
      throw Failure("FIX logon of " + m.comp_id +
                    " refused: " + wire::get(reply, 58).value_or("no reason"));
    }
  }

  // Sends a limit order; returns the first ExecutionReport for it (ack, fill or reject).
  wire::Fields order(const std::string& account, const std::string& symbol, bool buy,
                     std::int64_t qty, std::int64_t price_fen, bool ioc) {
    // ClOrdIDs are unique per session and day: a run id keeps reruns apart.
    const std::string clid = run_id_ + "-" + std::to_string(++orders_);  // <= 16 characters
    const std::string px = price_text(price_fen);
    wire::Fields f{{11, clid},
                   {1, account},
                   {55, symbol},
                   {54, buy ? "1" : "2"},
                   {60, wire::utc_now_text()},
                   {38, std::to_string(qty)},
                   {40, "2"},
                   {44, px},
                   {59, ioc ? "3" : "0"}};
    send("D", f);
    return wait(
        [&](const wire::Fields& r) { return wire::get(r, 35) == "8" && wire::get(r, 11) == clid; });
  }

  // Waits for a fill (or cancel) report of any order of this session.
  wire::Fields next_fill() {
    return wait([](const wire::Fields& r) {
      const auto e = wire::get(r, 150);
      return wire::get(r, 35) == "8" && (e == "F" || e == "4");
    });
  }

  void logout() { send("5", {}); }
  const gateway::MemberSeed& member() const { return member_; }
  std::string next_id() { return run_id_ + "-" + std::to_string(++orders_); }

  void send(const std::string& type, const wire::Fields& body) {
    const std::string msg =
        wire::encode(type, member_.comp_id, "CARBONX", seq_++, body, wire::utc_now_text());
    boost::system::error_code ec;
    asio::write(socket_, asio::buffer(msg), ec);
    if (ec) throw Failure("FIX send on " + member_.comp_id + ": " + ec.message());
  }

  // Reads until a message satisfies want (answering test requests); Failure after
  // kReplyTimeoutS of silence.
  template <typename Pred>
  wire::Fields wait(Pred want) {
    for (;;) {
      std::string frame;
      while (framer_.next(&frame) == 1) {
        wire::Fields f = wire::decode(frame);
        if (wire::get(f, 35) == "1") send("0", {{112, wire::get(f, 112).value_or("")}});
        if (want(f)) return f;
      }
      boost::system::error_code ec;
      const std::size_t n = socket_.read_some(asio::buffer(buf_), ec);
      if (ec) {
        throw Failure("FIX session " + member_.comp_id + ": no reply (" + ec.message() + ")");
      }
      framer_.append(buf_.data(), n);
    }
  }

 private:
  tcp::socket socket_;
  gateway::MemberSeed member_;
  int seq_ = 1;
  std::uint64_t orders_ = 0;
  std::string run_id_ = base36_now();
  wire::Framer framer_;
  std::array<char, 65536> buf_{};
};

struct Trader {
  std::size_t session = 0;
  std::string account;
};

std::uint32_t account_id(const std::string& text) {
  return static_cast<std::uint32_t>(std::stoul(text));
}

// Logs on one FIX session per member of the chosen accounts; traders by participant kind.
struct Floor {
  asio::io_context io;
  std::vector<std::unique_ptr<FixSession>> sessions;
  std::map<std::string, std::vector<Trader>> traders;
};

void open_floor(Context& ctx, Floor& floor,
                const std::map<std::string, std::vector<const tools::AccountRow*>>& by_kind,
                const std::map<std::uint32_t, const gateway::MemberSeed*>& seeds) {
  std::map<std::uint32_t, std::size_t> session_of;
  for (const auto& [kind, list] : by_kind) {
    for (const tools::AccountRow* r : list) {
      if (!session_of.count(r->member)) {
        session_of[r->member] = floor.sessions.size();
        floor.sessions.push_back(
            std::make_unique<FixSession>(floor.io, *seeds.at(r->member), ctx.config().fix_port));
      }
      floor.traders[kind].push_back(Trader{session_of[r->member], std::to_string(r->account)});
    }
  }
  ctx.say("FIX: " + std::to_string(floor.sessions.size()) + " member sessions logged on");
}

// One trade: a resting Day sell, then a crossing IOC buy at the same price and quantity.
void trade_once(Floor& floor, const Trader& s, const Trader& b, const std::string& symbol,
                std::int64_t q, std::int64_t price, SimulateResult& res) {
  const wire::Fields ack =
      floor.sessions[s.session]->order(s.account, symbol, false, q, price, false);
  if (wire::get(ack, 150) != "0") {
    ++res.rejected;
    std::fprintf(stderr, "cxctl: sell refused: %s\n", wire::get(ack, 58).value_or("").c_str());
    return;
  }
  wire::Fields fill = floor.sessions[b.session]->order(b.account, symbol, true, q, price, true);
  if (wire::get(fill, 150) == "0") fill = floor.sessions[b.session]->next_fill();  // ack first
  if (wire::get(fill, 150) != "F") {
    ++res.rejected;
    std::fprintf(stderr, "cxctl: buy refused: %s\n", wire::get(fill, 58).value_or("").c_str());
    return;
  }
  floor.sessions[s.session]->next_fill();
  ++res.trades;
  res.volume_t += q;
}

// ---- Off-book (--offbook): an agreement transfer, a repo and an auction -------------------

std::string cny(std::int64_t fen) {
  return tools::fen_to_yuan(fen);
}

// The first event of a kind in an operator command's reply; Failure if there is none.
json event_of(const std::string& reply, const std::string& kind) {
  const json r = json::parse(reply);
  for (const json& e : r.value("events", json::array())) {
    if (e.value("event", "") == kind) return e;
  }
  throw Failure("no " + kind + " event in the reply: " + reply);
}

std::string text_of(const wire::Fields& f) {
  return wire::get(f, 58).value_or("no reason");
}

// Agreement transfer over FIX: the seller's member reports (AE submit), the buyer's member
// accepts the alleged report; both get the final report with their fee.
void agreement_transfer(Context& ctx, Floor& floor, const Trader& seller, const Trader& buyer,
                        const std::string& symbol, std::int64_t q, std::int64_t price) {
  FixSession& rs = *floor.sessions[seller.session];
  FixSession& cs = *floor.sessions[buyer.session];
  const std::string rid = rs.next_id();
  rs.send("AE", {{571, rid},
                 {487, "0"},
                 {856, "0"},
                 {55, symbol},
                 {32, std::to_string(q)},
                 {31, price_text(price)},
                 {60, wire::utc_now_text()},
                 {552, "2"},
                 {54, "2"},
                 {1, seller.account},
                 {54, "1"},
                 {1, buyer.account}});
  const wire::Fields ack = rs.wait(
      [&](const wire::Fields& f) { return wire::get(f, 35) == "AR" && wire::get(f, 571) == rid; });
  if (wire::get(ack, 939) != "0") throw Failure("agreement report refused: " + text_of(ack));
  const std::string xid = wire::get(ack, 818).value_or("");
  cs.wait([&](const wire::Fields& f) {
    return wire::get(f, 35) == "AE" && wire::get(f, 856) == "1" && wire::get(f, 818) == xid;
  });
  const std::string aid = cs.next_id();
  cs.send("AE", {{571, aid}, {856, "2"}, {572, xid}, {552, "1"}, {54, "1"}, {1, buyer.account}});
  const auto final_of = [](const std::string& id) {
    return [id](const wire::Fields& f) {
      const auto t = wire::get(f, 35);
      return (t == "AR" && wire::get(f, 939) == "1") ||
             (t == "AE" && wire::get(f, 856) == "2" && wire::get(f, 571) == id);
    };
  };
  const wire::Fields done = cs.wait(final_of(aid));
  if (wire::get(done, 35) == "AR") throw Failure("agreement acceptance refused: " + text_of(done));
  const wire::Fields rdone = rs.wait(final_of(rid));
  ctx.say("agreement transfer (FIX AE): " + rs.member().comp_id + " account " + seller.account +
          " sells " + tools::grouped(q) + " t " + symbol + " at " + cny(price) + " to " +
          cs.member().comp_id + " account " + buyer.account + "; report " + xid +
          " accepted, trade " + wire::get(done, 880).value_or("?") + ", fees CNY " +
          wire::get(rdone, 12).value_or("?") + " (seller) and " +
          wire::get(done, 12).value_or("?") + " (buyer)");
}

// A repo filed by the operator with both confirmations (first leg with fees), then repurchased
// early with both consents (repo.mature with its id): the repurchase fees are waived.
void repo_round_trip(Context& ctx, const Trader& repo_party, const Trader& reverse,
                     const std::string& symbol, std::int64_t q, std::int64_t start_fen,
                     std::int64_t repurchase_fen) {
  // The end date must be after the trade date: 30 days after the exchange clock's trading date
  // (clock.status: the server's wall or simulated clock).
  const json clock = json::parse(ctx.call(verbs::ClockStatus{}));
  const int today = clock.at("trading_date").get<int>();
  const std::chrono::year_month_day trade_day{std::chrono::year(today / 10000),
                                              std::chrono::month(today / 100 % 100),
                                              std::chrono::day(today % 100)};
  const std::chrono::year_month_day d{std::chrono::sys_days(trade_day) + std::chrono::days(30)};
  char end_date[16];
  std::snprintf(end_date, sizeof end_date, "%04d-%02u-%02u", static_cast<int>(d.year()),
                static_cast<unsigned>(d.month()), static_cast<unsigned>(d.day()));
  verbs::RepoFile file;
  file.repo_party = AccountId(account_id(repo_party.account));
  file.reverse_party = AccountId(account_id(reverse.account));
  file.symbol = symbol;
  file.quantity_t = QuantityT(q);
  file.start_price_fen = PriceFen(start_fen);
  file.repurchase_price_fen = PriceFen(repurchase_fen);
  file.end_date = Date{static_cast<int>(d.year()) * 10000 +
                       static_cast<int>(static_cast<unsigned>(d.month())) * 100 +
                       static_cast<int>(static_cast<unsigned>(d.day()))};
  const json filed = event_of(ctx.call(file), "repo");
  const std::uint64_t id = filed.at("repo_id").get<std::uint64_t>();
  const auto fees = [](const json& e) {
    const json& a = e.at("repo_party_fee");
    const json& b = e.at("reverse_party_fee");
    return "fees CNY " + cny(a.at("fee_fen").get<std::int64_t>()) + " + " +
           cny(b.at("fee_fen").get<std::int64_t>()) + " (waived CNY " +
           cny(a.at("waived_fen").get<std::int64_t>()) + " + " +
           cny(b.at("waived_fen").get<std::int64_t>()) + ")";
  };
  ctx.say("repo " + std::to_string(id) + " filed (both confirmations): account " +
          repo_party.account + " sells " + tools::grouped(q) + " t " + symbol + " at " +
          cny(start_fen) + " to account " + reverse.account + ", repurchase at " +
          cny(repurchase_fen) + " by " + end_date + "; first leg " + fees(filed));
  const json back = event_of(ctx.call(verbs::RepoMature{OffBookId(id)}), "repo");
  ctx.say("repo " + std::to_string(id) + " repurchased early (both consents): " +
          back.value("status", "") + ", units released; repurchase leg " + fees(back));
}

// Sends one sealed bid (D with CxAuctionID 20011). Returns "" when the exchange accepts it,
// else the refusal's text (a server without auction bids over FIX refuses it as an order).
std::string bid(FixSession& s, const Trader& t, const std::string& symbol, std::uint64_t auction,
                std::int64_t q, std::int64_t price) {
  const std::string clid = s.next_id();
  s.send("D", {{11, clid},
               {1, t.account},
               {55, symbol},
               {54, "1"},
               {60, wire::utc_now_text()},
               {38, std::to_string(q)},
               {40, "2"},
               {44, price_text(price)},
               {20011, std::to_string(auction)}});
  const wire::Fields r = s.wait(
      [&](const wire::Fields& f) { return wire::get(f, 35) == "8" && wire::get(f, 11) == clid; });
  if (wire::get(r, 150) == "0" && wire::get(r, 20011) == std::to_string(auction)) return "";
  return text_of(r);
}

// auction.close, retried while the server's clock is still inside the window (kAuctionCloseTries
// times, 100 ms apart).
json close_auction(Context& ctx, std::uint64_t id) {
  constexpr int kAuctionCloseTries = 30;
  for (int i = 1;; ++i) {
    const tools::Reply r = ctx.call_reply(verbs::AuctionClose{OffBookId(id)});
    if (r.ok()) return event_of(r.body, "auction");
    if (i == kAuctionCloseTries || r.error().find("window") == std::string::npos) {
      throw Failure("auction.close refused: " + r.error());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

struct Bid {
  const Trader* bidder;
  std::int64_t q;
  std::int64_t price_fen;
};

// A one-way bidding auction: opened by the operator for the seller's units (pay-as-bid), sealed
// bids over FIX, closed after its window; prints each bidder's allocation and the public result.
void auction_round(Context& ctx, Floor& floor, const Trader& seller, const std::string& symbol,
                   std::int64_t q, std::int64_t reserve_fen, const std::vector<Bid>& bids) {
  const auto window = std::chrono::seconds(2);
  const auto opened_at = std::chrono::steady_clock::now();
  verbs::AuctionOpen terms;
  terms.seller = AccountId(account_id(seller.account));
  terms.symbol = symbol;
  terms.quantity_t = QuantityT(q);
  terms.reserve_fen = PriceFen(reserve_fen);
  terms.duration_s = window.count();
  terms.min_bid_t = QuantityT(1000);
  terms.max_share_bp = 5000;
  terms.pricing = AuctionPricing::kPayAsBid;
  const json opened = event_of(ctx.call(terms), "auction");
  const std::uint64_t id = opened.at("auction_id").get<std::uint64_t>();
  ctx.say("auction " + std::to_string(id) + " opened: account " + seller.account + " sells " +
          tools::grouped(q) + " t " + symbol + ", reserve " + cny(reserve_fen) +
          ", pay-as-bid, at most 50% per bidder, " + std::to_string(window.count()) + " s window");
  std::vector<Bid> placed;
  for (const Bid& b : bids) {
    FixSession& s = *floor.sessions[b.bidder->session];
    const std::string refused = bid(s, *b.bidder, symbol, id, b.q, b.price_fen);
    if (refused.empty()) {
      placed.push_back(b);
    } else {
      std::fprintf(stderr, "cxctl: auction bid of %s refused: %s\n", s.member().comp_id.c_str(),
                   refused.c_str());
    }
  }
  ctx.say("auction " + std::to_string(id) + ": " + std::to_string(placed.size()) + " of " +
          std::to_string(bids.size()) +
          " sealed bids accepted over FIX (D with CxAuctionID 20011)");
  std::this_thread::sleep_until(opened_at + window + std::chrono::milliseconds(100));
  const json result = close_auction(ctx, id);
  for (const Bid& b : placed) {
    FixSession& s = *floor.sessions[b.bidder->session];
    const wire::Fields r = s.wait([&](const wire::Fields& f) {
      const auto e = wire::get(f, 150);
      return wire::get(f, 35) == "8" && wire::get(f, 20011) == std::to_string(id) &&
             (e == "F" || e == "C");
    });
    ctx.say("  bid of " + s.member().comp_id + " (" + tools::grouped(b.q) + " t at " +
            cny(b.price_fen) + "): " +
            (wire::get(r, 150) == "F"
                 ? "allocated " + tools::grouped(std::stoll(wire::get(r, 32).value_or("0"))) +
                       " t at " + wire::get(r, 31).value_or("?") + ", fee CNY " +
                       wire::get(r, 12).value_or("?")
                 : std::string("not allocated")));
  }
  ctx.say("auction " + std::to_string(id) + " result: " + result.value("status", "") + ", " +
          tools::grouped(result.at("cleared_t").get<std::int64_t>()) + " t cleared of " +
          tools::grouped(result.at("bid_t").get<std::int64_t>()) + " t bid, prices " +
          cny(result.at("low_fen").get<std::int64_t>()) + " to " +
          cny(result.at("high_fen").get<std::int64_t>()) + ", " +
          std::to_string(result.at("winners").get<std::int64_t>()) + " winners of " +
          std::to_string(result.at("bids").get<std::int64_t>()) + " bids, proceeds CNY " +
          cny(result.at("proceeds_fen").get<std::int64_t>()) + ", seller's fee CNY " +
          cny(result.at("seller_fee").at("fee_fen").get<std::int64_t>()));
}

const InstrumentConfig& instrument(Context& ctx, const std::string& code) {
  for (const InstrumentConfig& i : ctx.exchange().instruments) {
    if (i.code == code) return i;
  }
  throw Failure("unknown symbol " + code);
}

// The off-book part of the day among the institutions (each its own member): 200001 sells a
// block to 200002 by agreement, 200003 repos to 200004, 200008 (the forestry project owner's
// account in the demo) auctions its PHCER to 200005..200007.
void simulate_offbook(Context& ctx, Floor& floor, const SimulateOptions& o) {
  const auto& inst = floor.traders["investment_institution"];
  if (inst.size() < 8) throw Failure("--offbook needs 8 institution accounts with a member");
  const InstrumentConfig& ins = instrument(ctx, o.symbol);
  const std::int64_t ref = ins.reference_price_fen.value();
  const std::int64_t block = std::max<std::int64_t>(ins.agreement_min_t.value(), ins.lot_t.value());
  agreement_transfer(ctx, floor, inst[0], inst[1], o.symbol, block, ref);
  const std::int64_t repo_q = std::max<std::int64_t>(ins.repo_min_t.value(), ins.lot_t.value());
  if (o.repo) repo_round_trip(ctx, inst[2], inst[3], o.symbol, repo_q, ref - 20, ref + 10);
  const InstrumentConfig& forest = instrument(ctx, o.auction_symbol);
  const std::int64_t lot_q = 30000;
  const std::uint64_t seller = std::stoull(inst[7].account);
  ctx.call(verbs::UnitsIssue{
      TransferId((std::uint64_t{3} << 40) | (std::uint64_t{forest.id.value()} << 20) | seller),
      AccountId(static_cast<std::uint32_t>(seller)), o.auction_symbol, lot_q, 0});
  const std::int64_t r = forest.reference_price_fen.value();
  auction_round(ctx, floor, inst[7], o.auction_symbol, lot_q, r,
                {{&inst[4], 15000, r + 79}, {&inst[5], 12000, r + 39}, {&inst[6], 10000, r + 9}});
}

}  // namespace

void prepare_accounts(Context& ctx,
                      const std::map<std::string, std::vector<const tools::AccountRow*>>& by_kind,
                      const SimulateOptions& o) {
  std::int64_t cash_fen = 0;
  if (!tools::parse_yuan(o.cash_cny, cash_fen) || cash_fen <= 0) {
    throw Failure("--cash " + o.cash_cny + ": a positive CNY amount");
  }
  std::uint32_t instrument = 0;
  for (const InstrumentConfig& i : ctx.exchange().instruments) {
    if (i.code == o.symbol) instrument = i.id.value();
  }
  std::size_t n = 0;
  std::size_t total = 0;
  for (const auto& [kind, list] : by_kind)
    total += list.size();
  for (const auto& [kind, list] : by_kind) {
    for (const tools::AccountRow* r : list) {
      const std::uint64_t a = r->account;
      const AccountId account(r->account);
      ctx.call(verbs::CashDeposit{
          {TransferId((std::uint64_t{1} << 40) | a), account, AmountFen(cash_fen), 0}});
      if (kind != "control_emission_firm") {
        ctx.call(verbs::UnitsIssue{
            TransferId((std::uint64_t{2} << 40) | (std::uint64_t{instrument} << 20) | a), account,
            o.symbol, o.inventory_t, 0});
      }
      ctx.progress("funding trading accounts", ++n, total);
    }
  }
  verbs::MarketOpen open;
  open.symbol = o.symbol;
  ctx.call(open);
}

void cmd_simulate_day(Context& ctx, const SimulateOptions& o) {
  auto rows = tools::parse_accounts_csv(o.accounts_csv, read_file(o.accounts_csv));
  if (!rows.ok()) throw Failure(rows.error());
  const InstrumentConfig* ins = nullptr;
  for (const InstrumentConfig& i : ctx.exchange().instruments) {
    if (i.code == o.symbol) ins = &i;
  }
  if (ins == nullptr) throw Failure("unknown symbol " + o.symbol);
  if (o.min_qty <= 0 || o.max_qty < o.min_qty) throw Failure("quantities: 0 < min <= max");
  // Members with a password in the configuration (the demo's) and their accounts, by kind.
  std::map<std::uint32_t, const gateway::MemberSeed*> seeds;
  for (const gateway::MemberSeed& m : ctx.config().members)
    seeds[m.id] = &m;
  const char* kinds[] = {"investment_institution", "control_emission_firm", "individual"};
  std::map<std::string, std::vector<const tools::AccountRow*>> by_kind;
  for (const tools::AccountRow& r : rows.value()) {
    auto& list = by_kind[r.kind];
    if (seeds.count(r.member) && list.size() < 8) list.push_back(&r);
  }
  // A kind without two accounts does not trade (the national market has no individuals).
  std::vector<const char*> present;
  std::vector<double> weights;
  const double kind_weights[] = {60, 30, 10};
  for (std::size_t k = 0; k < std::size(kinds); ++k) {
    if (by_kind[kinds[k]].size() >= 2) {
      present.push_back(kinds[k]);
      weights.push_back(kind_weights[k]);
    }
  }
  std::erase_if(by_kind, [](const auto& kv) { return kv.second.size() < 2; });
  if (present.empty()) throw Failure("fewer than two accounts of any kind with a member to trade");
  prepare_accounts(ctx, by_kind, o);
  Floor floor;
  open_floor(ctx, floor, by_kind, seeds);
  std::mt19937_64 rng(o.seed);
  std::discrete_distribution<int> type(weights.begin(), weights.end());
  std::uniform_int_distribution<std::int64_t> qty(o.min_qty, o.max_qty);
  std::uniform_int_distribution<int> step(-3, 3);
  const std::int64_t ref = ins->reference_price_fen.value();
  const std::int64_t band = ref * ins->band_bp / 10000 / 2;  // stay well inside the band
  std::int64_t price = ref;
  SimulateResult res;
  for (std::uint32_t i = 0; i < o.trades; ++i) {
    const auto& sellers = floor.traders[present[type(rng)]];
    const auto& buyers = floor.traders[present[type(rng)]];
    const Trader& s = sellers[rng() % sellers.size()];
    const Trader& b = buyers[rng() % buyers.size()];
    price = std::clamp<std::int64_t>(price + step(rng), ref - band, ref + band);
    const std::int64_t q = qty(rng);
    if (s.account != b.account) trade_once(floor, s, b, o.symbol, q, price, res);
    ctx.progress("trading " + o.symbol, i + 1, o.trades);
  }
  ctx.say("simulated day: " + std::to_string(res.trades) + " trades, " +
          std::to_string(res.volume_t) + " t of " + o.symbol + " through FIX (" +
          std::to_string(res.rejected) + " orders refused)");
  if (o.offbook) simulate_offbook(ctx, floor, o);
  for (auto& s : floor.sessions)
    s->logout();
}

}  // namespace carbonx::cxctl
