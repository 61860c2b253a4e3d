// The operator API client over HTTP (operator_client.hpp), Boost.Beast, synchronous.
#include "carbonx/tools/operator_client.hpp"

#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <nlohmann/json.hpp>
#include <optional>

namespace carbonx::tools {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;

std::string_view to_string(ChannelError e) noexcept {
  switch (e) {
    case ChannelError::kConnect:
      return "no server answers";
    case ChannelError::kTimeout:
      return "the server did not reply in time";
    case ChannelError::kProtocol:
      return "unreadable reply";
    case ChannelError::kUnavailable:
      return "in-process driver unavailable";
    case ChannelError::kTls:
      return "TLS handshake failed";
  }
  return "?";
}

bool Reply::ok() const {
  if (http_status < 200 || http_status >= 300) return false;
  const auto j = nlohmann::json::parse(body, nullptr, false);
  return j.is_object() && j.value("ok", false);
}

std::string Reply::error() const {
  const auto j = nlohmann::json::parse(body, nullptr, false);
  if (j.is_object() && j.contains("error") && j["error"].is_string()) {
    return j["error"].get<std::string>();
  }
  return "HTTP " + std::to_string(http_status);
}

namespace {

class HttpChannel final : public OperatorChannel {
 public:
  explicit HttpChannel(HttpTarget t) : target_(std::move(t)) {}

  Result<Reply, ChannelFailure> call(std::string_view verb, const std::string& body) override {
    asio::io_context io;
    beast::error_code ec;
    asio::ip::tcp::resolver resolver(io);
    const auto endpoints = resolver.resolve(target_.host, std::to_string(target_.port), ec);
    if (ec) return Err(ChannelFailure{ChannelError::kConnect, ec.message()});
    if (!target_.tls) {
      beast::tcp_stream stream(io);
      stream.expires_after(target_.timeout);
      stream.connect(endpoints, ec);
      if (ec) return Err(ChannelFailure{ChannelError::kConnect, describe() + ": " + ec.message()});
      return exchange(stream, verb, body);
    }
    ssl::context ctx(ssl::context::tls_client);
    if (auto bad = tls_setup(ctx)) return Err(*bad);
    beast::ssl_stream<beast::tcp_stream> stream(io, ctx);
    stream.set_verify_mode(ssl::verify_peer);
    stream.set_verify_callback(ssl::host_name_verification(target_.host));
    if (!SSL_set_tlsext_host_name(stream.native_handle(), target_.host.c_str())) {
      return Err(ChannelFailure{ChannelError::kTls, describe() + ": cannot set the server name"});
    }
    beast::get_lowest_layer(stream).expires_after(target_.timeout);
    beast::get_lowest_layer(stream).connect(endpoints, ec);
    if (ec) return Err(ChannelFailure{ChannelError::kConnect, describe() + ": " + ec.message()});
    stream.handshake(ssl::stream_base::client, ec);
    if (ec) {
      return Err(ChannelFailure{
          ChannelError::kTls,
          describe() + ": " + ec.message() + " (verified against " + target_.tls_ca_file + ")"});
    }
    return exchange(stream, verb, body);
  }

  std::string describe() const override {
    return "carbonxd at " + std::string(target_.tls ? "https://" : "") + target_.host + ":" +
           std::to_string(target_.port);
  }

 private:
  // The CA file, and a certificate in it that is not a CA's (a self-signed server certificate)
  // trusted as it is (X509_V_FLAG_PARTIAL_CHAIN).
  std::optional<ChannelFailure> tls_setup(ssl::context& ctx) const {
    beast::error_code ec;
    ctx.set_options(ssl::context::default_workarounds | ssl::context::no_compression);
    SSL_CTX_set_min_proto_version(ctx.native_handle(), TLS1_2_VERSION);
    if (target_.tls_ca_file.empty()) {
      return ChannelFailure{ChannelError::kTls, describe() + ": no CA file to verify it with"};
    }
    ctx.load_verify_file(target_.tls_ca_file, ec);
    if (ec) {
      return ChannelFailure{ChannelError::kTls,
                            "cannot read the CA file " + target_.tls_ca_file + ": " + ec.message()};
    }
    X509_VERIFY_PARAM_set_flags(SSL_CTX_get0_param(ctx.native_handle()), X509_V_FLAG_PARTIAL_CHAIN);
    return std::nullopt;
  }

  template <typename Stream>
  Result<Reply, ChannelFailure> exchange(Stream& stream, std::string_view verb,
                                         const std::string& body) {
    beast::error_code ec;
    http::request<http::string_body> req{http::verb::post, "/v1/" + std::string(verb), 11};
    req.set(http::field::host, target_.host);
    req.set(http::field::authorization, "Bearer " + target_.token);
    req.set(http::field::content_type, "application/json");
    req.body() = body;
    req.prepare_payload();
    http::write(stream, req, ec);
    if (ec) return Err(failure(ec));
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(target_.max_reply_bytes);
    http::read(stream, buffer, parser, ec);
    if (ec) return Err(failure(ec));
    beast::get_lowest_layer(stream).socket().shutdown(asio::ip::tcp::socket::shutdown_both, ec);
    const auto& res = parser.get();
    Reply r{static_cast<std::uint32_t>(res.result_int()), res.body()};
    if (nlohmann::json::parse(r.body, nullptr, false).is_discarded()) {
      return Err(ChannelFailure{ChannelError::kProtocol,
                                "HTTP " + std::to_string(r.http_status) + ": " + r.body});
    }
    return r;
  }

  ChannelFailure failure(const beast::error_code& ec) const {
    const bool timeout = ec == beast::error::timeout;
    return ChannelFailure{timeout ? ChannelError::kTimeout : ChannelError::kProtocol,
                          describe() + ": " + ec.message()};
  }
  HttpTarget target_;
};

}  // namespace

std::unique_ptr<OperatorChannel> make_http_channel(const HttpTarget& target) {
  return std::make_unique<HttpChannel>(target);
}

bool server_listening(const std::string& host, std::uint16_t port,
                      std::chrono::milliseconds timeout) {
  asio::io_context io;
  beast::tcp_stream stream(io);
  beast::error_code ec;
  asio::ip::tcp::resolver resolver(io);
  const auto endpoints = resolver.resolve(host, std::to_string(port), ec);
  if (ec) return false;
  stream.expires_after(timeout);
  stream.connect(endpoints, ec);
  return !ec;
}

}  // namespace carbonx::tools
