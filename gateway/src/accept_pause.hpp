#pragma once
// What an acceptor does when accept() fails: a descriptor or memory shortage (EMFILE, ENFILE,
// ENOBUFS, ENOMEM) pauses accepting for kRetry and says so ONCE per episode, instead of retrying
// at once — which spins the I/O thread at 100% (the failed connection stays in the kernel's
// backlog, so the next accept fails the same way) and starves every session and the operator
// API sharing that thread. The episode ends, with one more line, when accepts have succeeded for
// kSettle without another shortage (descriptors near the limit come and go: one accept may
// succeed between failures, which is not the end of the shortage). Any other error (the peer
// reset before we took it, ...) concerns one connection only: the caller accepts the next one
// at once.
//
// I/O thread only (the acceptor's).

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/system/error_code.hpp>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <string>

namespace carbonx::gateway {

class AcceptPause {
 public:
  static constexpr std::chrono::milliseconds kRetry{100};
  static constexpr std::chrono::milliseconds kSettle{1000};

  AcceptPause(boost::asio::io_context& io, std::string what)
      : timer_(io), settle_(io), what_(std::move(what)) {}

  // True if `ec` is a shortage: accepting pauses and `resume` runs after kRetry (unless
  // cancel()). False: the caller accepts the next connection itself.
  bool on_error(const boost::system::error_code& ec, std::function<void()> resume) {
    if (!is_shortage(ec)) return false;
    ++failures_;
    last_failure_ = std::chrono::steady_clock::now();  // still short: the episode goes on
    if (!paused_) {
      paused_ = true;
      since_ = std::chrono::steady_clock::now();
      std::fprintf(stderr,
                   "carbonxd: %s: accept failed: %s; new connections wait (retried every %lld "
                   "ms) until descriptors are free\n",
                   what_.c_str(), ec.message().c_str(), static_cast<long long>(kRetry.count()));
      std::fflush(stderr);
    }
    timer_.expires_after(kRetry);
    timer_.async_wait([resume = std::move(resume)](const boost::system::error_code& e) {
      if (!e) resume();
    });
    return true;
  }

  // An accept succeeded: the pause ends (one line) once kSettle has passed since the last
  // shortage with an accept after it.
  void on_accepted() {
    last_success_ = std::chrono::steady_clock::now();
    if (paused_ && !settling_) settle_after(kSettle);
  }

  void cancel() {
    timer_.cancel();
    settle_.cancel();
  }
  bool paused() const { return paused_; }

  void settle_after(std::chrono::steady_clock::duration wait) {
    settling_ = true;
    settle_.expires_after(wait);
    settle_.async_wait([this](const boost::system::error_code& e) {
      settling_ = false;
      if (e || !paused_ || last_success_ <= last_failure_) return;  // the next accept re-arms
      const auto now = std::chrono::steady_clock::now();
      if (now - last_failure_ < kSettle) return settle_after(kSettle - (now - last_failure_));
      paused_ = false;
      const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now - since_).count();
      std::fprintf(stderr, "carbonxd: %s: accepting again after %lld ms (%llu failed accepts)\n",
                   what_.c_str(), static_cast<long long>(ms),
                   static_cast<unsigned long long>(failures_));
      std::fflush(stderr);
      failures_ = 0;
    });
  }

  static bool is_shortage(const boost::system::error_code& ec) {
    if (ec.category() != boost::system::system_category()) return false;
    const int v = ec.value();
    return v == EMFILE || v == ENFILE || v == ENOBUFS || v == ENOMEM;
  }

 private:
  boost::asio::steady_timer timer_;   // the retry while short
  boost::asio::steady_timer settle_;  // the quiet time that ends an episode
  std::string what_;
  bool paused_ = false;
  bool settling_ = false;
  std::uint64_t failures_ = 0;
  std::chrono::steady_clock::time_point since_{};
  std::chrono::steady_clock::time_point last_failure_{};
  std::chrono::steady_clock::time_point last_success_{};
};

}  // namespace carbonx::gateway
