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
// etcd). Replication is a stage of its own between the commit and the out stage: the core thread
// hands each committed batch's records to the appender thread (enqueue(), a single-producer
// queue) and goes on with the next batch while the append is in flight; the sequencer releases a
// batch's replies only once wait_appended() says its last seq is in the log, batches in seq
// order. An append refused because another replica holds the election key (kNotLeader: this
// primary's lease lapsed — it was paused or partitioned — or was revoked) or failing on etcd
// deposes it: that batch and every batch committed after it are never acknowledged (they are in
// this store only: the "unacknowledged tail"), every later state change is refused with the
// reason, one line is logged, query.status says so. An append that timed out is ambiguous: the
// batch's key is read before anything else (there with the same bytes: it is in).
//
// Failover: a standby whose primary's election key is gone (its lease lapsed or was revoked)
// applies everything in the log up to its end, campaigns, and on winning applies the rest (what
// was appended before the key went), then hands a promotion to the core thread (a
// ReplicatedBatch with `promote`), which rebuilds what a primary holds in memory from its store
// (the FIX bookkeeping of open orders, the day's used ClOrdIDs, the out stage's orders) and calls
// promoted(): from then on it leads. A deposed primary rejoins as a standby, following the log
// from its applied seq, once nothing of its store is beyond what it appended; a store with an
// unacknowledged tail cannot (LMDB holds the state after the tail, not before it): it says so
// naming the seqs and stays deposed; restarted, it refuses to start as a standby the same way.
//
// The lease is kept alive by the role thread (every TTL/3), not by the core thread: the core
// thread sleeps on the queue when idle and may be in an fsync when busy, and neither should
// decide whether the lease lives. Fencing never depends on it: every append compares the
// election key's create revision in its txn.
//
// Threads: the appender thread (primary) appends; the role thread keeps the lease alive
// (primary), follows the log and campaigns (standby), or waits to rejoin (deposed); each has its
// own etcd client except that the role thread uses the primary's campaign before the appender
// starts. enqueue() and promoted() from the core thread; role(), refusal(), status(),
// wait_appended() from any thread.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
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
  std::uint64_t promotions = 0;   // times this process went from standby to primary
  std::uint64_t rejoins = 0;      // times it went from deposed back to standby
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

  // Primary, core thread: the committed journal records of seqs first_seq, ... (each the
  // stored record: header, payload, hash) to the appender, which appends them as one batch (or
  // several, over the log's batch limit), in order. Once the replica is deposed nothing more is
  // appended: the batch is dropped (never acknowledged), and one line says so.
  void enqueue(std::uint64_t first_seq, std::vector<std::string> records);
  // Any thread: waits until `seq` is in the log (true) or will never be appended by this replica
  // (false: deposed, or stopping). Bounded by the appends' etcd timeouts.
  bool wait_appended(std::uint64_t seq);
  // Non-blocking: `seq` is in the log already.
  bool appended(std::uint64_t seq) const;

  // Starts the role thread (the lease's keep-alive of a primary; the follower of a standby, which
  // submits each batch of the log to `sequencer` and reports the applied seq). After the
  // sequencer started.
  void start(Sequencer& sequencer);
  void stop();

  // A standby's batch that could not be applied (core thread): the follower stops, the reason
  // is shown.
  void standby_failed(const std::string& why);
  // Core thread, at a promotion: the driver rebuilt what a primary holds; from now on this
  // replica leads (the appender starts; the role thread keeps the lease alive).
  void promoted();

  ReplicaRole role() const { return role_.load(std::memory_order_acquire); }
  bool leading() const { return role() == ReplicaRole::kPrimary; }
  // "" while leading; otherwise the sentence refusals carry.
  std::string refusal() const;
  ReplicaStatus status() const;
  const ReplicaConfig& config() const { return config_; }

 private:
  explicit Replication(const ReplicaConfig& config);
  void set_problem(ReplicaRole role, const std::string& why);
  void role_loop(Sequencer* sequencer);
  void keep_alive_loop();
  void follow_loop(Sequencer* sequencer);
  // A deposed primary: back to standby once its store holds nothing beyond the log.
  bool try_rejoin(Sequencer* sequencer);
  bool campaign_and_promote(Sequencer* sequencer,
                            const std::function<bool(std::uint64_t)>& follow_to);
  void append_loop();
  void start_appender();
  std::string append_batch(const replica::Batch& batch);
  std::string catch_up_log(registry::Store& store, std::uint64_t tail);
  // The store's record at `seq` against the log's: "" when equal, else why not.
  std::string same_history(registry::Store& store, std::uint64_t seq);
  bool pause(std::chrono::milliseconds d);  // false: stopping

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
  std::thread thread_;  // the role thread

  // The replication stage (primary): committed batches to the appender, in seq order.
  struct AppendJob {
    std::uint64_t first_seq = 0;
    std::vector<std::string> records;
  };
  mutable std::mutex append_mutex_;
  std::condition_variable append_cv_;   // the appender waits for jobs
  std::condition_variable settled_cv_;  // wait_appended() waits for appends
  std::deque<AppendJob> jobs_;
  bool append_busy_ = false;        // a job is being appended
  bool append_stop_ = false;        // the appender ends once jobs_ is empty
  std::uint64_t appended_seq_ = 0;  // the last seq in the log (appended by this replica or
                                    // followed: its store's applied seq at a promotion)
  std::uint64_t dropped_seq_ = 0;   // the last seq of a batch dropped or failed
  std::thread appender_;
};

}  // namespace carbonx::gateway
