// carbonxd end to end over loopback: a real Server (ephemeral ports, temp data dir) and plain FIX
// initiators. Every test starts from an empty store. The server runs on a simulated exchange
// clock pinned to Monday 5 June 2017 10:00 China time, so the per-day rules (ClOrdID unique per
// session and day, also across restarts) never depend on the wall-clock date or China midnight.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <filesystem>

#include "carbonx/gateway/clock.hpp"
#include "carbonx/gateway/operator_token.hpp"
#include "carbonx/gateway/server.hpp"
#include "test_client.hpp"
#include "test_process.hpp"

namespace carbonx::gateway {
namespace {

using testing::FixClient;
using testing::operator_call;
namespace fs = std::filesystem;

constexpr const char* kToken = "test-token-12345";

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::fresh_test_dir("cx_server");
    std::string error;
    if (!fs::exists(dir_ / "data")) {
      ASSERT_TRUE(init_exchange(config(), &error)) << error;
    }
    start();
    setup_market();
  }
  void TearDown() override {
    if (server_) server_->stop();
    server_.reset();
    fs::remove_all(dir_);
  }

  ServerConfig config() const {
    ServerConfig c;
    c.data_dir = (dir_ / "data").string();
    c.fix_bind = "127.0.0.1";
    c.fix_port = 0;
    c.operator_port = 0;
    c.durability = DurabilityMode::kNoSync;        // tests: no fsync; the crash test uses full_sync
    c.password_hash = PasswordHashCost::kMinimum;  // tests: many logons
    c.instruments_path = fs::path(CARBONX_GATEWAY_CONFIG_DIR) / "instruments.toml";
    c.throttle_msgs_per_s = throttle_;
    c.schedule.enabled = false;
    c.clock_start_ns = parse_clock_time("2017-06-05T10:00:00+08:00");
    c.members = {MemberSeed{1, "MEMBER1", "member1", "member1-pass", true, {1001}},
                 MemberSeed{2, "MEMBER2", "member2", "member2-pass", false, {1002}}};
    return c;
  }

  void start() {
    ASSERT_TRUE(write_operator_token(config().data_dir, kToken).ok());
    std::string error;
    server_ = Server::create(config(), &error);
    ASSERT_NE(server_, nullptr) << error;
    ASSERT_TRUE(server_->start(&error)) << error;
  }

  void restart() {
    server_->stop();
    server_.reset();
    start();
  }

  std::pair<int, std::string> op(const std::string& verb, const std::string& body = "{}") {
    return operator_call(server_->operator_port(), kToken, verb, body);
  }

  void setup_market() {
    if (fs::exists(dir_ / "setup_done")) return;
    ASSERT_EQ(op("account.open", R"({"id":1001,"kind":"investment_institution","member":1})").first,
              200);
    ASSERT_EQ(op("account.open", R"({"id":1002,"kind":"control_emission_firm","member":2})").first,
              200);
    ASSERT_EQ(
        op("cash.deposit", R"({"transfer_id":1,"account":1001,"amount_fen":100000000})").first,
        200);
    ASSERT_EQ(op("units.issue",
                 R"({"transfer_id":2,"account":1002,"symbol":"GDEA2017","quantity_t":10000})")
                  .first,
              200);
    ASSERT_EQ(op("market.open").first, 200);
  }

  std::unique_ptr<FixClient> connect(const std::string& comp, const std::string& user,
                                     const std::string& pass) {
    auto c = std::make_unique<FixClient>(comp, server_->fix_port());
    EXPECT_TRUE(c->logon(user, pass)) << comp;
    return c;
  }

  static wire::Fields order(const std::string& clid, const std::string& account,
                            const std::string& side, const std::string& qty,
                            const std::string& price, const std::string& symbol = "GDEA2017") {
    return {{11, clid}, {1, account}, {55, symbol}, {54, side}, {60, wire::utc_now_text()},
            {38, qty},  {40, "2"},    {44, price}};
  }

  fs::path dir_;
  std::unique_ptr<Server> server_;
  std::uint32_t throttle_ = 10000;
};

std::string field(const std::optional<wire::Fields>& f, int tag) {
  if (!f) return "<no message>";
  return wire::get(*f, tag).value_or("<absent>");
}

TEST_F(ServerTest, OrderAckAndFillOnBothSessions) {
  auto buyer = connect("MEMBER1", "member1", "member1-pass");
  auto seller = connect("MEMBER2", "member2", "member2-pass");
  seller->send("D", order("S1", "1002", "2", "100", "14.20"));
  auto ack = seller->expect("8");
  EXPECT_EQ(field(ack, 150), "0");
  EXPECT_EQ(field(ack, 11), "S1");
  EXPECT_EQ(field(ack, 151), "100");
  buyer->send("D", order("B1", "1001", "1", "60", "14.25"));
  auto buy_ack = buyer->expect("8");
  EXPECT_EQ(field(buy_ack, 150), "0");
  auto buy_fill = buyer->expect("8");
  EXPECT_EQ(field(buy_fill, 150), "F");
  EXPECT_EQ(field(buy_fill, 31), "14.20");  // the resting order's price
  EXPECT_EQ(field(buy_fill, 32), "60");
  EXPECT_EQ(field(buy_fill, 39), "2");
  auto sell_fill = seller->expect("8");
  EXPECT_EQ(field(sell_fill, 150), "F");
  EXPECT_EQ(field(sell_fill, 39), "1");
  EXPECT_EQ(field(sell_fill, 151), "40");
  EXPECT_EQ(field(sell_fill, 14), "60");
  const auto [status, body] = op("query.status");
  EXPECT_EQ(status, 200);
  EXPECT_NE(body.find("\"ledger_invariants_ok\":true"), std::string::npos) << body;
}

TEST_F(ServerTest, BadLogonIsRefusedWithAReason) {
  FixClient c("MEMBER1", server_->fix_port());
  c.send("A", {{98, "0"}, {108, "30"}, {553, "member1"}, {554, "wrong-password"}});
  auto logout = c.expect("5");
  ASSERT_TRUE(logout.has_value());
  EXPECT_NE(field(logout, 58).find("bad username or password"), std::string::npos);
  FixClient u("NOBODY", server_->fix_port());
  u.send("A", {{98, "0"}, {108, "30"}, {553, "x"}, {554, "y"}});
  auto refused = u.expect("5");
  ASSERT_TRUE(refused.has_value());
  EXPECT_NE(field(refused, 58).find("NOBODY"), std::string::npos);
}

TEST_F(ServerTest, CancelReplaceStatusAndMassCancel) {
  auto m = connect("MEMBER2", "member2", "member2-pass");
  m->send("D", order("S1", "1002", "2", "100", "14.50"));
  ASSERT_EQ(field(m->expect("8"), 150), "0");
  m->send("G", {{41, "S1"},
                {11, "S1R"},
                {1, "1002"},
                {55, "GDEA2017"},
                {54, "2"},
                {60, wire::utc_now_text()},
                {38, "80"},
                {40, "2"},
                {44, "14.60"}});
  auto replaced = m->expect("8");
  EXPECT_EQ(field(replaced, 150), "5");
  EXPECT_EQ(field(replaced, 41), "S1");
  EXPECT_EQ(field(replaced, 44), "14.60");
  m->send("H", {{11, "S1R"}, {55, "GDEA2017"}, {54, "2"}});
  auto status = m->expect("8");
  EXPECT_EQ(field(status, 150), "I");
  EXPECT_EQ(field(status, 151), "80");
  m->send("F", {{41, "S1R"}, {11, "C1"}, {55, "GDEA2017"}, {54, "2"}, {60, wire::utc_now_text()}});
  auto cancelled = m->expect("8");
  EXPECT_EQ(field(cancelled, 150), "4");
  EXPECT_EQ(field(cancelled, 11), "C1");
  EXPECT_EQ(field(cancelled, 41), "S1R");
  m->send("F", {{41, "S1R"}, {11, "C2"}, {55, "GDEA2017"}, {54, "2"}, {60, wire::utc_now_text()}});
  auto reject = m->expect("9");
  EXPECT_EQ(field(reject, 102), "1");
  for (int i = 0; i < 3; ++i) {
    m->send("D", order("M" + std::to_string(i), "1002", "2", "10", "15.00"));
    ASSERT_EQ(field(m->expect("8"), 150), "0");
  }
  m->send("q", {{11, "MC1"}, {530, "7"}, {60, wire::utc_now_text()}});
  auto report = m->expect("r");
  EXPECT_EQ(field(report, 531), "7");
  EXPECT_EQ(field(report, 533), "3");
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(field(m->expect("8"), 150), "4");
}

TEST_F(ServerTest, DuplicateClOrdIdAndForeignAccountAreRejected) {
  auto m = connect("MEMBER2", "member2", "member2-pass");
  m->send("D", order("S1", "1002", "2", "10", "14.50"));
  ASSERT_EQ(field(m->expect("8"), 150), "0");
  m->send("D", order("S1", "1002", "2", "10", "14.50"));
  auto dup = m->expect("8");
  EXPECT_EQ(field(dup, 150), "8");
  EXPECT_EQ(field(dup, 103), "6");
  m->send("D", order("S2", "1001", "2", "10", "14.50"));
  auto foreign = m->expect("8");
  EXPECT_EQ(field(foreign, 150), "8");
  EXPECT_EQ(field(foreign, 103), "15");
  m->send("D", order("S3", "1002", "2", "10", "99.00"));  // outside the +-10% band
  auto band = m->expect("8");
  EXPECT_EQ(field(band, 150), "8");
  EXPECT_NE(field(band, 58).find("band"), std::string::npos) << field(band, 58);
}

// A garbled frame (here a wrong CheckSum) is ignored, the session goes on, and operators see the
// count in query.status.
TEST_F(ServerTest, GarbledFramesAreIgnoredAndCountedInQueryStatus) {
  auto m = connect("MEMBER2", "member2", "member2-pass");
  auto garbled = [&] {
    return nlohmann::json::parse(op("query.status").second).at("fix_garbled_messages").get<int>();
  };
  EXPECT_EQ(garbled(), 0);
  std::string bad = wire::encode("D", "MEMBER2", "CARBONX", m->next_seq(),
                                 order("G1", "1002", "2", "10", "14.50"), wire::utc_now_text());
  char& digit = bad[bad.size() - 2];  // "10=NNN<SOH>": the last CheckSum digit
  digit = digit == '0' ? '1' : '0';
  m->send_raw(bad);
  m->send("D", order("G2", "1002", "2", "10", "14.50"));  // its seq: the garbled one took none
  EXPECT_EQ(field(m->expect("8"), 11), "G2");
  EXPECT_EQ(garbled(), 1);
}

// A replace the core refuses (here: outside the band) leaves the order live: the
// OrderCancelReject names it by its OrderID and its current OrdStatus (partially filled after a
// fill), as FIX 4.4 asks, not OrderID "NONE" and status Rejected.
TEST_F(ServerTest, RefusedReplaceNamesTheLiveOrderAndItsStatus) {
  auto seller = connect("MEMBER2", "member2", "member2-pass");
  auto buyer = connect("MEMBER1", "member1", "member1-pass");
  seller->send("D", order("L1", "1002", "2", "100", "14.50"));
  auto ack = seller->expect("8");
  ASSERT_EQ(field(ack, 150), "0");
  const std::string order_id = field(ack, 37);
  buyer->send("D", order("B1", "1001", "1", "30", "14.50"));
  ASSERT_EQ(field(buyer->expect("8"), 150), "0");
  ASSERT_EQ(field(buyer->expect("8"), 150), "F");
  ASSERT_EQ(field(seller->expect("8"), 150), "F");
  seller->send("G", {{41, "L1"},
                     {11, "L1R"},
                     {1, "1002"},
                     {55, "GDEA2017"},
                     {54, "2"},
                     {60, wire::utc_now_text()},
                     {38, "70"},
                     {40, "2"},
                     {44, "99.00"}});  // outside the +-10% band
  auto refused = seller->expect("9");
  EXPECT_EQ(field(refused, 37), order_id);
  EXPECT_EQ(field(refused, 39), "1");  // partially filled: 30 of 100
  EXPECT_EQ(field(refused, 434), "2");
  EXPECT_EQ(field(refused, 41), "L1");
  EXPECT_NE(field(refused, 58).find("band"), std::string::npos) << field(refused, 58);
  // It is still there: a status request answers with 70 t open.
  seller->send("H", {{11, "L1"}, {55, "GDEA2017"}, {54, "2"}});
  auto status = seller->expect("8");
  EXPECT_EQ(field(status, 150), "I");
  EXPECT_EQ(field(status, 151), "70");
}

}  // namespace
}  // namespace carbonx::gateway

namespace carbonx::gateway {
namespace {

TEST_F(ServerTest, MarketDataSnapshotAndIncrements) {
  auto seller = connect("MEMBER2", "member2", "member2-pass");
  auto buyer = connect("MEMBER1", "member1", "member1-pass");
  seller->send("D", order("S1", "1002", "2", "100", "14.30"));
  ASSERT_EQ(field(seller->expect("8"), 150), "0");
  buyer->send("V", {{262, "MD1"},
                    {263, "1"},
                    {264, "5"},
                    {265, "1"},
                    {267, "3"},
                    {269, "0"},
                    {269, "1"},
                    {269, "2"},
                    {146, "1"},
                    {55, "GDEA2017"}});
  auto snap = buyer->expect("W");
  ASSERT_TRUE(snap.has_value());
  EXPECT_EQ(field(snap, 262), "MD1");
  EXPECT_EQ(field(snap, 268), "1");
  EXPECT_EQ(field(snap, 269), "1");
  EXPECT_EQ(field(snap, 270), "14.30");
  EXPECT_EQ(field(snap, 271), "100");
  seller->send("D", order("S2", "1002", "2", "50", "14.40"));
  auto inc = buyer->expect("X");
  ASSERT_TRUE(inc.has_value());
  EXPECT_EQ(field(inc, 270), "14.40");
  EXPECT_EQ(field(inc, 271), "50");
  buyer->send("D", order("B1", "1001", "1", "30", "14.30"));
  auto trade_inc = buyer->expect("X");  // the level shrinks and a trade prints
  ASSERT_TRUE(trade_inc.has_value());
  bool saw_trade = false;
  bool saw_level = false;
  for (const auto& [tag, value] : *trade_inc) {
    saw_trade = saw_trade || (tag == 269 && value == "2");
    saw_level = saw_level || (tag == 271 && value == "70");
  }
  EXPECT_TRUE(saw_trade);
  EXPECT_TRUE(saw_level);
  buyer->send(
      "V",
      {{262, "MD1"}, {263, "2"}, {264, "0"}, {267, "1"}, {269, "0"}, {146, "1"}, {55, "GDEA2017"}});
  seller->send("D", order("S3", "1002", "2", "5", "14.50"));
  ASSERT_EQ(field(seller->expect("8"), 150), "0");
  EXPECT_FALSE(buyer->expect("X", 300).has_value()) << "unsubscribed";
}

TEST_F(ServerTest, SecurityListAndPositions) {
  auto m = connect("MEMBER2", "member2", "member2-pass");
  m->send("x", {{320, "SL1"}, {559, "4"}});
  auto list = m->expect("y");
  ASSERT_TRUE(list.has_value());
  EXPECT_EQ(field(list, 146), "2");
  EXPECT_EQ(field(list, 55), "GDEA2017");
  m->send("D", order("S1", "1002", "2", "100", "14.30"));
  ASSERT_EQ(field(m->expect("8"), 150), "0");
  m->send("AN", {{710, "P1"}, {724, "0"}, {1, "1002"}, {60, wire::utc_now_text()}});
  auto ack = m->expect("AO");
  ASSERT_TRUE(ack.has_value());
  EXPECT_EQ(field(ack, 728), "0");
  auto pos = m->expect("AP");
  ASSERT_TRUE(pos.has_value());
  EXPECT_EQ(field(pos, 55), "GDEA2017");
  // Standard FIX 4.4 PositionQty entries (no custom tags): total, available, frozen.
  std::vector<std::pair<std::string, std::string>> quantities;
  std::string pos_type;
  for (const auto& [tag, value] : *pos) {
    if (tag == 703) pos_type = value;
    if (tag == 704) quantities.emplace_back(pos_type, value);
  }
  EXPECT_EQ(field(pos, 702), "3");
  EXPECT_EQ(quantities, (std::vector<std::pair<std::string, std::string>>{
                            {"TOT", "10000"}, {"TQ", "9900"}, {"DLV", "100"}}));
  EXPECT_EQ(field(pos, 730), "14.20");  // SettlPrice: the reference price
  EXPECT_EQ(field(pos, 731), "1");
  m->send("AN", {{710, "P2"}, {724, "0"}, {1, "1001"}, {60, wire::utc_now_text()}});
  EXPECT_EQ(field(m->expect("AO"), 728), "3");  // not this member's account
}

TEST_F(ServerTest, CancelOnDisconnectPerMember) {
  {
    auto m1 = connect("MEMBER1", "member1", "member1-pass");  // cancel_on_disconnect = true
    m1->send("D", order("B1", "1001", "1", "10", "14.00"));
    ASSERT_EQ(field(m1->expect("8"), 150), "0");
    auto m2 = connect("MEMBER2", "member2", "member2-pass");  // false
    m2->send("D", order("S1", "1002", "2", "10", "15.00"));
    ASSERT_EQ(field(m2->expect("8"), 150), "0");
    m1->close();
    m2->close();
  }
  // Wait for the disconnects to be applied, then look at the book.
  std::string body;
  for (int i = 0; i < 50; ++i) {
    body = op("query.book", R"({"symbol":"GDEA2017"})").second;
    if (body.find("\"orders\":1") != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_NE(body.find("\"orders\":1"), std::string::npos) << body;
  EXPECT_NE(body.find("\"side\":\"ask\""), std::string::npos) << body;
  EXPECT_EQ(body.find("\"side\":\"bid\""), std::string::npos) << body;
}

TEST_F(ServerTest, ThrottleRejectsTheExcess) {
  server_->stop();
  server_.reset();
  throttle_ = 5;
  start();
  auto m = connect("MEMBER2", "member2", "member2-pass");
  for (int i = 0; i < 8; ++i)
    m->send("H", {{11, "X" + std::to_string(i)}, {55, "GDEA2017"}, {54, "2"}});
  int status_reports = 0;
  int throttled = 0;
  for (int i = 0; i < 8; ++i) {
    if (auto r = m->expect("8", 2000)) ++status_reports;
  }
  while (auto j = m->expect("j", 300)) {
    if (field(j, 380) == "8") ++throttled;
  }
  // Within one second at most 5 pass; the rest are refused (the window may roll over once).
  EXPECT_GE(throttled, 1);
  EXPECT_EQ(status_reports + throttled, 8);
}

TEST_F(ServerTest, RestartContinuesAndResendsAcrossIt) {
  auto m = connect("MEMBER2", "member2", "member2-pass");
  m->send("D", order("S1", "1002", "2", "100", "14.30"));
  auto ack = m->expect("8");
  ASSERT_EQ(field(ack, 150), "0");
  const std::string order_id = field(ack, 37);
  const int ack_seq = std::stoi(field(ack, 34));
  const auto before = op("query.status").second;
  m->close();
  restart();
  const auto after = op("query.status").second;
  auto hash = [](const std::string& s) { return s.substr(s.find("core_state_hash")); };
  EXPECT_EQ(hash(before).substr(0, 40), hash(after).substr(0, 40)) << before << after;
  // A new connection: ask for everything again from the ack on; the ack is resent (PossDup).
  FixClient again("MEMBER2", server_->fix_port());
  again.set_next_seq(m->next_seq());
  ASSERT_TRUE(again.logon("member2", "member2-pass"));
  again.send("2", {{7, std::to_string(ack_seq)}, {16, "0"}});
  auto resent = again.expect("8");
  ASSERT_TRUE(resent.has_value());
  EXPECT_EQ(field(resent, 43), "Y");
  EXPECT_EQ(field(resent, 37), order_id);
  // The order survived the restart: cancel it by its ClOrdID.
  again.send("F",
             {{41, "S1"}, {11, "C1"}, {55, "GDEA2017"}, {54, "2"}, {60, wire::utc_now_text()}});
  auto cancelled = again.expect("8");
  EXPECT_EQ(field(cancelled, 150), "4");
  EXPECT_EQ(field(cancelled, 37), order_id);
  // ClOrdID stays unique for the day across restarts, also for orders no longer open.
  again.close();
  restart();
  FixClient third("MEMBER2", server_->fix_port());
  ASSERT_TRUE(third.logon("member2", "member2-pass", /*reset=*/true));
  third.send("D", order("S1", "1002", "2", "10", "14.30"));
  auto dup = third.expect("8");
  EXPECT_EQ(field(dup, 150), "8");
  EXPECT_EQ(field(dup, 103), "6");
}

}  // namespace
}  // namespace carbonx::gateway

namespace carbonx::gateway {
namespace {

TEST_F(ServerTest, OperatorApiNeedsTheTokenAndHaltsOneInstrument) {
  const auto refused =
      operator_call(server_->operator_port(), "wrong-token-1", "market.halt", "{}");
  EXPECT_EQ(refused.first, 401);
  EXPECT_EQ(op("no.such.verb").first, 404);
  EXPECT_EQ(op("market.halt", R"({"symbol":"NOPE"})").first, 404);
  // An unknown symbol is 404 in every verb that names one, and changes nothing: the transfer id
  // it named is still free for the units.issue below.
  EXPECT_EQ(
      op("units.issue", R"({"transfer_id":3,"account":1002,"symbol":"NOPE","quantity_t":100})")
          .first,
      404);
  EXPECT_EQ(
      op("auction.open",
         R"({"seller":1002,"symbol":"NOPE","quantity_t":100,"reserve_fen":1000,"duration_s":60})")
          .first,
      404);
  const auto surrender =
      op("surrender",
         R"({"firm_account":1002,"year":2017,"legs":[{"symbol":"NOPE","quantity_t":1}]})");
  EXPECT_EQ(surrender.first, 404);
  EXPECT_NE(surrender.second.find("unknown symbol NOPE"), std::string::npos) << surrender.second;
  EXPECT_EQ(op("cash.deposit", R"({"account":1001})").first, 400);  // missing fields
  ASSERT_EQ(
      op("units.issue", R"({"transfer_id":3,"account":1002,"symbol":"GDEA2018","quantity_t":100})")
          .first,
      200);
  ASSERT_EQ(op("market.halt", R"({"symbol":"GDEA2017"})").first, 200);
  auto m = connect("MEMBER2", "member2", "member2-pass");
  m->send("D", order("S1", "1002", "2", "10", "14.50"));
  auto halted = m->expect("8");
  EXPECT_EQ(field(halted, 150), "8");
  EXPECT_EQ(field(halted, 103), "2");
  m->send("D", order("S2", "1002", "2", "10", "15.00", "GDEA2018"));  // the other one trades
  EXPECT_EQ(field(m->expect("8"), 150), "0");
  ASSERT_EQ(op("market.resume", R"({"symbol":"GDEA2017"})").first, 200);
  m->send("D", order("S1", "1002", "2", "10", "14.50"));  // a rejected ClOrdID may be reused
  EXPECT_EQ(field(m->expect("8"), 150), "0");
}

TEST_F(ServerTest, ClickTakesTheBestOfferAndUnsupportedMessagesGetABusinessReject) {
  auto seller = connect("MEMBER2", "member2", "member2-pass");
  auto buyer = connect("MEMBER1", "member1", "member1-pass");
  seller->send("D", order("S1", "1002", "2", "5", "14.30"));
  ASSERT_EQ(field(seller->expect("8"), 150), "0");
  seller->send("D", order("S2", "1002", "2", "5", "14.25"));
  ASSERT_EQ(field(seller->expect("8"), 150), "0");
  buyer->send("D", {{11, "C1"},
                    {1, "1001"},
                    {55, "GDEA2017"},
                    {54, "1"},
                    {60, wire::utc_now_text()},
                    {38, "8"},
                    {40, "1"},
                    {59, "3"}});
  EXPECT_EQ(field(buyer->expect("8"), 150), "0");
  auto fill = buyer->expect("8");
  EXPECT_EQ(field(fill, 150), "F");
  EXPECT_EQ(field(fill, 31), "14.25");  // the best offer, at its price
  EXPECT_EQ(field(fill, 32), "5");
  // The trade id is in SecondaryExecID(527), the same on the seller's fill; never TrdMatchID(880),
  // which FIX 4.4 does not define on an ExecutionReport (a validating stock engine refuses it).
  EXPECT_NE(field(fill, 527), "<absent>");
  EXPECT_EQ(field(fill, 880), "<absent>");
  auto rest = buyer->expect("8");  // the click is IOC: the rest is cancelled
  EXPECT_EQ(field(rest, 150), "4");
  EXPECT_EQ(field(rest, 14), "5");
  auto seller_fill = seller->expect("8");
  EXPECT_EQ(field(seller_fill, 150), "F");
  EXPECT_EQ(field(seller_fill, 11), "S2");
  EXPECT_EQ(field(seller_fill, 527), field(fill, 527));
  EXPECT_EQ(field(seller_fill, 880), "<absent>");
  buyer->send("E", {});  // NewOrderList: valid FIX 4.4, not supported here
  auto bmr = buyer->expect("j");
  EXPECT_EQ(field(bmr, 380), "3");
  EXPECT_EQ(field(bmr, 372), "E");
  // With a body, as a stock engine sends them: still a BusinessMessageReject 380=3, never a
  // session Reject for the body's tags (a Quote's tags are not in carbonx's dictionary; an
  // OrderMassStatusRequest has a group; an ExecutionReport is a message only the exchange sends).
  const std::vector<std::pair<std::string, wire::Fields>> unsupported = {
      {"S", {{117, "Q1"}, {55, "GDEA2017"}, {132, "14.20"}, {133, "14.40"}}},
      {"AF", {{584, "MS1"}, {585, "7"}, {453, "1"}, {448, "T1"}, {447, "D"}, {452, "11"}}},
      {"8",
       {{37, "1"},
        {17, "X1"},
        {150, "0"},
        {39, "0"},
        {55, "GDEA2017"},
        {54, "1"},
        {151, "1"},
        {14, "0"},
        {6, "0"}}}};
  for (const auto& [type, body] : unsupported) {
    const int seq = buyer->next_seq();
    buyer->send(type, body);
    auto j = buyer->expect("j");
    EXPECT_EQ(field(j, 380), "3") << type;
    EXPECT_EQ(field(j, 372), type);
    EXPECT_EQ(field(j, 45), std::to_string(seq)) << type;
  }
  // Not FIX 4.4 at all: the session's Reject, Invalid MsgType.
  buyer->send("ZZ", {{58, "x"}});
  auto reject = buyer->expect("3");
  EXPECT_EQ(field(reject, 373), "11");
  // The session went on in sequence: an order is still taken.
  buyer->send("D", order("B9", "1001", "1", "1", "14.00"));
  EXPECT_EQ(field(buyer->expect("8"), 150), "0");
}

}  // namespace
}  // namespace carbonx::gateway

namespace carbonx::gateway {
namespace {

TEST_F(ServerTest, EndOfDayExpiresDayOrdersAndClosesTheMarket) {
  auto m = connect("MEMBER2", "member2", "member2-pass");
  m->send("D", order("S1", "1002", "2", "10", "14.50"));
  ASSERT_EQ(field(m->expect("8"), 150), "0");
  ASSERT_EQ(op("day.end").first, 200);
  auto expired = m->expect("8");
  EXPECT_EQ(field(expired, 150), "C");
  EXPECT_EQ(field(expired, 39), "C");
  EXPECT_EQ(field(expired, 11), "S1");
  m->send("D", order("S2", "1002", "2", "10", "14.50"));
  auto closed = m->expect("8");
  EXPECT_EQ(field(closed, 150), "8");
  EXPECT_EQ(field(closed, 103), "2");
  const auto balances = op("query.balances", R"({"account":1002})").second;
  EXPECT_NE(balances.find(R"("asset":"GDEA2017","available":10000,"frozen":0)"), std::string::npos)
      << balances;
}

}  // namespace
}  // namespace carbonx::gateway
