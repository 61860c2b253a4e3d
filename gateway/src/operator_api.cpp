#include "carbonx/gateway/operator_api.hpp"

#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <optional>
#include <type_traits>

#include "accept_pause.hpp"
#include "carbonx/gateway/operator_verbs.hpp"
#include "carbonx/gateway/server.hpp"

namespace carbonx::gateway {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using json = nlohmann::json;

// One HTTP connection. Session is what the sequencer's reply reaches (complete()); the stream
// under it is TCP or TLS (operator_tls): StreamSession<Stream>.
class OperatorApi::Session : public std::enable_shared_from_this<Session> {
 public:
  explicit Session(OperatorApi& api) : api_(api) {}
  virtual ~Session() {
    std::lock_guard lock(api_.mutex_);
    --api_.connections_;
  }
  virtual void start() = 0;
  virtual void reply(std::uint32_t status, std::string body) = 0;

 protected:
  template <class Fields>
  bool authorized(const http::request_header<Fields>& h) const {
    const std::string auth(h[http::field::authorization]);
    return auth.rfind("Bearer ", 0) == 0 && api_.token_.matches(auth.substr(7));
  }
  // A request without the token is answered before its body is read (and the connection closed:
  // the body is not read), so only an operator can make the server hold a large body.
  void refuse_unauthorized() {
    keep_alive_ = false;
    reply(401, json{{"ok", false}, {"error", "missing or wrong bearer token"}}.dump());
  }
  // A body over kMaxBodyBytes: refused without reading it, the connection closed after.
  void refuse_too_large() {
    keep_alive_ = false;
    reply(413, json{{"ok", false},
                    {"error", "request body over " +
                                  std::to_string(OperatorApi::kMaxBodyBytes / (1024 * 1024)) +
                                  " MiB, the operator API's limit: nothing was done"}}
                   .dump());
  }

  void handle(http::request<http::string_body> req) {
    keep_alive_ = req.keep_alive();
    if (!authorized(req)) return refuse_unauthorized();
    const std::string target(req.target());
    if (req.method() != http::verb::post || target.rfind("/v1/", 0) != 0) {
      return reply(404, json{{"ok", false}, {"error", "use POST /v1/<verb>"}}.dump());
    }
    // The body is parsed here, once, into the verb's typed request (the verb table); a refusal
    // is answered at once and changes nothing.
    auto parsed = parse_operator_request(api_.server_.operator_edge(),
                                         std::string_view(target).substr(4), req.body());
    if (!parsed.ok()) {
      OperatorReply refusal = parsed.error();
      return reply(refusal.http_status, std::move(refusal.json));
    }
    if (verbs::meta_of(parsed.value()).route == verbs::Route::kMembers) {
      if (api_.server_.config().read_only && !verbs::meta_of(parsed.value()).query) {
        return reply(503, json{{"ok", false},
                               {"error",
                                "exchange is read-only (carbonxd "
                                "--read-only): the members file is not "
                                "changed"}}
                              .dump());
      }
      if (!verbs::meta_of(parsed.value()).query) {
        if (std::string why = api_.server_.replica_refusal(); !why.empty()) {
          return reply(503, json{{"ok", false}, {"error", why}}.dump());
        }
      }
      OperatorReply r = apply_member_verb(api_.server_.members(), parsed.value());
      return reply(r.http_status, std::move(r.json));
    }
    if (verbs::meta_of(parsed.value()).needs_approval) {
      // The bearer token is the direct, break-glass path: no second approval (the console's
      // four eyes: gateway/src/console/README.md). Said in carbonxd's log.
      std::fprintf(stderr,
                   "carbonxd: operator API (bearer token, no four-eyes approval): %s %.200s\n",
                   std::string(verbs::meta_of(parsed.value()).name).c_str(),
                   verbs::to_json(parsed.value()).c_str());
    }
    std::uint64_t ticket = 0;
    {
      std::lock_guard lock(api_.mutex_);
      ticket = api_.next_ticket_++;
      api_.waiting_[ticket] = shared_from_this();
    }
    Inbound in;
    in.item = OperatorRequest{ticket, std::move(parsed.value())};
    if (!api_.server_.submit(std::move(in))) {
      std::lock_guard lock(api_.mutex_);
      api_.waiting_.erase(ticket);
      return reply(503, json{{"ok", false}, {"error", "system busy or stopping"}}.dump());
    }
  }

  OperatorApi& api_;
  bool keep_alive_ = false;
};

namespace {

using TlsStream = beast::ssl_stream<beast::tcp_stream>;
constexpr auto kHandshakeTimeout = std::chrono::seconds(10);
// The most a TLS session's close waits for the peer's close_notify (close()).
constexpr auto kTlsShutdownWait = std::chrono::seconds(1);

template <typename Stream>
class StreamSession final : public OperatorApi::Session {
 public:
  template <typename... Args>
  StreamSession(OperatorApi& api, Args&&... args)
      : Session(api), stream_(std::forward<Args>(args)...) {}

  void start() override {
    if constexpr (std::is_same_v<Stream, TlsStream>) {
      // A client that does not speak TLS (plaintext HTTP on this port) fails here and is closed.
      beast::get_lowest_layer(stream_).expires_after(kHandshakeTimeout);
      stream_.async_handshake(ssl::stream_base::server,
                              [self = shared(this)](beast::error_code ec) {
                                if (ec) return self->close();
                                beast::get_lowest_layer(self->stream_).expires_never();
                                self->tls_open_ = true;
                                self->read();
                              });
    } else {
      read();
    }
  }

  void reply(std::uint32_t status, std::string body) override {
    auto res =
        std::make_shared<http::response<http::string_body>>(static_cast<http::status>(status), 11);
    res->set(http::field::content_type, "application/json");
    res->keep_alive(keep_alive_);
    res->body() = std::move(body);
    res->prepare_payload();
    http::async_write(stream_, *res, [self = shared(this), res](beast::error_code ec, std::size_t) {
      if (ec || !self->keep_alive_) return self->close();
      self->read();
    });
  }

 private:
  static std::shared_ptr<StreamSession> shared(StreamSession* s) {
    return std::static_pointer_cast<StreamSession>(s->shared_from_this());
  }

  // The header first: the token is checked before the body is read. A Content-Length over the
  // limit fails the header (body_limit): refused without reading the body.
  void read() {
    parser_.emplace();
    parser_->body_limit(OperatorApi::kMaxBodyBytes);
    http::async_read_header(stream_, buffer_, *parser_,
                            [self = shared(this)](beast::error_code ec, std::size_t) {
                              if (ec == http::error::body_limit) {
                                if (!self->authorized(self->parser_->get())) {
                                  return self->refuse_unauthorized();
                                }
                                return self->refuse_too_large();
                              }
                              if (ec) return;
                              self->read_body();
                            });
  }
  void read_body() {
    if (!authorized(parser_->get())) return refuse_unauthorized();
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared(this)](beast::error_code ec, std::size_t) {
                       if (ec == http::error::body_limit) return self->refuse_too_large();
                       if (ec) return;
                       self->handle(self->parser_->release());
                     });
  }

  // Over TLS (handshake done) the session ends with close_notify, waiting at most
  // kTlsShutdownWait for the client's; then, or without TLS, the socket is shut down.
  void close() {
    if constexpr (std::is_same_v<Stream, TlsStream>) {
      if (tls_open_) {
        tls_open_ = false;
        beast::get_lowest_layer(stream_).expires_after(kTlsShutdownWait);
        stream_.async_shutdown([self = shared(this)](beast::error_code) { self->close(); });
        return;
      }
    }
    beast::error_code ignored;
    beast::get_lowest_layer(stream_).socket().shutdown(tcp::socket::shutdown_both, ignored);
  }

  Stream stream_;
  bool tls_open_ = false;  // TLS handshake done, no close_notify sent yet
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
};

}  // namespace

OperatorApi::OperatorApi(asio::io_context& io, Server& server, std::uint16_t port,
                         std::string token_file, std::shared_ptr<ssl::context> tls)
    : io_(io),
      server_(server),
      requested_port_(port),
      token_(std::move(token_file)),
      tls_(std::move(tls)),
      acceptor_(io),
      pause_(std::make_unique<AcceptPause>(io, "operator API")) {}

OperatorApi::~OperatorApi() = default;

bool OperatorApi::start(std::string* error) {
  boost::system::error_code ec;
  const tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), requested_port_);
  acceptor_.open(ep.protocol(), ec);
  if (!ec) acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor_.bind(ep, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    *error = "operator API cannot listen on 127.0.0.1:" + std::to_string(requested_port_) + ": " +
             ec.message();
    return false;
  }
  port_ = acceptor_.local_endpoint().port();
  accept_next();
  return true;
}

void OperatorApi::stop() {
  asio::post(io_, [this] {
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    pause_->cancel();
  });
}

void OperatorApi::accept_next() {
  acceptor_.async_accept([this](boost::system::error_code ec, tcp::socket socket) {
    if (ec) {
      if (!acceptor_.is_open()) return;
      if (pause_->on_error(ec, [this] {
            if (acceptor_.is_open()) accept_next();
          })) {
        return;
      }
      return accept_next();
    }
    pause_->on_accepted();
    bool admit = false;
    {
      std::lock_guard lock(mutex_);
      admit = connections_ < kMaxConnections;
      if (admit) ++connections_;
    }
    if (admit && tls_) {
      std::make_shared<StreamSession<TlsStream>>(*this, std::move(socket), *tls_)->start();
    } else if (admit) {
      std::make_shared<StreamSession<beast::tcp_stream>>(*this, std::move(socket))->start();
    }
    accept_next();
  });
}

void OperatorApi::complete(std::uint64_t ticket, std::uint32_t http_status, std::string body) {
  std::shared_ptr<Session> s;
  {
    std::lock_guard lock(mutex_);
    const auto it = waiting_.find(ticket);
    if (it == waiting_.end()) return;
    s = it->second;
    waiting_.erase(it);
  }
  if (!s) return;
  asio::post(io_, [s, http_status, body = std::move(body)]() mutable {
    s->reply(http_status, std::move(body));
  });
}

}  // namespace carbonx::gateway
