#pragma once
// A carbonxd child process for tests that crash, stop and restart the real server: started with
// a configuration file, its stdout and stderr appended to a log, SIGKILLed when the test forgets.
// The programs are the ones built beside the tests, or those $CARBONX_TEST_CARBONXD and
// $CARBONX_TEST_CXCTL name (ctest crash_replace_sanitized: the fuzz build's, under ASan/UBSan).

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio.hpp>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <thread>

namespace carbonx::gateway::testing {

inline const char* program_path(const char* env, const char* built) {
  const char* p = std::getenv(env);
  return p != nullptr && *p != '\0' ? p : built;
}
// The carbonxd a CarbonxdChild runs; the cxctl a test runs against it.
inline const char* carbonxd_path() {
  return program_path("CARBONX_TEST_CARBONXD", CARBONXD_PATH);
}
inline const char* cxctl_path() {
  return program_path("CARBONX_TEST_CXCTL", CXCTL_PATH);
}

class CarbonxdChild {
 public:
  // `max_descriptors` > 0: the child's RLIMIT_NOFILE (as `ulimit -n` would set it).
  CarbonxdChild(const std::filesystem::path& config, const std::filesystem::path& log,
                rlim_t max_descriptors = 0) {
    pid_ = ::fork();
    if (pid_ == 0) {
      if (max_descriptors > 0) {
        const rlimit lim{max_descriptors, max_descriptors};
        ::setrlimit(RLIMIT_NOFILE, &lim);
      }
      const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
      ::dup2(fd, 2);
      ::dup2(fd, 1);
      ::execl(carbonxd_path(), carbonxd_path(), "--config", config.c_str(), nullptr);
      ::_exit(127);
    }
  }
  CarbonxdChild(const CarbonxdChild&) = delete;
  CarbonxdChild& operator=(const CarbonxdChild&) = delete;
  ~CarbonxdChild() { kill(SIGKILL); }

  pid_t pid() const { return pid_; }

  // Sends `sig` and waits; returns the wait status (-1 when already reaped).
  int kill(int sig) {
    if (pid_ <= 0) return -1;
    ::kill(pid_, sig);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return status;
  }

 private:
  pid_t pid_ = -1;
};

// Runs `carbonxd --init --config <config>` (a new exchange in the configuration's data directory),
// its output appended to `log`. Returns its exit code (0: created), -1 if it did not exit.
inline int init_exchange(const std::filesystem::path& config, const std::filesystem::path& log) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    ::dup2(fd, 2);
    ::dup2(fd, 1);
    ::execl(carbonxd_path(), carbonxd_path(), "--init", "--config", config.c_str(), nullptr);
    ::_exit(127);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// A free loopback port (bound once and released; good enough for a test on one machine).
inline std::uint16_t free_port() {
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor a(
      io, boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
  return a.local_endpoint().port();
}

// Waits until something accepts on the loopback port: at most `tries` x 25 ms.
inline bool wait_for_port(std::uint16_t port, int tries = 400) {
  for (int i = 0; i < tries; ++i) {
    try {
      boost::asio::io_context io;
      boost::asio::ip::tcp::socket s(io);
      s.connect({boost::asio::ip::make_address("127.0.0.1"), port});
      return true;
    } catch (const std::exception&) {
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
  }
  return false;
}

}  // namespace carbonx::gateway::testing
