// Proves the hot path does not allocate (STYLE.md #3): the global operator new of this test binary
// counts calls; after construction, a long run of adds, matches, cancels and replaces on an
// OrderBook, and of orders through the Core over a ledger set up beforehand, must not allocate.

#include <gtest/gtest.h>

#include <cstdlib>
#include <new>
#include <random>

#include "carbonx/engine/core.hpp"
#include "carbonx/engine/order_book.hpp"

namespace {
std::size_t g_allocations = 0;
}  // namespace

// Every replaceable form, so that no allocation goes to a different allocator than its release
// (std::stable_sort's temporary buffer uses the nothrow form; AddressSanitizer checks pairing).
void* operator new(std::size_t n) {
  ++g_allocations;
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t n) {
  return operator new(n);
}
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
  ++g_allocations;
  return std::malloc(n == 0 ? 1 : n);
}
void* operator new[](std::size_t n, const std::nothrow_t& t) noexcept {
  return operator new(n, t);
}
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete[](void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}
void operator delete[](void* p, std::size_t) noexcept {
  std::free(p);
}
void operator delete(void* p, const std::nothrow_t&) noexcept {
  std::free(p);
}
void operator delete[](void* p, const std::nothrow_t&) noexcept {
  std::free(p);
}

namespace carbonx {
namespace {

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
  const std::size_t before = g_allocations;
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
  EXPECT_EQ(g_allocations, before);
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
  const std::size_t before = g_allocations;
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
  EXPECT_EQ(g_allocations, before);
  EXPECT_GT(core.book(InstrumentId(1)).order_count(), 0u);
}

}  // namespace
}  // namespace carbonx
