#pragma once
// Test helper: real etcd members on loopback, free ports, a temporary data directory, stopped and
// removed at the end. Single member or a cluster of n members. No sleeps as assertions: start()
// polls with a bound until each member answers.

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "carbonx/replica/etcd_client.hpp"

namespace carbonx::replica::testing {

inline std::string find_etcd() {
  for (const char* p : {"/usr/bin/etcd", "/usr/local/bin/etcd"}) {
    if (::access(p, X_OK) == 0) return p;
  }
  return {};
}

// A port the kernel reports free on 127.0.0.1; the socket is kept open until release() so that
// the ports picked together differ.
class PortPicker {
 public:
  std::uint16_t pick() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    EXPECT_GE(fd, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    socklen_t len = sizeof a;
    EXPECT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len), 0);
    fds_.push_back(fd);
    return ntohs(a.sin_port);
  }
  void release() {
    for (const int fd : fds_)
      ::close(fd);
    fds_.clear();
  }
  ~PortPicker() { release(); }

 private:
  std::vector<int> fds_;
};

class EtcdCluster {
 public:
  struct Member {
    std::string name;
    std::uint16_t client_port = 0;
    std::uint16_t peer_port = 0;
    pid_t pid = -1;
  };

  // Starts `n` members and waits (bounded) until every one answers. Fails the test (fatal) when
  // etcd is not installed.
  explicit EtcdCluster(int n = 1) {
    etcd_ = find_etcd();
    if (etcd_.empty()) {
      ADD_FAILURE() << "etcd is not installed: install Debian's etcd-server "
                       "(scripts/setup-deps.sh installs it)";
      return;
    }
    char tmpl[] = "/tmp/carbonx-etcd-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    PortPicker ports;
    for (int i = 0; i < n; ++i) {
      std::string name = "m";  // not "m" + ...: GCC 12 warns falsely (-Wrestrict) on it
      name += std::to_string(i);
      members_.push_back(Member{name, ports.pick(), ports.pick(), -1});
    }
    for (const auto& m : members_) {
      if (!cluster_.empty()) cluster_ += ",";
      cluster_ += m.name + "=http://127.0.0.1:" + std::to_string(m.peer_port);
    }
    ports.release();
    for (std::size_t i = 0; i < members_.size(); ++i)
      start_member(i, /*fresh=*/true);
    for (std::size_t i = 0; i < members_.size(); ++i)
      wait_ready(i);
  }

  ~EtcdCluster() {
    for (std::size_t i = 0; i < members_.size(); ++i)
      stop_member(i);
    if (dir_.empty()) return;
    if (::testing::Test::HasFailure()) {  // the members' logs tell why
      std::fprintf(stderr, "etcd data and logs kept in %s\n", dir_.c_str());
    } else {
      std::filesystem::remove_all(dir_);
    }
  }

  bool ok() const { return !etcd_.empty(); }
  const Member& member(std::size_t i) const { return members_.at(i); }
  std::size_t size() const { return members_.size(); }

  EtcdClient client(std::size_t i = 0,
                    std::chrono::milliseconds timeout = std::chrono::milliseconds(5000)) const {
    return EtcdClient("127.0.0.1", members_.at(i).client_port, timeout);
  }

  void stop_member(std::size_t i) {
    Member& m = members_.at(i);
    if (m.pid <= 0) return;
    ::kill(m.pid, SIGKILL);
    int status = 0;
    ::waitpid(m.pid, &status, 0);
    m.pid = -1;
  }

  // Restarts a stopped member on its data directory and waits until it answers.
  void restart_member(std::size_t i) {
    start_member(i, /*fresh=*/false);
    wait_ready(i);
  }

 private:
  void start_member(std::size_t i, bool fresh) {
    Member& m = members_.at(i);
    const std::string client = "http://127.0.0.1:" + std::to_string(m.client_port);
    const std::string peer = "http://127.0.0.1:" + std::to_string(m.peer_port);
    const std::string data = dir_ + "/" + m.name;
    const std::string log = dir_ + "/" + m.name + ".log";
    std::vector<std::string> args = {
        etcd_,
        "--name=" + m.name,
        "--data-dir=" + data,
        "--listen-client-urls=" + client,
        "--advertise-client-urls=" + client,
        "--listen-peer-urls=" + peer,
        "--initial-advertise-peer-urls=" + peer,
        "--initial-cluster=" + cluster_,
        "--initial-cluster-state=" + std::string(fresh ? "new" : "existing"),
        "--initial-cluster-token=carbonx-test",
        "--heartbeat-interval=50",
        "--election-timeout=500"};
    const pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      std::FILE* f = std::freopen(log.c_str(), "a", stdout);
      (void)f;
      ::dup2(::fileno(stdout), 2);
      std::vector<char*> argv;
      for (auto& a : args)
        argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execv(argv[0], argv.data());
      std::_Exit(127);
    }
    m.pid = pid;
  }

  void wait_ready(std::size_t i) {
    auto c = client(i, std::chrono::milliseconds(1000));
    for (int attempt = 0; attempt < 300; ++attempt) {  // at most ~30 s
      if (c.range("carbonx-test-ready")) return;
      int status = 0;
      if (::waitpid(members_.at(i).pid, &status, WNOHANG) == members_.at(i).pid) {
        members_.at(i).pid = -1;
        FAIL() << "etcd member " << members_.at(i).name << " exited; see " << dir_;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    FAIL() << "etcd member " << members_.at(i).name << " did not answer within 30 s";
  }

  std::string etcd_;
  std::string dir_;
  std::string cluster_;
  std::vector<Member> members_;
};

}  // namespace carbonx::replica::testing
