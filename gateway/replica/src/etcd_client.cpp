#include "carbonx/replica/etcd_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <charconv>
#include <nlohmann/json.hpp>
#include <utility>

#include "carbonx/engine/assert.hpp"

namespace carbonx::replica {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using json = nlohmann::json;

constexpr std::size_t kAnswerBytesMax = 64u << 20;  // the largest answer read (a range of 64 MiB)

constexpr char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string b64_encode(std::string_view in) {
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= in.size(); i += 3) {
    const auto n = (std::uint32_t(std::uint8_t(in[i])) << 16) |
                   (std::uint32_t(std::uint8_t(in[i + 1])) << 8) | std::uint8_t(in[i + 2]);
    out += kB64[(n >> 18) & 63];
    out += kB64[(n >> 12) & 63];
    out += kB64[(n >> 6) & 63];
    out += kB64[n & 63];
  }
  if (const std::size_t rest = in.size() - i; rest > 0) {
    std::uint32_t n = std::uint32_t(std::uint8_t(in[i])) << 16;
    if (rest == 2) n |= std::uint32_t(std::uint8_t(in[i + 1])) << 8;
    out += kB64[(n >> 18) & 63];
    out += kB64[(n >> 12) & 63];
    out += rest == 2 ? kB64[(n >> 6) & 63] : '=';
    out += '=';
  }
  CX_ASSERT(out.size() % 4 == 0);
  return out;
}

int b64_digit(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

// Strict: length a multiple of 4, padding only at the end. False on anything else.
bool b64_decode(std::string_view in, std::string& out) {
  out.clear();
  if (in.size() % 4 != 0) return false;
  for (std::size_t i = 0; i < in.size(); i += 4) {
    const bool last = i + 4 == in.size();
    const int pad = last ? (in[i + 3] == '=') + (in[i + 2] == '=') : 0;
    if (pad == 1 && in[i + 2] == '=') return false;
    std::uint32_t n = 0;
    for (int k = 0; k < 4; ++k) {
      const char c = in[i + k];
      const int d = (k >= 4 - pad) ? 0 : b64_digit(c);
      if (d < 0) return false;
      n = (n << 6) | std::uint32_t(d);
    }
    out += char((n >> 16) & 0xff);
    if (pad < 2) out += char((n >> 8) & 0xff);
    if (pad < 1) out += char(n & 0xff);
  }
  return true;
}

struct Malformed {
  std::string what;
};

// The gateway writes int64 as JSON strings and leaves out zero values (proto3 JSON).
std::int64_t get_int(const json& j, const char* name) {
  const auto it = j.find(name);
  if (it == j.end()) return 0;
  if (it->is_number_integer()) return it->get<std::int64_t>();
  if (!it->is_string()) throw Malformed{std::string(name) + " is not an integer"};
  const auto& s = it->get_ref<const std::string&>();
  std::int64_t v = 0;
  const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || p != s.data() + s.size()) {
    throw Malformed{std::string(name) + " is not an integer: " + s};
  }
  return v;
}

std::string get_bytes(const json& j, const char* name) {
  const auto it = j.find(name);
  if (it == j.end()) return {};
  std::string out;
  if (!it->is_string() || !b64_decode(it->get_ref<const std::string&>(), out)) {
    throw Malformed{std::string(name) + " is not base64"};
  }
  return out;
}

const json& get_object(const json& j, const char* name) {
  const auto it = j.find(name);
  if (it == j.end() || !it->is_object()) throw Malformed{std::string("no object ") + name};
  return *it;
}

KeyValue parse_kv(const json& j) {
  if (!j.is_object()) throw Malformed{"a key-value is not an object"};
  KeyValue kv;
  kv.key = get_bytes(j, "key");
  kv.value = get_bytes(j, "value");
  kv.create_revision = get_int(j, "create_revision");
  kv.mod_revision = get_int(j, "mod_revision");
  kv.version = get_int(j, "version");
  kv.lease = get_int(j, "lease");
  return kv;
}

RangeAnswer parse_range(const json& j) {
  RangeAnswer r;
  r.revision = get_int(get_object(j, "header"), "revision");
  if (const auto it = j.find("kvs"); it != j.end()) {
    if (!it->is_array()) throw Malformed{"kvs is not an array"};
    for (const auto& kv : *it)
      r.kvs.push_back(parse_kv(kv));
  }
  r.more = j.value("more", false);
  return r;
}

json range_json(std::string_view key, std::string_view range_end, std::int64_t limit) {
  json j{{"key", b64_encode(key)}};
  if (!range_end.empty()) j["range_end"] = b64_encode(range_end);
  if (limit > 0) j["limit"] = std::to_string(limit);
  return j;
}

json op_json(const TxnOp& op) {
  switch (op.kind) {
    case TxnOp::Kind::kPut: {
      json p{{"key", b64_encode(op.key)}, {"value", b64_encode(op.value)}};
      if (op.lease != 0) p["lease"] = std::to_string(op.lease);
      return json{{"request_put", p}};
    }
    case TxnOp::Kind::kRange:
      return json{{"request_range", range_json(op.key, op.range_end, op.limit)}};
    case TxnOp::Kind::kDelete:
      return json{{"request_delete_range", range_json(op.key, op.range_end, 0)}};
  }
  CX_ASSERT(false);
  return {};
}

json compare_json(const Compare& c) {
  static constexpr const char* kTargets[] = {"CREATE", "MOD", "VERSION", "VALUE"};
  static constexpr const char* kFields[] = {"create_revision", "mod_revision", "version", "value"};
  static constexpr const char* kResults[] = {"EQUAL", "NOT_EQUAL", "GREATER", "LESS"};
  const auto t = static_cast<std::size_t>(c.target);
  json j{{"result", kResults[static_cast<std::size_t>(c.result)]},
         {"target", kTargets[t]},
         {"key", b64_encode(c.key)}};
  if (c.target == Compare::Target::kValue) {
    j[kFields[t]] = b64_encode(c.value);
  } else {
    j[kFields[t]] = std::to_string(c.number);
  }
  return j;
}

EtcdError io_error(const std::string& endpoint, const char* stage, beast::error_code ec) {
  if (ec == beast::error::timeout || ec == net::error::timed_out) {
    return {EtcdErrc::kTimeout, "etcd at " + endpoint + ": no answer in time (" + stage + ")"};
  }
  return {EtcdErrc::kUnavailable,
          "etcd at " + endpoint + " is down or unreachable (" + stage + ": " + ec.message() + ")"};
}

http::request<http::string_body> make_request(const std::string& endpoint, std::string_view path,
                                              const json& body) {
  http::request<http::string_body> req{http::verb::post, std::string(path), 11};
  req.set(http::field::host, endpoint);
  req.set(http::field::content_type, "application/json");
  req.body() = body.dump();
  req.prepare_payload();
  return req;
}

}  // namespace

const char* to_string(EtcdErrc code) noexcept {
  switch (code) {
    case EtcdErrc::kUnavailable:
      return "etcd unavailable";
    case EtcdErrc::kTimeout:
      return "etcd timeout";
    case EtcdErrc::kMalformed:
      return "malformed etcd answer";
    case EtcdErrc::kRejected:
      return "etcd rejected the request";
  }
  return "unknown etcd error";
}

std::string prefix_end(std::string_view prefix) {
  std::string end(prefix);
  while (!end.empty()) {
    if (static_cast<unsigned char>(end.back()) < 0xff) {
      end.back() = static_cast<char>(static_cast<unsigned char>(end.back()) + 1);
      return end;
    }
    end.pop_back();
  }
  return std::string(1, '\0');  // every key (etcd's convention for "to the end")
}

EtcdClient::EtcdClient(std::string address, std::uint16_t port, std::chrono::milliseconds timeout)
    : EtcdClient(std::vector<Endpoint>{Endpoint{std::move(address), port}}, timeout) {}

EtcdClient::EtcdClient(std::vector<Endpoint> endpoints, std::chrono::milliseconds timeout)
    : endpoints_(std::move(endpoints)), timeout_(timeout) {
  CX_ASSERT(!endpoints_.empty());
  address_ = endpoints_[0].address;
  port_ = endpoints_[0].port;
  for (const Endpoint& e : endpoints_) {
    beast::error_code bad;
    net::ip::make_address(e.address, bad);
    CX_ASSERT(!bad);
    CX_ASSERT(e.port != 0);
  }
  CX_ASSERT(timeout_.count() > 0);
  CX_ASSERT(port_ != 0);
}

std::string EtcdClient::endpoint() const {
  return address_.find(':') == std::string::npos ? address_ + ":" + std::to_string(port_)
                                                 : "[" + address_ + "]:" + std::to_string(port_);
}

namespace {

// One request, one answer, within `timeout`: the answer's JSON body, or the error.
// *connected: whether the connection was made (when it was not, nothing reached etcd).
EtcdResult<json> call(const std::string& address, std::uint16_t port, const std::string& endpoint,
                      std::chrono::milliseconds timeout, std::string_view path, const json& body,
                      bool* connected) {
  beast::error_code bad_address;
  const auto ip = net::ip::make_address(address, bad_address);
  CX_ASSERT(!bad_address);
  net::io_context ioc;
  beast::tcp_stream stream(ioc);
  auto req = make_request(endpoint, path, body);
  http::response_parser<http::string_body> parser;
  parser.body_limit(kAnswerBytesMax);
  beast::flat_buffer buffer;
  beast::error_code failed;
  const char* stage = "connect";
  stream.expires_after(timeout);  // one deadline for the whole exchange
  *connected = false;
  stream.async_connect(tcp::endpoint(ip, port), [&](beast::error_code ec) {
    if (ec) return void(failed = ec);
    stage = "send";
    *connected = true;
    http::async_write(stream, req, [&](beast::error_code ec2, std::size_t) {
      if (ec2) return void(failed = ec2);
      stage = "read";
      http::async_read(stream, buffer, parser,
                       [&](beast::error_code ec3, std::size_t) { failed = ec3; });
    });
  });
  ioc.run();
  if (failed) return Err{io_error(endpoint, stage, failed)};
  const auto& res = parser.get();
  json answer = json::parse(res.body(), nullptr, /*allow_exceptions=*/false);
  if (res.result() != http::status::ok) {
    std::string message = answer.is_object() ? answer.value("message", res.body()) : res.body();
    return Err{EtcdError{EtcdErrc::kRejected,
                         "etcd at " + endpoint + " refused " + std::string(path) + " (HTTP " +
                             std::to_string(res.result_int()) + "): " + message}};
  }
  if (!answer.is_object()) {
    return Err{EtcdError{EtcdErrc::kMalformed, "etcd at " + endpoint + " answered " +
                                                   std::string(path) +
                                                   " with something that is not a JSON object"}};
  }
  return answer;
}

template <typename T, typename F>
EtcdResult<T> parse_answer(const std::string& endpoint, std::string_view path,
                           EtcdResult<json>&& answer, F&& parse) {
  if (!answer) return Err{answer.error()};
  try {
    return parse(answer.value());
  } catch (const Malformed& m) {
    return Err{EtcdError{EtcdErrc::kMalformed, "etcd at " + endpoint + " answered " +
                                                   std::string(path) + " malformed: " + m.what}};
  } catch (const json::exception& e) {
    return Err{EtcdError{EtcdErrc::kMalformed, "etcd at " + endpoint + " answered " +
                                                   std::string(path) + " malformed: " + e.what()}};
  }
}

}  // namespace

// One call of `path` with `body`, its answer parsed by `parse`.
#define CX_ETCD_CALL(T, path, body, ...) \
  parse_answer<T>(endpoint(), path, call_any(path, (body)), __VA_ARGS__)

// One call, to the current member; a member that cannot be connected to (nothing was sent) is
// skipped for the next one, in order, each once. After a timeout or a failure once connected
// (the request may have reached etcd: the caller decides) the next call starts at the next
// member.
template <typename Json>
auto EtcdClient::call_any(std::string_view path, const Json& body) {
  EtcdResult<json> r = Err{EtcdError{}};
  for (std::size_t tried = 0; tried < endpoints_.size(); ++tried) {
    bool connected = false;
    r = call(address_, port_, endpoint(), timeout_, path, body, &connected);
    if (r || r.error().code == EtcdErrc::kRejected || r.error().code == EtcdErrc::kMalformed) {
      return r;
    }
    next_endpoint();
    if (connected) return r;
  }
  return r;
}

void EtcdClient::next_endpoint() {
  current_ = (current_ + 1) % endpoints_.size();
  address_ = endpoints_[current_].address;
  port_ = endpoints_[current_].port;
}

EtcdResult<RangeAnswer> EtcdClient::range(std::string_view key, std::string_view range_end,
                                          std::int64_t limit) {
  return CX_ETCD_CALL(RangeAnswer, "/v3/kv/range", range_json(key, range_end, limit),
                      [](const json& j) { return parse_range(j); });
}

EtcdResult<std::int64_t> EtcdClient::put(std::string_view key, std::string_view value,
                                         std::int64_t lease) {
  json body{{"key", b64_encode(key)}, {"value", b64_encode(value)}};
  if (lease != 0) body["lease"] = std::to_string(lease);
  return CX_ETCD_CALL(std::int64_t, "/v3/kv/put", body,
                      [](const json& j) { return get_int(get_object(j, "header"), "revision"); });
}

EtcdResult<std::int64_t> EtcdClient::delete_range(std::string_view key,
                                                  std::string_view range_end) {
  return CX_ETCD_CALL(std::int64_t, "/v3/kv/deleterange", range_json(key, range_end, 0),
                      [](const json& j) { return get_int(j, "deleted"); });
}

EtcdResult<TxnAnswer> EtcdClient::txn(const std::vector<Compare>& compares,
                                      const std::vector<TxnOp>& success,
                                      const std::vector<TxnOp>& failure) {
  json body{{"compare", json::array()}, {"success", json::array()}, {"failure", json::array()}};
  for (const auto& c : compares)
    body["compare"].push_back(compare_json(c));
  for (const auto& op : success)
    body["success"].push_back(op_json(op));
  for (const auto& op : failure)
    body["failure"].push_back(op_json(op));
  return CX_ETCD_CALL(TxnAnswer, "/v3/kv/txn", body, [](const json& j) {
    TxnAnswer t;
    t.succeeded = j.value("succeeded", false);
    t.revision = get_int(get_object(j, "header"), "revision");
    if (const auto it = j.find("responses"); it != j.end()) {
      if (!it->is_array()) throw Malformed{"responses is not an array"};
      for (const auto& r : *it) {
        if (const auto rr = r.find("response_range"); rr != r.end()) {
          t.ranges.push_back(parse_range(*rr));
        }
      }
    }
    return t;
  });
}

EtcdResult<Lease> EtcdClient::lease_grant(std::int64_t ttl_s) {
  CX_ASSERT(ttl_s > 0);
  return CX_ETCD_CALL(Lease, "/v3/lease/grant", (json{{"TTL", std::to_string(ttl_s)}}),
                      [](const json& j) {
                        if (j.contains("error") && !j["error"].get<std::string>().empty()) {
                          throw Malformed{"lease not granted: " + j["error"].get<std::string>()};
                        }
                        Lease l{get_int(j, "ID"), get_int(j, "TTL")};
                        if (l.id == 0 || l.ttl_s <= 0) throw Malformed{"no lease ID or TTL"};
                        return l;
                      });
}

EtcdResult<std::int64_t> EtcdClient::lease_keepalive(std::int64_t lease_id) {
  CX_ASSERT(lease_id != 0);
  // A stream on the gateway: one request, one newline-delimited {"result": ...} back.
  return CX_ETCD_CALL(std::int64_t, "/v3/lease/keepalive", (json{{"ID", std::to_string(lease_id)}}),
                      [lease_id](const json& j) {
                        const json& r = get_object(j, "result");
                        if (get_int(r, "ID") != lease_id) throw Malformed{"another lease's ID"};
                        return get_int(r, "TTL");
                      });
}

EtcdResult<bool> EtcdClient::lease_revoke(std::int64_t lease_id) {
  CX_ASSERT(lease_id != 0);
  return CX_ETCD_CALL(bool, "/v3/lease/revoke", (json{{"ID", std::to_string(lease_id)}}),
                      [](const json& j) {
                        (void)get_object(j, "header");
                        return true;
                      });
}

#undef CX_ETCD_CALL

// ---- watch ----

struct EtcdWatch::Impl {
  std::string endpoint;
  net::io_context ioc;
  tcp::socket socket{ioc};
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  std::size_t consumed = 0;  // bytes of the body already returned as events
  bool reading = false;
  bool broken = false;
  beast::error_code failed;

  // Takes the complete lines of the body not returned yet.
  EtcdResult<std::vector<WatchEvent>> take_lines();
};

EtcdWatch::EtcdWatch(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
EtcdWatch::~EtcdWatch() = default;

EtcdResult<std::vector<WatchEvent>> EtcdWatch::Impl::take_lines() {
  std::vector<WatchEvent> events;
  std::string& body = parser.get().body();
  for (;;) {
    const auto nl = body.find('\n', consumed);
    if (nl == std::string::npos) break;
    const std::string_view line(body.data() + consumed, nl - consumed);
    consumed = nl + 1;
    if (line.empty()) continue;
    const json j = json::parse(line, nullptr, false);
    try {
      if (!j.is_object()) throw Malformed{"a line that is not a JSON object"};
      if (j.contains("error")) {
        broken = true;
        return Err{EtcdError{EtcdErrc::kRejected,
                             "etcd at " + endpoint + " ended the watch: " + j["error"].dump()}};
      }
      const json& r = get_object(j, "result");
      if (r.value("canceled", false)) {
        broken = true;
        return Err{EtcdError{EtcdErrc::kRejected, "etcd at " + endpoint + " canceled the watch: " +
                                                      r.value("cancel_reason", std::string())}};
      }
      if (const auto it = r.find("events"); it != r.end()) {
        for (const auto& e : *it) {
          events.push_back(WatchEvent{e.value("type", std::string()) == "DELETE",
                                      parse_kv(get_object(e, "kv"))});
        }
      }
    } catch (const Malformed& m) {
      broken = true;
      return Err{EtcdError{EtcdErrc::kMalformed,
                           "etcd at " + endpoint + " sent a malformed watch event: " + m.what}};
    }
  }
  if (consumed > (1u << 20)) {  // keep the body small: drop what was returned
    body.erase(0, consumed);
    consumed = 0;
  }
  return events;
}

EtcdResult<std::vector<WatchEvent>> EtcdWatch::next(std::chrono::milliseconds timeout) {
  Impl& w = *impl_;
  CX_ASSERT(!w.broken);
  auto ready = w.take_lines();
  if (!ready || !ready.value().empty()) return ready;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (!w.reading) {
      w.reading = true;
      http::async_read_some(w.socket, w.buffer, w.parser, [&w](beast::error_code ec, std::size_t) {
        w.reading = false;
        w.failed = ec;
      });
    }
    w.ioc.restart();
    w.ioc.run_until(deadline);  // a read still pending at the deadline stays pending
    if (w.reading) break;
    if (w.failed || w.parser.is_done()) {
      w.broken = true;
      const auto ec = w.failed ? w.failed : beast::error_code(net::error::eof);
      return Err{io_error(w.endpoint, "watch", ec)};
    }
    auto events = w.take_lines();
    if (!events || !events.value().empty()) return events;
  }
  return std::vector<WatchEvent>{};
}

EtcdResult<std::unique_ptr<EtcdWatch>> EtcdClient::watch(std::string_view key,
                                                         std::string_view range_end,
                                                         std::int64_t start_revision) {
  json create = range_json(key, range_end, 0);
  if (start_revision > 0) create["start_revision"] = std::to_string(start_revision);
  auto impl = std::make_unique<EtcdWatch::Impl>();
  impl->endpoint = endpoint();
  impl->parser.body_limit(boost::none);
  const auto ip = net::ip::make_address(address_);
  auto req = make_request(impl->endpoint, "/v3/watch", json{{"create_request", create}});
  beast::error_code failed;
  const char* stage = "connect";
  bool done = false;
  impl->socket.async_connect(tcp::endpoint(ip, port_), [&](beast::error_code ec) {
    if (ec) return void(failed = ec);
    stage = "send";
    http::async_write(impl->socket, req, [&](beast::error_code ec2, std::size_t) {
      if (ec2) return void(failed = ec2);
      stage = "read";
      http::async_read_header(impl->socket, impl->buffer, impl->parser,
                              [&](beast::error_code ec3, std::size_t) {
                                failed = ec3;
                                done = true;
                              });
    });
  });
  impl->ioc.run_for(timeout_);
  if (!failed && !done) failed = beast::error::timeout;
  if (failed) {
    beast::error_code ignored;
    impl->socket.close(ignored);  // the pending operations end with the io_context
    next_endpoint();              // the next watch tries the next member
    return Err{io_error(impl->endpoint, stage, failed)};
  }
  if (impl->parser.get().result() != http::status::ok) {
    return Err{
        EtcdError{EtcdErrc::kRejected, "etcd at " + impl->endpoint + " refused the watch (HTTP " +
                                           std::to_string(impl->parser.get().result_int()) + ")"}};
  }
  return std::unique_ptr<EtcdWatch>(new EtcdWatch(std::move(impl)));
}

}  // namespace carbonx::replica
