// Proves the hot path does not allocate (STYLE.md #3): this thread's calls of the global operator
// new are counted (carbonx::counting_new, engine/testing); after construction, a long run of
// adds, matches, cancels and replaces on an OrderBook, and of orders through the Core over a
// ledger set up beforehand, must not allocate.

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <random>
#include <thread>

#include "carbonx/engine/core.hpp"
#include "carbonx/engine/order_book.hpp"
#include "carbonx/testing/allocations.hpp"

namespace carbonx {
namespace {

// The counter itself: it sees this thread's allocations of every form, and no other thread's
// (the other thread is started before counting: starting one allocates on the starting thread).
TEST(ThreadAllocations, CountsEveryFormOnThisThreadOnly) {
  std::atomic<int> step{0};
  std::thread other([&step] {
    while (step.load() != 1)
      std::this_thread::yield();
    auto elsewhere = std::make_unique<long>(3);
    step.store(elsewhere ? 2 : 3);
  });
  {
    const testing::ThreadAllocations allocations;
    auto one = std::make_unique<int>(1);
    auto many = std::make_unique<int[]>(8);
    std::unique_ptr<int> nothrow(new (std::nothrow) int(2));
    EXPECT_EQ(allocations.count(), 3u);
    step.store(1);
    while (step.load() == 1)
      std::this_thread::yield();
    EXPECT_EQ(step.load(), 2);
    EXPECT_EQ(allocations.count(), 3u);
    EXPECT_TRUE(one && many && nothrow);
  }
  other.join();
}

TEST(NoAllocation, OrderBookHotPath) {
  BookConfig c;
  c.low_fen = PriceFen(900);
  c.high_fen = PriceFen(1100);
  c.max_orders = 10'000;
  c.max_price_levels = 256;
  c.max_orders_per_level = 1'000;
  c.max_fills_per_order = 100;
  OrderBook book(c);
  std::mt19937_64 rng(7);
  const testing::ThreadAllocations allocations;
  std::uint64_t id = 1;
  for (int i = 0; i < 200'000; ++i) {
    const auto side = rng() % 2 == 0 ? Side::kBuy : Side::kSell;
    const auto price = PriceFen(990 + static_cast<std::int64_t>(rng() % 21));
    const std::uint64_t op = rng() % 10;
    if (op < 6) {
      const TimeInForce tif = op == 0 ? TimeInForce::kIoc : TimeInForce::kDay;
      (void)book.add(BookOrder{OrderId(id++), AccountId(static_cast<std::uint32_t>(rng() % 50)),
                               side, OrderType::kLimit, tif, price,
                               QuantityT(1 + static_cast<std::int64_t>(rng() % 20))});
    } else if (op < 9) {
      (void)book.cancel(OrderId(1 + rng() % id));
    } else {
      (void)book.replace(OrderId(1 + rng() % id), price, QuantityT(5));
    }
  }
  EXPECT_EQ(allocations.count(), 0u);
  EXPECT_TRUE(book.validate());
}

// A ledger that accepts everything and stores nothing: isolates the Core's own allocations
// (InMemoryLedger's hash maps allocate per hold; the registry's LMDB ledger has its own budget).
class AcceptingLedger final : public Ledger {
 public:
  void begin_command(Seq, TimestampNs) override {}
  Status<LedgerError> hold(HoldId, AccountId, AssetId, std::int64_t) override { return {}; }
  Status<LedgerError> release(HoldId, std::int64_t) override { return {}; }
  Status<LedgerError> resize_hold(HoldId, std::int64_t) override { return {}; }
  Status<LedgerError> post(std::span<const Posting>) override { return {}; }
  BalanceView balance(AccountId, AssetId) const override { return {}; }
  std::int64_t held(HoldId) const override { return 0; }
  std::int64_t holding_room(AccountId, AssetId) const override { return kNoHoldingLimit; }
};

TEST(NoAllocation, CoreOrderPath) {
  ExchangeConfig cfg;
  cfg.fee_account = AccountId(9);
  cfg.limits.max_orders_per_book = 5'000;
  cfg.limits.outbox_capacity = 1 << 16;
  InstrumentConfig ic;
  ic.id = InstrumentId(1);
  ic.code = "GDEA2017";
  ic.vintage = 2017;
  ic.reference_price_fen = PriceFen(1000);
  ic.fees.set_rate(TradingMode::kListed, Side::kBuy, FeeRate{500, AmountFen(10)});
  ic.fees.set_rate(TradingMode::kListed, Side::kSell, FeeRate{500, AmountFen(10)});
  cfg.instruments.push_back(ic);
  AcceptingLedger ledger;
  Core core(cfg, ledger);
  std::uint64_t seq = 0;
  core.apply(
      Command{Seq(++seq), TimestampNs(0), SetPhase{true, InstrumentId(0), Phase::kContinuous}});
  std::mt19937_64 rng(9);
  const testing::ThreadAllocations allocations;
  for (int i = 0; i < 10'000; ++i) {
    core.clear_events();
    const auto side = rng() % 2 == 0 ? Side::kBuy : Side::kSell;
    const auto price = PriceFen(990 + static_cast<std::int64_t>(rng() % 21));
    const AccountId acc(static_cast<std::uint32_t>(1 + rng() % 20));
    const std::uint64_t op = rng() % 10;
    CommandBody body;
    if (op < 6) {
      body = NewOrder{acc,
                      MemberId(1),
                      InstrumentId(1),
                      side,
                      OrderType::kLimit,
                      op == 0 ? TimeInForce::kIoc : TimeInForce::kDay,
                      price,
                      QuantityT(1 + static_cast<std::int64_t>(rng() % 20)),
                      {}};
    } else if (op < 9) {
      body = Cancel{acc, MemberId(1), InstrumentId(1), OrderId(1 + rng() % seq), {}};
    } else {
      body = Replace{acc,          MemberId(1), InstrumentId(1), OrderId(1 + rng() % seq), price,
                     QuantityT(5), {}};
    }
    core.apply(Command{Seq(++seq), TimestampNs(0), body});
  }
  EXPECT_EQ(allocations.count(), 0u);
  EXPECT_GT(core.book(InstrumentId(1)).order_count(), 0u);
}

}  // namespace
}  // namespace carbonx
