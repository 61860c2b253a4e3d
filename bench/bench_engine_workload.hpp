#pragma once
// A public-style order-flow workload for the engine benchmarks, generated once (not timed) by
// simulating it against a real OrderBook, then replayed on fresh books/cores:
//   ~40% new Day limit orders, priced near the touch (geometric distance, most within 3 ticks),
//   ~15% IOC orders priced at or a tick through the opposite touch (they trade),
//   ~20% replaces (half quantity down keeping priority, half a price move of 1-2 ticks),
//   ~25% cancels of live orders (so most orders end cancelled, not filled),
// with 1,000 accounts (self-trades are rare) and sizes of 1-100 t. Deterministic (fixed seed).

#include <x86intrin.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <random>
#include <vector>

#include "carbonx/engine/order_book.hpp"

namespace carbonx::bench {

enum class MsgKind : std::uint8_t { kNew, kCancel, kReplace };

struct Msg {
  MsgKind kind;
  Side side;
  TimeInForce tif;
  std::uint32_t account;
  std::uint64_t id;
  std::int64_t price_fen;
  std::int64_t quantity_t;
};

inline BookConfig workload_book_config(std::uint32_t max_orders) {
  BookConfig c;
  c.low_fen = PriceFen(9'000);
  c.high_fen = PriceFen(11'000);
  c.tick_fen = PriceFen(1);
  c.max_orders = max_orders;
  c.max_orders_per_level = 100'000;
  c.max_price_levels = 4'096;
  c.max_fills_per_order = 1'000;
  return c;
}

class WorkloadGenerator {
 public:
  explicit WorkloadGenerator(std::uint64_t seed, std::uint64_t first_id = 1,
                             std::size_t target_live = 2'000)
      : rng_(seed),
        book_(workload_book_config(1 << 20)),
        next_id_(first_id),
        target_live_(target_live) {}

  std::vector<Msg> generate(std::size_t n) {
    std::vector<Msg> out;
    out.reserve(n);
    while (out.size() < n) {
      const std::uint64_t r = pick(100);
      const bool too_many = live_.size() > target_live_;
      Msg m{};
      if (!live_.empty() && (r < 25 || (too_many && r < 45))) {
        const std::size_t i = pick_live();
        if (i == kNone) continue;
        m.kind = MsgKind::kCancel;
        m.id = live_[i];
        (void)book_.cancel(OrderId(m.id));
        live_[i] = live_.back();
        live_.pop_back();
      } else if (!live_.empty() && r < 45 + (too_many ? 20 : 0)) {
        const std::size_t i = pick_live();
        if (i == kNone) continue;
        m.kind = MsgKind::kReplace;
        m.id = live_[i];
        const auto v = *book_.find(OrderId(m.id));
        m.side = v.side;
        if (pick(2) == 0 && v.leaves_t.value() > 1) {
          m.price_fen = v.price_fen.value();
          m.quantity_t = 1 + static_cast<std::int64_t>(
                                 pick(static_cast<std::uint64_t>(v.leaves_t.value() - 1)));
        } else {
          const std::int64_t step = 1 + static_cast<std::int64_t>(pick(2));
          m.price_fen = v.price_fen.value() + (pick(2) == 0 ? step : -step);
          m.quantity_t = v.leaves_t.value();
        }
        apply_replace(m);
      } else if (!make_new(m, r < 60)) {
        continue;  // refused by the book (a self-trade): not part of the workload
      }
      out.push_back(m);
    }
    return out;
  }

 private:
  std::uint64_t pick(std::uint64_t n) { return rng_() % n; }

  static constexpr std::size_t kNone = ~std::size_t{0};
  // A random live order's index, dropping ids that have been filled meanwhile.
  std::size_t pick_live() {
    const std::size_t i = pick(live_.size());
    if (book_.find(OrderId(live_[i]))) return i;
    live_[i] = live_.back();
    live_.pop_back();
    return kNone;
  }

  std::int64_t touch(Side s) const {
    const auto b = s == Side::kBuy ? book_.best_bid() : book_.best_ask();
    if (b) return b->value();
    return s == Side::kBuy ? 9'999 : 10'001;
  }

  bool make_new(Msg& m, bool ioc) {
    m.kind = MsgKind::kNew;
    m.id = next_id_++;
    m.side = pick(2) == 0 ? Side::kBuy : Side::kSell;
    m.account = static_cast<std::uint32_t>(1 + pick(1'000));
    m.quantity_t = 1 + static_cast<std::int64_t>(pick(100));
    if (ioc) {
      m.tif = TimeInForce::kIoc;
      const std::int64_t through = static_cast<std::int64_t>(pick(2));
      m.price_fen =
          m.side == Side::kBuy ? touch(Side::kSell) + through : touch(Side::kBuy) - through;
    } else {
      m.tif = TimeInForce::kDay;
      std::int64_t away = 0;
      while (pick(2) == 0 && away < 20)
        ++away;  // geometric: 50% at the touch
      const std::int64_t own = touch(m.side);
      m.price_fen = m.side == Side::kBuy ? own - away + (away == 0 ? 0 : 1)
                                         : own + away - (away == 0 ? 0 : 1);
      // Never cross on entry: a passive order stays passive.
      if (m.side == Side::kBuy) m.price_fen = std::min(m.price_fen, touch(Side::kSell) - 1);
      if (m.side == Side::kSell) m.price_fen = std::max(m.price_fen, touch(Side::kBuy) + 1);
    }
    m.price_fen = std::clamp<std::int64_t>(m.price_fen, 9'000, 11'000);
    auto r = book_.add(BookOrder{OrderId(m.id), AccountId(m.account), m.side, OrderType::kLimit,
                                 m.tif, PriceFen(m.price_fen), QuantityT(m.quantity_t)});
    if (!r.ok()) return false;
    if (r.value().remainder == Remainder::kRested) live_.push_back(m.id);
    return true;
  }

  void apply_replace(Msg& m) {
    m.price_fen = std::clamp<std::int64_t>(m.price_fen, 9'000, 11'000);
    (void)book_.replace(OrderId(m.id), PriceFen(m.price_fen), QuantityT(m.quantity_t));
  }

  std::mt19937_64 rng_;
  OrderBook book_;
  std::uint64_t next_id_;
  std::size_t target_live_;
  std::vector<std::uint64_t> live_;
};

// Latency histogram with 1 ns buckets up to 100 us (the rest in the last bucket).
class Histogram {
 public:
  Histogram() : counts_(100'001, 0) {}
  void add(std::uint64_t ns) {
    ++counts_[ns < counts_.size() - 1 ? ns : counts_.size() - 1];
    ++total_;
  }
  double percentile(double p) const {
    const auto want = static_cast<std::uint64_t>(p * static_cast<double>(total_));
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < counts_.size(); ++i) {
      seen += counts_[i];
      if (seen > want) return static_cast<double>(i);
    }
    return static_cast<double>(counts_.size() - 1);
  }

 private:
  std::vector<std::uint64_t> counts_;
  std::uint64_t total_ = 0;
};

// TSC ticks per nanosecond, calibrated once against steady_clock (the TSC is invariant on this
// host). The latency benchmarks time each message with __rdtsc() and divide by this.
inline double tsc_per_ns() {
  static const double v = [] {
    const auto t0 = std::chrono::steady_clock::now();
    const std::uint64_t c0 = __rdtsc();
    while (std::chrono::steady_clock::now() - t0 < std::chrono::milliseconds(50)) {
    }
    const std::uint64_t c1 = __rdtsc();
    const auto ns =
        std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - t0)
            .count();
    return static_cast<double>(c1 - c0) / static_cast<double>(ns);
  }();
  return v;
}

}  // namespace carbonx::bench
