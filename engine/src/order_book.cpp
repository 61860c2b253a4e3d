#include "carbonx/engine/order_book.hpp"

#include <algorithm>
#include <bit>
#include <cstdlib>
#include <cstring>
#include <utility>

#include <sys/mman.h>

namespace carbonx {

std::string_view to_string(BookError e) noexcept {
  switch (e) {
    case BookError::kUnknownOrder:
      return "unknown order";
    case BookError::kDuplicateOrderId:
      return "order id already resting (or zero)";
    case BookError::kBookFull:
      return "book full: max_orders resting";
    case BookError::kLevelFull:
      return "price level full: max_orders_per_level resting";
    case BookError::kPriceOutOfRange:
      return "price outside the book's price grid";
    case BookError::kPriceNotOnTick:
      return "price not on the tick";
    case BookError::kBadQuantity:
      return "quantity must be > 0";
    case BookError::kNoOppositeOrders:
      return "click with no opposite orders";
    case BookError::kSelfTrade:
      return "would trade with an order of the same account";
    case BookError::kFokNotFillable:
      return "fill-or-kill cannot fill in full";
    case BookError::kWouldCross:
      return "restored order would cross the book";
    case BookError::kNotEmpty:
      return "book not empty";
    case BookError::kBadTimeInForce:
      return "a click must be IOC";
  }
  return "unknown book error";
}

std::string_view to_string(Remainder r) noexcept {
  switch (r) {
    case Remainder::kNone:
      return "filled";
    case Remainder::kRested:
      return "rested";
    case Remainder::kCancelledIoc:
      return "ioc remainder cancelled";
    case Remainder::kCancelledSelfTrade:
      return "cancelled by self-trade prevention";
    case Remainder::kCancelledFillLimit:
      return "cancelled at the fill limit";
  }
  return "unknown remainder";
}

void OrderBook::FreeDeleter::operator()(void* p) const noexcept {
  std::free(p);
}

void OrderBook::UnmapDeleter::operator()(void* p) const noexcept {
  ::munmap(p, bytes);
}

namespace {

// Zeroed memory from calloc (fresh pages from the kernel for large sizes); aborts when there is
// none, like a failed std::vector allocation would end the program.
template <typename T>
T* allocate_zeroed(std::size_t n) {
  void* p = std::calloc(n, sizeof(T));
  CX_ASSERT(p != nullptr);
  return static_cast<T*>(p);
}

// Zeroes n bytes by really writing them, so their pages are faulted in now. Through a volatile
// function pointer: the compiler turns malloc + memset(0) into calloc, which leaves fresh pages
// untouched.
void write_zeros(void* p, std::size_t n) {
  static void* (*volatile const zero)(void*, int, std::size_t) = std::memset;
  zero(p, 0, n);
}

}  // namespace

OrderBook::OrderBook(const BookConfig& c) : config_(c), tick_(c.tick_fen.value()) {
  CX_ASSERT(tick_ > 0);
  CX_ASSERT(c.low_fen.value() > 0 && c.low_fen.value() % tick_ == 0);
  CX_ASSERT(c.high_fen >= c.low_fen && c.high_fen.value() % tick_ == 0);
  CX_ASSERT(c.max_orders > 0 && c.max_orders < kNil);
  CX_ASSERT(c.max_orders_per_level > 0);
  CX_ASSERT(c.max_fills_per_order > 0);
  CX_ASSERT(c.max_price_levels > 0 && c.max_price_levels < kSellBit);
  const std::int64_t levels = (c.high_fen.value() - c.low_fen.value()) / tick_ + 1;
  CX_ASSERT(levels <= static_cast<std::int64_t>(c.max_price_levels));
  const auto tick = static_cast<std::uint64_t>(tick_);
  if (std::has_single_bit(tick)) {
    tick_shift_ = std::countr_zero(tick);
    tick_mask_ = tick - 1;
  }
  configure_grid(c.low_fen, c.high_fen);
  // The pool is not written here: slots are taken in order, so its pages are first touched when
  // the live count first reaches them.
  nodes_.reset(static_cast<Node*>(std::malloc(sizeof(Node) * c.max_orders)));
  CX_ASSERT(nodes_ != nullptr);
  node_capacity_ = c.max_orders;
  // The id table: address space for the largest table (load <= 1/2 at max_orders) and, beside
  // it, for the next smaller one (a resize moves between the two), reserved and not touched: the
  // kernel gives a page on its first write. Only the smallest table is written now.
  table_max_bits_ = 4;
  while ((std::size_t{1} << table_max_bits_) < 2 * static_cast<std::size_t>(c.max_orders))
    ++table_max_bits_;
  table_min_bits_ = std::min(table_max_bits_, 10u);
  const std::size_t reserved =
      ((std::size_t{1} << table_max_bits_) + (std::size_t{1} << (table_max_bits_ - 1))) *
      sizeof(Entry);
  void* region = ::mmap(nullptr, reserved, PROT_READ | PROT_WRITE,
                        MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  CX_ASSERT(region != MAP_FAILED);
  table_region_ =
      std::unique_ptr<Entry, UnmapDeleter>(static_cast<Entry*>(region), UnmapDeleter(reserved));
  table_bits_ = table_min_bits_;
  table_mask_ = (std::size_t{1} << table_bits_) - 1;
  table_ = table_half(table_bits_);
  // Written now, not on the order path (the first touch of a page costs about 12 us on this
  // machine's VM).
  write_zeros(table_, (table_mask_ + 1) * sizeof(Entry));
  const std::size_t words = (c.max_price_levels + 63) / 64;
  for (std::size_t s = 0; s < 2; ++s) {
    levels_[s].assign(c.max_price_levels, Level{});
    bits_[s].assign(words, 0);
    summary_[s].assign((words + 63) / 64, 0);
  }
  events_capacity_ = 2 * c.max_fills_per_order + 8;
  events_.reset(allocate_zeroed<BookEvent>(events_capacity_));
}

void OrderBook::configure_grid(PriceFen low_fen, PriceFen high_fen) {
  config_.low_fen = low_fen;
  config_.high_fen = high_fen;
  grid_levels_ = static_cast<std::uint32_t>((high_fen.value() - low_fen.value()) / tick_ + 1);
  const auto span = static_cast<std::uint64_t>(high_fen.value() - low_fen.value());
  const auto tick = static_cast<std::uint64_t>(tick_);
  // The reciprocal is exact for dividends and divisors below 2^32 (and tick > 1 when not a power
  // of two, so it fits 64 bits).
  tick_magic_ =
      tick_shift_ < 0 && span < (std::uint64_t{1} << 32) && tick < (std::uint64_t{1} << 32)
          ? ~std::uint64_t{0} / tick + 1
          : 0;
}

inline Status<BookError> OrderBook::check_price(PriceFen p) const {
  if (p < config_.low_fen || p > config_.high_fen) return Err{BookError::kPriceOutOfRange};
  if (grid_index(p) < 0) return Err{BookError::kPriceNotOnTick};
  return {};
}

std::optional<AccountId> OrderBook::first_match_account(Side incoming, PriceFen limit_fen) const {
  const std::int64_t idx = grid_index(limit_fen);
  if (idx < 0) return std::nullopt;
  const std::int64_t b = best_opposite(incoming);
  if (!crosses(incoming, static_cast<std::uint32_t>(idx), b)) return std::nullopt;
  const Level& lv = level_at(opposite(incoming), static_cast<std::uint32_t>(b));
  CX_ASSERT(lv.head != kNil);
  return AccountId(nodes_[lv.head].account);
}

inline std::int64_t OrderBook::fillable(Side side, AccountId account, std::uint32_t limit_idx,
                                        std::int64_t want) const {
  const Side opp = opposite(side);
  std::int64_t sum = 0;
  std::uint32_t steps = 0;
  std::int64_t idx = best_opposite(side);
  while (crosses(side, limit_idx, idx)) {
    const Level& lv = level_at(opp, static_cast<std::uint32_t>(idx));
    for (std::uint32_t s = lv.head; s != kNil; s = nodes_[s].next) {
      if (sum >= want || steps == config_.max_fills_per_order) return sum;
      ++steps;
      if (nodes_[s].account == account.value()) {
        if (config_.stp != StpMode::kCancelResting) return sum;
        continue;
      }
      sum += nodes_[s].leaves_t;
    }
    idx = side == Side::kBuy ? next_up(1, static_cast<std::uint32_t>(idx + 1))
                             : next_down(0, idx - 1);
  }
  return sum;
}

inline Status<BookError> OrderBook::check_match(Side side, AccountId account,
                                                std::uint32_t limit_idx, TimeInForce tif,
                                                QuantityT qty) const {
  const std::int64_t b = best_opposite(side);
  if (config_.stp == StpMode::kCancelIncoming && crosses(side, limit_idx, b)) {
    const Level& lv = level_at(opposite(side), static_cast<std::uint32_t>(b));
    if (nodes_[lv.head].account == account.value()) return Err{BookError::kSelfTrade};
  }
  if (tif == TimeInForce::kFok && fillable(side, account, limit_idx, qty.value()) < qty.value()) {
    return Err{BookError::kFokNotFillable};
  }
  return {};
}

// The checks of add(); on success limit_idx is the order's grid index (a click's: the best
// opposite level).
inline Status<BookError> OrderBook::check_add_at(const BookOrder& o,
                                                 std::uint32_t& limit_idx) const {
  // Ids usually come in sequence (the core's counter): start loading the table line of the next
  // group of 8 ids, which the order 8 ids later will touch. Only a hint.
  __builtin_prefetch(&table_[table_home(o.id.value() + (1u << kGroupBits))]);
  if (o.quantity_t.value() <= 0) return Err{BookError::kBadQuantity};
  if (o.id.value() == 0) return Err{BookError::kDuplicateOrderId};
  // With fresh_ids the caller guarantees uniqueness; table_insert still asserts it on resting.
  if (!config_.fresh_ids && table_find(o.id.value()) != kNil) {
    return Err{BookError::kDuplicateOrderId};
  }
  if (o.type == OrderType::kClick) {
    if (o.tif != TimeInForce::kIoc) return Err{BookError::kBadTimeInForce};
    const std::int64_t b = best_opposite(o.side);
    if (b < 0) return Err{BookError::kNoOppositeOrders};
    limit_idx = static_cast<std::uint32_t>(b);
  } else {
    const std::int64_t idx = grid_index(o.price_fen);
    if (idx < 0) return check_price(o.price_fen);
    limit_idx = static_cast<std::uint32_t>(idx);
  }
  if (o.tif == TimeInForce::kDay) {
    if (order_count_ >= config_.max_orders) return Err{BookError::kBookFull};
    if (level_at(o.side, limit_idx).count >= config_.max_orders_per_level) {
      return Err{BookError::kLevelFull};
    }
  }
  return check_match(o.side, o.account, limit_idx, o.tif, o.quantity_t);
}

Status<BookError> OrderBook::check_add(const BookOrder& o) const {
  std::uint32_t limit_idx = 0;
  return check_add_at(o, limit_idx);
}

Result<AddOutcome, BookError> OrderBook::add(const BookOrder& o) {
  std::uint32_t limit_idx = 0;
  if (auto st = check_add_at(o, limit_idx); !st) {
    event_count_ = 0;
    return Err{st.error()};
  }
  return add_at(o, limit_idx);
}

AddOutcome OrderBook::add_checked(const BookOrder& o) {
  const std::uint32_t limit_idx = o.type == OrderType::kClick
                                      ? static_cast<std::uint32_t>(best_opposite(o.side))
                                      : static_cast<std::uint32_t>(grid_index(o.price_fen));
  return add_at(o, limit_idx);
}

inline AddOutcome OrderBook::add_at(const BookOrder& o, std::uint32_t limit_idx) {
  event_count_ = 0;
  CX_ASSERT(o.quantity_t.value() > 0 && limit_idx < grid_levels_);
  std::int64_t leaves = o.quantity_t.value();
  AddOutcome out;
  out.limit_fen = price_of(limit_idx);
  out.remainder = match(o.side, o.account.value(), limit_idx, leaves);
  out.filled_t = QuantityT(o.quantity_t.value() - leaves);
  out.leaves_t = QuantityT(leaves);
  if (leaves == 0) {
    CX_ASSERT(out.remainder == Remainder::kNone);
    return out;
  }
  CX_ASSERT(o.tif != TimeInForce::kFok);
  if (out.remainder != Remainder::kNone) return out;
  if (o.tif != TimeInForce::kDay) {
    out.remainder = Remainder::kCancelledIoc;
    return out;
  }
  const std::uint32_t slot = allocate_node();
  Node& n = nodes_[slot];
  n.id = o.id.value();
  n.leaves_t = leaves;
  n.account = o.account.value();
  link_tail(slot, o.side, limit_idx);
  table_insert(n.id, slot);
  ++order_count_;
  push_level_event(o.side, limit_idx);
  out.remainder = Remainder::kRested;
  out.slot = slot;
  return out;
}

inline Remainder OrderBook::match(Side side, std::uint32_t account, std::uint32_t limit_idx,
                                  std::int64_t& leaves) {
  const std::size_t oi = side_index(opposite(side));
  std::uint32_t steps = 0;
  while (leaves > 0) {
    const std::int64_t b = best_[oi];
    if (!crosses(side, limit_idx, b)) return Remainder::kNone;
    const Remainder stop = match_level(side, account, static_cast<std::uint32_t>(b), leaves, steps);
    if (stop != Remainder::kNone) return stop;
  }
  return Remainder::kNone;
}

inline Remainder OrderBook::match_level(Side side, std::uint32_t account, std::uint32_t idx,
                                        std::int64_t& leaves, std::uint32_t& steps) {
  const Side opp = opposite(side);
  Level& lv = levels_[side_index(opp)][idx];
  const PriceFen price = price_of(idx);
  Remainder stop = Remainder::kNone;
  while (lv.head != kNil && leaves > 0) {
    if (steps == config_.max_fills_per_order) {
      stop = Remainder::kCancelledFillLimit;
      break;
    }
    const std::uint32_t s = lv.head;
    Node& r = nodes_[s];
    ++steps;
    if (r.account == account) {
      if (config_.stp == StpMode::kCancelIncoming) {
        stop = Remainder::kCancelledSelfTrade;
        break;
      }
      next_event() = BookEvent{BookEventKind::kRestingCancelled,
                               opp,
                               s,
                               OrderId(r.id),
                               AccountId(r.account),
                               price,
                               QuantityT(r.leaves_t),
                               QuantityT(0),
                               QuantityT(leaves)};
      remove_resting(s);
      if (config_.stp == StpMode::kCancelBoth) {
        stop = Remainder::kCancelledSelfTrade;
        break;
      }
      continue;
    }
    const std::int64_t q = std::min(leaves, r.leaves_t);
    r.leaves_t -= q;
    lv.quantity_t -= q;
    leaves -= q;
    next_event() = BookEvent{BookEventKind::kFill,
                             side,
                             s,
                             OrderId(r.id),
                             AccountId(r.account),
                             price,
                             QuantityT(q),
                             QuantityT(r.leaves_t),
                             QuantityT(leaves)};
    if (r.leaves_t == 0) remove_resting(s);
  }
  push_level_event(opp, idx);
  return stop;
}

std::uint32_t OrderBook::level_rank(Side side, PriceFen price_fen, std::uint32_t max_rank) const {
  const std::int64_t target = grid_index(price_fen);
  const std::size_t si = side_index(side);
  if (target < 0 || level_at(side, static_cast<std::uint32_t>(target)).head == kNil) return 0;
  std::uint32_t rank = 0;
  for (std::int64_t i = best_[si]; i >= 0 && rank <= max_rank;
       i = side == Side::kBuy ? next_down(si, i - 1)
                              : next_up(si, static_cast<std::uint32_t>(i + 1))) {
    ++rank;
    if (i == target) return rank;
  }
  return max_rank + 1;
}

Status<BookError> OrderBook::check_take(const BookOrder& o, PriceFen level_fen) const {
  if (o.tif != TimeInForce::kIoc) return Err{BookError::kBadTimeInForce};
  if (o.quantity_t.value() <= 0) return Err{BookError::kBadQuantity};
  const std::int64_t idx = grid_index(level_fen);
  if (idx < 0) return Err{BookError::kNoOppositeOrders};
  const Level& lv = level_at(opposite(o.side), static_cast<std::uint32_t>(idx));
  if (lv.head == kNil) return Err{BookError::kNoOppositeOrders};
  if (config_.stp == StpMode::kCancelIncoming && nodes_[lv.head].account == o.account.value()) {
    return Err{BookError::kSelfTrade};
  }
  return {};
}

AddOutcome OrderBook::take_checked(const BookOrder& o, PriceFen level_fen) {
  event_count_ = 0;
  const std::int64_t idx = grid_index(level_fen);
  CX_ASSERT(idx >= 0 && o.quantity_t.value() > 0);
  std::int64_t leaves = o.quantity_t.value();
  std::uint32_t steps = 0;
  AddOutcome out;
  out.limit_fen = level_fen;
  out.remainder =
      match_level(o.side, o.account.value(), static_cast<std::uint32_t>(idx), leaves, steps);
  out.filled_t = QuantityT(o.quantity_t.value() - leaves);
  out.leaves_t = QuantityT(leaves);
  if (leaves > 0 && out.remainder == Remainder::kNone) out.remainder = Remainder::kCancelledIoc;
  return out;
}

Result<OrderView, BookError> OrderBook::cancel(OrderId id) {
  event_count_ = 0;
  const std::uint32_t s = table_find(id.value());
  if (s == kNil) return Err{BookError::kUnknownOrder};
  return cancel_at(s);
}

OrderView OrderBook::cancel_found(const OrderView& found) {
  CX_ASSERT(found.slot < fresh_ && nodes_[found.slot].id == found.id.value());
  event_count_ = 0;
  return cancel_at(found.slot);
}

inline OrderView OrderBook::cancel_at(std::uint32_t s) {
  const Node& n = nodes_[s];
  const std::uint32_t idx = level_of(n);
  const OrderView view{OrderId(n.id), AccountId(n.account),  side_of(n),
                       price_of(idx), QuantityT(n.leaves_t), s};
  remove_resting(s);
  push_level_event(view.side, idx);
  return view;
}

inline Status<BookError> OrderBook::check_replace_at(std::uint32_t slot, std::uint32_t idx,
                                                     QuantityT leaves_t) const {
  const Node& n = nodes_[slot];
  if (idx == level_of(n) && leaves_t.value() <= n.leaves_t) return {};
  if (idx != level_of(n) && level_at(side_of(n), idx).count >= config_.max_orders_per_level) {
    return Err{BookError::kLevelFull};
  }
  return check_match(side_of(n), AccountId(n.account), idx, TimeInForce::kDay, leaves_t);
}

Status<BookError> OrderBook::check_replace(OrderId id, PriceFen price_fen,
                                           QuantityT leaves_t) const {
  const std::uint32_t s = table_find(id.value());
  if (s == kNil) return Err{BookError::kUnknownOrder};
  if (leaves_t.value() <= 0) return Err{BookError::kBadQuantity};
  const std::int64_t idx = grid_index(price_fen);
  if (idx < 0) return check_price(price_fen);
  return check_replace_at(s, static_cast<std::uint32_t>(idx), leaves_t);
}

Result<AddOutcome, BookError> OrderBook::replace(OrderId id, PriceFen price_fen,
                                                 QuantityT leaves_t) {
  event_count_ = 0;
  const std::uint32_t s = table_find(id.value());
  if (s == kNil) return Err{BookError::kUnknownOrder};
  if (leaves_t.value() <= 0) return Err{BookError::kBadQuantity};
  const std::int64_t idx = grid_index(price_fen);
  if (idx < 0) return Err{check_price(price_fen).error()};
  if (auto st = check_replace_at(s, static_cast<std::uint32_t>(idx), leaves_t); !st) {
    return Err{st.error()};
  }
  return replace_at(s, static_cast<std::uint32_t>(idx), leaves_t);
}

Status<BookError> OrderBook::check_replace_found(const OrderView& found, PriceFen price_fen,
                                                 QuantityT leaves_t) const {
  CX_ASSERT(found.slot < fresh_ && nodes_[found.slot].id == found.id.value());
  if (leaves_t.value() <= 0) return Err{BookError::kBadQuantity};
  const std::int64_t idx = grid_index(price_fen);
  if (idx < 0) return check_price(price_fen);
  return check_replace_at(found.slot, static_cast<std::uint32_t>(idx), leaves_t);
}

AddOutcome OrderBook::replace_checked_found(const OrderView& found, PriceFen price_fen,
                                            QuantityT leaves_t) {
  CX_ASSERT(found.slot < fresh_ && nodes_[found.slot].id == found.id.value());
  const std::int64_t idx = grid_index(price_fen);
  CX_ASSERT(idx >= 0);
  return replace_at(found.slot, static_cast<std::uint32_t>(idx), leaves_t);
}

AddOutcome OrderBook::replace_checked(OrderId id, PriceFen price_fen, QuantityT leaves_t) {
  const std::uint32_t s = table_find(id.value());
  CX_ASSERT(s != kNil);
  const std::int64_t idx = grid_index(price_fen);
  CX_ASSERT(idx >= 0);
  return replace_at(s, static_cast<std::uint32_t>(idx), leaves_t);
}

inline AddOutcome OrderBook::replace_at(std::uint32_t s, std::uint32_t idx, QuantityT leaves_t) {
  event_count_ = 0;
  Node& n = nodes_[s];
  const Side side = side_of(n);
  AddOutcome out;
  out.limit_fen = price_of(idx);
  out.slot = s;
  if (idx == level_of(n) && leaves_t.value() <= n.leaves_t) {
    const std::int64_t delta = n.leaves_t - leaves_t.value();
    n.leaves_t = leaves_t.value();
    level_at(side, idx).quantity_t -= delta;
    if (delta > 0) push_level_event(side, idx);
    out.leaves_t = leaves_t;
    out.remainder = Remainder::kRested;
    out.kept_priority = true;
    return out;
  }
  const std::uint32_t old_idx = level_of(n);
  unlink(s);
  push_level_event(side, old_idx);
  std::int64_t leaves = leaves_t.value();
  out.remainder = match(side, n.account, idx, leaves);
  out.filled_t = QuantityT(leaves_t.value() - leaves);
  out.leaves_t = QuantityT(leaves);
  if (leaves > 0 && out.remainder == Remainder::kNone) {
    n.leaves_t = leaves;
    link_tail(s, side, idx);
    push_level_event(side, idx);
    out.remainder = Remainder::kRested;
    return out;
  }
  table_erase(n.id, s);
  free_node(s);
  --order_count_;
  return out;
}

Result<std::uint32_t, BookError> OrderBook::restore_order(const BookOrder& o) {
  event_count_ = 0;
  if (o.quantity_t.value() <= 0) return Err{BookError::kBadQuantity};
  if (o.id.value() == 0 || table_find(o.id.value()) != kNil) {
    return Err{BookError::kDuplicateOrderId};
  }
  if (auto st = check_price(o.price_fen); !st) return Err{st.error()};
  const auto idx = static_cast<std::uint32_t>(grid_index(o.price_fen));
  if (order_count_ >= config_.max_orders) return Err{BookError::kBookFull};
  if (level_at(o.side, idx).count >= config_.max_orders_per_level) {
    return Err{BookError::kLevelFull};
  }
  if (crosses(o.side, idx, best_opposite(o.side))) return Err{BookError::kWouldCross};
  const std::uint32_t slot = allocate_node();
  Node& n = nodes_[slot];
  n.id = o.id.value();
  n.leaves_t = o.quantity_t.value();
  n.account = o.account.value();
  link_tail(slot, o.side, idx);
  table_insert(n.id, slot);
  ++order_count_;
  push_level_event(o.side, idx);
  return slot;
}

Status<BookError> OrderBook::rebase(PriceFen low_fen, PriceFen high_fen) {
  if (order_count_ != 0) return Err{BookError::kNotEmpty};
  if (low_fen.value() <= 0 || high_fen < low_fen || low_fen.value() % tick_ != 0 ||
      high_fen.value() % tick_ != 0) {
    return Err{BookError::kPriceOutOfRange};
  }
  const std::int64_t levels = (high_fen.value() - low_fen.value()) / tick_ + 1;
  if (levels > static_cast<std::int64_t>(config_.max_price_levels)) {
    return Err{BookError::kPriceOutOfRange};
  }
  configure_grid(low_fen, high_fen);
  return {};
}

std::optional<PriceFen> OrderBook::best_bid() const {
  if (best_[0] < 0) return std::nullopt;
  return price_of(static_cast<std::uint32_t>(best_[0]));
}

std::optional<PriceFen> OrderBook::best_ask() const {
  if (best_[1] < 0) return std::nullopt;
  return price_of(static_cast<std::uint32_t>(best_[1]));
}

QuantityT OrderBook::level_quantity(Side side, PriceFen p) const {
  const std::int64_t idx = grid_index(p);
  if (idx < 0) return QuantityT(0);
  return QuantityT(level_at(side, static_cast<std::uint32_t>(idx)).quantity_t);
}

std::uint32_t OrderBook::level_order_count(Side side, PriceFen p) const {
  const std::int64_t idx = grid_index(p);
  if (idx < 0) return 0;
  return level_at(side, static_cast<std::uint32_t>(idx)).count;
}

std::optional<OrderView> OrderBook::find(OrderId id) const {
  const std::uint32_t s = table_find(id.value());
  if (s == kNil) return std::nullopt;
  const Node& n = nodes_[s];
  return OrderView{
      id, AccountId(n.account), side_of(n), price_of(level_of(n)), QuantityT(n.leaves_t), s};
}

inline std::uint32_t OrderBook::allocate_node() {
  if (free_head_ != kNil) {
    const std::uint32_t s = free_head_;
    free_head_ = nodes_[s].next;
    return s;
  }
  CX_ASSERT(fresh_ < node_capacity_);
  return fresh_++;
}

inline void OrderBook::free_node(std::uint32_t slot) {
  nodes_[slot].id = 0;
  nodes_[slot].next = free_head_;
  free_head_ = slot;
}

inline void OrderBook::link_tail(std::uint32_t slot, Side side, std::uint32_t idx) {
  CX_ASSERT(idx < grid_levels_);
  Node& n = nodes_[slot];
  Level& lv = level_at(side, idx);
  n.level_side = idx | (side == Side::kSell ? kSellBit : 0);
  n.next = kNil;
  n.prev = lv.tail;
  if (lv.tail == kNil) {
    lv.head = slot;
  } else {
    nodes_[lv.tail].next = slot;
  }
  lv.tail = slot;
  lv.quantity_t += n.leaves_t;
  if (++lv.count == 1) {
    const std::size_t si = side_index(side);
    set_bit(si, idx);
    const auto i = static_cast<std::int64_t>(idx);
    if (si == 0 ? best_[0] < i : (best_[1] < 0 || i < best_[1])) best_[si] = i;
  }
}

inline void OrderBook::unlink(std::uint32_t slot) {
  Node& n = nodes_[slot];
  const std::uint32_t idx = level_of(n);
  const std::size_t si = side_index(side_of(n));
  Level& lv = levels_[si][idx];
  CX_ASSERT(lv.count > 0);
  if (n.prev == kNil) {
    lv.head = n.next;
  } else {
    nodes_[n.prev].next = n.next;
  }
  if (n.next == kNil) {
    lv.tail = n.prev;
  } else {
    nodes_[n.next].prev = n.prev;
  }
  lv.quantity_t -= n.leaves_t;
  if (--lv.count == 0) {
    CX_ASSERT(lv.quantity_t == 0);
    clear_bit(si, idx);
    if (best_[si] == static_cast<std::int64_t>(idx)) {
      best_[si] = si == 0 ? next_down(0, static_cast<std::int64_t>(idx) - 1) : next_up(1, idx + 1);
    }
  }
}

inline void OrderBook::remove_resting(std::uint32_t slot) {
  unlink(slot);
  table_erase(nodes_[slot].id, slot);
  free_node(slot);
  CX_ASSERT(order_count_ > 0);
  --order_count_;
}

inline void OrderBook::set_bit(std::size_t side, std::uint32_t idx) {
  const std::uint32_t w = idx >> 6;
  bits_[side][w] |= std::uint64_t{1} << (idx & 63);
  summary_[side][w >> 6] |= std::uint64_t{1} << (w & 63);
}

inline void OrderBook::clear_bit(std::size_t side, std::uint32_t idx) {
  const std::uint32_t w = idx >> 6;
  bits_[side][w] &= ~(std::uint64_t{1} << (idx & 63));
  if (bits_[side][w] == 0) summary_[side][w >> 6] &= ~(std::uint64_t{1} << (w & 63));
}

inline std::uint32_t OrderBook::table_probe(const Entry* t, unsigned bits, std::uint64_t id) const {
  const auto tag = static_cast<std::uint16_t>(id);
  const std::size_t mask = (std::size_t{1} << bits) - 1;
  for (std::size_t i = home_in(id, bits);; i = (i + 1) & mask) {
    const Entry e = t[i];
    if (e.slot1 == 0) return kNil;
    if (e.tag == tag && nodes_[e.slot1 - 1].id == id) return e.slot1 - 1;
  }
}

inline std::uint32_t OrderBook::table_find(std::uint64_t id) const {
  // An all-zero entry is empty: id 0 is never resting.
  if (id == 0) return kNil;
  const std::uint32_t s = table_probe(table_, table_bits_, id);
  if (s != kNil || old_ == nullptr) [[likely]]
    return s;
  return table_probe(old_, old_bits_, id);  // a resize is moving entries over
}

inline void OrderBook::table_insert(std::uint64_t id, std::uint32_t slot) {
  // At most half full: probe chains stay short. max_orders resting fit in the largest table.
  if (2 * (std::size_t{table_count_} + 1) > table_mask_ + 1) [[unlikely]] {
    if (old_ != nullptr) migrate_step(~std::size_t{0}, ~std::size_t{0});  // finish the last one
    start_resize(table_bits_ + 1);
  }
  table_place(id, slot);
  ++table_count_;
  table_maintain();
}

inline void OrderBook::table_place(std::uint64_t id, std::uint32_t slot) {
  CX_ASSERT(id != 0);
  const auto tag = static_cast<std::uint16_t>(id);
  std::size_t i = table_home(id);
  std::uint32_t dist = 0;
  while (table_[i].slot1 != 0) {
    CX_ASSERT(table_[i].tag != tag || nodes_[table_[i].slot1 - 1].id != id);
    i = (i + 1) & table_mask_;
    ++dist;
  }
  CX_ASSERT(dist <= 0xFFFF);
  table_[i] = Entry{slot + 1, tag, static_cast<std::uint16_t>(dist)};
}

inline void OrderBook::table_erase(std::uint64_t id, std::uint32_t slot) {
  std::size_t i = table_home(id);
  while (table_[i].slot1 != slot + 1 && table_[i].slot1 != 0)
    i = (i + 1) & table_mask_;
  if (table_[i].slot1 != 0) [[likely]] {
    table_remove_at(table_, table_mask_, i);
  } else {  // not moved over yet: in the old table
    CX_ASSERT(old_ != nullptr);
    const std::size_t mask = (std::size_t{1} << old_bits_) - 1;
    std::size_t j = home_in(id, old_bits_);
    while (old_[j].slot1 != slot + 1) {
      CX_ASSERT(old_[j].slot1 != 0);
      j = (j + 1) & mask;
    }
    table_remove_at(old_, mask, j);
  }
  CX_ASSERT(table_count_ > 0);
  --table_count_;
  table_maintain();
}

void OrderBook::table_remove_at(Entry* t, std::size_t mask, std::size_t i) {
  // Backward-shift deletion keeps every probe chain unbroken without tombstones: an entry moves
  // into the hole when its home is not in (hole, its place]. It never moves an entry out of its
  // run (no entry crosses an empty slot), so the emptied start of an old table stays empty.
  std::size_t j = i;
  for (;;) {
    j = (j + 1) & mask;
    const Entry e = t[j];
    if (e.slot1 == 0) break;
    const std::size_t from_hole = (j - i) & mask;
    if (e.dist < from_hole) continue;
    t[i] = Entry{e.slot1, e.tag, static_cast<std::uint16_t>(e.dist - from_hole)};
    i = j;
  }
  t[i] = Entry{0, 0, 0};
}

inline void OrderBook::table_maintain() {
  ++table_ops_;
  if (old_ != nullptr) [[unlikely]] {
    // Up to 2 entries moved (each a node read and a probe of the new table, often cache misses)
    // or 256 slots looked at per insert or erase: a doubling (old table half full) is done after
    // ~size/4 of them, before the new table can be half full (size/2 inserts); a halving (old
    // table below 1/16) after ~size/32. More per call showed in p99.9 (8 moves: the deep-book
    // scenario's p99.9 0.4 -> 0.9-1.2 us).
    migrate_step(2, 256);
    return;
  }
  // Below 1/16 full: halve (to below 1/8, so a grow is at least 4x as many orders away).
  if (16 * std::size_t{table_count_} < table_mask_ + 1 && table_bits_ > table_min_bits_)
      [[unlikely]] {
    start_resize(table_bits_ - 1);
    return;
  }
  if ((table_ops_ & 15) == 0) prepare_resize();
}

void OrderBook::prepare_resize() {
  // The next table, larger or smaller, starts at the beginning of the other half: zero its pages
  // one at a time (one every 16 inserts or erases) once this one is 3/8 full (a doubling is at
  // least size/8 inserts away; its 16 x size bytes take size/256 pages) or below 1/8 (a halving
  // is size/16 erases away; its 4 x size bytes take size/1024 pages). The first touch of a page
  // costs microseconds on this machine's VM; thousands at once made a resize a stall. (From 1/4
  // full, a table that settles between 1/4 and 3/8 kept twice its size zeroed for nothing.)
  const std::size_t size = table_mask_ + 1;
  std::size_t want = 0;
  if (8 * std::size_t{table_count_} >= 3 * size && table_bits_ < table_max_bits_) {
    want = 2 * size * sizeof(Entry);
  } else if (8 * std::size_t{table_count_} < size && table_bits_ > table_min_bits_) {
    want = size / 2 * sizeof(Entry);
  }
  if (zeroed_bytes_ >= want) return;
  Entry* const other = table_half(table_bits_ + 1);
  CX_ASSERT(other != table_);
  const std::size_t n = std::min<std::size_t>(4096, want - zeroed_bytes_);
  write_zeros(reinterpret_cast<char*>(other) + zeroed_bytes_, n);
  zeroed_bytes_ += n;
}

void OrderBook::start_resize(unsigned bits) {
  CX_ASSERT(old_ == nullptr);
  CX_ASSERT(bits >= table_min_bits_ && bits <= table_max_bits_ && bits != table_bits_);
  Entry* const to = table_half(bits);
  CX_ASSERT(to != table_);
  const std::size_t bytes = (std::size_t{1} << bits) * sizeof(Entry);
  // What prepare_resize has not zeroed yet (this half may hold an older, smaller table).
  if (zeroed_bytes_ < bytes) {
    write_zeros(reinterpret_cast<char*>(to) + zeroed_bytes_, bytes - zeroed_bytes_);
  }
  old_ = table_;
  old_bits_ = table_bits_;
  migrate_pos_ = 0;
  table_ = to;
  table_bits_ = bits;
  table_mask_ = (std::size_t{1} << bits) - 1;
  zeroed_bytes_ = 0;  // the other half is now the old table's
}

void OrderBook::migrate_step(std::size_t max_moves, std::size_t max_scan) {
  CX_ASSERT(old_ != nullptr);
  const std::size_t old_size = std::size_t{1} << old_bits_;
  std::size_t moves = 0;
  std::size_t scanned = 0;
  // Whole runs at a time: emptying part of a run would cut the probe chains of the rest. The
  // run through old_[0] may have begun at the end of the table; taking it first leaves old_[0]
  // empty, so no later run wraps into the emptied part.
  while (migrate_pos_ < old_size && moves < max_moves && scanned < max_scan) {
    while (migrate_pos_ < old_size && old_[migrate_pos_].slot1 != 0) {
      const std::uint32_t slot = old_[migrate_pos_].slot1 - 1;
      table_place(nodes_[slot].id, slot);
      old_[migrate_pos_] = Entry{0, 0, 0};
      ++migrate_pos_;
      ++moves;
      ++scanned;
    }
    if (migrate_pos_ < old_size) {
      ++migrate_pos_;  // an empty slot: the next run starts after it
      ++scanned;
    }
  }
  if (migrate_pos_ < old_size) return;
  // Emptied. After a shrink, the old table's pages beyond what its half holds at the next smaller
  // size go back to the kernel (zero-filled when touched again), so what is resident follows the
  // live orders down as well as up. After a grow they are kept: the next grow into that half
  // reuses them instead of faulting them in again.
  if (old_bits_ > table_bits_) {
    const std::size_t keep = (old_size / 4) * sizeof(Entry);  // the half's next smaller table
    const std::size_t bytes = old_size * sizeof(Entry) - keep;
    if (keep % 4096 == 0 && bytes >= 64 * 1024) {
      (void)::madvise(reinterpret_cast<char*>(old_) + keep, bytes, MADV_DONTNEED);
    }
  }
  old_ = nullptr;
  old_bits_ = 0;
  migrate_pos_ = 0;
}

std::size_t OrderBook::memory_bytes() const {
  std::size_t bytes = std::size_t{node_capacity_} * sizeof(Node) +
                      table_region_.get_deleter().bytes + events_capacity_ * sizeof(BookEvent);
  for (std::size_t s = 0; s < 2; ++s) {
    bytes += levels_[s].capacity() * sizeof(Level);
    bytes += (bits_[s].capacity() + summary_[s].capacity()) * sizeof(std::uint64_t);
  }
  return bytes;
}

}  // namespace carbonx

namespace carbonx {

// validate() checks the whole structure; each failed check returns false (tests assert on it).
bool OrderBook::validate() const {
  std::uint32_t total = 0;
  for (std::size_t si = 0; si < 2; ++si) {
    const Side side = si == 0 ? Side::kBuy : Side::kSell;
    std::int64_t expect_best = -1;
    for (std::uint32_t idx = 0; idx < config_.max_price_levels; ++idx) {
      const Level& lv = levels_[si][idx];
      const bool bit = (bits_[si][idx >> 6] >> (idx & 63)) & 1;
      if ((lv.count > 0) != bit) return false;
      if (lv.count == 0) {
        if (lv.head != kNil || lv.tail != kNil || lv.quantity_t != 0) return false;
        continue;
      }
      if (idx >= grid_levels_ || lv.count > config_.max_orders_per_level) return false;
      if (si == 0 || expect_best < 0) expect_best = idx;  // bids: highest; asks: lowest
      std::int64_t qty = 0;
      std::uint32_t count = 0;
      std::uint32_t prev = kNil;
      for (std::uint32_t s = lv.head; s != kNil; s = nodes_[s].next) {
        const Node& n = nodes_[s];
        if (n.prev != prev || level_of(n) != idx || side_of(n) != side || n.leaves_t <= 0) {
          return false;
        }
        if (n.id == 0 || table_find(n.id) != s) return false;
        qty += n.leaves_t;
        prev = s;
        if (++count > lv.count) return false;
      }
      if (prev != lv.tail || count != lv.count || qty != lv.quantity_t) return false;
      total += count;
    }
    if (best_[si] != expect_best) return false;
    for (std::size_t w = 0; w < bits_[si].size(); ++w) {
      const bool s = (summary_[si][w >> 6] >> (w & 63)) & 1;
      if (s != (bits_[si][w] != 0)) return false;
    }
  }
  if (total != order_count_) return false;
  std::uint32_t free_count = 0;
  for (std::uint32_t s = free_head_; s != kNil; s = nodes_[s].next) {
    if (s >= fresh_ || nodes_[s].id != 0 || ++free_count > fresh_) return false;
  }
  if (free_count + order_count_ != fresh_) return false;
  std::uint32_t keys = 0;
  const auto check_table = [&](const Entry* t, unsigned bits, std::size_t empty_below) {
    const std::size_t mask = (std::size_t{1} << bits) - 1;
    for (std::size_t i = 0; i <= mask; ++i) {
      const Entry& e = t[i];
      if (e.slot1 == 0) continue;
      if (i < empty_below) return false;  // the emptied start of an old table
      ++keys;
      if (e.slot1 > fresh_) return false;
      const std::uint64_t id = nodes_[e.slot1 - 1].id;
      if (id == 0 || e.tag != static_cast<std::uint16_t>(id)) return false;
      if (((home_in(id, bits) + e.dist) & mask) != i) return false;
      if (table_find(id) != e.slot1 - 1) return false;
    }
    return true;
  };
  if (!check_table(table_, table_bits_, 0)) return false;
  if (old_ != nullptr) {
    if (old_bits_ < table_min_bits_ || old_bits_ > table_max_bits_) return false;
    if (old_ != table_half(old_bits_) || old_ == table_) return false;
    if (migrate_pos_ > (std::size_t{1} << old_bits_)) return false;
    if (!check_table(old_, old_bits_, migrate_pos_)) return false;
  }
  if (keys != order_count_ || keys != table_count_) return false;
  if (table_bits_ < table_min_bits_ || table_bits_ > table_max_bits_) return false;
  if (2 * std::size_t{keys} > table_mask_ + 1) return false;  // at most half full
  if (table_ != table_half(table_bits_)) return false;
  if (best_[0] >= 0 && best_[1] >= 0 && best_[0] >= best_[1]) return false;
  return true;
}

}  // namespace carbonx
