// Full storage (issue #14): when the store cannot commit a batch (its configured size reached,
// the disk full) or the FIX session store cannot write, orders are refused with "exchange
// storage full", queries are still answered, sessions stay up, one line is logged and the
// operator sees an alarm in query.status; nothing acknowledged is lost, and when space returns
// the exchange goes on without a restart.
//
// The real paths: LMDB's MDB_MAP_FULL at a small [server] store_max_mb, and the file size limit
// (RLIMIT_FSIZE, set on the running carbonxd with prlimit: writes past it fail with EFBIG, as
// on a full disk, and raising it again is space returning) for the LMDB store and for the FIX
// session logs. In process, the driver's roll back to the last commit is checked hash for hash.
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "carbonx/gateway/fix_wire.hpp"
#include "carbonx/gateway/operator_token.hpp"
#include "carbonx/verbs/verbs.hpp"
#include "carbonxd_child.hpp"
#include "exchange_path.hpp"
#include "test_client.hpp"
#include "test_process.hpp"

namespace carbonx::gateway {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;
using testing::CarbonxdChild;
using testing::FixClient;
using testing::free_port;
using testing::operator_call;
using testing::wait_for_port;

constexpr const char* kFull = "exchange storage full";

std::size_t count_of(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1))
    ++n;
  return n;
}

// Sets the soft file size limit of a running process (same user, the hard limit untouched: no
// privilege needed to raise it again).
void set_file_limit(pid_t pid, rlim_t bytes) {
  const rlimit lim{bytes, RLIM_INFINITY};
  ASSERT_EQ(::prlimit(pid, RLIMIT_FSIZE, &lim, nullptr), 0) << std::strerror(errno);
}

class StorageFull : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("cx_full_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    fix_port_ = free_port();
    op_port_ = free_port();
  }
  void TearDown() override {
    child_.reset();
    fs::remove_all(dir_);
  }

  fs::path config() const { return dir_ / "carbonxd.toml"; }
  void write_config(const std::string& server_keys) {
    std::ofstream cfg(config());
    cfg << "[server]\npassword_hash = \"minimum\"\ndata_dir = \"" << (dir_ / "data").string()
        << "\"\nfix_bind = \"127.0.0.1\"\n"
        << "fix_port = " << fix_port_ << "\noperator_port = " << op_port_ << "\ninstruments = \""
        << CARBONX_GATEWAY_CONFIG_DIR << "/instruments.toml\"\nthrottle_msgs_per_s = 1000000\n"
        << server_keys << "[schedule]\nenabled = false\n"
        << "[[member]]\nid = 2\ncomp_id = \"MEMBER2\"\nusername = \"member2\"\npassword = "
        << "\"member2-pass\"\ncancel_on_disconnect = false\naccounts = [1002]\n";
  }
  void start() {
    child_ = std::make_unique<CarbonxdChild>(config(), dir_ / "carbonxd.log");
    ASSERT_TRUE(wait_for_port(op_port_)) << log();
    ASSERT_TRUE(wait_for_port(fix_port_)) << log();
  }
  void stop() {
    const int status = child_->kill(SIGTERM);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status << "\n" << log();
    child_.reset();
  }
  // A new exchange: account 1002 of MEMBER2 holding 10,000,000 t GDEA2017, the market open.
  void create_market() {
    ASSERT_EQ(testing::init_exchange(config(), dir_ / "carbonxd.log"), 0) << log();
    start();
    ASSERT_EQ(op("account.open", R"({"id":1002,"kind":"control_emission_firm","member":2})").first,
              200);
    ASSERT_EQ(op("units.issue", R"({"transfer_id":2,"account":1002,"symbol":"GDEA2017",)"
                                R"("quantity_t":10000000})")
                  .first,
              200);
    ASSERT_EQ(op("market.open").first, 200);
  }
  std::pair<int, std::string> op(const std::string& verb, const std::string& body = "{}") {
    // The token --init made in the data directory (operator_token.hpp).
    const auto token = read_operator_token_file(operator_token_path((dir_ / "data").string()));
    return operator_call(op_port_, token.ok() ? token.value() : std::string(), verb, body);
  }
  json status() { return json::parse(op("query.status").second); }
  std::string log() const {
    std::ifstream in(dir_ / "carbonxd.log");
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }

  // A resting sell of 1 t at 15.00 (no buyer: each one stays in the book).
  void sell(FixClient& c, const std::string& clid) {
    c.send("D", {{11, clid},
                 {1, "1002"},
                 {55, "GDEA2017"},
                 {54, "2"},
                 {60, wire::utc_now_text()},
                 {38, "1"},
                 {40, "2"},
                 {44, "15.00"}});
  }
  // Sells in windows of 50 until one is refused: the acknowledged ClOrdIDs go to acked_, the
  // first refusal's ExecutionReport is returned.
  wire::Fields sell_until_refused(FixClient& c, int max_orders) {
    for (int i = 0; i < max_orders; i += 50) {
      for (int j = i; j < i + 50; ++j)
        sell(c, "S" + std::to_string(next_++));
      std::optional<wire::Fields> refused;
      for (int j = i; j < i + 50; ++j) {
        const auto er = c.expect("8");
        EXPECT_TRUE(er.has_value()) << "no ExecutionReport for order " << j << "\n" << log();
        if (!er) return {};
        if (wire::get(*er, 150) == "0") {
          EXPECT_FALSE(refused.has_value()) << "an order acknowledged after a refusal";
          acked_.push_back(*wire::get(*er, 11));
        } else if (!refused) {
          refused = *er;
        }
      }
      if (refused) return *refused;
    }
    ADD_FAILURE() << "no refusal after " << max_orders << " orders\n" << log();
    return {};
  }
  // While refusing: an order is refused with the reason, a status request is answered, a test
  // request gets its heartbeat (the session is up), the operator's change is refused and its
  // query answered with the alarm.
  void expect_refusing_but_serving(FixClient& c, const std::string& reason) {
    sell(c, "S" + std::to_string(next_++));
    const auto er = c.expect("8");
    ASSERT_TRUE(er.has_value());
    EXPECT_EQ(wire::get(*er, 150), "8");
    EXPECT_EQ(wire::get(*er, 39), "8");
    EXPECT_NE(wire::get(*er, 58).value_or("").find(reason), std::string::npos)
        << wire::get(*er, 58).value_or("");
    c.send("H", {{11, acked_.front()}, {54, "2"}, {55, "GDEA2017"}});
    const auto st = c.expect("8");
    ASSERT_TRUE(st.has_value()) << "an order status request is a read";
    EXPECT_EQ(wire::get(*st, 150), "I");
    EXPECT_EQ(wire::get(*st, 39), "0") << "the acknowledged order is open";
    c.send("1", {{112, "ARE-YOU-THERE"}});
    const auto hb = c.expect("0");
    ASSERT_TRUE(hb.has_value()) << "the session is up";
    EXPECT_EQ(wire::get(*hb, 112), "ARE-YOU-THERE");
    const auto [code, body] =
        op("units.issue", R"({"transfer_id":3,"account":1002,"symbol":"GDEA2017","quantity_t":1})");
    EXPECT_EQ(code, 503) << body;
    EXPECT_NE(body.find(reason), std::string::npos) << body;
    const json s = status();
    EXPECT_FALSE(s.at("accepting_changes").get<bool>()) << s.dump();
    ASSERT_FALSE(s.at("alarms").empty()) << s.dump();
    EXPECT_TRUE(s.at("ledger_invariants_ok").get<bool>());
  }
  // After a restart: every acknowledged order rests in the book, and the journal verifies from
  // genesis to the live state.
  void expect_nothing_acknowledged_lost(std::size_t more) {
    const json book = json::parse(op("query.book", R"({"symbol":"GDEA2017","depth":0})").second);
    EXPECT_EQ(book.at("orders").get<std::size_t>(), acked_.size() + more) << book.dump();
    ProcessRunResult v = run_cxctl({"journal", "verify"});
    EXPECT_EQ(v.exit_code, 0) << v.output;
    EXPECT_NE(v.output.find("chain intact"), std::string::npos) << v.output;
    EXPECT_NE(v.output.find(": equal"), std::string::npos) << v.output;
  }
  using ProcessRunResult = testing::CommandRun;
  ProcessRunResult run_cxctl(const std::vector<std::string>& args) {
    std::string cmd = std::string(CXCTL_PATH) + " --config " + config().string() + " --mode server";
    for (const std::string& a : args)
      cmd += " " + a;
    return testing::run_shell(cmd);
  }

  fs::path dir_;
  std::uint16_t fix_port_ = 0;
  std::uint16_t op_port_ = 0;
  std::unique_ptr<CarbonxdChild> child_;
  std::vector<std::string> acked_;
  int next_ = 0;
};

// The store at its configured size ([server] store_max_mb): MDB_MAP_FULL.
TEST_F(StorageFull, TheStoreAtItsSizeRefusesOrdersServesReadsAndLosesNothing) {
  write_config("durability = \"no_meta_sync\"\nfix_store = \"memory\"\nstore_max_mb = 2\n");
  create_market();
  FixClient c("MEMBER2", fix_port_);
  ASSERT_TRUE(c.logon("member2", "member2-pass"));
  const wire::Fields refused = sell_until_refused(c, 200'000);
  ASSERT_FALSE(refused.empty());
  ASSERT_FALSE(acked_.empty());
  EXPECT_EQ(wire::get(refused, 150), "8");
  EXPECT_NE(wire::get(refused, 58).value_or("").find(kFull), std::string::npos)
      << wire::get(refused, 58).value_or("");
  expect_refusing_but_serving(c, kFull);
  const json s = status();
  EXPECT_NE(s.at("alarms").at(0).get<std::string>().find("store_max_mb"), std::string::npos)
      << s.dump();
  const ProcessRunResult cx = run_cxctl({"status"});  // what the operator sees
  EXPECT_EQ(cx.exit_code, 0) << cx.output;
  EXPECT_EQ(cx.output.rfind("ALARM: exchange storage full for ", 0), 0u) << cx.output;
  EXPECT_NE(cx.output.find("accepting_changes: false"), std::string::npos) << cx.output;
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));  // the store is probed meanwhile
  EXPECT_EQ(count_of(log(), "was not committed"), 1u) << "one line, not one per order\n" << log();
  EXPECT_EQ(count_of(log(), "FATAL"), 0u) << log();
  c.close();
  stop();  // a clean stop while full
  // With more room: every acknowledged order is there, and the exchange takes orders again.
  write_config("durability = \"no_meta_sync\"\nfix_store = \"memory\"\nstore_max_mb = 64\n");
  start();
  EXPECT_TRUE(status().at("accepting_changes").get<bool>());
  FixClient again("MEMBER2", fix_port_);
  ASSERT_TRUE(again.logon("member2", "member2-pass", true));
  sell(again, "AFTER");
  const auto er = again.expect("8");
  ASSERT_TRUE(er.has_value());
  EXPECT_EQ(wire::get(*er, 150), "0") << wire::get(*er, 58).value_or("");
  expect_nothing_acknowledged_lost(1);
}

// The disk full under the LMDB store (the file size limit: EFBIG), and space returning while
// carbonxd runs: it notices within about a second and takes orders again.
TEST_F(StorageFull, AFullDiskRefusesAndSpaceReturningResumesWithoutARestart) {
  write_config("durability = \"full_sync\"\nfix_store = \"memory\"\n");
  create_market();
  FixClient c("MEMBER2", fix_port_);
  ASSERT_TRUE(c.logon("member2", "member2-pass"));
  const fs::path data_file = dir_ / "data" / "store" / "data.mdb";
  set_file_limit(child_->pid(), fs::file_size(data_file) + (256 << 10));
  const wire::Fields refused = sell_until_refused(c, 100'000);
  ASSERT_FALSE(refused.empty());
  EXPECT_NE(wire::get(refused, 58).value_or("").find("exchange storage full: the disk is full"),
            std::string::npos)
      << wire::get(refused, 58).value_or("");
  expect_refusing_but_serving(c, kFull);
  EXPECT_NE(status().at("alarms").at(0).get<std::string>().find("retried every second"),
            std::string::npos);
  // Space returns.
  set_file_limit(child_->pid(), RLIM_INFINITY);
  bool accepted = false;
  for (int i = 0; i < 50 && !accepted; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    sell(c, "R" + std::to_string(i));
    const auto er = c.expect("8");
    ASSERT_TRUE(er.has_value());
    accepted = wire::get(*er, 150) == "0";
    if (accepted) acked_.push_back(*wire::get(*er, 11));
  }
  ASSERT_TRUE(accepted) << "no order accepted within 10 s of space returning\n" << log();
  const json s = status();
  EXPECT_TRUE(s.at("accepting_changes").get<bool>()) << s.dump();
  EXPECT_EQ(s.at("alarms"), json::array()) << s.dump();
  EXPECT_EQ(count_of(log(), "was not committed"), 1u) << log();
  EXPECT_EQ(count_of(log(), "the store takes writes again after"), 1u) << log();
  c.close();
  stop();
  start();
  expect_nothing_acknowledged_lost(0);
}

// The FIX session store cannot write (the file size limit on the session logs; the LMDB store,
// preallocated in no_sync mode, is not touched by it): orders are refused with the reason, the
// session keeps its messages in memory and sends them, and once the logs can be written again
// everything is written: after a restart the session continues at the right sequence number
// and a resend serves the refusals sent meanwhile.
TEST_F(StorageFull, AFullFixSessionStoreRefusesKeepsTheSessionAndWritesItAllLater) {
  write_config("durability = \"no_sync\"\nfix_store = \"file\"\n");
  create_market();
  FixClient c("MEMBER2", fix_port_);
  ASSERT_TRUE(c.logon("member2", "member2-pass"));
  sell(c, "S" + std::to_string(next_++));
  const auto first = c.expect("8");
  ASSERT_TRUE(first && wire::get(*first, 150) == "0");
  acked_.push_back(*wire::get(*first, 11));
  std::uintmax_t largest = fs::file_size(dir_ / "carbonxd.log");
  for (const auto& e : fs::directory_iterator(dir_ / "data" / "fixstore"))
    largest = std::max(largest, fs::file_size(e.path()));
  set_file_limit(child_->pid(), largest + 4096);
  const wire::Fields refused = sell_until_refused(c, 5'000);
  ASSERT_FALSE(refused.empty());
  const std::string reason = "the FIX session store cannot be written";
  EXPECT_NE(wire::get(refused, 58).value_or("").find(reason), std::string::npos)
      << wire::get(refused, 58).value_or("");
  const int refused_seq = std::stoi(*wire::get(refused, 34));
  expect_refusing_but_serving(c, reason);
  EXPECT_NE(status().at("alarms").at(0).get<std::string>().find("FIX session store cannot be "
                                                                "written"),
            std::string::npos);
  EXPECT_EQ(count_of(log(), "FIX session store cannot be written"), 1u) << log();
  set_file_limit(child_->pid(), RLIM_INFINITY);
  bool accepted = false;
  for (int i = 0; i < 50 && !accepted; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    sell(c, "R" + std::to_string(i));
    const auto er = c.expect("8");
    ASSERT_TRUE(er.has_value());
    accepted = wire::get(*er, 150) == "0";
    if (accepted) acked_.push_back(*wire::get(*er, 11));
  }
  ASSERT_TRUE(accepted) << log();
  EXPECT_EQ(status().at("alarms"), json::array());
  EXPECT_EQ(count_of(log(), "FIX session store written again"), 1u) << log();
  stop();  // logs the session out: the Logout is the last message the server sent
  const auto logout = c.expect("5");
  ASSERT_TRUE(logout.has_value());
  const int last_sent = std::stoi(*wire::get(*logout, 34));
  const int next_to_send = c.next_seq();
  c.close();
  start();
  FixClient back("MEMBER2", fix_port_);
  back.set_next_seq(next_to_send);
  back.send("A", {{98, "0"}, {108, "30"}, {553, "member2"}, {554, "member2-pass"}});
  const auto logon = back.expect("A");
  ASSERT_TRUE(logon.has_value()) << log();
  EXPECT_EQ(std::stoi(*wire::get(*logon, 34)), last_sent + 1)
      << "the server continues after everything it sent: all of it reached the session log";
  back.send("2", {{7, std::to_string(refused_seq)}, {16, std::to_string(refused_seq)}});
  const auto resent = back.expect("8");
  ASSERT_TRUE(resent.has_value()) << "the refusal is served from the session log";
  EXPECT_EQ(wire::get(*resent, 43), "Y");
  EXPECT_EQ(std::stoi(*wire::get(*resent, 34)), refused_seq);
  EXPECT_NE(wire::get(*resent, 58).value_or("").find(reason), std::string::npos);
  expect_nothing_acknowledged_lost(0);
}

// In process: the batch the store refused is rolled back exactly (the core, ledger and registrar
// hashes of the last commit, what a restart recovers), its requests then get refusals, and
// nothing more is written.
TEST(StorageFullDriver, AFailedCommitRollsBackToTheLastCommitExactly) {
  const fs::path root = fs::temp_directory_path() / ("cx_rollback_" + std::to_string(::getpid()));
  fs::remove_all(root);
  const ExchangeConfig exchange = testing::sample_exchange();
  std::int64_t ts = parse_clock_time("2017-06-05T09:30:00+08:00").value();
  ExchangeClock clock(ts, "");
  testing::Exchange x(root, exchange, clock, /*store_max_mb=*/1);
  std::uint64_t ticket = 0;
  auto op = [&](const std::string& verb, const std::string& body) {
    return x.operator_inbound(++ticket, verb, body);
  };
  std::vector<Delivery> out;
  for (const Inbound& in :
       {op("account.open", R"({"id":1001,"kind":"investment_institution","member":1})"),
        op("account.open", R"({"id":1003,"kind":"control_emission_firm","member":2})"),
        op("cash.deposit", R"({"transfer_id":1,"account":1001,"amount_fen":100000000000})"),
        op("units.issue",
           R"({"transfer_id":2,"account":1003,"symbol":"GDEA2017","quantity_t":100000000})"),
        op("market.open", "{}")}) {
    x.driver().apply(TimestampNs(ts), in, out);
  }
  ASSERT_TRUE(x.driver().commit().ok());
  int n = 0;
  int msg_seq = 0;
  auto order = [&](bool buy) {
    FixRequest q;
    q.kind = RequestKind::kNewOrder;
    q.msg_seq_num = ++msg_seq;
    q.cl_ord_id = "O" + std::to_string(n++);
    q.account = buy ? "1001" : "1003";
    q.symbol = "GDEA2017";
    q.side = buy ? FixSide::kBuy : FixSide::kSell;
    q.price_fen = 1420 + (n % 7);
    q.quantity_t = 1 + n % 5;
    q.tif = FixTif::kDay;
    return x.fix_inbound(x.session(buy ? 0 : 1), q);  // through the edge, as carbonxd's
  };
  bool failed = false;
  for (int batch = 0; batch < 20'000 && !failed; ++batch) {
    const auto core = x.driver().core().state_hash();
    const auto ledger = x.driver().ledger().state_hash();
    const auto registrar = x.driver().registrar().state_hash();
    const Seq seq = x.driver().applied_seq();
    std::vector<Inbound> requests;
    for (int i = 0; i < 10; ++i)
      requests.push_back(order(i % 3 != 0));  // buys and sells that cross: fills and postings
    out.clear();
    for (const Inbound& in : requests)
      x.driver().apply(TimestampNs(++ts), in, out);
    if (x.driver().commit().ok()) continue;
    failed = true;
    std::string error;
    ASSERT_TRUE(x.driver().roll_back(&error)) << error;
    EXPECT_EQ(x.driver().applied_seq(), seq);
    EXPECT_EQ(x.driver().core().state_hash(), core);
    EXPECT_EQ(x.driver().ledger().state_hash(), ledger);
    EXPECT_EQ(x.driver().registrar().state_hash(), registrar);
    EXPECT_NE(x.driver().refusal().find(kFull), std::string::npos) << x.driver().refusal();
    EXPECT_TRUE(x.driver().degraded());
    out.clear();
    for (const Inbound& in : requests)
      x.driver().apply(TimestampNs(++ts), in, out);
    ASSERT_EQ(out.size(), requests.size());
    for (const Delivery& d : out) {
      EXPECT_EQ(d.reply.kind, ReplyKind::kExecReport);
      EXPECT_EQ(d.reply.exec_type, exec_type::kRejected);
      EXPECT_NE(d.reply.text.find(kFull), std::string::npos) << d.reply.text;
    }
    EXPECT_EQ(x.driver().applied_seq(), seq) << "refusals take no seq";
    ASSERT_TRUE(x.driver().commit().ok()) << "nothing to write";
    out.clear();
    EXPECT_FALSE(x.driver().poll(TimestampNs(++ts), out)) << "still full: the map is at 1 MiB";
    EXPECT_FALSE(x.driver().alarms().empty());
    // What a restart recovers from the store is the rolled back state.
    x.restart();
    EXPECT_EQ(x.driver().applied_seq(), seq);
    EXPECT_EQ(x.driver().core().state_hash(), core);
    EXPECT_EQ(x.driver().ledger().state_hash(), ledger);
    EXPECT_EQ(x.driver().registrar().state_hash(), registrar);
  }
  EXPECT_TRUE(failed) << "the 1 MiB store never filled";
  fs::remove_all(root);
}

}  // namespace
}  // namespace carbonx::gateway
