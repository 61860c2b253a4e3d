#pragma once
// The operator console's HTTP server inside carbonxd (gateway/src/console/README.md): the built
// web folder (vite build) as static files, and the console's API:
//
//   POST /api/login   {"user", "password", "code"}   password + TOTP; sets the session cookie,
//                                                     answers {"user", "role", "csrf", ...}
//   POST /api/logout                                  ends the session (and its event streams)
//   GET  /api/me                                      the session's user and CSRF token, or 401
//   GET  /api/events                                  server-sent events: "book" per instrument
//                                                     (BookFeed views), first all, then changes;
//                                                     "alert" per new surveillance alert
//   GET  /api/alerts                                  the recent alerts, newest first (AlertFeed)
//   POST /api/verb/<verb>  JSON body                  one verb of the verb table, as POST
//   /v1/<verb>
//                                                     of the operator API: parsed once, the typed
//                                                     request through the sequencer; 403 when the
//                                                     role may not (RolePolicy); a verb that
//                                                     needs approval: 202, a pending request
//   GET  /api/approvals                               the four-eyes requests (approvals.hpp)
//   POST /api/approvals/<id>/approve | /reject        decide one; an approval runs its verb once
//
// Every POST needs the session cookie and its CSRF token in X-CSRF-Token (login excepted).
// Every login and action is written to the audit log before its answer. Logins are checked on a
// worker thread of their own (argon2id), not on the I/O thread. Plain HTTP on console_bind
// (loopback by default).
//
// Thread-safety: start()/stop() from the server's thread; complete() from the sender thread;
// everything else on the server's one I/O thread.

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/thread_pool.hpp>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "carbonx/gateway/console/alert_feed.hpp"
#include "carbonx/gateway/console/approvals.hpp"
#include "carbonx/gateway/console/audit.hpp"
#include "carbonx/gateway/console/book_feed.hpp"
#include "carbonx/gateway/console/sessions.hpp"
#include "carbonx/gateway/console/users.hpp"
#include "carbonx/verbs/verbs.hpp"

namespace carbonx::gateway {
class Server;
}

namespace carbonx::gateway::console {

// Which verbs a role may call from the console: an operator every verb of the table except
// the members file's; an approver and a read-only user the queries only; a firm officer the
// firm portal's verbs (portal_verb), for its own firm only (portal_scope).
bool role_may_call(Role role, const verbs::Meta& meta) noexcept;

// <data_dir>/console/users.json and audit.log.
std::string users_path(const std::string& data_dir);
std::string audit_path(const std::string& data_dir);
// The web folder: console_web_dir, or web/ beside the folder of the running binary.
std::string web_dir(const std::string& configured);

class ConsoleServer {
 public:
  static constexpr std::uint64_t kTicketBit = 1ULL << 63;  // tickets of the console's verbs
  static constexpr std::size_t kMaxBodyBytes = 64 * 1024;
  static constexpr std::size_t kMaxConnections = 64;
  static constexpr std::size_t kMaxSessions = 256;
  static constexpr std::size_t kMaxQueuedEvents = 4096;  // per stream; beyond it, closed

  ConsoleServer(boost::asio::io_context& io, Server& server);
  ~ConsoleServer();
  // Opens the users file and the audit log, binds console_bind:console_port.
  bool start(std::string* error);
  void stop();
  std::uint16_t port() const { return port_; }
  BookFeed& feed() { return feed_; }
  // The surveillance alerts of `exchange`'s instruments (made by the server's seed, before the
  // sequencer starts; null until then).
  AlertFeed& watch(const ExchangeConfig& exchange);
  AlertFeed* alerts() { return alerts_.get(); }
  // Runs `request` through the sequencer for the firm portal (portal.hpp); done(status, json)
  // on the I/O thread. False when the system is busy or stopping (done is never called).
  bool submit(verbs::Request request, std::function<void(std::uint32_t, std::string)> done);
  // The reply to a console verb that went through the sequencer (sender thread).
  void complete(std::uint64_t ticket, std::uint32_t http_status, std::string json);

  class Connection;

 private:
  friend class Connection;
  struct Waiting {
    std::shared_ptr<Connection> connection;
    std::string user;
    std::string verb;
    std::uint64_t approval_id = 0;  // the four-eyes request this command carries out, if any
    std::function<void(std::uint32_t, std::string)> done;  // set: a portal step's continuation
  };
  void accept_next();
  // Sender thread -> every stream, on the I/O thread: a server-sent event of this name.
  void publish(std::string_view event, const std::string& data);
  // "event: approvals" {"id", "state"} to every stream (any thread): the page asks for the list.
  void publish_approval(const Approval& a);

  boost::asio::io_context& io_;
  Server& server_;
  std::string web_dir_;
  std::unique_ptr<UserStore> users_;
  std::unique_ptr<AuditLog> audit_;
  std::unique_ptr<ApprovalStore> approvals_;
  SessionTable sessions_;
  BookFeed feed_;
  std::unique_ptr<AlertFeed> alerts_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::unique_ptr<boost::asio::thread_pool> login_pool_;
  std::uint16_t port_ = 0;
  std::mutex mutex_;
  std::uint64_t next_ticket_ = 1;
  std::map<std::uint64_t, Waiting> waiting_;
  // Connections open; shared with each connection, which may outlive the console at shutdown.
  std::shared_ptr<std::atomic<std::size_t>> connections_ =
      std::make_shared<std::atomic<std::size_t>>(0);
  std::vector<std::shared_ptr<Connection>> streams_;  // open event streams; I/O thread only
};

}  // namespace carbonx::gateway::console
