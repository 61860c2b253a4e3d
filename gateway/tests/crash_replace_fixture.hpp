#pragma once
// SIGKILL loops under load with replaces (issue 11, "Exact restarts"; issue 14: >= 200 kills in
// CI): carbonxd as a child process (full_sync, file session store) serves the load generator
// cxload (tools/loadgen) on four sessions: Day and IOC orders that cross,
// OrderCancelReplaceRequests of resting orders (a tick up or down, more or less quantity) and
// cancels, sent without waiting for answers. The server is killed with SIGKILL mid-flow and
// restarted on the same data directory: six times after long flows (SigkillLoopUnderLoad...), and
// 200 times after short ones (TwoHundredSigkills...: a kill every 150-300 commands, at whatever
// point of the flow that falls on). After each restart:
// - the ledger's invariants hold and no committed command is lost (applied_seq at least what it
//   was at the kill);
// - nothing a client was told is lost: every fill reported is in the registry (units bought and
//   sold at least as reported, and conserved), an order whose replace was acknowledged is no
//   longer open under its old ClOrdID and, if open, has the replaced price and at least the
//   filled quantity reported; an order reported cancelled or filled is not open; an order
//   reported open is open with at least its reported filled quantity, unless a later command
//   (committed, its report not received before the kill) finished or replaced it;
// - `cxctl journal verify` replays the journal from genesis and finds the live core's state hash
//   (and the chain, the ledger and the registrar equal): after every kill of the six, after
//   every 25th of the 200 and after the last.
// What is asserted holds whatever the moment of each kill; only the counts printed vary.
// The fixture: crash_replace_test.cpp runs it with the programs built beside the tests,
// sanitized/crash_sanitized_test.cpp with the fuzz build's (ASan/UBSan).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "carbonx/gateway/operator_token.hpp"
#include "carbonxd_child.hpp"
#include "test_client.hpp"
#include "test_process.hpp"

namespace carbonx::gateway::crash_testing {

namespace fs = std::filesystem;
using testing::CarbonxdChild;
using testing::FixClient;
using testing::free_port;
using testing::operator_call;
using testing::wait_for_port;
inline constexpr const char* kToken = "crash-replace-token";
inline constexpr int kSessions = 4;                  // LOAD1..LOAD4: odd ones buy, even ones sell
inline constexpr std::int64_t kUnits = 100'000'000;  // each account's GDEA2017 at the start

// One loop: `kills` SIGKILLs, each once `commands` more commands (up to twice that, varying from
// kill to kill) are applied under cxload at `rate` orders/s; `cxctl journal verify` after every
// `verify_every`-th kill and after the last.
struct Loop {
  int kills = 0;
  std::uint64_t commands = 0;
  int rate = 0;
  int verify_every = 1;
};

// One order as its session was told about it (the last report of each kind).
struct Told {
  std::string comp;
  std::string clid;                  // its ClOrdID after the last acknowledged replace
  std::vector<std::string> old_ids;  // ClOrdIDs it had before acknowledged replaces
  std::string side;
  std::string price;     // Price(44) of the last report
  std::int64_t cum = 0;  // CumQty(14) of the last report
  bool done = false;     // reported filled or cancelled
};

// cxload's report log: "<CompID> 35=8 150=.. 39=.. 11=.. 41=.. 37=.. 54=.. 44=.. 38=.. 14=..
// 151=.. 32=.. 31=.." per ExecutionReport, in the order received.
struct Reports {
  std::map<std::pair<std::string, std::string>, Told> orders;  // by (CompID, OrderID)
  std::map<std::string, std::int64_t> filled;                  // by CompID: LastQty summed
  std::size_t replaced = 0;                                    // 150=5 received
  std::size_t lines = 0;
};

inline void read_reports(const fs::path& file, Reports* r) {
  std::ifstream in(file);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream words(line);
    std::string comp;
    words >> comp;
    std::map<int, std::string> f;
    for (std::string w; words >> w;) {
      const auto eq = w.find('=');
      if (eq != std::string::npos) f[std::stoi(w.substr(0, eq))] = w.substr(eq + 1);
    }
    ++r->lines;
    if (f[35] != "8" || f[150] == "8" || f[37].empty() || f[37] == "NONE") continue;
    Told& o = r->orders[{comp, f[37]}];
    o.comp = comp;
    o.side = f[54];
    if (o.clid.empty()) o.clid = f[11];
    if (f[150] == "5") {
      ++r->replaced;
      if (f[41] != f[11]) o.old_ids.push_back(f[41]);
      o.clid = f[11];
    }
    if (f[150] == "F") r->filled[comp] += std::stoll(f[32]);
    if (f[150] != "4") {  // a cancel's report names the cancel request's ClOrdID
      o.price = f[44];
      o.cum = std::stoll(f[14]);
    }
    if (f[150] == "4" || f[39] == "2" || f[39] == "4" || f[151] == "0") o.done = true;
  }
}

class CrashReplaceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("cx_crash_replace_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    fix_port_ = free_port();
    op_port_ = free_port();
    std::ofstream cfg(config());
    // Minimum password hashing: eight logons per kill (cxload's four, the checks' four).
    cfg << "[server]\npassword_hash = \"minimum\"\ndata_dir = \"" << (dir_ / "data").string()
        << "\"\nfix_bind = \"127.0.0.1\"\n"
        << "fix_port = " << fix_port_ << "\noperator_port = " << op_port_
        << "\ndurability = \"full_sync\"\nfix_store = \"file\"\ninstruments = \""
        << CARBONX_GATEWAY_CONFIG_DIR << "/instruments.toml\"\n[schedule]\nenabled = false\n";
    for (int i = 1; i <= kSessions; ++i) {  // as `cxload --print-members` writes them
      cfg << "[[member]]\nid = " << i << "\ncomp_id = \"LOAD" << i << "\"\nusername = \"load" << i
          << "\"\npassword = \"load-pass-" << i << "\"\ncancel_on_disconnect = false\n"
          << "accounts = [" << 100000 + i << "]\n";
    }
    cfg.close();
    ASSERT_EQ(testing::init_exchange(config(), dir_ / "carbonxd.log"), 0);
    ASSERT_TRUE(write_operator_token((dir_ / "data").string(), kToken).ok());
  }
  void TearDown() override {
    child_.reset();
    if (!HasFailure()) fs::remove_all(dir_);
  }
  fs::path config() const { return dir_ / "carbonxd.toml"; }
  void start() {
    child_ = std::make_unique<CarbonxdChild>(config(), dir_ / "carbonxd.log");
    ASSERT_TRUE(wait_for_port(op_port_, port_tries_));
    ASSERT_TRUE(wait_for_port(fix_port_, port_tries_));
  }
  std::pair<int, std::string> op(const std::string& verb, const std::string& body = "{}") {
    return operator_call(op_port_, kToken, verb, body);
  }
  nlohmann::json status() { return nlohmann::json::parse(op("query.status").second); }
  std::int64_t units(int account) {
    const auto [code, body] = op("query.balances", "{\"account\":" + std::to_string(account) + "}");
    EXPECT_EQ(code, 200) << body;
    const nlohmann::json reply = nlohmann::json::parse(body);  // outlives the loop
    for (const auto& row : reply.at("balances")) {
      if (row.at("asset") == "GDEA2017") {
        return row.at("available").get<std::int64_t>() + row.at("frozen").get<std::int64_t>();
      }
    }
    ADD_FAILURE() << "no GDEA2017 balance of " << account << ": " << body;
    return 0;
  }

  // cxload on the FIX port with replaces and cancels; returns its pid. Output to cxload<k>.log.
  pid_t start_load(int k, int rate) {
    const std::string prefix = "k" + std::to_string(k) + "_";
    const std::string log = (dir_ / ("cxload" + std::to_string(k) + ".log")).string();
    const std::string reports = (dir_ / ("reports" + std::to_string(k) + ".txt")).string();
    const std::string port = std::to_string(fix_port_);
    const std::string rate_s = std::to_string(rate);
    const pid_t pid = ::fork();
    if (pid == 0) {
      const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
      ::dup2(fd, 1);
      ::dup2(fd, 2);
      ::execl(CXLOAD_PATH, CXLOAD_PATH, "--port", port.c_str(), "--sessions", "4", "--rate",
              rate_s.c_str(), "--duration", "60", "--ioc-ratio", "0.3", "--replace-ratio", "0.4",
              "--cancel-ratio", "0.1", "--spread-ticks", "3", "--clid-prefix", prefix.c_str(),
              "--report-log", reports.c_str(), nullptr);
      ::_exit(127);
    }
    return pid;
  }
  // Waits for cxload to end (it ends when its connections are lost); its exit code, or -1.
  static int wait_load(pid_t pid) {
    for (int i = 0; i < 3000; ++i) {
      int st = 0;
      if (::waitpid(pid, &st, WNOHANG) == pid) return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
    return -1;
  }

  // `cxctl journal verify` against the running server: true when the replay's core hash equals
  // the server's (the chain, ledger and registrar checks make cxctl fail otherwise).
  bool journal_verify_equal(std::string* output) {
    return testing::journal_verify_equal(testing::cxctl_path(), config(), output);
  }

  void fund_and_open();
  void run(const Loop& loop);
  // The fills told so far (`filled`, by CompID) are in every account's units, units conserved.
  void check_fills(const std::map<std::string, std::int64_t>& filled);
  // What the sessions were told of each order, against the restarted server's order status.
  struct OrderCheck {
    std::size_t open = 0;           // open as told
    std::size_t replaced_open = 0;  // of those, orders replaced before
    std::size_t finished_later = 0;
  };
  OrderCheck check_orders(const Reports& told);

  fs::path dir_;
  std::uint16_t fix_port_ = 0;
  std::uint16_t op_port_ = 0;
  std::unique_ptr<CarbonxdChild> child_;
  int port_tries_ = 400;  // a restart may take this many x 25 ms to listen
};

// An OrderStatusRequest: the ExecutionReport's OrdStatus(39), Price(44) and CumQty(14) ("8": no
// open order of the session has that ClOrdID).
struct Status {
  std::string ord_status;
  std::string price;
  std::int64_t cum = 0;
};
inline Status order_status(FixClient& c, const std::string& clid, const std::string& side) {
  c.send("H", {{11, clid}, {55, "GDEA2017"}, {54, side}});
  const auto m = c.expect("8");
  EXPECT_TRUE(m.has_value()) << "no answer to the status of " << clid;
  if (!m) return {};
  EXPECT_EQ(wire::get(*m, 11).value_or(""), clid);
  return Status{wire::get(*m, 39).value_or(""), wire::get(*m, 44).value_or(""),
                std::stoll(wire::get(*m, 14).value_or("0"))};
}

inline void CrashReplaceTest::fund_and_open() {
  for (int i = 1; i <= kSessions; ++i) {
    const std::string a = std::to_string(100000 + i);
    ASSERT_EQ(op("account.open", "{\"id\":" + a +
                                     ",\"kind\":\"investment_institution\","
                                     "\"member\":" +
                                     std::to_string(i) + "}")
                  .first,
              200);
    ASSERT_EQ(op("cash.deposit", "{\"transfer_id\":" + std::to_string(10 + i) +
                                     ",\"account\":" + a + ",\"amount_fen\":100000000000}")
                  .first,
              200);
    ASSERT_EQ(op("units.issue",
                 "{\"transfer_id\":" + std::to_string(20 + i) + ",\"account\":" + a +
                     ",\"symbol\":\"GDEA2017\",\"quantity_t\":" + std::to_string(kUnits) + "}")
                  .first,
              200);
  }
  ASSERT_EQ(op("market.open").first, 200);
}

inline void CrashReplaceTest::check_fills(const std::map<std::string, std::int64_t>& filled) {
  // Each buyer holds at least what it was told it bought, each seller has given at least what it
  // was told it sold, and units are conserved.
  std::int64_t total = 0;
  for (int i = 1; i <= kSessions; ++i) {
    const std::string comp = "LOAD" + std::to_string(i);
    const std::int64_t held = units(100000 + i);
    const auto it = filled.find(comp);
    const std::int64_t told = it == filled.end() ? 0 : it->second;
    total += held;
    if (i % 2 == 1) {
      EXPECT_GE(held - kUnits, told) << comp << ": a fill it was told about is lost";
    } else {
      EXPECT_GE(kUnits - held, told) << comp << ": a fill it was told about is lost";
    }
  }
  EXPECT_EQ(total, kSessions * kUnits) << "units are conserved";
}

inline CrashReplaceTest::OrderCheck CrashReplaceTest::check_orders(const Reports& told) {
  OrderCheck out;
  std::map<std::string, std::unique_ptr<FixClient>> clients;
  for (int i = 1; i <= kSessions; ++i) {
    const std::string comp = "LOAD" + std::to_string(i);
    clients[comp] = std::make_unique<FixClient>(comp, fix_port_);
    EXPECT_TRUE(clients[comp]->logon("load" + std::to_string(i), "load-pass-" + std::to_string(i),
                                     /*reset=*/true));
  }
  for (const auto& [key, o] : told.orders) {
    FixClient& c = *clients.at(o.comp);
    for (const std::string& old : o.old_ids) {
      EXPECT_EQ(order_status(c, old, o.side).ord_status, "8")
          << o.comp << " " << old << ": its replace to " << o.clid
          << " was acknowledged, yet it is open under the old ClOrdID";
    }
    const Status now = order_status(c, o.clid, o.side);
    if (o.done) {
      EXPECT_EQ(now.ord_status, "8") << o.comp << " " << o.clid << " was reported finished";
      continue;
    }
    if (now.ord_status == "8") {  // finished or replaced by a command whose report was lost
      ++out.finished_later;
      continue;
    }
    ++out.open;
    if (!o.old_ids.empty()) ++out.replaced_open;
    // Open under the ClOrdID last told: no later replace took effect, so its price is the one
    // last reported (fills do not move it).
    EXPECT_GE(now.cum, o.cum) << o.comp << " " << o.clid;
    EXPECT_EQ(now.price, o.price) << o.comp << " " << o.clid;
  }
  return out;
}

inline void CrashReplaceTest::run(const Loop& loop) {
  const auto started = std::chrono::steady_clock::now();
  start();
  fund_and_open();
  std::map<std::string, std::int64_t> filled;  // by CompID, over every run
  std::size_t replaces_told = 0;
  std::size_t checked_replaced = 0;
  int verified = 0;
  using Clock = std::chrono::steady_clock;
  std::array<double, 4> phase_s{};  // load until the kill, restart, checks, journal verify
  auto lap = [&, t = Clock::now()](std::size_t phase) mutable {
    const auto now = Clock::now();
    phase_s[phase] += std::chrono::duration<double>(now - t).count();
    t = now;
  };
  for (int k = 0; k < loop.kills && !HasFatalFailure(); ++k) {
    const std::uint64_t from = status().at("applied_seq").get<std::uint64_t>();
    const pid_t load = start_load(k, loop.rate);
    // Kill once the flow is under way (a varying amount of it), however slow the machine.
    const std::uint64_t due = from + loop.commands + loop.commands * (k % 7) / 6;
    for (int i = 0; i < 3000; ++i) {
      if (status().at("applied_seq").get<std::uint64_t>() >= due) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    const std::uint64_t at_kill = status().at("applied_seq").get<std::uint64_t>();
    child_->kill(SIGKILL);
    lap(0);
    EXPECT_EQ(wait_load(load), 4) << "cxload should end with its connections lost (see cxload" << k
                                  << ".log)";
    Reports told;
    read_reports(dir_ / ("reports" + std::to_string(k) + ".txt"), &told);
    for (const auto& [comp, qty] : told.filled)
      filled[comp] += qty;
    replaces_told += told.replaced;

    start();
    if (HasFatalFailure()) break;
    lap(1);
    const auto st = status();
    EXPECT_TRUE(st.at("ledger_invariants_ok").get<bool>()) << "after kill " << k << st.dump();
    EXPECT_GE(st.at("applied_seq").get<std::uint64_t>(), at_kill)
        << "after kill " << k << ": a committed batch lost";
    check_fills(filled);
    const OrderCheck orders = check_orders(told);
    checked_replaced += orders.replaced_open;
    std::string verify;
    lap(2);
    if ((k + 1) % loop.verify_every == 0 || k + 1 == loop.kills) {
      EXPECT_TRUE(journal_verify_equal(&verify)) << "after kill " << k << ":\n" << verify;
      ++verified;
    }
    lap(3);
    std::printf(
        "sigkill %d at seq %llu (restarted at %llu): %zu report lines, %zu replaces told; %zu "
        "orders open as told, %zu finished by commands not reported before the kill%s\n",
        k, static_cast<unsigned long long>(at_kill),
        static_cast<unsigned long long>(st.at("applied_seq").get<std::uint64_t>()), told.lines,
        told.replaced, orders.open, orders.finished_later,
        verify.empty()                                ? ""
        : verify.find(": equal") != std::string::npos ? "; replay verify equal"
                                                      : "; replay verify DIFFERENT");
    std::fflush(stdout);
    if (!HasFailure()) std::remove((dir_ / ("reports" + std::to_string(k) + ".txt")).c_str());
  }
  EXPECT_GT(replaces_told, 0u) << "no replace acknowledged before a kill";
  EXPECT_GT(checked_replaced, 0u) << "no replaced order was still open at a restart";
  std::printf(
      "crash replace: %d kills, %d journal verifies, %zu replaces acknowledged, %zu replaced "
      "orders checked open; %.1f s (load %.1f, restarts %.1f, checks %.1f, verifies %.1f)\n",
      loop.kills, verified, replaces_told, checked_replaced,
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count(), phase_s[0],
      phase_s[1], phase_s[2], phase_s[3]);
}

}  // namespace carbonx::gateway::crash_testing
