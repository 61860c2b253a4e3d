#pragma once
// A small synchronous etcd v3 client over etcd's JSON gateway (HTTP/1.1 on the client URL:
// POST /v3/kv/range, /v3/kv/put, /v3/kv/deleterange, /v3/kv/txn, /v3/lease/grant,
// /v3/lease/keepalive, /v3/lease/revoke, /v3/watch; keys and values travel base64 in JSON).
//
// Contract: every call connects, sends one request and reads one answer within the client's
// timeout (one connection per call: simple, and a dead member never leaves a half-used socket).
// Errors are values (EtcdError): etcd down or unreachable, the timeout passed, an answer that is
// not what etcd's gateway sends, or an error etcd itself reported. Not thread-safe: one client
// per thread. No thread is started; nothing is retried (the caller decides).

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "carbonx/engine/result.hpp"

namespace carbonx::replica {

enum class EtcdErrc : std::uint8_t {
  kUnavailable,  // connection refused, reset or closed: etcd is down or unreachable
  kTimeout,      // no complete answer within the timeout
  kMalformed,    // the answer is not JSON of the expected shape
  kRejected,     // etcd answered with an error (HTTP status other than 200)
};
const char* to_string(EtcdErrc code) noexcept;

struct EtcdError {
  EtcdErrc code = EtcdErrc::kUnavailable;
  std::string text;  // one sentence naming the endpoint and what went wrong
};

template <typename T>
using EtcdResult = Result<T, EtcdError>;

struct KeyValue {
  std::string key;
  std::string value;
  std::int64_t create_revision = 0;
  std::int64_t mod_revision = 0;
  std::int64_t version = 0;
  std::int64_t lease = 0;
};

struct RangeAnswer {
  std::vector<KeyValue> kvs;  // in key order
  std::int64_t revision = 0;  // the store's revision when read
  bool more = false;          // a limit cut the answer short
};

// One comparison of a txn: `target` of `key` compared with `number` (or `value` for kValue).
struct Compare {
  enum class Target : std::uint8_t { kCreate, kMod, kVersion, kValue };
  enum class Result : std::uint8_t { kEqual, kNotEqual, kGreater, kLess };
  Target target = Target::kCreate;
  Result result = Result::kEqual;
  std::string key;
  std::int64_t number = 0;
  std::string value;
};

// One operation of a txn. kRange/kDelete cover [key, range_end) when range_end is not empty.
struct TxnOp {
  enum class Kind : std::uint8_t { kPut, kRange, kDelete };
  Kind kind = Kind::kRange;
  std::string key;
  std::string value;       // kPut
  std::string range_end;   // kRange, kDelete
  std::int64_t lease = 0;  // kPut: 0 = no lease
  std::int64_t limit = 0;  // kRange: 0 = no limit
};

struct TxnAnswer {
  bool succeeded = false;           // the compares held: the success ops ran
  std::int64_t revision = 0;        // the store's revision after the txn
  std::vector<RangeAnswer> ranges;  // the answers of the kRange ops that ran, in order
};

struct Lease {
  std::int64_t id = 0;
  std::int64_t ttl_s = 0;
};

struct WatchEvent {
  bool deleted = false;  // a DELETE event (kv has the key and mod_revision only)
  KeyValue kv;
};

// One etcd member's client URL: a numeric IPv4 or IPv6 address and a port.
struct Endpoint {
  std::string address;
  std::uint16_t port = 0;
};

// The end of the range of every key starting with `prefix` (etcd's prefix convention).
std::string prefix_end(std::string_view prefix);

class EtcdWatch;

class EtcdClient {
 public:
  // `address` is a numeric IPv4 or IPv6 address (no name resolution), `timeout` > 0 bounds
  // each call from connect to the last byte of the answer.
  EtcdClient(std::string address, std::uint16_t port, std::chrono::milliseconds timeout);
  // Several members of one cluster: a call goes to the current one; a member that cannot be
  // connected to is skipped for the next (nothing was sent to it); after a timeout or a failure
  // once connected, the call's error is returned and the next call starts at the next member.
  EtcdClient(std::vector<Endpoint> endpoints, std::chrono::milliseconds timeout);

  std::string endpoint() const;  // the current member

  EtcdResult<RangeAnswer> range(std::string_view key, std::string_view range_end = {},
                                std::int64_t limit = 0);
  EtcdResult<std::int64_t> put(std::string_view key, std::string_view value,
                               std::int64_t lease = 0);  // -> revision
  EtcdResult<std::int64_t> delete_range(std::string_view key,
                                        std::string_view range_end = {});  // -> deleted
  EtcdResult<TxnAnswer> txn(const std::vector<Compare>& compares, const std::vector<TxnOp>& success,
                            const std::vector<TxnOp>& failure);

  EtcdResult<Lease> lease_grant(std::int64_t ttl_s);
  // One keep-alive of the lease: its remaining TTL in seconds; 0 means the lease has expired or
  // was revoked (it can never be renewed again).
  EtcdResult<std::int64_t> lease_keepalive(std::int64_t lease_id);
  // Revokes the lease and deletes every key attached to it.
  EtcdResult<bool> lease_revoke(std::int64_t lease_id);

  // Watches [key, range_end) from `start_revision` (0: from now). The watch has its own
  // connection, open until the EtcdWatch is destroyed.
  EtcdResult<std::unique_ptr<EtcdWatch>> watch(std::string_view key, std::string_view range_end,
                                               std::int64_t start_revision);

 private:
  friend class EtcdWatch;
  template <typename Json>
  auto call_any(std::string_view path, const Json& body);
  void next_endpoint();
  std::vector<Endpoint> endpoints_;
  std::size_t current_ = 0;
  std::string address_;  // endpoints_[current_]
  std::uint16_t port_ = 0;
  std::chrono::milliseconds timeout_;
};

// A watch stream. next() waits up to `timeout` for the next events (an empty vector when none
// came in that time; the watch stays open). An error ends the watch: open a new one.
class EtcdWatch {
 public:
  ~EtcdWatch();
  EtcdWatch(const EtcdWatch&) = delete;
  EtcdWatch& operator=(const EtcdWatch&) = delete;

  EtcdResult<std::vector<WatchEvent>> next(std::chrono::milliseconds timeout);

 private:
  friend class EtcdClient;
  struct Impl;
  explicit EtcdWatch(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace carbonx::replica
