// cxctl simulate: a demonstration trading day sent through FIX, as real members would (the
// gateway's cxload measures throughput; this drives a realistic participant mix). Every trade is
// a resting Day sell and a crossing IOC buy from two members' FIX sessions; the server matches
// and settles them like any other order. Deterministic for a seed.
//
// Participant mix (share of volume, both sides counted, the figures): institutions 60%,
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
    char px[32];
    std::snprintf(px, sizeof px, "%lld.%02lld", static_cast<long long>(price_fen / 100),
                  static_cast<long long>(price_fen % 100));
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

 private:
  void send(const std::string& type, const wire::Fields& body) {
    const std::string msg =
        wire::encode(type, member_.comp_id, "CARBONX", seq_++, body, wire::utc_now_text());
    boost::system::error_code ec;
    asio::write(socket_, asio::buffer(msg), ec);
    if (ec) throw Failure("FIX send on " + member_.comp_id + ": " + ec.message());
  }

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
      ctx.call("cash.deposit", json{{"transfer_id", (std::uint64_t{1} << 40) | a},
                                    {"account", a},
                                    {"amount_fen", cash_fen}}
                                   .dump());
      if (kind != "control_emission_firm") {
        ctx.call("units.issue", json{{"transfer_id", (std::uint64_t{2} << 40) |
                                                         (std::uint64_t{instrument} << 20) | a},
                                     {"account", a},
                                     {"symbol", o.symbol},
                                     {"quantity_t", o.inventory_t}}
                                    .dump());
      }
      ctx.progress("funding trading accounts", ++n, total);
    }
  }
  ctx.call("market.open", json{{"symbol", o.symbol}}.dump());
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
  for (const char* kind : kinds) {
    if (by_kind[kind].size() < 2) {
      throw Failure(std::string("fewer than two ") + kind + " accounts with a member to trade");
    }
  }
  prepare_accounts(ctx, by_kind, o);
  Floor floor;
  open_floor(ctx, floor, by_kind, seeds);
  std::mt19937_64 rng(o.seed);
  std::discrete_distribution<int> type({60, 30, 10});
  std::uniform_int_distribution<std::int64_t> qty(o.min_qty, o.max_qty);
  std::uniform_int_distribution<int> step(-3, 3);
  const std::int64_t ref = ins->reference_price_fen.value();
  const std::int64_t band = ref * ins->band_bp / 10000 / 2;  // stay well inside the band
  std::int64_t price = ref;
  SimulateResult res;
  for (std::uint32_t i = 0; i < o.trades; ++i) {
    const auto& sellers = floor.traders[kinds[type(rng)]];
    const auto& buyers = floor.traders[kinds[type(rng)]];
    const Trader& s = sellers[rng() % sellers.size()];
    const Trader& b = buyers[rng() % buyers.size()];
    price = std::clamp<std::int64_t>(price + step(rng), ref - band, ref + band);
    const std::int64_t q = qty(rng);
    if (s.account != b.account) trade_once(floor, s, b, o.symbol, q, price, res);
    ctx.progress("trading " + o.symbol, i + 1, o.trades);
  }
  for (auto& s : floor.sessions)
    s->logout();
  ctx.say("simulated day: " + std::to_string(res.trades) + " trades, " +
          std::to_string(res.volume_t) + " t of " + o.symbol + " through FIX (" +
          std::to_string(res.rejected) + " orders refused)");
}

}  // namespace carbonx::cxctl
