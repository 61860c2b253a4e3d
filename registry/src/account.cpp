#include "carbonx/registry/account.hpp"

namespace carbonx::registry {

std::string_view to_string(AccountKind k) noexcept {
  switch (k) {
    case AccountKind::kControlEmissionFirm:
      return "control-emission firm";
    case AccountKind::kInvestmentInstitution:
      return "investment institution";
    case AccountKind::kIndividual:
      return "individual";
    case AccountKind::kExchangeFee:
      return "exchange fee account";
    case AccountKind::kGovernmentIssuance:
      return "government issuance account";
    case AccountKind::kRetirement:
      return "retirement account";
    case AccountKind::kCashSettlement:
      return "cash settlement account";
  }
  return "unknown account kind";
}

bool is_valid(AccountKind k) noexcept {
  const auto v = static_cast<std::uint8_t>(k);
  return v >= 1 && v <= 7;
}

bool may_go_negative(AccountKind k) noexcept {
  return k == AccountKind::kGovernmentIssuance || k == AccountKind::kCashSettlement;
}

std::string_view to_string(AccountStatus s) noexcept {
  switch (s) {
    case AccountStatus::kActive:
      return "active";
    case AccountStatus::kFrozen:
      return "frozen";
    case AccountStatus::kClosed:
      return "closed";
  }
  return "unknown account status";
}

std::string_view to_string(RegistryError e) noexcept {
  switch (e) {
    case RegistryError::kUnknownAccount:
      return "unknown account";
    case RegistryError::kDuplicateAccount:
      return "an account with this id already exists";
    case RegistryError::kInvalidAccount:
      return "invalid account (id, kind, status or compliance year)";
    case RegistryError::kAccountClosed:
      return "the account is closed";
    case RegistryError::kAccountNotEmpty:
      return "the account still holds balances or open holds";
    case RegistryError::kNoSettlementAccount:
      return "no cash settlement account is configured";
    case RegistryError::kInvalidAmount:
      return "amount must be positive";
    case RegistryError::kInvalidLimit:
      return "invalid holding limit";
  }
  return "unknown registry error";
}

}  // namespace carbonx::registry
