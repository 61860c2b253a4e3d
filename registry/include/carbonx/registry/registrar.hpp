#pragma once
// carbonx::registry::Registrar — applies registry commands (registry_commands.hpp) to the
// registry Ledger, the allocation state (allocation::Allocator) and the compliance state
// (compliance::Compliance). One code path for the live server and for replay: the
// JournalApplier (journal_applier.hpp) calls apply() for every registry record of the journal.
//
// Deterministic: the result depends only on the configuration, the state and (seq, ts, command).
// A refused command changes nothing (the ledger's operations, Allocator and Compliance are
// all-or-nothing on error; the Registrar checks its own rules before changing anything).
//
// Configuration (RegistrarConfig): the government issuance account (IssueUnits and allocation
// post from it), the instruments (allowance vintages and offset projects, from the engine's
// ExchangeConfig), the jurisdiction profile and the allocation tables by table id. Retirement
// accounts are the ledger's kRetirement accounts (by compliance year); firms are registered by
// RegisterFirm commands.
//
// Member authority (GrantAuthority / RevokeAuthority): the set of (member, account) pairs whose
// member may act for the account over FIX. It is the one record of that authority; the gateway
// publishes a copy to the FIX edge after each commit that changed it (authority_version()).
//
// Persistence: state_blob() is the allocation/compliance/firm/authority state (versioned JSON,
// schema "carbonx.registrar.state" version 2; version 1, written before authority was journaled,
// restores with no authority); the server puts it in registry::Batch::registry_state
// whenever dirty() and restores it from Recovery::registry_state with restore(). state_hash()
// is SHA-256 of that blob.
//
// Server start: Store::load(ledger) first, then construct the Registrar over that ledger (it reads
// the retirement accounts), then restore(recovery.registry_state). After a commit_batch()
// failure the in-memory state is ahead of the disk, as for the ledger: retry the same batch (with
// the same blob) or stop.
//
// Freezing an account with open holds is refused (kOpenHolds) because the core's fills on its
// orders would be refused by the ledger. Holding limits are checked by the core when a listed buy
// is entered or enlarged (Ledger::holding_room); listed fills are not limited at posting, so a
// SetHoldingLimit or an issuance while a buy rests can let that fill pass the limit, never abort.
//
// Not thread-safe: one thread (the core thread) calls everything.

#include <cstdint>
#include <map>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "carbonx/engine/instrument.hpp"
#include "carbonx/engine/result.hpp"
#include "carbonx/engine/units.hpp"
#include "carbonx/registry/allocation/issuance.hpp"
#include "carbonx/registry/allocation/table.hpp"
#include "carbonx/registry/compliance/compliance.hpp"
#include "carbonx/registry/ledger.hpp"
#include "carbonx/registry/registry_commands.hpp"
#include "carbonx/registry/sha256.hpp"

namespace carbonx::registry {

// Largest amount of one Deposit/Withdraw (fen: 10 trillion CNY) and of one IssueUnits (tonnes).
inline constexpr std::int64_t kMaxCommandAmountFen = 1'000'000'000'000'000;
inline constexpr std::int64_t kMaxCommandQuantityT = 1'000'000'000'000;

struct RegistrarConfig {
  AccountId government_account{0};            // kind kGovernmentIssuance
  std::vector<InstrumentConfig> instruments;  // ExchangeConfig::instruments
  compliance::JurisdictionProfile jurisdiction;
  std::vector<allocation::AllocationTable> tables;  // by table_id (unique)
};

enum class RegistrarError : std::uint8_t {
  kAccount = 1,     // the ledger refused an account operation (sub = RegistryError)
  kTransfer,        // the ledger refused a posting (sub = LedgerError)
  kBadTransferId,   // not a client transfer id, or inside the allocation/compliance id domains
  kBadAmount,       // an amount or quantity <= 0, over its kMaxCommand* limit, or one that
                    // would overflow a balance (debit or credit side)
  kUnknownAsset,    // IssueUnits of an asset that is no configured instrument
  kBadEmissions,    // verified emissions < 0 or over compliance::kMaxEmissionsT
  kBadDate,         // an extension date that is no calendar date (yyyymmdd) or whose year is
                    // outside compliance::kMinDateYear..kMaxDateYear
  kUnknownAccount,  // the account does not exist
  kOpenHolds,       // freezing an account with open holds (resting orders, bids, repo locks):
                    // the core's trades on them would be refused by the ledger; cancel them first
  kNotFirmAccount,  // RegisterFirm on an account that is not a kControlEmissionFirm account
  kFirmConflict,    // the firm id or the account is registered otherwise
  kBadFirmId,       // empty firm id
  kUnknownFirm,     // no firm registered on the account
  kUnknownTable,    // no configured allocation table with this id
  kBadFacilities,   // the facility text does not parse against the table (detail: first errors)
  kAllocation,      // allocation refused (sub = allocation::AllocationError)
  kCompliance,      // compliance refused (sub = compliance::ComplianceError)
  kBadState,        // a registrar state blob that cannot be read
  kBadAuthority,    // GrantAuthority/RevokeAuthority with member 0 or account 0
  kAuthorityHeld,   // GrantAuthority: the member already has authority over the account
  kNoAuthority,     // RevokeAuthority: the member has no authority over the account
};
std::string_view to_string(RegistrarError e) noexcept;

struct RegistrarFailure {
  RegistrarError code = RegistrarError::kAccount;
  std::uint8_t sub = 0;  // the underlying module's error value (see RegistrarError), else 0
  std::string detail;
};

class Registrar {
 public:
  // `ledger` must outlive the Registrar. Precondition: table ids unique (CX_ASSERT).
  Registrar(RegistrarConfig config, Ledger& ledger);

  // Applies one registry command as journal record (seq, ts): calls ledger.begin_command(seq,
  // ts) first. On error nothing changed.
  Status<RegistrarFailure> apply(Seq seq, TimestampNs ts, const RegistryCommand& cmd);

  // The decision apply() would make on Surrender `c` at `ts` on the state now, changing nothing
  // (the firm portal's preview): the same request apply() builds, Compliance::surrender on a
  // copy of the compliance state, and the ledger's checks of the postings (accounts, status,
  // available units, holding limit, transfer id) against its balances without posting. On
  // success the record the surrender would add (its number, legs and sums). Same errors as
  // apply(). Not for a hot path: it copies the compliance state.
  Result<compliance::SurrenderRecord, RegistrarFailure> preview_surrender(const Surrender& c,
                                                                          TimestampNs ts) const;

  // The allocation/compliance/firm state (see the header comment) and its SHA-256.
  std::vector<std::uint8_t> state_blob() const;
  Digest state_hash() const;
  // True when apply() changed the state since the last mark_committed() / restore().
  bool dirty() const { return dirty_; }
  void mark_committed() { dirty_ = false; }
  // Replaces the state with a blob from state_blob() (all or nothing). An empty blob is the
  // initial state. Error: kBadState.
  Status<RegistrarFailure> restore(std::span<const std::uint8_t> blob);

  const allocation::Allocator& allocator() const { return allocator_; }
  const compliance::Compliance& compliance() const { return compliance_; }
  const allocation::RegistryDirectory& directory() const { return directory_; }
  const RegistrarConfig& config() const { return config_; }

  // Member authority: (member, account) pairs in ascending order.
  using AuthorityPairs = std::set<std::pair<MemberId, AccountId>>;
  const AuthorityPairs& authority() const { return authority_; }
  bool has_authority(MemberId member, AccountId account) const {
    return authority_.contains({member, account});
  }
  // The members with authority over `account`, ascending.
  std::vector<MemberId> members_of(AccountId account) const;
  // Changes whenever authority() changes (apply, restore); not part of the state.
  std::uint64_t authority_version() const { return authority_version_; }

 private:
  Status<RegistrarFailure> on(const OpenAccount& c);
  Status<RegistrarFailure> on(const SetAccountStatus& c);
  Status<RegistrarFailure> on(const SetHoldingLimit& c);
  Status<RegistrarFailure> on(const Deposit& c);
  Status<RegistrarFailure> on(const Withdraw& c);
  Status<RegistrarFailure> on(const IssueUnits& c);
  Status<RegistrarFailure> on(const RegisterFirm& c);
  Status<RegistrarFailure> on(const AllocationIssue& c);
  Status<RegistrarFailure> on(const AllocationTrueUp& c);
  Status<RegistrarFailure> on(const LoadVerifiedEmissions& c);
  Status<RegistrarFailure> on(const Surrender& c);
  Status<RegistrarFailure> on(const RecordExtension& c);
  Status<RegistrarFailure> on(const RecordExemption& c);
  Status<RegistrarFailure> on(const SettleCompliance& c);
  Status<RegistrarFailure> on(const GrantAuthority& c);
  Status<RegistrarFailure> on(const RevokeAuthority& c);
  Status<RegistrarFailure> allocate(int year, const std::string& table_id, const std::string& csv,
                                    allocation::Stage stage);
  Result<std::string, RegistrarFailure> firm_of(AccountId account) const;
  // kBadAmount unless 0 < amount <= limit and neither side's balance would overflow.
  Status<RegistrarFailure> check_amount(AccountId debit, AccountId credit, AssetId asset,
                                        std::int64_t amount, std::int64_t limit) const;
  void refresh_retirement();

  RegistrarConfig config_;
  Ledger& ledger_;
  allocation::Allocator allocator_;
  compliance::Compliance compliance_;
  compliance::OffsetCatalogue offsets_;
  allocation::RegistryDirectory directory_;  // firms: registered; retirement: from the ledger
  std::map<AccountId, std::string> firm_by_account_;
  AuthorityPairs authority_;
  std::set<std::pair<AccountId, MemberId>> authority_by_account_;  // the same pairs, by account
  std::uint64_t authority_version_ = 0;
  Seq seq_{0};
  TimestampNs ts_{0};
  bool dirty_ = false;
};

}  // namespace carbonx::registry
