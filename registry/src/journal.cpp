#include "carbonx/registry/journal.hpp"

#include <cstring>

#include "carbonx/engine/assert.hpp"
#include "carbonx/registry/store.hpp"

namespace carbonx::registry {

Digest journal_hash(const Digest& prev, std::span<const std::uint8_t> header,
                    std::span<const std::uint8_t> payload) {
  Sha256 sha;
  sha.update(std::span<const std::uint8_t>(prev));
  sha.update(header);
  sha.update(payload);
  return sha.finish();
}

Digest encode_journal_record(const Digest& prev, Seq seq, TimestampNs ts,
                             std::span<const std::uint8_t> payload,
                             std::vector<std::uint8_t>& out) {
  CX_ASSERT(payload.size() <= kJournalPayloadMax);
  JournalHeader h;
  h.payload_len = static_cast<std::uint32_t>(payload.size());
  h.seq = seq.value();
  h.ts_ns = ts.value();
  const auto* hb = reinterpret_cast<const std::uint8_t*>(&h);
  const Digest d = journal_hash(prev, std::span(hb, sizeof h), payload);
  out.insert(out.end(), hb, hb + sizeof h);
  out.insert(out.end(), payload.begin(), payload.end());
  out.insert(out.end(), d.begin(), d.end());
  return d;
}

bool decode_journal_record(std::span<const std::uint8_t> bytes, JournalRecordView& view) {
  if (bytes.size() < sizeof(JournalHeader) + 32) return false;
  JournalHeader h;
  std::memcpy(&h, bytes.data(), sizeof h);
  if (h.magic != kJournalMagic || h.schema != kJournalSchema) return false;
  if (bytes.size() != sizeof h + h.payload_len + 32) return false;
  view.seq = Seq(h.seq);
  view.ts = TimestampNs(h.ts_ns);
  view.schema = h.schema;
  view.header = bytes.subspan(0, sizeof h);
  view.payload = bytes.subspan(sizeof h, h.payload_len);
  std::memcpy(view.hash.data(), bytes.data() + sizeof h + h.payload_len, 32);
  return true;
}

JournalCheck verify_journal(Store& store) {
  JournalCheck out;
  Digest prev{};
  std::uint64_t expect = 1;
  bool broken = false;
  auto bad = [&](Seq seq, std::string why) {
    out.first_bad_seq = seq;
    out.problem = std::move(why);
    broken = true;
    return false;
  };
  const auto st = store.read_journal(Seq(1), [&](const JournalRecordView& r) {
    if (r.seq.value() != expect) {
      return bad(Seq(expect),
                 "record missing (next stored seq " + std::to_string(r.seq.value()) + ")");
    }
    const Digest h = journal_hash(prev, r.header, r.payload);
    if (h != r.hash) return bad(r.seq, "hash does not match the record (tampered)");
    prev = h;
    out.last_seq = r.seq;
    ++out.records;
    ++expect;
    return true;
  });
  if (!st) {
    out.first_bad_seq = Seq(expect);
    out.problem = "malformed record: " + store.last_error_detail();
    return out;
  }
  if (broken) return out;
  if (out.last_seq != store.applied_seq()) {
    out.first_bad_seq = Seq(out.last_seq.value() + 1);
    out.problem = "journal ends at seq " + std::to_string(out.last_seq.value()) +
                  " but applied_seq is " + std::to_string(store.applied_seq().value());
    return out;
  }
  if (prev != store.last_hash()) {
    out.first_bad_seq = out.last_seq;
    out.problem = "last record's hash differs from the store's recorded last hash";
    return out;
  }
  out.ok = true;
  return out;
}

JournalCheck verify_journal_tail(Store& store, std::uint64_t records) {
  JournalCheck out;
  const std::uint64_t applied = store.applied_seq().value();
  // Nothing may follow applied_seq: a record there was written outside a commit.
  std::optional<std::uint64_t> beyond;
  auto st = store.read_journal(Seq(applied + 1), [&](const JournalRecordView& r) {
    beyond = r.seq.value();
    return false;
  });
  if (!st) {
    out.first_bad_seq = Seq(applied + 1);
    out.problem = "malformed record: " + store.last_error_detail();
    return out;
  }
  if (beyond) {
    out.first_bad_seq = Seq(*beyond);
    out.problem = "a journal record at seq " + std::to_string(*beyond) +
                  " lies beyond applied_seq " + std::to_string(applied);
    return out;
  }
  if (applied == 0) {
    if (store.last_hash() != Digest{}) {
      out.problem = "the journal is empty but the store records a last hash";
      return out;
    }
    out.ok = true;
    return out;
  }
  const std::uint64_t first = records >= applied ? 1 : applied - records + 1;
  Digest prev{};
  bool have_prev = first == 1;
  std::uint64_t expect = first;
  bool broken = false;
  auto bad = [&](std::uint64_t seq, std::string why) {
    out.first_bad_seq = Seq(seq);
    out.problem = std::move(why);
    broken = true;
    return false;
  };
  st = store.read_journal(Seq(first > 1 ? first - 1 : 1), [&](const JournalRecordView& r) {
    if (!have_prev) {  // the predecessor of the window: its stored hash is the chain's start
      if (r.seq.value() != first - 1) {
        return bad(first - 1,
                   "record missing (next stored seq " + std::to_string(r.seq.value()) + ")");
      }
      prev = r.hash;
      have_prev = true;
      return true;
    }
    if (r.seq.value() != expect) {
      return bad(expect, "record missing (next stored seq " + std::to_string(r.seq.value()) + ")");
    }
    const Digest h = journal_hash(prev, r.header, r.payload);
    if (h != r.hash) return bad(expect, "hash does not match the record (tampered)");
    prev = h;
    out.last_seq = r.seq;
    ++out.records;
    return ++expect <= applied;
  });
  if (!st) {
    out.first_bad_seq = Seq(expect);
    out.problem = "malformed record: " + store.last_error_detail();
    return out;
  }
  if (broken) return out;
  if (out.last_seq.value() != applied) {
    out.first_bad_seq = Seq(expect);
    out.problem = "the journal ends at seq " + std::to_string(out.last_seq.value()) +
                  " but applied_seq is " + std::to_string(applied);
    return out;
  }
  if (prev != store.last_hash()) {
    out.first_bad_seq = Seq(applied);
    out.problem = "the last record's hash differs from the store's recorded last hash";
    return out;
  }
  out.ok = true;
  return out;
}

bool replay_journal(Store& store, const std::function<bool(const JournalRecordView&)>& apply) {
  bool completed = true;
  const auto st = store.read_journal(Seq(1), [&](const JournalRecordView& r) {
    if (!apply(r)) completed = false;
    return completed;
  });
  return st.ok() && completed;
}

}  // namespace carbonx::registry
