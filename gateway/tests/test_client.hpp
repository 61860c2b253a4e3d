#pragma once
// Test helpers: a plain FIX 4.4 initiator over a blocking socket, or over TLS (not QuickFIX: it
// checks that carbonxd interoperates with any standard initiator) and an operator API client.

#include <poll.h>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <deque>
#include <memory>
#include <optional>
#include <string>

#include "carbonx/gateway/fix_wire.hpp"

namespace carbonx::gateway::testing {

class FixClient {
 public:
  // `source`: the loopback address to connect from (127.0.0.2, ... act as other hosts).
  // `tls`: connect over TLS with this client context (the handshake throws on failure).
  FixClient(std::string comp_id, std::uint16_t port, const std::string& source = "",
            boost::asio::ssl::context* tls = nullptr)
      : comp_id_(std::move(comp_id)), socket_(io_) {
    boost::asio::ip::tcp::endpoint ep(boost::asio::ip::make_address("127.0.0.1"), port);
    if (!source.empty()) {
      socket_.open(boost::asio::ip::tcp::v4());
      socket_.bind({boost::asio::ip::make_address(source), 0});
    }
    socket_.connect(ep);
    socket_.set_option(boost::asio::ip::tcp::no_delay(true));
    if (tls != nullptr) {
      tls_ =
          std::make_unique<boost::asio::ssl::stream<boost::asio::ip::tcp::socket&>>(socket_, *tls);
      tls_->handshake(boost::asio::ssl::stream_base::client);
    }
  }

  void send(const std::string& type, const wire::Fields& body) {
    const std::string msg =
        wire::encode(type, comp_id_, "CARBONX", seq_++, body, wire::utc_now_text());
    send_raw(msg);
  }
  void send_raw(const std::string& bytes) {
    if (tls_) {
      boost::asio::write(*tls_, boost::asio::buffer(bytes));
    } else {
      boost::asio::write(socket_, boost::asio::buffer(bytes));
    }
  }
  int next_seq() const { return seq_; }
  void set_next_seq(int s) { seq_ = s; }

  // The next message of `type` (others are kept in arrival order for later calls), or nullopt
  // after `timeout_ms` or when the connection closes.
  std::optional<wire::Fields> expect(const std::string& type, int timeout_ms = 5000) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    for (;;) {
      for (auto it = backlog_.begin(); it != backlog_.end(); ++it) {
        if (wire::get(*it, 35) == type) {
          wire::Fields f = std::move(*it);
          backlog_.erase(it);
          return f;
        }
      }
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0 || !read_some(static_cast<int>(left.count()))) return std::nullopt;
    }
  }

  bool logon(const std::string& user, const std::string& pass, bool reset = false) {
    wire::Fields f = {{98, "0"}, {108, "30"}};
    if (reset) f.push_back({141, "Y"});
    f.push_back({553, user});
    f.push_back({554, pass});
    send("A", f);
    return expect("A").has_value();
  }
  std::vector<wire::Fields> all_received() const {
    return std::vector<wire::Fields>(backlog_.begin(), backlog_.end());
  }
  void close() {
    boost::system::error_code ec;
    socket_.shutdown(boost::asio::ip::tcp::socket::shutdown_both, ec);
    socket_.close(ec);
  }
  bool closed() const { return closed_; }
  // What ended the connection once closed(): over TLS, boost::asio::error::eof when the server
  // sent close_notify, boost::asio::ssl::error::stream_truncated when it just closed the socket.
  boost::system::error_code close_error() const { return close_error_; }

 private:
  // Over TLS: an asynchronous read run for at most `timeout_ms` (bytes may wait inside the TLS
  // stream, where poll() cannot see them).
  std::size_t read_tls(char* buf, std::size_t size, int timeout_ms, boost::system::error_code* ec) {
    std::size_t n = 0;
    bool done = false;
    tls_->async_read_some(boost::asio::buffer(buf, size),
                          [&](boost::system::error_code e, std::size_t k) {
                            *ec = e;
                            n = k;
                            done = true;
                          });
    io_.restart();
    io_.run_for(std::chrono::milliseconds(timeout_ms));
    if (!done) {
      socket_.cancel();
      io_.restart();
      io_.run();
      *ec = boost::asio::error::timed_out;
    }
    return n;
  }

  bool read_some(int timeout_ms) {
    if (closed_) return false;
    char buf[65536];
    boost::system::error_code ec;
    std::size_t n = 0;
    if (tls_) {
      n = read_tls(buf, sizeof buf, timeout_ms, &ec);
      if (ec == boost::asio::error::timed_out) return false;
    } else {
      pollfd p{socket_.native_handle(), POLLIN, 0};
      if (::poll(&p, 1, timeout_ms) <= 0) return false;
      n = socket_.read_some(boost::asio::buffer(buf), ec);
    }
    if (ec) {
      closed_ = true;
      close_error_ = ec;
      return false;
    }
    framer_.append(buf, n);
    std::string frame;
    while (framer_.next(&frame) == 1) {
      wire::Fields f = wire::decode(frame);
      // Answer test requests like any initiator would.
      if (wire::get(f, 35) == "1") send("0", {{112, wire::get(f, 112).value_or("")}});
      backlog_.push_back(std::move(f));
    }
    return true;
  }

  std::string comp_id_;
  boost::asio::io_context io_;
  boost::asio::ip::tcp::socket socket_;
  std::unique_ptr<boost::asio::ssl::stream<boost::asio::ip::tcp::socket&>> tls_;
  wire::Framer framer_;
  std::deque<wire::Fields> backlog_;
  int seq_ = 1;
  bool closed_ = false;
  boost::system::error_code close_error_;
};

// POST /v1/<verb> with a JSON body; returns (status, body).
inline std::pair<int, std::string> operator_call(std::uint16_t port, const std::string& token,
                                                 const std::string& verb, const std::string& body) {
  namespace http = boost::beast::http;
  boost::asio::io_context io;
  boost::beast::tcp_stream stream(io);
  stream.connect(boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port));
  http::request<http::string_body> req(http::verb::post, "/v1/" + verb, 11);
  req.set(http::field::host, "127.0.0.1");
  req.set(http::field::authorization, "Bearer " + token);
  req.set(http::field::content_type, "application/json");
  req.body() = body;
  req.prepare_payload();
  http::write(stream, req);
  boost::beast::flat_buffer buffer;
  http::response<http::string_body> res;
  http::read(stream, buffer, res);
  boost::system::error_code ec;
  stream.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_both, ec);
  return {static_cast<int>(res.result_int()), res.body()};
}

}  // namespace carbonx::gateway::testing
