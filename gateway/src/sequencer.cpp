#include "carbonx/gateway/sequencer.hpp"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "carbonx/engine/assert.hpp"
#include "carbonx/out/out_stage.hpp"

namespace carbonx::gateway {

std::string_view to_string(CommitError e) noexcept {
  switch (e) {
    case CommitError::kStore:
      return "the store refused the batch";
    case CommitError::kNotReplicated:
      return "the batch is not in the replicated log";
  }
  return "unknown commit error";
}

Sequencer::Sequencer(CoreDriver& driver, DeliverySink& sink, SequencerLimits limits,
                     const ExchangeClock* clock)
    : driver_(driver), sink_(sink), limits_(limits), clock_(clock) {
  CX_ASSERT(limits.max_batch > 0);
  CX_ASSERT(limits.queue_capacity > 0);
}

Sequencer::~Sequencer() {
  stop();
}

void Sequencer::start() {
  CX_ASSERT(!core_thread_.joinable());
  last_seq_ = driver_.applied_seq().value();
  last_ts_ns_ = driver_.last_stamp().value();  // never before what the journal already holds
  out_stage_ = driver_.defer_replies();        // before the threads: they use it from now on
  core_thread_ = std::thread([this] { core_loop(); });
  sender_thread_ = std::thread([this] { sender_loop(); });
}

bool Sequencer::submit(Inbound&& in) {
  {
    std::lock_guard lock(in_mutex_);
    if (stopping_ || queue_.size() >= limits_.queue_capacity) {
      refused_.fetch_add(1, std::memory_order_relaxed);
      return false;
    }
    queue_.push_back(std::move(in));
  }
  in_cv_.notify_one();
  return true;
}

void Sequencer::stop() {
  {
    std::lock_guard lock(in_mutex_);
    stopping_ = true;
  }
  in_cv_.notify_all();
  if (core_thread_.joinable()) core_thread_.join();
  if (sender_thread_.joinable()) sender_thread_.join();
}

SequencerStats Sequencer::stats() const {
  return SequencerStats{applied_.load(),       batches_.load(),           refused_.load(),
                        last_seq_.load(),      apply_ns_.load(),          commit_ns_.load(),
                        max_batch_.load(),     inline_deliveries_.load(), failed_commits_.load(),
                        unacknowledged_.load()};
}

// The exchange clock's time, never going backwards (commands carry it; replays use the stored
// stamp).
TimestampNs Sequencer::stamp() {
  std::int64_t ns = 0;
  if (clock_ != nullptr) {
    ns = clock_->now_ns();
  } else {
    const auto now = std::chrono::system_clock::now().time_since_epoch();
    ns = std::chrono::duration_cast<std::chrono::nanoseconds>(now).count();
  }
  last_ts_ns_ = ns > last_ts_ns_ ? ns : last_ts_ns_;
  return TimestampNs(last_ts_ns_);
}

void Sequencer::fatal(const std::string& what) {
  std::fprintf(stderr, "carbonxd: FATAL: %s\n", what.c_str());
  std::fflush(stderr);
  std::abort();
}

bool Sequencer::commit_or_recover(const std::vector<Inbound>& batch, std::vector<Delivery>& out,
                                  std::uint64_t seq) {
  const auto committed = driver_.commit();
  if (committed.ok()) return true;
  if (committed.error() == CommitError::kNotReplicated) {
    // In the store, not in the replicated log: nothing of it is said. The driver keeps its
    // state (it is the store's) and refuses every change from now on.
    unacknowledged_.fetch_add(1, std::memory_order_relaxed);
    out.clear();
    return false;
  }
  // Nothing of the batch is durable and nothing of it was said: its replies are dropped, the
  // driver's state goes back to the last commit, and the batch is applied again, now refused
  // (queries answered), so every request gets an answer.
  failed_commits_.fetch_add(1, std::memory_order_relaxed);
  std::string why;
  if (!driver_.roll_back(&why)) {
    fatal("commit of seqs up to " + std::to_string(seq) + " failed (" +
          std::string(to_string(committed.error())) +
          ") and the state cannot be rolled back: " + why);
  }
  out.clear();
  for (const Inbound& in : batch)
    driver_.apply(stamp(), in, out);
  if (const auto again = driver_.commit(); !again.ok()) {
    fatal("the refusals of a batch the store refused could not be committed: " +
          std::string(to_string(again.error())));
  }
  return true;
}

void Sequencer::core_loop() {
  using Clock = std::chrono::steady_clock;
  constexpr auto kPollInterval = std::chrono::seconds(1);
  std::vector<Inbound> batch;
  batch.reserve(limits_.max_batch);
  auto next_poll = Clock::now() + kPollInterval;
  for (;;) {
    const bool degraded = driver_.degraded();
    {
      std::unique_lock lock(in_mutex_);
      auto ready = [this] { return stopping_ || !queue_.empty(); };
      if (degraded) {
        in_cv_.wait_until(lock, next_poll, ready);
      } else {
        in_cv_.wait(lock, ready);
      }
      if (queue_.empty() && stopping_) break;  // stopping and drained
      while (!queue_.empty() && batch.size() < limits_.max_batch) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    if (degraded && Clock::now() >= next_poll) {
      // Is the store writable again? If so the driver applies what it held (calendar and
      // session events): committed and delivered as a batch of their own, before the queue's.
      next_poll = Clock::now() + kPollInterval;
      Handover held;
      if (driver_.poll(stamp(), held.replies)) {
        held.acknowledged = commit_or_recover({}, held.replies, driver_.applied_seq().value());
        held.release_seq = held.acknowledged ? driver_.release_seq() : 0;
        held.recorded = driver_.take_out_batch(take_spare());
        last_seq_.store(driver_.applied_seq().value(), std::memory_order_relaxed);
        if (!held.replies.empty() || !held.recorded.empty()) hand_over(held);
      }
    } else if (!degraded) {
      next_poll = Clock::now() + kPollInterval;
    }
    if (batch.empty()) continue;
    Handover h;
    if (out_stage_ == nullptr) h.replies.reserve(batch.size() * 2);
    const auto t0 = Clock::now();
    for (const Inbound& in : batch)
      driver_.apply(stamp(), in, h.replies);
    const std::uint64_t seq = driver_.applied_seq().value();
    const auto t1 = Clock::now();
    h.acknowledged = commit_or_recover(batch, h.replies, seq);
    h.release_seq = h.acknowledged ? driver_.release_seq() : 0;
    h.recorded = driver_.take_out_batch(take_spare());
    const auto t2 = Clock::now();
    apply_ns_.fetch_add(std::chrono::nanoseconds(t1 - t0).count(), std::memory_order_relaxed);
    commit_ns_.fetch_add(std::chrono::nanoseconds(t2 - t1).count(), std::memory_order_relaxed);
    if (batch.size() > max_batch_.load(std::memory_order_relaxed)) max_batch_ = batch.size();
    applied_.fetch_add(batch.size(), std::memory_order_relaxed);
    batches_.fetch_add(1, std::memory_order_relaxed);
    last_seq_.store(driver_.applied_seq().value(), std::memory_order_relaxed);
    batch.clear();
    if (!h.replies.empty() || !h.recorded.empty()) hand_over(h);
  }
  {
    std::lock_guard lock(out_mutex_);
    core_done_ = true;
  }
  out_cv_.notify_all();
}

// A committed batch's replies. When nothing waits to be applied and the sender is idle with
// nothing queued, the core thread delivers them itself: a thread hand-off costs more than the
// delivery at moderate rates. Otherwise the sender thread delivers them while the core applies
// and commits the next batch. Either way batches are delivered one at a time, in commit order.
void Sequencer::hand_over(Handover& out) {
  bool inline_delivery = false;
  // A batch whose append is still in flight goes to the sender, which waits for it: the core
  // thread goes on with the next batch.
  const bool nothing_waiting =
      queue_empty_hint() && (out.release_seq == 0 || driver_.released(out.release_seq));
  {
    std::lock_guard lock(out_mutex_);
    if (!sender_busy_ && outbox_.empty() && nothing_waiting) {
      sender_busy_ = true;  // the sender stays away until this delivery is done
      inline_delivery = true;
    } else {
      outbox_.push_back(std::move(out));
    }
  }
  if (!inline_delivery) {
    out_cv_.notify_one();
    return;
  }
  deliver(out);
  inline_deliveries_.fetch_add(1, std::memory_order_relaxed);
  bool more = false;
  {
    std::lock_guard lock(out_mutex_);
    sender_busy_ = false;
    more = !outbox_.empty();
  }
  if (more) out_cv_.notify_one();
}

void Sequencer::deliver(Handover& h) {
  // The replication stage: in the replicated log, or never said (batches in commit order: one
  // not appended means none after it is, and each waits in turn).
  if (h.acknowledged && h.release_seq != 0 && !driver_.await_release(h.release_seq)) {
    h.acknowledged = false;
    unacknowledged_.fetch_add(1, std::memory_order_relaxed);
  }
  if (!h.recorded.empty()) {
    CX_ASSERT(out_stage_ != nullptr);  // only a driver that defers its replies records batches
    // The console's views (DeliverySink::committed) see only what is acknowledged, as members do.
    if (h.acknowledged) sink_.committed(h.recorded);
    out_stage_->translate(h.recorded, h.replies);  // its bookkeeping, even when nothing is sent
    // Its vectors go back to the core thread for a later batch (take_spare()).
    h.recorded.clear();
    std::lock_guard lock(out_mutex_);
    if (spare_batches_.size() < kMaxSpareBatches) spare_batches_.push_back(std::move(h.recorded));
  }
  if (!h.acknowledged) withhold(h.replies);
  if (!h.replies.empty()) sink_.deliver(h.replies);
}

// A batch committed but not replicated: nothing of it is said. FIX replies are dropped; an
// operator call (its HTTP exchange waits for an answer) gets 503 instead of its reply, which
// could acknowledge a change of the batch or show the state with it.
void Sequencer::withhold(std::vector<Delivery>& replies) {
  std::size_t kept = 0;
  for (Delivery& d : replies) {
    if (d.ticket == 0) continue;
    d.session = kNoSession;
    d.http_status = 503;
    d.json =
        "{\"ok\":false,\"error\":\"not acknowledged: this request's batch is in this "
        "replica's store but not in the replicated log (query.status says why)\"}";
    if (&replies[kept] != &d) replies[kept] = std::move(d);
    ++kept;
  }
  replies.resize(kept);
}

out::Batch Sequencer::take_spare() {
  std::lock_guard lock(out_mutex_);
  if (spare_batches_.empty()) return {};
  out::Batch b = std::move(spare_batches_.back());
  spare_batches_.pop_back();
  return b;
}

bool Sequencer::queue_empty_hint() const {
  std::lock_guard lock(in_mutex_);
  return queue_.empty();
}

void Sequencer::sender_loop() {
  for (;;) {
    Handover batch;
    {
      std::unique_lock lock(out_mutex_);
      out_cv_.wait(lock, [this] { return (core_done_ || !outbox_.empty()) && !sender_busy_; });
      if (outbox_.empty()) return;  // core done and everything delivered
      batch = std::move(outbox_.front());
      outbox_.pop_front();
      sender_busy_ = true;
    }
    deliver(batch);
    {
      std::lock_guard lock(out_mutex_);
      sender_busy_ = false;
    }
  }
}

}  // namespace carbonx::gateway
