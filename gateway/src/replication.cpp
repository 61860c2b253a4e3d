#include "carbonx/gateway/replication.hpp"

#include <chrono>
#include <cstdio>
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
  log_line(role == ReplicaRole::kDeposed
               ? "REPLICATION: this primary stops acknowledging: " + why +
                     "; state changes are refused from now on (restart it as a standby)"
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
    role_.store(ReplicaRole::kPrimary, std::memory_order_release);
    {
      std::lock_guard lock(mutex_);
      status_.role = ReplicaRole::kPrimary;
      status_.leader = config_.name;
      status_.log_seq = applied;
    }
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

std::string Replication::append(std::uint64_t first_seq, std::vector<std::string> records) {
  if (!leading()) return refusal();
  CX_ASSERT(!records.empty());
  // One txn per group commit; a batch over the log's limit (large registry records) goes in
  // as several, in order, each fenced.
  replica::Batch batch;
  batch.first_seq = first_seq;
  std::size_t bytes = 0;
  for (std::string& r : records) {
    if (!batch.records.empty() && bytes + r.size() + 4 > kChunkBytes) {
      if (std::string p = append_batch(batch); !p.empty()) {
        set_problem(ReplicaRole::kDeposed, p);
        return refusal();
      }
      batch.first_seq = batch.last_seq() + 1;
      batch.records.clear();
      bytes = 0;
    }
    bytes += r.size() + 4;
    batch.records.push_back(std::move(r));
  }
  if (std::string p = append_batch(batch); !p.empty()) {
    set_problem(ReplicaRole::kDeposed, p);
    return refusal();
  }
  std::lock_guard lock(mutex_);
  status_.log_seq = batch.last_seq();
  return "";
}

void Replication::start(Sequencer& sequencer) {
  CX_ASSERT(!thread_.joinable());
  if (leading()) {
    thread_ = std::thread([this] { keep_alive_loop(); });
  } else if (role() == ReplicaRole::kStandby) {
    thread_ = std::thread([this, &sequencer] { follow_loop(&sequencer); });
  }
}

void Replication::stop() {
  stopping_.store(true);
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  // A clean stop of the leader gives the election key up at once (its lease would lapse).
  if (leading() && primary_) (void)primary_->resign();
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
void Replication::follow_loop(Sequencer* sequencer) {
  auto etcd = make_client(config_);
  replica::Reader reader(*etcd, config_.prefix);
  std::uint64_t next = start_applied_ + 1;
  std::uint64_t reported = ~std::uint64_t{0};
  std::unique_ptr<replica::LogWatch> watch;
  bool etcd_failing = false;
  const std::string leader_key = replica::LogKeys{config_.prefix}.leader();
  std::uint64_t rounds = 0;
  auto pause = [this](std::chrono::milliseconds d) {
    std::unique_lock lock(wake_mutex_);
    wake_.wait_for(lock, d, [this] { return stopping_.load(); });
  };
  while (!stopping_.load() && role() == ReplicaRole::kStandby) {
    if (!watch) {
      auto w = reader.watch_from(next);
      if (!w) {
        if (w.error().code != replica::LogErrc::kEtcd) {
          set_problem(ReplicaRole::kFailed, "from seq " + std::to_string(next) + ": " +
                                                std::string(replica::to_string(w.error().code)) +
                                                ": " + w.error().text);
          return;
        }
        if (!etcd_failing) log_line("replication: cannot watch the log: " + w.error().text);
        etcd_failing = true;
        pause(500ms);
        continue;
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
        return;
      }
      watch.reset();
      continue;
    }
    for (replica::Batch& b : got.value()) {
      CX_ASSERT(b.first_seq == next);
      next = b.last_seq() + 1;
      {
        std::lock_guard lock(mutex_);
        status_.log_seq = b.last_seq();
      }
      Inbound in;
      in.item = ReplicatedBatch{b.first_seq, std::move(b.records)};
      while (!sequencer->submit(std::move(in))) {  // the queue is full: it drains
        if (stopping_.load()) return;
        pause(10ms);
      }
    }
    const std::uint64_t applied = sequencer->stats().last_seq;
    if (++rounds % 25 == 0) {  // who leads now (about every 5 s when the log is quiet)
      if (auto h = etcd->range(leader_key); h) {
        std::lock_guard lock(mutex_);
        status_.leader = h.value().kvs.empty() ? std::string() : h.value().kvs[0].value;
      }
    }
    {
      std::lock_guard lock(mutex_);
      status_.applied_seq = applied;
    }
    if (applied != reported && reader.report_applied(config_.name, applied).ok()) {
      reported = applied;
    }
  }
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
