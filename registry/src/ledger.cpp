#include "carbonx/registry/ledger.hpp"

#include <algorithm>
#include <map>
#include <memory>

#include "carbonx/engine/assert.hpp"
#include "flat_map.hpp"
#include "row_table.hpp"

namespace carbonx::registry {

namespace {
std::uint64_t balance_key(AccountId a, AssetId s) {
  return (std::uint64_t{a.value()} << 32) | s.value();
}
bool same_transfer(const TransferRecord& r, const Posting& p) {
  return r.debit == p.debit.value() && r.credit == p.credit.value() && r.asset == p.asset.value() &&
         r.amount == p.amount && r.from_hold == p.from_hold.value() &&
         r.kind == static_cast<std::uint8_t>(p.kind) && r.reference == p.reference;
}
bool active(const Account& a) {
  return a.status == AccountStatus::kActive;
}
}  // namespace

Ledger::Ledger() : Ledger(Options{}) {}

Ledger::Ledger(Options options)
    : options_(options),
      account_index_(std::make_unique<detail::U64Map<std::uint32_t>>()),
      balances_(std::make_unique<detail::RowTable<BalanceRow>>()),
      holds_(std::make_unique<detail::U64Map<HoldRow>>()),
      closed_holds_(std::make_unique<detail::U64Map<std::uint8_t>>()),
      transfer_index_(std::make_unique<detail::U64Map<std::uint32_t>>()) {
  for (std::int64_t limit : options_.limits.per_kind_t)
    CX_ASSERT(limit >= -1);
}

Ledger::~Ledger() = default;

// ---------------------------------------------------------------------------------------------
// Accounts

Ledger::AccountRow* Ledger::find_account(AccountId id) {
  const std::uint32_t* slot = account_index_->find(id.value());
  return slot == nullptr ? nullptr : &accounts_[*slot];
}

const Ledger::AccountRow* Ledger::find_account(AccountId id) const {
  const std::uint32_t* slot = account_index_->find(id.value());
  return slot == nullptr ? nullptr : &accounts_[*slot];
}

void Ledger::mark_account(AccountRow& row) {
  if (row.dirty) return;
  row.dirty = true;
  dirty_accounts_.push_back(static_cast<std::uint32_t>(&row - accounts_.data()));
}

void Ledger::mark_balance(std::uint32_t slot) {
  BalanceRow& row = (*balances_)[slot];
  if (row.dirty) return;
  row.dirty = true;
  dirty_balances_.push_back(slot);
}

Status<RegistryError> Ledger::open_account(const Account& account) {
  if (account.id.value() == 0 || account.id.value() == ~std::uint32_t{0} ||
      !is_valid(account.kind) || account.status != AccountStatus::kActive) {
    return Err(RegistryError::kInvalidAccount);
  }
  const bool retirement = account.kind == AccountKind::kRetirement;
  if (retirement != (account.compliance_year != 0)) return Err(RegistryError::kInvalidAccount);
  if (account.holding_limit_t < -1) return Err(RegistryError::kInvalidAccount);
  if (find_account(account.id) != nullptr) return Err(RegistryError::kDuplicateAccount);
  load_account(account);
  mark_account(accounts_.back());
  return {};
}

void Ledger::load_account(const Account& a) {
  const auto slot = static_cast<std::uint32_t>(accounts_.size());
  const bool fresh = account_index_->insert(a.id.value(), slot).second;
  CX_ASSERT(fresh);
  accounts_.push_back(AccountRow{a, {}, false});
}

Status<RegistryError> Ledger::set_status(AccountId id, AccountStatus status) {
  AccountRow* row = find_account(id);
  if (row == nullptr) return Err(RegistryError::kUnknownAccount);
  if (status != AccountStatus::kActive && status != AccountStatus::kFrozen &&
      status != AccountStatus::kClosed) {
    return Err(RegistryError::kInvalidAccount);
  }
  if (row->info.status == AccountStatus::kClosed) return Err(RegistryError::kAccountClosed);
  if (status == AccountStatus::kClosed) {
    for (std::uint32_t slot : row->balance_slots) {
      const BalanceRecord& b = (*balances_)[slot].value;
      if (b.available != 0 || b.frozen != 0) return Err(RegistryError::kAccountNotEmpty);
    }
  }
  row->info.status = status;
  refresh_rows(*row);
  mark_account(*row);
  return {};
}

Status<RegistryError> Ledger::set_holding_limit(AccountId id, std::int64_t limit_t) {
  AccountRow* row = find_account(id);
  if (row == nullptr) return Err(RegistryError::kUnknownAccount);
  if (row->info.status == AccountStatus::kClosed) return Err(RegistryError::kAccountClosed);
  row->info.holding_limit_t = limit_t < 0 ? -1 : limit_t;
  refresh_rows(*row);
  mark_account(*row);
  return {};
}

std::int64_t Ledger::limit_for(const Account& a) const {
  if (a.holding_limit_t >= 0) return a.holding_limit_t;
  return options_.limits.per_kind_t[static_cast<std::size_t>(a.kind)];
}

Status<LedgerError> Ledger::deposit(TransferId id, AccountId account, AmountFen amount_fen,
                                    std::uint64_t reference) {
  const AccountRow* settle = find_account(options_.cash_settlement_account);
  if (settle == nullptr || settle->info.kind != AccountKind::kCashSettlement) {
    return Err(LedgerError::kUnknownAccount);
  }
  const Posting p{
      id,      options_.cash_settlement_account, account,  kCashAsset, amount_fen.value(),
      kNoHold, TransferKind::kDeposit,           reference};
  return post(std::span(&p, 1));
}

Status<LedgerError> Ledger::withdraw(TransferId id, AccountId account, AmountFen amount_fen,
                                     std::uint64_t reference) {
  const AccountRow* settle = find_account(options_.cash_settlement_account);
  if (settle == nullptr || settle->info.kind != AccountKind::kCashSettlement) {
    return Err(LedgerError::kUnknownAccount);
  }
  const Posting p{id,
                  account,
                  options_.cash_settlement_account,
                  kCashAsset,
                  amount_fen.value(),
                  kNoHold,
                  TransferKind::kWithdrawal,
                  reference};
  return post(std::span(&p, 1));
}

std::uint32_t Ledger::balance_slot(AccountRow& row, AssetId asset) {
  const std::uint64_t key = balance_key(row.info.id, asset);
  if (const std::uint32_t found = balances_->find(key);
      found != detail::RowTable<BalanceRow>::kNone) {
    return found;
  }
  reserve_rows(1);
  const std::uint32_t slot = balances_->insert(key);
  BalanceRow& b = (*balances_)[slot];
  b.account = row.info.id;
  b.asset = asset;
  b.account_slot = static_cast<std::uint32_t>(&row - accounts_.data());
  b.active = active(row.info);
  b.may_go_negative = may_go_negative(row.info.kind);
  b.limit = asset == kCashAsset ? -1 : limit_for(row.info);
  row.balance_slots.push_back(slot);
  return slot;
}

void Ledger::reserve_rows(std::size_t extra) {
  if (!balances_->needs_grow(extra)) return;
  const std::vector<std::uint32_t> remap = balances_->grow(extra);
  for (AccountRow& a : accounts_) {
    for (std::uint32_t& slot : a.balance_slots)
      slot = remap[slot];
  }
  holds_->for_each_mut([&](std::uint64_t, HoldRow& h) { h.balance_slot = remap[h.balance_slot]; });
  for (std::uint32_t& slot : dirty_balances_)
    slot = remap[slot];
}

std::uint32_t Ledger::row_for(AccountId account, AssetId asset) {
  const std::uint32_t found = balances_->find(balance_key(account, asset));
  if (found != detail::RowTable<BalanceRow>::kNone) return found;
  AccountRow* row = find_account(account);
  return row == nullptr ? kNoRow : balance_slot(*row, asset);
}

void Ledger::refresh_rows(const AccountRow& row) {
  for (std::uint32_t slot : row.balance_slots) {
    BalanceRow& b = (*balances_)[slot];
    b.active = active(row.info);
    b.limit = b.asset == kCashAsset ? -1 : limit_for(row.info);
  }
}

// ---------------------------------------------------------------------------------------------
// Holds

void Ledger::begin_command(Seq seq, TimestampNs ts) {
  seq_ = seq;
  ts_ = ts;
}

namespace {
bool low_owner(HoldId id) {
  return (id.value() & ((std::uint64_t{1} << 56) - 1)) < kHoldOwnerIdLimit;
}
}  // namespace

bool Ledger::hold_id_used(HoldId id) const {
  if (holds_->find(id.value()) != nullptr) return true;
  if (closed_holds_->find(id.value()) != nullptr) return true;
  if (history_ == nullptr) return false;
  const auto kind = static_cast<std::size_t>(hold_kind(id));
  if (kind >= 8) return history_->hold_id_used(id);  // no watermark kept for such kinds
  // Every used id of this kind is <= max_hold; every used id below the owner-id limit is also
  // <= low_max_hold_. An id above its watermark is new without a look at the store.
  const std::uint64_t watermark = low_owner(id) ? low_max_hold_[kind] : counters_.max_hold[kind];
  return id.value() <= watermark && history_->hold_id_used(id);
}

void Ledger::note_hold(HoldId id) {
  const auto kind = static_cast<std::size_t>(hold_kind(id));
  if (kind >= 8) return;
  counters_.max_hold[kind] = std::max(counters_.max_hold[kind], id.value());
  if (low_owner(id)) low_max_hold_[kind] = std::max(low_max_hold_[kind], id.value());
}

Status<LedgerError> Ledger::hold(HoldId id, AccountId account, AssetId asset, std::int64_t amount) {
  CX_ASSERT(amount > 0);
  CX_ASSERT(id != kNoHold);
  AccountRow* row = find_account(account);
  if (row == nullptr) return Err(LedgerError::kUnknownAccount);
  if (!active(row->info)) return Err(LedgerError::kAccountNotActive);
  if (hold_id_used(id)) return Err(LedgerError::kDuplicateHold);
  const std::uint32_t existing = balances_->find(balance_key(account, asset));
  const std::int64_t available =
      existing == detail::RowTable<BalanceRow>::kNone ? 0 : (*balances_)[existing].value.available;
  if (available < amount && !may_go_negative(row->info.kind)) {
    return Err(LedgerError::kInsufficientAvailable);
  }
  const std::uint32_t slot = balance_slot(*row, asset);
  BalanceRecord& b = (*balances_)[slot].value;
  b.available -= amount;
  b.frozen += amount;
  if (hold_kind(id) == HoldKind::kRepoLock) b.repo_locked += amount;
  mark_balance(slot);
  HoldRow h;
  h.rec = HoldRecord{id.value(), account.value(), asset.value(), amount,
                     amount,     seq_.value(),    ts_.value()};
  h.balance_slot = slot;
  holds_->insert(id.value(), h);
  dirty_holds_.push_back(id.value());
  note_hold(id);
  return {};
}

void Ledger::close_hold(HoldId id) {
  const bool erased = holds_->erase(id.value());
  CX_ASSERT(erased);
  closed_holds_->insert(id.value(), 1);
  dirty_holds_.push_back(id.value());
}

Status<LedgerError> Ledger::release(HoldId id, std::int64_t amount) {
  CX_ASSERT(amount > 0);
  HoldRow* h = holds_->find(id.value());
  if (h == nullptr) return Err(LedgerError::kUnknownHold);
  if (amount > h->rec.remaining) return Err(LedgerError::kHoldExceeded);
  BalanceRecord& b = (*balances_)[h->balance_slot].value;
  b.frozen -= amount;
  b.available += amount;
  if (hold_kind(id) == HoldKind::kRepoLock) b.repo_locked -= amount;
  CX_ASSERT(b.frozen >= 0);
  CX_ASSERT(b.repo_locked >= 0);
  mark_balance(h->balance_slot);
  h->rec.remaining -= amount;
  if (h->rec.remaining == 0) {
    close_hold(id);
  } else {
    dirty_holds_.push_back(id.value());
  }
  return {};
}

Status<LedgerError> Ledger::resize_hold(HoldId id, std::int64_t amount) {
  CX_ASSERT(amount > 0);
  HoldRow* h = holds_->find(id.value());
  if (h == nullptr) return Err(LedgerError::kUnknownHold);
  if (amount < h->rec.remaining) return release(id, h->rec.remaining - amount);
  const std::int64_t more = amount - h->rec.remaining;
  if (more == 0) return {};
  BalanceRow& row = (*balances_)[h->balance_slot];
  if (!row.active) return Err(LedgerError::kAccountNotActive);
  BalanceRecord& b = row.value;
  if (b.available < more && !row.may_go_negative) return Err(LedgerError::kInsufficientAvailable);
  b.available -= more;
  b.frozen += more;
  if (hold_kind(id) == HoldKind::kRepoLock) b.repo_locked += more;
  mark_balance(h->balance_slot);
  CX_ASSERT(!__builtin_add_overflow(h->rec.amount, more, &h->rec.amount));
  h->rec.remaining = amount;
  dirty_holds_.push_back(id.value());
  return {};
}

// ---------------------------------------------------------------------------------------------
// Postings

void Ledger::set_logged(std::int64_t& field, std::int64_t value) {
  undo_.push_back(Undo{&field, field});
  field = value;
}

void Ledger::note_id(TransferId id) {
  std::uint64_t& max =
      is_client_transfer_id(id) ? counters_.max_client_transfer : counters_.max_core_transfer;
  max = std::max(max, id.value());
}

std::optional<TransferRecord> Ledger::find_transfer(TransferId id) const {
  if (const TransferRecord* r = find_recent(id.value())) return *r;
  const std::uint64_t max =
      is_client_transfer_id(id) ? counters_.max_client_transfer : counters_.max_core_transfer;
  if (history_ != nullptr && id.value() <= max) return history_->find_transfer(id);
  return std::nullopt;
}

Status<LedgerError> Ledger::check_id(const Posting& p, bool& already) {
  already = false;
  const std::uint64_t max =
      is_client_transfer_id(p.id) ? counters_.max_client_transfer : counters_.max_core_transfer;
  // An id above the largest of its class ever seen is new: no lookup at all (the core's ids).
  if (p.id.value() > max) return {};
  if (const TransferRecord* r = find_recent(p.id.value())) {
    if (!same_transfer(*r, p)) return Err(LedgerError::kDuplicateTransfer);
    already = true;
    return {};
  }
  if (history_ == nullptr) return {};
  const std::optional<TransferRecord> old = history_->find_transfer(p.id);
  if (!old) return {};
  if (!same_transfer(*old, p)) return Err(LedgerError::kDuplicateTransfer);
  already = true;
  return {};
}

void Ledger::record_transfer(const Posting& p) {
  TransferRecord r;
  r.id = p.id.value();
  r.pos = counters_.next_pos++;
  r.seq = seq_.value();
  r.ts_ns = ts_.value();
  r.debit = p.debit.value();
  r.credit = p.credit.value();
  r.asset = p.asset.value();
  r.kind = static_cast<std::uint8_t>(p.kind);
  r.amount = p.amount;
  r.from_hold = p.from_hold.value();
  r.reference = p.reference;
  if (transfers_sorted_ && !transfers_.empty() && r.id <= transfers_.back().id) {
    transfers_sorted_ = false;  // from now on the hash index answers: build it once
    for (std::uint32_t i = 0; i < transfers_.size(); ++i)
      transfer_index_->insert(transfers_[i].id, i);
  }
  if (!transfers_sorted_) {
    transfer_index_->insert(r.id, static_cast<std::uint32_t>(transfers_.size()));
  }
  transfers_.push_back(r);
  note_id(p.id);
}

const TransferRecord* Ledger::find_recent(std::uint64_t id) const {
  if (!transfers_sorted_) {
    const std::uint32_t* idx = transfer_index_->find(id);
    return idx == nullptr ? nullptr : &transfers_[*idx];
  }
  const auto it =
      std::lower_bound(transfers_.begin(), transfers_.end(), id,
                       [](const TransferRecord& r, std::uint64_t v) { return r.id < v; });
  return it != transfers_.end() && it->id == id ? &*it : nullptr;
}

Status<LedgerError> Ledger::apply_one(const Posting& p) {
  CX_ASSERT(p.amount > 0);
  bool already = false;
  if (auto st = check_id(p, already); !st) return st;
  if (already) return {};
  // Two row lookups carry everything the checks need (the rows copy the account's status, kind
  // rule and limit). A missing row is created for an existing account; an unknown account
  // creates nothing.
  balances_->prefetch(balance_key(p.credit, p.asset));  // overlap the two cache misses
  const std::uint32_t debit_slot = row_for(p.debit, p.asset);
  const std::uint32_t credit_slot = row_for(p.credit, p.asset);
  if (debit_slot == kNoRow || credit_slot == kNoRow) return Err(LedgerError::kUnknownAccount);
  BalanceRow& dr = (*balances_)[debit_slot];
  BalanceRow& cr = (*balances_)[credit_slot];
  if (!dr.active || !cr.active) return Err(LedgerError::kAccountNotActive);
  HoldRow* h = nullptr;
  if (p.from_hold != kNoHold) {
    h = holds_->find(p.from_hold.value());
    if (h == nullptr) return Err(LedgerError::kUnknownHold);
    if (h->rec.account != p.debit.value() || h->rec.asset != p.asset.value()) {
      return Err(LedgerError::kHoldAccountMismatch);
    }
    if (p.amount > h->rec.remaining) return Err(LedgerError::kHoldExceeded);
  }
  // Debit first, then check the credit side on the balances as they are now: a posting from an
  // account to itself (allowed, though pointless) sees its own debit, as in InMemoryLedger.
  BalanceRecord& db = dr.value;
  if (h != nullptr) {
    set_logged(db.frozen, db.frozen - p.amount);
    if (hold_kind(p.from_hold) == HoldKind::kRepoLock) {
      set_logged(db.repo_locked, db.repo_locked - p.amount);
    }
    set_logged(h->rec.remaining, h->rec.remaining - p.amount);
    touched_holds_.push_back(p.from_hold.value());
  } else {
    if (db.available < p.amount && !dr.may_go_negative) {
      return Err(LedgerError::kInsufficientAvailable);
    }
    set_logged(db.available, db.available - p.amount);
  }
  BalanceRecord& cb = cr.value;
  if (p.kind != TransferKind::kTrade && cr.limit >= 0 &&
      cb.available + cb.frozen + p.amount > cr.limit) {
    return Err(LedgerError::kHoldingLimit);
  }
  std::int64_t credited = 0;
  CX_ASSERT(!__builtin_add_overflow(cb.available, p.amount, &credited));
  set_logged(cb.available, credited);
  mark_balance(debit_slot);
  mark_balance(credit_slot);
  record_transfer(p);
  return {};
}

void Ledger::rollback(std::size_t transfer_mark) {
  for (auto it = undo_.rbegin(); it != undo_.rend(); ++it)
    *it->field = it->old_value;
  undo_.clear();
  while (transfers_.size() > transfer_mark) {
    if (!transfers_sorted_) transfer_index_->erase(transfers_.back().id);
    transfers_.pop_back();
    --counters_.next_pos;
  }
  touched_holds_.clear();
}

Status<LedgerError> Ledger::post(std::span<const Posting> linked) {
  // Reserve so no balance row moves while undo entries point into them.
  // Room for every row the group may create, so no row moves while undo entries point at rows.
  reserve_rows(2 * linked.size());
  undo_.clear();
  touched_holds_.clear();
  const std::size_t transfer_mark = transfers_.size();
  for (const Posting& p : linked) {
    if (auto st = apply_one(p); !st) {
      rollback(transfer_mark);
      return st;
    }
  }
  undo_.clear();
  for (std::uint64_t id : touched_holds_) {
    HoldRow* h = holds_->find(id);
    if (h == nullptr) continue;  // closed by an earlier posting of this group
    CX_ASSERT(h->rec.remaining >= 0);
    if (h->rec.remaining == 0) {
      close_hold(HoldId(id));
    } else {
      dirty_holds_.push_back(id);
    }
  }
  touched_holds_.clear();
  return {};
}

// ---------------------------------------------------------------------------------------------
// Queries

BalanceView Ledger::balance(AccountId account, AssetId asset) const {
  const std::uint32_t slot = balances_->find(balance_key(account, asset));
  if (slot == detail::RowTable<BalanceRow>::kNone) return {};
  const BalanceRecord& b = (*balances_)[slot].value;
  return BalanceView{b.available, b.frozen};
}

std::int64_t Ledger::held(HoldId id) const {
  const HoldRow* h = holds_->find(id.value());
  return h == nullptr ? 0 : h->rec.remaining;
}

std::int64_t Ledger::holding_room(AccountId account, AssetId asset) const {
  if (asset == kCashAsset) return kNoHoldingLimit;
  const AccountRow* row = find_account(account);
  if (row == nullptr) return kNoHoldingLimit;
  const std::int64_t limit = limit_for(row->info);
  if (limit < 0) return kNoHoldingLimit;
  const std::uint32_t slot = balances_->find(balance_key(account, asset));
  if (slot == detail::RowTable<BalanceRow>::kNone) return limit;
  const BalanceRecord& b = (*balances_)[slot].value;
  return std::max<std::int64_t>(0, limit - (b.available + b.frozen));
}

std::int64_t Ledger::repo_locked(AccountId account, AssetId asset) const {
  const std::uint32_t slot = balances_->find(balance_key(account, asset));
  return slot == detail::RowTable<BalanceRow>::kNone ? 0 : (*balances_)[slot].value.repo_locked;
}

const Account* Ledger::account(AccountId id) const {
  const AccountRow* row = find_account(id);
  return row == nullptr ? nullptr : &row->info;
}

std::size_t Ledger::account_count() const {
  return accounts_.size();
}

std::vector<Account> Ledger::accounts() const {
  std::vector<Account> out;
  out.reserve(accounts_.size());
  for (const AccountRow& row : accounts_)
    out.push_back(row.info);
  std::sort(out.begin(), out.end(), [](const Account& a, const Account& b) { return a.id < b.id; });
  return out;
}

std::vector<BalanceDetail> Ledger::balances_of(AccountId id) const {
  std::vector<BalanceDetail> out;
  const AccountRow* row = find_account(id);
  if (row == nullptr) return out;
  for (std::uint32_t slot : row->balance_slots) {
    const BalanceRow& b = (*balances_)[slot];
    out.push_back(BalanceDetail{b.asset, b.value.available, b.value.frozen, b.value.repo_locked});
  }
  std::sort(out.begin(), out.end(),
            [](const BalanceDetail& a, const BalanceDetail& b) { return a.asset < b.asset; });
  return out;
}

std::size_t Ledger::open_hold_count() const {
  return holds_->size();
}

std::optional<HoldRecord> Ledger::hold_record(HoldId id) const {
  const HoldRow* h = holds_->find(id.value());
  if (h == nullptr) return std::nullopt;
  return h->rec;
}

Ledger::MemoryUse Ledger::memory_use() const {
  MemoryUse m;
  m.accounts = accounts_.capacity() * sizeof(AccountRow) + account_index_->memory_bytes();
  for (const AccountRow& row : accounts_) {
    m.balances += row.balance_slots.capacity() * sizeof(std::uint32_t);
  }
  m.balances += balances_->memory_bytes();
  m.holds = holds_->memory_bytes() + closed_holds_->memory_bytes();
  m.transfers = transfers_.capacity() * sizeof(TransferRecord) + transfer_index_->memory_bytes();
  return m;
}

std::size_t Ledger::memory_bytes() const {
  const MemoryUse m = memory_use();
  return m.accounts + m.balances + m.holds + m.transfers;
}

// ---------------------------------------------------------------------------------------------
// Store support

void Ledger::load_balance(AccountId account, AssetId asset, const BalanceRecord& r) {
  AccountRow* row = find_account(account);
  CX_ASSERT(row != nullptr);
  const std::uint32_t slot = balance_slot(*row, asset);
  (*balances_)[slot].value = r;
}

void Ledger::load_low_hold_watermark(HoldKind kind, std::uint64_t id) {
  const auto k = static_cast<std::size_t>(kind);
  CX_ASSERT(k < 8);
  CX_ASSERT(id == 0 || (hold_kind(HoldId(id)) == kind && low_owner(HoldId(id))));
  low_max_hold_[k] = std::max(low_max_hold_[k], id);
}

void Ledger::load_hold(const HoldRecord& rec) {
  AccountRow* row = find_account(AccountId(rec.account));
  CX_ASSERT(row != nullptr);
  CX_ASSERT(rec.remaining > 0 && rec.remaining <= rec.amount);
  HoldRow h;
  h.rec = rec;
  h.balance_slot = balance_slot(*row, AssetId(rec.asset));
  const bool fresh = holds_->insert(rec.id, h).second;
  CX_ASSERT(fresh);
}

void Ledger::mark_committed() {
  for (std::uint32_t slot : dirty_accounts_)
    accounts_[slot].dirty = false;
  for (std::uint32_t slot : dirty_balances_)
    (*balances_)[slot].dirty = false;
  dirty_accounts_.clear();
  dirty_balances_.clear();
  dirty_holds_.clear();
  if (history_ != nullptr) {
    // The Store now answers for these ids.
    transfers_.clear();
    if (!transfers_sorted_) transfer_index_->clear();
    transfers_sorted_ = true;
    closed_holds_->clear();
  }
}

// ---------------------------------------------------------------------------------------------
// Invariants and the state digest

std::vector<std::string> Ledger::verify() const {
  std::vector<std::string> out;
  std::map<std::uint32_t, __int128> totals;  // asset -> sum of available + frozen
  std::map<std::uint64_t, std::pair<std::int64_t, std::int64_t>> held;  // frozen, repo
  holds_->for_each([&](std::uint64_t id, const HoldRow& h) {
    if (h.rec.remaining <= 0 || h.rec.remaining > h.rec.amount) {
      out.push_back("hold " + std::to_string(id) + ": remaining " +
                    std::to_string(h.rec.remaining) + " outside (0, " +
                    std::to_string(h.rec.amount) + "]");
    }
    if (find_account(AccountId(h.rec.account)) == nullptr) {
      out.push_back("hold " + std::to_string(id) + ": unknown account");
    }
    auto& [frozen, repo] = held[balance_key(AccountId(h.rec.account), AssetId(h.rec.asset))];
    frozen += h.rec.remaining;
    if (hold_kind(HoldId(id)) == HoldKind::kRepoLock) repo += h.rec.remaining;
  });
  balances_->for_each([&](std::uint32_t, const BalanceRow& b) {
    const std::string where = "account " + std::to_string(b.account.value()) + " asset " +
                              std::to_string(b.asset.value());
    totals[b.asset.value()] += static_cast<__int128>(b.value.available) + b.value.frozen;
    const AccountRow& row = accounts_[b.account_slot];
    if (b.value.available < 0 && !may_go_negative(row.info.kind)) {
      out.push_back(where + ": negative available " + std::to_string(b.value.available));
    }
    if (b.value.frozen < 0) out.push_back(where + ": negative frozen");
    if (b.value.repo_locked < 0 || b.value.repo_locked > b.value.frozen) {
      out.push_back(where + ": repo_locked " + std::to_string(b.value.repo_locked) +
                    " outside [0, frozen]");
    }
    const auto it = held.find(balance_key(b.account, b.asset));
    const std::int64_t frozen = it == held.end() ? 0 : it->second.first;
    const std::int64_t repo = it == held.end() ? 0 : it->second.second;
    if (frozen != b.value.frozen) {
      out.push_back(where + ": frozen " + std::to_string(b.value.frozen) +
                    " but open holds sum to " + std::to_string(frozen));
    }
    if (repo != b.value.repo_locked) {
      out.push_back(where + ": repo_locked " + std::to_string(b.value.repo_locked) +
                    " but open repo holds sum to " + std::to_string(repo));
    }
  });
  for (const auto& [asset, total] : totals) {
    if (total != 0) {
      out.push_back("asset " + std::to_string(asset) + ": balances sum to " +
                    std::to_string(static_cast<std::int64_t>(total)) + ", not 0");
    }
  }
  return out;
}

Digest Ledger::state_hash() const {
  Sha256 sha;
  auto put = [&sha](const void* p, std::size_t n) {
    sha.update(std::span(static_cast<const std::uint8_t*>(p), n));
  };
  std::vector<Account> accts = accounts();
  for (const Account& a : accts) {
    const AccountRecord r{a.id.value(),
                          static_cast<std::uint8_t>(a.kind),
                          static_cast<std::uint8_t>(a.status),
                          a.compliance_year,
                          a.owner_entity,
                          a.member.value(),
                          a.region_code,
                          a.holding_limit_t};
    put(&r, sizeof r);
  }
  // Rows in key order; rows that are all zero carry no state (a replay may or may not have
  // created them).
  std::vector<std::pair<std::uint64_t, BalanceRecord>> rows;
  rows.reserve(balances_->size());
  balances_->for_each([&](std::uint32_t, const BalanceRow& b) {
    if (b.value.available != 0 || b.value.frozen != 0) {
      rows.emplace_back(balance_key(b.account, b.asset), b.value);
    }
  });
  std::sort(rows.begin(), rows.end(),
            [](const auto& x, const auto& y) { return x.first < y.first; });
  for (const auto& [key, value] : rows) {
    put(&key, sizeof key);
    put(&value, sizeof value);
  }
  std::vector<HoldRecord> holds;
  holds.reserve(holds_->size());
  holds_->for_each([&](std::uint64_t, const HoldRow& h) { holds.push_back(h.rec); });
  std::sort(holds.begin(), holds.end(),
            [](const HoldRecord& x, const HoldRecord& y) { return x.id < y.id; });
  for (const HoldRecord& h : holds)
    put(&h, sizeof h);
  return sha.finish();
}

}  // namespace carbonx::registry
