#include "carbonx/engine/ledger.hpp"

namespace carbonx {

std::string_view to_string(LedgerError e) noexcept {
  switch (e) {
    case LedgerError::kUnknownAccount:
      return "unknown account";
    case LedgerError::kAccountNotActive:
      return "account is frozen or closed";
    case LedgerError::kInsufficientAvailable:
      return "insufficient available balance";
    case LedgerError::kUnknownHold:
      return "unknown or closed hold";
    case LedgerError::kHoldExceeded:
      return "amount exceeds the hold's remaining balance";
    case LedgerError::kHoldAccountMismatch:
      return "hold belongs to another account or asset";
    case LedgerError::kDuplicateHold:
      return "hold id already used";
    case LedgerError::kDuplicateTransfer:
      return "a different transfer already uses this id";
    case LedgerError::kHoldingLimit:
      return "holding limit of the receiving account exceeded";
  }
  return "unknown ledger error";
}

std::string_view to_string(TransferKind k) noexcept {
  switch (k) {
    case TransferKind::kIssuance:
      return "issuance";
    case TransferKind::kTrade:
      return "trade";
    case TransferKind::kFee:
      return "fee";
    case TransferKind::kSurrender:
      return "surrender";
    case TransferKind::kCancellation:
      return "cancellation";
    case TransferKind::kDeposit:
      return "deposit";
    case TransferKind::kWithdrawal:
      return "withdrawal";
    case TransferKind::kRepoFirstLeg:
      return "repo first leg";
    case TransferKind::kRepoRepurchase:
      return "repo repurchase";
    case TransferKind::kPenaltyDeduction:
      return "penalty deduction";
    case TransferKind::kTrueUp:
      return "true-up";
    case TransferKind::kAuction:
      return "auction";
    case TransferKind::kAgreement:
      return "agreement";
  }
  return "unknown transfer kind";
}

}  // namespace carbonx
