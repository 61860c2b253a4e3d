// Connections that never log on (issue 14): the Logon deadline, the limits on pending
// connections (in all and per address) that keep room for members, and descriptor exhaustion
// (EMFILE) that must neither spin the I/O thread nor keep the operator API from answering.
// Loopback only: 127.0.0.2, 127.0.0.3, ... stand for other hosts (all of 127/8 is loopback).
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "carbonx/gateway/clock.hpp"
#include "carbonx/gateway/operator_token.hpp"
#include "carbonx/gateway/server.hpp"
#include "carbonxd_child.hpp"
#include "test_client.hpp"
#include "test_process.hpp"

namespace carbonx::gateway {
namespace {

namespace fs = std::filesystem;
using testing::FixClient;
using testing::operator_call;
using Clock = std::chrono::steady_clock;
constexpr const char* kToken = "limits-test-token";

// Plain TCP connections that send nothing (or what the test writes), from a given loopback
// address.
class RawSockets {
 public:
  ~RawSockets() { close_all(); }
  // Opens `n` connections from `source` to 127.0.0.1:port; returns how many connected.
  int open(int n, const std::string& source, std::uint16_t port) {
    int ok = 0;
    for (int i = 0; i < n; ++i) {
      const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
      if (fd < 0) break;
      sockaddr_in from{};
      from.sin_family = AF_INET;
      ::inet_pton(AF_INET, source.c_str(), &from.sin_addr);
      sockaddr_in to{};
      to.sin_family = AF_INET;
      to.sin_port = htons(port);
      ::inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
      if (::bind(fd, reinterpret_cast<sockaddr*>(&from), sizeof from) != 0 ||
          ::connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to) != 0) {
        ::close(fd);
        continue;
      }
      fds_.push_back(fd);
      ++ok;
    }
    return ok;
  }
  int fd(std::size_t i) const { return fds_.at(i); }
  std::size_t size() const { return fds_.size(); }
  void close_all() {
    for (int fd : fds_)
      ::close(fd);
    fds_.clear();
  }

 private:
  std::vector<int> fds_;
};

// True if the peer closed `fd` within `timeout_ms` (EOF or reset).
bool closed_by_peer(int fd, int timeout_ms) {
  const auto until = Clock::now() + std::chrono::milliseconds(timeout_ms);
  while (Clock::now() < until) {
    pollfd p{fd, POLLIN, 0};
    const int left = static_cast<int>(
        std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now()).count());
    if (::poll(&p, 1, std::max(left, 1)) <= 0) continue;
    char buf[4096];
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) return true;  // anything the server wrote first (a Logout) is skipped
  }
  return false;
}

template <typename F>
bool eventually(F f, int timeout_ms = 20000) {
  const auto until = Clock::now() + std::chrono::milliseconds(timeout_ms);
  while (Clock::now() < until) {
    if (f()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return f();
}

class ConnectionLimits : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = testing::fresh_test_dir("cx_limits"); }
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
    c.durability = DurabilityMode::kNoSync;
    c.instruments_path = fs::path(CARBONX_GATEWAY_CONFIG_DIR) / "instruments.toml";
    c.schedule.enabled = false;
    c.clock_start_ns = parse_clock_time("2017-06-05T10:00:00+08:00");
    c.members = {MemberSeed{1, "MEMBER1", "member1", "member1-pass", true, {1001}},
                 MemberSeed{2, "MEMBER2", "member2", "member2-pass", false, {1002}}};
    return c;
  }

  void start(const ServerConfig& c) {
    std::string error;
    if (!fs::exists(c.data_dir)) {
      ASSERT_TRUE(init_exchange(c, &error)) << error;
    }
    ASSERT_TRUE(write_operator_token(c.data_dir, kToken).ok());
    server_ = Server::create(c, &error);
    ASSERT_NE(server_, nullptr) << error;
    ASSERT_TRUE(server_->start(&error)) << error;
  }

  // Waits until the listener has taken `n` connections in all.
  void wait_accepted(std::uint64_t n) {
    ASSERT_TRUE(eventually([&] { return server_->fix_listener_stats().accepted >= n; }))
        << server_->fix_listener_stats().accepted << " of " << n;
  }

  fs::path dir_;
  std::unique_ptr<Server> server_;
};

// A connection that does not complete its Logon within fix_logon_timeout_ms is closed, whether
// it sent nothing or half a Logon; a member that logged on stays however long it is quiet.
TEST_F(ConnectionLimits, ALogonDeadlineClosesConnectionsThatDoNotLogOn) {
  ServerConfig c = config();
  c.fix_logon_timeout_ms = 300;
  start(c);
  FixClient member("MEMBER1", server_->fix_port());
  ASSERT_TRUE(member.logon("member1", "member1-pass"));
  RawSockets idle;
  ASSERT_EQ(idle.open(3, "127.0.0.1", server_->fix_port()), 3);
  const std::string half =
      "8=FIX.4.4\x01"
      "9=70\x01"
      "35=A\x01"
      "49=MEMBER2\x01";
  ASSERT_EQ(::send(idle.fd(2), half.data(), half.size(), 0), static_cast<ssize_t>(half.size()));
  const auto opened = Clock::now();
  for (std::size_t i = 0; i < idle.size(); ++i) {
    EXPECT_TRUE(closed_by_peer(idle.fd(i), 5000)) << "connection " << i;
  }
  const auto waited = Clock::now() - opened;
  EXPECT_GE(waited, std::chrono::milliseconds(250));  // not at once: at the deadline
  EXPECT_EQ(server_->fix_listener_stats().logon_timeouts, 3u);
  // The member, quiet for longer than the deadline, is still logged on and answered.
  std::this_thread::sleep_for(std::chrono::milliseconds(600));
  member.send("1", {{112, "still-there"}});
  const auto hb = member.expect("0");
  ASSERT_TRUE(hb.has_value());
  EXPECT_EQ(wire::get(*hb, 112).value_or(""), "still-there");
  EXPECT_EQ(server_->fix_listener_stats().pending, 0u);
}

// The case: 5,000 idle sockets from ten hosts used to take every one of the 4,096
// connection slots, so no member could log on. Now they hold at most the pending limits, and
// members log on — from another host and from one of the idle sockets' own hosts. (The Logon
// deadline is set long here: the limits alone must make the room.)
TEST_F(ConnectionLimits, FiveThousandIdleSocketsDoNotKeepMembersOut) {
  ServerConfig c = config();  // the default limits: 256 pending, 16 per address
  c.fix_logon_timeout_ms = 600000;
  start(c);
  RawSockets idle;
  int opened = 0;
  for (int host = 2; host < 12; ++host) {
    opened += idle.open(500, "127.0.0." + std::to_string(host), server_->fix_port());
  }
  ASSERT_EQ(opened, 5000);
  wait_accepted(5000);
  const FixListenerStats flooded = server_->fix_listener_stats();
  EXPECT_EQ(flooded.pending, 10u * 16u);  // per address: the 16 newest
  EXPECT_EQ(flooded.displaced, 5000u - 160u);
  EXPECT_EQ(flooded.refused, 0u);
  FixClient a("MEMBER1", server_->fix_port(), "127.0.0.1");
  ASSERT_TRUE(a.logon("member1", "member1-pass"));
  FixClient b("MEMBER2", server_->fix_port(), "127.0.0.2");  // an idle sockets' host
  ASSERT_TRUE(b.logon("member2", "member2-pass"));
  // MEMBER2 took the place of one of 127.0.0.2's (counted once its Logon is processed).
  EXPECT_TRUE(eventually([&] { return server_->fix_listener_stats().pending == 10u * 16u - 1u; }))
      << server_->fix_listener_stats().pending;
  EXPECT_EQ(server_->fix_listener_stats().logon_timeouts, 0u);
}

// Per-address and overall pending limits are exact: the oldest idle connection makes room, and
// logged-on members do not count.
TEST_F(ConnectionLimits, PendingLimitsPerAddressAndOverall) {
  ServerConfig c = config();
  c.fix_max_pending_per_address = 4;
  c.fix_max_pending_logons = 6;
  c.fix_logon_timeout_ms = 60000;
  start(c);
  FixClient member("MEMBER1", server_->fix_port(), "127.0.0.3");
  ASSERT_TRUE(member.logon("member1", "member1-pass"));
  RawSockets first;
  ASSERT_EQ(first.open(10, "127.0.0.3", server_->fix_port()), 10);
  wait_accepted(11);
  FixListenerStats s = server_->fix_listener_stats();
  EXPECT_EQ(s.pending, 4u);  // the member is not pending and not counted for its address
  EXPECT_EQ(s.displaced, 6u);
  EXPECT_EQ(s.connections, 5u);
  // The six oldest were closed, the four newest are open.
  for (std::size_t i = 0; i < 6; ++i)
    EXPECT_TRUE(closed_by_peer(first.fd(i), 2000)) << i;
  for (std::size_t i = 6; i < 10; ++i)
    EXPECT_FALSE(closed_by_peer(first.fd(i), 50)) << i;
  RawSockets second;
  ASSERT_EQ(second.open(4, "127.0.0.4", server_->fix_port()), 4);
  wait_accepted(15);
  s = server_->fix_listener_stats();
  EXPECT_EQ(s.pending, 6u);  // overall limit: two of 127.0.0.3's made room
  EXPECT_EQ(s.displaced, 8u);
  member.send("1", {{112, "alive"}});
  EXPECT_TRUE(member.expect("0").has_value());
}

// --- descriptor exhaustion, with carbonxd as a child process ---------------------------------

std::string read_text(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::size_t count_of(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1))
    ++n;
  return n;
}

// utime + stime of a process, in seconds.
double cpu_seconds(pid_t pid) {
  std::string stat = read_text("/proc/" + std::to_string(pid) + "/stat");
  std::istringstream rest(stat.substr(stat.rfind(')') + 2));
  std::string field;
  unsigned long long utime = 0;
  unsigned long long stime = 0;
  for (int i = 3; i <= 15; ++i) {
    rest >> field;
    if (i == 14) utime = std::stoull(field);
    if (i == 15) stime = std::stoull(field);
  }
  return static_cast<double>(utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

std::size_t open_descriptors(pid_t pid) {
  std::size_t n = 0;
  for ([[maybe_unused]] const auto& e :
       fs::directory_iterator("/proc/" + std::to_string(pid) + "/fd"))
    ++n;
  return n;
}

class DescriptorExhaustion : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::fresh_test_dir("cx_emfile");
    fix_port_ = testing::free_port();
    op_port_ = testing::free_port();
    std::ofstream cfg(dir_ / "carbonxd.toml");
    cfg << "[server]\npassword_hash = \"minimum\"\ndata_dir = \"" << (dir_ / "data").string()
        << "\"\nfix_bind = \"127.0.0.1\"\n"
        << "fix_port = " << fix_port_ << "\noperator_port = " << op_port_
        << "\ndurability = \"no_sync\"\n"
        << "fix_logon_timeout_ms = 60000\nfix_max_pending_per_address = 100000\n"
        << "fix_max_pending_logons = 100000\n"
        << "instruments = \"" << CARBONX_GATEWAY_CONFIG_DIR << "/instruments.toml\"\n"
        << "[schedule]\nenabled = false\n"
        << "[[member]]\nid = 1\ncomp_id = \"MEMBER1\"\nusername = \"member1\"\npassword = "
        << "\"member1-pass\"\naccounts = [1001]\n";
    cfg.close();
    ASSERT_EQ(testing::init_exchange(dir_ / "carbonxd.toml", dir_ / "carbonxd.log"), 0);
    ASSERT_TRUE(write_operator_token((dir_ / "data").string(), kToken).ok());
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string log() const { return read_text(dir_ / "carbonxd.log"); }
  int status() const { return operator_call(op_port_, kToken, "query.status", "{}").first; }

  fs::path dir_;
  std::uint16_t fix_port_ = 0;
  std::uint16_t op_port_ = 0;
};

// The process runs out of descriptors while connections keep coming: accepting pauses (one log
// line), the I/O thread does not spin, and when descriptors free up the server accepts again:
// the operator API answers and a member logs on.
TEST_F(DescriptorExhaustion, AcceptPausesWithoutSpinningAndResumes) {
  testing::CarbonxdChild child(dir_ / "carbonxd.toml", dir_ / "carbonxd.log");
  ASSERT_TRUE(testing::wait_for_port(op_port_));
  ASSERT_EQ(status(), 200);
  // Lower the running server's descriptor limit (the soft one) to just above what it holds.
  rlimit before{};
  ASSERT_EQ(::prlimit(child.pid(), RLIMIT_NOFILE, nullptr, &before), 0);
  const rlimit lim{open_descriptors(child.pid()) + 8, before.rlim_max};
  ASSERT_EQ(::prlimit(child.pid(), RLIMIT_NOFILE, &lim, nullptr), 0);
  RawSockets flood;
  ASSERT_EQ(flood.open(60, "127.0.0.2", fix_port_), 60);  // the kernel queues what it cannot take
  ASSERT_TRUE(eventually([&] { return count_of(log(), "FIX acceptor: accept failed") == 1; }))
      << log();
  const double cpu0 = cpu_seconds(child.pid());
  std::this_thread::sleep_for(std::chrono::seconds(2));
  const double cpu = cpu_seconds(child.pid()) - cpu0;
  EXPECT_LT(cpu, 0.5) << "the I/O thread spins on accept";  // a spin costs ~2 s of CPU here
  EXPECT_EQ(count_of(log(), "FIX acceptor: accept failed"), 1u) << log();  // logged once
  // Descriptors come back: the idle connections go, and the server accepts again.
  flood.close_all();
  ASSERT_EQ(::prlimit(child.pid(), RLIMIT_NOFILE, &before, nullptr), 0);
  ASSERT_TRUE(eventually([&] { return count_of(log(), "FIX acceptor: accepting again") == 1; }))
      << log();
  EXPECT_EQ(status(), 200);
  FixClient member("MEMBER1", fix_port_);
  EXPECT_TRUE(member.logon("member1", "member1-pass"));
  EXPECT_EQ(child.kill(SIGTERM), 0);
}

// A descriptor limit lower than max_sessions: the FIX listener keeps to what the limit leaves
// (said once at start), so a flood of connections never takes the descriptors the operator API
// needs, and a member still logs on (an idle connection makes room).
TEST_F(DescriptorExhaustion, TheOperatorApiKeepsAnsweringUnderAConnectionFlood) {
  testing::CarbonxdChild child(dir_ / "carbonxd.toml", dir_ / "carbonxd.log", 256);
  ASSERT_TRUE(testing::wait_for_port(op_port_));
  EXPECT_EQ(count_of(log(), "the descriptor limit (256) allows"), 1u) << log();
  RawSockets flood;
  ASSERT_EQ(flood.open(400, "127.0.0.2", fix_port_), 400);
  const double cpu0 = cpu_seconds(child.pid());
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(status(), 200);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_LT(cpu_seconds(child.pid()) - cpu0, 0.5);
  FixClient member("MEMBER1", fix_port_);
  EXPECT_TRUE(member.logon("member1", "member1-pass"));
  EXPECT_EQ(count_of(log(), "accept failed"), 0u) << log();  // the budget, not EMFILE
  EXPECT_EQ(child.kill(SIGTERM), 0);
}

}  // namespace
}  // namespace carbonx::gateway
