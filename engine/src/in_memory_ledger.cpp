#include "carbonx/engine/in_memory_ledger.hpp"

#include <algorithm>

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
  undo_.reserve(64);
  new_transfers_.reserve(16);
  touched_holds_.reserve(16);
  open_account(options_.source_account);
}

bool InMemoryLedger::open_account(AccountId account) {
  if (find_account(account) != nullptr) return false;
  account_store_.push_back(Account{});
  accounts_.try_emplace(account.value(), &account_store_.back());
  return true;
}

Status<LedgerError> InMemoryLedger::set_active(AccountId account, bool active) {
  Account* a = find_account(account);
  if (a == nullptr) return Err{LedgerError::kUnknownAccount};
  a->active = active;
  return {};
}

Status<LedgerError> InMemoryLedger::set_holding_limit(AccountId account, AssetId asset,
                                                      std::int64_t limit) {
  Balance* b = balance_ref(account, asset);
  if (b == nullptr) return Err{LedgerError::kUnknownAccount};
  b->limit = limit < 0 ? -1 : limit;
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
  Balance* b = find_balance(account, asset);
  const Account* acc = b != nullptr ? b->account : find_account(account);
  if (acc == nullptr) return Err{LedgerError::kUnknownAccount};
  if (!acc->active) return Err{LedgerError::kAccountNotActive};
  if (holds_.find(id.value()) != nullptr) return Err{LedgerError::kDuplicateHold};
  if (options_.remember_hold_ids && used_hold_ids_.contains(id.value())) {
    return Err{LedgerError::kDuplicateHold};
  }
  const bool unlimited = account == options_.source_account;
  const std::int64_t available = b == nullptr ? 0 : b->available;
  if (!unlimited && available < amount) return Err{LedgerError::kInsufficientAvailable};
  if (b == nullptr) b = balance_ref(account, asset);
  b->available -= amount;
  b->frozen += amount;
  holds_.try_emplace(id.value(), Hold{account, asset, amount, b});
  if (options_.remember_hold_ids) used_hold_ids_.insert(id.value());
  return {};
}

Status<LedgerError> InMemoryLedger::release(HoldId id, std::int64_t amount) {
  CX_ASSERT(amount > 0);
  Hold* h = holds_.find(id.value());
  if (h == nullptr) return Err{LedgerError::kUnknownHold};
  if (h->remaining < amount) return Err{LedgerError::kHoldExceeded};
  CX_ASSERT(h->balance->frozen >= amount);
  h->remaining -= amount;
  h->balance->frozen -= amount;
  h->balance->available += amount;
  if (h->remaining == 0) holds_.erase(id.value());
  return {};
}

Status<LedgerError> InMemoryLedger::resize_hold(HoldId id, std::int64_t amount) {
  CX_ASSERT(amount > 0);
  Hold* h = holds_.find(id.value());
  if (h == nullptr) return Err{LedgerError::kUnknownHold};
  if (amount < h->remaining) return release(id, h->remaining - amount);
  const std::int64_t more = amount - h->remaining;
  if (more == 0) return {};
  if (!h->balance->account->active) return Err{LedgerError::kAccountNotActive};
  const bool unlimited = h->account == options_.source_account;
  if (!unlimited && h->balance->available < more) return Err{LedgerError::kInsufficientAvailable};
  h->balance->available -= more;
  h->balance->frozen += more;
  h->remaining = amount;
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
  // Which holds closed is read through the pointers first; erasing moves entries of holds_.
  std::size_t closed = 0;
  for (const Touched& t : touched_holds_) {
    if (t.hold->remaining == 0) touched_holds_[closed++] = t;
  }
  for (std::size_t i = 0; i < closed; ++i)
    holds_.erase(touched_holds_[i].id);  // a hold drawn twice is erased once
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
  // Balances carry their account, so a posting between existing balances does two lookups; one
  // drawn from a hold of its debit balance finds that balance through the hold.
  Hold* const h = p.from_hold != kNoHold ? holds_.find(p.from_hold.value()) : nullptr;
  Balance* d = h != nullptr && h->account == p.debit && h->asset == p.asset
                   ? h->balance
                   : find_balance(p.debit, p.asset);
  Balance* c = find_balance(p.credit, p.asset);
  const Account* debit = d != nullptr ? d->account : find_account(p.debit);
  const Account* credit = c != nullptr ? c->account : find_account(p.credit);
  if (debit == nullptr || credit == nullptr) return Err{LedgerError::kUnknownAccount};
  if (!debit->active || !credit->active) return Err{LedgerError::kAccountNotActive};
  if (p.from_hold != kNoHold) {
    if (h == nullptr) return Err{LedgerError::kUnknownHold};
    if (h->account != p.debit || h->asset != p.asset) return Err{LedgerError::kHoldAccountMismatch};
    if (h->remaining < p.amount) return Err{LedgerError::kHoldExceeded};
    set_logged(h->remaining, h->remaining - p.amount);
    set_logged(h->balance->frozen, h->balance->frozen - p.amount);
    touched_holds_.push_back(Touched{h, p.from_hold.value()});
  } else {
    const bool unlimited = p.debit == options_.source_account;
    const std::int64_t available = d == nullptr ? 0 : d->available;
    if (!unlimited && available < p.amount) return Err{LedgerError::kInsufficientAvailable};
    if (d == nullptr) d = balance_ref(p.debit, p.asset);
    set_logged(d->available, d->available - p.amount);
  }
  if (c == nullptr) c = balance_ref(p.credit, p.asset);
  if (p.kind != TransferKind::kTrade && c->limit >= 0 &&
      c->available + c->frozen + p.amount > c->limit) {
    return Err{LedgerError::kHoldingLimit};
  }
  set_logged(c->available, c->available + p.amount);
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
  const Balance* b = find_balance(account, asset);
  if (b == nullptr) return BalanceView{};
  return BalanceView{b->available, b->frozen};
}

std::int64_t InMemoryLedger::held(HoldId id) const {
  const Hold* h = holds_.find(id.value());
  return h == nullptr ? 0 : h->remaining;
}

std::int64_t InMemoryLedger::holding_room(AccountId account, AssetId asset) const {
  const Balance* b = find_balance(account, asset);
  if (b == nullptr || b->limit < 0) return kNoHoldingLimit;
  return std::max<std::int64_t>(0, b->limit - (b->available + b->frozen));
}

bool InMemoryLedger::is_open(AccountId account) const {
  return find_account(account) != nullptr;
}

std::int64_t InMemoryLedger::total(AssetId asset) const {
  std::int64_t sum = 0;
  balances_.for_each([&](std::uint64_t k, const Balance* b) {
    if (static_cast<std::uint32_t>(k) == asset.value()) sum += b->available + b->frozen;
  });
  return sum;
}

std::int64_t InMemoryLedger::frozen_total(AssetId asset) const {
  std::int64_t sum = 0;
  balances_.for_each([&](std::uint64_t k, const Balance* b) {
    if (static_cast<std::uint32_t>(k) == asset.value()) sum += b->frozen;
  });
  return sum;
}

void InMemoryLedger::for_each_balance(
    const std::function<void(AccountId, AssetId, BalanceView)>& fn) const {
  balances_.for_each([&](std::uint64_t k, const Balance* b) {
    fn(AccountId(static_cast<std::uint32_t>(k >> 32)), AssetId(static_cast<std::uint32_t>(k)),
       BalanceView{b->available, b->frozen});
  });
}

InMemoryLedger::Balance* InMemoryLedger::balance_ref(AccountId account, AssetId asset) {
  if (Balance* b = find_balance(account, asset)) return b;
  Account* a = find_account(account);
  if (a == nullptr) return nullptr;
  balance_store_.push_back(Balance{0, 0, -1, a});
  balances_.try_emplace(key(account, asset), &balance_store_.back());
  return &balance_store_.back();
}

InMemoryLedger::Balance* InMemoryLedger::find_balance(AccountId account, AssetId asset) const {
  Balance* const* b = balances_.find(key(account, asset));
  return b == nullptr ? nullptr : *b;
}

InMemoryLedger::Account* InMemoryLedger::find_account(AccountId account) const {
  Account* const* a = accounts_.find(account.value());
  return a == nullptr ? nullptr : *a;
}

}  // namespace carbonx
