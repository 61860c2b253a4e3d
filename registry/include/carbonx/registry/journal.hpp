#pragma once
// The command journal's record format and its verification.
//
// A record (value of the `journal` DB under the big-endian seq) is
//   JournalHeader (32 bytes) || payload (payload_len bytes) || hash (32 bytes)
// with hash = SHA-256(previous record's hash || header || payload); the first record's previous
// hash is 32 zero bytes. Editing, inserting or deleting any record breaks the chain from there on.

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "carbonx/engine/units.hpp"
#include "carbonx/registry/sha256.hpp"

namespace carbonx::registry {

class Store;
struct JournalRecordView;

inline constexpr std::uint32_t kJournalMagic = 0x524A5843;  // "CXJR" little-endian
inline constexpr std::uint16_t kJournalSchema = 1;
inline constexpr std::uint32_t kJournalPayloadMax = 1U << 20;  // bytes per command record

struct JournalHeader {
  std::uint32_t magic = kJournalMagic;
  std::uint16_t schema = kJournalSchema;
  std::uint16_t flags = 0;
  std::uint32_t payload_len = 0;
  std::uint32_t reserved = 0;
  std::uint64_t seq = 0;
  std::int64_t ts_ns = 0;
};
static_assert(sizeof(JournalHeader) == 32);

// Appends the encoded record to `out` and returns its hash (chained on `prev`).
Digest encode_journal_record(const Digest& prev, Seq seq, TimestampNs ts,
                             std::span<const std::uint8_t> payload, std::vector<std::uint8_t>& out);

// Recomputes the hash of a stored record from its bytes. nullopt if the bytes are malformed
// (short, bad magic or schema, payload length not matching); `view` is filled when well formed.
bool decode_journal_record(std::span<const std::uint8_t> bytes, JournalRecordView& view);
Digest journal_hash(const Digest& prev, std::span<const std::uint8_t> header,
                    std::span<const std::uint8_t> payload);

struct JournalCheck {
  bool ok = false;
  std::uint64_t records = 0;         // records checked
  Seq last_seq{0};                   // last good record
  std::optional<Seq> first_bad_seq;  // the first record that is tampered, missing or malformed
  std::string problem;               // what is wrong with it (empty when ok)
};

// Recomputes the chain from genesis: seqs 1, 2, ... without gaps, every header well formed, every
// hash equal to SHA-256(prev || header || payload), the last hash equal to the store's recorded
// last hash and the last seq equal to applied_seq. Names the first bad record.
JournalCheck verify_journal(Store& store);

// The start-up check of the journal's tail: the last `records` records (or all, if fewer) are
// well formed, numbered without gaps up to applied_seq, each chained on the one before (the first
// on its predecessor's stored hash), the last one's hash is the store's recorded last hash, and
// no record lies beyond applied_seq. Cost: `records` reads and hashes, whatever the journal's
// length (verify_journal() checks everything from genesis).
JournalCheck verify_journal_tail(Store& store, std::uint64_t records);

// Replays the journal from genesis: calls apply(record) for each record in order; stops (and
// returns false) when apply returns false. The integration (cxctl journal verify) plugs in the
// engine's Core here: decode the payload as a command and apply it to a Core over a scratch
// Ledger, then compare state hashes with the live store.
bool replay_journal(Store& store, const std::function<bool(const JournalRecordView&)>& apply);

}  // namespace carbonx::registry
