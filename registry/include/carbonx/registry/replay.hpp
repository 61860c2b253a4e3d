#pragma once
// Replay of the journal's engine commands from genesis (for `cxctl journal verify`): every record
// payload is decoded as an engine CommandRecord (carbonx::decode, commands.hpp) and applied to a
// fresh carbonx::Core over a scratch registry Ledger; the resulting Core::state_hash() and
// Ledger::state_hash() are returned for comparison with the live server's.
//
// Precondition: `scratch` holds the ledger's genesis state — what existed before the journal's
// first command (accounts, opening balances put in by the operator before trading), exactly as
// the live ledger had it — and no Store is attached to it. `config` is the exchange configuration
// the live core was built from.
//
// A journal with registry command records (registry_commands.hpp) is replayed by
// replay_exchange() (journal_applier.hpp, in carbonx::registry): from genesis into an EMPTY
// ledger, engine and registry records through the one JournalApplier, no genesis snapshot needed.
// replay_commands() stops at the first registry record and names it.
//
// Not thread-safe; reads the store with short read transactions.

#include <cstdint>
#include <optional>
#include <string>

#include "carbonx/engine/instrument.hpp"
#include "carbonx/registry/ledger.hpp"
#include "carbonx/registry/store.hpp"

namespace carbonx::registry {

struct CommandReplay {
  bool ok = false;                   // every record decoded and was applied, in seq order
  std::uint64_t records = 0;         // records applied
  Seq last_seq{0};                   // last record applied
  std::optional<Seq> first_bad_seq;  // a record that did not decode (or was out of order)
  std::string problem;
  std::uint64_t core_hash = 0;  // Core::state_hash() after the replay
  Digest ledger_hash{};         // Ledger::state_hash() of `scratch` after the replay
};

CommandReplay replay_commands(Store& store, const ExchangeConfig& config, Ledger& scratch);

}  // namespace carbonx::registry
