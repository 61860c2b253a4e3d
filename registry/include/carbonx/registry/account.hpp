#pragma once
// Registry accounts and the registry's own errors (operator operations, store, journal).
//
// An account holds balances of any asset (CNY cash = kCashAsset, or an instrument's units). Its
// kind decides what it may do: only the government issuance account and the cash settlement
// account may go negative (they are where issued units and deposited cash come from); holding
// limits are set per kind.

#include <array>
#include <cstdint>
#include <string_view>

#include "carbonx/engine/units.hpp"

namespace carbonx::registry {

enum class AccountKind : std::uint8_t {
  kControlEmissionFirm = 1,    // a covered firm (控排企业)
  kInvestmentInstitution = 2,  // an investment institution
  kIndividual = 3,             // an individual investor
  kExchangeFee = 4,            // the exchange's fee income account
  kGovernmentIssuance = 5,     // issuance source: may go negative
  kRetirement = 6,             // surrendered units of one compliance year (compliance_year set)
  kCashSettlement = 7,         // counterpart of cash deposits/withdrawals: may go negative
};
inline constexpr std::size_t kAccountKindCount = 8;  // index by the enum value; 0 unused
std::string_view to_string(AccountKind k) noexcept;
bool is_valid(AccountKind k) noexcept;
// True for the kinds whose available balance may be negative (issuance and cash settlement).
bool may_go_negative(AccountKind k) noexcept;

enum class AccountStatus : std::uint8_t {
  kActive = 1,  // may hold, send, receive
  kFrozen = 2,  // by the operator: no new holds, not the debit or credit of a posting
  kClosed = 3,  // final; only possible with all balances zero
};
std::string_view to_string(AccountStatus s) noexcept;

// One account. Plain data; `id` is chosen by the operator (it is what the engine trades on).
struct Account {
  AccountId id{0};
  AccountKind kind = AccountKind::kIndividual;
  AccountStatus status = AccountStatus::kActive;
  std::uint16_t compliance_year = 0;  // kRetirement only (e.g. 2024), else 0
  std::uint64_t owner_entity = 0;     // the legal entity owning it (registry's entity id)
  MemberId member{0};  // the member it was opened for (recorded only: who may act for it is the
                       // journaled authority, registry::GrantAuthority)
  std::uint32_t region_code = 0;  // administrative division, e.g. 440000 Guangdong
  // Per-account holding limit in tonnes for instrument assets; < 0: use the kind's limit.
  std::int64_t holding_limit_t = -1;
};

// Errors of the registry's own operations (the Ledger interface uses carbonx::LedgerError).
enum class RegistryError : std::uint8_t {
  kUnknownAccount = 1,   // no such account
  kDuplicateAccount,     // an account with this id exists
  kInvalidAccount,       // bad kind, id 0 or ~0, a retirement account without a year, ...
  kAccountClosed,        // the account is closed: nothing more may change
  kAccountNotEmpty,      // closing an account that still holds something
  kNoSettlementAccount,  // deposit/withdrawal without a configured cash settlement account
  kInvalidAmount,        // amount <= 0
  kInvalidLimit,         // a holding limit < 0 where one is required
};
std::string_view to_string(RegistryError e) noexcept;

// Holding limits per account kind, in tonnes, for every instrument asset (not cash): what an
// account may hold of one instrument (available + frozen). Off (< 0) by default. An account's own
// `holding_limit_t` (>= 0) overrides its kind's.
struct HoldingLimits {
  std::array<std::int64_t, kAccountKindCount> per_kind_t{-1, -1, -1, -1, -1, -1, -1, -1};
};

}  // namespace carbonx::registry
