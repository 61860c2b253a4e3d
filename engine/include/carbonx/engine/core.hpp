#pragma once
// Core: the deterministic exchange core for listed trading. It holds the instruments, one
// OrderBook each, their phases, day statistics and fee schedules, and settles every trade through
// a Ledger& (delivery versus payment in one linked Ledger::post). A pure function of the command
// sequence: no clock, no I/O, no threads; replaying the same commands into a Core over a ledger in
// the same state gives the same events and the same state_hash().
//
// apply(command) validates; a rejected command appends one RejectEvent and changes nothing (no
// book change, no ledger call that changes a balance). Funding at entry:
//   - a sell holds the units: HoldKind::kOrder, amount = open quantity;
//   - a buy holds cash: limit x open quantity + the most the remaining fills can cost in fees
//     (FeeSchedule::max_fee, see fees.hpp for the rounding rule),
//   hold id = make_hold_id(kOrder, order_id | generation << 40), one hold for the order's life:
//   a replace that needs more grows it in place (Ledger::resize_hold, refused with nothing changed
//   when the account's available is short), less is released after matching. The generation is
//   0; only an order restored from a store written before resize_hold existed may carry another
//   (its replaces then re-made the hold under the next generations) and keeps using that id.
// Each fill posts, linked: units seller -> buyer from the seller's hold; cash buyer -> seller and
// the buyer's fee -> fee account from the buyer's hold; the seller's fee -> fee account out of the
// proceeds just credited. After each fill a buy's hold is trimmed to exactly what its open quantity
// still needs; cancels, expiries and IOC remainders release what is left. Invariant (tested): an
// account's frozen balance of an asset equals the sum of its open orders' holds.
//
// Precondition of the ledger: accounts with open orders stay active. An operator deactivating an
// account mass-cancels its orders first (a fill against a frozen account would not post and
// aborts).
//
// Events go to an outbox (reserved to CoreLimits::outbox_capacity at construction) that the caller
// drains with events()/clear_events() after the batch is durable. A NewOrder or Replace appends at
// most max_events_per_order_command() events (matching stops at max_fills_per_order); MassCancel
// and EndOfDay append one cancel per order they remove and may grow the outbox past its reserve.
//
// PERSISTENCE HOOKS (for the registry's store):
//   (a) encode()/decode() in commands.hpp: fixed-size versioned command records for the journal.
//   (b) for_each_open_order(fn) gives every open order as an OpenOrderRecord, in priority order
//       per instrument; save_state() gives the core's own small state (counters, per-instrument
//       phase, reference price, day statistics). On startup, into a freshly constructed Core:
//       restore_state(state) FIRST, then restore_open_orders(records) with every stored record in
//       any order: each record carries priority_seq, the seq of the command that gave the order
//       its current place in its level's queue (its entry, or the last replace that lost
//       priority), and restoring in ascending priority_seq recreates every level's FIFO exactly,
//       whatever order the store keeps them in (the store keys them by order id, and a replace
//       to a worse place does not change the id). Restoring does not touch the ledger: the holds
//       are the durable ledger's own state.
//   (c) take_changed_orders(): after a batch, the (instrument, order id) of every order whose
//       resting state changed (new, filled, reduced, replaced, cancelled, expired) since the last
//       call, sorted and unique. The store writes find_open_order() for each, or deletes the order
//       when that returns nothing.
//
// OFF-BOOK TRADING (agreement transfers, one-way bidding auctions, repo): the rules, holds, events
// and the off-book persistence record are described in offbook.hpp.
//
// Not thread-safe: the core thread owns the Core and its Ledger.

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

#include "carbonx/engine/commands.hpp"
#include "carbonx/engine/events.hpp"
#include "carbonx/engine/fees.hpp"
#include "carbonx/engine/instrument.hpp"
#include "carbonx/engine/ledger.hpp"
#include "carbonx/engine/offbook.hpp"
#include "carbonx/engine/order_book.hpp"
#include "carbonx/engine/result.hpp"

namespace carbonx {

enum class CoreError : std::uint8_t {
  kUnknownInstrument = 1,
  kBookRefused,        // the book refused a restored order (crossing, limits, duplicate)
  kNotEmpty,           // restore_state() on a core with open orders
  kBadRecord,          // a record field out of range (side, phase, price off the grid)
  kBadOffBookRecord,   // restore_offbook_state: an id, instrument or amount out of range
  kDuplicatePriority,  // two restored orders of one instrument with the same priority_seq
  kHoldMismatch,       // a restored order's hold is not what it owes (a sell: its leaves exactly;
                       // a buy: at least its leaves' notional at its limit and the largest fee)
};
std::string_view to_string(CoreError e) noexcept;

// An open order as the store keeps it.
struct OpenOrderRecord {
  OrderId order_id{0};
  InstrumentId instrument{0};
  AccountId account{0};
  MemberId member{0};
  Side side = Side::kBuy;
  PriceFen price_fen{0};
  QuantityT leaves_t{0};
  QuantityT cum_t{0};             // filled so far
  AmountFen cum_notional_fen{0};  // filled notional so far (drives the cumulative fee)
  std::int64_t hold_amount = 0;   // what the ledger holds for it (fen or tonnes)
  // Part of its hold id (see the header comment): 0, except for an order whose replace re-made
  // its hold before resize_hold existed (a store written then); kept and used as it is.
  std::uint16_t hold_generation = 0;
  ClientOrderId client_order_id{};
  Seq entry_seq{0};
  TimestampNs entry_ts{0};
  // The seq of the command that gave the order its place in its level's queue: entry_seq, or
  // the seq of the last replace that lost priority (new price or more quantity). Within a level
  // the queue is in ascending priority_seq (one command gives at most one order its place).
  Seq priority_seq{0};
  friend bool operator==(const OpenOrderRecord&, const OpenOrderRecord&) = default;
};

// What restore_open_orders() refused, and which record.
struct RestoreRefusal {
  CoreError error = CoreError::kBadRecord;
  OrderId order_id{0};
};

struct InstrumentStateRecord {
  InstrumentId instrument{0};
  Phase phase = Phase::kClosed;
  PriceFen reference_fen{0};
  DayStats stats;
  friend bool operator==(const InstrumentStateRecord&, const InstrumentStateRecord&) = default;
};

// Units an account bought today of an instrument whose same-day resale is off: held in its
// account under make_hold_id(HoldKind::kResaleLock, lock_n) until the end of the trading day.
struct ResaleLockRecord {
  AccountId account{0};
  InstrumentId instrument{0};
  std::uint64_t lock_n = 0;  // the hold's owner id, from the core's counter
  std::int64_t amount = 0;   // tonnes held
  friend bool operator==(const ResaleLockRecord&, const ResaleLockRecord&) = default;
};

struct CoreStateRecord {
  std::uint64_t next_order_id = 1;
  std::uint64_t next_trade_id = 1;
  std::uint64_t next_transfer_n = 1;
  std::uint64_t days_closed = 0;
  Seq last_seq{0};
  std::vector<InstrumentStateRecord> instruments;  // in id order
  // Same-day resale locks (InstrumentConfig::same_day_resale), by (account, instrument); the
  // counter of their ids. Both stay empty / 1 on an exchange that never locks (its records and
  // state hash are those of before the locks existed).
  std::vector<ResaleLockRecord> resale_locks;
  std::uint64_t next_lock_n = 1;
  friend bool operator==(const CoreStateRecord&, const CoreStateRecord&) = default;
};

struct ChangedOrder {
  InstrumentId instrument{0};
  OrderId order_id{0};
  friend auto operator<=>(const ChangedOrder&, const ChangedOrder&) = default;
};

class Core {
 public:
  // The config must be valid (parse_exchange_config / validate_instrument); violations abort.
  // Every instrument starts closed at its configured reference price.
  Core(const ExchangeConfig& config, Ledger& ledger);
  Core(const Core&) = delete;
  Core& operator=(const Core&) = delete;

  // Applies one command. Precondition: cmd.seq > the last applied seq (the sequencer's order).
  void apply(const Command& cmd);

  std::span<const Event> events() const { return {events_.data(), events_.size()}; }
  void clear_events() { events_.clear(); }
  std::vector<ChangedOrder> take_changed_orders();

  // FNV-1a 64 over the same field lists, at the same widths, as the stored records
  // (core_records.hpp: one visitor for both): the counters; then per instrument in id order its
  // day state and every open order in priority order; then the off-book state's hash
  // (offbook_state_hash, the off-book codec's field order). Stable across builds.
  std::uint64_t state_hash() const;

  // Persistence hooks (see the header comment).
  template <typename Fn>
  void for_each_open_order(Fn&& fn) const;
  std::optional<OpenOrderRecord> find_open_order(InstrumentId instrument, OrderId id) const;
  // Rests every record in ascending (instrument, priority_seq), the queue order it had; the
  // records may come in any order. Errors: the first record refused (restore_open_order's
  // errors, kDuplicatePriority); the orders restored before it stay.
  Status<RestoreRefusal> restore_open_orders(std::vector<OpenOrderRecord> records);
  // Rests one record at the TAIL of its level, without matching. Restoring one at a time is
  // exact only in ascending priority_seq per instrument: prefer restore_open_orders().
  Status<CoreError> restore_open_order(const OpenOrderRecord& record);
  CoreStateRecord save_state() const;
  Status<CoreError> restore_state(const CoreStateRecord& state);

  // Queries.
  std::size_t max_events_per_order_command() const { return max_events_per_order_command_; }
  const ExchangeConfig& config() const { return config_; }
  AccountId fee_account() const { return config_.fee_account; }
  const InstrumentConfig* instrument(InstrumentId id) const;
  const FeeSchedule& fee_schedule(InstrumentId id) const;
  const OrderBook& book(InstrumentId id) const;
  Phase phase(InstrumentId id) const;
  PriceFen reference_price(InstrumentId id) const;
  Band band(InstrumentId id) const;
  const DayStats& day_stats(InstrumentId id) const;
  std::uint64_t days_closed() const { return days_closed_; }
  // Today's same-day resale locks, by (account, instrument).
  const std::vector<ResaleLockRecord>& resale_locks() const { return resale_locks_; }

  // Off-book trading (offbook.hpp): agreement reports, auctions with their bids, repos.
  const OffBookStateRecord& offbook() const { return offbook_; }
  OffBookStateRecord save_offbook_state() const { return offbook_; }
  // Into a freshly constructed Core, after restore_state(). Does not touch the ledger.
  Status<CoreError> restore_offbook_state(const OffBookStateRecord& state);
  // True when a command since the last call changed the off-book state (store it again).
  bool take_offbook_changed();

  // Bytes allocated for books and per-order records (capacity, not use).
  std::size_t memory_bytes() const;
  static constexpr std::size_t kOrderInfoBytes = 88;  // sizeof(OrderInfo), checked in core.cpp

 private:
  friend struct OffBookOps;  // the off-book handlers (engine/src/offbook_*.cpp)

  // What the core keeps per resting order beside the book's node (indexed by book slot).
  struct OrderInfo {
    OrderId id{0};
    AccountId account{0};
    MemberId member{0};
    QuantityT cum_t{0};
    AmountFen cum_notional_fen{0};
    std::int64_t hold_amount = 0;
    std::uint16_t hold_generation = 0;
    Side side = Side::kBuy;
    ClientOrderId client_order_id{};
    Seq entry_seq{0};
    TimestampNs entry_ts{0};
    Seq priority_seq{0};  // see OpenOrderRecord::priority_seq
  };
  struct Instrument {
    InstrumentConfig config;
    OrderBook book;
    std::vector<OrderInfo> orders;  // by book slot
    Phase phase = Phase::kClosed;
    PriceFen reference_fen{0};
    Band band{};
    DayStats stats;
  };
  // The order being matched (incoming or replaced) and its limit.
  struct Active {
    OrderInfo info;
    PriceFen limit_fen{0};
    QuantityT leaves_t{0};
  };

  Instrument* find(InstrumentId id);
  const Instrument* find(InstrumentId id) const;
  // Appends an event built in place in the outbox (no copy through an out-of-line call).
  template <typename Body>
  void emit(Body&& body) {
    events_.emplace_back(seq_, ts_, std::forward<Body>(body));
  }
  void reject(CommandType type, RejectReason reason, AccountId account, MemberId member,
              InstrumentId instrument, OrderId order_id, const ClientOrderId& clid);

  void on_new_order(const NewOrder& c);
  void on_cancel(const Cancel& c);
  void on_replace(const Replace& c);
  void on_mass_cancel(const MassCancel& c);
  void on_set_phase(const SetPhase& c);
  void on_end_of_day();

  std::optional<RejectReason> check_new_order(const Instrument& ins, const NewOrder& c) const;
  std::optional<RejectReason> check_trading(const Instrument& ins) const;
  std::optional<RejectReason> check_quantity(const Instrument& ins, QuantityT q,
                                             bool check_min) const;
  std::optional<RejectReason> check_price(const Instrument& ins, PriceFen p) const;
  // Whether the command's time lies in `hours` (empty: always). See InstrumentConfig.
  bool within_hours(const std::vector<HoursWindow>& hours) const;
  // A click naming a level (take_levels): the level must be one of the best N of the other side.
  std::optional<RejectReason> check_take(const Instrument& ins, const NewOrder& c) const;
  // After `buyer` received q units of `ins` where same-day resale is off: lock them until EOD.
  void lock_purchase(const Instrument& ins, AccountId buyer, QuantityT q);
  // A sell of q units the ledger refused for want of units: kBoughtToday when today's locked
  // purchases are what is missing, else kInsufficientFunds.
  RejectReason units_refusal(AccountId seller, InstrumentId instrument, QuantityT q) const;
  void release_resale_locks();
  std::int64_t hold_need(const Instrument& ins, Side side, const OrderInfo& info,
                         PriceFen limit_fen, QuantityT leaves_t) const;
  void trim_hold(Instrument& ins, OrderInfo& info, std::int64_t need);
  void process_book_events(Instrument& ins, Active& active);
  void settle_fill(Instrument& ins, Active& active, const BookEvent& e);
  static void record_trade(DayStats& s, PriceFen price, QuantityT qty, AmountFen notional_fen);
  void finish_active(Instrument& ins, Active& active, const AddOutcome& out);
  void cancel_resting(Instrument& ins, std::uint32_t slot, const OrderView& view,
                      CancelReason reason);
  void remove_all(Instrument& ins, CancelReason reason, const MassCancel* filter);
  void mark_changed(const Instrument& ins, OrderId id);
  void apply_offbook(const Command& cmd);  // offbook_state.cpp
  void offbook_end_of_day();               // expiries and repo maturities

  ExchangeConfig config_;
  Ledger& ledger_;
  std::vector<Instrument> instruments_;  // in id order
  std::vector<std::int32_t> index_of_;   // instrument id -> index, -1 when none
  std::vector<Event> events_;
  std::vector<std::uint64_t> changed_;          // instrument << 40 | order id, see mark_changed
  std::vector<std::uint64_t> changed_scratch_;  // take_changed_orders: keys by instrument
  std::vector<std::uint32_t> changed_bucket_;   // instrument id -> rank among the ids
  std::vector<std::uint32_t> changed_counts_;   // per rank, + 1
  std::vector<OrderView> scratch_views_;        // mass cancel / end of day
  std::size_t max_events_per_order_command_ = 0;
  Seq seq_{0};
  TimestampNs ts_{0};
  Date trade_date_{};
  TradingDay trading_day_{};  // the span of trade_date_ (recomputed when a command leaves it)
  std::uint64_t next_order_id_ = 1;
  std::uint64_t next_trade_id_ = 1;
  std::uint64_t next_transfer_n_ = 1;
  std::uint64_t days_closed_ = 0;
  OffBookStateRecord offbook_;
  bool offbook_changed_ = false;
  std::vector<ResaleLockRecord> resale_locks_;  // sorted by (account, instrument)
  std::uint64_t next_lock_n_ = 1;
};

template <typename Fn>
void Core::for_each_open_order(Fn&& fn) const {
  for (const Instrument& ins : instruments_) {
    ins.book.for_each_order([&](const OrderView& v) {
      const OrderInfo& o = ins.orders[v.slot];
      fn(OpenOrderRecord{v.id, ins.config.id, o.account, o.member, v.side, v.price_fen, v.leaves_t,
                         o.cum_t, o.cum_notional_fen, o.hold_amount, o.hold_generation,
                         o.client_order_id, o.entry_seq, o.entry_ts, o.priority_seq});
    });
  }
}

}  // namespace carbonx
