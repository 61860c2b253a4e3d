// Bare order-book benchmarks (carbonx::OrderBook alone): throughput and per-message latency on the
// public-style workload of bench_engine_workload.hpp, memory per resting order, and the workload
// spread over 100 books with and without 1,000,000 resting orders behind it.

#include <benchmark/benchmark.h>
#include <x86intrin.h>

#include <chrono>
#include <memory>
#include <vector>

#include "bench_engine_workload.hpp"
#include "carbonx/engine/order_book.hpp"

namespace carbonx::bench {
namespace {

constexpr std::size_t kMessages = 1'000'000;

const std::vector<Msg>& workload() {
  static const std::vector<Msg> w = WorkloadGenerator(42).generate(kMessages);
  return w;
}

inline void apply(OrderBook& book, const Msg& m) {
  switch (m.kind) {
    case MsgKind::kNew:
      benchmark::DoNotOptimize(
          book.add(BookOrder{OrderId(m.id), AccountId(m.account), m.side, OrderType::kLimit, m.tif,
                             PriceFen(m.price_fen), QuantityT(m.quantity_t)}));
      break;
    case MsgKind::kCancel:
      benchmark::DoNotOptimize(book.cancel(OrderId(m.id)));
      break;
    case MsgKind::kReplace:
      benchmark::DoNotOptimize(
          book.replace(OrderId(m.id), PriceFen(m.price_fen), QuantityT(m.quantity_t)));
      break;
  }
}

void BM_BookThroughput(benchmark::State& state) {
  const std::vector<Msg>& w = workload();
  for (auto _ : state) {
    state.PauseTiming();
    auto book = std::make_unique<OrderBook>(workload_book_config(1 << 16));
    state.ResumeTiming();
    for (const Msg& m : w)
      apply(*book, m);
    benchmark::DoNotOptimize(book->order_count());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * w.size()));
}
BENCHMARK(BM_BookThroughput)->Unit(benchmark::kMillisecond)->MinTime(2.0);

void BM_BookLatency(benchmark::State& state) {
  const std::vector<Msg>& w = workload();
  const double per_ns = tsc_per_ns();
  Histogram h;
  for (auto _ : state) {
    state.PauseTiming();
    auto book = std::make_unique<OrderBook>(workload_book_config(1 << 16));
    state.ResumeTiming();
    for (const Msg& m : w) {
      const std::uint64_t t0 = __rdtsc();
      apply(*book, m);
      const std::uint64_t t1 = __rdtsc();
      h.add(static_cast<std::uint64_t>(static_cast<double>(t1 - t0) / per_ns));
    }
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * w.size()));
  state.counters["p50_ns"] = h.percentile(0.50);
  state.counters["p99_ns"] = h.percentile(0.99);
  state.counters["p999_ns"] = h.percentile(0.999);
  state.counters["max_ns"] = h.percentile(1.0);
}
BENCHMARK(BM_BookLatency)->Unit(benchmark::kMillisecond)->Iterations(5);

// Memory: one book sized for 1,000,000 resting orders, filled; bytes per resting order.
void BM_BookMemoryPerOrder(benchmark::State& state) {
  constexpr std::uint32_t kOrders = 1'000'000;
  BookConfig c = workload_book_config(kOrders);
  c.max_orders_per_level = kOrders;
  for (auto _ : state) {
    OrderBook book(c);
    for (std::uint32_t i = 0; i < kOrders; ++i) {
      const bool buy = i % 2 == 0;
      const std::int64_t p = buy ? 9'990 - static_cast<std::int64_t>(i % 900)
                                 : 10'010 + static_cast<std::int64_t>(i % 900);
      (void)book.add(BookOrder{OrderId(i + 1), AccountId(1 + i % 1'000),
                               buy ? Side::kBuy : Side::kSell, OrderType::kLimit, TimeInForce::kDay,
                               PriceFen(p), QuantityT(10)});
    }
    state.counters["resting"] = book.order_count();
    state.counters["bytes_per_order"] =
        static_cast<double>(book.memory_bytes()) / static_cast<double>(book.order_count());
  }
}
BENCHMARK(BM_BookMemoryPerOrder)->Unit(benchmark::kMillisecond)->Iterations(1);

// 100 books. Arg 0: the workload alone; arg 1: the same workload with 10,000 resting orders per
// book (1,000,000 in all) placed 50-900 ticks away from the touch beforehand (untouched depth).
constexpr std::size_t kBooks = 100;

std::vector<std::unique_ptr<OrderBook>> make_books(bool deep) {
  std::vector<std::unique_ptr<OrderBook>> books;
  for (std::size_t b = 0; b < kBooks; ++b) {
    books.push_back(std::make_unique<OrderBook>(workload_book_config(20'000)));
    if (!deep) continue;
    for (std::uint64_t i = 0; i < 10'000; ++i) {
      const bool buy = i % 2 == 0;
      const std::int64_t away = 50 + static_cast<std::int64_t>(i % 850);
      (void)books.back()->add(
          BookOrder{OrderId((std::uint64_t{1} << 40) + i), AccountId(5'000),
                    buy ? Side::kBuy : Side::kSell, OrderType::kLimit, TimeInForce::kDay,
                    PriceFen(buy ? 10'000 - away : 10'000 + away), QuantityT(10)});
    }
  }
  return books;
}

void BM_Book100Instruments(benchmark::State& state) {
  const bool deep = state.range(0) == 1;
  // Each book gets its own stream (different seeds); messages interleave round-robin.
  static const std::vector<std::vector<Msg>> streams = [] {
    std::vector<std::vector<Msg>> s;
    for (std::size_t b = 0; b < kBooks; ++b)
      s.push_back(WorkloadGenerator(100 + b).generate(20'000));
    return s;
  }();
  std::size_t resting = 0;
  for (auto _ : state) {
    state.PauseTiming();
    auto books = make_books(deep);
    resting = 0;
    for (const auto& b : books)
      resting += b->order_count();
    state.ResumeTiming();
    for (std::size_t i = 0; i < 20'000; ++i) {
      for (std::size_t b = 0; b < kBooks; ++b)
        apply(*books[b], streams[b][i]);
    }
  }
  state.counters["resting_before"] = static_cast<double>(resting);
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kBooks * 20'000));
}
BENCHMARK(BM_Book100Instruments)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->MinTime(2.0);

}  // namespace
}  // namespace carbonx::bench

BENCHMARK_MAIN();
