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
// Memory: everything is allocated (or reserved) by the constructor, sized by BookConfig, and no
// operation allocates (a test proves it): an order pool (intrusive FIFO lists, 32 bytes per
// order), an id -> slot open-addressing table (8-byte entries), one level array per side over the
// price grid (24 bytes per tick), a two-level occupancy bitmap and the event buffer. What the book
// touches follows the live orders, not the capacity: freed pool slots are reused last-in
// first-out and fresh ones taken in order (the pool's pages are first touched when the live count
// first reaches them); the id table is sized by the live orders (a power of two between 1,024
// entries and 2 x max_orders, doubled when half full, halved when below 1/16) inside address
// space reserved at construction and only touched as it grows. A resize never stops one call for
// long: the new table's pages are zeroed a page at a time while the old one fills up, and the
// entries move over a few per later insert or erase (both tables are searched meanwhile), so a
// doubling at 512 k resting orders costs no single message ~100 ms. The table keeps each run of 8
// consecutive ids (8i .. 8i+7) in one cache line, the runs spread by a multiplicative hash, so
// sequential ids share lines and any other pattern still spreads. About 58 bytes per order of
// capacity reserved (a full book touches all of it).

// Output: each mutating call first clears and then appends BookEvents (fills, resting orders
// cancelled by self-trade prevention, new aggregate quantity of every level it changed) to a
// buffer read through events() until the next call. The book never calls out.
//
// Errors are values (BookError) and a call that returns one has changed nothing. Order ids are
// chosen by the caller, must be > 0 and unique among resting orders. Prices are fen on the tick
// grid [low_fen, high_fen]; quantities whole tonnes > 0 (lot rules belong to the caller).
// Not thread-safe: one thread owns a book.

#include <bit>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "carbonx/engine/assert.hpp"
#include "carbonx/engine/result.hpp"
#include "carbonx/engine/types.hpp"
#include "carbonx/engine/units.hpp"

// The book's internal helpers are never called from outside the library: hidden, calls to them are
// direct and inlinable however the library is built (also in a -fPIC shared library, where a
// default-visibility function could be interposed and is called through the PLT).
#define CX_BOOK_INTERNAL [[gnu::visibility("hidden")]]

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
  // The take of a listing (a click naming a level, core.hpp): an IOC order that trades only at
  // `level_fen`, a price where orders of the other side rest, in their time priority, at that
  // price; what it cannot fill there is not rested (Remainder::kCancelledIoc). order.price_fen
  // and order.type are ignored. check_take: kBadTimeInForce (not IOC), kBadQuantity,
  // kNoOppositeOrders (nothing of the other side rests at level_fen), kSelfTrade (the level's
  // first order is the same account's, under cancel-incoming).
  Status<BookError> check_take(const BookOrder& order, PriceFen level_fen) const;
  // Precondition: check_take(order, level_fen) succeeded and the book has not changed since.
  AddOutcome take_checked(const BookOrder& order, PriceFen level_fen);
  // How many non-empty levels of `side` are at `price_fen` or better (1: the best level); 0 when
  // nothing of `side` rests at `price_fen`; max_rank + 1 once more than max_rank are.
  std::uint32_t level_rank(Side side, PriceFen price_fen, std::uint32_t max_rank) const;
  // Removes a resting order; returns it as it was. Error: kUnknownOrder.
  Result<OrderView, BookError> cancel(OrderId id);
  // cancel() of the order find() (or for_each_order) returned in `found`, by its slot: no second
  // lookup of the id (a caller that checks the order first, as the core does, finds it once).
  // Precondition: that order still rests (a slot is stable while its order rests; checked).
  OrderView cancel_found(const OrderView& found);
  // New price and new open quantity (leaves). Same price and quantity <= leaves keeps priority
  // (kept_priority in the outcome); otherwise the order leaves its place, may trade at the new
  // price as if incoming (Day), and rests at the tail. Errors: kUnknownOrder, kBadQuantity,
  // kPriceOutOfRange, kPriceNotOnTick, kLevelFull, kSelfTrade.
  Status<BookError> check_replace(OrderId id, PriceFen price_fen, QuantityT leaves_t) const;
  Result<AddOutcome, BookError> replace(OrderId id, PriceFen price_fen, QuantityT leaves_t);
  // replace() without repeating the checks. Precondition: check_replace(...) succeeded and the
  // book has not changed since.
  AddOutcome replace_checked(OrderId id, PriceFen price_fen, QuantityT leaves_t);
  // The same for the order find() just returned in `found`, without looking its id up again.
  // Precondition: the book has not changed since that find() (and, for replace_checked_found,
  // check_replace_found succeeded since).
  Status<BookError> check_replace_found(const OrderView& found, PriceFen price_fen,
                                        QuantityT leaves_t) const;
  AddOutcome replace_checked_found(const OrderView& found, PriceFen price_fen, QuantityT leaves_t);
  // Rests an order at the tail of its level without matching (startup restore).
  // Errors: those of check_add for a Day limit order, kWouldCross.
  Result<std::uint32_t, BookError> restore_order(const BookOrder& order);
  // Moves the grid (the band re-centres at end of day). Error: kNotEmpty, kPriceOutOfRange when
  // the grid does not fit max_price_levels.
  Status<BookError> rebase(PriceFen low_fen, PriceFen high_fen);

  // Events of the last mutating call.
  std::span<const BookEvent> events() const { return {events_.get(), event_count_}; }

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

  // Bytes allocated by this book (pool, the id table's reservation, levels, bitmaps, event
  // buffer): what it may touch at capacity. What it touches follows the live orders.
  std::size_t memory_bytes() const;
  // Entries of the id table in use now (it follows the resting orders: see "Memory" above); while
  // a resize is moving entries over, the size it moves them to.
  std::size_t id_table_entries() const { return table_mask_ + 1; }
  // Whether a resize of the id table is still moving entries (for tests).
  bool id_table_migrating() const { return old_ != nullptr; }
  // Full structural check (levels, FIFO links, bitmaps, best prices, table, not crossed).
  // O(levels + orders): for tests.
  bool validate() const;

 private:
  static constexpr std::uint32_t kNil = 0xFFFF'FFFF;
  static constexpr std::uint32_t kSellBit = 0x8000'0000;  // in Node::level_side
  struct Node {                                           // 32 bytes: two per cache line
    std::uint64_t id;                                     // 0 while free
    std::int64_t leaves_t;
    std::uint32_t next;        // FIFO successor; while free, the free list's link
    std::uint32_t prev;        // FIFO predecessor
    std::uint32_t level_side;  // level index, | kSellBit for a sell
    std::uint32_t account;
  };
  struct Level {
    std::int64_t quantity_t = 0;
    std::uint32_t head = kNil;
    std::uint32_t tail = kNil;
    std::uint32_t count = 0;
  };
  struct Entry {          // id table entry, 8 bytes, all zero when empty
    std::uint32_t slot1;  // pool slot + 1
    std::uint16_t tag;    // the id's low 16 bits: most mismatches never read the node
    std::uint16_t dist;   // distance from the home position (deletion shifts by it)
  };
  struct FreeDeleter {
    void operator()(void* p) const noexcept;
  };
  struct UnmapDeleter {  // the id table's reserved address space
    UnmapDeleter() noexcept : bytes(0) {}
    explicit UnmapDeleter(std::size_t b) noexcept : bytes(b) {}
    void operator()(void* p) const noexcept;
    std::size_t bytes;
  };
  // Ids 8i .. 8i+7 share one 64-byte line of the table (kGroupBits); the line of a group is
  // picked by Fibonacci hashing of i, so dense id ranges anywhere never pile onto each other.
  static constexpr unsigned kGroupBits = 3;

  static Side side_of(const Node& n) {
    return (n.level_side & kSellBit) ? Side::kSell : Side::kBuy;
  }
  static std::uint32_t level_of(const Node& n) { return n.level_side & ~kSellBit; }
  static std::size_t side_index(Side s) { return s == Side::kBuy ? 0 : 1; }
  Level& level_at(Side s, std::uint32_t idx) { return levels_[side_index(s)][idx]; }
  const Level& level_at(Side s, std::uint32_t idx) const { return levels_[side_index(s)][idx]; }
  PriceFen price_of(std::uint32_t idx) const {
    return PriceFen(config_.low_fen.value() + static_cast<std::int64_t>(idx) * tick_);
  }
  // The grid index of p, or -1 when p is off the grid or off the tick. No division: a shift for
  // a power-of-two tick, a multiply by the tick's 64-bit reciprocal otherwise (exact for 32-bit
  // operands, Lemire-Kaser-Kurz), a division only for grids wider than 2^32 fen.
  std::int64_t grid_index(PriceFen p) const {
    if (p < config_.low_fen || p > config_.high_fen) return -1;
    const auto n = static_cast<std::uint64_t>(p.value() - config_.low_fen.value());
    if (tick_shift_ >= 0) {
      if ((n & tick_mask_) != 0) return -1;
      return static_cast<std::int64_t>(n >> tick_shift_);
    }
    if (tick_magic_ != 0) {
      if (n * tick_magic_ > tick_magic_ - 1) return -1;  // not a multiple of the tick
      return static_cast<std::int64_t>((static_cast<unsigned __int128>(tick_magic_) * n) >> 64);
    }
    const auto t = static_cast<std::uint64_t>(tick_);
    return n % t != 0 ? -1 : static_cast<std::int64_t>(n / t);
  }
  CX_BOOK_INTERNAL Status<BookError> check_price(PriceFen p) const;
  bool crosses(Side incoming, std::uint32_t limit_idx, std::int64_t best) const {
    if (best < 0) return false;
    return incoming == Side::kBuy ? best <= static_cast<std::int64_t>(limit_idx)
                                  : best >= static_cast<std::int64_t>(limit_idx);
  }
  std::int64_t best_opposite(Side incoming) const { return best_[incoming == Side::kBuy ? 1 : 0]; }
  CX_BOOK_INTERNAL Status<BookError> check_match(Side side, AccountId account,
                                                 std::uint32_t limit_idx, TimeInForce tif,
                                                 QuantityT qty) const;
  CX_BOOK_INTERNAL std::int64_t fillable(Side side, AccountId account, std::uint32_t limit_idx,
                                         std::int64_t want) const;
  CX_BOOK_INTERNAL Status<BookError> check_add_at(const BookOrder& order,
                                                  std::uint32_t& limit_idx) const;
  CX_BOOK_INTERNAL AddOutcome add_at(const BookOrder& order, std::uint32_t limit_idx);
  CX_BOOK_INTERNAL Status<BookError> check_replace_at(std::uint32_t slot, std::uint32_t idx,
                                                      QuantityT leaves_t) const;
  CX_BOOK_INTERNAL AddOutcome replace_at(std::uint32_t slot, std::uint32_t idx, QuantityT leaves_t);
  CX_BOOK_INTERNAL OrderView cancel_at(std::uint32_t slot);
  CX_BOOK_INTERNAL Remainder match(Side side, std::uint32_t account, std::uint32_t limit_idx,
                                   std::int64_t& leaves);
  // One level of match(): fills against level idx of the other side; `steps` counts the orders
  // met (max_fills_per_order). Returns why it stopped early, kNone when the level or leaves ran
  // out.
  CX_BOOK_INTERNAL Remainder match_level(Side side, std::uint32_t account, std::uint32_t idx,
                                         std::int64_t& leaves, std::uint32_t& steps);
  CX_BOOK_INTERNAL void configure_grid(PriceFen low_fen, PriceFen high_fen);
  CX_BOOK_INTERNAL std::uint32_t allocate_node();
  CX_BOOK_INTERNAL void free_node(std::uint32_t slot);
  CX_BOOK_INTERNAL void link_tail(std::uint32_t slot, Side side, std::uint32_t idx);
  CX_BOOK_INTERNAL void unlink(std::uint32_t slot);
  CX_BOOK_INTERNAL void remove_resting(std::uint32_t slot);
  BookEvent& next_event() {
    CX_ASSERT(event_count_ < events_capacity_);
    return events_[event_count_++];
  }
  void push_level_event(Side side, std::uint32_t idx) {
    BookEvent& e = next_event();
    e = BookEvent{};
    e.kind = BookEventKind::kLevel;
    e.side = side;
    e.price_fen = price_of(idx);
    e.quantity_t = QuantityT(level_at(side, idx).quantity_t);
  }
  CX_BOOK_INTERNAL void set_bit(std::size_t side, std::uint32_t idx);
  CX_BOOK_INTERNAL void clear_bit(std::size_t side, std::uint32_t idx);
  CX_BOOK_INTERNAL inline std::int64_t next_up(std::size_t side,
                                               std::uint32_t from) const;  // lowest set >= from
  CX_BOOK_INTERNAL inline std::int64_t next_down(std::size_t side,
                                                 std::int64_t from) const;  // highest set <= from
  // id -> slot table.
  CX_BOOK_INTERNAL std::uint32_t table_find(std::uint64_t id) const;  // the slot, or kNil
  // The slot of `id` in the table `t` of 2^bits entries, or kNil.
  CX_BOOK_INTERNAL std::uint32_t table_probe(const Entry* t, unsigned bits, std::uint64_t id) const;
  CX_BOOK_INTERNAL void table_insert(std::uint64_t id, std::uint32_t slot);
  CX_BOOK_INTERNAL void table_place(std::uint64_t id, std::uint32_t slot);  // no size check
  CX_BOOK_INTERNAL void table_erase(std::uint64_t id, std::uint32_t slot);
  // Removes the entry at i of the table `t` (mask `mask`) by backward shift.
  CX_BOOK_INTERNAL static void table_remove_at(Entry* t, std::size_t mask, std::size_t i);
  // Resizing, off the common path: start_resize switches new entries to a table of 2^bits
  // entries; migrate_step moves a few runs of the old table's entries over (after each insert or
  // erase) until it is empty; prepare_resize zeroes the next table a page at a time.
  [[gnu::noinline, gnu::cold]] CX_BOOK_INTERNAL void start_resize(unsigned bits);
  [[gnu::noinline]] CX_BOOK_INTERNAL void migrate_step(std::size_t max_moves, std::size_t max_scan);
  CX_BOOK_INTERNAL void table_maintain();  // after each insert or erase
  [[gnu::noinline]] CX_BOOK_INTERNAL void prepare_resize();
  // Where a table of 2^bits entries lives: sizes alternate between the two halves of the
  // reservation (2^max_bits entries, then 2^(max_bits-1)), so a resize never overlaps its source.
  Entry* table_half(unsigned bits) const {
    return table_region_.get() +
           (((table_max_bits_ - bits) & 1) == 0 ? 0 : std::size_t{1} << table_max_bits_);
  }
  std::size_t table_home(std::uint64_t id) const { return home_in(id, table_bits_); }
  static std::size_t home_in(std::uint64_t id, unsigned bits) {
    const std::uint64_t group = (id >> kGroupBits) * 0x9E37'79B9'7F4A'7C15ULL;
    return static_cast<std::size_t>(((group >> (64 - bits + kGroupBits)) << kGroupBits) |
                                    (id & ((1u << kGroupBits) - 1)));
  }

  BookConfig config_;
  std::int64_t tick_ = 1;
  int tick_shift_ = -1;            // log2(tick) when the tick is a power of two, else -1
  std::uint64_t tick_mask_ = 0;    // tick - 1 for a power of two
  std::uint64_t tick_magic_ = 0;   // ceil(2^64 / tick) when the grid's span fits 32 bits
  std::uint32_t grid_levels_ = 0;  // levels in use: (high - low) / tick + 1
  std::unique_ptr<Node[], FreeDeleter> nodes_;
  std::uint32_t node_capacity_ = 0;
  std::uint32_t fresh_ = 0;                            // slots [fresh_, capacity) were never used
  std::uint32_t free_head_ = kNil;                     // freed slots, last freed first
  std::unique_ptr<Entry, UnmapDeleter> table_region_;  // 2^max + 2^(max-1) entries, reserved
  Entry* table_ = nullptr;         // the table in use: 2^table_bits_ entries in one half
  std::size_t table_mask_ = 0;     // table size - 1
  unsigned table_bits_ = 0;        // log2(table size)
  unsigned table_min_bits_ = 0;    // 1,024 entries, or the maximum when that is smaller
  unsigned table_max_bits_ = 0;    // log2 of the smallest power of two >= 2 x max_orders (>= 16)
  std::uint32_t table_count_ = 0;  // entries in both tables (= resting orders)
  // While a resize moves entries: the table they leave (its other half of the reservation), its
  // size, and how far it has been emptied: old_[0, migrate_pos_) holds nothing.
  Entry* old_ = nullptr;
  unsigned old_bits_ = 0;
  std::size_t migrate_pos_ = 0;
  // Bytes at the start of the half the table is not in known to be zero (and faulted in): the
  // next table, larger or smaller, starts there.
  std::size_t zeroed_bytes_ = 0;
  std::uint32_t table_ops_ = 0;  // inserts + erases, paces prepare_resize
  std::vector<Level> levels_[2];
  std::vector<std::uint64_t> bits_[2];     // one bit per level
  std::vector<std::uint64_t> summary_[2];  // one bit per non-zero word of bits_
  std::int64_t best_[2] = {-1, -1};        // best level index per side, -1 when empty
  std::uint32_t order_count_ = 0;
  std::unique_ptr<BookEvent[], FreeDeleter> events_;
  std::uint32_t event_count_ = 0;
  std::uint32_t events_capacity_ = 0;
};

inline std::int64_t OrderBook::next_up(std::size_t side, std::uint32_t from) const {
  if (from >= grid_levels_) return -1;
  const std::vector<std::uint64_t>& bits = bits_[side];
  const std::vector<std::uint64_t>& sum = summary_[side];
  std::uint32_t w = from >> 6;
  const std::uint64_t word = bits[w] & (~std::uint64_t{0} << (from & 63));
  if (word != 0) return static_cast<std::int64_t>(w) * 64 + std::countr_zero(word);
  ++w;  // next non-zero word >= w, through the summary
  for (std::size_t sw = w >> 6; sw < sum.size(); ++sw) {
    std::uint64_t s = sum[sw];
    if (sw == (w >> 6)) s &= (w & 63) == 0 ? ~std::uint64_t{0} : ~std::uint64_t{0} << (w & 63);
    if (s != 0) {
      const std::size_t wi = sw * 64 + static_cast<std::size_t>(std::countr_zero(s));
      const auto idx = static_cast<std::int64_t>(wi * 64 + std::countr_zero(bits[wi]));
      return idx < static_cast<std::int64_t>(grid_levels_) ? idx : -1;
    }
  }
  return -1;
}

inline std::int64_t OrderBook::next_down(std::size_t side, std::int64_t from) const {
  if (from < 0) return -1;
  if (from >= static_cast<std::int64_t>(grid_levels_)) from = grid_levels_ - 1;
  const std::vector<std::uint64_t>& bits = bits_[side];
  const std::vector<std::uint64_t>& sum = summary_[side];
  const auto f = static_cast<std::uint64_t>(from);
  const std::uint64_t w = f >> 6;
  const std::uint64_t b = f & 63;
  const std::uint64_t mask = b == 63 ? ~std::uint64_t{0} : (std::uint64_t{1} << (b + 1)) - 1;
  const std::uint64_t word = bits[w] & mask;
  if (word != 0) return static_cast<std::int64_t>(w * 64 + 63 - std::countl_zero(word));
  if (w == 0) return -1;
  const std::uint64_t last = w - 1;  // highest non-zero word <= last
  for (std::int64_t sw = static_cast<std::int64_t>(last >> 6); sw >= 0; --sw) {
    std::uint64_t s = sum[static_cast<std::size_t>(sw)];
    if (static_cast<std::uint64_t>(sw) == (last >> 6)) {
      const std::uint64_t lb = last & 63;
      s &= lb == 63 ? ~std::uint64_t{0} : (std::uint64_t{1} << (lb + 1)) - 1;
    }
    if (s != 0) {
      const std::uint64_t wi = static_cast<std::uint64_t>(sw) * 64 + 63 - std::countl_zero(s);
      return static_cast<std::int64_t>(wi * 64 + 63 - std::countl_zero(bits[wi]));
    }
  }
  return -1;
}

template <typename Fn>
void OrderBook::for_each_order(Fn&& fn) const {
  for (std::int64_t i = best_[0]; i >= 0; i = next_down(0, i - 1)) {
    const Level& lv = levels_[0][static_cast<std::size_t>(i)];
    for (std::uint32_t s = lv.head; s != kNil; s = nodes_[s].next) {
      const Node& n = nodes_[s];
      fn(OrderView{OrderId(n.id), AccountId(n.account), side_of(n), price_of(level_of(n)),
                   QuantityT(n.leaves_t), s});
    }
  }
  for (std::int64_t i = best_[1]; i >= 0; i = next_up(1, static_cast<std::uint32_t>(i + 1))) {
    const Level& lv = levels_[1][static_cast<std::size_t>(i)];
    for (std::uint32_t s = lv.head; s != kNil; s = nodes_[s].next) {
      const Node& n = nodes_[s];
      fn(OrderView{OrderId(n.id), AccountId(n.account), side_of(n), price_of(level_of(n)),
                   QuantityT(n.leaves_t), s});
    }
  }
}

}  // namespace carbonx

#undef CX_BOOK_INTERNAL
