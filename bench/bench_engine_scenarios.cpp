// The bare book on the five scenario shapes of bench_engine_scenarios.hpp (issue 15), each with
// room for 1,000,000 and for 100,000 resting orders. Per scenario and capacity:
//   mean_ns   the thread's CPU time for the whole stream / messages (no per-message timer in
//             that pass; CPU time leaves out the time other processes of this shared machine
//             held the core); wall_ns: the same pass by the wall clock
//   p50/p99/p999_ns  a second pass timing each message with rdtsc (includes ~10 ns of timer);
//             max_us: the slowest message of that pass (on this shared machine usually a
//             preemption: ~4 ms); resize_us: the slowest message that resized the id table
//             (grow or shrink; "-" for a book whose table does not resize)
//   B/live    resident memory the book added (RSS after the stream - RSS before constructing it)
//             / the most orders resting at once (peak); alloc B/live: memory_bytes() / the same
// and, once, a book of capacity 1,000,000 filled with 1,000,000 resting orders (B/order).
// Repetitions interleave scenarios and capacities; the summary gives the median and [min, max].
// Built twice: bench_engine_scenarios (the engine library as the project builds it) and
// bench_engine_scenarios_pic (order_book.cpp in a -fPIC shared library, bench/CMakeLists.txt).
//
// Usage: bench_engine_scenarios [--reps N]   (pin it: taskset -c 1 ...)

#include <malloc.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>
#include <x86intrin.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "bench_engine_scenarios.hpp"
#include "carbonx/engine/order_book.hpp"

namespace carbonx::bench {
namespace {

constexpr std::uint32_t kCapacities[] = {1'000'000, 100'000};

std::size_t resident_bytes() {
  std::ifstream statm("/proc/self/statm");
  std::size_t size = 0, resident = 0;
  statm >> size >> resident;
  return resident * static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
}

// Keeps the compiler from dropping a result (as benchmark::DoNotOptimize does).
template <typename T>
inline void keep(const T& v) {
  asm volatile("" : : "r,m"(v) : "memory");
}

inline void apply(OrderBook& book, const Msg& m) {
  switch (m.kind) {
    case MsgKind::kNew:
      keep(book.add(BookOrder{OrderId(m.id), AccountId(m.account), m.side, OrderType::kLimit, m.tif,
                              PriceFen(m.price_fen), QuantityT(m.quantity_t)}));
      break;
    case MsgKind::kCancel:
      keep(book.cancel(OrderId(m.id)));
      break;
    case MsgKind::kReplace:
      keep(book.replace(OrderId(m.id), PriceFen(m.price_fen), QuantityT(m.quantity_t)));
      break;
  }
}

// The id table's size, for a book that has one that resizes (0 otherwise: the same benchmark
// source also builds against older books).
template <typename Book>
std::size_t table_entries(const Book& book) {
  if constexpr (requires { book.id_table_entries(); }) {
    return book.id_table_entries();
  } else {
    return 0;
  }
}

long page_faults() {
  rusage u{};
  getrusage(RUSAGE_THREAD, &u);
  return u.ru_minflt + u.ru_majflt;
}

std::int64_t thread_cpu_ns() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return std::int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

struct Sample {
  double mean_ns = 0, wall_ns = 0, p50_ns = 0, p99_ns = 0, p999_ns = 0, max_us = 0, resize_us = -1,
         rss_per_live = 0, alloc_per_live = 0;
  std::uint32_t live = 0;
  long faults = 0;  // page faults during the timed pass
};

Sample run_once(const std::vector<Msg>& msgs, std::uint32_t capacity) {
  Sample s;
  {
    const std::size_t rss0 = resident_bytes();
    auto book = std::make_unique<OrderBook>(scenario_book_config(capacity));
    std::uint32_t peak = 0;
    const auto t0 = std::chrono::steady_clock::now();
    const long f0 = page_faults();
    const std::int64_t c0 = thread_cpu_ns();
    for (const Msg& m : msgs) {
      apply(*book, m);
      peak = std::max(peak, book->order_count());
    }
    const std::int64_t c1 = thread_cpu_ns();
    s.faults = page_faults() - f0;
    const auto t1 = std::chrono::steady_clock::now();
    const auto n = static_cast<double>(msgs.size());
    s.mean_ns = static_cast<double>(c1 - c0) / n;
    s.wall_ns =
        static_cast<double>(std::chrono::duration_cast<std::chrono::nanoseconds>(t1 - t0).count()) /
        n;
    s.live = peak;
    const double live = std::max<double>(1.0, s.live);
    s.rss_per_live =
        static_cast<double>(resident_bytes() - std::min(rss0, resident_bytes())) / live;
    s.alloc_per_live = static_cast<double>(book->memory_bytes()) / live;
  }
  auto book = std::make_unique<OrderBook>(scenario_book_config(capacity));
  const double per_ns = tsc_per_ns();
  Histogram h;
  std::uint64_t max_ticks = 0;
  std::uint64_t resize_ticks = 0;
  bool resized = false;
  std::size_t entries = table_entries(*book);
  for (const Msg& m : msgs) {
    const std::uint64_t a = __rdtsc();
    apply(*book, m);
    const std::uint64_t b = __rdtsc();
    h.add(static_cast<std::uint64_t>(static_cast<double>(b - a) / per_ns));
    max_ticks = std::max(max_ticks, b - a);
    if (table_entries(*book) != entries) {
      entries = table_entries(*book);
      resized = true;
      resize_ticks = std::max(resize_ticks, b - a);
    }
  }
  s.max_us = static_cast<double>(max_ticks) / per_ns / 1'000.0;
  if (resized) s.resize_us = static_cast<double>(resize_ticks) / per_ns / 1'000.0;
  s.p50_ns = h.percentile(0.50);
  s.p99_ns = h.percentile(0.99);
  s.p999_ns = h.percentile(0.999);
  return s;
}

// A book with room for 1,000,000 orders, filled with 1,000,000 resting orders.
void full_book_memory() {
  constexpr std::uint32_t kOrders = 1'000'000;
  const std::size_t rss0 = resident_bytes();
  auto book = std::make_unique<OrderBook>(scenario_book_config(kOrders));
  // The slowest add by the thread's CPU time (a preemption of this shared machine is not in it;
  // page faults are): the id table's growth, if anything.
  std::int64_t slowest_ns = 0;
  for (std::uint32_t i = 0; i < kOrders; ++i) {
    const bool buy = i % 2 == 0;
    const std::int64_t away = 1 + static_cast<std::int64_t>(i % 4'000);
    const std::int64_t a = thread_cpu_ns();
    (void)book->add(BookOrder{OrderId(i + 1), AccountId(1 + i % 1'000),
                              buy ? Side::kBuy : Side::kSell, OrderType::kLimit, TimeInForce::kDay,
                              PriceFen(buy ? 10'000 - away : 10'000 + away), QuantityT(10)});
    slowest_ns = std::max(slowest_ns, thread_cpu_ns() - a);
  }
  std::printf(
      "full book: capacity 1,000,000, %u resting: %.1f B/order allocated, %.1f B/order "
      "resident; slowest add %.0f us CPU\n",
      book->order_count(), static_cast<double>(book->memory_bytes()) / book->order_count(),
      static_cast<double>(resident_bytes() - rss0) / book->order_count(),
      static_cast<double>(slowest_ns) / 1'000.0);
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

}  // namespace
}  // namespace carbonx::bench

int main(int argc, char** argv) {
  using namespace carbonx::bench;
  // Large blocks always from fresh mmap()ed pages (no dynamic threshold that would recycle a
  // freed book's pages through the heap), so the resident growth of a run is its own.
  mallopt(M_MMAP_THRESHOLD, 256 * 1024);
  int reps = 3;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--reps") == 0 && i + 1 < argc) reps = std::atoi(argv[++i]);
  }
  std::map<Shape, std::vector<Msg>> streams;
  for (Shape s : kShapes) {
    streams[s] = ScenarioGenerator(s, 15).generate();
    std::printf("%-12s %zu messages\n", std::string(shape_name(s)).c_str(), streams[s].size());
  }
  full_book_memory();
  std::map<std::pair<Shape, std::uint32_t>, std::vector<Sample>> samples;
  std::printf("%-3s %-12s %9s %8s %8s %7s %7s %8s %8s %9s %8s %8s %11s %7s\n", "rep", "scenario",
              "capacity", "mean_ns", "wall_ns", "p50_ns", "p99_ns", "p999_ns", "max_us",
              "resize_us", "peak", "B/live", "alloc_B/live", "faults");
  for (int r = 0; r < reps; ++r) {
    for (Shape s : kShapes) {
      for (std::uint32_t cap : kCapacities) {
        const Sample x = run_once(streams[s], cap);
        samples[{s, cap}].push_back(x);
        char resize[16] = "-";
        if (x.resize_us >= 0) std::snprintf(resize, sizeof resize, "%.1f", x.resize_us);
        std::printf(
            "%-3d %-12s %9u %8.1f %8.1f %7.0f %7.0f %8.0f %8.1f %9s %8u %8.1f %11.1f %7ld\n", r,
            std::string(shape_name(s)).c_str(), cap, x.mean_ns, x.wall_ns, x.p50_ns, x.p99_ns,
            x.p999_ns, x.max_us, resize, x.live, x.rss_per_live, x.alloc_per_live, x.faults);
        std::fflush(stdout);
      }
    }
  }
  std::printf("\nsummary over %d reps: median [min, max]\n", reps);
  std::printf("%-12s %9s %24s %24s %9s %10s\n", "scenario", "capacity", "mean_ns", "p999_ns",
              "B/live", "1M/100k");
  for (Shape s : kShapes) {
    const auto mean_of = [&](std::uint32_t cap) {
      std::vector<double> v;
      for (const Sample& x : samples[{s, cap}])
        v.push_back(x.mean_ns);
      return v;
    };
    for (std::uint32_t cap : kCapacities) {
      std::vector<double> mean = mean_of(cap), p999, rss;
      for (const Sample& x : samples[{s, cap}]) {
        p999.push_back(x.p999_ns);
        rss.push_back(x.rss_per_live);
      }
      char ratio[32] = "";
      if (cap == kCapacities[0]) {
        std::snprintf(ratio, sizeof ratio, "%.3f", median(mean) / median(mean_of(kCapacities[1])));
      }
      std::printf("%-12s %9u %8.1f [%5.1f, %5.1f] %8.0f [%5.0f, %5.0f] %9.1f %10s\n",
                  std::string(shape_name(s)).c_str(), cap, median(mean),
                  *std::min_element(mean.begin(), mean.end()),
                  *std::max_element(mean.begin(), mean.end()), median(p999),
                  *std::min_element(p999.begin(), p999.end()),
                  *std::max_element(p999.begin(), p999.end()), median(rss), ratio);
    }
  }
  return 0;
}
