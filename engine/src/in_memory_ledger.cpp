#include "carbonx/engine/in_memory_ledger.hpp"

namespace carbonx {
namespace {

// Deposits use client-range transfer ids with bit 62 set, so they never meet a test's own ids.
constexpr std::uint64_t kDepositIdBase = std::uint64_t{1} << 62;

bool same_posting(const Posting& a, const Posting& b) {
  return a.id == b.id && a.debit == b.debit && a.credit == b.credit && a.asset == b.asset &&
         a.amount == b.amount && a.from_hold == b.from_hold && a.kind == b.kind &&
         a.reference == b.reference;
}

}  // namespace

InMemoryLedger::InMemoryLedger(Options options) : options_(options) {
  accounts_.reserve(1024);
  balances_.reserve(4096);
  holds_.reserve(1 << 16);
  undo_.reserve(64);
  new_transfers_.reserve(16);
  touched_holds_.reserve(16);
  open_account(options_.source_account);
}

bool InMemoryLedger::open_account(AccountId account) {
  return accounts_.try_emplace(account.value(), Account{}).second;
}

Status<LedgerError> InMemoryLedger::set_active(AccountId account, bool active) {
  auto it = accounts_.find(account.value());
  if (it == accounts_.end()) return Err{LedgerError::kUnknownAccount};
  it->second.active = active;
  return {};
}

Status<LedgerError> InMemoryLedger::set_holding_limit(AccountId account, AssetId asset,
                                                      std::int64_t limit) {
  if (find_account(account) == nullptr) return Err{LedgerError::kUnknownAccount};
  balance_ref(account, asset).limit = limit < 0 ? -1 : limit;
  return {};
}

Status<LedgerError> InMemoryLedger::deposit(AccountId account, AssetId asset, std::int64_t amount) {
  CX_ASSERT(amount > 0);
  CX_ASSERT(next_deposit_id_ < kDepositIdBase);
  Posting p;
  p.id = TransferId(kDepositIdBase | next_deposit_id_);
  p.debit = options_.source_account;
  p.credit = account;
  p.asset = asset;
  p.amount = amount;
  p.kind = TransferKind::kDeposit;
  auto st = post(std::span<const Posting>(&p, 1));
  if (st.ok()) ++next_deposit_id_;
  return st;
}

void InMemoryLedger::begin_command(Seq seq, TimestampNs ts) {
  seq_ = seq;
  ts_ = ts;
}

Status<LedgerError> InMemoryLedger::hold(HoldId id, AccountId account, AssetId asset,
                                         std::int64_t amount) {
  CX_ASSERT(amount > 0);
  CX_ASSERT(id != kNoHold);
  const Account* acc = find_account(account);
  if (acc == nullptr) return Err{LedgerError::kUnknownAccount};
  if (!acc->active) return Err{LedgerError::kAccountNotActive};
  if (holds_.contains(id.value())) return Err{LedgerError::kDuplicateHold};
  if (options_.remember_hold_ids && used_hold_ids_.contains(id.value())) {
    return Err{LedgerError::kDuplicateHold};
  }
  Balance& b = balance_ref(account, asset);
  const bool unlimited = account == options_.source_account;
  if (!unlimited && b.available < amount) return Err{LedgerError::kInsufficientAvailable};
  b.available -= amount;
  b.frozen += amount;
  holds_.emplace(id.value(), Hold{account, asset, amount, &b});
  if (options_.remember_hold_ids) used_hold_ids_.insert(id.value());
  return {};
}

Status<LedgerError> InMemoryLedger::release(HoldId id, std::int64_t amount) {
  CX_ASSERT(amount > 0);
  auto it = holds_.find(id.value());
  if (it == holds_.end()) return Err{LedgerError::kUnknownHold};
  Hold& h = it->second;
  if (h.remaining < amount) return Err{LedgerError::kHoldExceeded};
  CX_ASSERT(h.balance->frozen >= amount);
  h.remaining -= amount;
  h.balance->frozen -= amount;
  h.balance->available += amount;
  if (h.remaining == 0) holds_.erase(it);
  return {};
}

Status<LedgerError> InMemoryLedger::post(std::span<const Posting> linked) {
  undo_.clear();
  new_transfers_.clear();
  touched_holds_.clear();
  std::uint64_t applied = 0;
  for (const Posting& p : linked) {
    bool skipped = false;
    auto st = apply_one(p, skipped);
    if (!st.ok()) {
      rollback();
      return st;
    }
    if (!skipped) ++applied;
  }
  for (std::uint64_t h : touched_holds_) {
    auto it = holds_.find(h);
    if (it != holds_.end() && it->second.remaining == 0) holds_.erase(it);
  }
  postings_applied_ += applied;
  return {};
}

Status<LedgerError> InMemoryLedger::apply_one(const Posting& p, bool& skipped) {
  CX_ASSERT(p.amount > 0);
  if (options_.remember_transfers) {
    auto it = transfers_.find(p.id.value());
    if (it != transfers_.end()) {
      if (!same_posting(it->second, p)) return Err{LedgerError::kDuplicateTransfer};
      skipped = true;
      return {};
    }
  }
  const Account* debit = find_account(p.debit);
  const Account* credit = find_account(p.credit);
  if (debit == nullptr || credit == nullptr) return Err{LedgerError::kUnknownAccount};
  if (!debit->active || !credit->active) return Err{LedgerError::kAccountNotActive};
  if (p.from_hold != kNoHold) {
    auto it = holds_.find(p.from_hold.value());
    if (it == holds_.end()) return Err{LedgerError::kUnknownHold};
    Hold& h = it->second;
    if (h.account != p.debit || h.asset != p.asset) return Err{LedgerError::kHoldAccountMismatch};
    if (h.remaining < p.amount) return Err{LedgerError::kHoldExceeded};
    set_logged(h.remaining, h.remaining - p.amount);
    set_logged(h.balance->frozen, h.balance->frozen - p.amount);
    touched_holds_.push_back(p.from_hold.value());
  } else {
    Balance& d = balance_ref(p.debit, p.asset);
    const bool unlimited = p.debit == options_.source_account;
    if (!unlimited && d.available < p.amount) return Err{LedgerError::kInsufficientAvailable};
    set_logged(d.available, d.available - p.amount);
  }
  Balance& c = balance_ref(p.credit, p.asset);
  if (c.limit >= 0 && c.available + c.frozen + p.amount > c.limit) {
    return Err{LedgerError::kHoldingLimit};
  }
  set_logged(c.available, c.available + p.amount);
  if (options_.remember_transfers) {
    transfers_.emplace(p.id.value(), p);
    new_transfers_.push_back(p.id.value());
  }
  return {};
}

void InMemoryLedger::set_logged(std::int64_t& field, std::int64_t value) {
  undo_.push_back(Undo{&field, field});
  field = value;
}

void InMemoryLedger::rollback() {
  for (auto it = undo_.rbegin(); it != undo_.rend(); ++it)
    *it->field = it->old_value;
  for (std::uint64_t id : new_transfers_)
    transfers_.erase(id);
  undo_.clear();
  new_transfers_.clear();
  touched_holds_.clear();
}

BalanceView InMemoryLedger::balance(AccountId account, AssetId asset) const {
  auto it = balances_.find(key(account, asset));
  if (it == balances_.end()) return BalanceView{};
  return BalanceView{it->second.available, it->second.frozen};
}

std::int64_t InMemoryLedger::held(HoldId id) const {
  auto it = holds_.find(id.value());
  return it == holds_.end() ? 0 : it->second.remaining;
}

bool InMemoryLedger::is_open(AccountId account) const {
  return find_account(account) != nullptr;
}

std::int64_t InMemoryLedger::total(AssetId asset) const {
  std::int64_t sum = 0;
  for (const auto& [k, b] : balances_) {
    if (static_cast<std::uint32_t>(k) == asset.value()) sum += b.available + b.frozen;
  }
  return sum;
}

std::int64_t InMemoryLedger::frozen_total(AssetId asset) const {
  std::int64_t sum = 0;
  for (const auto& [k, b] : balances_) {
    if (static_cast<std::uint32_t>(k) == asset.value()) sum += b.frozen;
  }
  return sum;
}

void InMemoryLedger::for_each_balance(
    const std::function<void(AccountId, AssetId, BalanceView)>& fn) const {
  for (const auto& [k, b] : balances_) {
    fn(AccountId(static_cast<std::uint32_t>(k >> 32)), AssetId(static_cast<std::uint32_t>(k)),
       BalanceView{b.available, b.frozen});
  }
}

InMemoryLedger::Balance& InMemoryLedger::balance_ref(AccountId account, AssetId asset) {
  return balances_[key(account, asset)];
}

const InMemoryLedger::Account* InMemoryLedger::find_account(AccountId account) const {
  auto it = accounts_.find(account.value());
  return it == accounts_.end() ? nullptr : &it->second;
}

}  // namespace carbonx
