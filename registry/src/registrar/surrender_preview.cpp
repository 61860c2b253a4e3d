// Registrar::preview_surrender: a surrender's dry run (registrar.hpp). The compliance rules run
// unchanged (Compliance::surrender on a copy of the state); the postings go to DryRunLedger,
// which checks them as registry::Ledger::post would (Ledger::apply_one: transfer id, accounts,
// status, available, holding limit) against the real balances and applies nothing.
// registrar_preview_test checks that the preview's decision is apply()'s, case by case.
#include <map>

#include "carbonx/engine/assert.hpp"
#include "carbonx/registry/registrar.hpp"

namespace carbonx::registry {
namespace {

Err<RegistrarFailure> refused(RegistrarError code, std::string detail, std::uint8_t sub = 0) {
  return Err(RegistrarFailure{code, sub, std::move(detail)});
}

// A carbonx::Ledger whose post() checks a linked group against `base` and changes nothing.
// Compliance::surrender only posts (no holds), so the hold operations are never called.
class DryRunLedger final : public carbonx::Ledger {
 public:
  explicit DryRunLedger(const registry::Ledger& base) : base_(base) {}
  void begin_command(Seq, TimestampNs) override {}
  Status<LedgerError> hold(HoldId, AccountId, AssetId, std::int64_t) override {
    CX_ASSERT(false);
    return Err(LedgerError::kUnknownHold);
  }
  Status<LedgerError> release(HoldId, std::int64_t) override {
    CX_ASSERT(false);
    return Err(LedgerError::kUnknownHold);
  }
  Status<LedgerError> resize_hold(HoldId, std::int64_t) override {
    CX_ASSERT(false);
    return Err(LedgerError::kUnknownHold);
  }
  Status<LedgerError> post(std::span<const Posting> linked) override {
    std::map<std::pair<AccountId, AssetId>, std::int64_t> delta;  // of this group so far
    for (const Posting& p : linked) {
      CX_ASSERT(p.amount > 0);
      CX_ASSERT(p.from_hold == kNoHold);
      if (const auto old = base_.find_transfer(p.id)) {
        const bool same = old->debit == p.debit.value() && old->credit == p.credit.value() &&
                          old->asset == p.asset.value() && old->amount == p.amount &&
                          old->from_hold == 0 && old->kind == static_cast<std::uint8_t>(p.kind) &&
                          old->reference == p.reference;
        if (!same) return Err(LedgerError::kDuplicateTransfer);
        continue;  // applied before: the ledger would skip it
      }
      const Account* debit = base_.account(p.debit);
      const Account* credit = base_.account(p.credit);
      if (debit == nullptr || credit == nullptr) return Err(LedgerError::kUnknownAccount);
      if (debit->status != AccountStatus::kActive || credit->status != AccountStatus::kActive) {
        return Err(LedgerError::kAccountNotActive);
      }
      std::int64_t& out = delta[{p.debit, p.asset}];
      const std::int64_t available = base_.balance(p.debit, p.asset).available + out;
      if (available < p.amount && !may_go_negative(debit->kind)) {
        return Err(LedgerError::kInsufficientAvailable);
      }
      out -= p.amount;
      std::int64_t& in = delta[{p.credit, p.asset}];
      if (p.kind != TransferKind::kTrade) {
        const std::int64_t room = base_.holding_room(p.credit, p.asset);
        if (room != kNoHoldingLimit && in + p.amount > room) return Err(LedgerError::kHoldingLimit);
      }
      in += p.amount;
    }
    return {};
  }
  BalanceView balance(AccountId account, AssetId asset) const override {
    return base_.balance(account, asset);
  }
  std::int64_t held(HoldId id) const override { return base_.held(id); }
  std::int64_t holding_room(AccountId account, AssetId asset) const override {
    return base_.holding_room(account, asset);
  }

 private:
  const registry::Ledger& base_;  // (Ledger alone names the base class here)
};

}  // namespace

Result<compliance::SurrenderRecord, RegistrarFailure> Registrar::preview_surrender(
    const Surrender& c, TimestampNs ts) const {
  const auto firm = firm_of(c.firm_account);
  if (!firm.ok()) return Err(firm.error());
  compliance::SurrenderRequest req;
  req.year = c.year;
  req.firm = firm.value();
  req.actor =
      c.member.value() == 0 ? compliance::Actor::op() : compliance::Actor::member_of(c.member);
  for (const SurrenderLegCmd& l : c.legs)
    req.legs.push_back({l.asset, l.quantity_t});
  // apply() refreshes the retirement accounts from the ledger first: so does the copy.
  allocation::RegistryDirectory dir = directory_;
  dir.retirement_by_year.clear();
  for (const Account& a : ledger_.accounts()) {
    if (a.kind == AccountKind::kRetirement && a.status != AccountStatus::kClosed)
      dir.retirement_by_year.emplace(a.compliance_year, a.id);
  }
  compliance::Compliance scratch = compliance_;
  DryRunLedger dry(ledger_);
  auto r = scratch.surrender(req, dir, offsets_, allocator_, dry, ts);
  if (!r.ok()) {
    const compliance::ComplianceFailure& f = r.error();
    return refused(RegistrarError::kCompliance,
                   std::string(to_string(f.code)) + (f.detail.empty() ? "" : ": " + f.detail),
                   static_cast<std::uint8_t>(f.code));
  }
  return r.value();
}

}  // namespace carbonx::registry
