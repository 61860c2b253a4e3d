#pragma once
// Helpers shared by the registry's ledger/store tests.

#include <stdlib.h>

#include <filesystem>
#include <string>

#include "carbonx/registry/ledger.hpp"

namespace carbonx::registry::testing {

// A fresh directory under TMPDIR (or /tmp), removed when the object goes away.
class TempDir {
 public:
  TempDir() {
    const char* base = std::getenv("TMPDIR");
    std::string tmpl = std::string(base != nullptr ? base : "/tmp") + "/cx-registry-XXXXXX";
    CX_ASSERT(mkdtemp(tmpl.data()) != nullptr);
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string sub(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

inline constexpr AccountId kGov{1};
inline constexpr AccountId kSettle{2};
inline constexpr AccountId kFee{3};
inline constexpr AssetId kGdea{2024};

inline Account make_account(AccountId id, AccountKind kind) {
  Account a;
  a.id = id;
  a.kind = kind;
  if (kind == AccountKind::kRetirement) a.compliance_year = 2024;
  return a;
}

// Opens the government, settlement and fee accounts and `firms` firm accounts (ids 100...).
inline void open_standard_accounts(Ledger& l, int firms) {
  CX_ASSERT(l.open_account(make_account(kGov, AccountKind::kGovernmentIssuance)).ok());
  CX_ASSERT(l.open_account(make_account(kSettle, AccountKind::kCashSettlement)).ok());
  CX_ASSERT(l.open_account(make_account(kFee, AccountKind::kExchangeFee)).ok());
  for (int i = 0; i < firms; ++i) {
    CX_ASSERT(
        l.open_account(make_account(AccountId(100 + i), AccountKind::kControlEmissionFirm)).ok());
  }
}

inline Ledger::Options standard_options() {
  Ledger::Options o;
  o.cash_settlement_account = kSettle;
  return o;
}

}  // namespace carbonx::registry::testing
