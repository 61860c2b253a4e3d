#include "carbonx/registry/journal_applier.hpp"

#include <memory>
#include <vector>

#include "carbonx/engine/commands.hpp"
#include "carbonx/registry/journal.hpp"

namespace carbonx::registry {

std::string_view to_string(RecordFamily f) noexcept {
  switch (f) {
    case RecordFamily::kEngine:
      return "engine";
    case RecordFamily::kRegistry:
      return "registry";
  }
  return "unknown";
}

std::string_view to_string(JournalApplyError e) noexcept {
  switch (e) {
    case JournalApplyError::kUnknownFamily:
      return "record of no known command family";
    case JournalApplyError::kBadEngineRecord:
      return "engine record does not decode";
    case JournalApplyError::kBadRegistryRecord:
      return "registry record does not decode";
    case JournalApplyError::kSeqMismatch:
      return "record seq out of order or mismatched";
    case JournalApplyError::kTooLarge:
      return "registry command over its size limits";
  }
  return "unknown";
}

namespace {
Err<JournalApplyFailure> fail(JournalApplyError code, std::string detail) {
  return Err(JournalApplyFailure{code, std::move(detail)});
}
}  // namespace

Result<AppliedRecord, JournalApplyFailure> JournalApplier::apply_record(
    Seq seq, TimestampNs ts, std::span<const std::uint8_t> payload) {
  if (seq <= last_seq_) {
    return fail(JournalApplyError::kSeqMismatch, "seq " + std::to_string(seq.value()) + " after " +
                                                     std::to_string(last_seq_.value()));
  }
  AppliedRecord out;
  if (is_registry_record(payload)) {
    auto cmd = decode_registry_command(payload);
    if (!cmd.ok())
      return fail(JournalApplyError::kBadRegistryRecord, std::string(to_string(cmd.error())));
    out.family = RecordFamily::kRegistry;
    auto st = registrar_.apply(seq, ts, cmd.value());
    if (!st) out.refused = st.error();
  } else if (!payload.empty() && payload[0] == kCommandSchemaVersion) {
    auto cmd = decode(payload);
    if (!cmd.ok())
      return fail(JournalApplyError::kBadEngineRecord, std::string(to_string(cmd.error())));
    if (cmd.value().seq != seq)
      return fail(JournalApplyError::kSeqMismatch, "engine command seq differs from its record's");
    out.family = RecordFamily::kEngine;
    core_.apply(cmd.value());
  } else {
    return fail(JournalApplyError::kUnknownFamily,
                payload.empty() ? "empty payload" : "byte 0 = " + std::to_string(payload[0]));
  }
  last_seq_ = seq;
  return out;
}

Result<JournalApplier::Applied, JournalApplyFailure> JournalApplier::apply_registry(
    Seq seq, TimestampNs ts, const RegistryCommand& cmd) {
  if (!check_registry_limits(cmd))
    return fail(JournalApplyError::kTooLarge, std::string(to_string(type_of(cmd))));
  Applied out;
  out.payload = encode_registry_command(cmd);
  auto r = apply_record(seq, ts, out.payload);
  if (!r.ok()) return Err(r.error());
  out.outcome = std::move(r.value());
  return out;
}

Result<CommandRecord, JournalApplyFailure> JournalApplier::apply_engine(const Command& cmd) {
  if (cmd.seq <= last_seq_) {
    return fail(JournalApplyError::kSeqMismatch, "seq " + std::to_string(cmd.seq.value()) +
                                                     " after " + std::to_string(last_seq_.value()));
  }
  const CommandRecord rec = encode(cmd);
  core_.apply(cmd);
  last_seq_ = cmd.seq;
  return rec;
}

namespace {

// Commits the pending records of the replay to the scratch store.
bool commit_pending(Store& to, std::vector<JournalEntry>& entries,
                    std::vector<std::vector<std::uint8_t>>& payloads, Registrar& registrar,
                    Ledger& scratch, ExchangeReplay& out) {
  if (entries.empty()) return true;
  Batch b;
  b.journal = entries;
  std::vector<std::uint8_t> state;
  if (registrar.dirty()) {
    state = registrar.state_blob();
    b.registry_state = std::span<const std::uint8_t>(state);
  }
  if (auto st = to.commit_batch(b, scratch); !st) {
    out.problem = "scratch store commit: " + std::string(to_string(st.error())) + " " +
                  to.last_error_detail();
    return false;
  }
  registrar.mark_committed();
  entries.clear();
  payloads.clear();
  return true;
}

}  // namespace

ExchangeReplay replay_exchange(Store& store, const ExchangeConfig& config,
                               const RegistrarConfig& registrar_config, Ledger& scratch,
                               Store* scratch_store) {
  ExchangeReplay out;
  CX_ASSERT(scratch.account_count() == 0);
  auto core = std::make_unique<Core>(config, scratch);
  Registrar registrar(registrar_config, scratch);
  JournalApplier applier(*core, registrar);
  std::vector<JournalEntry> entries;
  std::vector<std::vector<std::uint8_t>> payloads;  // owned copies for the pending batch
  std::uint64_t expect = 1;
  bool commit_ok = true;
  const bool completed = replay_journal(store, [&](const JournalRecordView& r) {
    if (r.seq.value() != expect) {
      out.first_bad_seq = Seq(expect);
      out.problem = "journal record missing before seq " + std::to_string(r.seq.value());
      return false;
    }
    auto applied = applier.apply_record(r.seq, r.ts, r.payload);
    if (!applied.ok()) {
      out.first_bad_seq = r.seq;
      out.problem = std::string(to_string(applied.error().code)) + ": " + applied.error().detail;
      return false;
    }
    core->clear_events();
    if (applied.value().family == RecordFamily::kRegistry) {
      ++out.registry_records;
      out.registry_refused += applied.value().refused.has_value();
    }
    if (scratch_store != nullptr) {
      payloads.emplace_back(r.payload.begin(), r.payload.end());
      entries.push_back(JournalEntry{r.seq, r.ts, payloads.back()});
      if (entries.size() >= kReplayCommitEvery) {
        commit_ok = commit_pending(*scratch_store, entries, payloads, registrar, scratch, out);
        if (!commit_ok) return false;
      }
    }
    out.last_seq = r.seq;
    ++out.records;
    ++expect;
    return true;
  });
  if (scratch_store != nullptr && commit_ok && completed && !out.first_bad_seq)
    commit_ok = commit_pending(*scratch_store, entries, payloads, registrar, scratch, out);
  out.core_hash = core->state_hash();
  out.ledger_hash = scratch.state_hash();
  out.registrar_hash = registrar.state_hash();
  out.ok = completed && commit_ok && !out.first_bad_seq.has_value();
  if (!completed && out.problem.empty()) out.problem = "the journal could not be read";
  return out;
}

}  // namespace carbonx::registry
