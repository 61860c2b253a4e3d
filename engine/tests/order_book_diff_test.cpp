// Randomized differential test: OrderBook against the naive ReferenceBook, one million operations
// over several books with fixed seeds. After every operation the outcomes (errors, fills in order,
// self-trade cancels, remainders) must be equal; every few hundred operations the full resting
// state is compared and the book's structure validated. Then five streams shaped like the
// benchmark scenarios of issue 15 (sequential ids, a static deep book, 25% and 40% swings, a flash
// crash sweeping a wide range), on wide grids with ticks that take every path of the book's
// division-free price arithmetic.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>
#include <vector>

#include "carbonx/engine/order_book.hpp"
#include "reference_book.hpp"

namespace carbonx {
namespace {

using testing::ReferenceBook;
using testing::RefFill;
using testing::RefOutcome;

struct Harness {
  explicit Harness(const BookConfig& c) : book(c), ref(c), config(c) {}
  OrderBook book;
  ReferenceBook ref;
  BookConfig config;
  std::vector<std::uint64_t> live;  // ids that may be resting (some already filled)
  std::uint64_t next_id = 1;
  // Coverage counters: the run must exercise every outcome.
  std::uint64_t fills = 0, stp_cancels = 0, errors = 0, rested = 0, kept_priority = 0;
};

void compare(const Result<AddOutcome, BookError>& got, const RefOutcome& want,
             const OrderBook& book, Harness& h) {
  h.fills += want.fills.size();
  h.stp_cancels += want.stp_cancelled.size();
  h.errors += want.ok ? 0 : 1;
  h.rested += want.ok && want.remainder == Remainder::kRested ? 1 : 0;
  h.kept_priority += want.kept_priority ? 1 : 0;
  ASSERT_EQ(got.ok(), want.ok) << (got.ok() ? "ok" : to_string(got.error()));
  if (!want.ok) {
    ASSERT_EQ(got.error(), want.error);
    ASSERT_TRUE(book.events().empty());
    return;
  }
  const AddOutcome& o = got.value();
  ASSERT_EQ(o.filled_t, want.filled_t);
  ASSERT_EQ(o.leaves_t, want.leaves_t);
  ASSERT_EQ(o.remainder, want.remainder);
  ASSERT_EQ(o.kept_priority, want.kept_priority);
  std::vector<RefFill> fills;
  std::vector<OrderId> stp;
  const auto events = book.events();
  for (std::size_t i = 0; i < events.size(); ++i) {
    const BookEvent& e = events[i];
    if (e.kind == BookEventKind::kFill) {
      fills.push_back(RefFill{e.resting_id, e.resting_account, e.price_fen, e.quantity_t});
    } else if (e.kind == BookEventKind::kRestingCancelled) {
      stp.push_back(e.resting_id);
    } else {
      // The last event of a level carries the level's final aggregate.
      bool last = true;
      for (std::size_t j = i + 1; j < events.size(); ++j) {
        last = last && !(events[j].kind == BookEventKind::kLevel && events[j].side == e.side &&
                         events[j].price_fen == e.price_fen);
      }
      if (last) {
        ASSERT_EQ(e.quantity_t, book.level_quantity(e.side, e.price_fen));
      }
    }
  }
  ASSERT_EQ(fills, want.fills);
  ASSERT_EQ(stp, want.stp_cancelled);
}

void compare_state(const Harness& h) {
  ASSERT_TRUE(h.book.validate());
  const auto want = h.ref.orders();
  std::size_t i = 0;
  h.book.for_each_order([&](const OrderView& v) {
    ASSERT_LT(i, want.size());
    EXPECT_EQ(v.id, want[i].id);
    EXPECT_EQ(v.price_fen, want[i].price);
    EXPECT_EQ(v.leaves_t.value(), want[i].leaves);
    EXPECT_EQ(v.account, want[i].account);
    ++i;
  });
  ASSERT_EQ(i, want.size());
  ASSERT_EQ(h.book.best_bid(), h.ref.best_of(Side::kBuy));
  ASSERT_EQ(h.book.best_ask(), h.ref.best_of(Side::kSell));
}

void step(Harness& h, std::mt19937_64& rng) {
  auto pick = [&](std::uint64_t n) { return rng() % n; };
  const std::int64_t mid = (h.config.low_fen.value() + h.config.high_fen.value()) / 2;
  const std::int64_t tick = h.config.tick_fen.value();
  const auto price = [&]() {
    // Mostly near the middle; sometimes anywhere, sometimes off the grid or off the tick.
    std::int64_t p = mid + (static_cast<std::int64_t>(pick(21)) - 10) * tick;
    if (pick(50) == 0) p = h.config.low_fen.value() - tick + static_cast<std::int64_t>(pick(3));
    if (pick(50) == 0) p += 1;
    return PriceFen(p);
  };
  const std::uint64_t op = pick(100);
  if (op < 55 || h.live.empty()) {
    BookOrder o;
    o.id = OrderId(pick(200) == 0 && !h.live.empty() ? h.live[pick(h.live.size())] : h.next_id++);
    o.account = AccountId(static_cast<std::uint32_t>(1 + pick(6)));
    o.side = pick(2) == 0 ? Side::kBuy : Side::kSell;
    o.type = pick(15) == 0 ? OrderType::kClick : OrderType::kLimit;
    const std::uint64_t t = pick(100);
    o.tif = t < 75 ? TimeInForce::kDay : (t < 92 ? TimeInForce::kIoc : TimeInForce::kFok);
    if (o.type == OrderType::kClick && pick(10) != 0) o.tif = TimeInForce::kIoc;
    o.price_fen = price();
    o.quantity_t = QuantityT(static_cast<std::int64_t>(pick(30)) - (pick(100) == 0 ? 30 : 0));
    if (o.quantity_t.value() == 0 && pick(2) == 0) o.quantity_t = QuantityT(1);
    compare(h.book.add(o), h.ref.add(o), h.book, h);
    h.live.push_back(o.id.value());
  } else if (op < 80) {
    const std::size_t i = pick(h.live.size());
    const OrderId id(h.live[i]);
    auto got = h.book.cancel(id);
    const RefOutcome want = h.ref.cancel(id);
    ASSERT_EQ(got.ok(), want.ok);
    if (got.ok()) {
      ASSERT_EQ(got.value().leaves_t, want.leaves_t);
    }
    h.live[i] = h.live.back();
    h.live.pop_back();
  } else {
    const OrderId id(h.live[pick(h.live.size())]);
    const auto current = h.ref.find(id);
    PriceFen p = price();
    QuantityT q(static_cast<std::int64_t>(pick(30)));
    if (current && pick(3) == 0) {
      p = current->price;  // same price: quantity down keeps priority, up loses it
      q = QuantityT(std::max<std::int64_t>(1, current->leaves - 1 + (pick(3) == 0 ? 5 : 0)));
    }
    compare(h.book.replace(id, p, q), h.ref.replace(id, p, q), h.book, h);
  }
}

void run(const BookConfig& c, std::uint64_t seed, int ops) {
  Harness h(c);
  std::mt19937_64 rng(seed);
  for (int i = 0; i < ops; ++i) {
    step(h, rng);
    if (::testing::Test::HasFatalFailure()) {
      ADD_FAILURE() << "seed " << seed << " op " << i;
      return;
    }
    if (h.live.size() > 4000) h.live.erase(h.live.begin(), h.live.begin() + 2000);
    if (i % 500 == 0) {
      compare_state(h);
      if (::testing::Test::HasFatalFailure()) return;
    }
  }
  compare_state(h);
  EXPECT_GT(h.fills, static_cast<std::uint64_t>(ops) / 10);
  EXPECT_GT(h.errors, 0u);
  EXPECT_GT(h.rested, static_cast<std::uint64_t>(ops) / 10);
  EXPECT_GT(h.kept_priority, 0u);
  if (c.stp != StpMode::kCancelIncoming) {
    EXPECT_GT(h.stp_cancels, 0u);
  }
  std::printf("seed %llu: %llu fills, %llu stp cancels, %llu errors, %llu rested\n",
              static_cast<unsigned long long>(seed), static_cast<unsigned long long>(h.fills),
              static_cast<unsigned long long>(h.stp_cancels),
              static_cast<unsigned long long>(h.errors), static_cast<unsigned long long>(h.rested));
}

BookConfig config(StpMode stp, std::uint32_t max_orders, std::uint32_t per_level,
                  std::uint32_t fills, std::int64_t tick) {
  BookConfig c;
  c.tick_fen = PriceFen(tick);
  c.low_fen = PriceFen(900 * tick);
  c.high_fen = PriceFen(1100 * tick);
  c.max_orders = max_orders;
  c.max_orders_per_level = per_level;
  c.max_price_levels = 256;
  c.max_fills_per_order = fills;
  c.stp = stp;
  return c;
}

// Six books, 1,000,000 operations in all.
TEST(OrderBookDifferential, CancelIncoming) {
  run(config(StpMode::kCancelIncoming, 400, 50, 1000, 1), 1, 200'000);
}
TEST(OrderBookDifferential, CancelResting) {
  run(config(StpMode::kCancelResting, 400, 50, 1000, 1), 2, 200'000);
}
TEST(OrderBookDifferential, CancelBoth) {
  run(config(StpMode::kCancelBoth, 400, 50, 1000, 5), 3, 200'000);
}
TEST(OrderBookDifferential, TightLimits) {
  run(config(StpMode::kCancelIncoming, 40, 3, 4, 1), 4, 200'000);
}
TEST(OrderBookDifferential, TightLimitsCancelResting) {
  run(config(StpMode::kCancelResting, 60, 4, 3, 2), 5, 100'000);
}
TEST(OrderBookDifferential, TightLimitsCancelBoth) {
  run(config(StpMode::kCancelBoth, 60, 4, 3, 1), 6, 100'000);
}

// Streams shaped like the issue-15 scenarios, scaled so the naive reference keeps up: orders
// priced around a fair price that follows the shape's path, ids strictly sequential, a static
// book that the flow never cancels, IOCs through the touch, replaces that mostly lose priority.
enum class Shape { kNormal, kDeep, kSwing25, kSwing40, kFlashCrash };

struct ShapeRun {
  Shape shape;
  std::int64_t tick;
  std::uint32_t statics;  // static orders placed first, over +-spread ticks
  std::int64_t spread;
  int ops;
};

std::int64_t fair_ticks(Shape shape, double t) {  // in ticks, around 10,000
  const auto tri = [](double x) {
    const double f = x - std::floor(x);
    return f < 0.25 ? 4 * f : (f < 0.75 ? 2 - 4 * f : 4 * f - 4);
  };
  double p = 10'000;
  if (shape == Shape::kNormal || shape == Shape::kDeep) p += 30 * std::sin(8 * 3.14159 * t);
  if (shape == Shape::kSwing25) p *= 1 + 0.25 * tri(2 * t);
  if (shape == Shape::kSwing40) p *= 1 + 0.40 * tri(2 * t);
  if (shape == Shape::kFlashCrash) {
    if (t >= 0.5 && t < 0.52) p = 10'000 - 4'000 * (t - 0.5) / 0.02;
    if (t >= 0.52) p = 6'000 + 3'500 * std::min(1.0, (t - 0.52) / 0.2);
  }
  return static_cast<std::int64_t>(p);
}

void shape_step(Harness& h, std::mt19937_64& rng, const ShapeRun& run, double t) {
  auto pick = [&](std::uint64_t n) { return rng() % n; };
  auto geometric = [&](std::int64_t cap) {
    std::int64_t d = 0;
    while (pick(2) == 0 && d < cap)
      ++d;
    return d;
  };
  const std::int64_t f = fair_ticks(run.shape, t);
  const bool crash = run.shape == Shape::kFlashCrash && f > 6'000 && f < 9'000;
  const std::uint64_t r = pick(100);
  const bool too_many = h.live.size() > 1'500;
  if (!h.live.empty() && (r < 22 || (too_many && r < 42))) {
    const std::size_t i = pick(h.live.size());
    const OrderId id(h.live[i]);
    auto got = h.book.cancel(id);
    const RefOutcome want = h.ref.cancel(id);
    ASSERT_EQ(got.ok(), want.ok);
    if (got.ok()) {
      ASSERT_EQ(got.value().leaves_t, want.leaves_t);
    }
    h.live[i] = h.live.back();
    h.live.pop_back();
    return;
  }
  if (!h.live.empty() && r < 40) {
    const OrderId id(h.live[pick(h.live.size())]);
    const auto cur = h.ref.find(id);
    std::int64_t p = f + (pick(2) == 0 ? 1 : -1) * geometric(10);
    std::int64_t q = 1 + static_cast<std::int64_t>(pick(60));
    if (cur && pick(10) < 4) {  // same price: down keeps priority, up loses it
      p = cur->price.value() / run.tick;
      q = std::max<std::int64_t>(1, cur->leaves + (pick(2) == 0 ? -1 : 7));
    } else if (cur) {
      p = cur->side == Side::kBuy ? f - geometric(10) : f + geometric(10);
    }
    const PriceFen price(p * run.tick);
    compare(h.book.replace(id, price, QuantityT(q)), h.ref.replace(id, price, QuantityT(q)), h.book,
            h);
    return;
  }
  BookOrder o;
  o.id = OrderId(h.next_id++);
  o.account = AccountId(static_cast<std::uint32_t>(1 + pick(40)));
  o.side = (crash ? pick(5) != 0 : pick(2) == 0) ? Side::kSell : Side::kBuy;
  const bool buy = o.side == Side::kBuy;
  std::int64_t p = 0;
  if (r < 55) {  // IOC (sometimes FOK or a click) through the opposite touch
    o.tif = pick(10) == 0 ? TimeInForce::kFok : TimeInForce::kIoc;
    o.type = pick(20) == 0 && o.tif == TimeInForce::kIoc ? OrderType::kClick : OrderType::kLimit;
    const auto opp = h.ref.best_of(opposite(o.side));
    const std::int64_t base = opp ? opp->value() / run.tick : f;
    const std::int64_t through = 1 + geometric(crash ? 400 : 4);
    p = buy ? base + through : base - through;
    o.quantity_t = QuantityT(crash ? 50 + static_cast<std::int64_t>(pick(400))
                                   : 1 + static_cast<std::int64_t>(pick(60)));
  } else {
    o.tif = TimeInForce::kDay;
    const std::int64_t away = geometric(30) + (pick(20) == 0 ? pick(300) : 0);
    p = buy ? f - away : f + away;
    o.quantity_t = QuantityT(1 + static_cast<std::int64_t>(pick(60)));
  }
  o.price_fen = PriceFen(std::clamp<std::int64_t>(p, 2'000, 18'000) * run.tick);
  if (pick(300) == 0) o.price_fen = PriceFen(o.price_fen.value() + 1);  // off the tick (or grid)
  compare(h.book.add(o), h.ref.add(o), h.book, h);
  h.live.push_back(o.id.value());
}

void run_shape(const ShapeRun& run, std::uint64_t seed) {
  BookConfig c;
  c.tick_fen = PriceFen(run.tick);
  c.low_fen = PriceFen(2'000 * run.tick);
  c.high_fen = PriceFen(18'000 * run.tick);
  c.max_price_levels = 16'384;
  c.max_orders = run.statics + 4'000;
  c.max_orders_per_level = 1'000;
  c.max_fills_per_order = 200;
  Harness h(c);
  std::mt19937_64 rng(seed);
  for (std::uint32_t i = 0; i < run.statics; ++i) {
    const bool buy = i % 2 == 0;
    const std::int64_t away = 1 + static_cast<std::int64_t>(rng() % run.spread);
    const BookOrder o{OrderId(h.next_id++),
                      AccountId(static_cast<std::uint32_t>(1 + rng() % 40)),
                      buy ? Side::kBuy : Side::kSell,
                      OrderType::kLimit,
                      TimeInForce::kDay,
                      PriceFen((buy ? 10'000 - away : 10'000 + away) * run.tick),
                      QuantityT(1 + static_cast<std::int64_t>(rng() % 60))};
    compare(h.book.add(o), h.ref.add(o), h.book, h);
    ASSERT_FALSE(::testing::Test::HasFatalFailure());
  }
  compare_state(h);
  const std::int64_t start_fen = 10'000 * run.tick;
  std::int64_t lowest_trade = start_fen;
  for (int i = 0; i < run.ops; ++i) {
    shape_step(h, rng, run, static_cast<double>(i) / run.ops);
    if (::testing::Test::HasFatalFailure()) {
      ADD_FAILURE() << "seed " << seed << " op " << i;
      return;
    }
    for (const BookEvent& e : h.book.events()) {
      if (e.kind == BookEventKind::kFill)
        lowest_trade = std::min(lowest_trade, e.price_fen.value());
    }
    if (h.live.size() > 3'000) h.live.erase(h.live.begin(), h.live.begin() + 1'500);
    if (i % 2'000 == 0) {
      compare_state(h);
      if (::testing::Test::HasFatalFailure()) return;
    }
  }
  compare_state(h);
  EXPECT_GT(h.fills, static_cast<std::uint64_t>(run.ops) / 10);
  EXPECT_GT(h.rested, static_cast<std::uint64_t>(run.ops) / 10);
  EXPECT_GT(h.kept_priority, 0u);
  EXPECT_GT(h.errors, 0u);
  if (run.shape == Shape::kFlashCrash || run.shape == Shape::kSwing40) {
    // The stream really swept a wide range: trades at least 2,000 ticks below the start.
    EXPECT_LT(lowest_trade, start_fen - 2'000 * run.tick);
  }
}

// Ticks 1 and 2 take the shift path, 3 and 5 the reciprocal multiply.
TEST(OrderBookDifferentialShapes, NormalMixSequentialIds) {
  run_shape(ShapeRun{Shape::kNormal, 1, 0, 1, 60'000}, 11);
}
TEST(OrderBookDifferentialShapes, StaticDeepBook) {
  run_shape(ShapeRun{Shape::kDeep, 5, 3'000, 2'000, 40'000}, 12);
}
TEST(OrderBookDifferentialShapes, Swing25) {
  run_shape(ShapeRun{Shape::kSwing25, 2, 0, 1, 60'000}, 13);
}
TEST(OrderBookDifferentialShapes, Swing40) {
  run_shape(ShapeRun{Shape::kSwing40, 3, 0, 1, 60'000}, 14);
}
TEST(OrderBookDifferentialShapes, FlashCrashSweepsAWideRange) {
  run_shape(ShapeRun{Shape::kFlashCrash, 1, 2'000, 4'000, 60'000}, 15);
}

// The live set grows from nothing to 10,000 resting orders and back three times, so the id table
// doubles from 1,024 to 32,768 entries and halves back each time: by single orders resting and
// leaving, and inside one match (IOC sweeps taking thousands of orders). Ids: sequential, one in
// eight drawn from far above (1 << 50 + random), and cancelled ids used again. Every outcome and,
// after each phase, the whole resting state are compared with the reference.
TEST(OrderBookDifferentialShapes, LiveSetGrowsAndShrinksAcrossIdTableResizes) {
  BookConfig c;
  c.tick_fen = PriceFen(1);
  c.low_fen = PriceFen(2'000);
  c.high_fen = PriceFen(18'000);
  c.max_price_levels = 16'384;
  c.max_orders = 1'000'000;  // the table still starts small: it follows the live orders
  c.max_orders_per_level = 1'000;
  c.max_fills_per_order = 20'000;
  c.stp = StpMode::kCancelResting;
  Harness h(c);
  std::mt19937_64 rng(16);
  auto pick = [&](std::uint64_t n) { return rng() % n; };
  std::vector<std::uint64_t> cancelled;
  std::size_t largest = 0, smallest_after = ~std::size_t{0};
  // Calls made while a resize was moving entries between the two tables; every 37th of them the
  // whole structure (both tables, the emptied start of the old one) is validated.
  std::size_t while_migrating = 0;
  const auto check_migrating = [&] {
    if (h.book.id_table_migrating() && ++while_migrating % 37 == 0) {
      ASSERT_TRUE(h.book.validate()) << while_migrating;
    }
  };
  const auto add = [&](const BookOrder& o) {
    compare(h.book.add(o), h.ref.add(o), h.book, h);
    largest = std::max(largest, h.book.id_table_entries());
    check_migrating();
  };
  const auto cancel = [&](std::size_t i) {
    const OrderId id(h.live[i]);
    auto got = h.book.cancel(id);
    const RefOutcome want = h.ref.cancel(id);
    ASSERT_EQ(got.ok(), want.ok);
    if (got.ok()) {
      ASSERT_EQ(got.value().leaves_t, want.leaves_t);
      cancelled.push_back(id.value());
    }
    h.live[i] = h.live.back();
    h.live.pop_back();
    check_migrating();
  };
  for (int round = 0; round < 3; ++round) {
    // Build up: passive orders over +-3,000 ticks (a few cross and trade), some replaces.
    while (h.book.order_count() < 10'000) {
      if (!h.live.empty() && pick(10) == 0) {
        const OrderId id(h.live[pick(h.live.size())]);
        const auto cur = h.ref.find(id);
        const PriceFen p(cur ? cur->price.value() + (pick(2) == 0 ? 1 : -1) : 10'000);
        const QuantityT q(1 + static_cast<std::int64_t>(pick(40)));
        compare(h.book.replace(id, p, q), h.ref.replace(id, p, q), h.book, h);
        ASSERT_FALSE(::testing::Test::HasFatalFailure());
        continue;
      }
      BookOrder o;
      if (!cancelled.empty() && pick(50) == 0) {
        o.id = OrderId(cancelled[pick(cancelled.size())]);  // an id used before (maybe resting)
      } else if (pick(8) == 0) {
        o.id = OrderId((std::uint64_t{1} << 50) + pick(std::uint64_t{1} << 40));
      } else {
        o.id = OrderId(h.next_id++);
      }
      o.account = AccountId(static_cast<std::uint32_t>(1 + pick(40)));
      o.side = pick(2) == 0 ? Side::kBuy : Side::kSell;
      const std::int64_t away = static_cast<std::int64_t>(pick(3'000));
      o.price_fen = PriceFen(o.side == Side::kBuy ? 10'000 - away : 10'000 + away);
      o.quantity_t = QuantityT(1 + static_cast<std::int64_t>(pick(40)));
      add(o);
      ASSERT_FALSE(::testing::Test::HasFatalFailure());
      h.live.push_back(o.id.value());
    }
    compare_state(h);
    ASSERT_FALSE(::testing::Test::HasFatalFailure());
    // Sweeps: an IOC through most of each side, thousands of orders leaving inside one match.
    for (const Side side : {Side::kBuy, Side::kSell}) {
      BookOrder o{
          OrderId(h.next_id++), AccountId(41),     side,
          OrderType::kLimit,    TimeInForce::kIoc, PriceFen(side == Side::kBuy ? 12'000 : 8'000),
          QuantityT(60'000)};
      const std::uint32_t before = h.book.order_count();
      add(o);
      ASSERT_FALSE(::testing::Test::HasFatalFailure());
      EXPECT_LT(h.book.order_count() + 2'000, before);
      compare_state(h);
      ASSERT_FALSE(::testing::Test::HasFatalFailure());
    }
    // Cancel down to a handful (ids the sweeps took are unknown to both books).
    while (h.live.size() > 20) {
      cancel(pick(h.live.size()));
      ASSERT_FALSE(::testing::Test::HasFatalFailure());
    }
    compare_state(h);
    ASSERT_FALSE(::testing::Test::HasFatalFailure());
    smallest_after = std::min(smallest_after, h.book.id_table_entries());
  }
  EXPECT_GE(largest, 32'768u);  // 10,000 resting: grown five times
  EXPECT_EQ(smallest_after, 1'024u);
  EXPECT_GT(while_migrating, 5'000u);  // adds and cancels made while entries moved over
  EXPECT_GT(h.fills, 1'000u);
  EXPECT_GT(h.stp_cancels, 0u);
}

}  // namespace
}  // namespace carbonx
