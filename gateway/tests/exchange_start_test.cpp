// What carbonxd does with its data directory at start (issue #14): an exchange exists only when
// `carbonxd --init` made it; a missing or empty directory, a deleted, emptied or truncated store,
// another exchange's store, a journal edited at its end or a balance row edited on disk are each
// a refusal with a sentence and exit code 1 — never a signal, never a fresh exchange; and
// `--read-only` serves queries of such a store without writing a byte of it. The real binaries
// (carbonxd, cxctl) on real files.
#include <fcntl.h>
#include <lmdb.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "carbonx/engine/core_records.hpp"
#include "carbonx/engine/ledger.hpp"
#include "carbonx/gateway/operator_token.hpp"
#include "carbonx/registry/journal.hpp"
#include "carbonx/registry/records.hpp"
#include "carbonx/registry/store.hpp"
#include "carbonxd_child.hpp"
#include "test_client.hpp"
#include "test_process.hpp"

namespace carbonx::gateway {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;
using testing::CarbonxdChild;
using testing::free_port;
using testing::operator_call;
using testing::wait_for_port;

struct ProcessResult {
  int exit_code = -1;  // -1: killed by a signal (or did not exit in time)
  int signal = 0;
  std::string output;
};

// Runs `program args...` to its end (at most 30 s), stdout and stderr captured.
ProcessResult run(const std::string& program, const std::vector<std::string>& args,
                  const fs::path& out_file) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    const int fd = ::open(out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(fd, 1);
    ::dup2(fd, 2);
    std::vector<char*> argv{const_cast<char*>(program.c_str())};
    for (const std::string& a : args)
      argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    ::execv(program.c_str(), argv.data());
    ::_exit(127);
  }
  ProcessResult r;
  int status = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (::waitpid(pid, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      r.output = "(did not exit within 30 s: it served)\n";
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  if (WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) r.signal = WTERMSIG(status);
  std::ifstream in(out_file);
  std::stringstream s;
  s << in.rdbuf();
  r.output += s.str();
  return r;
}

class ExchangeStart : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::fresh_test_dir("cx_start");
    fix_port_ = free_port();
    op_port_ = free_port();
    write_config(data());
  }
  void TearDown() override {
    child_.reset();
    fs::remove_all(dir_);
  }

  fs::path data() const { return dir_ / "data"; }
  fs::path config() const { return dir_ / "carbonxd.toml"; }
  fs::path data_file() const { return data() / "store" / "data.mdb"; }

  void write_config(const fs::path& data_dir) {
    data_dir_ = data_dir;
    std::ofstream cfg(config());
    cfg << "[server]\npassword_hash = \"minimum\"\ndata_dir = \"" << data_dir.string()
        << "\"\nfix_bind = \"127.0.0.1\"\n"
        << "fix_port = " << fix_port_ << "\noperator_port = " << op_port_
        << "\ndurability = \"full_sync\"\n"
        << "instruments = \"" << CARBONX_GATEWAY_CONFIG_DIR << "/instruments.toml\"\n"
        << "[schedule]\nenabled = false\n"
        << "[[member]]\nid = 1\ncomp_id = \"MEMBER1\"\nusername = \"member1\"\npassword = "
        << "\"member1-pass\"\naccounts = [1001]\n";
  }

  ProcessResult carbonxd(std::vector<std::string> args) {
    args.insert(args.begin(), {"--config", config().string()});
    return run(CARBONXD_PATH, args, dir_ / ("out" + std::to_string(++runs_) + ".txt"));
  }
  ProcessResult cxctl(std::vector<std::string> args) {
    args.insert(args.begin(), {"--config", config().string(), "--mode", "in-process"});
    return run(CXCTL_PATH, args, dir_ / ("out" + std::to_string(++runs_) + ".txt"));
  }

  // Starts carbonxd (serving), opens account 1001 and deposits 1,000.00 CNY, stops it (SIGTERM).
  void make_exchange_with_a_deposit() {
    ASSERT_EQ(carbonxd({"--init"}).exit_code, 0);
    start();
    ASSERT_EQ(op("account.open", R"({"id":1001,"kind":"investment_institution","member":1})").first,
              200);
    ASSERT_EQ(op("cash.deposit", R"({"transfer_id":1,"account":1001,"amount_fen":100000})").first,
              200);
    stop();
  }
  void start() {
    child_ = std::make_unique<CarbonxdChild>(config(), dir_ / "carbonxd.log");
    ASSERT_TRUE(wait_for_port(op_port_)) << log();
  }
  void stop() {
    const int status = child_->kill(SIGTERM);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << log();
    child_.reset();
  }
  std::pair<int, std::string> op(const std::string& verb, const std::string& body = "{}") {
    // The token --init made in the data directory (operator_token.hpp).
    const auto token = read_operator_token_file(operator_token_path(data_dir_.string()));
    return operator_call(op_port_, token.ok() ? token.value() : std::string(), verb, body);
  }
  std::string log() const {
    std::ifstream in(dir_ / "carbonxd.log");
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }
  std::string file_bytes(const fs::path& p) const {
    std::ifstream in(p, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }

  // Edits the store with plain LMDB, as someone with a hex editor or a stray tool would.
  void edit_store(const std::function<void(MDB_txn*)>& edit) {
    MDB_env* env = nullptr;
    ASSERT_EQ(mdb_env_create(&env), 0);
    mdb_env_set_maxdbs(env, 16);
    ASSERT_EQ(mdb_env_open(env, (data() / "store").c_str(), 0, 0644), 0);
    MDB_txn* txn = nullptr;
    ASSERT_EQ(mdb_txn_begin(env, nullptr, 0, &txn), 0);
    edit(txn);
    ASSERT_EQ(mdb_txn_commit(txn), 0);
    mdb_env_close(env);
  }

  fs::path dir_;
  std::uint16_t fix_port_ = 0;
  std::uint16_t op_port_ = 0;
  fs::path data_dir_;  // of the configuration written last
  int runs_ = 0;
  std::unique_ptr<CarbonxdChild> child_;
};

TEST_F(ExchangeStart, OnlyAnExplicitInitCreatesAnExchange) {
  // No data directory: nothing to serve, and nothing is created.
  ProcessResult r = carbonxd({});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("does not exist: no exchange to serve"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("carbonxd --init"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(data()));
  // An empty one (a volume that did not mount leaves one): the same, and it stays empty.
  fs::create_directories(data());
  r = carbonxd({});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("is empty: no exchange to serve"), std::string::npos) << r.output;
  EXPECT_TRUE(fs::is_empty(data()));
  // --init creates it: the store with its identity, and exchange.id naming the same.
  r = carbonxd({"--init"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("created exchange "), std::string::npos) << r.output;
  const std::string id_file = file_bytes(data() / "exchange.id");
  ASSERT_EQ(id_file.rfind("carbonx exchange ", 0), 0u) << id_file;
  const std::string id = id_file.substr(17, 32);
  EXPECT_NE(r.output.find(id), std::string::npos) << r.output;
  {
    registry::StoreOptions o;
    o.mode = registry::OpenMode::kOpenExisting;
    auto store = registry::Store::open((data() / "store").string(), o);
    ASSERT_TRUE(store.ok());
    ASSERT_TRUE(store.value()->identity().has_value());
    EXPECT_EQ(store.value()->identity()->id_hex(), id);
  }
  // A second --init changes nothing.
  r = carbonxd({"--init"});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("already holds exchange " + id), std::string::npos) << r.output;
  // It serves, and says which exchange.
  start();
  const json status = json::parse(op("query.status").second);
  EXPECT_EQ(status.at("exchange_id"), id);
  EXPECT_EQ(status.at("alarms"), json::array());
  EXPECT_TRUE(status.at("accepting_changes").get<bool>());
  stop();
  // A directory with other files (the configuration next to the data, say) holds no exchange:
  // a start is refused, --init makes one there and leaves the files alone.
  const fs::path other = dir_ / "other";
  fs::create_directories(other);
  std::ofstream(other / "notes.txt") << "mine\n";
  write_config(other);
  r = carbonxd({});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("holds no exchange (only notes.txt): no exchange to serve"),
            std::string::npos)
      << r.output;
  r = carbonxd({"--init"});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(file_bytes(other / "notes.txt"), "mine\n");
  // One that holds what an exchange writes, but no identity and no store (its session logs,
  // say): neither a start nor --init makes a new exchange over it.
  const fs::path leftover = dir_ / "leftover";
  fs::create_directories(leftover / "fixstore");
  write_config(leftover);
  r = carbonxd({});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("holds fixstore/ of an exchange but no store"), std::string::npos)
      << r.output;
  r = carbonxd({"--init"});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("already holds fixstore/ of an exchange"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(leftover / "store"));
}

TEST_F(ExchangeStart, AMissingOrEmptiedStoreIsARefusalNeverANewExchange) {
  make_exchange_with_a_deposit();
  const std::string id = file_bytes(data() / "exchange.id").substr(17, 32);
  const std::string saved = file_bytes(data_file());
  // Emptied: data.mdb of 0 bytes.
  fs::resize_file(data_file(), 0);
  ProcessResult r = carbonxd({});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("data.mdb is empty (0 bytes)"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find(id), std::string::npos) << "names the exchange: " << r.output;
  EXPECT_EQ(fs::file_size(data_file()), 0u) << "nothing was created over it";
  // Deleted: the directory still holds the exchange's identity, members and session logs.
  fs::remove(data_file());
  r = carbonxd({});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("holds exchange " + id), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("its store is missing"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("store/data.mdb"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(data_file()));
  r = cxctl({"status"});  // the in-process channel refuses the same way
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("its store is missing"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(data_file()));
  // Restored from the copy (a backup): it serves again, the deposit still there.
  std::ofstream(data_file(), std::ios::binary) << saved;
  start();
  const json b = json::parse(op("query.balances", R"({"account":1001})").second);
  EXPECT_EQ(b.at("balances").at(0).at("available"), 100000) << b.dump();
  stop();
}

// Cut short anywhere, the store is refused with a sentence by carbonxd and by cxctl journal
// verify: exit code 1, never SIGBUS.
TEST_F(ExchangeStart, ATruncatedStoreIsRefusedWithoutASignal) {
  make_exchange_with_a_deposit();
  const std::string saved = file_bytes(data_file());
  for (const double share : {0.5, 0.9, 0.99}) {
    std::ofstream(data_file(), std::ios::binary | std::ios::trunc) << saved;
    fs::resize_file(data_file(), static_cast<std::uintmax_t>(saved.size() * share));
    ProcessResult r = carbonxd({});
    EXPECT_EQ(r.signal, 0) << share << ": " << r.output;
    EXPECT_EQ(r.exit_code, 1) << share << ": " << r.output;
    EXPECT_NE(r.output.find("data.mdb is truncated"), std::string::npos) << r.output;
    r = carbonxd({"--read-only"});
    EXPECT_EQ(r.signal, 0) << r.output;
    EXPECT_EQ(r.exit_code, 1) << r.output;
    r = cxctl({"journal", "verify"});
    EXPECT_EQ(r.signal, 0) << share << ": " << r.output;
    EXPECT_EQ(r.exit_code, 1) << share << ": " << r.output;
    EXPECT_NE(r.output.find("data.mdb is truncated"), std::string::npos) << r.output;
    r = cxctl({"backup", "--to", (dir_ / "backup").string()});
    EXPECT_EQ(r.signal, 0) << r.output;
    EXPECT_EQ(r.exit_code, 1) << r.output;
    EXPECT_NE(r.output.find("data.mdb is truncated"), std::string::npos) << r.output;
  }
}

// A member's FIX session log (fixstore/) damaged in the middle or cut inside its header refuses
// the start naming the file (log_store.hpp), never starts the session's numbers over and never
// ends in an uncaught exception; a torn tail (the crash case) is cut with a log line and served.
TEST_F(ExchangeStart, ADamagedSessionLogRefusesTheStartATornTailIsCutAndLogged) {
  make_exchange_with_a_deposit();
  const fs::path log_file = data() / "fixstore" / "CARBONX-MEMBER1.cxlog";
  const std::string saved = file_bytes(log_file);
  ASSERT_EQ(saved.size(), 20u) << "a header, no session yet";
  const std::string seq_3("S\x03\x00\x00\x00", 5);
  for (const std::string& damaged :
       {saved + seq_3 + "?" + seq_3, saved.substr(0, 11),
        saved + "M" + std::string("\x01\x00\x00\x00\x00\x00\x00\x7f", 8) + "8=FIX"}) {
    std::ofstream(log_file, std::ios::binary | std::ios::trunc) << damaged;
    const ProcessResult r = carbonxd({});
    EXPECT_EQ(r.signal, 0) << r.output;
    EXPECT_EQ(r.exit_code, 1) << r.output;
    EXPECT_NE(r.output.find("the FIX session of MEMBER1: " + log_file.string()), std::string::npos)
        << r.output;
    EXPECT_NE(r.output.find("the file is damaged"), std::string::npos) << r.output;
    EXPECT_EQ(file_bytes(log_file), damaged) << "left as it is";
  }
  std::ofstream(log_file, std::ios::binary | std::ios::trunc) << saved + seq_3 + "M\x02";
  start();
  stop();
  EXPECT_NE(log().find(log_file.string() + ": the last record, at byte 25, is cut short"),
            std::string::npos)
      << log();
  EXPECT_EQ(file_bytes(log_file).substr(0, 25), saved + seq_3);
}

TEST_F(ExchangeStart, AnotherExchangesStoreIsRefusedAndARestoredOneRecordsItsIdentity) {
  make_exchange_with_a_deposit();
  const std::string id = file_bytes(data() / "exchange.id").substr(17, 32);
  // Another exchange's store put in this directory.
  const fs::path other = dir_ / "other";
  write_config(other);
  ASSERT_EQ(carbonxd({"--init"}).exit_code, 0);
  const std::string other_id = file_bytes(other / "exchange.id").substr(17, 32);
  ASSERT_NE(other_id, id);
  write_config(data());
  const std::string mine = file_bytes(data_file());
  fs::copy_file(other / "store" / "data.mdb", data_file(), fs::copy_options::overwrite_existing);
  ProcessResult r = carbonxd({});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("belongs to exchange " + other_id), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("to exchange " + id), std::string::npos) << r.output;
  // This exchange's own store restored into a directory without exchange.id: it serves, and
  // the file is written again from the store.
  std::ofstream(data_file(), std::ios::binary | std::ios::trunc) << mine;
  fs::remove(data() / "exchange.id");
  start();
  stop();
  EXPECT_EQ(file_bytes(data() / "exchange.id").substr(17, 32), id);
  EXPECT_NE(log().find("recorded exchange " + id), std::string::npos) << log();
}

// A balance row edited on disk breaks the ledger's invariants: carbonxd refuses to serve, naming
// the violation; --read-only serves the queries (and says why it is read-only), refuses every
// change, serves no FIX, and writes nothing.
TEST_F(ExchangeStart, AnEditedBalanceRefusesToServeAndReadOnlyInspectsIt) {
  make_exchange_with_a_deposit();
  edit_store([](MDB_txn* txn) {
    MDB_dbi dbi = 0;
    ASSERT_EQ(mdb_dbi_open(txn, "balances", 0, &dbi), 0);
    std::uint8_t key[8];
    registry::put_be32(key, 1001);
    registry::put_be32(key + 4, kCashAsset.value());
    MDB_val k{8, key}, v;
    ASSERT_EQ(mdb_get(txn, dbi, &k, &v), 0);
    registry::BalanceRecord b;
    ASSERT_EQ(v.mv_size, sizeof b);
    std::memcpy(&b, v.mv_data, sizeof b);
    b.available += 99'900;  // 999.00 CNY from nowhere
    MDB_val d{sizeof b, &b};
    ASSERT_EQ(mdb_put(txn, dbi, &k, &d, 0), 0);
  });
  ProcessResult r = carbonxd({});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("refusing to serve: ledger invariant violated"), std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("--read-only"), std::string::npos) << r.output;
  const std::string before = file_bytes(data_file());
  // Read-only (CarbonxdChild passes no flag: started by hand).
  const pid_t pid = ::fork();
  if (pid == 0) {
    const int fd = ::open((dir_ / "readonly.log").c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    ::dup2(fd, 1);
    ::dup2(fd, 2);
    ::execl(CARBONXD_PATH, CARBONXD_PATH, "--config", config().c_str(), "--read-only", nullptr);
    ::_exit(127);
  }
  ASSERT_TRUE(wait_for_port(op_port_));
  const json status = json::parse(op("query.status").second);
  EXPECT_TRUE(status.at("read_only").get<bool>());
  EXPECT_FALSE(status.at("ledger_invariants_ok").get<bool>());
  EXPECT_FALSE(status.at("accepting_changes").get<bool>());
  ASSERT_FALSE(status.at("alarms").empty());
  EXPECT_NE(status.at("alarms").at(0).get<std::string>().find("ledger invariant violated"),
            std::string::npos)
      << status.dump();
  const json b = json::parse(op("query.balances", R"({"account":1001})").second);
  EXPECT_EQ(b.at("balances").at(0).at("available"), 199'900) << "the edited row, as stored";
  auto [code, body] = op("cash.deposit", R"({"transfer_id":2,"account":1001,"amount_fen":100})");
  EXPECT_EQ(code, 503) << body;
  EXPECT_NE(body.find("read-only"), std::string::npos) << body;
  std::tie(code, body) = op("member.add", R"({"id":9,"comp_id":"M9","username":"m9",)"
                                          R"("password":"m9-password"})");
  EXPECT_EQ(code, 503) << body;
  EXPECT_FALSE(wait_for_port(fix_port_, 4)) << "no FIX in read-only";
  ::kill(pid, SIGTERM);
  int st = 0;
  ::waitpid(pid, &st, 0);
  EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
  EXPECT_EQ(file_bytes(data_file()), before) << "read-only wrote to the store";
}

// cxctl in-process on a full disk (the file size limit just above the store's size): the verb
// is refused with the reason and nothing of it is written; with room again the same command
// does it, once.
TEST_F(ExchangeStart, InProcessCxctlOnAFullDiskSaysSoAndWritesNothing) {
  make_exchange_with_a_deposit();
  const std::string accounts = (fs::path(CARBONX_GATEWAY_CONFIG_DIR).parent_path().parent_path() /
                                "tools" / "data" / "market" / "accounts.csv")
                                   .string();
  // `cxctl init` opens 80 accounts, one committed verb each; ulimit -f (1024-byte blocks) leaves
  // 8 KiB of room past the store's end: the disk fills before the accounts are all open.
  const std::string cmd = "ulimit -f " + std::to_string(fs::file_size(data_file()) / 1024 + 8) +
                          "; " + CXCTL_PATH + " --config " + config().string() +
                          " --mode in-process init --accounts " + accounts + " 2>&1";
  FILE* p = ::popen(("bash -c '" + cmd + "'").c_str(), "r");
  ASSERT_NE(p, nullptr);
  std::string out;
  char buf[4096];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;)
    out.append(buf, n);
  const int st = ::pclose(p);
  ASSERT_TRUE(WIFEXITED(st)) << "killed by a signal: " << out;
  EXPECT_EQ(WEXITSTATUS(st), 1) << out;
  EXPECT_NE(out.find("not done, nothing was written: exchange storage full: the disk is full"),
            std::string::npos)
      << out;
  // The store is whole (every committed verb there, nothing of the refused one), and with room
  // the same command opens exactly the accounts that were not opened yet.
  ProcessResult r = cxctl({"journal", "verify"});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("chain intact"), std::string::npos) << r.output;
  r = cxctl({"init", "--accounts", accounts});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(r.output, m, std::regex("(\\d+) accounts opened, (\\d+) already")))
      << r.output;
  EXPECT_GT(std::stoi(m[1]), 0) << "the refused account is opened now";
  EXPECT_EQ(std::stoi(m[1]) + std::stoi(m[2]), 80) << r.output;
}

// The journal's last record edited: the tail check names it and the start is refused.
TEST_F(ExchangeStart, AJournalEditedAtItsEndRefusesToServe) {
  make_exchange_with_a_deposit();
  std::uint64_t last = 0;
  edit_store([&](MDB_txn* txn) {
    MDB_dbi dbi = 0;
    ASSERT_EQ(mdb_dbi_open(txn, "journal", 0, &dbi), 0);
    MDB_cursor* c = nullptr;
    ASSERT_EQ(mdb_cursor_open(txn, dbi, &c), 0);
    MDB_val k, v;
    ASSERT_EQ(mdb_cursor_get(c, &k, &v, MDB_LAST), 0);
    last = registry::get_be64(static_cast<const std::uint8_t*>(k.mv_data));
    std::string bytes(static_cast<const char*>(v.mv_data), v.mv_size);
    mdb_cursor_close(c);
    bytes[40] ^= 1;  // a byte of the payload
    MDB_val d{bytes.size(), bytes.data()};
    ASSERT_EQ(mdb_put(txn, dbi, &k, &d, 0), 0);
  });
  const ProcessResult r = carbonxd({});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("refusing to serve: journal record " + std::to_string(last) +
                          ": hash does not match the record (tampered)"),
            std::string::npos)
      << r.output;
}

// The core state blob is committed with the batch that produced it, so its seq is never past the
// journal's last record. A blob stamped ahead of it (an edited or swapped store) is refused at
// start naming both seqs; the core used to take it and stop on its sequence assertion at the
// next command.
TEST_F(ExchangeStart, ACoreStateAheadOfTheJournalRefusesToServe) {
  make_exchange_with_a_deposit();
  std::uint64_t applied = 0;
  edit_store([&](MDB_txn* txn) {
    MDB_dbi journal = 0;
    ASSERT_EQ(mdb_dbi_open(txn, "journal", 0, &journal), 0);
    MDB_cursor* c = nullptr;
    ASSERT_EQ(mdb_cursor_open(txn, journal, &c), 0);
    MDB_val k, v;
    ASSERT_EQ(mdb_cursor_get(c, &k, &v, MDB_LAST), 0);
    applied = registry::get_be64(static_cast<const std::uint8_t*>(k.mv_data));
    mdb_cursor_close(c);
    MDB_dbi meta = 0;
    ASSERT_EQ(mdb_dbi_open(txn, "meta", 0, &meta), 0);
    const std::string key = "core_state";
    MDB_val mk{key.size(), const_cast<char*>(key.data())};
    ASSERT_EQ(mdb_get(txn, meta, &mk, &v), 0);
    auto state = decode_exchange_state(
        std::span<const std::uint8_t>(static_cast<const std::uint8_t*>(v.mv_data), v.mv_size));
    ASSERT_TRUE(state.ok());
    state.value().core.last_seq = Seq(applied + 5);
    std::vector<std::uint8_t> bytes =
        encode_exchange_state(state.value().core, state.value().offbook);
    MDB_val d{bytes.size(), bytes.data()};
    ASSERT_EQ(mdb_put(txn, meta, &mk, &d, 0), 0);
  });
  const ProcessResult r = carbonxd({});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_EQ(r.signal, 0) << r.output;
  EXPECT_NE(r.output.find("core state in the store is at seq " + std::to_string(applied + 5) +
                          ", ahead of the journal's last applied seq " + std::to_string(applied)),
            std::string::npos)
      << r.output;
}

}  // namespace
}  // namespace carbonx::gateway
