#pragma once
// Issuance of computed allocations into the registry through the carbonx::Ledger interface
// (docs/design.md "Allocation", "Registry"), and the allocation state kept beside the ledger.
//
// Pre-allocation: each firm's pre-allocation of year Y is posted from the government issuance
// account to the firm's account in the allowance instrument of vintage Y (TransferKind::kIssuance).
// True-up (多退少补): final - pre-allocation is issued (kTrueUp) when positive, taken back
// (kTrueUp, firm -> government) when negative; a take-back larger than the firm's available
// vintage-Y holdings is taken as far as possible and the rest recorded as owed. Debts: what a firm
// owes (true-up shortfalls, compliance penalties via add_penalty_debt) is deducted at its next
// issuance (pre-allocation or positive true-up, of any year): the issuance is posted in full and,
// in the same linked group, the deduction flows back to the government account (kPenaltyDeduction
// for penalties, kTrueUp for true-up debts; penalties are deducted first). The firm's balance
// therefore rises only by the net amount, and the ledger shows why.
//
// Idempotence: transfer ids are derived from (year, firm account, purpose)
// (allocation_transfer_id), so the ledger applies each at most once; and this state records what
// was issued, so issuing a year again posts nothing. Issuing it again with other amounts is refused
// (use the true-up). Every issuance run is ONE linked ledger group: all firms or none.
//
// Preconditions: the caller has called ledger.begin_command() for the command carrying this
// operation (time enters only through `ts`, recorded with each issuance). Not thread-safe.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "carbonx/engine/ledger.hpp"
#include "carbonx/engine/result.hpp"
#include "carbonx/engine/units.hpp"
#include "carbonx/registry/allocation/compute.hpp"

namespace carbonx::allocation {

// A covered firm's place in the registry.
struct FirmAccount {
  AccountId account;
  MemberId member;     // the member allowed to act for the firm (compliance surrenders)
  std::string region;  // province of the firm
};

// The accounts and instruments allocation and compliance post to; filled by the integration from
// the registry's accounts and the engine's instruments.
struct RegistryDirectory {
  AccountId government_account;                           // issuance source, may go negative
  std::map<std::string, FirmAccount, std::less<>> firms;  // by firm id
  std::map<int, AssetId> allowance_by_vintage;            // GDEA2017 -> its asset
  std::map<int, AccountId> retirement_by_year;            // compliance year -> retirement account

  const FirmAccount* firm(std::string_view id) const;
  std::optional<AssetId> allowance(int vintage) const;
  std::optional<AccountId> retirement(int year) const;
};

// Transfer id layout (client ids, top bit clear): bits 62..56 domain (kAllocationDomain or
// kComplianceDomain), 55..52 purpose, 51..44 year - 2000, 43..12 the firm's account id, 11..0 a
// sequence number. Other clients must not use these two domain values in bits 62..56.
inline constexpr std::uint8_t kAllocationDomain = 0x41;
inline constexpr std::uint8_t kComplianceDomain = 0x43;
enum class Purpose : std::uint8_t {
  kPreIssue = 1,
  kPreDeductPenalty,
  kPreDeductDebt,
  kTrueUpIssue,
  kTrueUpDeductPenalty,
  kTrueUpDeductDebt,
  kTrueUpTakeBack,
  kSurrender,  // compliance: sequence = surrender number x 16 + leg
};
TransferId allocation_transfer_id(std::uint8_t domain, int year, AccountId firm, Purpose purpose,
                                  std::uint32_t seq = 0);

// What was issued to one firm for one year and stage.
struct IssuanceRecord {
  int year = 0;
  std::string firm;
  Stage stage = Stage::kPre;
  std::string table_id;
  std::int64_t computed_t = 0;  // pre: the pre-allocation; final: the final allocation
  std::int64_t issued_t = 0;    // posted to the firm before deductions (true-up: if positive)
  std::int64_t penalty_deducted_t = 0;
  std::int64_t debt_deducted_t = 0;
  std::int64_t taken_back_t = 0;  // true-up: taken from the firm's available vintage-Y units
  std::int64_t owed_added_t = 0;  // true-up: the part of the take-back that could not be taken
  TimestampNs ts{0};
  // Net change of the firm's vintage-Y balance.
  std::int64_t net_t() const {
    return issued_t - penalty_deducted_t - debt_deducted_t - taken_back_t;
  }
};

struct FirmDebt {
  std::int64_t penalty_t = 0;  // compliance penalties (2x shortfall ...)
  std::int64_t true_up_t = 0;  // true-up take-backs that could not be taken
  std::int64_t total() const { return penalty_t + true_up_t; }
};

struct IssueSummary {
  std::size_t firms_issued = 0;   // firms with a new record
  std::size_t firms_skipped = 0;  // already issued with the same amounts: nothing posted
  std::size_t postings = 0;
  std::int64_t issued_t = 0;
  std::int64_t deducted_t = 0;
  std::int64_t taken_back_t = 0;
  std::int64_t owed_added_t = 0;
};

class Allocator {
 public:
  // Issues `pre` (a Stage::kPre run) as the year's opening balances.
  // Errors: kBadYear, kUnknownFirm, kNoAllowanceAsset, kTableMismatch, kAlreadyIssuedDifferently,
  // kLedger. On any error nothing is posted or recorded.
  Result<IssueSummary, AllocationFailure> issue_pre_allocation(const AllocationRun& pre,
                                                               const RegistryDirectory& dir,
                                                               Ledger& ledger, TimestampNs ts);
  // Issues or takes back final - pre-allocation for every firm of `final_run` (Stage::kFinal).
  // Errors: those of issue_pre_allocation, kNotPreAllocated (no pre-allocation of the year),
  // kNotVerified (a pre-allocated firm missing from the final data), kAlreadyTrueUpped.
  Result<IssueSummary, AllocationFailure> issue_true_up(const AllocationRun& final_run,
                                                        const RegistryDirectory& dir,
                                                        Ledger& ledger, TimestampNs ts);

  // Records a penalty (tonnes > 0) to deduct at the firm's next issuance (compliance settlement).
  void add_penalty_debt(std::string_view firm, std::int64_t t);

  const IssuanceRecord* find(int year, std::string_view firm, Stage stage) const;
  FirmDebt debt(std::string_view firm) const;
  // The firm's pre-allocation of `year` (its initial allocation), if issued.
  std::optional<std::int64_t> initial_allocation(int year, std::string_view firm) const;
  const std::vector<IssuanceRecord>& records() const { return records_; }

  // Versioned JSON record of the whole state (schema "carbonx.allocation.state", version 1), for
  // the store to persist beside the ledger; restore() reads it back exactly.
  std::string serialize() const;
  static Result<Allocator, AllocationFailure> restore(std::string_view json);
  bool operator==(const Allocator& o) const;

 private:
  struct Key {
    int year;
    std::string firm;
    Stage stage;
    auto operator<=>(const Key&) const = default;
  };
  struct Plan;  // one firm's postings and record of a run
  Result<IssueSummary, AllocationFailure> apply(std::vector<Plan>& plans, Ledger& ledger);
  void plan_deductions(Plan& plan, const RegistryDirectory& dir, const FirmAccount& firm,
                       AssetId asset, Purpose penalty, Purpose debt) const;

  std::vector<IssuanceRecord> records_;
  std::map<Key, std::size_t> index_;  // -> records_
  std::map<std::string, FirmDebt, std::less<>> debts_;
};

}  // namespace carbonx::allocation
