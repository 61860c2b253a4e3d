// A restart keeps the market as it was (issue 11): carbonxd as a child process, orders replaced
// to a worse place in their queue (a new price; more quantity at the same price), then a clean
// stop (SIGTERM) or a crash (SIGKILL) and a restart on the same data directory. An incoming buy
// must meet the orders in the queue order they had before the restart, and `cxctl journal
// verify` (a replay of the journal from genesis) must find the live core's state hash.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <thread>

#include "carbonx/engine/core_records.hpp"
#include "carbonx/gateway/operator_token.hpp"
#include "carbonxd_child.hpp"
#include "test_client.hpp"
#include "test_process.hpp"

namespace carbonx::gateway {
namespace {

namespace fs = std::filesystem;
using testing::CarbonxdChild;
using testing::FixClient;
using testing::free_port;
using testing::operator_call;
using testing::wait_for_port;
constexpr const char* kToken = "restart-priority-token";

std::string field(const std::optional<wire::Fields>& f, int tag) {
  if (!f) return "<no message>";
  return wire::get(*f, tag).value_or("<absent>");
}

class RestartPriorityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("cx_restart_prio_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    fix_port_ = free_port();
    op_port_ = free_port();
    std::ofstream cfg(config_path());
    cfg << "[server]\npassword_hash = \"minimum\"\ndata_dir = \"" << (dir_ / "data").string()
        << "\"\nfix_bind = \"127.0.0.1\"\n"
        << "fix_port = " << fix_port_ << "\noperator_port = " << op_port_
        << "\ndurability = \"full_sync\"\n"
        << "fix_store = \"file\"\ninstruments = \"" << CARBONX_GATEWAY_CONFIG_DIR
        << "/instruments.toml\"\n[schedule]\nenabled = false\n"
        << "[[member]]\nid = 1\ncomp_id = \"MEMBER1\"\nusername = \"member1\"\npassword = "
        << "\"member1-pass\"\ncancel_on_disconnect = false\naccounts = [1001]\n"
        << "[[member]]\nid = 2\ncomp_id = \"MEMBER2\"\nusername = \"member2\"\npassword = "
        << "\"member2-pass\"\ncancel_on_disconnect = false\naccounts = [1002]\n";
    cfg.close();
    ASSERT_EQ(testing::init_exchange(config_path(), dir_ / "carbonxd.log"), 0);
    ASSERT_TRUE(write_operator_token((dir_ / "data").string(), kToken).ok());
  }
  void TearDown() override {
    child_.reset();
    fs::remove_all(dir_);
  }
  fs::path config_path() const { return dir_ / "carbonxd.toml"; }

  void start() {
    child_ = std::make_unique<CarbonxdChild>(config_path(), dir_ / "carbonxd.log");
    ASSERT_TRUE(wait_for_port(op_port_));
    ASSERT_TRUE(wait_for_port(fix_port_));
  }
  std::pair<int, std::string> op(const std::string& verb, const std::string& body = "{}") {
    return operator_call(op_port_, kToken, verb, body);
  }
  nlohmann::json status() { return nlohmann::json::parse(op("query.status").second); }

  // `cxctl journal verify` against the running server; true when the replay's core hash equals
  // the server's (the other checks, chain and ledger, make cxctl fail otherwise).
  bool journal_verify_equal(std::string* output) {
    return testing::journal_verify_equal(CXCTL_PATH, config_path(), output);
  }

  // Sends a limit order and returns its OrderID (tag 37) from the acknowledgement.
  static std::string sell(FixClient& c, const std::string& clid, const std::string& qty,
                          const std::string& price) {
    c.send("D", {{11, clid},
                 {1, "1002"},
                 {55, "GDEA2017"},
                 {54, "2"},
                 {60, wire::utc_now_text()},
                 {38, qty},
                 {40, "2"},
                 {44, price}});
    const auto ack = c.expect("8");
    EXPECT_EQ(field(ack, 150), "0") << clid;
    return field(ack, 37);
  }
  static void replace(FixClient& c, const std::string& orig, const std::string& clid,
                      const std::string& qty, const std::string& price) {
    c.send("G", {{41, orig},
                 {11, clid},
                 {1, "1002"},
                 {55, "GDEA2017"},
                 {54, "2"},
                 {60, wire::utc_now_text()},
                 {38, qty},
                 {40, "2"},
                 {44, price}});
    EXPECT_EQ(field(c.expect("8"), 150), "5") << clid;
  }
  // An IOC buy; returns the OrderID of the resting order it traded with (the seller's report).
  static std::string buy_ioc(FixClient& buyer, FixClient& seller, const std::string& clid,
                             const std::string& qty, const std::string& price) {
    buyer.send("D", {{11, clid},
                     {1, "1001"},
                     {55, "GDEA2017"},
                     {54, "1"},
                     {60, wire::utc_now_text()},
                     {38, qty},
                     {40, "2"},
                     {44, price},
                     {59, "3"}});
    for (auto m = seller.expect("8"); m; m = seller.expect("8")) {
      if (field(m, 150) == "F") {
        EXPECT_EQ(field(m, 32), qty) << clid << ": one fill of the whole quantity";
        return field(m, 37);
      }
    }
    return "<no fill>";
  }

  // Sells, replaces of the sell sent just before (price up, price down, more quantity, less
  // quantity), and IOC buys, without waiting for replies, until the server dies (or 3,000 sells).
  static void replace_flow(FixClient& seller, FixClient& buyer, const std::string& p) {
    try {
      for (int i = 0; i < 3000; ++i) {
        const std::string price = i % 2 == 0 ? "14.20" : "14.21";
        seller.send("D", {{11, p + "S" + std::to_string(i)},
                          {1, "1002"},
                          {55, "GDEA2017"},
                          {54, "2"},
                          {60, wire::utc_now_text()},
                          {38, "10"},
                          {40, "2"},
                          {44, price}});
        static const char* const kTerms[4][2] = {
            {"10", "14.22"}, {"10", "14.19"}, {"25", "14.20"}, {"5", "14.21"}};
        const auto& t = kTerms[i % 4];
        seller.send("G", {{41, p + "S" + std::to_string(i)},
                          {11, p + "R" + std::to_string(i)},
                          {1, "1002"},
                          {55, "GDEA2017"},
                          {54, "2"},
                          {60, wire::utc_now_text()},
                          {38, t[0]},
                          {40, "2"},
                          {44, t[1]}});
        if (i % 3 == 2) {
          buyer.send("D", {{11, p + "B" + std::to_string(i)},
                           {1, "1001"},
                           {55, "GDEA2017"},
                           {54, "1"},
                           {60, wire::utc_now_text()},
                           {38, "17"},
                           {40, "2"},
                           {44, "14.21"},
                           {59, "3"}});
        }
      }
    } catch (const std::exception&) {  // the server died under us: expected
    }
  }

  // One round: two levels where the first order was replaced behind the second, a stop by
  // `signal`, a restart, the replay check, then buys that must meet the second order first.
  void round(char tag, int signal) {
    const std::string t(1, tag);
    std::string a, b, c, d;
    {
      FixClient seller("MEMBER2", fix_port_);
      ASSERT_TRUE(seller.logon("member2", "member2-pass", /*reset=*/true));
      a = sell(seller, t + "A", "10", "14.30");
      b = sell(seller, t + "B", "10", "14.31");
      replace(seller, t + "A", t + "AR", "10", "14.31");  // A is now behind B
      c = sell(seller, t + "C", "10", "14.40");
      d = sell(seller, t + "D", "10", "14.40");
      replace(seller, t + "C", t + "CR", "20", "14.40");  // more quantity: C behind D
    }
    const auto before = status();
    const int st = child_->kill(signal);
    if (signal == SIGTERM) {
      EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0) << st;
    }
    start();
    const auto after = status();
    EXPECT_EQ(after.at("applied_seq"), before.at("applied_seq"));
    EXPECT_EQ(after.at("core_state_hash"), before.at("core_state_hash")) << "restart moved it";
    std::string verify;
    EXPECT_TRUE(journal_verify_equal(&verify)) << verify;
    FixClient seller("MEMBER2", fix_port_);
    FixClient buyer("MEMBER1", fix_port_);
    ASSERT_TRUE(seller.logon("member2", "member2-pass", /*reset=*/true));
    ASSERT_TRUE(buyer.logon("member1", "member1-pass", /*reset=*/true));
    EXPECT_EQ(buy_ioc(buyer, seller, t + "X1", "10", "14.31"), b) << "the buy must fill B, not A";
    EXPECT_EQ(buy_ioc(buyer, seller, t + "X2", "10", "14.31"), a);
    EXPECT_EQ(buy_ioc(buyer, seller, t + "X3", "10", "14.40"), d) << "the buy must fill D, not C";
    EXPECT_EQ(buy_ioc(buyer, seller, t + "X4", "20", "14.40"), c);
    std::string verify_after;
    EXPECT_TRUE(journal_verify_equal(&verify_after)) << verify_after;
  }

  fs::path dir_;
  std::uint16_t fix_port_ = 0;
  std::uint16_t op_port_ = 0;
  std::unique_ptr<CarbonxdChild> child_;
};

TEST_F(RestartPriorityTest, ReplacedOrdersKeepTheirPlaceAcrossSigtermAndSigkill) {
  start();
  for (const char* verb_body :
       {R"(account.open|{"id":1001,"kind":"investment_institution","member":1})",
        R"(account.open|{"id":1002,"kind":"control_emission_firm","member":2})",
        R"(cash.deposit|{"transfer_id":1,"account":1001,"amount_fen":100000000})",
        R"(units.issue|{"transfer_id":2,"account":1002,"symbol":"GDEA2017","quantity_t":10000})",
        R"(market.open|{})"}) {
    const std::string s(verb_body);
    const auto bar = s.find('|');
    ASSERT_EQ(op(s.substr(0, bar), s.substr(bar + 1)).first, 200) << s;
  }
  round('T', SIGTERM);
  round('K', SIGKILL);
}

// The open-order record: version 3 round-trips priority_seq and OrigClOrdID; version 2 (written
// before OrigClOrdID) decodes with it empty, version 1 (before priority_seq) with priority_seq =
// entry_seq; other versions and sizes are refused.
TEST(OpenOrderRecordCodec, VersionThreeCarriesOrigClOrdIdAndOlderVersionsStillDecode) {
  OpenOrderRecord r;
  r.order_id = OrderId(77);
  r.instrument = InstrumentId(1);
  r.account = AccountId(1002);
  r.member = MemberId(2);
  r.side = Side::kSell;
  r.price_fen = PriceFen(1431);
  r.leaves_t = QuantityT(10);
  r.hold_amount = 10;
  r.client_order_id = make_client_order_id("AR");
  r.entry_seq = Seq(40);
  r.entry_ts = TimestampNs(123);
  r.priority_seq = Seq(45);
  const ClientOrderId orig = make_client_order_id("A0123456789abcde");  // the full 16 bytes
  const std::vector<std::uint8_t> v3 = encode_open_order(r, orig);
  ASSERT_EQ(v3.size(), kOpenOrderBytes);
  EXPECT_EQ(v3[4], 3);
  ASSERT_TRUE(decode_open_order(v3).ok());
  EXPECT_EQ(decode_open_order(v3).value(), (StoredOpenOrder{r, orig}));
  EXPECT_EQ(view(decode_open_order(v3).value().orig_client_order_id), "A0123456789abcde");
  EXPECT_EQ(view(decode_open_order(encode_open_order(r)).value().orig_client_order_id), "");
  // Version 2: the same bytes without OrigClOrdID.
  std::vector<std::uint8_t> v2(v3.begin(), v3.begin() + kOpenOrderBytesV2);
  v2[4] = 2;
  ASSERT_TRUE(decode_open_order(v2).ok());
  EXPECT_EQ(decode_open_order(v2).value(), (StoredOpenOrder{r, ClientOrderId{}}));
  // Version 1: without priority_seq either.
  std::vector<std::uint8_t> v1(v3.begin(), v3.begin() + kOpenOrderBytesV1);
  v1[4] = 1;
  ASSERT_TRUE(decode_open_order(v1).ok());
  EXPECT_EQ(decode_open_order(v1).value().order.priority_seq, Seq(40));
  EXPECT_EQ(decode_open_order(v1).value().order.client_order_id, r.client_order_id);
  std::vector<std::uint8_t> v4 = v3;
  v4[4] = 4;
  EXPECT_EQ(decode_open_order(v4).error(), RecordError::kWrongVersion);
  v4[4] = 0;
  EXPECT_EQ(decode_open_order(v4).error(), RecordError::kWrongVersion);
  v1.push_back(0);
  EXPECT_EQ(decode_open_order(v1).error(), RecordError::kWrongSize);
  v2[4] = 3;  // version 3 in 109 bytes
  EXPECT_EQ(decode_open_order(v2).error(), RecordError::kWrongSize);
  r.priority_seq = Seq(39);  // a place before its entry
  EXPECT_EQ(decode_open_order(encode_open_order(r)).error(), RecordError::kBadField);
}

// SIGKILL under a flow of new orders, replaces (price up and down, quantity up and down) and
// IOC buys, restart, and the replay of the journal must give the live core's hash each time.
TEST_F(RestartPriorityTest, SigkillLoopWithReplacesInFlightReplaysEqual) {
  start();
  for (const char* verb_body :
       {R"(account.open|{"id":1001,"kind":"investment_institution","member":1})",
        R"(account.open|{"id":1002,"kind":"control_emission_firm","member":2})",
        R"(cash.deposit|{"transfer_id":1,"account":1001,"amount_fen":10000000000})",
        R"(units.issue|{"transfer_id":2,"account":1002,"symbol":"GDEA2017","quantity_t":1000000})",
        R"(market.open|{})"}) {
    const std::string s(verb_body);
    const auto bar = s.find('|');
    ASSERT_EQ(op(s.substr(0, bar), s.substr(bar + 1)).first, 200) << s;
  }
  constexpr int kKills = 5;
  for (int k = 0; k < kKills; ++k) {
    const std::string p = "k" + std::to_string(k) + "_";
    const std::uint64_t from = status().at("applied_seq").get<std::uint64_t>();
    {
      FixClient seller("MEMBER2", fix_port_);
      FixClient buyer("MEMBER1", fix_port_);
      ASSERT_TRUE(seller.logon("member2", "member2-pass", /*reset=*/true));
      ASSERT_TRUE(buyer.logon("member1", "member1-pass", /*reset=*/true));
      std::thread flow([&] { replace_flow(seller, buyer, p); });
      // Kill once the flow is well under way (commands committed), however slow the machine.
      for (int i = 0; i < 2000; ++i) {
        if (status().at("applied_seq").get<std::uint64_t>() >= from + 300) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
      child_->kill(SIGKILL);
      flow.join();
    }
    start();
    const auto st = status();
    EXPECT_TRUE(st.at("ledger_invariants_ok").get<bool>()) << st.dump();
    std::string verify;
    EXPECT_TRUE(journal_verify_equal(&verify)) << "after kill " << k << ":\n" << verify;
    std::printf("sigkill loop: kill %d at seq %llu, replay verify %s\n", k,
                static_cast<unsigned long long>(st.at("applied_seq").get<std::uint64_t>()),
                verify.find(": equal") != std::string::npos ? "equal" : "DIFFERENT");
  }
}

}  // namespace
}  // namespace carbonx::gateway
