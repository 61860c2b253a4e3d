#pragma once
// OrderBook: one instrument's continuous limit order book. A library usable on its own (the core
// wraps one per instrument; the benchmarks drive it bare).
//
// Rules: price-time priority; limit orders Day / IOC / FOK; the click (OrderType::kClick: IOC at
// the best opposite price at entry, no price of its own); trades print at the resting order's
// price; cancel; replace (same price and quantity down keeps time priority; a price change or a
// quantity increase loses it, and a new price may trade at once like an incoming order);
// self-trade prevention per StpMode (an incoming order meeting a resting order of the same
// account). A Day remainder rests; an IOC/click remainder is cancelled; a FOK either fills in full
// or is refused with kFokNotFillable and nothing changes.
//
// Memory: everything is allocated by the constructor, sized by BookConfig: an order pool
// (intrusive FIFO lists, 40 bytes per order), an id -> slot open-addressing table (16 bytes x a
// power of two >= 2 x max_orders), one level array per side over the price grid (24 bytes per
// tick) and a two-level occupancy bitmap. No operation allocates; a test proves it.
//
// Output: each mutating call first clears and then appends BookEvents (fills, resting orders
// cancelled by self-trade prevention, new aggregate quantity of every level it changed) to a
// buffer read through events() until the next call. The book never calls out.
//
// Errors are values (BookError) and a call that returns one has changed nothing. Order ids are
// chosen by the caller, must be > 0 and unique among resting orders. Prices are fen on the tick
// grid [low_fen, high_fen]; quantities whole tonnes > 0 (lot rules belong to the caller).
// Not thread-safe: one thread owns a book.

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "carbonx/engine/result.hpp"
#include "carbonx/engine/types.hpp"
#include "carbonx/engine/units.hpp"

namespace carbonx {

enum class BookError : std::uint8_t {
  kUnknownOrder = 1,  // no resting order with that id
  kDuplicateOrderId,  // the id is already resting (or is 0)
  kBookFull,          // max_orders resting orders already
  kLevelFull,         // max_orders_per_level at that price already
  kPriceOutOfRange,   // outside the grid [low_fen, high_fen]
  kPriceNotOnTick,    // not a multiple of tick_fen
  kBadQuantity,       // quantity <= 0
  kNoOppositeOrders,  // a click with nothing to take
  kSelfTrade,         // kCancelIncoming and the first match is the same account: refused
  kFokNotFillable,    // a FOK that cannot fill in full
  kWouldCross,        // restore_order() of an order that would cross the book
  kNotEmpty,          // rebase() of a book with resting orders
  kBadTimeInForce,    // a click must be IOC
};
std::string_view to_string(BookError e) noexcept;

struct BookConfig {
  PriceFen low_fen{1};   // lowest price of the grid, on the tick
  PriceFen high_fen{1};  // highest price of the grid, on the tick
  PriceFen tick_fen{1};
  std::uint32_t max_orders = 100'000;  // resting orders
  std::uint32_t max_orders_per_level = 10'000;
  std::uint32_t max_price_levels = 8'192;     // capacity of the grid; (high-low)/tick+1 <= this
  std::uint32_t max_fills_per_order = 1'000;  // matching stops there, the remainder is cancelled
  StpMode stp = StpMode::kCancelIncoming;
  // The caller promises every id given to add() was never used before (the core's ids come from
  // one increasing counter), so add() skips the duplicate-id probe (a cache miss per order).
  bool fresh_ids = false;
};

struct BookOrder {
  OrderId id{0};
  AccountId account{0};
  Side side = Side::kBuy;
  OrderType type = OrderType::kLimit;
  TimeInForce tif = TimeInForce::kDay;
  PriceFen price_fen{0};  // ignored for a click
  QuantityT quantity_t{0};
};

enum class BookEventKind : std::uint8_t {
  kFill = 1,          // the incoming order traded with the resting order `resting_id`
  kRestingCancelled,  // a resting order removed by self-trade prevention
  kLevel,             // the aggregate resting quantity at (side, price) is now quantity_t
};

struct BookEvent {
  BookEventKind kind = BookEventKind::kFill;
  Side side = Side::kBuy;  // kFill: the incoming side; otherwise the resting/level side
  std::uint32_t resting_slot = 0;
  OrderId resting_id{0};
  AccountId resting_account{0};
  PriceFen price_fen{0};           // fill price (the resting price) / level price
  QuantityT quantity_t{0};         // filled / cancelled / new level aggregate
  QuantityT resting_leaves_t{0};   // kFill: the resting order's open quantity after the fill
  QuantityT incoming_leaves_t{0};  // kFill: the incoming order's open quantity after the fill
};

// What happened to the remainder of an incoming (or replaced) order.
enum class Remainder : std::uint8_t {
  kNone = 1,            // filled in full
  kRested,              // rests in the book (Day)
  kCancelledIoc,        // IOC / click remainder
  kCancelledSelfTrade,  // self-trade prevention cancelled the incoming side
  kCancelledFillLimit,  // max_fills_per_order reached
};
std::string_view to_string(Remainder r) noexcept;

struct AddOutcome {
  QuantityT filled_t{0};
  QuantityT leaves_t{0};  // rested, or cancelled per `remainder`
  Remainder remainder = Remainder::kNone;
  PriceFen limit_fen{0};       // the effective limit (a click's resolved price)
  std::uint32_t slot = 0;      // when rested: the pool slot (stable while it rests)
  bool kept_priority = false;  // replace only
};

struct OrderView {
  OrderId id{0};
  AccountId account{0};
  Side side = Side::kBuy;
  PriceFen price_fen{0};
  QuantityT leaves_t{0};
  std::uint32_t slot = 0;
};

class OrderBook {
 public:
  explicit OrderBook(const BookConfig& config);
  OrderBook(const OrderBook&) = delete;
  OrderBook& operator=(const OrderBook&) = delete;
  OrderBook(OrderBook&&) = default;

  // Whether add(order) would be refused, and why; changes nothing. add() does the same checks.
  Status<BookError> check_add(const BookOrder& order) const;
  // Matches, then rests a Day remainder. Errors as check_add.
  Result<AddOutcome, BookError> add(const BookOrder& order);
  // add() without repeating the checks. Precondition: check_add(order) succeeded and the book
  // has not changed since (the core checks, takes the funding hold, then adds).
  AddOutcome add_checked(const BookOrder& order);
  // Removes a resting order; returns it as it was. Error: kUnknownOrder.
  Result<OrderView, BookError> cancel(OrderId id);
  // New price and new open quantity (leaves). Same price and quantity <= leaves keeps priority
  // (kept_priority in the outcome); otherwise the order leaves its place, may trade at the new
  // price as if incoming (Day), and rests at the tail. Errors: kUnknownOrder, kBadQuantity,
  // kPriceOutOfRange, kPriceNotOnTick, kLevelFull, kSelfTrade.
  Status<BookError> check_replace(OrderId id, PriceFen price_fen, QuantityT leaves_t) const;
  Result<AddOutcome, BookError> replace(OrderId id, PriceFen price_fen, QuantityT leaves_t);
  // replace() without repeating the checks. Precondition: check_replace(...) succeeded and the
  // book has not changed since.
  AddOutcome replace_checked(OrderId id, PriceFen price_fen, QuantityT leaves_t);
  // Rests an order at the tail of its level without matching (startup restore).
  // Errors: those of check_add for a Day limit order, kWouldCross.
  Result<std::uint32_t, BookError> restore_order(const BookOrder& order);
  // Moves the grid (the band re-centres at end of day). Error: kNotEmpty, kPriceOutOfRange when
  // the grid does not fit max_price_levels.
  Status<BookError> rebase(PriceFen low_fen, PriceFen high_fen);

  // Events of the last mutating call.
  std::span<const BookEvent> events() const { return {events_.data(), events_.size()}; }

  std::optional<PriceFen> best_bid() const;
  std::optional<PriceFen> best_ask() const;
  // Aggregate resting quantity at a price (0 when empty or off the grid).
  QuantityT level_quantity(Side side, PriceFen price_fen) const;
  std::uint32_t level_order_count(Side side, PriceFen price_fen) const;
  std::optional<OrderView> find(OrderId id) const;
  // A hint: starts loading the id table's line for `id` (add() of that id will touch it).
  void prefetch(OrderId id) const { __builtin_prefetch(&table_[table_home(id.value())]); }
  std::uint32_t order_count() const { return order_count_; }
  const BookConfig& config() const { return config_; }
  PriceFen low_fen() const { return config_.low_fen; }
  PriceFen high_fen() const { return config_.high_fen; }
  // The account of the order an incoming order would meet first, if any.
  std::optional<AccountId> first_match_account(Side incoming, PriceFen limit_fen) const;

  // Visits resting orders in priority order: bids best (highest) price first, then asks best
  // (lowest) first; FIFO within a level. fn(const OrderView&).
  template <typename Fn>
  void for_each_order(Fn&& fn) const;

  // Bytes allocated by this book (pool, table, levels, bitmaps, event buffer).
  std::size_t memory_bytes() const;
  // Full structural check (levels, FIFO links, bitmaps, best prices, table, not crossed).
  // O(levels + orders): for tests.
  bool validate() const;

 private:
  static constexpr std::uint32_t kNil = 0xFFFF'FFFF;
  struct Node {
    std::uint64_t id;
    std::int64_t leaves_t;
    std::uint32_t next;
    std::uint32_t prev;
    std::uint32_t level;  // index in the side's level array
    std::uint32_t account;
    Side side;
  };
  struct Level {
    std::int64_t quantity_t = 0;
    std::uint32_t head = kNil;
    std::uint32_t tail = kNil;
    std::uint32_t count = 0;
  };
  struct Slot {
    std::uint64_t key;  // 0: empty
    std::uint32_t value;
  };

  std::size_t side_index(Side s) const { return s == Side::kBuy ? 0 : 1; }
  Level& level_at(Side s, std::uint32_t idx) { return levels_[side_index(s)][idx]; }
  const Level& level_at(Side s, std::uint32_t idx) const { return levels_[side_index(s)][idx]; }
  PriceFen price_of(std::uint32_t idx) const {
    return PriceFen(config_.low_fen.value() + static_cast<std::int64_t>(idx) * tick_);
  }
  Status<BookError> check_price(PriceFen p) const;
  std::uint32_t index_of(PriceFen p) const {
    return static_cast<std::uint32_t>((p.value() - config_.low_fen.value()) / tick_);
  }
  bool crosses(Side incoming, std::uint32_t limit_idx, std::int64_t best) const;
  std::int64_t best_opposite(Side incoming) const;
  Status<BookError> check_match(Side side, AccountId account, std::uint32_t limit_idx,
                                TimeInForce tif, QuantityT qty) const;
  std::int64_t fillable(Side side, AccountId account, std::uint32_t limit_idx,
                        std::int64_t want) const;
  Remainder match(Side side, std::uint32_t account, std::uint32_t limit_idx, std::int64_t& leaves);
  std::uint32_t allocate_node();
  void free_node(std::uint32_t slot);
  void link_tail(std::uint32_t slot, Side side, std::uint32_t idx);
  void unlink(std::uint32_t slot);
  void remove_resting(std::uint32_t slot);
  void push_level_event(Side side, std::uint32_t idx);
  void push_event(const BookEvent& e);
  void set_bit(std::size_t side, std::uint32_t idx);
  void clear_bit(std::size_t side, std::uint32_t idx);
  std::int64_t next_up(std::size_t side, std::uint32_t from) const;   // lowest set >= from
  std::int64_t next_down(std::size_t side, std::int64_t from) const;  // highest set <= from
  // id -> slot table.
  std::uint32_t* table_find(std::uint64_t id);
  const std::uint32_t* table_find(std::uint64_t id) const;
  void table_insert(std::uint64_t id, std::uint32_t slot);
  void table_erase(std::uint64_t id);
  // Fibonacci hashing: robust against any pattern of caller-chosen ids. (Folding high bits onto
  // low ones keeps sequential ids cache-local but lets two dense id ranges collide into probe
  // runs thousands of slots long: measured, 50x slower on the 100-book benchmark.)
  std::size_t table_home(std::uint64_t id) const {
    return static_cast<std::size_t>((id * 0x9E37'79B9'7F4A'7C15ULL) >> (64 - table_bits_));
  }

  BookConfig config_;
  std::int64_t tick_ = 1;
  std::uint32_t grid_levels_ = 0;  // levels in use: (high - low) / tick + 1
  std::vector<Node> nodes_;
  std::vector<std::uint32_t> free_;  // stack of free slots
  std::vector<Slot> table_;
  unsigned table_bits_ = 0;  // log2(table_.size())
  std::vector<Level> levels_[2];
  std::vector<std::uint64_t> bits_[2];     // one bit per level
  std::vector<std::uint64_t> summary_[2];  // one bit per non-zero word of bits_
  std::int64_t best_[2] = {-1, -1};        // best level index per side, -1 when empty
  std::uint32_t order_count_ = 0;
  std::vector<BookEvent> events_;
  std::size_t events_capacity_ = 0;
};

template <typename Fn>
void OrderBook::for_each_order(Fn&& fn) const {
  for (std::int64_t i = best_[0]; i >= 0; i = next_down(0, i - 1)) {
    const Level& lv = levels_[0][static_cast<std::size_t>(i)];
    for (std::uint32_t s = lv.head; s != kNil; s = nodes_[s].next) {
      const Node& n = nodes_[s];
      fn(OrderView{OrderId(n.id), AccountId(n.account), n.side, price_of(n.level),
                   QuantityT(n.leaves_t), s});
    }
  }
  for (std::int64_t i = best_[1]; i >= 0; i = next_up(1, static_cast<std::uint32_t>(i + 1))) {
    const Level& lv = levels_[1][static_cast<std::size_t>(i)];
    for (std::uint32_t s = lv.head; s != kNil; s = nodes_[s].next) {
      const Node& n = nodes_[s];
      fn(OrderView{OrderId(n.id), AccountId(n.account), n.side, price_of(n.level),
                   QuantityT(n.leaves_t), s});
    }
  }
}

}  // namespace carbonx
