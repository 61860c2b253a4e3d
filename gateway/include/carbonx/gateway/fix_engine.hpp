#pragma once
// FixEngine: QuickFIX sessions without QuickFIX's sockets. QuickFIX 1.15.1's socket acceptors use
// select() and fail past 1,024 descriptors; carbonx needs >= 2,000 sessions, so the server carries
// the bytes with Boost.Asio and hands them here. QuickFIX does the session protocol (logon,
// sequence numbers, heartbeats, resend, the message store) and the parsing; the translation turns
// application messages into FixRequest and FixReply back into FIX.
//
// Valid C++14; no QuickFIX type in this interface (built into carbonx::fixadapter).
//
// Threading: on_bytes/on_closed for one connection come from one thread at a time (its Asio
// strand); send() and tick() may be called from any thread. Each session is guarded by its own
// mutex, so the handler's callbacks run with that session's lock held: they must not block on
// anything that waits for another session's callbacks (enqueue and return).

#include <cstdint>
#include <memory>
#include <string>

#include "carbonx/gateway/fix_types.hpp"

namespace carbonx {
namespace gateway {

using SessionIndex = std::uint32_t;
constexpr SessionIndex kNoSession = 0xffffffffu;

// The byte carrier of one TCP connection (implemented by the server with Asio).
class FixTransport {
 public:
  virtual ~FixTransport() = default;
  // Queues bytes for writing. Any thread; must not call back into FixEngine.
  virtual void write(const std::string& bytes) = 0;
  // Closes the connection asynchronously (idempotent). The server then calls on_closed().
  virtual void close() = 0;
};

class FixEngineHandler {
 public:
  virtual ~FixEngineHandler() = default;
  // A Logon for `session`: return "" to accept, else the refusal text sent in the Logout(58).
  virtual std::string authenticate(SessionIndex session, const std::string& username,
                                   const std::string& password) = 0;
  virtual void on_logon(SessionIndex session) = 0;
  virtual void on_logout(SessionIndex session) = 0;
  // A translated application request, in MsgSeqNum order per session.
  virtual void on_request(SessionIndex session, const FixRequest& request) = 0;
};

struct FixEngineConfig {
  std::string dictionary_path;      // gateway/spec/FIX44-carbonx.xml
  std::string store_dir;            // QuickFIX FileStore: sequence numbers and sent messages
  bool memory_store = false;        // true: keep them in memory only (no resend across restarts)
  std::string comp_id = "CARBONX";  // our SenderCompID
  std::size_t max_message_bytes = 65536;  // a larger inbound frame closes the connection
};

class FixConnection;

class FixEngine {
 public:
  // nullptr and *error if the dictionary or the store directory cannot be used.
  static std::unique_ptr<FixEngine> create(const FixEngineConfig& config, FixEngineHandler* handler,
                                           std::string* error);
  ~FixEngine();
  FixEngine(const FixEngine&) = delete;
  FixEngine& operator=(const FixEngine&) = delete;

  // Before any connection: the session of one member (their SenderCompID). Loads its stored
  // sequence numbers and messages. Returns its index (0, 1, 2, ...), or kNoSession and *error
  // when its session log cannot be opened or is damaged (the sentence names the file and what is
  // wrong); with error null that aborts, naming it.
  SessionIndex add_session(const std::string& member_comp_id, std::string* error = nullptr);
  std::size_t session_count() const;
  const std::string& member_comp_id(SessionIndex session) const;

  // A new TCP connection. The FixConnection lives until on_closed().
  FixConnection* open(FixTransport* transport);
  // Bytes read from `connection`. Returns false if the connection must be closed (not FIX,
  // oversized frame, unknown CompID, session already connected); a reason was sent if possible.
  // All frames of one call are one store batch (like deliver_begin/end): their session-store
  // writes are made with one write() per store before return, and what QuickFIX sent meanwhile
  // (logon replies, rejects) is written to the connection after that.
  bool on_bytes(FixConnection* connection, const char* data, std::size_t size);
  // The transport is closed: the session (if any) is disconnected and `connection` freed.
  void on_closed(FixConnection* connection);
  // True once `connection` carries a logged-on session (its Logon was accepted). The
  // connection's own thread (as on_bytes).
  bool connection_logged_on(const FixConnection* connection) const;

  // Sends an application message on a session. If the session is not connected the message is
  // still stored and numbered, so the member gets it on resend. Returns false only if QuickFIX
  // refused it (e.g. its store failed).
  bool send(SessionIndex session, const FixReply& reply);
  // The sender thread's delivery batch: between deliver_begin() and deliver_end() the messages
  // sent on this thread are stored with one write per session store at deliver_end(), and only
  // then written to the connections (stored before sent, far fewer writes than one per message).
  void deliver_begin();
  void deliver_end();
  // Logs the member out (e.g. on shutdown) with a reason.
  void logout(SessionIndex session, const std::string& reason);
  bool is_logged_on(SessionIndex session) const;
  // Sequence numbers the session expects next (tests, operator queries).
  int next_sender_seq(SessionIndex session) const;
  int next_target_seq(SessionIndex session) const;
  // Garbled messages ignored on logged-on connections since start (bad BodyLength or CheckSum, a
  // field without '=', bytes that are not FIX). The first of each run is also logged on stderr
  // with the session's CompID. Any thread.
  std::uint64_t garbled_total() const;

  // Once a second: heartbeats, test requests, logon and logout timeouts; and a session store
  // that could not write tries again.
  void tick();

  // True while a session store cannot write (the disk is full, ...): its messages are kept in
  // memory (and sent), written once it can; the exchange refuses state changes meanwhile. Any
  // thread; cheap (an atomic).
  bool store_failing() const;
  // Which store and why ("<path>: No space left on device"); "" when every store writes.
  std::string store_problem() const;

 private:
  FixEngine();
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace gateway
}  // namespace carbonx
