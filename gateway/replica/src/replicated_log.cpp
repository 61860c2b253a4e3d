#include "carbonx/replica/replicated_log.hpp"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <limits>
#include <utility>

#include "carbonx/engine/assert.hpp"

namespace carbonx::replica {
namespace {

constexpr char kMagic[4] = {'C', 'X', 'R', 'B'};
constexpr std::uint16_t kVersion = 1;
constexpr std::size_t kHeaderBytes = 4 + 2 + 8 + 4;  // magic, version, first_seq, count

void put_le(std::string& out, std::uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i)
    out += static_cast<char>((v >> (8 * i)) & 0xff);
}

std::uint64_t get_le(std::string_view in, std::size_t at, int bytes) {
  std::uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) {
    v |= std::uint64_t(static_cast<unsigned char>(in[at + i])) << (8 * i);
  }
  return v;
}

std::string seq_text(std::uint64_t seq) {
  std::string s = std::to_string(seq);
  return std::string(20 - s.size(), '0') + s;
}

bool parse_seq(std::string_view text, std::uint64_t& seq) {
  const auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), seq);
  return ec == std::errc{} && p == text.data() + text.size();
}

LogError etcd_error(const EtcdError& e) {
  return LogError{LogErrc::kEtcd, e.text};
}

std::string range_text(const Batch& b) {
  return "seq " + std::to_string(b.first_seq) + ".." + std::to_string(b.last_seq());
}

Compare create_equals(std::string key, std::int64_t revision) {
  return Compare{Compare::Target::kCreate, Compare::Result::kEqual, std::move(key), revision, {}};
}

TxnOp get(std::string key) {
  return TxnOp{TxnOp::Kind::kRange, std::move(key), {}, {}, 0, 0};
}

}  // namespace

const char* to_string(LogErrc code) noexcept {
  switch (code) {
    case LogErrc::kEtcd:
      return "etcd error";
    case LogErrc::kNotLeader:
      return "not the leader";
    case LogErrc::kOutOfOrder:
      return "batch out of order";
    case LogErrc::kBatchExists:
      return "batch exists";
    case LogErrc::kGap:
      return "gap in the log";
    case LogErrc::kCompacted:
      return "compacted";
    case LogErrc::kMalformedBatch:
      return "malformed batch";
    case LogErrc::kTooLarge:
      return "batch too large";
  }
  return "unknown log error";
}

std::string encode_batch(const Batch& batch) {
  CX_ASSERT(batch.first_seq >= 1);
  CX_ASSERT(!batch.records.empty());
  CX_ASSERT(batch.records.size() <= kRecordsPerBatchMax);
  std::string out(kMagic, sizeof kMagic);
  put_le(out, kVersion, 2);
  put_le(out, batch.first_seq, 8);
  put_le(out, batch.records.size(), 4);
  for (const auto& r : batch.records) {
    CX_ASSERT(r.size() <= kBatchBytesMax);
    put_le(out, r.size(), 4);
    out += r;
  }
  return out;
}

LogResult<Batch> decode_batch(std::string_view in) {
  auto bad = [](const std::string& what) { return Err{LogError{LogErrc::kMalformedBatch, what}}; };
  if (in.size() < kHeaderBytes || std::memcmp(in.data(), kMagic, sizeof kMagic) != 0) {
    return bad("not a carbonx batch (no CXRB header)");
  }
  if (get_le(in, 4, 2) != kVersion) {
    return bad("batch format version " + std::to_string(get_le(in, 4, 2)) + ", expected 1");
  }
  Batch b;
  b.first_seq = get_le(in, 6, 8);
  const std::uint64_t count = get_le(in, 14, 4);
  if (b.first_seq == 0 || count == 0 || count > kRecordsPerBatchMax) {
    return bad("batch header out of range (first seq " + std::to_string(b.first_seq) + ", " +
               std::to_string(count) + " records)");
  }
  std::size_t at = kHeaderBytes;
  for (std::uint64_t i = 0; i < count; ++i) {
    if (in.size() - at < 4) return bad("batch cut short in record " + std::to_string(i));
    const std::uint64_t len = get_le(in, at, 4);
    at += 4;
    if (in.size() - at < len) return bad("batch cut short in record " + std::to_string(i));
    b.records.emplace_back(in.substr(at, len));
    at += len;
  }
  if (at != in.size()) return bad("bytes after the batch's last record");
  CX_ASSERT(b.records.size() == count);
  return b;
}

std::string LogKeys::batch(std::uint64_t first_seq) const {
  return log_dir() + seq_text(first_seq);
}

// ---- Primary ----

Primary::Primary(EtcdClient& etcd, LogConfig config)
    : etcd_(etcd), config_(std::move(config)), keys_{config_.prefix} {
  CX_ASSERT(!config_.prefix.empty());
  CX_ASSERT(config_.prefix.back() == '/');
  CX_ASSERT(!config_.name.empty());
  CX_ASSERT(config_.lease_ttl_s > 0);
}

LogError Primary::not_leader(std::string_view what) const {
  return LogError{LogErrc::kNotLeader, "replica " + config_.name + " is not the leader of " +
                                           config_.prefix + ": " + std::string(what)};
}

LogResult<bool> Primary::campaign() {
  if (lease_id_ != 0) {  // a candidate's lease lapses too while it waits: take a new one then
    auto ttl = etcd_.lease_keepalive(lease_id_);
    if (!ttl) return Err{etcd_error(ttl.error())};
    if (ttl.value() <= 0) {
      lease_id_ = 0;
      leader_revision_ = 0;
    }
  }
  if (lease_id_ == 0) {
    auto lease = etcd_.lease_grant(config_.lease_ttl_s);
    if (!lease) return Err{etcd_error(lease.error())};
    lease_id_ = lease.value().id;
  }
  const TxnOp claim{TxnOp::Kind::kPut, keys_.leader(), config_.name, {}, lease_id_, 0};
  auto t = etcd_.txn({create_equals(keys_.leader(), 0)},
                     {claim, get(keys_.leader()), get(keys_.tail())}, {get(keys_.leader())});
  if (!t) return Err{etcd_error(t.error())};
  const auto& ranges = t.value().ranges;
  CX_ASSERT(!ranges.empty());
  if (ranges[0].kvs.empty()) return false;   // the holder's lease ended between compare and read
  const KeyValue leader = ranges[0].kvs[0];  // a copy: `t` may be read again below
  holder_ = leader.value;
  if (!t.value().succeeded && leader.lease != lease_id_) return false;
  if (!t.value().succeeded) {  // already ours (a campaign again): read the tail below
    t = etcd_.txn({}, {get(keys_.tail())}, {});
    if (!t) return Err{etcd_error(t.error())};
  }
  const auto& tail = t.value().ranges.back().kvs;
  std::uint64_t last = 0;
  if (!tail.empty() && !parse_seq(tail[0].value, last)) {
    return Err{LogError{LogErrc::kMalformedBatch,
                        "the log's tail key holds '" + tail[0].value + "', not a seq"}};
  }
  leader_revision_ = leader.create_revision;
  next_seq_ = last + 1;
  CX_ASSERT(leader_revision_ > 0);
  return true;
}

LogStatus Primary::keep_alive() {
  CX_ASSERT(lease_id_ != 0);
  auto ttl = etcd_.lease_keepalive(lease_id_);
  if (!ttl) return Err{etcd_error(ttl.error())};
  if (ttl.value() <= 0) {
    leader_revision_ = 0;
    return Err{not_leader("its lease " + std::to_string(lease_id_) + " has expired")};
  }
  return {};
}

LogStatus Primary::append(const Batch& batch) {
  CX_ASSERT(!batch.records.empty());
  CX_ASSERT(batch.first_seq >= 1);
  if (!leading()) return Err{not_leader("append of " + range_text(batch) + " refused")};
  std::size_t bytes = 0;
  for (const auto& r : batch.records)
    bytes += r.size() + 4;
  if (bytes > kBatchBytesMax || batch.records.size() > kRecordsPerBatchMax) {
    return Err{LogError{LogErrc::kTooLarge, range_text(batch) + " is " + std::to_string(bytes) +
                                                " bytes in " +
                                                std::to_string(batch.records.size()) +
                                                " records, over the batch limit"}};
  }
  const std::string key = keys_.batch(batch.first_seq);
  std::vector<Compare> guard = {create_equals(keys_.leader(), leader_revision_),
                                create_equals(key, 0)};
  if (batch.first_seq == 1) {
    guard.push_back(create_equals(keys_.tail(), 0));
  } else {
    guard.push_back(Compare{Compare::Target::kValue, Compare::Result::kEqual, keys_.tail(), 0,
                            seq_text(batch.first_seq - 1)});
  }
  const TxnOp put_batch{TxnOp::Kind::kPut, key, encode_batch(batch), {}, 0, 0};
  const TxnOp put_tail{TxnOp::Kind::kPut, keys_.tail(), seq_text(batch.last_seq()), {}, 0, 0};
  auto t =
      etcd_.txn(guard, {put_batch, put_tail}, {get(keys_.leader()), get(keys_.tail()), get(key)});
  if (!t) return Err{etcd_error(t.error())};
  if (t.value().succeeded) {
    next_seq_ = batch.last_seq() + 1;
    return {};
  }
  const auto& r = t.value().ranges;
  CX_ASSERT(r.size() == 3);
  if (r[0].kvs.empty() || r[0].kvs[0].create_revision != leader_revision_) {
    leader_revision_ = 0;
    const std::string now = r[0].kvs.empty() ? "no one holds the election key"
                                             : "the election key is " + r[0].kvs[0].value + "'s";
    return Err{not_leader(now + "; append of " + range_text(batch) + " refused")};
  }
  if (!r[2].kvs.empty()) {
    return Err{LogError{LogErrc::kBatchExists,
                        "a batch already starts at seq " + std::to_string(batch.first_seq)}};
  }
  const std::string tail = r[1].kvs.empty() ? "is empty" : "ends at seq " + r[1].kvs[0].value;
  return Err{LogError{LogErrc::kOutOfOrder,
                      "the log " + tail + "; " + range_text(batch) + " does not follow it"}};
}

LogResult<std::size_t> Primary::compact() {
  if (!leading()) return Err{not_leader("compaction refused")};
  auto applied = etcd_.range(keys_.applied_dir(), prefix_end(keys_.applied_dir()));
  if (!applied) return Err{etcd_error(applied.error())};
  if (applied.value().kvs.empty()) return std::size_t{0};
  std::uint64_t min_applied = std::numeric_limits<std::uint64_t>::max();
  for (const auto& kv : applied.value().kvs) {
    std::uint64_t seq = 0;
    if (!parse_seq(kv.value, seq)) {
      return Err{
          LogError{LogErrc::kMalformedBatch, kv.key + " holds '" + kv.value + "', not a seq"}};
    }
    min_applied = std::min(min_applied, seq);
  }
  if (min_applied == 0) return std::size_t{0};
  // Only whole batches: the batches below min_applied + 1 whose last seq is applied everywhere.
  auto below = etcd_.range(keys_.batch(1), keys_.batch(min_applied + 1));
  if (!below) return Err{etcd_error(below.error())};
  std::size_t n = 0;
  std::uint64_t end_seq = 0;  // delete [batch(1), batch(end_seq))
  for (const auto& kv : below.value().kvs) {
    auto b = decode_batch(kv.value);
    if (!b) return Err{LogError{LogErrc::kMalformedBatch, kv.key + ": " + b.error().text}};
    if (b.value().last_seq() > min_applied) break;
    end_seq = b.value().last_seq() + 1;
    ++n;
  }
  if (n == 0) return std::size_t{0};
  const TxnOp del{TxnOp::Kind::kDelete, keys_.batch(1), {}, keys_.batch(end_seq), 0, 0};
  auto t = etcd_.txn({create_equals(keys_.leader(), leader_revision_)}, {del}, {});
  if (!t) return Err{etcd_error(t.error())};
  if (!t.value().succeeded) {
    leader_revision_ = 0;
    return Err{not_leader("compaction refused")};
  }
  return n;
}

LogStatus Primary::resign() {
  if (lease_id_ == 0) return {};
  auto r = etcd_.lease_revoke(lease_id_);
  if (!r) return Err{etcd_error(r.error())};
  lease_id_ = 0;
  leader_revision_ = 0;
  return {};
}

// ---- Reader ----

Reader::Reader(EtcdClient& etcd, std::string prefix) : etcd_(etcd), keys_{std::move(prefix)} {
  CX_ASSERT(!keys_.prefix.empty());
  CX_ASSERT(keys_.prefix.back() == '/');
}

LogResult<Reader::Range> Reader::read_range(std::uint64_t seq, std::size_t max_batches) {
  CX_ASSERT(seq >= 1);
  CX_ASSERT(max_batches >= 1);
  auto got = etcd_.txn({},
                       {TxnOp{TxnOp::Kind::kRange,
                              keys_.batch(seq),
                              {},
                              prefix_end(keys_.log_dir()),
                              0,
                              static_cast<std::int64_t>(max_batches)},
                        get(keys_.tail())},
                       {});
  if (!got) return Err{etcd_error(got.error())};
  const auto& ranges = got.value().ranges;
  CX_ASSERT(ranges.size() == 2);
  Range out;
  out.revision = got.value().revision;
  std::uint64_t tail = 0;
  if (!ranges[1].kvs.empty() && !parse_seq(ranges[1].kvs[0].value, tail)) {
    return Err{LogError{LogErrc::kMalformedBatch,
                        "the log's tail key holds '" + ranges[1].kvs[0].value + "', not a seq"}};
  }
  std::uint64_t expect = seq;
  for (const auto& kv : ranges[0].kvs) {
    auto b = decode_batch(kv.value);
    if (!b) return Err{LogError{LogErrc::kMalformedBatch, kv.key + ": " + b.error().text}};
    if (kv.key != keys_.batch(b.value().first_seq)) {
      return Err{LogError{LogErrc::kMalformedBatch,
                          kv.key + " holds the batch of " + range_text(b.value())}};
    }
    if (b.value().first_seq != expect) {
      const LogErrc code = expect == seq ? LogErrc::kCompacted : LogErrc::kGap;
      return Err{LogError{code, "seq " + std::to_string(expect) + " is not in the log (the next " +
                                    "batch there holds " + range_text(b.value()) + ")"}};
    }
    expect = b.value().last_seq() + 1;
    out.batches.push_back(std::move(b).value());
  }
  if (out.batches.empty() && tail >= seq) {
    return Err{LogError{LogErrc::kCompacted, "seq " + std::to_string(seq) +
                                                 " is not in the log (compacted; it ends at " +
                                                 std::to_string(tail) + ")"}};
  }
  return out;
}

LogResult<std::vector<Batch>> Reader::read_from(std::uint64_t seq, std::size_t max_batches) {
  auto r = read_range(seq, max_batches);
  if (!r) return Err{r.error()};
  return std::move(r.value().batches);
}

LogResult<std::uint64_t> Reader::tail() {
  auto r = etcd_.range(keys_.tail());
  if (!r) return Err{etcd_error(r.error())};
  std::uint64_t last = 0;
  if (!r.value().kvs.empty() && !parse_seq(r.value().kvs[0].value, last)) {
    return Err{LogError{LogErrc::kMalformedBatch, "the log's tail key is not a seq"}};
  }
  return last;
}

LogStatus Reader::report_applied(std::string_view name, std::uint64_t seq) {
  CX_ASSERT(!name.empty());
  auto r = etcd_.put(keys_.applied(name), seq_text(seq));
  if (!r) return Err{etcd_error(r.error())};
  return {};
}

LogResult<std::unique_ptr<LogWatch>> Reader::watch_from(std::uint64_t seq) {
  // Everything there now, then a watch from the revision just after that read: no batch is
  // missed between the two, none is seen twice.
  auto r = read_range(seq, std::numeric_limits<std::int32_t>::max());
  if (!r) return Err{r.error()};
  auto w = etcd_.watch(keys_.log_dir(), prefix_end(keys_.log_dir()), r.value().revision + 1);
  if (!w) return Err{etcd_error(w.error())};
  const std::uint64_t next =
      r.value().batches.empty() ? seq : r.value().batches.back().last_seq() + 1;
  return std::unique_ptr<LogWatch>(
      new LogWatch(keys_.log_dir(), next, std::move(r.value().batches), std::move(w).value()));
}

// ---- LogWatch ----

LogWatch::LogWatch(std::string log_dir, std::uint64_t next_seq, std::vector<Batch> pending,
                   std::unique_ptr<EtcdWatch> watch)
    : log_dir_(std::move(log_dir)),
      next_seq_(next_seq),
      pending_(std::move(pending)),
      watch_(std::move(watch)) {
  CX_ASSERT(watch_ != nullptr);
}

LogResult<std::vector<Batch>> LogWatch::next(std::chrono::milliseconds timeout) {
  if (!pending_.empty()) return std::exchange(pending_, {});
  auto events = watch_->next(timeout);
  if (!events) return Err{etcd_error(events.error())};
  std::vector<Batch> out;
  for (const auto& e : events.value()) {
    if (e.deleted) continue;  // compaction
    auto b = decode_batch(e.kv.value);
    if (!b) return Err{LogError{LogErrc::kMalformedBatch, e.kv.key + ": " + b.error().text}};
    if (b.value().first_seq != next_seq_) {
      return Err{LogError{LogErrc::kGap, "seq " + std::to_string(next_seq_) +
                                             " is missing: the next batch appended holds " +
                                             range_text(b.value())}};
    }
    next_seq_ = b.value().last_seq() + 1;
    out.push_back(std::move(b).value());
  }
  return out;
}

}  // namespace carbonx::replica
