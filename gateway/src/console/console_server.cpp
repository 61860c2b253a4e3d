#include "carbonx/gateway/console/console_server.hpp"

#include <unistd.h>

#include <atomic>
#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <deque>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>

#include "carbonx/engine/assert.hpp"
#include "carbonx/gateway/console/portal.hpp"
#include "carbonx/gateway/operator_verbs.hpp"
#include "carbonx/gateway/server.hpp"

namespace carbonx::gateway::console {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using json = nlohmann::json;

bool role_may_call(Role role, const verbs::Meta& meta) noexcept {
  if (meta.route == verbs::Route::kMembers) return false;  // the members file: cxctl only
  switch (role) {
    case Role::kOperator:
      return true;
    case Role::kApprover:
    case Role::kReadOnly:
      return meta.query;
    case Role::kFirmOfficer:
      return portal_verb(meta);  // its own firm's only: portal_scope
  }
  return false;
}

std::string users_path(const std::string& data_dir) {
  return (std::filesystem::path(data_dir) / "console" / "users.json").string();
}

std::string audit_path(const std::string& data_dir) {
  return (std::filesystem::path(data_dir) / "console" / "audit.log").string();
}

std::string web_dir(const std::string& configured) {
  if (!configured.empty()) return configured;
  std::error_code ec;
  const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return "web";
  return (exe.parent_path().parent_path() / "web").string();
}

namespace {

std::int64_t unix_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string_view text(boost::beast::string_view v) {
  return std::string_view(v.data(), v.size());
}

std::string error_json(std::string_view text) {
  return json{{"ok", false}, {"error", std::string(text)}}.dump();
}

std::string content_type_of(const std::filesystem::path& p) {
  const std::string ext = p.extension().string();
  if (ext == ".html") return "text/html; charset=utf-8";
  if (ext == ".js") return "text/javascript; charset=utf-8";
  if (ext == ".css") return "text/css; charset=utf-8";
  if (ext == ".svg") return "image/svg+xml";
  if (ext == ".png") return "image/png";
  if (ext == ".ico") return "image/x-icon";
  if (ext == ".json" || ext == ".map") return "application/json";
  return "application/octet-stream";
}

// The file a GET of `target` serves under `root`, or nullopt (no such file, or a path that
// would leave root: "..", a backslash, a NUL).
std::optional<std::filesystem::path> static_file(const std::string& root, std::string target) {
  target = target.substr(0, target.find('?'));
  if (target.empty() || target[0] != '/' || target.find("..") != std::string::npos ||
      target.find('\\') != std::string::npos || target.find('\0') != std::string::npos) {
    return std::nullopt;
  }
  if (target == "/") target = "/index.html";
  std::filesystem::path p = std::filesystem::path(root) / target.substr(1);
  std::error_code ec;
  if (!std::filesystem::is_regular_file(p, ec)) return std::nullopt;
  return p;
}

}  // namespace

class ConsoleServer::Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(ConsoleServer& console, tcp::socket socket)
      : console_(console), connections_(console.connections_), stream_(std::move(socket)) {
    beast::error_code ec;
    const auto ep = stream_.socket().remote_endpoint(ec);
    if (!ec) peer_ = ep.address().to_string();
  }
  // May run after the console is gone (a handler still queued when the I/O context is
  // destroyed): it touches only the shared count.
  ~Connection() { connections_->fetch_sub(1); }

  void read() {
    parser_.emplace();
    parser_->body_limit(kMaxBodyBytes);
    stream_.expires_after(std::chrono::minutes(5));
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code ec, std::size_t) {
                       if (ec) return;
                       self->stream_.expires_never();
                       self->handle(self->parser_->release());
                     });
  }

  void reply(http::status status, std::string body, std::string content_type,
             std::string set_cookie = {}, std::string disposition = {}) {
    auto res = std::make_shared<http::response<http::string_body>>(status, 11);
    res->set(http::field::content_type, content_type);
    res->set(http::field::cache_control, "no-store");
    res->set("X-Content-Type-Options", "nosniff");
    res->set("X-Frame-Options", "DENY");
    res->set("Referrer-Policy", "no-referrer");
    res->set("Content-Security-Policy",
             "default-src 'self'; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'");
    if (!set_cookie.empty()) res->set(http::field::set_cookie, set_cookie);
    if (!disposition.empty()) res->set(http::field::content_disposition, disposition);
    res->keep_alive(keep_alive_);
    res->body() = std::move(body);
    res->prepare_payload();
    http::async_write(stream_, *res,
                      [self = shared_from_this(), res](beast::error_code ec, std::size_t) {
                        if (ec || !self->keep_alive_) return self->close();
                        self->read();
                      });
  }
  void reply_json(std::uint32_t status, std::string body, std::string set_cookie = {}) {
    reply(static_cast<http::status>(status), std::move(body), "application/json",
          std::move(set_cookie));
  }

  // Server-sent events: "book" per view, "alert" per alert; a stream that falls
  // kMaxQueuedEvents behind is closed (the page reconnects and starts from a full picture).
  void push(std::string_view event, const std::string& data) {
    if (closed_) return;
    if (queue_.size() >= kMaxQueuedEvents) return close();
    queue_.push_back("event: " + std::string(event) + "\ndata: " + data + "\n\n");
    if (!writing_) write_next();
  }
  const std::string& session_id() const { return session_id_; }
  bool closed() const { return closed_; }
  void close() {
    closed_ = true;
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
  }

  void audit(std::string_view user, std::string_view action, std::string_view outcome,
             std::string_view detail) {
    console_.audit_->write(unix_ms(), user, peer_, action, outcome, detail);
  }

 private:
  void handle(http::request<http::string_body> req);
  void login(const http::request<http::string_body>& req);
  void verb(const Session& s, std::string_view name, const std::string& body);
  void portal(const Session& s, const http::request<http::string_body>& req);  // portal.hpp
  void events(const Session& s);
  // Four eyes (approvals.hpp): a verb that needs approval becomes a request; the list; a decision.
  void request_approval(const Session& s, const verbs::Request& request);
  void approvals(const Session& s);
  void decide(const Session& s, std::string_view rest);
  // Submits a parsed verb through the sequencer; its answer comes back through complete().
  void submit(const Session& s, const std::string& verb_name, verbs::Request request,
              std::uint64_t approval_id);
  void serve_file(const std::string& target);
  // A stream that ended: closed and out of the list (its connection slot is freed).
  void drop() {
    close();
    std::erase_if(console_.streams_,
                  [this](const std::shared_ptr<Connection>& c) { return c.get() == this; });
  }
  void watch_close() {
    stream_.async_read_some(buffer_.prepare(512),
                            [self = shared_from_this()](beast::error_code ec, std::size_t) {
                              if (ec) return self->drop();
                              self->watch_close();  // a client sends nothing on a stream
                            });
  }
  void write_next() {
    writing_ = true;
    auto text = std::make_shared<std::string>(std::move(queue_.front()));
    queue_.pop_front();
    asio::async_write(stream_, asio::buffer(*text),
                      [self = shared_from_this(), text](beast::error_code ec, std::size_t) {
                        self->writing_ = false;
                        if (ec) return self->drop();
                        if (!self->queue_.empty()) self->write_next();
                      });
  }
  std::optional<Session> session(const http::request<http::string_body>& req) {
    const std::string id = cookie_value(text(req[http::field::cookie]), kSessionCookie);
    if (id.empty()) return std::nullopt;
    return console_.sessions_.find(id, unix_ms() / 1000);
  }
  ConsoleServer& console_;
  std::shared_ptr<std::atomic<std::size_t>> connections_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  bool keep_alive_ = false;
  std::string peer_;
  // An event stream: its session, what waits to be written.
  std::string session_id_;
  std::deque<std::string> queue_;
  bool writing_ = false;
  bool closed_ = false;
};

void ConsoleServer::Connection::handle(http::request<http::string_body> req) {
  keep_alive_ = req.keep_alive();
  const std::string target(req.target());
  const bool post = req.method() == http::verb::post;
  if (target.rfind("/api/", 0) != 0) {
    if (req.method() != http::verb::get) {
      return reply_json(405, error_json("only GET serves the console's pages"));
    }
    return serve_file(target);
  }
  if (post && target == "/api/login") return login(req);
  const auto s = session(req);
  if (!s) return reply_json(401, error_json("not logged in"));
  if (post &&
      !csrf_matches(*s,
                    text(req[boost::beast::string_view(kCsrfHeader.data(), kCsrfHeader.size())]))) {
    audit(s->user, target, "refused", "missing or wrong CSRF token");
    return reply_json(403, error_json("missing or wrong CSRF token"));
  }
  if (req.method() == http::verb::get && target == "/api/me") {
    return reply_json(200, json{{"ok", true},
                                {"user", s->user},
                                {"role", std::string(to_string(s->role))},
                                {"firm_account", s->firm_account},
                                {"csrf", s->csrf}}
                               .dump());
  }
  if (req.method() == http::verb::get && target == "/api/events") return events(*s);
  if (req.method() == http::verb::get && target == "/api/alerts") {
    return reply_json(200, console_.alerts_ ? console_.alerts_->recent() : "[]");
  }
  if (post && target == "/api/logout") {
    console_.sessions_.end(s->id);
    for (auto& c : console_.streams_) {
      if (c->session_id() == s->id) c->close();
    }
    audit(s->user, "logout", "ok", "");
    return reply_json(200, json{{"ok", true}}.dump(), ended_session_cookie());
  }
  if (target.rfind("/api/portal/", 0) == 0) return portal(*s, req);
  if (post && target.rfind("/api/verb/", 0) == 0) {
    return verb(*s, std::string_view(target).substr(10), req.body());
  }
  if (req.method() == http::verb::get && target == "/api/approvals") return approvals(*s);
  if (post && target.rfind("/api/approvals/", 0) == 0) {
    return decide(*s, std::string_view(target).substr(15));
  }
  return reply_json(404, error_json("unknown console API path"));
}

void ConsoleServer::Connection::login(const http::request<http::string_body>& req) {
  const json body = json::parse(req.body(), nullptr, false);
  if (body.is_discarded() || !body.is_object() || !body.contains("user") ||
      !body["user"].is_string() || !body.contains("password") || !body["password"].is_string() ||
      !body.contains("code") || !body["code"].is_string()) {
    return reply_json(400, error_json("login needs {\"user\", \"password\", \"code\"} strings"));
  }
  // argon2id on the login worker; the answer back on the I/O thread.
  asio::post(
      *console_.login_pool_,
      [self = shared_from_this(), name = body["user"].get<std::string>(),
       password = body["password"].get<std::string>(), code = body["code"].get<std::string>()] {
        User user;
        const LoginOutcome o =
            self->console_.users_->login(name, password, code, unix_ms() / 1000, &user);
        asio::post(self->console_.io_, [self, o, name, user] {
          self->audit(name, "login", o == LoginOutcome::kOk ? "ok" : "refused", to_string(o));
          if (o == LoginOutcome::kLocked || o == LoginOutcome::kLockedNow) {
            return self->reply_json(
                429, error_json("locked out after too many failed logins; try again later"));
          }
          if (o != LoginOutcome::kOk) {
            return self->reply_json(401, error_json("wrong user, password or one-time code"));
          }
          const Session s = self->console_.sessions_.create(user, unix_ms() / 1000);
          self->reply_json(200,
                           json{{"ok", true},
                                {"user", s.user},
                                {"role", std::string(to_string(s.role))},
                                {"firm_account", s.firm_account},
                                {"csrf", s.csrf}}
                               .dump(),
                           session_cookie(s));
        });
      });
}

void ConsoleServer::Connection::verb(const Session& s, std::string_view name,
                                     const std::string& body) {
  const std::string verb_name(name);
  auto parsed = parse_operator_request(console_.server_.operator_edge(), name, body);
  if (!parsed.ok()) {
    audit(s.user, verb_name, "refused", parsed.error().json);
    return reply_json(parsed.error().http_status, parsed.error().json);
  }
  if (!role_may_call(s.role, verbs::meta_of(parsed.value()))) {
    const std::string why =
        "a " + std::string(to_string(s.role)) + " user may not call " + verb_name;
    audit(s.user, verb_name, "forbidden", why);
    return reply_json(403, error_json(why));
  }
  if (std::string why; !portal_scope(s, parsed.value(), &why)) {
    audit(s.user, verb_name, "forbidden", why);
    return reply_json(403, error_json(why));
  }
  if (verbs::meta_of(parsed.value()).needs_approval) return request_approval(s, parsed.value());
  submit(s, verb_name, std::move(parsed.value()), 0);
}

void ConsoleServer::Connection::submit(const Session& s, const std::string& verb_name,
                                       verbs::Request request, std::uint64_t approval_id) {
  std::uint64_t ticket = 0;
  {
    std::lock_guard lock(console_.mutex_);
    ticket = kTicketBit | console_.next_ticket_++;
    console_.waiting_[ticket] = Waiting{shared_from_this(), s.user, verb_name, approval_id, {}};
  }
  Inbound in;
  in.item = OperatorRequest{ticket, std::move(request)};
  if (!console_.server_.submit(std::move(in))) {
    {
      std::lock_guard lock(console_.mutex_);
      console_.waiting_.erase(ticket);
    }
    if (approval_id != 0) console_.approvals_->unapprove(approval_id);  // pending again
    audit(s.user, verb_name, "refused", "system busy or stopping");
    return reply_json(503, error_json("system busy or stopping"));
  }
}

void ConsoleServer::Connection::request_approval(const Session& s, const verbs::Request& request) {
  const std::string verb_name(verbs::meta_of(request).name);
  ApprovalRefusal refusal;
  const auto a =
      console_.approvals_->request(verb_name, verbs::to_json(request), s.user, unix_ms(), &refusal);
  if (!a) {
    audit(s.user, verb_name, "refused", refusal.text);
    return reply_json(refusal.http_status, error_json(refusal.text));
  }
  audit(s.user, verb_name, "pending", "four-eyes request " + std::to_string(a->id) + " " + a->body);
  console_.publish_approval(*a);
  reply_json(202, "{\"ok\":true,\"pending\":true,\"approval\":" + approval_json(*a) + "}");
}

void ConsoleServer::Connection::approvals(const Session& s) {
  if (!role_may_view_approvals(s.role)) {
    return reply_json(
        403, error_json("a " + std::string(to_string(s.role)) + " user may not see the approvals"));
  }
  std::string list = "[";
  for (const Approval& a : console_.approvals_->list(unix_ms())) {
    if (list.size() > 1) list += ",";
    list += approval_json(a);
  }
  reply_json(200, "{\"ok\":true,\"approvals\":" + list + "]}");
}

// POST /api/approvals/<id>/approve or /reject. An approval is re-parsed by the verb table (the
// symbols resolved again) before it is decided, then submitted once, with the approver's
// connection waiting for the command's answer.
void ConsoleServer::Connection::decide(const Session& s, std::string_view rest) {
  const auto slash = rest.find('/');
  const std::string id_text(rest.substr(0, slash));
  const std::string_view action = slash == std::string_view::npos ? "" : rest.substr(slash + 1);
  std::uint64_t id = 0;
  const bool approve = action == "approve";
  if (id_text.empty() || id_text.size() > 18 ||
      id_text.find_first_not_of("0123456789") != std::string::npos ||
      (!approve && action != "reject")) {
    return reply_json(404, error_json("use POST /api/approvals/<id>/approve or /reject"));
  }
  id = std::stoull(id_text);
  const std::string what = std::string(action) + " " + id_text;
  if (!role_may_decide(s.role)) {
    const std::string why =
        "a " + std::string(to_string(s.role)) + " user may not approve or reject requests";
    audit(s.user, what, "forbidden", why);
    return reply_json(403, error_json(why));
  }
  std::optional<verbs::Request> request;
  if (approve) {
    if (const auto a = console_.approvals_->find(id)) {
      auto parsed = parse_operator_request(console_.server_.operator_edge(), a->verb, a->body);
      if (!parsed.ok()) {
        audit(s.user, what, "refused", parsed.error().json);
        return reply_json(parsed.error().http_status, parsed.error().json);
      }
      request = std::move(parsed.value());
    }
  }
  ApprovalRefusal refusal;
  const auto a = approve ? console_.approvals_->approve(id, s.user, unix_ms(), &refusal)
                         : console_.approvals_->reject(id, s.user, unix_ms(), &refusal);
  if (!a) {
    audit(s.user, what, "refused", refusal.text);
    return reply_json(refusal.http_status, error_json(refusal.text));
  }
  console_.publish_approval(*a);
  if (!approve) {
    audit(s.user, a->verb, "rejected",
          "four-eyes request " + id_text + " of " + a->requester + " rejected by " + s.user);
    return reply_json(200, "{\"ok\":true,\"approval\":" + approval_json(*a) + "}");
  }
  CX_ASSERT(request.has_value());
  submit(s, a->verb, std::move(*request), id);
}

void ConsoleServer::Connection::portal(const Session& s,
                                       const http::request<http::string_body>& req) {
  auto self = shared_from_this();
  PortalIo io;
  io.edge = &console_.server_.operator_edge();
  io.submit = [self](verbs::Request r, std::function<void(std::uint32_t, std::string)> done) {
    return self->console_.submit(std::move(r), std::move(done));
  };
  io.reply = [self](std::uint32_t status, std::string body, std::string type,
                    std::string disposition) {
    self->reply(static_cast<http::status>(status), std::move(body), std::move(type), {},
                std::move(disposition));
  };
  io.audit = [self, user = s.user](std::string_view action, std::string_view outcome,
                                   std::string_view detail) {
    self->audit(user, action, outcome, detail);
  };
  handle_portal(s, req.method() == http::verb::post, std::string(req.target()), req.body(), io);
}

void ConsoleServer::Connection::events(const Session& s) {
  session_id_ = s.id;
  auto res = std::make_shared<http::response<http::empty_body>>(http::status::ok, 11);
  res->set(http::field::content_type, "text/event-stream");
  res->set(http::field::cache_control, "no-store");
  res->set("X-Content-Type-Options", "nosniff");
  res->keep_alive(false);
  auto sr = std::make_shared<http::response_serializer<http::empty_body>>(*res);
  writing_ = true;
  http::async_write_header(stream_, *sr,
                           [self = shared_from_this(), res, sr](beast::error_code ec, std::size_t) {
                             self->writing_ = false;
                             if (ec) return self->close();
                             if (!self->queue_.empty()) self->write_next();
                           });
  // Registered and given every view on the I/O thread: a change published after views() is
  // posted behind this and arrives as an event. The list holds the stream until it is closed;
  // a read that ends (the browser went away) closes it.
  console_.streams_.push_back(shared_from_this());
  watch_close();
  for (const std::string& view : console_.feed_.views()) {
    queue_.push_back("event: book\ndata: " + view + "\n\n");
  }
}

void ConsoleServer::Connection::serve_file(const std::string& target) {
  const auto path = static_file(console_.web_dir_, target);
  if (!path) return reply(http::status::not_found, "not found\n", "text/plain; charset=utf-8");
  std::ifstream in(*path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  if (!in) return reply(http::status::internal_server_error, "cannot read\n", "text/plain");
  reply(http::status::ok, s.str(), content_type_of(*path));
}

ConsoleServer::ConsoleServer(asio::io_context& io, Server& server)
    : io_(io),
      server_(server),
      web_dir_(web_dir(server.config().console_web_dir)),
      sessions_(server.config().console_session_idle_s, kMaxSessions),
      feed_([this](const std::string& view) { publish("book", view); }),
      acceptor_(io) {}

ConsoleServer::~ConsoleServer() {
  if (login_pool_) login_pool_->join();
}

bool ConsoleServer::start(std::string* error) {
  const ServerConfig& c = server_.config();
  std::string detail;
  users_ =
      UserStore::open(users_path(c.data_dir),
                      LockoutPolicy{c.console_max_failed_logins, c.console_lockout_s}, &detail);
  if (!users_) {
    *error = "console: " + detail;
    return false;
  }
  audit_ = AuditLog::open(audit_path(c.data_dir), &detail);
  if (!audit_) {
    *error = "console: " + detail;
    return false;
  }
  approvals_ =
      ApprovalStore::open(approvals_path(c.data_dir), ApprovalStore::kDefaultExpiryS, &detail);
  if (!approvals_) {
    *error = "console: " + detail;
    return false;
  }
  std::error_code fs_ec;
  if (!std::filesystem::is_regular_file(std::filesystem::path(web_dir_) / "index.html", fs_ec)) {
    *error = "console: no index.html in the web folder " + web_dir_ +
             " (build it: cmake --build build --target web; or set [server] console_web_dir)";
    return false;
  }
  login_pool_ = std::make_unique<asio::thread_pool>(1);
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(c.console_bind, ec);
  if (ec) {
    *error = "console_bind: not an IP address: " + c.console_bind;
    return false;
  }
  const tcp::endpoint ep(address, c.console_port);
  acceptor_.open(ep.protocol(), ec);
  if (!ec) acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor_.bind(ep, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    *error = "console cannot listen on " + c.console_bind + ":" + std::to_string(c.console_port) +
             ": " + ec.message();
    return false;
  }
  port_ = acceptor_.local_endpoint().port();
  std::fprintf(stderr, "carbonxd: console on http://%s:%u/ (web folder %s, %zu users)\n",
               c.console_bind.c_str(), static_cast<unsigned>(port_), web_dir_.c_str(),
               users_->all().size());
  accept_next();
  return true;
}

void ConsoleServer::stop() {
  asio::post(io_, [this] {
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    for (auto& c : streams_)
      c->close();
    streams_.clear();
  });
}

void ConsoleServer::accept_next() {
  acceptor_.async_accept([this](boost::system::error_code ec, tcp::socket socket) {
    if (ec) {
      if (!acceptor_.is_open()) return;
      return accept_next();  // (a descriptor shortage retries at the next connection)
    }
    const bool admit = connections_->fetch_add(1) < kMaxConnections;
    if (!admit) connections_->fetch_sub(1);
    if (admit) std::make_shared<Connection>(*this, std::move(socket))->read();
    accept_next();
  });
}

AlertFeed& ConsoleServer::watch(const ExchangeConfig& exchange) {
  alerts_ = std::make_unique<AlertFeed>(
      exchange, [this](const std::string& alert) { publish("alert", alert); });
  return *alerts_;
}

void ConsoleServer::publish(std::string_view event, const std::string& data) {
  asio::post(io_, [this, event = std::string(event), data] {
    std::erase_if(streams_, [](const std::shared_ptr<Connection>& c) { return c->closed(); });
    for (auto& c : streams_)
      c->push(event, data);
  });
}

void ConsoleServer::publish_approval(const Approval& a) {
  publish("approvals", json{{"id", a.id}, {"state", std::string(to_string(a.state))}}.dump());
}

bool ConsoleServer::submit(verbs::Request request,
                           std::function<void(std::uint32_t, std::string)> done) {
  std::uint64_t ticket = 0;
  {
    std::lock_guard lock(mutex_);
    ticket = kTicketBit | next_ticket_++;
    waiting_[ticket] = Waiting{nullptr, "", "", 0, std::move(done)};
  }
  Inbound in;
  in.item = OperatorRequest{ticket, std::move(request)};
  if (server_.submit(std::move(in))) return true;
  std::lock_guard lock(mutex_);
  waiting_.erase(ticket);
  return false;
}

void ConsoleServer::complete(std::uint64_t ticket, std::uint32_t http_status, std::string body) {
  Waiting w;
  {
    std::lock_guard lock(mutex_);
    const auto it = waiting_.find(ticket);
    if (it == waiting_.end()) return;
    w = std::move(it->second);
    waiting_.erase(it);
  }
  if (w.done) {  // a portal step (portal.hpp): its continuation, on the I/O thread
    asio::post(io_, [done = std::move(w.done), http_status, body = std::move(body)]() mutable {
      done(http_status, std::move(body));
    });
    return;
  }
  if (w.approval_id != 0) {
    // Both identities, the request and the command's answer (with its journal seq) in one line.
    const auto a = approvals_->answered(w.approval_id, http_status, body);
    std::string detail = "four-eyes request " + std::to_string(w.approval_id);
    if (a) detail += " of " + a->requester + " approved by " + a->decider;
    if (a && a->seq != 0) detail += ", journal seq " + std::to_string(a->seq);
    detail += ": " + std::to_string(http_status) + " " + body.substr(0, 400);
    std::string answer = body;
    if (a) {
      publish_approval(*a);
      json reply = json::parse(body, nullptr, false);
      if (reply.is_discarded()) reply = body;
      answer = json{{"ok", http_status < 300},
                    {"approval", json::parse(approval_json(*a))},
                    {"answer", std::move(reply)}}
                   .dump(-1, ' ', false, json::error_handler_t::replace);
    }
    asio::post(io_, [w = std::move(w), http_status, detail = std::move(detail),
                     answer = std::move(answer)]() mutable {
      w.connection->audit(w.user, w.verb, http_status < 300 ? "approved" : "approved, refused",
                          detail);
      w.connection->reply_json(http_status, std::move(answer));
    });
    return;
  }
  asio::post(io_, [w = std::move(w), http_status, body = std::move(body)]() mutable {
    w.connection->audit(w.user, w.verb, http_status < 300 ? "ok" : "refused",
                        std::to_string(http_status) + " " + body.substr(0, 400));
    w.connection->reply_json(http_status, std::move(body));
  });
}

}  // namespace carbonx::gateway::console
