#pragma once
// Adapters that fill the report rows (market_report.hpp, compliance_report.hpp) from the system's
// real state. Read-only: they never change the store, the ledger or the compliance state.
//
//   - trades_from_transfers(): a trade is a unit posting and a cash posting of the same trading
//     kind (kTrade, kAgreement, kAuction, kRepoFirstLeg, kRepoRepurchase) sharing a reference,
//     the cash flowing the opposite way (buyer -> seller). Fees (kFee) are not trades.
//   - read_store(): opens a registry store (short read transactions; the store's own lock means
//     it fails with "locked" while carbonxd runs: then ask the server), loads the accounts and
//     every transfer of every account (deduplicated by log position).
//   - surrender_points() and firm rows from the store's kSurrender transfers into the retirement
//     account of a year; firm_rows_from_status() from carbonx::compliance::Compliance::status().
// Thread-safety: plain functions; a Store is used by one thread at a time.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "carbonx/engine/instrument.hpp"
#include "carbonx/engine/result.hpp"
#include "carbonx/registry/account.hpp"
#include "carbonx/registry/compliance/compliance.hpp"
#include "carbonx/registry/records.hpp"
#include "carbonx/tools/compliance_report.hpp"
#include "carbonx/tools/market_report.hpp"

namespace carbonx::tools {

ParticipantType participant_of(registry::AccountKind k) noexcept;

// Trades among `transfers` (any order; each transfer once). Accounts missing from `kinds` count
// as ParticipantType::kOther. Unit postings without a matching cash posting are skipped and
// counted in *unmatched (if given).
std::vector<TradeRow> trades_from_transfers(
    const std::vector<registry::TransferRecord>& transfers,
    const std::map<std::uint32_t, registry::AccountKind>& kinds, std::size_t* unmatched = nullptr);

std::vector<InstrumentInfo> instrument_infos(const ExchangeConfig& config);

// Everything the reports need from a store, read once.
struct StoreSnapshot {
  std::vector<registry::Account> accounts;          // by id
  std::vector<registry::TransferRecord> transfers;  // every transfer, by log position
  std::uint64_t applied_seq = 0;
};

struct ReadError {
  std::string message;  // one line for the operator, naming the store directory
};

// Opens the store in `store_dir` (which must exist: a report never creates a store), loads it
// into a scratch ledger and reads every account's statement. `page` bounds each read.
Result<StoreSnapshot, ReadError> read_store(const std::string& store_dir, std::size_t page = 4096);

std::map<std::uint32_t, registry::AccountKind> account_kinds(const StoreSnapshot& s);

// The compliance rows of `year` from the store: the obligation of each firm from `emissions`
// (firm id -> verified emissions of `year`), what it surrendered from the kSurrender transfers
// from its account (`firm_accounts`: firm id -> account) into the year's retirement account,
// split into allowances and offsets by the instruments' product kind. Penalties are not in the
// ledger (they are recorded by compliance settlement): left at 0.
struct StoreCompliance {
  std::vector<FirmRow> firms;
  std::vector<SurrenderPoint> surrenders;
};
StoreCompliance compliance_from_store(const StoreSnapshot& s, const ExchangeConfig& config,
                                      int year,
                                      const std::map<std::string, std::int64_t>& emissions,
                                      const std::map<std::string, std::uint32_t>& firm_accounts);

// The rows from the compliance module's own state (penalties included).
StoreCompliance compliance_from_state(const compliance::Compliance& c, int year);

}  // namespace carbonx::tools
