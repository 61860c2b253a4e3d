#pragma once
// carbonx::registry::JournalApplier — the ONE applier of journal records, used by the live server
// and by replay: an engine record (carbonx::encode, commands.hpp: byte 0 = kCommandSchemaVersion,
// kCommandRecordSize bytes) is decoded and applied to the Core; a registry record
// (registry_commands.hpp: byte 0 = kRegistryRecordMagic) is decoded and applied to the Registrar.
// The Core and the Registrar share one registry Ledger.
//
// A command the Core or the Registrar REFUSES is still an applied record (its refusal is part of
// the deterministic history: the Core appends a RejectEvent, the Registrar's refusal is returned
// in AppliedRecord::refused); only a record that cannot be applied at all — undecodable, of an
// unknown family, an engine record whose seq differs from its journal seq — is a
// JournalApplyError. The applier never clears the Core's events: the live server drains them
// after the batch is durable; replay clears them.
//
// replay_exchange(): replays the whole journal from genesis into a fresh Core and Registrar over
// an EMPTY scratch Ledger (no genesis snapshot: accounts and deposits are journaled commands),
// optionally committing into an empty scratch Store as it goes, and returns the three state
// hashes to compare with the live server's.
//
// Not thread-safe (the core thread).

#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "carbonx/engine/commands.hpp"
#include "carbonx/engine/core.hpp"
#include "carbonx/engine/instrument.hpp"
#include "carbonx/engine/result.hpp"
#include "carbonx/registry/ledger.hpp"
#include "carbonx/registry/registrar.hpp"
#include "carbonx/registry/store.hpp"

namespace carbonx::registry {

enum class RecordFamily : std::uint8_t { kEngine = 1, kRegistry };
std::string_view to_string(RecordFamily f) noexcept;

enum class JournalApplyError : std::uint8_t {
  kUnknownFamily = 1,  // byte 0 is neither kCommandSchemaVersion nor kRegistryRecordMagic
  kBadEngineRecord,    // an engine record that does not decode (detail: CodecError)
  kBadRegistryRecord,  // a registry record that does not decode (detail: RegistryCodecError)
  kSeqMismatch,        // an engine command whose seq differs from its record's, or seq not
                       // above the last applied one
  kTooLarge,           // apply_registry: a string or list over its limit (check_registry_limits)
};
std::string_view to_string(JournalApplyError e) noexcept;

struct JournalApplyFailure {
  JournalApplyError code = JournalApplyError::kUnknownFamily;
  std::string detail;
};

struct AppliedRecord {
  RecordFamily family = RecordFamily::kEngine;
  std::optional<RegistrarFailure> refused;  // a registry command the Registrar refused
};

class JournalApplier {
 public:
  JournalApplier(Core& core, Registrar& registrar) : core_(core), registrar_(registrar) {}

  // Applies the journal record (seq, ts, payload). Seqs must increase from record to record.
  Result<AppliedRecord, JournalApplyFailure> apply_record(Seq seq, TimestampNs ts,
                                                          std::span<const std::uint8_t> payload);

  // For the live server: encodes `cmd`, applies it as record (seq, ts) and returns the payload
  // to journal (the same bytes replay will apply), with the outcome.
  struct Applied {
    std::vector<std::uint8_t> payload;
    AppliedRecord outcome;
  };
  Result<Applied, JournalApplyFailure> apply_registry(Seq seq, TimestampNs ts,
                                                      const RegistryCommand& cmd);
  // For the live server's hot path: applies an engine command and returns its record to
  // journal, without decoding it back (the engine codec guarantees decode(encode(c)) == c, so
  // this is the same as apply_record(c.seq, c.ts, encode(c))). Error: kSeqMismatch.
  Result<CommandRecord, JournalApplyFailure> apply_engine(const Command& cmd);

  Seq last_seq() const { return last_seq_; }

 private:
  Core& core_;
  Registrar& registrar_;
  Seq last_seq_{0};
};

struct ExchangeReplay {
  bool ok = false;            // every record applied, seqs 1, 2, ... without a gap
  std::uint64_t records = 0;  // records applied
  std::uint64_t registry_records = 0;
  std::uint64_t registry_refused = 0;  // registry commands refused (as they were live)
  Seq last_seq{0};
  std::optional<Seq> first_bad_seq;  // the first record that could not be applied
  std::string problem;
  std::uint64_t core_hash = 0;  // Core::state_hash()
  Digest ledger_hash{};         // Ledger::state_hash() of `scratch`
  Digest registrar_hash{};      // Registrar::state_hash()
};

// Replays `store`'s journal from genesis. Preconditions: `scratch` is EMPTY (no accounts) with
// the live ledger's Options and no Store attached; `scratch_store`, if given, is an empty store
// (applied_seq 0) other than `store`: the replayed records, ledger rows and registrar state are
// committed to it every kReplayCommitEvery records and at the end (the open orders and the core
// state blob are not: their records belong to the server). On a commit failure the replay stops
// with the store's error in `problem`.
inline constexpr std::uint64_t kReplayCommitEvery = 256;
ExchangeReplay replay_exchange(Store& store, const ExchangeConfig& config,
                               const RegistrarConfig& registrar_config, Ledger& scratch,
                               Store* scratch_store = nullptr);

}  // namespace carbonx::registry
