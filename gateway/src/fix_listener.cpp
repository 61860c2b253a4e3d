#include "carbonx/gateway/fix_listener.hpp"

#include <sys/socket.h>

#include <array>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <cerrno>
#include <vector>

#include "carbonx/engine/assert.hpp"

namespace carbonx::gateway {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

class FixListener::Connection : public FixTransport,
                                public std::enable_shared_from_this<Connection> {
 public:
  Connection(FixListener& owner, tcp::socket socket) : owner_(owner), socket_(std::move(socket)) {}

  void start() {
    fix_ = owner_.engine_.open(this);
    socket_.set_option(tcp::no_delay(true));
    read_next();
  }

  // FixTransport: any thread.
  void write(const std::string& bytes) override {
    bool start_write = false;
    bool failed = false;
    {
      std::lock_guard lock(mutex_);
      if (closing_) return;
      std::size_t done = 0;
      if (!writing_ && pending_.empty()) {
        // Fast path: nothing queued, so write from this thread (the sender's) without a hop to
        // the I/O thread. The socket is closed only under mutex_, so the descriptor is ours.
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
    socket_.async_read_some(asio::buffer(buf_), [self = shared_from_this()](
                                                    boost::system::error_code ec, std::size_t n) {
      if (ec) return self->finish();
      if (self->owner_.config_.precheck != nullptr && !self->prechecked_) {
        return self->gather_logon(n);
      }
      self->feed(self->buf_.data(), n);
    });
  }

  void feed(const char* data, std::size_t n) {
    if (finished_) return;
    if (!owner_.engine_.on_bytes(fix_, data, n)) {
      return shutdown();  // whatever reason was written is flushed first
    }
    read_next();
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
        if (closing_) asio::post(socket_.get_executor(), [s = shared_from_this()] { s->finish(); });
        return;
      }
      inflight_.swap(pending_);
      pending_.clear();
    }
    asio::async_write(socket_, asio::buffer(inflight_),
                      [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
                        if (ec) return self->finish();
                        self->write_next();
                      });
  }

  // Stop reading; close once queued bytes are written (a Logout with its reason, typically).
  void shutdown() {
    bool idle = false;
    {
      std::lock_guard lock(mutex_);
      closing_ = true;
      idle = !writing_;
    }
    if (idle) finish();
  }

  FixListener& owner_;
  tcp::socket socket_;
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

FixListener::FixListener(asio::io_context& io, FixEngine& engine, FixListenerConfig config)
    : io_(io), engine_(engine), config_(std::move(config)), acceptor_(io) {}

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
  accept_next();
  return true;
}

void FixListener::accept_next() {
  acceptor_.async_accept([this](boost::system::error_code ec, tcp::socket socket) {
    if (ec) {
      if (ec == asio::error::operation_aborted || !acceptor_.is_open()) return;
      return accept_next();  // e.g. EMFILE: keep serving the sessions we have
    }
    std::shared_ptr<Connection> c;
    {
      std::lock_guard lock(mutex_);
      if (connections_.size() < config_.max_connections) {
        c = std::make_shared<Connection>(*this, std::move(socket));
        connections_.insert(c);
      }
    }
    if (c) c->start();  // else the socket closes when it goes out of scope
    accept_next();
  });
}

void FixListener::forget(Connection* c) {
  std::lock_guard lock(mutex_);
  for (auto it = connections_.begin(); it != connections_.end(); ++it) {
    if (it->get() == c) {
      connections_.erase(it);
      return;
    }
  }
}

void FixListener::stop_accepting() {
  asio::post(io_, [this] {
    boost::system::error_code ignored;
    acceptor_.close(ignored);
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

}  // namespace carbonx::gateway
