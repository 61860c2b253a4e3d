// The exchange clock (clock.hpp): parsing and refusal of [server] clock_start, the simulated
// clock's rules (starts where configured, never goes back, advances persisted), and through a
// real carbonxd child process on a simulated clock: the dated off-book paths -- a repo filed
// before the fee waiver's effective date (10 May 2017) and repurchased after it (both fees
// waived, the rule recorded; by the operator and over FIX with both members' sessions told)
// beside one bought back before it (fees charged), a repo defaulting
// at maturity when the calendar's end of day fires at the advanced time -- and a restart that
// continues from the advanced time, never earlier. The calendar's timers follow the clock.
#include "carbonx/gateway/clock.hpp"

#include <gtest/gtest.h>

#include <thread>

#include "carbonx/gateway/calendar.hpp"
#include "carbonx/gateway/config.hpp"
#include "offbook_messages.hpp"
#include "offbook_server.hpp"

namespace carbonx::gateway {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;
using Balance = std::pair<std::int64_t, std::int64_t>;

constexpr std::int64_t kSecond = 1'000'000'000;
// 2017-05-08T01:30:00Z = 2017-05-08T09:30:00+08:00.
constexpr std::int64_t kMay8At0930Cst = 1'494'207'000 * kSecond;

TEST(ClockConfig, DefaultIsTheWallClockAndClockStartIsParsed) {
  const auto none = parse_server_config("[server]\n", "/tmp");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none.value().clock_start_ns.has_value());
  const auto set =
      parse_server_config("[server]\nclock_start = \"2017-05-08T09:30:00+08:00\"\n", "/tmp");
  ASSERT_TRUE(set.ok()) << set.error().message;
  EXPECT_EQ(set.value().clock_start_ns, kMay8At0930Cst);
  const auto utc = parse_server_config("[server]\nclock_start = \"2017-05-08T01:30:00Z\"\n", "/");
  ASSERT_TRUE(utc.ok());
  EXPECT_EQ(utc.value().clock_start_ns, kMay8At0930Cst);
}

TEST(ClockConfig, BadClockStartIsRefusedNamingTheKey) {
  for (const char* bad :
       {"\"2017-05-08\"", "\"2017-05-08T09:30+08:00\"", "\"2017-02-30T09:30:00+08:00\"",
        "\"2017-05-08T24:00:00Z\"", "\"2017-05-08T09:30:00+8:00\"", "\"2017-05-08 09:30:00Z\"",
        "\"1999-12-31T23:59:59Z\"", "\"2100-01-01T00:00:00Z\"", "\"\"", "20170508"}) {
    const auto r = parse_server_config(std::string("[server]\nclock_start = ") + bad + "\n", "/");
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_NE(r.error().message.find("server.clock_start"), std::string::npos)
        << bad << ": " << r.error().message;
  }
}

TEST(ClockText, ParseAndFormatRoundTrip) {
  EXPECT_EQ(format_clock_time(kMay8At0930Cst), "2017-05-08T09:30:00+08:00");
  EXPECT_EQ(format_clock_time(kMay8At0930Cst, 0), "2017-05-08T01:30:00+00:00");
  EXPECT_EQ(format_clock_time(kMay8At0930Cst, -300), "2017-05-07T20:30:00-05:00");
  EXPECT_EQ(parse_clock_time("2017-05-07T20:30:00-05:00"), kMay8At0930Cst);
  EXPECT_EQ(parse_clock_time("2016-02-29T00:00:00Z").has_value(), true);  // a leap day
  EXPECT_FALSE(parse_clock_time("2017-02-29T00:00:00Z").has_value());
}

TEST(ExchangeClock, SimulatedStartsAtClockStartAndNeverGoesBack) {
  ExchangeClock clock(kMay8At0930Cst, "");
  EXPECT_TRUE(clock.simulated());
  const std::int64_t a = clock.now_ns();
  EXPECT_GE(a, kMay8At0930Cst);
  EXPECT_LT(a, kMay8At0930Cst + 60 * kSecond);
  clock.not_before(kMay8At0930Cst - 3600 * kSecond);  // earlier: nothing changes
  const std::int64_t b = clock.now_ns();
  EXPECT_GE(b, a);
  EXPECT_LT(b, kMay8At0930Cst + 60 * kSecond);
  clock.not_before(kMay8At0930Cst + 86400 * kSecond);  // a later journaled stamp: continue there
  EXPECT_GE(clock.now_ns(), kMay8At0930Cst + 86400 * kSecond);
  EXPECT_NE(clock.describe().find("2017-05-08T09:30:00+08:00"), std::string::npos);
}

TEST(ExchangeClock, AdvanceIsRefusedBackwardsTooFarAndOnTheWallClock) {
  ExchangeClock wall;
  EXPECT_FALSE(wall.simulated());
  ASSERT_FALSE(wall.advance_to(wall.now_ns() + kSecond).ok());
  EXPECT_EQ(wall.advance_to(wall.now_ns() + kSecond).error(), ClockError::kWallClock);
  EXPECT_EQ(wall.describe(), "wall clock");

  ExchangeClock sim(kMay8At0930Cst, "");
  int moved = 0;
  sim.set_on_advance([&] { ++moved; });
  const auto back = sim.advance_to(kMay8At0930Cst - kSecond);
  ASSERT_FALSE(back.ok());
  EXPECT_EQ(back.error(), ClockError::kBackwards);
  const auto far = sim.advance_to(sim.now_ns() + ExchangeClock::kMaxAdvanceNs + kSecond);
  ASSERT_FALSE(far.ok());
  EXPECT_EQ(far.error(), ClockError::kTooFar);
  EXPECT_EQ(moved, 0);
  EXPECT_LT(sim.now_ns(), kMay8At0930Cst + 60 * kSecond) << "a refusal changes nothing";
  const std::int64_t may12 = kMay8At0930Cst + 4 * 86400 * kSecond;
  ASSERT_TRUE(sim.advance_to(may12).ok());
  EXPECT_EQ(moved, 1);
  EXPECT_GE(sim.now_ns(), may12);
  EXPECT_EQ(sim.advance_to(may12).error(), ClockError::kBackwards) << "not after now";
}

TEST(ExchangeClock, AdvancesArePersistedAndRestoredAcrossARestart) {
  const fs::path dir = fs::temp_directory_path() / ("cx_clock_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string state = (dir / "clock").string();
  const std::int64_t may12 = kMay8At0930Cst + 4 * 86400 * kSecond;
  {
    ExchangeClock first(kMay8At0930Cst, state);
    std::string error;
    ASSERT_TRUE(first.restore(&error)) << error;  // no file yet: the configured start
    EXPECT_LT(first.now_ns(), may12);
    ASSERT_TRUE(first.advance_to(may12).ok());
  }
  ExchangeClock second(kMay8At0930Cst, state);  // same clock_start, as after a restart
  std::string error;
  ASSERT_TRUE(second.restore(&error)) << error;
  EXPECT_GE(second.now_ns(), may12) << "continues from the advance, never earlier";
  { std::ofstream(state) << "not a number\n"; }
  ExchangeClock bad(kMay8At0930Cst, state);
  EXPECT_FALSE(bad.restore(&error));
  EXPECT_NE(error.find(state), std::string::npos) << error;
  fs::remove_all(dir);
}

// The calendar on a simulated clock: its timer fires at the clock's time, and an advance over
// calendar events sets the phase the new time calls for.
TEST(CalendarOnTheClock, FiresAtTheSimulatedTimeAndFollowsAnAdvance) {
  const std::int64_t may8_1544_59_5 =
      kMay8At0930Cst + (6 * 3600 + 14 * 60 + 59) * kSecond + kSecond / 2;  // 15:44:59.5, Monday
  ExchangeClock clock(may8_1544_59_5, "");
  boost::asio::io_context io;
  std::vector<CalendarEvent::Kind> events;
  Calendar calendar(io, ScheduleConfig{}, clock, [&](CalendarEvent e) {
    events.push_back(e.kind);
    return true;
  });
  calendar.start();  // outside a window: nothing at start
  EXPECT_TRUE(events.empty());
  for (int i = 0; i < 100 && events.empty(); ++i)
    io.run_for(std::chrono::milliseconds(50));
  ASSERT_EQ(events.size(), 1u) << "the end of day at 15:45 on the simulated clock";
  EXPECT_EQ(events[0], CalendarEvent::Kind::kEndOfDay);
  // Tuesday 10:00: the jump crosses Tuesday's 09:30 open: the phase of the new time is set.
  ASSERT_TRUE(clock.advance_to(kMay8At0930Cst + (86400 + 1800) * kSecond).ok());
  calendar.clock_moved();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1], CalendarEvent::Kind::kOpen);
  // A small move inside the same window crosses nothing: no event.
  ASSERT_TRUE(clock.advance_to(kMay8At0930Cst + (86400 + 3600) * kSecond).ok());
  calendar.clock_moved();
  EXPECT_EQ(events.size(), 2u);
  // Tuesday 12:00: after the 11:30 close.
  ASSERT_TRUE(clock.advance_to(kMay8At0930Cst + (86400 + 9000) * kSecond).ok());
  calendar.clock_moved();
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[2], CalendarEvent::Kind::kClose);
  calendar.stop();
  io.run_for(std::chrono::milliseconds(10));
}

// ---- Through a real carbonxd on a simulated clock (offbook_server.hpp) ----

using testing::OffBookServer;

json repo_event(const json& reply) {
  for (const auto& e : reply.at("events")) {
    if (e.at("event") == "repo") return e;
  }
  ADD_FAILURE() << "no repo event in " << reply.dump();
  return json::object();
}

std::string file_repo(OffBookServer& t, int repo_party, const std::string& end_date,
                      const std::function<json(const std::string&, const std::string&)>& ok) {
  (void)t;
  const json filed = ok("repo.file", json{{"repo_party", repo_party},
                                          {"reverse_party", 1001},
                                          {"symbol", "GDEA2017"},
                                          {"quantity_t", 100000},
                                          {"start_price_fen", 1420},
                                          {"repurchase_price_fen", 1430},
                                          {"end_date", end_date}}
                                         .dump());
  const json e = repo_event(filed);
  EXPECT_EQ(e.value("status", ""), "open") << filed.dump();
  EXPECT_GT(e.at("repo_party_fee").at("fee_fen").get<std::int64_t>(), 0) << "first leg: fees";
  return e.at("repo_id").dump();
}

// Monday 8 May 2017, two days before the repo fee waiver takes effect.
class ClockServer : public OffBookServer {
 protected:
  ClockServer() { clock_start_ = "2017-05-08T10:00:00+08:00"; }
  json clock() { return ok("clock.status", "{}"); }
  json advance(const std::string& to) { return ok("clock.advance", json{{"to", to}}.dump()); }
  std::function<json(const std::string&, const std::string&)> okf() {
    return [this](const std::string& v, const std::string& b) { return ok(v, b); };
  }
};

TEST_F(ClockServer, RepoFiledBeforeTheWaiverDateAndRepurchasedAfterItPaysNoFees) {
  seed();
  ok("cash.deposit", R"({"transfer_id":5,"account":1002,"amount_fen":200000000})");
  const json c = clock();
  EXPECT_EQ(c.at("mode"), "simulated");
  EXPECT_EQ(c.at("trading_date"), 20170508) << c.dump();
  const json st = ok("query.status", "{}");
  EXPECT_NE(st.at("clock").get<std::string>().find("simulated"), std::string::npos) << st.dump();

  // Two repos filed on Monday 8 May 2017, before the waiver (effective 10 May 2017).
  const std::string early = file_repo(*this, 1002, "2017-05-12", okf());
  const std::string held = file_repo(*this, 1003, "2017-05-12", okf());
  // One bought back early the same day: before the effective date, both fees are charged.
  const json back = repo_event(ok("repo.mature", "{\"repo_id\":" + early + "}"));
  EXPECT_EQ(back.value("status", ""), "repurchased");
  EXPECT_GT(back.at("repo_party_fee").at("fee_fen").get<std::int64_t>(), 0) << back.dump();
  EXPECT_GT(back.at("reverse_party_fee").at("fee_fen").get<std::int64_t>(), 0) << back.dump();
  EXPECT_EQ(back.at("repo_party_fee").at("waiver_rule_id"), 0);

  // Friday 12 May: the other matures at the end of the day, both fees waived by rule 1.
  const json moved = advance("2017-05-12T15:40:00+08:00");
  EXPECT_EQ(moved.at("trading_date"), 20170512) << moved.dump();
  ok("cash.deposit", R"({"transfer_id":6,"account":1003,"amount_fen":200000000})");
  const auto fees_before = balance(9000, "CNY");
  const json day_end = ok("repo.mature", "{}");
  const json m = repo_event(day_end);
  EXPECT_EQ(m.at("repo_id").dump(), held);
  EXPECT_EQ(m.value("status", ""), "repurchased") << day_end.dump();
  EXPECT_FALSE(m.at("early").get<bool>());
  for (const char* side : {"repo_party_fee", "reverse_party_fee"}) {
    EXPECT_EQ(m.at(side).at("fee_fen"), 0) << side << " " << m.dump();
    EXPECT_GT(m.at(side).at("waived_fen").get<std::int64_t>(), 0) << side;
    EXPECT_EQ(m.at(side).at("waiver_rule_id"), 1) << side;
  }
  EXPECT_EQ(balance(9000, "CNY"), fees_before) << "no fee reached the exchange's fee account";
  EXPECT_EQ(balance(1003, "GDEA2017"), (Balance{100000, 0})) << "units returned";
  EXPECT_TRUE(ok("query.status", "{}").at("ledger_invariants_ok").get<bool>());
}

std::string field(const wire::Fields& f, int tag) {
  return wire::get(f, tag).value_or("");
}

// The same over FIX: filed and confirmed by both members' sessions on 8 May 2017; on Friday
// 12 May (its end date) the end of day repurchases it and both sessions are told: fee 0.00,
// waived by rule 1.
TEST_F(ClockServer, RepoFiledOverFixBeforeTheWaiverDateMaturesAfterItWithFeesWaived) {
  seed();
  ok("cash.deposit", R"({"transfer_id":5,"account":1002,"amount_fen":200000000})");
  testing::FixClient repo_party("MEMBER2", fix_port_);
  testing::FixClient reverse("MEMBER1", fix_port_);
  ASSERT_TRUE(repo_party.logon("member2", "member2-pass"));
  ASSERT_TRUE(reverse.logon("member1", "member1-pass"));
  repo_party.send("AE", testing::repo_filing("20170512"));
  const auto ack = repo_party.expect("AR");
  ASSERT_TRUE(ack.has_value());
  ASSERT_EQ(field(*ack, 939), "0") << field(*ack, 58);
  const std::string id = field(*ack, 818);
  ASSERT_TRUE(reverse.expect("AE").has_value());  // alleged
  reverse.send(
      "AE",
      {{571, "CONF1"}, {856, "2"}, {167, "REPO"}, {572, id}, {552, "1"}, {54, "1"}, {1, "1001"}});
  for (auto* c : {&repo_party, &reverse}) {
    const auto first = c->expect("AE");
    ASSERT_TRUE(first.has_value());
    EXPECT_EQ(field(*first, 58), "open");
    EXPECT_EQ(field(*first, 12), "7100.00") << "first leg on 8 May: the normal fee";
  }
  const auto fees_before = balance(9000, "CNY");
  advance("2017-05-12T15:44:00+08:00");
  ok("day.end", "{}");
  for (auto* c : {&repo_party, &reverse}) {
    const auto done = c->expect("AE");
    ASSERT_TRUE(done.has_value());
    EXPECT_EQ(field(*done, 12), "0.00");
    EXPECT_NE(field(*done, 58).find("waived by rule 1"), std::string::npos) << field(*done, 58);
    EXPECT_NE(field(*done, 58).find("repurchased"), std::string::npos) << field(*done, 58);
  }
  EXPECT_EQ(balance(9000, "CNY"), fees_before) << "repurchase leg: no fee";
  EXPECT_EQ(balance(1002, "GDEA2017"), (Balance{300000, 0}));
  EXPECT_EQ(ok("repo.list", "{}").at("open").size(), 0u);
}

// The calendar follows the simulated clock: moved to 15:44:58 on the end date, its end of day
// fires at 15:45 (two seconds later) and matures the repo, which its party cannot pay: default.
class ClockCalendarServer : public ClockServer {
 protected:
  ClockCalendarServer() { calendar_ = true; }
};

TEST_F(ClockCalendarServer, RepoDefaultsAtMaturityWhenTheCalendarsEndOfDayFires) {
  seed();
  // The first leg pays 1003 1,420,000 CNY less its fee; with 1,000,000 CNY withdrawn it cannot
  // pay the repurchase (14.30 x 100,000 t = 1,430,000 CNY).
  const std::string id = file_repo(*this, 1003, "2017-05-10", okf());
  ok("cash.withdraw", R"({"transfer_id":7,"account":1003,"amount_fen":100000000})");
  auto phase = [&] { return ok("query.book", R"({"symbol":"GDEA2017"})").value("phase", ""); };
  EXPECT_EQ(phase(), "continuous");  // 10:00 on a Monday: open
  advance("2017-05-10T15:44:58+08:00");
  // The jump crossed the closes: the calendar sets the phase of the new time (closed).
  std::string now_phase;
  for (int i = 0; i < 200 && (now_phase = phase()) != "closed"; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(now_phase, "closed");
  json defaulted;
  for (int i = 0; i < 200; ++i) {  // up to 10 s for the calendar (2 s due)
    const json list = ok("repo.list", "{}");
    if (!list.at("defaulted").empty()) {
      defaulted = list.at("defaulted")[0];
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_FALSE(defaulted.is_null()) << "the end of day did not fire at the advanced time";
  EXPECT_EQ(defaulted.at("repo_id").dump(), id);
  EXPECT_EQ(defaulted.at("status"), "defaulted");
  EXPECT_GE(clock().at("now").get<std::string>(), "2017-05-10T15:45:00+08:00");
  EXPECT_TRUE(ok("query.status", "{}").at("ledger_invariants_ok").get<bool>());
}

TEST_F(ClockServer, AdvanceRefusalsChangeNothing) {
  seed();
  const json before = clock();
  auto [back_status, back] =
      call("clock.advance", json{{"to", "2017-05-01T10:00:00+08:00"}}.dump());
  EXPECT_EQ(back_status, 409);
  EXPECT_NE(back.at("error").get<std::string>().find("never goes back"), std::string::npos);
  auto [bad_status, bad] = call("clock.advance", R"({"to":"next friday"})");
  EXPECT_EQ(bad_status, 400) << bad.dump();
  auto [both_status, both] = call("clock.advance", R"({"to":"2017-06-01T10:00:00Z","seconds":5})");
  EXPECT_EQ(both_status, 400) << both.dump();
  auto [neg_status, neg] = call("clock.advance", R"({"seconds":-5})");
  EXPECT_EQ(neg_status, 400) << neg.dump();
  EXPECT_EQ(clock().at("trading_date"), before.at("trading_date"));
  const json day = ok("clock.advance", R"({"seconds":86400})");
  EXPECT_EQ(day.at("trading_date"), 20170509) << day.dump();
}

// After a SIGKILL the server continues from the advanced time (the journal's last stamp and the
// persisted advance), not from clock_start, also when clock_start is changed to an earlier
// time; stamps never go backwards.
TEST_F(ClockServer, RestartContinuesFromTheAdvancedTimeNeverEarlier) {
  seed();
  advance("2017-05-12T10:00:00+08:00");
  ok("cash.deposit", R"({"transfer_id":8,"account":1001,"amount_fen":100})");
  child_->kill(SIGKILL);
  start();
  const json c = clock();
  EXPECT_EQ(c.at("trading_date"), 20170512) << c.dump();
  EXPECT_GE(c.at("now").get<std::string>(), "2017-05-12T10:00:00+08:00");
  // Advanced again without a command after it: the persisted advance still holds at restart.
  advance("2017-05-15T10:00:00+08:00");
  child_->kill(SIGTERM);
  start();
  EXPECT_EQ(clock().at("trading_date"), 20170515);
  // A configuration naming an earlier clock_start does not take the clock back either.
  child_->kill(SIGTERM);
  std::string cfg;
  {
    std::ifstream in(dir_ / "carbonxd.toml");
    cfg.assign(std::istreambuf_iterator<char>(in), {});
  }
  const auto at = cfg.find(clock_start_);
  ASSERT_NE(at, std::string::npos);
  cfg.replace(at, clock_start_.size(), "2017-01-03T10:00:00+08:00");
  std::ofstream(dir_ / "carbonxd.toml") << cfg;
  start();
  EXPECT_EQ(clock().at("trading_date"), 20170515);
  std::ifstream log(dir_ / "carbonxd.log");
  const std::string text((std::istreambuf_iterator<char>(log)), {});
  EXPECT_NE(text.find("exchange clock: simulated"), std::string::npos) << text;
  EXPECT_NE(text.find("advanced by the operator from"), std::string::npos) << text;
}

}  // namespace
}  // namespace carbonx::gateway
