#pragma once
// Five order-flow shapes for the bare book (issue 15), modelled on a public cross-engine matching
// benchmark. Each stream holds 1,000,000 new orders with sequential ids (1, 2, ...) and, between
// them, cancels of live orders, replaces (most move the price or raise the quantity, so they lose
// time priority; some lower the quantity and keep it) and IOC orders that cross: about 1.7 M
// messages. Generated once (not timed) by simulating against a real OrderBook; deterministic.
//
//   kNormal     the mix around a slowly wandering fair price, ~2,000 live orders
//   kDeep       the same after a static deep book of 40,000 orders over +-2,000 ticks (never
//               cancelled by the flow; those near the touch trade)
//   kSwing25    the fair price swings +25%, -25% and back, twice: stale orders get swept
//   kSwing40    the same with +-40%
//   kFlashCrash a static ladder of 20,000 orders over +-4,000 ticks; halfway the fair price falls
//               40% within 5,000 new orders (sells sweeping the bid ladder), then recovers to -5%
//
// The grid is 5,000..15,000 fen on a 1-fen tick (10,001 levels).

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <string_view>
#include <vector>

#include "bench_engine_workload.hpp"
#include "carbonx/engine/order_book.hpp"

namespace carbonx::bench {

enum class Shape : std::uint8_t { kNormal, kDeep, kSwing25, kSwing40, kFlashCrash };
inline constexpr Shape kShapes[] = {Shape::kNormal, Shape::kDeep, Shape::kSwing25, Shape::kSwing40,
                                    Shape::kFlashCrash};

inline std::string_view shape_name(Shape s) {
  switch (s) {
    case Shape::kNormal:
      return "normal";
    case Shape::kDeep:
      return "deep_40k";
    case Shape::kSwing25:
      return "swing_25";
    case Shape::kSwing40:
      return "swing_40";
    case Shape::kFlashCrash:
      return "flash_crash";
  }
  return "?";
}

inline BookConfig scenario_book_config(std::uint32_t max_orders) {
  BookConfig c;
  c.low_fen = PriceFen(5'000);
  c.high_fen = PriceFen(15'000);
  c.tick_fen = PriceFen(1);
  c.max_orders = max_orders;
  c.max_orders_per_level = 100'000;
  c.max_price_levels = 16'384;
  c.max_fills_per_order = 1'000;
  return c;
}

class ScenarioGenerator {
 public:
  static constexpr std::uint64_t kNewOrders = 1'000'000;

  ScenarioGenerator(Shape shape, std::uint64_t seed)
      : shape_(shape),
        rng_(seed),
        book_(scenario_book_config(1 << 20)),
        statics_(shape == Shape::kDeep ? 40'000 : (shape == Shape::kFlashCrash ? 20'000 : 0)) {}

  std::vector<Msg> generate() {
    std::vector<Msg> out;
    out.reserve(1'800'000);
    const std::uint64_t spread = shape_ == Shape::kDeep ? 2'000 : 4'000;
    while (next_id_ <= statics_) {
      Msg m{};
      const bool buy = pick(2) == 0;
      const std::int64_t away = 1 + static_cast<std::int64_t>(pick(spread));
      if (add(m, buy ? Side::kBuy : Side::kSell, TimeInForce::kDay,
              buy ? 10'000 - away : 10'000 + away, 1 + pick(100))) {
        out.push_back(m);
      }
    }
    while (next_id_ <= kNewOrders) {
      Msg m{};
      if (step(m)) out.push_back(m);
    }
    return out;
  }

 private:
  std::uint64_t pick(std::uint64_t n) { return rng_() % n; }
  std::int64_t geometric(std::int64_t cap) {
    std::int64_t d = 0;
    while (pick(2) == 0 && d < cap)
      ++d;
    return d;
  }

  // The fair price at this point of the stream (progress 0..1 by new orders).
  std::int64_t fair() const {
    const double t = static_cast<double>(next_id_) / static_cast<double>(kNewOrders);
    const auto tri = [](double x) {  // 0 -> 1 -> -1 -> 0 over each unit of x
      const double f = x - std::floor(x);
      return f < 0.25 ? 4 * f : (f < 0.75 ? 2 - 4 * f : 4 * f - 4);
    };
    double p = 10'000;
    switch (shape_) {
      case Shape::kNormal:
      case Shape::kDeep:
        p += 30 * std::sin(8 * 3.14159265358979 * t);
        break;
      case Shape::kSwing25:
        p *= 1 + 0.25 * tri(2 * t);
        break;
      case Shape::kSwing40:
        p *= 1 + 0.40 * tri(2 * t);
        break;
      case Shape::kFlashCrash:
        if (t >= 0.5 && t < 0.505) p = 10'000 - 4'000 * (t - 0.5) / 0.005;
        if (t >= 0.505 && t < 0.55) p = 6'000;
        if (t >= 0.55) p = 6'000 + 3'500 * std::min(1.0, (t - 0.55) / 0.2);
        break;
    }
    return static_cast<std::int64_t>(p);
  }

  bool step(Msg& m) {
    const std::uint64_t r = pick(100);
    const bool too_many = live_.size() > 2'000;
    const std::int64_t f = fair();
    if (!live_.empty() && (r < 22 || (too_many && r < 42))) {
      const std::size_t i = pick_live();
      if (i == kNone) return false;
      m.kind = MsgKind::kCancel;
      m.id = live_[i];
      (void)book_.cancel(OrderId(m.id));
      live_[i] = live_.back();
      live_.pop_back();
      return true;
    }
    if (!live_.empty() && r < 40 + (too_many ? 10 : 0)) return replace(m, f);
    const bool crash = shape_ == Shape::kFlashCrash && f < 9'000 && f > 6'000;
    const bool buy = crash ? pick(5) == 0 : pick(2) == 0;
    const Side side = buy ? Side::kBuy : Side::kSell;
    if (r < 55) {  // IOC: a tick or a few through the opposite touch (or the fair price)
      const std::int64_t through = 1 + geometric(crash ? 60 : 4);
      const auto opp = buy ? book_.best_ask() : book_.best_bid();
      const std::int64_t base = opp ? opp->value() : f;
      const std::int64_t qty = crash ? 100 + static_cast<std::int64_t>(pick(900)) : 1 + pick(100);
      return add(m, side, TimeInForce::kIoc, buy ? base + through : base - through, qty);
    }
    const std::int64_t away = geometric(30) + (pick(20) == 0 ? pick(300) : 0);
    return add(m, side, TimeInForce::kDay, buy ? f - away : f + away, 1 + pick(100));
  }

  bool replace(Msg& m, std::int64_t f) {
    const std::size_t i = pick_live();
    if (i == kNone) return false;
    m.kind = MsgKind::kReplace;
    m.id = live_[i];
    const OrderView v = *book_.find(OrderId(m.id));
    m.side = v.side;
    const std::uint64_t how = pick(10);
    if (how < 2 && v.leaves_t.value() > 1) {  // quantity down: keeps priority
      m.price_fen = v.price_fen.value();
      m.quantity_t = 1 + static_cast<std::int64_t>(pick(v.leaves_t.value() - 1));
    } else if (how < 4) {  // quantity up: loses priority
      m.price_fen = v.price_fen.value();
      m.quantity_t = v.leaves_t.value() + 1 + static_cast<std::int64_t>(pick(20));
    } else {  // a new price near the fair one: loses priority, may trade
      const std::int64_t away = geometric(10);
      m.price_fen = v.side == Side::kBuy ? f - away : f + away;
      m.quantity_t = v.leaves_t.value();
    }
    m.price_fen = std::clamp<std::int64_t>(m.price_fen, 5'000, 15'000);
    (void)book_.replace(OrderId(m.id), PriceFen(m.price_fen), QuantityT(m.quantity_t));
    return true;
  }

  bool add(Msg& m, Side side, TimeInForce tif, std::int64_t price, std::uint64_t qty) {
    m.kind = MsgKind::kNew;
    m.id = next_id_;
    m.side = side;
    m.tif = tif;
    m.account = static_cast<std::uint32_t>(1 + pick(1'000));
    m.quantity_t = static_cast<std::int64_t>(qty);
    m.price_fen = std::clamp<std::int64_t>(price, 5'000, 15'000);
    auto res = book_.add(BookOrder{OrderId(m.id), AccountId(m.account), side, OrderType::kLimit,
                                   tif, PriceFen(m.price_fen), QuantityT(m.quantity_t)});
    if (!res.ok()) return false;  // refused (a self-trade): not part of the stream
    ++next_id_;
    if (res.value().remainder == Remainder::kRested && m.id > statics_) live_.push_back(m.id);
    return true;
  }

  static constexpr std::size_t kNone = ~std::size_t{0};
  // A random live order's index, dropping ids that have been filled meanwhile.
  std::size_t pick_live() {
    const std::size_t i = pick(live_.size());
    if (book_.find(OrderId(live_[i]))) return i;
    live_[i] = live_.back();
    live_.pop_back();
    return kNone;
  }

  Shape shape_;
  std::mt19937_64 rng_;
  OrderBook book_;
  std::uint64_t statics_;  // ids 1..statics_ are the static book
  std::uint64_t next_id_ = 1;
  std::vector<std::uint64_t> live_;  // the flow's orders (not the static ones)
};

}  // namespace carbonx::bench
