#pragma once
// The FIX byte carrier: a Boost.Asio TCP acceptor whose connections feed FixEngine (QuickFIX's
// own acceptors use select() and stop at 1,024 descriptors). One io_context; reads and writes
// are asynchronous; writes may be queued from any thread (the sender thread's replies).
//
// Limits: max_connections concurrent connections (the excess is closed at once);
// max_pending_write_bytes per connection (a member that does not read is disconnected).

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "carbonx/gateway/fix_engine.hpp"

namespace carbonx::gateway {

// Checks a connection's first message (the Logon) before it reaches the FIX session, off the I/O
// thread (a salted, iterated password hash takes milliseconds: 2,000 logons at once must not stall
// the sessions already trading). precheck() must eventually call resume() exactly once, from any
// thread.
class LogonPrecheck {
 public:
  virtual ~LogonPrecheck() = default;
  virtual void precheck(const std::string& logon_frame, std::function<void()> resume) = 0;
};

struct FixListenerConfig {
  std::string bind_address = "0.0.0.0";
  std::uint16_t port = 9878;  // 0: an ephemeral port (tests)
  std::uint32_t max_connections = 4096;
  std::size_t max_pending_write_bytes = std::size_t{32} << 20;
  LogonPrecheck* precheck = nullptr;  // optional
};

class FixListener {
 public:
  FixListener(boost::asio::io_context& io, FixEngine& engine, FixListenerConfig config);
  ~FixListener();
  FixListener(const FixListener&) = delete;
  FixListener& operator=(const FixListener&) = delete;

  // Binds and starts accepting. false and *error on failure (port in use, ...).
  bool start(std::string* error);
  // Stops accepting new connections (existing ones stay until closed).
  void stop_accepting();
  // Closes every connection (their sessions are disconnected).
  void close_all();
  // After the io_context has stopped: finishes every connection still open on this thread, so
  // no FIX session keeps a pointer to a connection that is about to be destroyed.
  void finish_all_stopped();
  std::uint16_t port() const { return port_; }
  std::size_t connection_count() const;

  class Connection;

 private:
  void accept_next();
  void forget(Connection* c);

  boost::asio::io_context& io_;
  FixEngine& engine_;
  FixListenerConfig config_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::uint16_t port_ = 0;
  mutable std::mutex mutex_;
  std::set<std::shared_ptr<Connection>> connections_;
};

}  // namespace carbonx::gateway
