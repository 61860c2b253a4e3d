#pragma once
// A naive order book written for clarity, the oracle of the randomized differential tests.
// std::map of price -> std::deque of orders; every rule spelled out the obvious way. Same
// contract as carbonx::OrderBook (see order_book.hpp), no performance goals at all.

#include <algorithm>
#include <deque>
#include <map>
#include <optional>
#include <vector>

#include "carbonx/engine/order_book.hpp"

namespace carbonx::testing {

struct RefFill {
  OrderId resting_id;
  AccountId resting_account;
  PriceFen price_fen;
  QuantityT quantity_t;
  friend bool operator==(const RefFill&, const RefFill&) = default;
};

struct RefOutcome {
  bool ok = true;
  BookError error = BookError::kUnknownOrder;
  std::vector<RefFill> fills;
  std::vector<OrderId> stp_cancelled;
  QuantityT filled_t{0};
  QuantityT leaves_t{0};
  Remainder remainder = Remainder::kNone;
  bool kept_priority = false;
};

class ReferenceBook {
 public:
  explicit ReferenceBook(const BookConfig& c) : c_(c) {}

  struct Order {
    OrderId id;
    AccountId account;
    Side side;
    PriceFen price;
    std::int64_t leaves;
  };

  RefOutcome add(const BookOrder& o) {
    RefOutcome out;
    if (o.quantity_t.value() <= 0) return fail(BookError::kBadQuantity);
    if (o.id.value() == 0 || find(o.id)) return fail(BookError::kDuplicateOrderId);
    PriceFen limit = o.price_fen;
    if (o.type == OrderType::kClick) {
      if (o.tif != TimeInForce::kIoc) return fail(BookError::kBadTimeInForce);
      auto best = best_of(opposite(o.side));
      if (!best) return fail(BookError::kNoOppositeOrders);
      limit = *best;
    } else {
      if (limit < c_.low_fen || limit > c_.high_fen) return fail(BookError::kPriceOutOfRange);
      if (limit.value() % c_.tick_fen.value() != 0) return fail(BookError::kPriceNotOnTick);
    }
    if (o.tif == TimeInForce::kDay) {
      if (count() >= c_.max_orders) return fail(BookError::kBookFull);
      if (level_size(o.side, limit) >= c_.max_orders_per_level) {
        return fail(BookError::kLevelFull);
      }
    }
    if (auto e = pre_match(o.side, o.account, limit, o.tif, o.quantity_t.value())) return fail(*e);
    std::int64_t leaves = o.quantity_t.value();
    out.remainder = run_match(o.side, o.account, limit, leaves, out);
    out.filled_t = QuantityT(o.quantity_t.value() - leaves);
    out.leaves_t = QuantityT(leaves);
    if (leaves > 0 && out.remainder == Remainder::kNone) {
      if (o.tif == TimeInForce::kDay) {
        level(o.side, limit).push_back(Order{o.id, o.account, o.side, limit, leaves});
        out.remainder = Remainder::kRested;
      } else {
        out.remainder = Remainder::kCancelledIoc;
      }
    }
    return out;
  }

  RefOutcome cancel(OrderId id) {
    RefOutcome out;
    auto o = find(id);
    if (!o) return fail(BookError::kUnknownOrder);
    erase(id);
    out.leaves_t = QuantityT(o->leaves);
    return out;
  }

  RefOutcome replace(OrderId id, PriceFen price, QuantityT qty) {
    RefOutcome out;
    auto o = find(id);
    if (!o) return fail(BookError::kUnknownOrder);
    if (qty.value() <= 0) return fail(BookError::kBadQuantity);
    if (price < c_.low_fen || price > c_.high_fen) return fail(BookError::kPriceOutOfRange);
    if (price.value() % c_.tick_fen.value() != 0) return fail(BookError::kPriceNotOnTick);
    if (price == o->price && qty.value() <= o->leaves) {
      for (Order& r : level(o->side, price)) {
        if (r.id == id) r.leaves = qty.value();
      }
      out.leaves_t = qty;
      out.remainder = Remainder::kRested;
      out.kept_priority = true;
      return out;
    }
    if (price != o->price && level_size(o->side, price) >= c_.max_orders_per_level) {
      return fail(BookError::kLevelFull);
    }
    // The replaced order is on its own side: the opposite side decides self-trade.
    if (auto e = pre_match(o->side, o->account, price, TimeInForce::kDay, qty.value())) {
      return fail(*e);
    }
    erase(id);
    std::int64_t leaves = qty.value();
    out.remainder = run_match(o->side, o->account, price, leaves, out);
    out.filled_t = QuantityT(qty.value() - leaves);
    out.leaves_t = QuantityT(leaves);
    if (leaves > 0 && out.remainder == Remainder::kNone) {
      level(o->side, price).push_back(Order{id, o->account, o->side, price, leaves});
      out.remainder = Remainder::kRested;
    }
    return out;
  }

  std::optional<Order> find(OrderId id) const {
    for (const auto* side : {&bids_, &asks_}) {
      for (const auto& [p, q] : *side) {
        for (const Order& o : q) {
          if (o.id == id) return o;
        }
      }
    }
    return std::nullopt;
  }

  std::optional<PriceFen> best_of(Side s) const {
    if (s == Side::kBuy) {
      if (bids_.empty()) return std::nullopt;
      return PriceFen(bids_.rbegin()->first);
    }
    if (asks_.empty()) return std::nullopt;
    return PriceFen(asks_.begin()->first);
  }

  // All orders in priority order: bids best first, then asks best first.
  std::vector<Order> orders() const {
    std::vector<Order> out;
    for (auto it = bids_.rbegin(); it != bids_.rend(); ++it) {
      out.insert(out.end(), it->second.begin(), it->second.end());
    }
    for (const auto& [p, q] : asks_)
      out.insert(out.end(), q.begin(), q.end());
    return out;
  }

  std::uint32_t count() const {
    std::uint32_t n = 0;
    for (const auto* side : {&bids_, &asks_}) {
      for (const auto& [p, q] : *side)
        n += static_cast<std::uint32_t>(q.size());
    }
    return n;
  }

 private:
  using Side_ = std::map<std::int64_t, std::deque<Order>>;

  static RefOutcome fail(BookError e) {
    RefOutcome out;
    out.ok = false;
    out.error = e;
    return out;
  }
  Side_& side_map(Side s) { return s == Side::kBuy ? bids_ : asks_; }
  std::deque<Order>& level(Side s, PriceFen p) { return side_map(s)[p.value()]; }
  // Does not create an empty level (an empty deque in the map would look like a price level).
  std::size_t level_size(Side s, PriceFen p) const {
    const Side_& m = s == Side::kBuy ? bids_ : asks_;
    auto it = m.find(p.value());
    return it == m.end() ? 0 : it->second.size();
  }

  bool crosses(Side incoming, PriceFen limit, PriceFen resting) const {
    return incoming == Side::kBuy ? resting <= limit : resting >= limit;
  }

  // The resting orders an incoming order would meet, in order, as far as its limit allows.
  std::vector<Order> opposite_in_order(Side incoming, PriceFen limit) const {
    std::vector<Order> out;
    if (incoming == Side::kBuy) {
      for (const auto& [p, q] : asks_) {
        if (PriceFen(p) > limit) break;
        out.insert(out.end(), q.begin(), q.end());
      }
    } else {
      for (auto it = bids_.rbegin(); it != bids_.rend(); ++it) {
        if (PriceFen(it->first) < limit) break;
        out.insert(out.end(), it->second.begin(), it->second.end());
      }
    }
    return out;
  }

  std::optional<BookError> pre_match(Side side, AccountId account, PriceFen limit, TimeInForce tif,
                                     std::int64_t qty) const {
    const std::vector<Order> opp = opposite_in_order(side, limit);
    if (c_.stp == StpMode::kCancelIncoming && !opp.empty() && opp.front().account == account) {
      return BookError::kSelfTrade;
    }
    if (tif != TimeInForce::kFok) return std::nullopt;
    std::int64_t sum = 0;
    std::uint32_t steps = 0;
    for (const Order& r : opp) {
      if (sum >= qty || steps == c_.max_fills_per_order) break;
      ++steps;
      if (r.account == account) {
        if (c_.stp != StpMode::kCancelResting) break;
        continue;
      }
      sum += r.leaves;
    }
    if (sum < qty) return BookError::kFokNotFillable;
    return std::nullopt;
  }

  Remainder run_match(Side side, AccountId account, PriceFen limit, std::int64_t& leaves,
                      RefOutcome& out) {
    std::uint32_t steps = 0;
    while (leaves > 0) {
      auto best = best_of(opposite(side));
      if (!best || !crosses(side, limit, *best)) return Remainder::kNone;
      std::deque<Order>& q = level(opposite(side), *best);
      Order& r = q.front();
      if (steps == c_.max_fills_per_order) return Remainder::kCancelledFillLimit;
      if (r.account == account) {
        if (c_.stp == StpMode::kCancelIncoming) return Remainder::kCancelledSelfTrade;
        ++steps;
        out.stp_cancelled.push_back(r.id);
        pop_front(opposite(side), *best);
        if (c_.stp == StpMode::kCancelBoth) return Remainder::kCancelledSelfTrade;
        continue;
      }
      ++steps;
      const std::int64_t fill = std::min(leaves, r.leaves);
      out.fills.push_back(RefFill{r.id, r.account, *best, QuantityT(fill)});
      r.leaves -= fill;
      leaves -= fill;
      if (r.leaves == 0) pop_front(opposite(side), *best);
    }
    return Remainder::kNone;
  }

  void pop_front(Side s, PriceFen p) {
    auto& m = side_map(s);
    auto it = m.find(p.value());
    it->second.pop_front();
    if (it->second.empty()) m.erase(it);
  }

  void erase(OrderId id) {
    for (auto* side : {&bids_, &asks_}) {
      for (auto it = side->begin(); it != side->end(); ++it) {
        auto& q = it->second;
        auto o = std::find_if(q.begin(), q.end(), [&](const Order& x) { return x.id == id; });
        if (o != q.end()) {
          q.erase(o);
          if (q.empty()) side->erase(it);
          return;
        }
      }
    }
  }

 private:
  BookConfig c_;
  Side_ bids_;
  Side_ asks_;
};

}  // namespace carbonx::testing
