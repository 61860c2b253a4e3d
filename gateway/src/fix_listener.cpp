#include "carbonx/gateway/fix_listener.hpp"

#include <sys/resource.h>
#include <sys/socket.h>

#include <array>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <vector>

#include "accept_pause.hpp"
#include "carbonx/engine/assert.hpp"

namespace carbonx::gateway {

namespace asio = boost::asio;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

class FixListener::Connection : public FixTransport,
                                public std::enable_shared_from_this<Connection> {
 public:
  // Pending (not logged on): kIdle until its first complete message arrived, then kVerifying
  // while the precheck runs, kFed once the Logon went to the session; kMember once logged on.
  enum class Stage : std::uint8_t { kIdle, kVerifying, kFed, kMember };

  Connection(FixListener& owner, tcp::socket socket, asio::ip::address address)
      : owner_(owner),
        socket_(std::move(socket)),
        address_(std::move(address)),
        deadline_(socket_.get_executor()),
        pending_at(owner.pending_.end()) {
    if (owner.config_.tls)
      tls_ = std::make_unique<ssl::stream<tcp::socket&>>(socket_, *owner.config_.tls);
  }

  void start() {
    fix_ = owner_.engine_.open(this);
    boost::system::error_code ignored;
    socket_.set_option(tcp::no_delay(true), ignored);
    arm_deadline();  // the handshake counts against the Logon deadline
    if (!tls_) return read_next();
    tls_->async_handshake(ssl::stream_base::server,
                          [self = shared_from_this()](boost::system::error_code ec) {
                            if (self->finished_) return;
                            if (ec) {
                              self->owner_.note(
                                  "closed connections whose TLS handshake failed (a plaintext "
                                  "client on the TLS port, or one that refused the certificate)",
                                  &self->owner_.stats_.tls_refused);
                              return self->finish();
                            }
                            self->tls_open_ = true;
                            self->read_next();
                          });
  }

  Stage stage() const { return stage_; }
  const asio::ip::address& address() const { return address_; }

  // FixTransport: any thread.
  void write(const std::string& bytes) override {
    bool start_write = false;
    bool failed = false;
    {
      std::lock_guard lock(mutex_);
      if (closing_) return;
      std::size_t done = 0;
      if (!tls_ && !writing_ && pending_.empty()) {
        // Fast path: nothing queued, so write from this thread (the sender's) without a hop to
        // the I/O thread. The socket is closed only under mutex_, so the descriptor is ours.
        // Not over TLS: the SSL stream is the I/O thread's.
        const ssize_t n = ::send(socket_.native_handle(), bytes.data(), bytes.size(),
                                 MSG_DONTWAIT | MSG_NOSIGNAL);
        if (n > 0) done = static_cast<std::size_t>(n);
        if (done == bytes.size()) return;
        failed = n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR;
      }
      if (failed || pending_.size() + bytes.size() > owner_.config_.max_pending_write_bytes) {
        closing_ = true;  // a dead peer, or a member that does not read: drop it
        failed = true;
      } else {
        pending_.append(bytes, done, std::string::npos);
        start_write = !writing_;
        writing_ = true;
      }
    }
    if (start_write) {
      asio::post(socket_.get_executor(), [self = shared_from_this()] { self->write_next(); });
    } else if (failed) {
      close();
    }
  }

  void close() override {
    asio::post(socket_.get_executor(), [self = shared_from_this()] { self->shutdown(); });
  }

  // Closes the socket and releases the FIX session; I/O thread (or after it stopped).
  void finish() {
    if (finished_) return;
    finished_ = true;
    deadline_.cancel();
    {
      std::lock_guard lock(mutex_);  // no direct write may race with closing the descriptor
      closing_ = true;
      boost::system::error_code ignored;
      socket_.shutdown(tcp::socket::shutdown_both, ignored);
      socket_.close(ignored);
    }
    owner_.engine_.on_closed(fix_);  // after this no thread writes to us
    fix_ = nullptr;
    owner_.forget(this);
  }

 private:
  void read_next() {
    auto done = [self = shared_from_this()](boost::system::error_code ec, std::size_t n) {
      if (self->ending_) return;  // end() cancelled it: the TLS shutdown owns the stream now
      if (ec) return self->finish();
      if (self->owner_.config_.precheck != nullptr && !self->prechecked_) {
        return self->gather_logon(n);
      }
      self->feed(self->buf_.data(), n);
    };
    if (tls_) return tls_->async_read_some(asio::buffer(buf_), std::move(done));
    socket_.async_read_some(asio::buffer(buf_), std::move(done));
  }

  void feed(const char* data, std::size_t n) {
    if (finished_ || ending_) return;
    if (stage_ == Stage::kVerifying) stage_ = Stage::kFed;
    if (!owner_.engine_.on_bytes(fix_, data, n)) {
      return shutdown();  // whatever reason was written is flushed first
    }
    if (stage_ != Stage::kMember && owner_.engine_.connection_logged_on(fix_)) {
      stage_ = Stage::kMember;
      deadline_.cancel();
      owner_.promoted(this);
    }
    read_next();
  }

  // The Logon deadline: a pending connection that has not completed its first message by then
  // is closed. While its password is being checked the clock is the server's: the deadline
  // moves on by another logon_timeout.
  void arm_deadline() {
    deadline_.expires_after(owner_.config_.logon_timeout);
    deadline_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      if (ec || self->finished_ || self->stage_ == Stage::kMember) return;
      if (self->stage_ == Stage::kVerifying) return self->arm_deadline();
      self->owner_.note("closed connections that sent no Logon within fix_logon_timeout_ms",
                        &self->owner_.stats_.logon_timeouts);
      self->finish();
    });
  }

  // Collects the first complete frame, has it prechecked off this thread, then feeds it.
  void gather_logon(std::size_t n) {
    first_.append(buf_.data(), n);
    const std::size_t trailer = first_.find(
        "\x01"
        "10=");
    if (trailer == std::string::npos || first_.size() < trailer + 8) {
      if (first_.size() > kMaxLogonBytes) return finish();
      return read_next();
    }
    prechecked_ = true;
    stage_ = Stage::kVerifying;
    const std::string frame = first_.substr(0, trailer + 8);
    owner_.config_.precheck->precheck(frame, [self = shared_from_this()] {
      asio::post(self->socket_.get_executor(), [self] {
        std::string bytes;
        bytes.swap(self->first_);
        self->feed(bytes.data(), bytes.size());
      });
    });
  }

  void write_next() {
    {
      std::lock_guard lock(mutex_);
      if (pending_.empty()) {
        writing_ = false;
        if (closing_) asio::post(socket_.get_executor(), [s = shared_from_this()] { s->end(); });
        return;
      }
      inflight_.swap(pending_);
      pending_.clear();
    }
    auto done = [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
      if (ec) return self->finish();
      self->write_next();
    };
    if (tls_) return asio::async_write(*tls_, asio::buffer(inflight_), std::move(done));
    asio::async_write(socket_, asio::buffer(inflight_), std::move(done));
  }

  // Stop reading; close once queued bytes are written (a Logout with its reason, typically).
  void shutdown() {
    bool idle = false;
    {
      std::lock_guard lock(mutex_);
      closing_ = true;
      idle = !writing_;
    }
    if (idle) end();
  }

  // The server's own close, everything queued written. Over TLS the session ends with
  // close_notify (so the member can tell the end from a cut connection): the pending read is
  // cancelled (the shutdown reads the peer's close_notify itself) and SSL_shutdown runs for at
  // most kTlsShutdownWait, then the socket is closed whatever the peer did.
  void end() {
    if (finished_ || ending_) return;
    if (!tls_ || !tls_open_) return finish();
    ending_ = true;
    boost::system::error_code ignored;
    socket_.cancel(ignored);
    deadline_.expires_after(kTlsShutdownWait);
    deadline_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      if (!ec) self->finish();
    });
    tls_->async_shutdown(
        [self = shared_from_this()](boost::system::error_code) { self->finish(); });
  }

  FixListener& owner_;
  tcp::socket socket_;
  std::unique_ptr<ssl::stream<tcp::socket&>> tls_;  // over socket_ (fix_tls), else null
  bool tls_open_ = false;                           // handshake done (I/O thread only)
  bool ending_ = false;                             // end() is shutting TLS down (I/O thread only)
  static constexpr std::chrono::milliseconds kTlsShutdownWait{1000};
  asio::ip::address address_;
  asio::steady_timer deadline_;
  Stage stage_ = Stage::kIdle;  // I/O thread only

 public:
  std::list<Connection*>::iterator pending_at;  // in owner_.pending_ while pending, else end()

 private:
  FixConnection* fix_ = nullptr;
  static constexpr std::size_t kMaxLogonBytes = 8192;
  std::array<char, 65536> buf_{};
  std::string first_;        // bytes up to and including the first frame (precheck)
  bool prechecked_ = false;  // I/O thread only
  std::mutex mutex_;
  std::string pending_;
  std::string inflight_;
  bool writing_ = false;
  bool closing_ = false;
  bool finished_ = false;  // io thread only
};

namespace {

// Descriptors open in this process now (its /proc/self/fd entries); 0 if unknown.
std::size_t open_descriptors() {
  std::error_code ec;
  std::size_t n = 0;
  for (auto it = std::filesystem::directory_iterator("/proc/self/fd", ec);
       !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
    ++n;
  }
  return ec ? 0 : n;
}

}  // namespace

FixListener::FixListener(asio::io_context& io, FixEngine& engine, FixListenerConfig config)
    : io_(io),
      engine_(engine),
      config_(std::move(config)),
      acceptor_(io),
      pause_(std::make_unique<AcceptPause>(io, "FIX acceptor")) {}

FixListener::~FixListener() = default;

bool FixListener::start(std::string* error) {
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(config_.bind_address, ec);
  if (ec) {
    *error = "fix_bind: not an IP address: " + config_.bind_address;
    return false;
  }
  const tcp::endpoint endpoint(address, config_.port);
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    *error = "cannot listen on " + config_.bind_address + ":" + std::to_string(config_.port) +
             ": " + ec.message();
    return false;
  }
  port_ = acceptor_.local_endpoint().port();
  // Connections never take the descriptors the rest of the process needs: the operator API
  // must still answer when every FIX connection is in use.
  connection_limit_ = config_.max_connections;
  rlimit lim{};
  if (::getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur != RLIM_INFINITY) {
    const std::size_t used = open_descriptors() + config_.reserved_descriptors;
    const std::size_t budget = lim.rlim_cur > used ? lim.rlim_cur - used : 0;
    if (budget < connection_limit_) {
      connection_limit_ = static_cast<std::uint32_t>(budget);
      std::fprintf(stderr,
                   "carbonxd: warning: the descriptor limit (%llu) allows %u FIX connections, "
                   "fewer than max_sessions (%u); raise it (ulimit -n, LimitNOFILE)\n",
                   static_cast<unsigned long long>(lim.rlim_cur), connection_limit_,
                   config_.max_connections);
      std::fflush(stderr);
    }
  }
  {
    std::lock_guard lock(mutex_);
    stats_.connection_limit = connection_limit_;
  }
  accept_next();
  return true;
}

void FixListener::accept_next() {
  acceptor_.async_accept([this](boost::system::error_code ec, tcp::socket socket) {
    on_accept(ec, std::move(socket));
  });
}

void FixListener::on_accept(boost::system::error_code ec, tcp::socket socket) {
  if (ec) {
    if (ec == asio::error::operation_aborted || !acceptor_.is_open()) return;
    if (pause_->on_error(ec, [this] {
          if (acceptor_.is_open()) accept_next();
        })) {
      std::lock_guard lock(mutex_);
      ++stats_.accept_pauses;
      return;
    }
    return accept_next();  // one connection's trouble (reset before we took it, ...)
  }
  pause_->on_accepted();
  {
    std::lock_guard lock(mutex_);
    ++stats_.accepted;
  }
  const tcp::endpoint peer = socket.remote_endpoint(ec);
  if (!ec && make_room(peer.address())) {
    auto c = std::make_shared<Connection>(*this, std::move(socket), peer.address());
    {
      std::lock_guard lock(mutex_);
      connections_.insert(c);
    }
    c->pending_at = pending_.insert(pending_.end(), c.get());
    ++pending_by_address_[peer.address()];
    {
      std::lock_guard lock(mutex_);
      stats_.pending = pending_.size();
    }
    c->start();
  }  // else the socket closes when it goes out of scope
  accept_next();
}

FixListener::Connection* FixListener::oldest_idle(const asio::ip::address* address) const {
  for (Connection* c : pending_) {
    if (c->stage() == Connection::Stage::kIdle && (address == nullptr || c->address() == *address))
      return c;
  }
  return nullptr;
}

bool FixListener::make_room(const asio::ip::address& address) {
  const auto from_address = [&] {
    const auto it = pending_by_address_.find(address);
    return it == pending_by_address_.end() ? 0u : it->second;
  };
  // Each limit in turn; displacing one connection may satisfy several.
  for (int limit = 0; limit < 3; ++limit) {
    bool full = false;
    const asio::ip::address* only = nullptr;
    if (limit == 0) {
      full = from_address() >= config_.max_pending_per_address;
      only = &address;
    } else if (limit == 1) {
      full = pending_.size() >= config_.max_pending;
    } else {
      full = connection_count() >= connection_limit_;
    }
    if (!full) continue;
    Connection* victim = oldest_idle(only);
    if (victim == nullptr) {
      note(
          "closed new FIX connections at once: the connection limits are reached and every "
          "pending connection has sent its Logon",
          &stats_.refused);
      return false;
    }
    note("closed the oldest pending FIX connections (no Logon yet) to make room for new ones",
         &stats_.displaced);
    const auto keep = victim->shared_from_this();  // finish() drops the set's reference
    victim->finish();                              // forgets it: the counts drop
    --limit;                                       // check the same limit again
  }
  return true;
}

void FixListener::promoted(Connection* c) {
  if (c->pending_at == pending_.end()) return;
  pending_.erase(c->pending_at);
  c->pending_at = pending_.end();
  const auto it = pending_by_address_.find(c->address());
  if (it != pending_by_address_.end() && --it->second == 0) pending_by_address_.erase(it);
  std::lock_guard lock(mutex_);
  stats_.pending = pending_.size();
}

void FixListener::forget(Connection* c) {
  promoted(c);  // no longer pending either
  std::lock_guard lock(mutex_);
  for (auto it = connections_.begin(); it != connections_.end(); ++it) {
    if (it->get() == c) {
      connections_.erase(it);
      return;
    }
  }
}

void FixListener::note(const char* what, std::uint64_t* counter) {
  std::uint64_t count = 0;
  {
    std::lock_guard lock(mutex_);
    count = ++*counter;
  }
  const auto now = std::chrono::steady_clock::now();
  if (now - last_note_ < std::chrono::seconds(10)) return;
  last_note_ = now;
  std::fprintf(stderr, "carbonxd: FIX: %s (%llu so far)\n", what,
               static_cast<unsigned long long>(count));
  std::fflush(stderr);
}

void FixListener::stop_accepting() {
  asio::post(io_, [this] {
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    pause_->cancel();
  });
}

void FixListener::finish_all_stopped() {
  std::vector<std::shared_ptr<Connection>> open;
  {
    std::lock_guard lock(mutex_);
    open.assign(connections_.begin(), connections_.end());
  }
  for (const auto& c : open)
    c->finish();
}

void FixListener::close_all() {
  std::lock_guard lock(mutex_);
  for (const auto& c : connections_)
    c->close();
}

std::size_t FixListener::connection_count() const {
  std::lock_guard lock(mutex_);
  return connections_.size();
}

FixListenerStats FixListener::stats() const {
  std::lock_guard lock(mutex_);
  FixListenerStats s = stats_;
  s.connections = connections_.size();
  return s;
}

}  // namespace carbonx::gateway
