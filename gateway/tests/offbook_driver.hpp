#pragma once
// carbonxd's exchange path without its sockets and wall clock, for off-book FIX tests that need
// dates (repo maturity and default, the fee waiver around 10 May 2017, the end of the day) or
// exact auction windows. A test writes FIX text as a member would; it goes through the project's
// dictionary and translation (FixCodec, the same as the live sessions), the ExchangeDriver that
// carbonxd runs (core, ledger, LMDB store, journal: every step is committed as a batch), and
// every reply comes back as the FIX text carbonxd would send (FixCodec::encode). Operator verbs
// go through the same driver as the operator API's. The clock is the test's: set_time().
//
// Not covered here (the real-process tests in offbook_*_test.cpp are): sockets, the FIX session
// layer (logon, sequence numbers, resend), the sequencer's threads.

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "carbonx/engine/instrument.hpp"
#include "carbonx/gateway/exchange_driver.hpp"
#include "carbonx/gateway/fix_codec.hpp"
#include "carbonx/gateway/fix_engine.hpp"
#include "carbonx/gateway/fix_wire.hpp"
#include "carbonx/gateway/members.hpp"
#include "carbonx/gateway/operator_verbs.hpp"
#include "carbonx/gateway/session_edge.hpp"

namespace carbonx::gateway::testing {

// The sample instruments (gateway/config/instruments.toml: GDEA2017, reference 14.20 CNY, 0.5%
// agreement and repo fees both sides, the repo repurchase waiver from 2017-05-10) plus an auction
// rate of 0.1% both sides (the sample has none) and a 5-fen-tick instrument GDEA2019 (off-tick
// prices).
inline std::string offbook_instruments_toml(bool release_on_default = true) {
  std::ifstream in(std::string(CARBONX_GATEWAY_CONFIG_DIR) + "/instruments.toml");
  std::stringstream s;
  s << in.rdbuf();
  std::string text = s.str();
  const std::string rates = "{ mode = \"repo_repurchase\", side = \"both\", rate_ppm = 5000 },";
  const std::size_t at = text.find(rates);
  if (at != std::string::npos) {
    text.insert(at + rates.size(), "\n  { mode = \"auction\", side = \"both\", rate_ppm = 1000 },");
  }
  const std::string exchange = "[exchange]\n";
  text.insert(
      text.find(exchange) + exchange.size(),
      std::string("repo_default = \"") + (release_on_default ? "release" : "keep_locked") + "\"\n");
  text +=
      "\n[[instrument]]\nid = 9\ncode = \"GDEA2019\"\nproduct = \"allowance\"\nvintage = 2019\n"
      "tick_fen = 5\n"
      "lot_t = 1\nmin_order_t = 1\nmax_order_t = 1000000\nreference_price_fen = 1600\n"
      "fee_schedule = \"guangdong\"\n";
  return text;
}

// Nanoseconds since the epoch of a China Standard Time (UTC+8) wall time.
inline std::int64_t cst_ns(int y, int m, int d, int hh = 10, int mm = 0, int ss = 0) {
  const std::chrono::year_month_day ymd{std::chrono::year(y), std::chrono::month(unsigned(m)),
                                        std::chrono::day(unsigned(d))};
  const std::chrono::sys_days days(ymd);
  const auto t =
      days + std::chrono::hours(hh - 8) + std::chrono::minutes(mm) + std::chrono::seconds(ss);
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

class OffBookDriver {
 public:
  using json = nlohmann::json;

  // Members: MEMBER1 (account 1001), MEMBER2 (1002, 1003), MEMBER3 (1004).
  // `instruments_toml` replaces the instruments (the national market's, national_fix_test.cpp);
  // `trading_account_kinds` is [server] trading_account_kinds (config.hpp), all kinds by default.
  explicit OffBookDriver(
      const std::string& name, bool release_on_default = true,
      const std::string& instruments_toml = "",
      std::uint32_t trading_account_kinds = ServerConfig{}.trading_account_kinds) {
    dir_ = std::filesystem::temp_directory_path() /
           ("cx_obdrv_" + std::to_string(::getpid()) + "_" + name);
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    std::string error;
    codec_ = FixCodec::create(CARBONX_FIX_DICTIONARY, &error);
    EXPECT_NE(codec_, nullptr) << error;
    auto parsed = parse_exchange_config(
        instruments_toml.empty() ? offbook_instruments_toml(release_on_default) : instruments_toml);
    EXPECT_TRUE(parsed.ok()) << (parsed.ok() ? "" : parsed.error().message);
    if (!parsed.ok()) return;
    ServerConfig c;
    c.data_dir = (dir_ / "data").string();
    c.durability = DurabilityMode::kNoSync;
    c.trading_account_kinds = trading_account_kinds;
    c.members = {MemberSeed{1, "MEMBER1", "member1", "member1-pass", false, {1001}},
                 MemberSeed{2, "MEMBER2", "member2", "member2-pass", false, {1002, 1003}},
                 MemberSeed{3, "MEMBER3", "member3", "member3-pass", false, {1004}}};
    EXPECT_TRUE(init_exchange(c, &error)) << error;
    std::string detail;
    auto members = MemberDirectory::open((dir_ / "data" / "gateway").string(), &detail,
                                         PasswordHashCost::kMinimum);
    EXPECT_TRUE(members.ok()) << detail;
    if (!members.ok()) return;
    members_ = std::move(members).value();
    EXPECT_TRUE(members_->add_all(c.members).ok());
    FixEngineConfig fc;
    fc.dictionary_path = CARBONX_FIX_DICTIONARY;
    fc.store_dir = (dir_ / "data" / "fixstore").string();
    fc.memory_store = true;
    fix_ = FixEngine::create(fc, &handler_, &error);
    EXPECT_NE(fix_, nullptr) << error;
    if (!fix_) return;
    for (const MemberSeed& m : c.members)
      sessions_[m.comp_id] = fix_->add_session(m.comp_id);
    driver_ = ExchangeDriver::create(c, parsed.value(), *members_, *fix_, authority_, &error);
    EXPECT_NE(driver_, nullptr) << error;
    config_ = c;
    exchange_ = parsed.value();
    edge_ = std::make_unique<SessionEdge>(exchange_->instruments, *members_, *fix_, authority_);
  }
  ~OffBookDriver() {
    edge_.reset();
    driver_.reset();
    fix_.reset();
    members_.reset();
    std::filesystem::remove_all(dir_);
  }
  OffBookDriver(const OffBookDriver&) = delete;
  OffBookDriver& operator=(const OffBookDriver&) = delete;

  // Stops the exchange path and starts it again on the same data directory, as carbonxd does at
  // a restart, on a simulated clock standing at `clock_ns` (the day recovery sees).
  void restart(std::int64_t clock_ns) {
    if (!ready()) return;
    driver_.reset();
    clock_ = std::make_unique<ExchangeClock>(clock_ns, "");
    std::string error;
    driver_ = ExchangeDriver::create(config_, *exchange_, *members_, *fix_, authority_, &error,
                                     clock_.get());
    EXPECT_NE(driver_, nullptr) << error;
    now_ns_ = std::max(now_ns_, clock_ns);
  }

  void set_time(std::int64_t ns) {
    EXPECT_GE(ns, now_ns_) << "the clock never goes back";
    now_ns_ = ns;
  }
  void advance_s(std::int64_t s) { now_ns_ += s * 1'000'000'000; }
  std::int64_t now() const { return now_ns_; }

  // A member's message: body fields in order (the header is added). Returns false (and records a
  // test failure) if the translation refused it at the session level.
  bool send(const std::string& comp_id, const std::string& type, const wire::Fields& body) {
    if (!ready()) return false;
    const std::string raw =
        wire::encode(type, comp_id, "CARBONX", ++in_seq_[comp_id], body, "20170509-02:00:00.000");
    const DecodeOutcome d = codec_->decode(raw);
    std::vector<Delivery> out;
    if (d.status == DecodeOutcome::Status::kSessionReject) {
      ADD_FAILURE() << "session-level reject: " << d.reason;
      return false;
    }
    if (d.status == DecodeOutcome::Status::kReply) {
      Delivery r;
      r.session = sessions_.at(comp_id);
      r.reply = d.reply;
      out.push_back(r);
    } else {
      Inbound in;  // through the edge, as carbonxd's FIX thread does
      in.session = sessions_.at(comp_id);
      in.item = edge_->translate(in.session, d.request);
      driver_->apply(TimestampNs(now_ns_), in, out);
    }
    EXPECT_TRUE(driver_->commit().ok());
    deliver(out);
    return true;
  }

  // An operator verb; returns (HTTP status, reply).
  std::pair<int, json> op(const std::string& verb, const json& body = json::object()) {
    if (!ready()) return {0, json::object()};
    // The edge's one parse (operator_verbs.hpp); a refusal never reaches the driver.
    const edge::OperatorEdge edge(driver_->registrar().config());
    auto parsed = parse_operator_request(edge, verb, body.dump());
    if (!parsed.ok()) {
      return {static_cast<int>(parsed.error().http_status), json::parse(parsed.error().json)};
    }
    Inbound in;
    in.item = OperatorRequest{++ticket_, std::move(parsed.value())};
    std::vector<Delivery> out;
    driver_->apply(TimestampNs(now_ns_), in, out);
    EXPECT_TRUE(driver_->commit().ok());
    std::pair<int, json> reply{0, json()};
    for (const Delivery& d : out) {
      if (d.ticket == ticket_) reply = {static_cast<int>(d.http_status), json::parse(d.json)};
    }
    deliver(out);
    return reply;
  }
  json ok(const std::string& verb, const json& body = json::object()) {
    auto [status, j] = op(verb, body);
    EXPECT_EQ(status, 200) << verb << " " << body.dump() << " -> " << j.dump();
    return j;
  }
  // The day's end (the calendar's end-of-day command) and the next day's open.
  void end_of_day() { ok("day.end"); }

  // The next message of `type` sent to `comp_id` (others stay queued), or nullopt.
  std::optional<wire::Fields> next(const std::string& comp_id, const std::string& type) {
    auto& q = inbox_[comp_id];
    for (auto it = q.begin(); it != q.end(); ++it) {
      if (wire::get(*it, 35) == type) {
        wire::Fields f = std::move(*it);
        q.erase(it);
        return f;
      }
    }
    return std::nullopt;
  }
  std::size_t pending(const std::string& comp_id) { return inbox_[comp_id].size(); }
  void drain() {
    for (auto& [comp, q] : inbox_)
      q.clear();
  }
  // Every message sent so far, as "-> COMPID 8=FIX.4.4|..." lines (golden files).
  const std::string& transcript() const { return transcript_; }

  // available + frozen of `asset` ("CNY" or a symbol) of `account`.
  std::pair<std::int64_t, std::int64_t> balance(int account, const std::string& asset) {
    const json b = ok("query.balances", {{"account", account}});
    for (const auto& row : b.at("balances")) {
      if (row.at("asset") == asset) {
        return {row.at("available").get<std::int64_t>(), row.at("frozen").get<std::int64_t>()};
      }
    }
    return {0, 0};
  }
  bool ledger_ok() { return ok("query.status").at("ledger_invariants_ok").get<bool>(); }

  // Accounts 1001 (investor, 100,000,000.00 CNY), 1002 (firm, 300,000 t, 100,000.00 CNY),
  // 1003 (firm, 100,000 t, 10,000,000.00 CNY), 1004 (investor, 10,000,000.00 CNY); market open.
  void seed() {
    ok("account.open", {{"id", 1001}, {"kind", "investment_institution"}, {"member", 1}});
    ok("account.open", {{"id", 1002}, {"kind", "control_emission_firm"}, {"member", 2}});
    ok("account.open", {{"id", 1003}, {"kind", "control_emission_firm"}, {"member", 2}});
    ok("account.open", {{"id", 1004}, {"kind", "investment_institution"}, {"member", 3}});
    ok("cash.deposit", {{"transfer_id", 1}, {"account", 1001}, {"amount_fen", 10'000'000'000}});
    ok("cash.deposit", {{"transfer_id", 2}, {"account", 1002}, {"amount_fen", 10'000'000}});
    ok("cash.deposit", {{"transfer_id", 3}, {"account", 1003}, {"amount_fen", 1'000'000'000}});
    ok("cash.deposit", {{"transfer_id", 4}, {"account", 1004}, {"amount_fen", 1'000'000'000}});
    ok("units.issue",
       {{"transfer_id", 5}, {"account", 1002}, {"symbol", "GDEA2017"}, {"quantity_t", 300000}});
    ok("units.issue",
       {{"transfer_id", 6}, {"account", 1003}, {"symbol", "GDEA2017"}, {"quantity_t", 100000}});
    ok("market.open");
  }

 private:
  struct NullHandler : FixEngineHandler {
    std::string authenticate(SessionIndex, const std::string&, const std::string&) override {
      return "";
    }
    void on_logon(SessionIndex) override {}
    void on_logout(SessionIndex) override {}
    void on_request(SessionIndex, const FixRequest&) override {}
  };

  // False (and a test failure) when the constructor could not build the exchange path.
  bool ready() {
    if (codec_ && driver_) return true;
    ADD_FAILURE() << "the exchange path was not built (see the constructor's failures)";
    return false;
  }

  void deliver(const std::vector<Delivery>& out) {
    for (const Delivery& d : out) {
      if (d.ticket != 0 || d.session == kNoSession) continue;
      const std::string& comp = fix_->member_comp_id(d.session);
      std::string text =
          codec_->encode(d.reply, "CARBONX", comp, ++out_seq_[comp], "20170509-02:00:00.000");
      // What carbonxd sends must pass its own dictionary (members' initiators use the same).
      const DecodeOutcome back = codec_->decode(text);
      EXPECT_NE(back.status, DecodeOutcome::Status::kSessionReject) << back.reason;
      inbox_[comp].push_back(wire::decode(text));
      std::replace(text.begin(), text.end(), '\x01', '|');
      transcript_ += "-> " + comp + " " + text + "\n";
    }
  }

  std::filesystem::path dir_;
  NullHandler handler_;
  std::unique_ptr<FixCodec> codec_;
  std::unique_ptr<MemberDirectory> members_;
  edge::PublishedAuthority authority_;  // before the edge and the driver that use it
  std::unique_ptr<SessionEdge> edge_;
  std::unique_ptr<FixEngine> fix_;
  std::unique_ptr<ExchangeDriver> driver_;
  ServerConfig config_;
  std::optional<ExchangeConfig> exchange_;
  std::unique_ptr<ExchangeClock> clock_;  // restart()'s; outlives the driver that uses it
  std::map<std::string, SessionIndex> sessions_;
  std::map<std::string, int> in_seq_;
  std::map<std::string, int> out_seq_;
  std::map<std::string, std::deque<wire::Fields>> inbox_;
  std::string transcript_;
  std::uint64_t ticket_ = 0;
  std::int64_t now_ns_ = 0;
};

inline std::string field(const wire::Fields& f, int tag) {
  return wire::get(f, tag).value_or("");
}

}  // namespace carbonx::gateway::testing
