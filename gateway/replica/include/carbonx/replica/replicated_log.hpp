#pragma once
// The replicated log of the sequencer's batches on etcd (README.md has the key layout).
//
// A Primary takes leadership with a lease and an election key and appends batches of stamped
// command records (opaque bytes here), each in one etcd txn that holds only while the election
// key is still the one this primary created and the log ends just before the batch: a deposed
// primary's append is refused with LogErrc::kNotLeader, never half-applied. A Reader (a standby)
// reads batches in seq order from a given seq, watches for new ones, and reports the seq it has
// applied; the primary deletes the batches every reporting replica has applied.
//
// Not thread-safe (one object per thread); no thread is started: the owner calls keep_alive()
// more often than the lease's TTL. Every etcd failure is LogErrc::kEtcd with the client's text.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "carbonx/engine/result.hpp"
#include "carbonx/replica/etcd_client.hpp"

namespace carbonx::replica {

enum class LogErrc : std::uint8_t {
  kEtcd,            // etcd down, slow or answering nonsense (the text says which)
  kNotLeader,       // this primary does not hold the election key (any more): nothing appended
  kOutOfOrder,      // the batch does not start right after the log's last seq
  kBatchExists,     // a batch already starts at this seq
  kGap,             // the log skips a seq (a damaged log): the text names the seq
  kCompacted,       // the seq asked for was already deleted by compaction
  kMalformedBatch,  // a stored batch does not decode (the text names its key)
  kTooLarge,        // the batch is over kBatchBytesMax or kRecordsPerBatchMax
};
const char* to_string(LogErrc code) noexcept;

struct LogError {
  LogErrc code = LogErrc::kEtcd;
  std::string text;
};

template <typename T>
using LogResult = Result<T, LogError>;
using LogStatus = Result<void, LogError>;

// Limits of one batch: etcd refuses a request over 1.5 MiB by default, and base64 adds a third.
inline constexpr std::size_t kBatchBytesMax = 1u << 20;
inline constexpr std::size_t kRecordsPerBatchMax = 65536;

// Records first_seq .. first_seq + records.size() - 1, in seq order. first_seq >= 1.
struct Batch {
  std::uint64_t first_seq = 0;
  std::vector<std::string> records;

  std::uint64_t last_seq() const { return first_seq + records.size() - 1; }
  friend bool operator==(const Batch&, const Batch&) = default;
};

// The stored form (versioned: magic "CXRB", version 1, little-endian fixed-width fields).
std::string encode_batch(const Batch& batch);
LogResult<Batch> decode_batch(std::string_view bytes);

// The keys under `prefix` (which ends with '/'), README.md.
struct LogKeys {
  std::string prefix;
  std::string leader() const { return prefix + "leader"; }
  std::string tail() const { return prefix + "tail"; }
  std::string log_dir() const { return prefix + "log/"; }
  std::string batch(std::uint64_t first_seq) const;  // log/ + 20 decimal digits
  std::string applied_dir() const { return prefix + "applied/"; }
  std::string applied(std::string_view replica) const {
    return applied_dir() + std::string(replica);
  }
};

struct LogConfig {
  std::string prefix;  // e.g. "/carbonx/gz/": one exchange's log
  std::string name;    // this replica's name (the election key's value)
  std::int64_t lease_ttl_s = 5;
};

class Primary {
 public:
  Primary(EtcdClient& etcd, LogConfig config);

  // Tries to take leadership: true when this replica leads (now or already), false when another
  // candidate holds the election key (holder() names it). Grants the lease on first use.
  LogResult<bool> campaign();
  // Renews the lease: kNotLeader once it has expired or was revoked (this primary is deposed).
  LogStatus keep_alive();
  // Appends `batch` in one txn guarded by leadership and by the log's tail. Precondition:
  // leading() and a non-empty batch.
  LogStatus append(const Batch& batch);
  // Deletes the batches every replica under applied/ has applied (guarded by leadership):
  // the number of batches deleted.
  LogResult<std::size_t> compact();
  // Gives leadership up (revokes the lease: the election key goes with it).
  LogStatus resign();

  bool leading() const { return leader_revision_ != 0; }
  std::uint64_t next_seq() const { return next_seq_; }  // the seq the next batch must start at
  const std::string& holder() const { return holder_; }
  std::int64_t lease_id() const { return lease_id_; }

 private:
  LogError not_leader(std::string_view what) const;
  EtcdClient& etcd_;
  LogConfig config_;
  LogKeys keys_;
  std::int64_t lease_id_ = 0;
  std::int64_t leader_revision_ = 0;  // the election key's create_revision while leading
  std::uint64_t next_seq_ = 1;
  std::string holder_;
};

class LogWatch;

class Reader {
 public:
  Reader(EtcdClient& etcd, std::string prefix);

  // The batches from `seq` on (at most max_batches), contiguous; empty when the log ends before
  // `seq`. `seq` must start a batch (a replica applies whole batches).
  LogResult<std::vector<Batch>> read_from(std::uint64_t seq, std::size_t max_batches);
  // The log's last seq (0: empty).
  LogResult<std::uint64_t> tail();
  // Records that replica `name` has applied everything up to `seq` (compaction waits for it).
  LogStatus report_applied(std::string_view name, std::uint64_t seq);
  // Every batch from `seq` on, then each new one as it is appended.
  LogResult<std::unique_ptr<LogWatch>> watch_from(std::uint64_t seq);

 private:
  friend class LogWatch;
  struct Range {
    std::vector<Batch> batches;
    std::int64_t revision = 0;
  };
  LogResult<Range> read_range(std::uint64_t seq, std::size_t max_batches);
  EtcdClient& etcd_;
  LogKeys keys_;
};

class LogWatch {
 public:
  // The next batches in seq order (empty when none came within `timeout`). A gap or a malformed
  // batch is an error naming the seq; after an error, open a new watch.
  LogResult<std::vector<Batch>> next(std::chrono::milliseconds timeout);
  std::uint64_t next_seq() const { return next_seq_; }

 private:
  friend class Reader;
  LogWatch(std::string log_dir, std::uint64_t next_seq, std::vector<Batch> pending,
           std::unique_ptr<EtcdWatch> watch);
  std::string log_dir_;
  std::uint64_t next_seq_;
  std::vector<Batch> pending_;
  std::unique_ptr<EtcdWatch> watch_;
};

}  // namespace carbonx::replica
