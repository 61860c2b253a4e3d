#include "carbonx/gateway/replication.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <utility>

#include "carbonx/engine/assert.hpp"
#include "carbonx/gateway/sequencer.hpp"
#include "carbonx/registry/journal.hpp"
#include "carbonx/registry/store.hpp"

namespace carbonx::gateway {
namespace {

using namespace std::chrono_literals;

std::unique_ptr<replica::EtcdClient> make_client(const ReplicaConfig& c) {
  std::vector<replica::Endpoint> endpoints;
  for (const EtcdEndpoint& e : c.endpoints)
    endpoints.push_back(replica::Endpoint{e.address, e.port});
  return std::make_unique<replica::EtcdClient>(std::move(endpoints),
                                               std::chrono::milliseconds(c.etcd_timeout_ms));
}

void log_line(const std::string& text) {
  std::fprintf(stderr, "carbonxd: %s\n", text.c_str());
  std::fflush(stderr);
}

// A stored journal record as the log carries it: header, payload, hash.
std::string record_bytes(const registry::JournalRecordView& r) {
  std::string out;
  out.reserve(r.header.size() + r.payload.size() + r.hash.size());
  out.append(reinterpret_cast<const char*>(r.header.data()), r.header.size());
  out.append(reinterpret_cast<const char*>(r.payload.data()), r.payload.size());
  out.append(reinterpret_cast<const char*>(r.hash.data()), r.hash.size());
  return out;
}

// Records of one append: under the log's batch limit, with room for the batch's own header.
constexpr std::size_t kChunkBytes = replica::kBatchBytesMax - 4096;

}  // namespace

std::string_view to_string(ReplicaRole r) noexcept {
  switch (r) {
    case ReplicaRole::kPrimary:
      return "primary";
    case ReplicaRole::kStandby:
      return "standby";
    case ReplicaRole::kDeposed:
      return "deposed";
    case ReplicaRole::kFailed:
      return "failed";
  }
  return "unknown";
}

Replication::Replication(const ReplicaConfig& config) : config_(config) {
  status_.name = config.name;
}

Replication::~Replication() {
  stop();
}

std::unique_ptr<Replication> Replication::open(const ReplicaConfig& config,
                                               const std::string& exchange_id, std::string* error) {
  std::unique_ptr<Replication> r(new Replication(config));
  r->exchange_id_ = exchange_id;
  r->etcd_ = make_client(config);
  const replica::LogConfig lc{config.prefix, config.name,
                              static_cast<std::int64_t>(config.lease_ttl_s)};
  r->primary_ = std::make_unique<replica::Primary>(*r->etcd_, lc);
  r->reader_ = std::make_unique<replica::Reader>(*r->etcd_, config.prefix);
  // The log is one exchange's: the first replica to start writes its identity, every other
  // one must have the same (a store of another exchange never follows this log).
  const std::string key = config.prefix + "exchange";
  const replica::Compare absent{
      replica::Compare::Target::kCreate, replica::Compare::Result::kEqual, key, 0, {}};
  const replica::TxnOp put{replica::TxnOp::Kind::kPut, key, exchange_id, {}, 0, 0};
  const replica::TxnOp get{replica::TxnOp::Kind::kRange, key, {}, {}, 0, 0};
  auto t = r->etcd_->txn({absent}, {put}, {get});
  if (!t) {
    *error = "[replica] etcd: " + t.error().text;
    return nullptr;
  }
  if (!t.value().succeeded) {
    const auto& kvs = t.value().ranges.at(0).kvs;
    const std::string theirs = kvs.empty() ? std::string() : kvs[0].value;
    if (theirs != exchange_id) {
      *error = "[replica] the replicated log under " + config.prefix + " is exchange " + theirs +
               "'s, and this store is exchange " + exchange_id +
               "'s: refusing to join another exchange's log (a standby's data directory is a "
               "copy of its primary's: docs/operators.md)";
      return nullptr;
    }
  }
  return r;
}

void Replication::set_problem(ReplicaRole role, const std::string& why) {
  {
    std::lock_guard lock(mutex_);
    if (status_.role == ReplicaRole::kDeposed || status_.role == ReplicaRole::kFailed) return;
    status_.role = role;
    status_.problem = why;
  }
  role_.store(role, std::memory_order_release);
  wake_.notify_all();
  settled_cv_.notify_all();
  log_line(role == ReplicaRole::kDeposed
               ? "REPLICATION: this primary stops acknowledging: " + why +
                     "; state changes are refused from now on (it rejoins as a standby once "
                     "its store holds nothing the log does not)"
               : "REPLICATION: this standby stops following the log: " + why);
}

bool Replication::take_role(registry::Store& store, std::string* error) {
  const std::uint64_t applied = store.applied_seq().value();
  start_applied_ = applied;
  auto tail = reader_->tail();
  if (!tail) {
    *error = "[replica] cannot read the replicated log's tail: " + tail.error().text;
    return false;
  }
  // The store and the log must be one history up to where both go: a store that committed a
  // batch the log does not hold (a deposed or killed primary's unacknowledged tail) while
  // another replica appended other records at those seqs never follows or leads.
  if (const std::uint64_t both = std::min(applied, tail.value()); both > 0) {
    if (std::string differs = same_history(store, both); !differs.empty()) {
      *error = "[replica] this store and the replicated log are not one history at seq " +
               std::to_string(both) + ": " + differs +
               "; this replica cannot join (give it a copy of a standby's data directory)";
      return false;
    }
  }
  bool lead = false;
  if (!config_.standby_only && tail.value() <= applied) {
    auto won = primary_->campaign();
    if (!won) {
      *error = "[replica] campaign: " + won.error().text;
      return false;
    }
    lead = won.value();
  }
  std::string leader = primary_->holder();
  if (!lead) {  // who leads, for the standby's refusals and status
    auto holder = etcd_->range(replica::LogKeys{config_.prefix}.leader());
    if (holder && !holder.value().kvs.empty()) leader = holder.value().kvs[0].value;
  }
  {
    std::lock_guard lock(mutex_);
    status_.leader = leader;
    status_.log_seq = tail.value();
    status_.applied_seq = applied;
  }
  if (lead) {
    // The store may hold what the log does not yet: an exchange that starts replicating, or
    // the bootstrap of the first start. The leader appends it before acknowledging anything.
    if (tail.value() < applied) {
      const std::string problem = catch_up_log(store, tail.value());
      if (!problem.empty()) {
        *error = "[replica] cannot append the store's seqs " + std::to_string(tail.value() + 1) +
                 ".." + std::to_string(applied) + " to the log: " + problem;
        (void)primary_->resign();
        return false;
      }
    }
    {
      std::lock_guard lock(append_mutex_);
      appended_seq_ = applied;
    }
    role_.store(ReplicaRole::kPrimary, std::memory_order_release);
    {
      std::lock_guard lock(mutex_);
      status_.role = ReplicaRole::kPrimary;
      status_.leader = config_.name;
      status_.log_seq = applied;
    }
    start_appender();  // the bootstrap's commit, before the sequencer runs, is appended too
    log_line("replica " + config_.name + " leads " + config_.prefix + " (lease " +
             std::to_string(primary_->lease_id()) + ", " + std::to_string(config_.lease_ttl_s) +
             " s); the log ends at seq " + std::to_string(applied));
    return true;
  }
  if (tail.value() < applied) {
    *error = "[replica] this store holds seqs up to " + std::to_string(applied) +
             " and the replicated log only up to " + std::to_string(tail.value()) + ": seqs " +
             std::to_string(tail.value() + 1) + ".." + std::to_string(applied) +
             " were never replicated (a deposed primary's unacknowledged batches?); a standby "
             "cannot follow from here: give it a copy of the primary's data directory";
    return false;
  }
  {
    std::lock_guard lock(append_mutex_);
    appended_seq_ = applied;  // in the log already (the history check above)
  }
  role_.store(ReplicaRole::kStandby, std::memory_order_release);
  log_line("replica " + config_.name + " is a standby of " + config_.prefix + " (leader: " +
           (leader.empty() ? std::string("none") : leader) + "): following the log from seq " +
           std::to_string(applied + 1) + " (it ends at " + std::to_string(tail.value()) + ")" +
           (config_.standby_only     ? " (--standby)"
            : tail.value() > applied ? " (the log is ahead of this store)"
                                     : ""));
  return true;
}

std::string Replication::catch_up_log(registry::Store& store, std::uint64_t tail) {
  replica::Batch batch;
  batch.first_seq = tail + 1;
  std::size_t bytes = 0;
  std::string problem;
  auto flush = [&]() {
    if (batch.records.empty()) return true;
    problem = append_batch(batch);
    if (!problem.empty()) return false;
    batch.first_seq = batch.last_seq() + 1;
    batch.records.clear();
    bytes = 0;
    return true;
  };
  const auto read = store.read_journal(Seq(tail + 1), [&](const registry::JournalRecordView& r) {
    std::string rec = record_bytes(r);
    if (bytes + rec.size() + 4 > kChunkBytes || batch.records.size() >= 4096) {
      if (!flush()) return false;
    }
    bytes += rec.size() + 4;
    batch.records.push_back(std::move(rec));
    return true;
  });
  if (!problem.empty()) return problem;
  if (!read.ok()) return "cannot read the store's journal: " + store.last_error_detail();
  if (!flush()) return problem;
  log_line("appended the store's seqs " + std::to_string(tail + 1) + ".." +
           std::to_string(store.applied_seq().value()) + " to the replicated log");
  return "";
}

// The log's record at `seq` (in the batch whose key is the last at or before seq) against the
// store's: byte for byte, header, payload and chained hash, so equal records mean equal histories
// up to them.
std::string Replication::same_history(registry::Store& store, std::uint64_t seq) {
  CX_ASSERT(seq >= 1);
  const replica::LogKeys keys{config_.prefix};
  std::string mine;
  const auto read = store.read_journal(Seq(seq), [&](const registry::JournalRecordView& r) {
    mine = record_bytes(r);
    return false;
  });
  if (!read.ok() || mine.empty()) return "cannot read this store's record " + std::to_string(seq);
  for (const std::uint64_t window :
       {std::uint64_t{64}, std::uint64_t{4096}, std::uint64_t{replica::kRecordsPerBatchMax}}) {
    const std::uint64_t from = seq > window ? seq - window + 1 : 1;
    auto r = etcd_->range(keys.batch(from), keys.batch(seq + 1));
    if (!r) return "cannot read the log: " + r.error().text;
    if (r.value().kvs.empty()) continue;
    auto b = replica::decode_batch(r.value().kvs.back().value);
    if (!b) return b.error().text;
    const replica::Batch& batch = b.value();
    if (batch.last_seq() < seq) break;  // a gap: the log holds no record at seq
    if (mine != batch.records[seq - batch.first_seq]) {
      return "its record " + std::to_string(seq) +
             " differs from the log's (it committed batches that were never replicated while "
             "another replica appended others at the same seqs)";
    }
    return "";
  }
  return "the log holds no record at seq " + std::to_string(seq);
}

// One batch, fenced. A timeout is ambiguous (the txn may have committed): the batch's key is
// read first; there with the same bytes, it is in; absent, the append is tried once more.
std::string Replication::append_batch(const replica::Batch& batch) {
  auto st = primary_->append(batch);
  if (st.ok()) return "";
  if (st.error().code != replica::LogErrc::kEtcd) return st.error().text;
  auto there = reader_->read_from(batch.first_seq, 1);
  if (!there) {
    return "append of seqs " + std::to_string(batch.first_seq) + ".." +
           std::to_string(batch.last_seq()) + " failed (" + st.error().text +
           ") and the log could not be read back (" + there.error().text + ")";
  }
  if (!there.value().empty()) {
    if (there.value().front() == batch) return "";  // the first try was committed
    return "the log holds another batch at seq " + std::to_string(batch.first_seq);
  }
  auto again = primary_->append(batch);
  if (again.ok()) return "";
  return again.error().text;
}

void Replication::enqueue(std::uint64_t first_seq, std::vector<std::string> records) {
  CX_ASSERT(!records.empty());
  CX_ASSERT(first_seq >= 1);
  const std::uint64_t last = first_seq + records.size() - 1;
  {
    std::lock_guard lock(append_mutex_);
    CX_ASSERT(first_seq > appended_seq_);
    if (leading() && appender_.joinable() && !append_stop_) {
      jobs_.push_back(AppendJob{first_seq, std::move(records)});
      append_cv_.notify_one();
      return;
    }
    dropped_seq_ = std::max(dropped_seq_, last);
  }
  settled_cv_.notify_all();
  log_line("the batch of seqs " + std::to_string(first_seq) + ".." + std::to_string(last) +
           " is in the store but not in the replicated log: none of its replies is sent (" +
           refusal() + ")");
}

bool Replication::wait_appended(std::uint64_t seq) {
  std::unique_lock lock(append_mutex_);
  settled_cv_.wait(lock, [&] {
    return appended_seq_ >= seq || dropped_seq_ >= seq ||
           (append_stop_ && jobs_.empty() && !append_busy_) ||
           (jobs_.empty() && !append_busy_ && !leading());
  });
  return appended_seq_ >= seq;
}

bool Replication::appended(std::uint64_t seq) const {
  std::lock_guard lock(append_mutex_);
  return appended_seq_ >= seq;
}

void Replication::start_appender() {
  std::lock_guard lock(append_mutex_);
  if (appender_.joinable()) return;
  appender_ = std::thread([this] { append_loop(); });
}

// The replication stage: the committed batches in seq order, each appended (one fenced txn, or
// several over the batch limit) before the next. Once the replica is deposed, the rest are
// dropped: in the store only, never acknowledged.
void Replication::append_loop() {
  for (;;) {
    AppendJob job;
    {
      std::unique_lock lock(append_mutex_);
      append_cv_.wait(lock, [this] { return append_stop_ || !jobs_.empty(); });
      if (jobs_.empty()) return;  // stopping, and every job is done
      job = std::move(jobs_.front());
      jobs_.pop_front();
      append_busy_ = true;
    }
    const std::uint64_t first = job.first_seq;
    const std::uint64_t last = first + job.records.size() - 1;
    std::string problem = leading() ? std::string() : refusal();
    replica::Batch batch;
    batch.first_seq = first;
    std::size_t bytes = 0;
    for (std::size_t i = 0; problem.empty() && i < job.records.size(); ++i) {
      std::string& r = job.records[i];
      if (!batch.records.empty() && bytes + r.size() + 4 > kChunkBytes) {
        problem = append_batch(batch);
        batch.first_seq = batch.last_seq() + 1;
        batch.records.clear();
        bytes = 0;
      }
      bytes += r.size() + 4;
      batch.records.push_back(std::move(r));
    }
    if (problem.empty()) problem = append_batch(batch);
    if (!problem.empty() && leading()) set_problem(ReplicaRole::kDeposed, problem);
    {
      std::lock_guard lock(append_mutex_);
      append_busy_ = false;
      if (problem.empty()) {
        appended_seq_ = last;
      } else {
        dropped_seq_ = std::max(dropped_seq_, last);
      }
    }
    settled_cv_.notify_all();
    if (problem.empty()) {
      std::lock_guard lock(mutex_);
      status_.log_seq = last;
    } else {
      log_line("the batch of seqs " + std::to_string(first) + ".." + std::to_string(last) +
               " is in the store but not in the replicated log: none of its replies is sent (" +
               problem + ")");
    }
  }
}

void Replication::start(Sequencer& sequencer) {
  CX_ASSERT(!thread_.joinable());
  thread_ = std::thread([this, &sequencer] { role_loop(&sequencer); });
}

void Replication::stop() {
  stopping_.store(true);
  wake_.notify_all();
  {
    std::lock_guard lock(append_mutex_);
    append_stop_ = true;  // the appender appends what is queued (the sequencer has stopped)
  }
  append_cv_.notify_all();
  settled_cv_.notify_all();
  if (appender_.joinable()) appender_.join();
  if (thread_.joinable()) thread_.join();
  // A clean stop of the leader gives the election key up at once (its lease would lapse).
  if (leading() && primary_) (void)primary_->resign();
}

bool Replication::pause(std::chrono::milliseconds d) {
  std::unique_lock lock(wake_mutex_);
  wake_.wait_for(lock, d, [this] { return stopping_.load(); });
  return !stopping_.load();
}

// The role thread: what it does follows the role, which changes: a standby is promoted, a
// primary deposed, a deposed primary rejoins as a standby.
void Replication::role_loop(Sequencer* sequencer) {
  // Each role, with the problem of a deposed or failed one, under P role/<name> for cxctl
  // cluster status (etcd alone cannot tell a deposed primary from a standby).
  auto etcd = make_client(config_);
  const std::string role_key = config_.prefix + "role/" + config_.name;
  std::string reported;
  while (!stopping_.load()) {
    const ReplicaStatus st = status();
    std::string text(to_string(role()));
    if (!st.problem.empty()) text += ": " + st.problem;
    if (text != reported && etcd->put(role_key, text).ok()) reported = text;
    switch (role()) {
      case ReplicaRole::kPrimary:
        keep_alive_loop();
        break;
      case ReplicaRole::kStandby:
        follow_loop(sequencer);
        break;
      case ReplicaRole::kDeposed:
        if (!try_rejoin(sequencer)) pause(500ms);
        break;
      case ReplicaRole::kFailed:
        pause(500ms);
        break;
    }
  }
}

// A deposed primary follows the log again once its store holds nothing the log does not: the
// appender is idle and the store's applied seq is the last seq it appended. A store that
// committed batches after the last appended one (the unacknowledged tail) cannot: LMDB holds
// the state after them, not before; the replica stays deposed and says so, naming the seqs.
bool Replication::try_rejoin(Sequencer* sequencer) {
  if (!pause(500ms)) return false;  // a batch applied before the deposition may still commit
  std::uint64_t appended = 0;
  {
    std::lock_guard lock(append_mutex_);
    if (append_busy_ || !jobs_.empty()) return false;
    appended = appended_seq_;
  }
  const std::uint64_t applied = sequencer->stats().last_seq;
  if (applied != appended) {
    CX_ASSERT(applied > appended);
    std::string note = "; it cannot rejoin as a standby: its store holds seqs " +
                       std::to_string(appended + 1) + ".." + std::to_string(applied) +
                       " that are not in the replicated log (never acknowledged; LMDB keeps the "
                       "state after them, not before): restart it on a copy of a standby's data "
                       "directory";
    bool first = false;
    {
      std::lock_guard lock(mutex_);
      if (status_.problem.find("cannot rejoin") == std::string::npos) {
        status_.problem += note;
        first = true;
      }
    }
    if (first) log_line("REPLICATION: this deposed primary" + note);
    return false;
  }
  std::string was;
  {
    std::lock_guard lock(mutex_);
    was = status_.problem;
    status_.role = ReplicaRole::kStandby;
    status_.problem.clear();
    status_.applied_seq = applied;
    ++status_.rejoins;
  }
  role_.store(ReplicaRole::kStandby, std::memory_order_release);
  log_line("REPLICATION: this deposed primary rejoins as a standby, following the log from seq " +
           std::to_string(applied + 1) + " (it was deposed: " + was + ")");
  return true;
}

void Replication::promoted() {
  CX_ASSERT(role() == ReplicaRole::kStandby);
  CX_ASSERT(primary_->leading());
  std::uint64_t at = 0;
  {
    std::lock_guard lock(append_mutex_);
    at = appended_seq_;
  }
  {
    std::lock_guard lock(mutex_);
    status_.role = ReplicaRole::kPrimary;
    status_.leader = config_.name;
    status_.problem.clear();
    status_.log_seq = at;
    status_.applied_seq = at;
    ++status_.promotions;
  }
  role_.store(ReplicaRole::kPrimary, std::memory_order_release);
  start_appender();
  wake_.notify_all();
  log_line("REPLICATION: replica " + config_.name + " is the primary of " + config_.prefix +
           " now (lease " + std::to_string(primary_->lease_id()) + "): it applied the log to seq " +
           std::to_string(at) + " and accepts FIX logons, orders and operator changes");
}

void Replication::standby_failed(const std::string& why) {
  set_problem(ReplicaRole::kFailed, why);
}

// Renews the lease every TTL/3 and reports the primary's appended seq (compaction waits for
// every replica's report). A lease that has expired deposes the primary at once: its election
// key is gone, so its next append would be refused anyway.
void Replication::keep_alive_loop() {
  auto etcd = make_client(config_);
  replica::Reader reader(*etcd, config_.prefix);
  const auto period = std::chrono::milliseconds(config_.lease_ttl_s * 1000 / 3 + 1);
  const std::int64_t lease = primary_->lease_id();
  std::uint64_t reported = ~std::uint64_t{0};
  bool etcd_failing = false;
  while (!stopping_.load() && leading()) {
    auto ttl = etcd->lease_keepalive(lease);
    if (!ttl) {
      if (!etcd_failing) log_line("replication: the lease cannot be renewed: " + ttl.error().text);
      etcd_failing = true;
    } else if (ttl.value() <= 0) {
      set_problem(ReplicaRole::kDeposed, "its lease " + std::to_string(lease) +
                                             " expired (the process was paused or "
                                             "cut off from etcd for more than lease_ttl_s = " +
                                             std::to_string(config_.lease_ttl_s) + " s)");
      break;
    } else {
      if (etcd_failing) log_line("replication: the lease is renewed again");
      etcd_failing = false;
      const std::uint64_t seq = status().log_seq;
      if (seq != reported && reader.report_applied(config_.name, seq).ok()) reported = seq;
    }
    std::unique_lock lock(wake_mutex_);
    wake_.wait_for(lock, period, [this] { return stopping_.load() || !leading(); });
  }
}

// Follows the log from the store's applied seq: each batch goes through the sequencer (the core
// thread applies and commits it), and the committed seq is reported. A watch that fails on etcd
// is opened again from the next seq; a gap, a malformed batch or a compacted start stops it.
// When no replica holds the election key (the primary's lease lapsed, or it resigned), it
// applies the log to its end, campaigns, and on winning hands the promotion to the core thread.
void Replication::follow_loop(Sequencer* sequencer) {
  auto etcd = make_client(config_);
  replica::Reader reader(*etcd, config_.prefix);
  std::uint64_t next = sequencer->stats().last_seq + 1;
  std::uint64_t reported = ~std::uint64_t{0};
  std::unique_ptr<replica::LogWatch> watch;
  bool etcd_failing = false;
  const std::string leader_key = replica::LogKeys{config_.prefix}.leader();
  // One round of the watch: its batches to the sequencer. false: stop following.
  auto pump = [&]() -> bool {
    if (!watch) {
      auto w = reader.watch_from(next);
      if (!w) {
        if (w.error().code != replica::LogErrc::kEtcd) {
          set_problem(ReplicaRole::kFailed, "from seq " + std::to_string(next) + ": " +
                                                std::string(replica::to_string(w.error().code)) +
                                                ": " + w.error().text);
          return false;
        }
        if (!etcd_failing) log_line("replication: cannot watch the log: " + w.error().text);
        etcd_failing = true;
        return pause(500ms);
      }
      if (etcd_failing)
        log_line("replication: watching the log again from seq " + std::to_string(next));
      etcd_failing = false;
      watch = std::move(w).value();
    }
    auto got = watch->next(200ms);
    if (!got) {
      if (got.error().code != replica::LogErrc::kEtcd) {
        set_problem(ReplicaRole::kFailed,
                    std::string(replica::to_string(got.error().code)) + ": " + got.error().text);
        return false;
      }
      watch.reset();
      return true;
    }
    for (replica::Batch& b : got.value()) {
      CX_ASSERT(b.first_seq == next);
      next = b.last_seq() + 1;
      {
        std::lock_guard lock(mutex_);
        status_.log_seq = b.last_seq();
      }
      Inbound in;
      in.item = ReplicatedBatch{b.first_seq, std::move(b.records), false};
      while (!sequencer->submit(std::move(in))) {  // the queue is full: it drains
        if (!pause(10ms)) return false;
      }
    }
    return role() == ReplicaRole::kStandby && !stopping_.load();
  };
  // Everything up to `seq` received, applied and committed by the core thread.
  auto follow_to = [&](std::uint64_t seq) -> bool {
    while (next <= seq) {
      if (!pump()) return false;
    }
    while (sequencer->stats().last_seq < seq) {
      if (role() != ReplicaRole::kStandby || !pause(5ms)) return false;
    }
    return true;
  };
  while (!stopping_.load() && role() == ReplicaRole::kStandby) {
    if (!pump()) return;
    if (auto h = etcd->range(leader_key); h) {
      const std::string holder = h.value().kvs.empty() ? std::string() : h.value().kvs[0].value;
      {
        std::lock_guard lock(mutex_);
        status_.leader = holder;
      }
      if (holder.empty()) {
        auto tail = reader.tail();
        if (tail && follow_to(tail.value()) && campaign_and_promote(sequencer, follow_to)) return;
        if (stopping_.load() || role() != ReplicaRole::kStandby) return;
      }
    }
    const std::uint64_t applied = sequencer->stats().last_seq;
    {
      std::lock_guard lock(mutex_);
      status_.applied_seq = applied;
    }
    if (applied != reported && reader.report_applied(config_.name, applied).ok()) {
      reported = applied;
    }
  }
}

// The standby has applied the log to its end and no replica leads: it campaigns; winning, it
// applies what was appended before the old primary's key went (nothing can be appended after:
// every append is fenced on the key), then the core thread takes the promotion. The lease is
// kept alive meanwhile. false: another replica won, or etcd failed (following goes on).
bool Replication::campaign_and_promote(Sequencer* sequencer,
                                       const std::function<bool(std::uint64_t)>& follow_to) {
  auto won = primary_->campaign();
  if (!won) {
    log_line("replication: no replica leads and the campaign failed: " + won.error().text);
    return false;
  }
  if (!won.value()) {
    std::lock_guard lock(mutex_);
    status_.leader = primary_->holder();
    return false;
  }
  const std::uint64_t end = primary_->next_seq() - 1;
  log_line("REPLICATION: no replica held the election key: replica " + config_.name +
           " won it; applying the log to its end, seq " + std::to_string(end) + ", before leading");
  if (!follow_to(end)) {
    (void)primary_->resign();
    return false;
  }
  {
    std::lock_guard lock(append_mutex_);
    appended_seq_ = end;
  }
  Inbound in;
  in.item = ReplicatedBatch{end + 1, {}, true};
  while (!sequencer->submit(std::move(in))) {
    if (!pause(10ms)) return false;
  }
  // The core thread rebuilds what a primary holds and calls promoted(); the lease lives on.
  const auto period = std::chrono::milliseconds(config_.lease_ttl_s * 1000 / 3 + 1);
  auto renewed = std::chrono::steady_clock::now();
  while (role() == ReplicaRole::kStandby && !stopping_.load()) {
    if (std::chrono::steady_clock::now() - renewed >= period) {
      (void)primary_->keep_alive();
      renewed = std::chrono::steady_clock::now();
    }
    pause(5ms);
  }
  if (role() != ReplicaRole::kPrimary) (void)primary_->resign();  // the promotion failed
  return true;
}

std::string Replication::refusal() const {
  const ReplicaStatus s = status();
  switch (s.role) {
    case ReplicaRole::kPrimary:
      return "";
    case ReplicaRole::kStandby:
      return "this carbonxd is a hot standby (replica " + s.name + " of " + config_.prefix +
             "; the primary is " + (s.leader.empty() ? std::string("none") : s.leader) +
             "): it applies the primary's log and answers queries only; send orders and "
             "changes to the primary";
    case ReplicaRole::kDeposed:
      return "this replica (" + s.name +
             ") is not the primary any more and acknowledges "
             "nothing: " +
             s.problem;
    case ReplicaRole::kFailed:
      return "this standby (" + s.name + ") stopped following the replicated log: " + s.problem;
  }
  return "replication state unknown";
}

ReplicaStatus Replication::status() const {
  std::lock_guard lock(mutex_);
  return status_;
}

}  // namespace carbonx::gateway
