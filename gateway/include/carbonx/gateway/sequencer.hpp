#pragma once
// The sequencer (docs/design.md "The spine"): the edges (FIX sessions, operator API, calendar
// timers) submit inbound items from any thread; ONE core thread takes them in arrival order, stamps
// each with the exchange clock's time (clock.hpp: the wall clock or a simulated one; stamps never
// decrease, also across restarts: they start from the driver's last journaled stamp), applies them
// through the CoreDriver in batches and commits each batch; a sender thread delivers the batch's
// replies only after its commit returned. The driver numbers the core commands (journal seqs):
// queries and refusals at the edge of the core take no seq.
//
//   submit() --queue--> core thread: apply(ts, item) x N, commit() --> [replication: the
//   batch's release_seq in the replicated log] --> sender: out stage, deliver()
//
// The out stage (gateway/out): a driver that has one (CoreDriver::defer_replies) does not make
// replies on the core thread; it records the batch's events and per-command context
// (out::Batch), and after the commit the sequencer hands that record to where the batch is
// delivered, which translates it (out::OutStage::translate) into the replies, then delivers them.
//
// A failed commit (the store is full, or fails) is not the end of the process: the driver rolls
// its state back to the last commit (CoreDriver::roll_back), the batch's items are applied again
// — the driver now refuses every state change, with the reason — and those replies are
// delivered instead; nothing of the failed batch was ever said. Only a driver that cannot roll
// back stops the process (FATAL, before anything is acknowledged).
//
// Batching: a batch closes as soon as the queue is empty (or at max_batch), never on a timer;
// while the core thread commits (an fsync in full_sync mode) the next batch accumulates in the
// queue (group commit). When the queue is empty and the sender is idle, the core thread
// delivers the committed batch itself (saves a thread hand-off per reply at moderate rates).
//
// The CoreDriver is the narrow seam to the state: today carbonx::Core + registry::Store (one LMDB
// write transaction per batch); for the replicated deployment of docs/design.md "Where the design
// is going" its commit() first appends the batch's journal records to the replicated log. Nothing
// else in the gateway knows how a batch becomes durable.
//
// Thread-safety: submit() and stats() from any thread; start()/stop() from one owner thread.
// The out stage and the sink are used by one thread at a time, batches in commit order.

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include "carbonx/edge/fix_command.hpp"
#include "carbonx/engine/result.hpp"
#include "carbonx/engine/units.hpp"
#include "carbonx/gateway/clock.hpp"
#include "carbonx/gateway/fix_engine.hpp"
#include "carbonx/gateway/fix_types.hpp"
#include "carbonx/out/batch.hpp"
#include "carbonx/verbs/requests.hpp"

namespace carbonx::out {
class OutStage;
}

namespace carbonx::gateway {

// An operator verb, parsed ONCE at the edge into its typed request (the verb table,
// carbonx/verbs/verbs.hpp; operator_verbs.hpp): no JSON crosses the queue.
struct OperatorRequest {
  std::uint64_t ticket = 0;  // the HTTP exchange waiting for the reply
  verbs::Request request;    // e.g. verbs::MarketOpen, verbs::CashDeposit
};

// A trading-calendar event (a timer fired). Goes through the sequencer like everything else, so
// a replay sees the same opens and closes.
struct CalendarEvent {
  enum class Kind : std::uint8_t { kOpen = 1, kClose, kEndOfDay };
  Kind kind = Kind::kOpen;
};

// A FIX session event that changes state: a logout with cancel-on-disconnect. The edge names
// the session's member and whether it asked to have its orders cancelled when it goes.
struct SessionEvent {
  enum class Kind : std::uint8_t { kDisconnected = 1 };
  Kind kind = Kind::kDisconnected;
  MemberId member{0};
  bool cancel_on_disconnect = false;
};

// A batch of the replicated log, on a standby (replication.hpp): the primary's journal records
// (each as stored: header, payload, hash), applied as they are through the JournalApplier.
// `promote` (no records): the standby now leads and has applied the whole log; the core thread
// rebuilds what a primary holds in memory and calls Replication::promoted().
struct ReplicatedBatch {
  std::uint64_t first_seq = 0;
  std::vector<std::string> records;
  bool promote = false;
};

// What crosses the queue. A member's FIX message arrives as the edge's fixed-size FixCommand
// (gateway/edge: names already resolved on the session's thread), never as FIX text or strings.
struct Inbound {
  SessionIndex session = kNoSession;  // FIX origin, else kNoSession
  std::variant<edge::FixCommand, OperatorRequest, CalendarEvent, SessionEvent, ReplicatedBatch>
      item;
};

// Something to send once its batch is durable (the out stage's, carbonx/out/batch.hpp).
using out::Delivery;

// kStore: nothing of the batch is durable (rolled back). kNotReplicated: the batch is in the
// store but not in the replicated log (replication.hpp): it is never acknowledged.
enum class CommitError : std::uint8_t { kStore = 1, kNotReplicated };
std::string_view to_string(CommitError e) noexcept;

class CoreDriver {
 public:
  virtual ~CoreDriver() = default;
  // Applies `in` stamped `ts` (non-decreasing): as zero or more core commands numbered
  // applied_seq + 1, + 2, ..., or as a query. Appends the replies it causes to `out`.
  // Core thread only.
  virtual void apply(TimestampNs ts, const Inbound& in, std::vector<Delivery>& out) = 0;
  // Makes everything applied since the last commit durable, atomically. On kStore nothing of the
  // batch is durable: its replies are never delivered, and roll_back() is called. On
  // kNotReplicated the batch is durable here but not replicated: its replies are never
  // delivered either, and the state stays (the driver refuses changes from then on).
  virtual Status<CommitError> commit() = 0;
  // After a failed commit: puts the state back to the last commit (what a restart would recover)
  // and from then on refuses state changes until poll() finds the store writable again. The
  // sequencer then applies the failed batch's items again, so each gets its refusal (or, for a
  // query, its answer). false and *error if the state cannot be recovered: the process stops.
  virtual bool roll_back(std::string* /*error*/) { return false; }
  // True while the driver waits for something (the store to take writes again, held events):
  // the sequencer then calls poll() about once a second even when nothing is queued.
  virtual bool degraded() const { return false; }
  // Called while degraded(): true if it applied something (replies in `out`) to commit now.
  virtual bool poll(TimestampNs /*ts*/, std::vector<Delivery>& /*out*/) { return false; }
  // The last applied seq (durable after commit() returns).
  virtual Seq applied_seq() const = 0;
  // The stamp of the last journaled command (0: none); the sequencer stamps nothing earlier.
  virtual TimestampNs last_stamp() const { return TimestampNs(0); }
  // The driver's out stage, or nullptr (its apply() makes the replies itself). Called once, by
  // Sequencer::start() before its threads run: from then on apply() and poll() leave `out`
  // empty and record each batch instead, and the driver never touches the out stage again
  // (the sequencer's delivery runs it).
  virtual out::OutStage* defer_replies() { return nullptr; }
  // After a successful commit(): the batch's record for the out stage (empty if not deferred).
  // `spare`: an earlier batch, delivered: the next batch is recorded into its vectors (their
  // capacity kept), so recording allocates nothing per command.
  virtual out::Batch take_out_batch(out::Batch /*spare*/) { return {}; }
  // The replication stage (a primary replica, replication.hpp): after a successful commit(), the
  // seq the batch's replies wait for before they are released (0: none). await_release() is
  // called where the batch is delivered (the sender thread, or the core thread when released()
  // says it is already there): false means it never will be (the batch is not acknowledged).
  virtual std::uint64_t release_seq() const { return 0; }
  virtual bool await_release(std::uint64_t /*seq*/) { return true; }
  virtual bool released(std::uint64_t /*seq*/) const { return true; }
};

class DeliverySink {
 public:
  virtual ~DeliverySink() = default;
  // The batch is durable. Called by the sender thread or by the core thread, never by two
  // threads at once, batches in commit order.
  virtual void deliver(std::vector<Delivery>& batch) = 0;
  // The same durable batch as the out stage saw it (its events), just before its replies are
  // translated: the operator console's live books (gateway/src/console). Same thread rules.
  virtual void committed(const out::Batch& batch) { (void)batch; }
};

struct SequencerLimits {
  std::uint32_t max_batch = 4096;        // items applied per commit at most
  std::uint32_t queue_capacity = 65536;  // items waiting; submit() refuses beyond
};

struct SequencerStats {
  std::uint64_t applied = 0;
  std::uint64_t batches = 0;
  std::uint64_t refused_full = 0;
  std::uint64_t last_seq = 0;
  std::uint64_t apply_ns = 0;           // total time in CoreDriver::apply
  std::uint64_t commit_ns = 0;          // total time in CoreDriver::commit
  std::uint64_t max_batch = 0;          // largest batch applied
  std::uint64_t inline_deliveries = 0;  // batches the core thread delivered itself
  std::uint64_t failed_commits = 0;     // batches the store refused (rolled back, refused)
  std::uint64_t unacknowledged = 0;     // batches committed but not replicated (never said)
};

class Sequencer {
 public:
  // `clock` (outlives the sequencer) gives the stamps; nullptr: the wall clock.
  Sequencer(CoreDriver& driver, DeliverySink& sink, SequencerLimits limits,
            const ExchangeClock* clock = nullptr);
  ~Sequencer();
  Sequencer(const Sequencer&) = delete;
  Sequencer& operator=(const Sequencer&) = delete;

  void start();
  // Any thread. false: the queue is full or the sequencer is stopping (the caller rejects).
  bool submit(Inbound&& in);
  // Stops accepting, applies and commits everything queued, delivers it, joins the threads.
  void stop();
  SequencerStats stats() const;

 private:
  void core_loop();
  void sender_loop();
  // A committed batch: replies made by the driver and/or its record for the out stage.
  struct Handover {
    std::vector<Delivery> replies;
    out::Batch recorded;
    bool acknowledged = true;       // false: not replicated; the out stage sees it, nothing is sent
    std::uint64_t release_seq = 0;  // delivered once the driver says it is replicated
  };
  void hand_over(Handover& h);
  // The out stage's replies of h.recorded, then the sink (sender thread, or the core thread).
  void deliver(Handover& h);
  // The replies of a batch that is not acknowledged: operator calls answered 503, FIX dropped.
  static void withhold(std::vector<Delivery>& replies);
  // A delivered batch with its vectors' capacity, for the driver to record the next one into
  // (an empty one when none is spare).
  out::Batch take_spare();
  // Commits what the driver applied; on failure rolls back and applies `batch` again (refused).
  // Stops the process if the driver cannot recover. false: committed but not replicated (the
  // batch's replies must not be sent).
  bool commit_or_recover(const std::vector<Inbound>& batch, std::vector<Delivery>& out,
                         std::uint64_t seq);
  [[noreturn]] void fatal(const std::string& what);
  bool queue_empty_hint() const;
  TimestampNs stamp();

  CoreDriver& driver_;
  DeliverySink& sink_;
  SequencerLimits limits_;
  const ExchangeClock* clock_ = nullptr;

  mutable std::mutex in_mutex_;
  std::condition_variable in_cv_;
  std::deque<Inbound> queue_;
  bool stopping_ = false;

  std::mutex out_mutex_;
  std::condition_variable out_cv_;
  std::deque<Handover> outbox_;
  // Delivered batches, cleared, their capacity kept for the core thread (take_spare()): a few
  // cover the batches in flight between the two threads.
  static constexpr std::size_t kMaxSpareBatches = 4;
  std::vector<out::Batch> spare_batches_;
  out::OutStage* out_stage_ = nullptr;  // set by start(): the driver's, when it defers replies
  bool core_done_ = false;
  bool sender_busy_ = false;  // a batch is being delivered (by the sender or the core thread)

  std::thread core_thread_;
  std::thread sender_thread_;
  std::atomic<std::uint64_t> applied_{0};
  std::atomic<std::uint64_t> batches_{0};
  std::atomic<std::uint64_t> refused_{0};
  std::atomic<std::uint64_t> last_seq_{0};
  std::atomic<std::uint64_t> apply_ns_{0};
  std::atomic<std::uint64_t> commit_ns_{0};
  std::atomic<std::uint64_t> max_batch_{0};
  std::atomic<std::uint64_t> inline_deliveries_{0};
  std::atomic<std::uint64_t> failed_commits_{0};
  std::atomic<std::uint64_t> unacknowledged_{0};
  std::int64_t last_ts_ns_ = 0;
};

}  // namespace carbonx::gateway
