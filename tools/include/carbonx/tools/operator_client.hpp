#pragma once
// How cxctl reaches the exchange's state: an OperatorChannel takes one operator verb with its
// JSON body and returns the reply. Every state change cxctl makes goes through one of these, so
// it is always the server's driver (carbonx::gateway::ExchangeDriver) that applies and journals
// it — never cxctl calling the ledger or the store itself (docs/design.md, one code path).
//
//   - HttpOperatorChannel: the operator API of a running carbonxd (HTTP/1.1 + JSON on loopback,
//     "Authorization: Bearer <token>", POST /v1/<verb>), Boost.Beast, synchronous, with a timeout;
//     over TLS (OpenSSL) when the server runs operator_tls, the server's certificate verified
//     against a CA file (its own certificate, for a self-signed one) before anything is sent.
//   - cxctl's in-process channel (tools/cxctl/in_process.cpp) runs the same driver on the store
//     when no server is running.
//
// Errors: ChannelError for transport problems (no server, timeout, a reply that is not JSON);
// a reply with ok=false is a normal Reply (the server's refusal), shown to the operator as is.
// Thread-safety: one channel per thread.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "carbonx/engine/result.hpp"

namespace carbonx::tools {

enum class ChannelError : std::uint8_t {
  kConnect = 1,  // nothing listens on the port (no server running)
  kTimeout,      // no complete reply within the timeout
  kProtocol,     // an HTTP or JSON reply that cannot be read
  kUnavailable,  // the in-process driver cannot start (its error in detail)
  kTls,          // the TLS handshake failed: the certificate does not verify, or no TLS there
};
std::string_view to_string(ChannelError e) noexcept;

struct ChannelFailure {
  ChannelError code = ChannelError::kConnect;
  std::string detail;
};

struct Reply {
  std::uint32_t http_status = 0;
  std::string body;           // JSON: {"ok": true, ...} or {"ok": false, "error": "..."}
  bool ok() const;            // 2xx and "ok": true
  std::string error() const;  // the "error" text, or the status when there is none
};

class OperatorChannel {
 public:
  virtual ~OperatorChannel() = default;
  // Sends `verb` (e.g. "market.open") with `body_json` (an object) and waits for the reply.
  virtual Result<Reply, ChannelFailure> call(std::string_view verb,
                                             const std::string& body_json) = 0;
  virtual std::string describe() const = 0;  // "carbonxd at 127.0.0.1:9879" / "in-process ..."
};

struct HttpTarget {
  std::string host = "127.0.0.1";
  std::uint16_t port = 9879;
  std::string token;  // the server's <data_dir>/operator.token (no default)
  std::chrono::milliseconds timeout{30'000};
  // Limit on a reply body (bytes): larger replies are a kProtocol error.
  std::size_t max_reply_bytes = 64 << 20;
  // TLS (the server's operator_tls): the server's certificate must verify against the PEM
  // certificates of tls_ca_file (one that is not a CA's, e.g. a self-signed server certificate,
  // is trusted as it is) and name `host`.
  bool tls = false;
  std::string tls_ca_file;
};

std::unique_ptr<OperatorChannel> make_http_channel(const HttpTarget& target);

// True if something accepts a TCP connection on host:port within `timeout` (a cheap probe to
// decide between the server and in-process mode).
bool server_listening(const std::string& host, std::uint16_t port,
                      std::chrono::milliseconds timeout);

}  // namespace carbonx::tools
