#pragma once
// Replication: carbonxd as one replica of an exchange whose command log is on etcd ([replica] in
// the configuration; the log itself is gateway/replica, carbonx::replica). docs/design.md "Hot
// standby" is the overview.
//
//   primary:  apply -> commit (LMDB) -> append (etcd, one fenced txn per batch) -> replies
//   standby:  watch the log -> ReplicatedBatch through the sequencer -> the same JournalApplier
//             -> commit (LMDB: the same journal records, state and applied_seq) -> report_applied
//
// At start a replica checks that the log under its prefix is its exchange's (the key
// `<prefix>exchange` holds the exchange identity; the first replica to start writes it), then
// takes its role: a standby when started with --standby, when the log is ahead of its store, or
// when another replica holds the election key; otherwise it campaigns and, if it wins, leads.
// A leader whose store is ahead of the log (replication enabled on an existing exchange, or the
// first start's bootstrap) appends the store's records first.
//
// A primary acknowledges a batch only once it is in its LMDB and in the log (on a majority of
// etcd). An append refused because another replica holds the election key (kNotLeader: this
// primary's lease lapsed — it was paused or partitioned — or was revoked) or failing on etcd
// deposes it: that batch's replies are not sent, every later state change is refused with the
// reason, one line is logged, query.status says so. An append that timed out is ambiguous: the
// batch's key is read before anything else (there with the same bytes: it is in).
//
// The lease is kept alive by a small thread of its own (every TTL/3), not by the core thread:
// the core thread sleeps on the queue when idle and may be in an fsync or an append when busy,
// and neither should decide whether the lease lives. Fencing never depends on the keep-alive
// thread: every append compares the election key's create revision in its txn.
//
// Threads: the core thread appends (append(), catch_up_log()); the keep-alive thread (primary)
// and the follower thread (standby) have their own etcd clients. role(), refusal() and status()
// from any thread.

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "carbonx/gateway/config.hpp"
#include "carbonx/replica/replicated_log.hpp"

namespace carbonx::registry {
class Store;
}

namespace carbonx::gateway {

class Sequencer;

enum class ReplicaRole : std::uint8_t {
  kPrimary = 1,  // leads: appends and acknowledges
  kStandby,      // follows the log, serves read-only queries
  kDeposed,      // was primary, an append was refused or failed: acknowledges nothing more
  kFailed,       // a standby that cannot follow (a gap, a hash that does not chain, its store)
};
std::string_view to_string(ReplicaRole r) noexcept;

// What query.status shows of the replica (copied under a lock).
struct ReplicaStatus {
  std::string name;
  ReplicaRole role = ReplicaRole::kStandby;
  std::string leader;             // the election key's holder when last seen ("" none)
  std::uint64_t log_seq = 0;      // primary: last seq appended; standby: last seq received
  std::uint64_t applied_seq = 0;  // standby: last seq committed to its store and reported
  std::string problem;            // why it is deposed or failed ("" otherwise)
};

class Replication {
 public:
  // Connects to etcd (no thread yet) and checks the exchange identity key. nullptr and *error
  // (naming both identities, or etcd's error) on failure.
  static std::unique_ptr<Replication> open(const ReplicaConfig& config,
                                           const std::string& exchange_id, std::string* error);
  ~Replication();
  Replication(const Replication&) = delete;
  Replication& operator=(const Replication&) = delete;

  // The role at start, from the store (before the sequencer runs; core thread from then on).
  // A primary whose store is ahead of the log appends the difference first. false and *error:
  // etcd is unreachable, or a standby's store is ahead of the log (it holds seqs the log does
  // not: a deposed primary's unacknowledged batches) and cannot follow.
  bool take_role(registry::Store& store, std::string* error);

  // Primary, core thread: appends the committed journal records of seqs first_seq, ... (each
  // the stored record: header, payload, hash) as one batch. "" when it is in the log; otherwise
  // why not, and the replica is deposed from then on.
  std::string append(std::uint64_t first_seq, std::vector<std::string> records);

  // Starts the keep-alive thread (primary) or the follower thread (standby: submits each batch
  // of the log to `sequencer`, reports the applied seq). After the sequencer started.
  void start(Sequencer& sequencer);
  void stop();

  // A standby's batch that could not be applied (core thread): the follower stops, the reason
  // is shown.
  void standby_failed(const std::string& why);

  ReplicaRole role() const { return role_.load(std::memory_order_acquire); }
  bool leading() const { return role() == ReplicaRole::kPrimary; }
  // "" while leading; otherwise the sentence refusals carry.
  std::string refusal() const;
  ReplicaStatus status() const;
  const ReplicaConfig& config() const { return config_; }

 private:
  explicit Replication(const ReplicaConfig& config);
  void set_problem(ReplicaRole role, const std::string& why);
  void keep_alive_loop();
  void follow_loop(Sequencer* sequencer);
  std::string append_batch(const replica::Batch& batch);
  std::string catch_up_log(registry::Store& store, std::uint64_t tail);

  ReplicaConfig config_;
  std::string exchange_id_;
  std::unique_ptr<replica::EtcdClient> etcd_;  // core thread (and open/take_role before it)
  std::unique_ptr<replica::Primary> primary_;
  std::unique_ptr<replica::Reader> reader_;
  std::atomic<ReplicaRole> role_{ReplicaRole::kStandby};
  std::uint64_t start_applied_ = 0;  // the store's applied seq at take_role

  mutable std::mutex mutex_;  // guards status_
  ReplicaStatus status_;

  std::atomic<bool> stopping_{false};
  std::mutex wake_mutex_;
  std::condition_variable wake_;
  std::thread thread_;  // keep-alive (primary) or follower (standby)
};

}  // namespace carbonx::gateway
