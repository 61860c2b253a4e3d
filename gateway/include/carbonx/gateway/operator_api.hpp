#pragma once
// The operator API: HTTP/1.1 + JSON on 127.0.0.1 (Boost.Beast), every request authenticated with
// "Authorization: Bearer <token>", the token in <data_dir>/operator.token (operator_token.hpp:
// made at the first start, checked again at every request so a rotation takes effect at once).
// One verb per path: POST /v1/<verb> with a JSON body.
//
// The verbs are the rows of the one verb table, gateway/verbs/ (carbonx::verbs; `cxctl verb list`
// prints it with every body's fields). This thread parses the body ONCE into the verb's typed
// request (operator_verbs.hpp): an unknown verb answers 404, a malformed body 400 ("bad request
// body: <verb>: <field>: <problem>"), and nothing changes. Only the typed request crosses the
// sequencer's queue (OperatorRequest); the core thread dispatches it through the table's
// handlers. Bodies and replies: gateway/README.md ("Operator verbs", "Off-book trading").
//
// State verbs go through the sequencer like FIX orders: the HTTP reply is written only after the
// batch holding the change is durable. Member verbs (member.list | add | set_password)
// change the gateway's members file directly on this thread (credentials: not exchange state); a
// new member's FIX session exists from the next start. A member's authority over accounts is
// exchange state (authority.grant | revoke, journaled through the sequencer).
//
// TLS ([server] operator_tls, tls.hpp): with a context every connection is HTTPS; a connection
// whose handshake fails (plaintext HTTP, a client that refuses the certificate) or does not
// complete it within 10 s is closed without an answer.
//
// Limits: kMaxBodyBytes per request body (large enough for the bulk verbs' files: an allocation's
// facility file of tens of thousands of units; a larger body is answered 413 without being
// read, and nothing is done), kMaxConnections concurrent connections. A request without the
// bearer token is answered 401 from its header, before its body is read.
// Thread-safety: runs on the server's io_context; complete() may be called from any thread.

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "carbonx/gateway/operator_token.hpp"

namespace carbonx::gateway {

class Server;
class AcceptPause;

class OperatorApi {
 public:
  static constexpr std::size_t kMaxBodyBytes = 16 * 1024 * 1024;
  static constexpr std::size_t kMaxConnections = 64;

  // `token_file`: the file holding the bearer token (read again whenever it changes).
  // `tls`: null for plaintext HTTP, else HTTPS with this server context.
  OperatorApi(boost::asio::io_context& io, Server& server, std::uint16_t port,
              std::string token_file, std::shared_ptr<boost::asio::ssl::context> tls = nullptr);
  ~OperatorApi();
  bool start(std::string* error);
  void stop();
  std::uint16_t port() const { return port_; }

  // The reply to a request that went through the sequencer (sender thread).
  void complete(std::uint64_t ticket, std::uint32_t http_status, std::string json);

  class Session;

 private:
  void accept_next();
  friend class Session;

  boost::asio::io_context& io_;
  Server& server_;
  std::uint16_t requested_port_;
  std::uint16_t port_ = 0;
  OperatorTokenFile token_;
  std::shared_ptr<boost::asio::ssl::context> tls_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::unique_ptr<AcceptPause> pause_;  // accept() short of descriptors: wait, do not spin
  std::mutex mutex_;
  std::uint64_t next_ticket_ = 1;
  std::map<std::uint64_t, std::shared_ptr<Session>> waiting_;  // kept alive until replied
  std::size_t connections_ = 0;
};

}  // namespace carbonx::gateway
