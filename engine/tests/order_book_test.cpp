#include "carbonx/engine/order_book.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace carbonx {
namespace {

constexpr AccountId kA{1};
constexpr AccountId kB{2};
constexpr AccountId kC{3};

BookConfig small_config(StpMode stp = StpMode::kCancelIncoming) {
  BookConfig c;
  c.low_fen = PriceFen(900);
  c.high_fen = PriceFen(1100);
  c.tick_fen = PriceFen(1);
  c.max_orders = 64;
  c.max_orders_per_level = 4;
  c.max_price_levels = 512;
  c.max_fills_per_order = 8;
  c.stp = stp;
  return c;
}

BookOrder limit(std::uint64_t id, AccountId acc, Side side, std::int64_t price, std::int64_t qty,
                TimeInForce tif = TimeInForce::kDay) {
  return BookOrder{OrderId(id), acc, side, OrderType::kLimit, tif, PriceFen(price), QuantityT(qty)};
}

BookOrder click(std::uint64_t id, AccountId acc, Side side, std::int64_t qty) {
  return BookOrder{OrderId(id),       acc,         side,          OrderType::kClick,
                   TimeInForce::kIoc, PriceFen(0), QuantityT(qty)};
}

std::vector<BookEvent> fills_of(const OrderBook& b) {
  std::vector<BookEvent> out;
  for (const BookEvent& e : b.events()) {
    if (e.kind == BookEventKind::kFill) out.push_back(e);
  }
  return out;
}

TEST(OrderBook, RestsAndReportsLevels) {
  OrderBook b(small_config());
  auto r = b.add(limit(1, kA, Side::kBuy, 1000, 10));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value().remainder, Remainder::kRested);
  EXPECT_EQ(b.best_bid(), PriceFen(1000));
  EXPECT_FALSE(b.best_ask().has_value());
  ASSERT_EQ(b.events().size(), 1u);
  EXPECT_EQ(b.events()[0].kind, BookEventKind::kLevel);
  EXPECT_EQ(b.events()[0].quantity_t, QuantityT(10));
  ASSERT_TRUE(b.add(limit(2, kB, Side::kBuy, 1000, 5)).ok());
  EXPECT_EQ(b.level_quantity(Side::kBuy, PriceFen(1000)), QuantityT(15));
  EXPECT_EQ(b.order_count(), 2u);
  EXPECT_TRUE(b.validate());
}

TEST(OrderBook, PriceThenTimePriorityAndTradesAtTheRestingPrice) {
  OrderBook b(small_config());
  ASSERT_TRUE(b.add(limit(1, kA, Side::kSell, 1010, 5)).ok());
  ASSERT_TRUE(b.add(limit(2, kB, Side::kSell, 1005, 5)).ok());
  ASSERT_TRUE(b.add(limit(3, kA, Side::kSell, 1005, 5)).ok());
  auto r = b.add(limit(4, kC, Side::kBuy, 1020, 12));
  ASSERT_TRUE(r.ok());
  const auto f = fills_of(b);
  ASSERT_EQ(f.size(), 3u);
  EXPECT_EQ(f[0].resting_id, OrderId(2));  // best price, earliest
  EXPECT_EQ(f[0].price_fen, PriceFen(1005));
  EXPECT_EQ(f[1].resting_id, OrderId(3));
  EXPECT_EQ(f[2].resting_id, OrderId(1));
  EXPECT_EQ(f[2].price_fen, PriceFen(1010));  // the resting price, not 1020
  EXPECT_EQ(f[2].quantity_t, QuantityT(2));
  EXPECT_EQ(f[2].resting_leaves_t, QuantityT(3));
  EXPECT_EQ(f[2].incoming_leaves_t, QuantityT(0));
  EXPECT_EQ(r.value().remainder, Remainder::kNone);
  EXPECT_EQ(r.value().filled_t, QuantityT(12));
  EXPECT_EQ(b.level_quantity(Side::kSell, PriceFen(1010)), QuantityT(3));
  EXPECT_TRUE(b.validate());
}

TEST(OrderBook, DayRemainderRestsIocRemainderIsCancelled) {
  OrderBook b(small_config());
  ASSERT_TRUE(b.add(limit(1, kA, Side::kSell, 1000, 5)).ok());
  auto day = b.add(limit(2, kB, Side::kBuy, 1000, 8));
  EXPECT_EQ(day.value().remainder, Remainder::kRested);
  EXPECT_EQ(day.value().leaves_t, QuantityT(3));
  EXPECT_EQ(b.best_bid(), PriceFen(1000));
  auto ioc = b.add(limit(3, kA, Side::kSell, 1000, 5, TimeInForce::kIoc));
  EXPECT_EQ(ioc.value().remainder, Remainder::kCancelledIoc);
  EXPECT_EQ(ioc.value().filled_t, QuantityT(3));
  EXPECT_EQ(ioc.value().leaves_t, QuantityT(2));
  EXPECT_FALSE(b.best_ask().has_value());
  EXPECT_EQ(b.order_count(), 0u);
}

TEST(OrderBook, FokFillsInFullOrChangesNothing) {
  OrderBook b(small_config());
  ASSERT_TRUE(b.add(limit(1, kA, Side::kSell, 1000, 5)).ok());
  ASSERT_TRUE(b.add(limit(2, kA, Side::kSell, 1001, 5)).ok());
  auto no = b.add(limit(3, kB, Side::kBuy, 1001, 11, TimeInForce::kFok));
  ASSERT_FALSE(no.ok());
  EXPECT_EQ(no.error(), BookError::kFokNotFillable);
  EXPECT_EQ(b.order_count(), 2u);
  EXPECT_TRUE(b.events().empty());
  auto no_price = b.add(limit(3, kB, Side::kBuy, 1000, 6, TimeInForce::kFok));
  EXPECT_EQ(no_price.error(), BookError::kFokNotFillable);
  auto yes = b.add(limit(3, kB, Side::kBuy, 1001, 10, TimeInForce::kFok));
  ASSERT_TRUE(yes.ok());
  EXPECT_EQ(yes.value().filled_t, QuantityT(10));
  EXPECT_EQ(b.order_count(), 0u);
}

TEST(OrderBook, ClickTakesTheBestOppositePriceOnly) {
  OrderBook b(small_config());
  ASSERT_TRUE(b.add(limit(1, kA, Side::kSell, 1000, 5)).ok());
  ASSERT_TRUE(b.add(limit(2, kA, Side::kSell, 1001, 5)).ok());
  auto r = b.add(click(3, kB, Side::kBuy, 8));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value().limit_fen, PriceFen(1000));
  EXPECT_EQ(r.value().filled_t, QuantityT(5));
  EXPECT_EQ(r.value().remainder, Remainder::kCancelledIoc);
  EXPECT_EQ(b.best_ask(), PriceFen(1001));
  EXPECT_EQ(b.add(click(4, kB, Side::kSell, 1)).error(), BookError::kNoOppositeOrders);
  BookOrder day_click = click(5, kB, Side::kBuy, 1);
  day_click.tif = TimeInForce::kDay;
  EXPECT_EQ(b.add(day_click).error(), BookError::kBadTimeInForce);
}

TEST(OrderBook, CancelRemovesAndUnknownIsAnError) {
  OrderBook b(small_config());
  ASSERT_TRUE(b.add(limit(1, kA, Side::kBuy, 1000, 5)).ok());
  auto c = b.cancel(OrderId(1));
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c.value().leaves_t, QuantityT(5));
  EXPECT_EQ(b.events().back().quantity_t, QuantityT(0));
  EXPECT_EQ(b.cancel(OrderId(1)).error(), BookError::kUnknownOrder);
  EXPECT_FALSE(b.best_bid().has_value());
  EXPECT_TRUE(b.validate());
}

// Id 0 is never a resting order (issue 11): the first order rests in pool slot 0, and id 0 must
// not name it through any entry point.
TEST(OrderBook, FindOfIdZeroIsNothing) {
  OrderBook b(small_config());
  ASSERT_EQ(b.add(limit(7, kA, Side::kBuy, 1000, 5)).value().slot, 0u);
  EXPECT_FALSE(b.find(OrderId(0)).has_value());
  EXPECT_EQ(b.find(OrderId(7))->leaves_t, QuantityT(5));
}

TEST(OrderBook, CancelOfIdZeroIsUnknownAndRemovesNothing) {
  OrderBook b(small_config());
  ASSERT_EQ(b.add(limit(7, kA, Side::kBuy, 1000, 5)).value().slot, 0u);
  EXPECT_EQ(b.cancel(OrderId(0)).error(), BookError::kUnknownOrder);
  EXPECT_TRUE(b.events().empty());
  EXPECT_EQ(b.order_count(), 1u);
  EXPECT_EQ(b.level_quantity(Side::kBuy, PriceFen(1000)), QuantityT(5));
  EXPECT_TRUE(b.validate());
}

TEST(OrderBook, ReplaceOfIdZeroIsUnknownAndChangesNothing) {
  OrderBook b(small_config());
  ASSERT_EQ(b.add(limit(7, kA, Side::kBuy, 1000, 5)).value().slot, 0u);
  EXPECT_EQ(b.check_replace(OrderId(0), PriceFen(1001), QuantityT(3)).error(),
            BookError::kUnknownOrder);
  EXPECT_EQ(b.replace(OrderId(0), PriceFen(1001), QuantityT(3)).error(), BookError::kUnknownOrder);
  EXPECT_EQ(b.replace(OrderId(0), PriceFen(1000), QuantityT(2)).error(), BookError::kUnknownOrder);
  EXPECT_TRUE(b.events().empty());
  EXPECT_EQ(b.find(OrderId(7))->price_fen, PriceFen(1000));
  EXPECT_EQ(b.level_quantity(Side::kBuy, PriceFen(1000)), QuantityT(5));
  EXPECT_TRUE(b.validate());
}

TEST(OrderBook, ReplaceQuantityDownKeepsPriority) {
  OrderBook b(small_config());
  ASSERT_TRUE(b.add(limit(1, kA, Side::kBuy, 1000, 10)).ok());
  ASSERT_TRUE(b.add(limit(2, kB, Side::kBuy, 1000, 10)).ok());
  auto r = b.replace(OrderId(1), PriceFen(1000), QuantityT(4));
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r.value().kept_priority);
  EXPECT_EQ(b.level_quantity(Side::kBuy, PriceFen(1000)), QuantityT(14));
  ASSERT_TRUE(b.add(limit(3, kC, Side::kSell, 1000, 4, TimeInForce::kIoc)).ok());
  EXPECT_EQ(fills_of(b).at(0).resting_id, OrderId(1));
}

TEST(OrderBook, ReplaceQuantityUpOrPriceChangeLosesPriority) {
  OrderBook b(small_config());
  ASSERT_TRUE(b.add(limit(1, kA, Side::kBuy, 1000, 10)).ok());
  ASSERT_TRUE(b.add(limit(2, kB, Side::kBuy, 1000, 10)).ok());
  auto up = b.replace(OrderId(1), PriceFen(1000), QuantityT(11));
  ASSERT_TRUE(up.ok());
  EXPECT_FALSE(up.value().kept_priority);
  ASSERT_TRUE(b.add(limit(3, kC, Side::kSell, 1000, 1, TimeInForce::kIoc)).ok());
  EXPECT_EQ(fills_of(b).at(0).resting_id, OrderId(2));
  // Price away and back: now behind order 2's remainder as well.
  ASSERT_TRUE(b.replace(OrderId(2), PriceFen(999), QuantityT(9)).ok());
  ASSERT_TRUE(b.replace(OrderId(2), PriceFen(1000), QuantityT(9)).ok());
  ASSERT_TRUE(b.add(limit(4, kC, Side::kSell, 1000, 1, TimeInForce::kIoc)).ok());
  EXPECT_EQ(fills_of(b).at(0).resting_id, OrderId(1));
  EXPECT_TRUE(b.validate());
}

TEST(OrderBook, ReplaceToACrossingPriceTradesAtOnce) {
  OrderBook b(small_config());
  ASSERT_TRUE(b.add(limit(1, kA, Side::kSell, 1005, 3)).ok());
  ASSERT_TRUE(b.add(limit(2, kB, Side::kBuy, 1000, 5)).ok());
  auto r = b.replace(OrderId(2), PriceFen(1005), QuantityT(5));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value().filled_t, QuantityT(3));
  EXPECT_EQ(r.value().remainder, Remainder::kRested);
  EXPECT_EQ(fills_of(b).at(0).price_fen, PriceFen(1005));
  EXPECT_EQ(b.best_bid(), PriceFen(1005));
  EXPECT_EQ(b.find(OrderId(2))->leaves_t, QuantityT(2));
  EXPECT_EQ(b.replace(OrderId(9), PriceFen(1000), QuantityT(1)).error(), BookError::kUnknownOrder);
  EXPECT_EQ(b.replace(OrderId(2), PriceFen(1000), QuantityT(0)).error(), BookError::kBadQuantity);
  EXPECT_TRUE(b.validate());
}

TEST(OrderBook, SelfTradeCancelIncomingRefusesAtFirstMatch) {
  OrderBook b(small_config(StpMode::kCancelIncoming));
  ASSERT_TRUE(b.add(limit(1, kA, Side::kSell, 1000, 5)).ok());
  EXPECT_EQ(b.add(limit(2, kA, Side::kBuy, 1000, 5)).error(), BookError::kSelfTrade);
  EXPECT_EQ(b.order_count(), 1u);
  // After trading with others first, the remainder is cancelled instead.
  ASSERT_TRUE(b.add(limit(3, kB, Side::kSell, 999, 2)).ok());
  auto r = b.add(limit(4, kA, Side::kBuy, 1000, 5));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value().filled_t, QuantityT(2));
  EXPECT_EQ(r.value().remainder, Remainder::kCancelledSelfTrade);
  EXPECT_EQ(b.find(OrderId(1))->leaves_t, QuantityT(5));
  // A replace into the own order is refused and changes nothing.
  ASSERT_TRUE(b.add(limit(5, kA, Side::kBuy, 990, 5)).ok());
  EXPECT_EQ(b.replace(OrderId(5), PriceFen(1000), QuantityT(5)).error(), BookError::kSelfTrade);
  EXPECT_EQ(b.find(OrderId(5))->price_fen, PriceFen(990));
}

TEST(OrderBook, SelfTradeCancelResting) {
  OrderBook b(small_config(StpMode::kCancelResting));
  ASSERT_TRUE(b.add(limit(1, kA, Side::kSell, 1000, 5)).ok());
  ASSERT_TRUE(b.add(limit(2, kB, Side::kSell, 1000, 5)).ok());
  auto r = b.add(limit(3, kA, Side::kBuy, 1000, 5));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value().filled_t, QuantityT(5));
  EXPECT_FALSE(b.find(OrderId(1)).has_value());
  EXPECT_EQ(b.events()[0].kind, BookEventKind::kRestingCancelled);
  EXPECT_EQ(b.events()[0].resting_id, OrderId(1));
  EXPECT_EQ(fills_of(b).at(0).resting_id, OrderId(2));
}

TEST(OrderBook, SelfTradeCancelBoth) {
  OrderBook b(small_config(StpMode::kCancelBoth));
  ASSERT_TRUE(b.add(limit(1, kA, Side::kSell, 1000, 5)).ok());
  ASSERT_TRUE(b.add(limit(2, kB, Side::kSell, 1000, 5)).ok());
  auto r = b.add(limit(3, kA, Side::kBuy, 1000, 5));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value().filled_t, QuantityT(0));
  EXPECT_EQ(r.value().remainder, Remainder::kCancelledSelfTrade);
  EXPECT_FALSE(b.find(OrderId(1)).has_value());
  EXPECT_TRUE(b.find(OrderId(2)).has_value());
  EXPECT_FALSE(b.best_bid().has_value());
}

TEST(OrderBook, LimitsAreChecked) {
  OrderBook b(small_config());
  EXPECT_EQ(b.add(limit(1, kA, Side::kBuy, 1101, 1)).error(), BookError::kPriceOutOfRange);
  EXPECT_EQ(b.add(limit(1, kA, Side::kBuy, 899, 1)).error(), BookError::kPriceOutOfRange);
  EXPECT_EQ(b.add(limit(1, kA, Side::kBuy, 1000, 0)).error(), BookError::kBadQuantity);
  EXPECT_EQ(b.add(limit(0, kA, Side::kBuy, 1000, 1)).error(), BookError::kDuplicateOrderId);
  for (std::uint64_t i = 1; i <= 4; ++i)
    ASSERT_TRUE(b.add(limit(i, kA, Side::kBuy, 1000, 1)).ok());
  EXPECT_EQ(b.add(limit(1, kA, Side::kBuy, 999, 1)).error(), BookError::kDuplicateOrderId);
  EXPECT_EQ(b.add(limit(5, kA, Side::kBuy, 1000, 1)).error(), BookError::kLevelFull);
  EXPECT_EQ(b.replace(OrderId(1), PriceFen(999), QuantityT(1)).ok(), true);
  EXPECT_EQ(b.replace(OrderId(1), PriceFen(1000), QuantityT(1)).ok(), true);
  ASSERT_TRUE(b.add(limit(6, kA, Side::kBuy, 999, 1)).ok());
  EXPECT_EQ(b.replace(OrderId(6), PriceFen(1000), QuantityT(1)).error(), BookError::kLevelFull);
  // An IOC needs no room to rest.
  EXPECT_TRUE(b.add(limit(7, kA, Side::kBuy, 1000, 1, TimeInForce::kIoc)).ok());
  BookConfig tick5 = small_config();
  tick5.tick_fen = PriceFen(5);
  OrderBook t(tick5);
  EXPECT_EQ(t.add(limit(1, kA, Side::kBuy, 1001, 1)).error(), BookError::kPriceNotOnTick);
}

TEST(OrderBook, BookFull) {
  BookConfig c = small_config();
  c.max_orders = 3;
  OrderBook b(c);
  for (std::uint64_t i = 1; i <= 3; ++i) {
    ASSERT_TRUE(b.add(limit(i, kA, Side::kBuy, 1000 - static_cast<std::int64_t>(i), 1)).ok());
  }
  EXPECT_EQ(b.add(limit(4, kA, Side::kBuy, 1000, 1)).error(), BookError::kBookFull);
  ASSERT_TRUE(b.cancel(OrderId(2)).ok());
  EXPECT_TRUE(b.add(limit(4, kA, Side::kBuy, 1000, 1)).ok());
  EXPECT_TRUE(b.validate());
}

TEST(OrderBook, FillLimitCancelsTheRemainder) {
  OrderBook b(small_config());  // max_fills_per_order = 8
  for (std::uint64_t i = 1; i <= 10; ++i) {
    ASSERT_TRUE(b.add(limit(i, kA, Side::kSell, 1000 + static_cast<std::int64_t>(i), 1)).ok());
  }
  auto r = b.add(limit(20, kB, Side::kBuy, 1100, 10));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value().filled_t, QuantityT(8));
  EXPECT_EQ(r.value().remainder, Remainder::kCancelledFillLimit);
  EXPECT_FALSE(b.best_bid().has_value());
  EXPECT_EQ(b.add(limit(21, kB, Side::kBuy, 1100, 3, TimeInForce::kFok)).error(),
            BookError::kFokNotFillable);
  EXPECT_TRUE(b.add(limit(22, kB, Side::kBuy, 1100, 2, TimeInForce::kFok)).ok());
  EXPECT_TRUE(b.validate());
}

TEST(OrderBook, RestoreAndRebase) {
  OrderBook b(small_config());
  ASSERT_TRUE(b.restore_order(limit(1, kA, Side::kBuy, 1000, 5)).ok());
  EXPECT_EQ(b.restore_order(limit(2, kB, Side::kSell, 1000, 5)).error(), BookError::kWouldCross);
  EXPECT_EQ(b.rebase(PriceFen(1000), PriceFen(1200)).error(), BookError::kNotEmpty);
  ASSERT_TRUE(b.cancel(OrderId(1)).ok());
  EXPECT_EQ(b.rebase(PriceFen(1000), PriceFen(1000 + 600)).error(), BookError::kPriceOutOfRange);
  ASSERT_TRUE(b.rebase(PriceFen(1000), PriceFen(1200)).ok());
  EXPECT_TRUE(b.add(limit(3, kA, Side::kBuy, 1200, 1)).ok());
  EXPECT_EQ(b.add(limit(4, kA, Side::kBuy, 999, 1)).error(), BookError::kPriceOutOfRange);
  EXPECT_TRUE(b.validate());
}

TEST(OrderBook, ForEachOrderVisitsInPriorityOrder) {
  OrderBook b(small_config());
  ASSERT_TRUE(b.add(limit(1, kA, Side::kBuy, 990, 1)).ok());
  ASSERT_TRUE(b.add(limit(2, kA, Side::kBuy, 995, 1)).ok());
  ASSERT_TRUE(b.add(limit(3, kB, Side::kBuy, 995, 1)).ok());
  ASSERT_TRUE(b.add(limit(4, kA, Side::kSell, 1010, 1)).ok());
  ASSERT_TRUE(b.add(limit(5, kA, Side::kSell, 1001, 1)).ok());
  std::vector<std::uint64_t> ids;
  b.for_each_order([&](const OrderView& v) { ids.push_back(v.id.value()); });
  EXPECT_EQ(ids, (std::vector<std::uint64_t>{2, 3, 1, 5, 4}));
}

TEST(OrderBook, SparseGridFindsFarLevels) {
  BookConfig c = small_config();
  c.low_fen = PriceFen(1);
  c.high_fen = PriceFen(8000);
  c.max_price_levels = 8192;
  OrderBook b(c);
  ASSERT_TRUE(b.add(limit(1, kA, Side::kBuy, 3, 1)).ok());
  ASSERT_TRUE(b.add(limit(2, kA, Side::kBuy, 7000, 1)).ok());
  ASSERT_TRUE(b.add(limit(3, kB, Side::kSell, 7999, 1)).ok());
  ASSERT_TRUE(b.add(limit(4, kB, Side::kSell, 7001, 1)).ok());
  ASSERT_TRUE(b.cancel(OrderId(2)).ok());
  EXPECT_EQ(b.best_bid(), PriceFen(3));
  ASSERT_TRUE(b.cancel(OrderId(4)).ok());
  EXPECT_EQ(b.best_ask(), PriceFen(7999));
  EXPECT_TRUE(b.validate());
}

TEST(OrderBook, FreshIdsSkipTheDuplicateProbeButStillAssert) {
  BookConfig c = small_config();
  c.fresh_ids = true;
  OrderBook b(c);
  ASSERT_TRUE(b.add(limit(1, kA, Side::kBuy, 1000, 5)).ok());
  ASSERT_TRUE(b.add(limit(2, kB, Side::kSell, 1000, 2)).ok());
  EXPECT_EQ(b.find(OrderId(1))->leaves_t, QuantityT(3));
  EXPECT_EQ(b.add(limit(0, kA, Side::kBuy, 1000, 1)).error(), BookError::kDuplicateOrderId);
  // A broken promise is a programmer error: resting a used id aborts.
  EXPECT_DEATH((void)b.add(limit(1, kA, Side::kBuy, 999, 1)), "assertion failed");
}

// The id table follows the resting orders, not max_orders: it starts at 1,024 entries, doubles
// when half full, halves below 1/16, and every order stays findable across each resize.
TEST(OrderBook, IdTableFollowsTheLiveOrders) {
  BookConfig c = small_config();
  c.low_fen = PriceFen(1);
  c.high_fen = PriceFen(8'000);
  c.max_price_levels = 8'192;
  c.max_orders = 1'000'000;
  c.max_orders_per_level = 1'000'000;
  c.max_fills_per_order = 10'000;
  OrderBook b(c);
  EXPECT_EQ(b.id_table_entries(), 1'024u);
  // Ids from two far-apart ranges, bids below 4,000 and asks above: nothing trades.
  const auto id_of = [](std::uint64_t i) { return i % 3 == 0 ? (std::uint64_t{1} << 40) + i : i; };
  constexpr std::uint64_t kOrders = 20'000;
  for (std::uint64_t i = 1; i <= kOrders; ++i) {
    const bool buy = i % 2 == 0;
    ASSERT_TRUE(
        b.add(limit(id_of(i), buy ? kA : kB, buy ? Side::kBuy : Side::kSell,
                    static_cast<std::int64_t>(buy ? 3'999 - i % 3'000 : 4'001 + i % 3'000), 1))
            .ok());
    if (i == 512) {
      EXPECT_EQ(b.id_table_entries(), 1'024u);  // half full: not yet grown
    }
    if (i == 513) {
      EXPECT_EQ(b.id_table_entries(), 2'048u);
      // The entries move over a few per later call; meanwhile every order is found in one table
      // or the other and the structure is whole.
      EXPECT_TRUE(b.id_table_migrating());
      EXPECT_TRUE(b.validate());
      for (std::uint64_t k = 1; k <= i; ++k) {
        ASSERT_TRUE(b.find(OrderId(id_of(k))).has_value()) << k;
      }
    }
    if (i == 513 + 400) {
      EXPECT_FALSE(b.id_table_migrating());  // 512 entries, up to 2 a call: done
    }
    if (i == 16'385 + 100) {
      EXPECT_TRUE(b.id_table_migrating());  // 16,384 entries to move: ~8,000 calls, not one
      EXPECT_EQ(b.id_table_entries(), 65'536u);
    }
    if (i % 1'009 == 0) {
      ASSERT_TRUE(b.validate()) << i;
    }
  }
  EXPECT_EQ(b.id_table_entries(), 65'536u);  // 20,000 > 16,384: the smallest at most half full
  EXPECT_TRUE(b.validate());
  for (std::uint64_t i = 1; i <= kOrders; ++i) {
    ASSERT_TRUE(b.find(OrderId(id_of(i))).has_value()) << i;
  }
  // Cancel all but 100: the table shrinks back as the orders leave (cancels of orders in the old
  // table while entries move over too).
  for (std::uint64_t i = 101; i <= kOrders; ++i) {
    ASSERT_TRUE(b.cancel(OrderId(id_of(i))).ok()) << i;
    if (i % 997 == 0) {
      ASSERT_TRUE(b.validate()) << i;
    }
  }
  EXPECT_EQ(b.order_count(), 100u);
  EXPECT_EQ(b.id_table_entries(), 1'024u);
  EXPECT_TRUE(b.validate());
  for (std::uint64_t i = 1; i <= 100; ++i) {
    EXPECT_TRUE(b.find(OrderId(id_of(i))).has_value()) << i;
  }
  EXPECT_FALSE(b.find(OrderId(id_of(101))).has_value());
  // A sweep removes thousands of resting orders in one call; the table shrinks in the middle of
  // the match and the events still name every order.
  for (std::uint64_t i = kOrders + 1; i <= kOrders + 5'000; ++i) {
    ASSERT_TRUE(b.add(limit(i, kB, Side::kSell, 4'001, 1)).ok());  // below every other ask
  }
  EXPECT_EQ(b.id_table_entries(), 16'384u);
  auto swept = b.add(limit(3 * kOrders, kA, Side::kBuy, 4'001, 4'100));
  ASSERT_TRUE(swept.ok());
  EXPECT_EQ(swept.value().filled_t, QuantityT(4'100));
  std::uint64_t expect = kOrders + 1;
  std::size_t fills = 0;
  for (const BookEvent& e : b.events()) {
    if (e.kind != BookEventKind::kFill) continue;
    EXPECT_EQ(e.resting_id, OrderId(expect++));
    ++fills;
  }
  EXPECT_EQ(fills, 4'100u);
  EXPECT_EQ(b.order_count(), 1'000u);
  EXPECT_EQ(b.id_table_entries(), 8'192u);  // below 1,024 of 16,384 entries: halved once
  EXPECT_TRUE(b.validate());
}

}  // namespace
}  // namespace carbonx
