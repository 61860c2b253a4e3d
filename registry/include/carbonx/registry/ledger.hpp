#pragma once
// carbonx::registry::Ledger — the registry's implementation of the engine's Ledger interface
// (engine/include/carbonx/engine/ledger.hpp: read that contract first), plus accounts, operator
// operations, queries and the invariant check.
//
// The working state lives in memory (open-addressing hash maps); every change marks what it
// touched dirty, and the Store (store.hpp) writes exactly those rows, with the batch's journal
// records, in one LMDB transaction. Without a Store the ledger is a plain in-memory ledger.
//
// Idempotency: every transfer id is remembered. The ledger keeps in memory the transfers and
// closed hold ids not yet committed (all of them when no Store is attached); for older ids it asks
// the attached history (the Store) — only when the id is not above the largest id of its class
// ever seen, so fresh ids (the core's increasing counters) never touch the disk. For hold ids the
// classes are the kind and, within it, owner ids below kHoldOwnerIdLimit (the core's) or above
// (the generations of stores written before resize_hold existed, engine ledger.hpp): an old high
// id does not put every new order's hold below the watermark.
//   - the same transfer (same id, debit, credit, asset, amount, hold, kind, reference) again:
//     success, nothing changes;
//   - a different transfer under a used id: kDuplicateTransfer;
//   - a hold id used before, open or closed: kDuplicateHold.
//
// Negative balances: only accounts whose kind may_go_negative() (government issuance, cash
// settlement) may have a negative available balance. Frozen balances are never negative.
// Repo locks: the part of a balance's frozen amount held by HoldKind::kRepoLock holds is reported
// separately as `repo_locked` (still included in `frozen`).
// Holding limits (HoldingLimits, account.hpp) apply to the credit side of postings of
// instrument assets (not cash): available + frozen after the posting must not exceed the limit.
//
// Not thread-safe: one thread (the core thread) calls everything, like every carbonx::Ledger.

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "carbonx/engine/ledger.hpp"
#include "carbonx/registry/account.hpp"
#include "carbonx/registry/records.hpp"
#include "carbonx/registry/sha256.hpp"

namespace carbonx::registry {

namespace detail {
template <typename V>
class U64Map;
template <typename Row>
class RowTable;
}  // namespace detail

// Committed history the ledger consults for ids it no longer keeps in memory (the Store).
class LedgerHistory {
 public:
  virtual ~LedgerHistory() = default;
  virtual std::optional<TransferRecord> find_transfer(TransferId id) = 0;
  virtual bool hold_id_used(HoldId id) = 0;
};

struct BalanceDetail {
  AssetId asset{0};
  std::int64_t available = 0;
  std::int64_t frozen = 0;       // includes repo_locked
  std::int64_t repo_locked = 0;  // frozen by HoldKind::kRepoLock holds
};

class Ledger final : public carbonx::Ledger {
 public:
  struct Options {
    HoldingLimits limits{};
    // Counterpart of deposit()/withdraw(); must be an account of kind kCashSettlement.
    AccountId cash_settlement_account{0};
  };

  Ledger();
  explicit Ledger(Options options);
  ~Ledger() override;
  Ledger(const Ledger&) = delete;
  Ledger& operator=(const Ledger&) = delete;

  // --- Operator operations -----------------------------------------------------------------
  // Opens an account (its status must be kActive). Errors: kDuplicateAccount; kInvalidAccount
  // (id 0 or ~0, unknown kind, bad status, a retirement account without a compliance year or
  // another kind with one).
  Status<RegistryError> open_account(const Account& account);
  // Freezes (kFrozen), unfreezes (kActive) or closes (kClosed) an account. Closing needs every
  // balance zero and no open hold (kAccountNotEmpty). A closed account cannot change
  // (kAccountClosed). Errors: kUnknownAccount, kInvalidAccount (status value).
  Status<RegistryError> set_status(AccountId id, AccountStatus status);
  // Sets the account's own holding limit in tonnes (< 0 falls back to its kind's limit).
  // Errors: kUnknownAccount, kAccountClosed.
  Status<RegistryError> set_holding_limit(AccountId id, std::int64_t limit_t);
  // Cash in and out through the configured cash settlement account, as TransferKind::kDeposit /
  // kWithdrawal postings under the caller's transfer id (idempotent like every transfer).
  // Errors as post(); kUnknownAccount if no settlement account is configured or open.
  Status<LedgerError> deposit(TransferId id, AccountId account, AmountFen amount_fen,
                              std::uint64_t reference = 0);
  Status<LedgerError> withdraw(TransferId id, AccountId account, AmountFen amount_fen,
                               std::uint64_t reference = 0);

  // --- carbonx::Ledger ---------------------------------------------------------------------
  void begin_command(Seq seq, TimestampNs ts) override;
  Status<LedgerError> hold(HoldId id, AccountId account, AssetId asset,
                           std::int64_t amount) override;
  Status<LedgerError> release(HoldId id, std::int64_t amount) override;
  Status<LedgerError> resize_hold(HoldId id, std::int64_t amount) override;
  Status<LedgerError> post(std::span<const Posting> linked) override;
  BalanceView balance(AccountId account, AssetId asset) const override;
  std::int64_t held(HoldId id) const override;
  std::int64_t holding_room(AccountId account, AssetId asset) const override;

  // --- Queries -------------------------------------------------------------------------------
  const Account* account(AccountId id) const;
  std::size_t account_count() const;
  std::vector<Account> accounts() const;  // sorted by id
  // Every balance row of the account (zero rows included), sorted by asset. Empty if unknown.
  std::vector<BalanceDetail> balances_of(AccountId id) const;
  std::int64_t repo_locked(AccountId account, AssetId asset) const;
  std::size_t open_hold_count() const;
  std::optional<HoldRecord> hold_record(HoldId id) const;
  // The transfer with this id if it is known (in memory or in the attached history).
  std::optional<TransferRecord> find_transfer(TransferId id) const;
  std::uint64_t transfers_applied() const { return counters_.next_pos; }
  Seq current_seq() const { return seq_; }
  // Transfers applied so far and the largest ids seen (persisted with every commit).
  const LedgerCounters& counters() const { return counters_; }
  const Options& options() const { return options_; }

  // Invariants: per asset the sum over all accounts of available + frozen is zero; no negative
  // available outside may_go_negative() kinds, no negative frozen anywhere; per (account, asset)
  // frozen = sum of open holds and repo_locked = sum of open kRepoLock holds; every hold's
  // remaining is in (0, amount]. Returns one line per violation; empty means all hold.
  std::vector<std::string> verify() const;

  // SHA-256 over accounts, balance rows and open holds in id order (fixed-width encoding).
  // Equal ledgers have equal hashes; used to compare a replay with the live store.
  Digest state_hash() const;

  // Heap bytes of the working state by part (for the memory benchmark). `transfers` counts the
  // transfers kept in memory: those not yet committed (all of them when no Store is attached).
  struct MemoryUse {
    std::size_t accounts = 0;   // account rows and their index
    std::size_t balances = 0;   // balance rows, their index, the per-account row lists
    std::size_t holds = 0;      // open holds, closed hold ids not yet committed
    std::size_t transfers = 0;  // transfer records and their id index
  };
  MemoryUse memory_use() const;
  std::size_t memory_bytes() const;

 private:
  friend class Store;
  struct AccountRow {
    Account info;
    std::vector<std::uint32_t> balance_slots;  // slots in balances_
    bool dirty = false;
  };
  // One (account, asset) balance. Copies the account's hot fields (status, kind rule, holding
  // limit) so a posting touches only its two rows: kept in step by set_status/set_holding_limit.
  struct BalanceRow {
    AccountId account{0};
    AssetId asset{0};
    BalanceRecord value;
    std::int64_t limit = -1;  // effective holding limit for this asset (< 0: none)
    std::uint32_t account_slot = 0;
    bool dirty = false;
    bool active = true;
    bool may_go_negative = false;
  };
  struct HoldRow {
    HoldRecord rec;
    std::uint32_t balance_slot = 0;
  };
  struct Undo {
    std::int64_t* field;
    std::int64_t old_value;
  };

  AccountRow* find_account(AccountId id);
  const AccountRow* find_account(AccountId id) const;
  std::uint32_t balance_slot(AccountRow& row, AssetId asset);
  // The row of (account, asset), created if the account exists; kNoRow if it does not.
  static constexpr std::uint32_t kNoRow = ~std::uint32_t{0};
  std::uint32_t row_for(AccountId account, AssetId asset);
  void refresh_rows(const AccountRow& row);
  // Grows the balance table for `extra` more rows if needed, fixing every kept slot number.
  void reserve_rows(std::size_t extra);
  std::int64_t limit_for(const Account& a) const;
  Status<LedgerError> apply_one(const Posting& p);
  Status<LedgerError> check_id(const Posting& p, bool& already);
  void set_logged(std::int64_t& field, std::int64_t value);
  void rollback(std::size_t transfer_mark);
  void record_transfer(const Posting& p);
  const TransferRecord* find_recent(std::uint64_t id) const;
  void note_id(TransferId id);
  void close_hold(HoldId id);
  bool hold_id_used(HoldId id) const;
  void note_hold(HoldId id);
  void mark_balance(std::uint32_t slot);
  void mark_account(AccountRow& row);

  // For the Store: loading and the dirty set.
  void attach_history(LedgerHistory* history) { history_ = history; }
  void load_account(const Account& a);
  void load_balance(AccountId account, AssetId asset, const BalanceRecord& r);
  void load_hold(const HoldRecord& h);
  // The largest used hold id of `kind` with an owner id below kHoldOwnerIdLimit (0: none), which
  // the Store finds in its hold tables at load (not a persisted counter, so a store written before
  // this watermark existed gets it too).
  void load_low_hold_watermark(HoldKind kind, std::uint64_t id);
  void mark_committed();

  Options options_;
  std::vector<AccountRow> accounts_;
  std::unique_ptr<detail::U64Map<std::uint32_t>> account_index_;
  std::unique_ptr<detail::RowTable<BalanceRow>> balances_;  // keyed by (account, asset)
  std::unique_ptr<detail::U64Map<HoldRow>> holds_;
  std::unique_ptr<detail::U64Map<std::uint8_t>> closed_holds_;  // not yet committed
  std::vector<TransferRecord> transfers_;                       // not yet committed
  // Finding an uncommitted transfer by id: while transfers_ is in increasing id order (the
  // core's counter) a binary search; the hash index is built only once that order breaks.
  std::unique_ptr<detail::U64Map<std::uint32_t>> transfer_index_;
  bool transfers_sorted_ = true;
  LedgerHistory* history_ = nullptr;
  LedgerCounters counters_{};
  // Per hold kind, the largest hold id seen whose owner id is below kHoldOwnerIdLimit (<=
  // counters_.max_hold, which covers all ids of the kind).
  std::uint64_t low_max_hold_[8]{};

  // Dirty set since the last commit (the Store writes these rows).
  std::vector<std::uint32_t> dirty_accounts_;
  std::vector<std::uint32_t> dirty_balances_;
  std::vector<std::uint64_t> dirty_holds_;  // may repeat; the Store writes the current state

  std::vector<Undo> undo_;
  std::vector<std::uint64_t> touched_holds_;
  Seq seq_{0};
  TimestampNs ts_{0};
};

}  // namespace carbonx::registry
