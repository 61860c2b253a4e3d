#pragma once
// The FIX byte carrier: a Boost.Asio TCP acceptor whose connections feed FixEngine (QuickFIX's
// own acceptors use select() and stop at 1,024 descriptors). One io_context; reads and writes
// are asynchronous; writes may be queued from any thread (the sender thread's replies).
//
// A connection is PENDING from accept until its FIX session is logged on, then a MEMBER
// connection. Pending connections are what a stranger can open, so they are limited apart:
//   - a Logon deadline: a pending connection whose first message (the Logon) has not arrived
//     within logon_timeout is closed (the time its password takes to check on the worker thread
//     is the server's, not counted);
//   - at most max_pending pending connections, at most max_pending_per_address from one address;
//   - at most max_connections connections in all, and never more than the process's descriptor
//     limit leaves (less reserved_descriptors for the operator API, the store and the logs).
// When a new connection would pass a limit, the OLDEST pending connection that has not sent a
// complete Logon yet (of the same address, for the per-address limit) is closed to make room; only
// if there is none is the new one closed at once. So idle sockets cannot keep a member out: a
// member's Logon arrives one round trip after its connect, before any later connection displaces
// it. Members are never displaced; each member has one session, so they need at most as many
// connections as there are members.
// An accept that fails for want of descriptors or memory pauses accepting (AcceptPause: one log
// line, retried every 100 ms) instead of spinning the I/O thread.
// max_pending_write_bytes per connection (a member that does not read is disconnected).
// With a TLS context (fix_tls, tls.hpp) every connection is TLS: the handshake comes first, within
// the Logon deadline; a connection whose handshake fails (a plaintext client on the TLS port, a
// client that does not trust the certificate) is closed and counted, nothing else is disturbed.
// TLS writes go through the I/O thread (an SSL stream is not shared between threads).

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "carbonx/gateway/fix_engine.hpp"

namespace carbonx::gateway {

class AcceptPause;

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
  std::uint16_t port = 9878;                   // 0: an ephemeral port (tests)
  std::uint32_t max_connections = 4096;        // pending and members together
  std::uint32_t max_pending = 256;             // connections not logged on yet
  std::uint32_t max_pending_per_address = 16;  // of those, from one IP address
  std::chrono::milliseconds logon_timeout{5000};
  std::uint32_t reserved_descriptors = 128;  // left to everything else in the process
  std::size_t max_pending_write_bytes = std::size_t{32} << 20;
  LogonPrecheck* precheck = nullptr;               // optional
  std::shared_ptr<boost::asio::ssl::context> tls;  // null: plaintext; else every connection TLS
};

// What the listener did (for the operator's status and tests). Any thread.
struct FixListenerStats {
  std::size_t connections = 0;  // open now
  std::size_t pending = 0;      // of those, not logged on yet
  std::uint64_t accepted = 0;   // connections accepted since start
  std::uint64_t logon_timeouts = 0;
  std::uint64_t displaced = 0;      // pending connections closed to make room for a new one
  std::uint64_t refused = 0;        // new connections closed at once (no pending one to displace)
  std::uint64_t accept_pauses = 0;  // accept failures for want of descriptors or memory
  std::uint64_t tls_refused = 0;    // connections closed because their TLS handshake failed
  std::uint32_t connection_limit = 0;  // max_connections, lowered to what descriptors allow
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
  FixListenerStats stats() const;

  class Connection;

 private:
  void accept_next();
  void on_accept(boost::system::error_code ec, boost::asio::ip::tcp::socket socket);
  // Makes room for one more pending connection from `address`: true if there is room (after
  // displacing the oldest idle pending connection where a limit is reached).
  bool make_room(const boost::asio::ip::address& address);
  Connection* oldest_idle(const boost::asio::ip::address* address) const;
  void promoted(Connection* c);  // its session logged on: no longer pending
  void forget(Connection* c);
  void note(const char* what, std::uint64_t* counter);  // counts; logs at most every 10 s

  boost::asio::io_context& io_;
  FixEngine& engine_;
  FixListenerConfig config_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::unique_ptr<AcceptPause> pause_;
  std::uint16_t port_ = 0;
  std::uint32_t connection_limit_ = 0;  // max_connections within the descriptor budget
  mutable std::mutex mutex_;
  std::set<std::shared_ptr<Connection>> connections_;
  // I/O thread only: pending connections in accept order, and their count per address.
  std::list<Connection*> pending_;
  std::map<boost::asio::ip::address, std::uint32_t> pending_by_address_;
  FixListenerStats stats_;  // counters under mutex_
  std::chrono::steady_clock::time_point last_note_{};
};

}  // namespace carbonx::gateway
