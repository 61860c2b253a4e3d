#include "carbonx/registry/replay.hpp"

#include <memory>

#include "carbonx/engine/commands.hpp"
#include "carbonx/engine/core.hpp"
#include "carbonx/registry/journal.hpp"
#include "carbonx/registry/registry_commands.hpp"

namespace carbonx::registry {

CommandReplay replay_commands(Store& store, const ExchangeConfig& config, Ledger& scratch) {
  CommandReplay out;
  auto core = std::make_unique<Core>(config, scratch);
  std::uint64_t expect = 1;
  const bool completed = replay_journal(store, [&](const JournalRecordView& r) {
    if (r.seq.value() != expect) {
      out.first_bad_seq = Seq(expect);
      out.problem = "journal record missing before seq " + std::to_string(r.seq.value());
      return false;
    }
    if (is_registry_record(r.payload)) {
      out.first_bad_seq = r.seq;
      out.problem = "a registry command record: replay with replay_exchange (journal_applier.hpp)";
      return false;
    }
    auto cmd = decode(r.payload);
    if (!cmd.ok()) {
      out.first_bad_seq = r.seq;
      out.problem = "record does not decode as a command: " + std::string(to_string(cmd.error()));
      return false;
    }
    if (cmd.value().seq != r.seq) {
      out.first_bad_seq = r.seq;
      out.problem = "command seq differs from its journal record's seq";
      return false;
    }
    core->apply(cmd.value());
    core->clear_events();
    out.last_seq = r.seq;
    ++out.records;
    ++expect;
    return true;
  });
  out.core_hash = core->state_hash();
  out.ledger_hash = scratch.state_hash();
  out.ok = completed && !out.first_bad_seq.has_value();
  if (!completed && out.problem.empty()) out.problem = "the journal could not be read";
  return out;
}

}  // namespace carbonx::registry
