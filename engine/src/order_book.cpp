#include "carbonx/engine/order_book.hpp"

#include <algorithm>
#include <bit>
#include <utility>

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

OrderBook::OrderBook(const BookConfig& c) : config_(c), tick_(c.tick_fen.value()) {
  CX_ASSERT(tick_ > 0);
  CX_ASSERT(c.low_fen.value() > 0 && c.low_fen.value() % tick_ == 0);
  CX_ASSERT(c.high_fen >= c.low_fen && c.high_fen.value() % tick_ == 0);
  CX_ASSERT(c.max_orders > 0 && c.max_orders < kNil);
  CX_ASSERT(c.max_orders_per_level > 0);
  CX_ASSERT(c.max_fills_per_order > 0);
  const std::int64_t levels = (c.high_fen.value() - c.low_fen.value()) / tick_ + 1;
  CX_ASSERT(levels <= static_cast<std::int64_t>(c.max_price_levels));
  grid_levels_ = static_cast<std::uint32_t>(levels);
  nodes_.resize(c.max_orders);
  free_.resize(c.max_orders);
  for (std::uint32_t i = 0; i < c.max_orders; ++i)
    free_[i] = c.max_orders - 1 - i;
  std::size_t table_size = 16;
  while (table_size < 2 * static_cast<std::size_t>(c.max_orders))
    table_size *= 2;
  table_.assign(table_size, Slot{0, 0});
  table_bits_ = static_cast<unsigned>(std::countr_zero(table_size));
  const std::size_t words = (c.max_price_levels + 63) / 64;
  for (std::size_t s = 0; s < 2; ++s) {
    levels_[s].assign(c.max_price_levels, Level{});
    bits_[s].assign(words, 0);
    summary_[s].assign((words + 63) / 64, 0);
  }
  events_capacity_ = 2 * static_cast<std::size_t>(c.max_fills_per_order) + 8;
  events_.reserve(events_capacity_);
}

Status<BookError> OrderBook::check_price(PriceFen p) const {
  if (p < config_.low_fen || p > config_.high_fen) return Err{BookError::kPriceOutOfRange};
  if (p.value() % tick_ != 0) return Err{BookError::kPriceNotOnTick};
  return {};
}

std::int64_t OrderBook::best_opposite(Side incoming) const {
  return best_[incoming == Side::kBuy ? 1 : 0];
}

bool OrderBook::crosses(Side incoming, std::uint32_t limit_idx, std::int64_t best) const {
  if (best < 0) return false;
  return incoming == Side::kBuy ? best <= static_cast<std::int64_t>(limit_idx)
                                : best >= static_cast<std::int64_t>(limit_idx);
}

std::optional<AccountId> OrderBook::first_match_account(Side incoming, PriceFen limit_fen) const {
  if (check_price(limit_fen).ok() == false) return std::nullopt;
  const std::int64_t b = best_opposite(incoming);
  if (!crosses(incoming, index_of(limit_fen), b)) return std::nullopt;
  const Level& lv = level_at(opposite(incoming), static_cast<std::uint32_t>(b));
  CX_ASSERT(lv.head != kNil);
  return AccountId(nodes_[lv.head].account);
}

std::int64_t OrderBook::fillable(Side side, AccountId account, std::uint32_t limit_idx,
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

Status<BookError> OrderBook::check_match(Side side, AccountId account, std::uint32_t limit_idx,
                                         TimeInForce tif, QuantityT qty) const {
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

Status<BookError> OrderBook::check_add(const BookOrder& o) const {
  if (o.quantity_t.value() <= 0) return Err{BookError::kBadQuantity};
  if (o.id.value() == 0) return Err{BookError::kDuplicateOrderId};
  // With fresh_ids the caller guarantees uniqueness; table_insert still asserts it on resting.
  if (!config_.fresh_ids && table_find(o.id.value()) != nullptr) {
    return Err{BookError::kDuplicateOrderId};
  }
  std::uint32_t limit_idx = 0;
  if (o.type == OrderType::kClick) {
    if (o.tif != TimeInForce::kIoc) return Err{BookError::kBadTimeInForce};
    const std::int64_t b = best_opposite(o.side);
    if (b < 0) return Err{BookError::kNoOppositeOrders};
    limit_idx = static_cast<std::uint32_t>(b);
  } else {
    if (auto st = check_price(o.price_fen); !st) return st;
    limit_idx = index_of(o.price_fen);
  }
  if (o.tif == TimeInForce::kDay) {
    if (order_count_ >= config_.max_orders) return Err{BookError::kBookFull};
    if (level_at(o.side, limit_idx).count >= config_.max_orders_per_level) {
      return Err{BookError::kLevelFull};
    }
  }
  return check_match(o.side, o.account, limit_idx, o.tif, o.quantity_t);
}

Result<AddOutcome, BookError> OrderBook::add(const BookOrder& o) {
  if (auto st = check_add(o); !st) {
    events_.clear();
    return Err{st.error()};
  }
  return add_checked(o);
}

AddOutcome OrderBook::add_checked(const BookOrder& o) {
  events_.clear();
  CX_ASSERT(o.quantity_t.value() > 0);
  const std::uint32_t limit_idx = o.type == OrderType::kClick
                                      ? static_cast<std::uint32_t>(best_opposite(o.side))
                                      : index_of(o.price_fen);
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

Remainder OrderBook::match(Side side, std::uint32_t account, std::uint32_t limit_idx,
                           std::int64_t& leaves) {
  const Side opp = opposite(side);
  const std::size_t oi = side_index(opp);
  std::uint32_t steps = 0;
  while (leaves > 0) {
    const std::int64_t b = best_[oi];
    if (!crosses(side, limit_idx, b)) return Remainder::kNone;
    const auto idx = static_cast<std::uint32_t>(b);
    Level& lv = levels_[oi][idx];
    const PriceFen price = price_of(idx);
    Remainder stop = Remainder::kNone;
    while (lv.head != kNil && leaves > 0) {
      if (steps == config_.max_fills_per_order) {
        stop = Remainder::kCancelledFillLimit;
        break;
      }
      const std::uint32_t s = lv.head;
      Node& r = nodes_[s];
      if (r.account == account) {
        if (config_.stp == StpMode::kCancelIncoming) {
          stop = Remainder::kCancelledSelfTrade;
          break;
        }
        ++steps;
        push_event(BookEvent{BookEventKind::kRestingCancelled, opp, s, OrderId(r.id),
                             AccountId(r.account), price, QuantityT(r.leaves_t), QuantityT(0),
                             QuantityT(leaves)});
        remove_resting(s);
        if (config_.stp == StpMode::kCancelBoth) {
          stop = Remainder::kCancelledSelfTrade;
          break;
        }
        continue;
      }
      ++steps;
      const std::int64_t q = std::min(leaves, r.leaves_t);
      r.leaves_t -= q;
      lv.quantity_t -= q;
      leaves -= q;
      push_event(BookEvent{BookEventKind::kFill, side, s, OrderId(r.id), AccountId(r.account),
                           price, QuantityT(q), QuantityT(r.leaves_t), QuantityT(leaves)});
      if (r.leaves_t == 0) remove_resting(s);
    }
    push_level_event(opp, idx);
    if (stop != Remainder::kNone) return stop;
  }
  return Remainder::kNone;
}

Result<OrderView, BookError> OrderBook::cancel(OrderId id) {
  events_.clear();
  const std::uint32_t* slot = table_find(id.value());
  if (slot == nullptr) return Err{BookError::kUnknownOrder};
  const std::uint32_t s = *slot;
  const Node& n = nodes_[s];
  const OrderView view{id, AccountId(n.account), n.side, price_of(n.level), QuantityT(n.leaves_t),
                       s};
  const std::uint32_t idx = n.level;
  remove_resting(s);
  push_level_event(view.side, idx);
  return view;
}

Status<BookError> OrderBook::check_replace(OrderId id, PriceFen price_fen,
                                           QuantityT leaves_t) const {
  const std::uint32_t* slot = table_find(id.value());
  if (slot == nullptr) return Err{BookError::kUnknownOrder};
  if (leaves_t.value() <= 0) return Err{BookError::kBadQuantity};
  if (auto st = check_price(price_fen); !st) return st;
  const Node& n = nodes_[*slot];
  const std::uint32_t idx = index_of(price_fen);
  if (idx == n.level && leaves_t.value() <= n.leaves_t) return {};
  if (idx != n.level && level_at(n.side, idx).count >= config_.max_orders_per_level) {
    return Err{BookError::kLevelFull};
  }
  return check_match(n.side, AccountId(n.account), idx, TimeInForce::kDay, leaves_t);
}

Result<AddOutcome, BookError> OrderBook::replace(OrderId id, PriceFen price_fen,
                                                 QuantityT leaves_t) {
  if (auto st = check_replace(id, price_fen, leaves_t); !st) {
    events_.clear();
    return Err{st.error()};
  }
  return replace_checked(id, price_fen, leaves_t);
}

AddOutcome OrderBook::replace_checked(OrderId id, PriceFen price_fen, QuantityT leaves_t) {
  events_.clear();
  const std::uint32_t* found = table_find(id.value());
  CX_ASSERT(found != nullptr);
  const std::uint32_t s = *found;
  Node& n = nodes_[s];
  const Side side = n.side;
  const std::uint32_t idx = index_of(price_fen);
  AddOutcome out;
  out.limit_fen = price_fen;
  out.slot = s;
  if (idx == n.level && leaves_t.value() <= n.leaves_t) {
    const std::int64_t delta = n.leaves_t - leaves_t.value();
    n.leaves_t = leaves_t.value();
    level_at(side, idx).quantity_t -= delta;
    if (delta > 0) push_level_event(side, idx);
    out.leaves_t = leaves_t;
    out.remainder = Remainder::kRested;
    out.kept_priority = true;
    return out;
  }
  const std::uint32_t old_idx = n.level;
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
  table_erase(n.id);
  free_node(s);
  --order_count_;
  return out;
}

Result<std::uint32_t, BookError> OrderBook::restore_order(const BookOrder& o) {
  events_.clear();
  if (o.quantity_t.value() <= 0) return Err{BookError::kBadQuantity};
  if (o.id.value() == 0 || table_find(o.id.value()) != nullptr) {
    return Err{BookError::kDuplicateOrderId};
  }
  if (auto st = check_price(o.price_fen); !st) return Err{st.error()};
  const std::uint32_t idx = index_of(o.price_fen);
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
  config_.low_fen = low_fen;
  config_.high_fen = high_fen;
  grid_levels_ = static_cast<std::uint32_t>(levels);
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
  if (!check_price(p)) return QuantityT(0);
  return QuantityT(level_at(side, index_of(p)).quantity_t);
}

std::uint32_t OrderBook::level_order_count(Side side, PriceFen p) const {
  if (!check_price(p)) return 0;
  return level_at(side, index_of(p)).count;
}

std::optional<OrderView> OrderBook::find(OrderId id) const {
  const std::uint32_t* slot = table_find(id.value());
  if (slot == nullptr) return std::nullopt;
  const Node& n = nodes_[*slot];
  return OrderView{id,   AccountId(n.account), n.side, price_of(n.level), QuantityT(n.leaves_t),
                   *slot};
}

std::uint32_t OrderBook::allocate_node() {
  CX_ASSERT(!free_.empty());
  const std::uint32_t s = free_.back();
  free_.pop_back();
  return s;
}

void OrderBook::free_node(std::uint32_t slot) {
  CX_ASSERT(free_.size() < nodes_.size());
  nodes_[slot].id = 0;
  free_.push_back(slot);
}

void OrderBook::link_tail(std::uint32_t slot, Side side, std::uint32_t idx) {
  CX_ASSERT(idx < grid_levels_);
  Node& n = nodes_[slot];
  Level& lv = level_at(side, idx);
  n.side = side;
  n.level = idx;
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

void OrderBook::unlink(std::uint32_t slot) {
  Node& n = nodes_[slot];
  Level& lv = level_at(n.side, n.level);
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
    const std::size_t si = side_index(n.side);
    clear_bit(si, n.level);
    if (best_[si] == static_cast<std::int64_t>(n.level)) {
      best_[si] =
          si == 0 ? next_down(0, static_cast<std::int64_t>(n.level) - 1) : next_up(1, n.level + 1);
    }
  }
}

void OrderBook::remove_resting(std::uint32_t slot) {
  unlink(slot);
  table_erase(nodes_[slot].id);
  free_node(slot);
  CX_ASSERT(order_count_ > 0);
  --order_count_;
}

void OrderBook::push_event(const BookEvent& e) {
  CX_ASSERT(events_.size() < events_capacity_);
  events_.push_back(e);
}

void OrderBook::push_level_event(Side side, std::uint32_t idx) {
  BookEvent e;
  e.kind = BookEventKind::kLevel;
  e.side = side;
  e.price_fen = price_of(idx);
  e.quantity_t = QuantityT(level_at(side, idx).quantity_t);
  push_event(e);
}

void OrderBook::set_bit(std::size_t side, std::uint32_t idx) {
  const std::uint32_t w = idx >> 6;
  bits_[side][w] |= std::uint64_t{1} << (idx & 63);
  summary_[side][w >> 6] |= std::uint64_t{1} << (w & 63);
}

void OrderBook::clear_bit(std::size_t side, std::uint32_t idx) {
  const std::uint32_t w = idx >> 6;
  bits_[side][w] &= ~(std::uint64_t{1} << (idx & 63));
  if (bits_[side][w] == 0) summary_[side][w >> 6] &= ~(std::uint64_t{1} << (w & 63));
}

std::int64_t OrderBook::next_up(std::size_t side, std::uint32_t from) const {
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

std::int64_t OrderBook::next_down(std::size_t side, std::int64_t from) const {
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

const std::uint32_t* OrderBook::table_find(std::uint64_t id) const {
  // Key 0 marks an empty slot: id 0 is never resting (it would match the first empty slot and
  // name whatever order sits in pool slot 0).
  if (id == 0) return nullptr;
  const std::size_t mask = table_.size() - 1;
  for (std::size_t i = table_home(id);; i = (i + 1) & mask) {
    if (table_[i].key == id) return &table_[i].value;
    if (table_[i].key == 0) return nullptr;
  }
}

std::uint32_t* OrderBook::table_find(std::uint64_t id) {
  return const_cast<std::uint32_t*>(std::as_const(*this).table_find(id));
}

void OrderBook::table_insert(std::uint64_t id, std::uint32_t slot) {
  CX_ASSERT(id != 0);
  const std::size_t mask = table_.size() - 1;
  std::size_t i = table_home(id);
  while (table_[i].key != 0) {
    CX_ASSERT(table_[i].key != id);
    i = (i + 1) & mask;
  }
  table_[i] = Slot{id, slot};
}

void OrderBook::table_erase(std::uint64_t id) {
  const std::size_t mask = table_.size() - 1;
  std::size_t i = table_home(id);
  while (table_[i].key != id) {
    CX_ASSERT(table_[i].key != 0);
    i = (i + 1) & mask;
  }
  // Backward-shift deletion keeps every probe chain unbroken without tombstones.
  std::size_t j = i;
  for (;;) {
    j = (j + 1) & mask;
    if (table_[j].key == 0) break;
    const std::size_t k = table_home(table_[j].key);
    const bool k_in_i_j = i <= j ? (i < k && k <= j) : (i < k || k <= j);
    if (k_in_i_j) continue;
    table_[i] = table_[j];
    i = j;
  }
  table_[i] = Slot{0, 0};
}

std::size_t OrderBook::memory_bytes() const {
  std::size_t bytes = nodes_.capacity() * sizeof(Node) + free_.capacity() * sizeof(std::uint32_t) +
                      table_.capacity() * sizeof(Slot) + events_.capacity() * sizeof(BookEvent);
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
        if (n.prev != prev || n.level != idx || n.side != side || n.leaves_t <= 0) return false;
        const std::uint32_t* found = table_find(n.id);
        if (found == nullptr || *found != s) return false;
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
  if (total != order_count_ || free_.size() + order_count_ != nodes_.size()) return false;
  std::uint32_t keys = 0;
  for (const Slot& s : table_)
    keys += s.key != 0 ? 1 : 0;
  if (keys != order_count_) return false;
  if (best_[0] >= 0 && best_[1] >= 0 && best_[0] >= best_[1]) return false;
  return true;
}

}  // namespace carbonx
