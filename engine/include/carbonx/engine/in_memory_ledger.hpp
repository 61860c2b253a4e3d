#pragma once
// InMemoryLedger: the Ledger contract of ledger.hpp held in memory, for tests, benchmarks and the
// demo. The registry's LMDB ledger is the system of record; this one must behave identically for
// every call of the interface (the same errors in the same cases, all-or-nothing post()).
//
// Accounts must be opened before use (`open_account`). One account, the *source* account given at
// construction, is opened automatically and may go negative: `deposit()` moves amounts from it, so
// for every asset the sum of all balances (available + frozen) over all accounts is always zero.
// That is the conservation invariant tests check with `total()`.
//
// Remembering ids: by default every hold id ever used and every applied transfer (id and content)
// is remembered, so a reused hold id is kDuplicateHold and a replayed transfer takes effect once,
// exactly as the interface says. Long benchmarks can switch that memory off (Options); then
// duplicate detection covers open holds only and transfers are not deduplicated.
//
// Not thread-safe (the core thread is the only caller), like every Ledger.

#include <cstdint>
#include <deque>
#include <functional>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "carbonx/engine/ledger.hpp"

namespace carbonx {

namespace detail {
// How FlatMap places a key. kSpread: Fibonacci hashing of the whole key (keys with structure in
// any bits). kSequential: for keys counted up (hold ids: an order, bid or report id below the
// kind): keys 8i .. 8i+7 sit in 8 neighbouring slots, the groups spread by Fibonacci hashing of i,
// so ids entered one after another share cache lines while probe runs stay short (with the
// low bits kept in order, runs as long as the window of live ids made erase's backward shift
// walk them). Load stays at most 1/2 either way.
enum class KeyOrder : std::uint8_t { kSpread, kSequential };

// Open-addressing hash map from uint64 keys (linear probing, backward-shift erase, doubles at half
// full). Pointers to values stay valid until the next insert or erase.
template <typename V, KeyOrder kOrder = KeyOrder::kSpread>
class FlatMap {
 public:
  FlatMap() { rehash(16); }
  V* find(std::uint64_t key) {
    for (std::size_t i = home(key);; i = (i + 1) & mask_) {
      if (!slots_[i].used) return nullptr;
      if (slots_[i].key == key) return &slots_[i].value;
    }
  }
  const V* find(std::uint64_t key) const { return const_cast<FlatMap*>(this)->find(key); }
  // Inserts (key, value) unless present; returns the value and whether it was inserted.
  std::pair<V*, bool> try_emplace(std::uint64_t key, const V& value) {
    if (V* v = find(key)) return {v, false};
    if (2 * (size_ + 1) > slots_.size()) rehash(2 * slots_.size());
    std::size_t i = home(key);
    while (slots_[i].used)
      i = (i + 1) & mask_;
    slots_[i] = Slot{key, value, true};
    ++size_;
    return {&slots_[i].value, true};
  }
  bool erase(std::uint64_t key) {
    std::size_t i = home(key);
    for (;; i = (i + 1) & mask_) {
      if (!slots_[i].used) return false;
      if (slots_[i].key == key) break;
    }
    for (std::size_t j = i;;) {  // backward shift: no tombstones
      j = (j + 1) & mask_;
      if (!slots_[j].used) break;
      const std::size_t k = home(slots_[j].key);
      if (i <= j ? (i < k && k <= j) : (i < k || k <= j)) continue;
      slots_[i] = slots_[j];
      i = j;
    }
    slots_[i].used = false;
    --size_;
    return true;
  }
  std::size_t size() const { return size_; }
  template <typename Fn>
  void for_each(Fn&& fn) const {
    for (const Slot& s : slots_) {
      if (s.used) fn(s.key, s.value);
    }
  }

 private:
  struct Slot {
    std::uint64_t key = 0;
    V value{};
    bool used = false;
  };
  std::size_t home(std::uint64_t key) const {
    if constexpr (kOrder == KeyOrder::kSequential) {
      const std::uint64_t group = ((key >> 3) * 0x9E37'79B9'7F4A'7C15ULL) >> (shift_ + 3);
      return static_cast<std::size_t>((group << 3) | (key & 7));
    } else {
      return static_cast<std::size_t>((key * 0x9E37'79B9'7F4A'7C15ULL) >> shift_);
    }
  }
  void rehash(std::size_t n) {
    std::vector<Slot> old;
    old.swap(slots_);
    slots_.assign(n, Slot{});
    mask_ = n - 1;
    shift_ = 64;
    for (std::size_t m = n; m > 1; m >>= 1)
      --shift_;
    size_ = 0;
    for (const Slot& s : old) {
      if (s.used) try_emplace(s.key, s.value);
    }
  }
  std::vector<Slot> slots_;
  std::size_t mask_ = 0;
  unsigned shift_ = 64;
  std::size_t size_ = 0;
};
}  // namespace detail

class InMemoryLedger final : public Ledger {
 public:
  struct Options {
    AccountId source_account{0};     // opened at construction, may go negative
    bool remember_hold_ids = true;   // kDuplicateHold also for closed holds
    bool remember_transfers = true;  // idempotent transfers by id (kDuplicateTransfer)
  };

  InMemoryLedger() : InMemoryLedger(Options{}) {}
  explicit InMemoryLedger(Options options);
  // Holds point into the balance map: a copy would point into the original.
  InMemoryLedger(const InMemoryLedger&) = delete;
  InMemoryLedger& operator=(const InMemoryLedger&) = delete;

  // Opens `account` (active). Returns false, changing nothing, if it is already open.
  bool open_account(AccountId account);
  // Activates or deactivates (freezes) an account. A deactivated account cannot take new holds
  // and cannot be the debit or credit of a posting; releases still work. Error: kUnknownAccount.
  Status<LedgerError> set_active(AccountId account, bool active);
  // Caps what `account` may hold of `asset` (available + frozen); postings that would exceed it
  // fail with kHoldingLimit. A limit < 0 removes the cap. Error: kUnknownAccount.
  Status<LedgerError> set_holding_limit(AccountId account, AssetId asset, std::int64_t limit);
  // Seeds a balance: posts `amount` (> 0) of `asset` from the source account to `account` as a
  // TransferKind::kDeposit under a ledger-chosen transfer id. Errors as post().
  Status<LedgerError> deposit(AccountId account, AssetId asset, std::int64_t amount);

  // Ledger interface (see ledger.hpp for the contract).
  void begin_command(Seq seq, TimestampNs ts) override;
  Status<LedgerError> hold(HoldId id, AccountId account, AssetId asset,
                           std::int64_t amount) override;
  Status<LedgerError> release(HoldId id, std::int64_t amount) override;
  Status<LedgerError> resize_hold(HoldId id, std::int64_t amount) override;
  Status<LedgerError> post(std::span<const Posting> linked) override;
  BalanceView balance(AccountId account, AssetId asset) const override;
  std::int64_t held(HoldId id) const override;
  std::int64_t holding_room(AccountId account, AssetId asset) const override;

  // Inspection for tests and reports.
  bool is_open(AccountId account) const;
  // Sum of available + frozen over every account (including the source) for `asset`: always 0.
  std::int64_t total(AssetId asset) const;
  // Sum of frozen balances of `asset` over every account; equals the sum of open holds.
  std::int64_t frozen_total(AssetId asset) const;
  std::size_t open_hold_count() const { return holds_.size(); }
  std::uint64_t postings_applied() const { return postings_applied_; }
  Seq current_seq() const { return seq_; }
  // Calls fn(account, asset, balance) for every balance entry, in unspecified order.
  void for_each_balance(const std::function<void(AccountId, AssetId, BalanceView)>& fn) const;

 private:
  struct Account {
    bool active = true;
  };
  struct Balance {
    std::int64_t available = 0;
    std::int64_t frozen = 0;
    std::int64_t limit = -1;     // < 0: no holding limit
    Account* account = nullptr;  // its account (deque elements never move)
  };
  struct Hold {
    AccountId account;
    AssetId asset;
    std::int64_t remaining = 0;
    Balance* balance = nullptr;  // deque elements never move
  };
  struct Undo {
    std::int64_t* field;
    std::int64_t old_value;
  };

  static std::uint64_t key(AccountId a, AssetId s) {
    return (std::uint64_t{a.value()} << 32) | s.value();
  }
  // The balance entry, created (zero) when the account is open; nullptr for an unknown account.
  Balance* balance_ref(AccountId account, AssetId asset);
  Balance* find_balance(AccountId account, AssetId asset) const;
  Account* find_account(AccountId account) const;
  Status<LedgerError> apply_one(const Posting& p, bool& skipped);
  void set_logged(std::int64_t& field, std::int64_t value);
  void rollback();

  Options options_;
  std::deque<Account> account_store_;
  std::deque<Balance> balance_store_;
  detail::FlatMap<Account*> accounts_;
  detail::FlatMap<Balance*> balances_;
  detail::FlatMap<Hold, detail::KeyOrder::kSequential> holds_;
  std::unordered_set<std::uint64_t> used_hold_ids_;
  std::unordered_map<std::uint64_t, Posting> transfers_;
  std::vector<Undo> undo_;                    // scratch for post(): restores on failure
  std::vector<std::uint64_t> new_transfers_;  // scratch: ids recorded by the current post()
  struct Touched {                            // a hold a posting of the current post() drew from
    Hold* hold;  // valid until holds_ changes: post() erases only after its last read
    std::uint64_t id;
  };
  std::vector<Touched> touched_holds_;  // scratch: holds that may have closed
  std::uint64_t next_deposit_id_ = 1;
  std::uint64_t postings_applied_ = 0;
  Seq seq_{0};
  TimestampNs ts_{0};
};

}  // namespace carbonx
