// Full-core benchmarks (carbonx::Core over the InMemoryLedger): the public-style workload of
// bench_engine_workload.hpp as commands over four instruments, with validation, funding holds,
// delivery-versus-payment postings, fees and events (the outbox is drained every 64 commands, as a
// batch would be). Throughput, per-command latency percentiles, and memory per resting order.

#include <benchmark/benchmark.h>
#include <x86intrin.h>

#include <chrono>
#include <memory>
#include <vector>

#include "bench_engine_workload.hpp"
#include "carbonx/engine/core.hpp"
#include "carbonx/engine/in_memory_ledger.hpp"

namespace carbonx::bench {
namespace {

constexpr std::uint32_t kInstruments = 4;
constexpr std::size_t kPerInstrument = 250'000;
constexpr AccountId kFee{999'999};

ExchangeConfig bench_config() {
  ExchangeConfig cfg;
  cfg.fee_account = kFee;
  cfg.limits.max_orders_per_book = 1 << 16;
  cfg.limits.max_orders_per_level = 100'000;
  cfg.limits.max_price_levels = 8'192;
  cfg.limits.max_fills_per_order = 1'000;
  cfg.limits.outbox_capacity = 1 << 16;
  for (std::uint32_t i = 1; i <= kInstruments; ++i) {
    InstrumentConfig c;
    c.id = InstrumentId(i);
    c.code = "GDEA201" + std::to_string(i + 5);
    c.vintage = 2016 + static_cast<std::int32_t>(i);
    c.reference_price_fen = PriceFen(10'000);
    c.band_bp = 1'000;  // 9,000 .. 11,000: the workload's grid
    c.fees.set_rate(TradingMode::kListed, Side::kBuy, FeeRate{5'000, AmountFen(0)});
    c.fees.set_rate(TradingMode::kListed, Side::kSell, FeeRate{5'000, AmountFen(0)});
    cfg.instruments.push_back(c);
  }
  return cfg;
}

// Commands for all instruments, interleaved. The core numbers orders itself (1, 2, ...) as it acks
// them; every NewOrder of the workload is accepted (the generator drops what its book refused and
// accounts are funded far beyond need), so workload ids map to core ids in NewOrder order.
const std::vector<Command>& commands() {
  static const std::vector<Command> cmds = [] {
    std::vector<std::vector<Msg>> streams;
    for (std::uint32_t i = 0; i < kInstruments; ++i) {
      streams.push_back(WorkloadGenerator(7 + i).generate(kPerInstrument));
    }
    std::vector<Command> out;
    out.reserve(kInstruments * kPerInstrument + 1);
    std::uint64_t seq = 0;
    std::uint64_t next_core_id = 1;
    std::vector<std::vector<std::uint64_t>> id_map(kInstruments);  // workload id -> core id
    for (auto& m : id_map)
      m.assign(kPerInstrument + 2, 0);
    out.push_back(
        Command{Seq(++seq), TimestampNs(0), SetPhase{true, InstrumentId(0), Phase::kContinuous}});
    for (std::size_t k = 0; k < kPerInstrument; ++k) {
      for (std::uint32_t i = 0; i < kInstruments; ++i) {
        const Msg& m = streams[i][k];
        const InstrumentId ins(i + 1);
        const AccountId acc(m.account);
        CommandBody body;
        if (m.kind == MsgKind::kNew) {
          id_map[i][m.id] = next_core_id++;
          body = NewOrder{acc,
                          MemberId(1),
                          ins,
                          m.side,
                          OrderType::kLimit,
                          m.tif,
                          PriceFen(m.price_fen),
                          QuantityT(m.quantity_t),
                          {}};
        } else {
          const OrderId id(id_map[i][m.id]);
          // The owner is whoever placed it; the workload keeps it per order.
          if (m.kind == MsgKind::kCancel) {
            body = Cancel{acc, MemberId(1), ins, id, {}};
          } else {
            body = Replace{
                acc, MemberId(1), ins, id, PriceFen(m.price_fen), QuantityT(m.quantity_t), {}};
          }
        }
        out.push_back(Command{Seq(++seq), TimestampNs(static_cast<std::int64_t>(seq)), body});
      }
    }
    return out;
  }();
  return cmds;
}

struct Exchange {
  InMemoryLedger ledger{InMemoryLedger::Options{AccountId(0), false, false}};
  std::unique_ptr<Core> core;
  Exchange() {
    ledger.open_account(kFee);
    for (std::uint32_t a = 1; a <= 1'000; ++a) {
      ledger.open_account(AccountId(a));
      (void)ledger.deposit(AccountId(a), kCashAsset, std::int64_t{1} << 50);
      for (std::uint32_t i = 1; i <= kInstruments; ++i) {
        (void)ledger.deposit(AccountId(a), AssetId(i), std::int64_t{1} << 40);
      }
    }
    core = std::make_unique<Core>(bench_config(), ledger);
  }
};

// The workload's cancel/replace messages carry no owner: give each the account that placed the
// order, so they pass the core's ownership check.
const std::vector<Command>& owned_commands() {
  static const std::vector<Command> cmds = [] {
    std::vector<Command> c = commands();
    std::vector<AccountId> owner(c.size() + 2, AccountId(0));
    std::uint64_t next_id = 1;
    for (Command& cmd : c) {
      if (const auto* n = std::get_if<NewOrder>(&cmd.body)) {
        owner[next_id++] = n->account;
      } else if (auto* x = std::get_if<Cancel>(&cmd.body)) {
        x->account = owner[x->order_id.value()];
      } else if (auto* r = std::get_if<Replace>(&cmd.body)) {
        r->account = owner[r->order_id.value()];
      }
    }
    return c;
  }();
  return cmds;
}

void BM_CoreThroughput(benchmark::State& state) {
  const std::vector<Command>& cmds = owned_commands();
  std::size_t rejects = 0, fills = 0;
  for (auto _ : state) {
    state.PauseTiming();
    auto ex = std::make_unique<Exchange>();
    state.ResumeTiming();
    std::size_t n = 0;
    for (const Command& c : cmds) {
      ex->core->apply(c);
      if (++n % 64 == 0) {
        for (const Event& e : ex->core->events()) {
          rejects += std::holds_alternative<RejectEvent>(e.body) ? 1 : 0;
          fills += std::holds_alternative<FillEvent>(e.body) ? 1 : 0;
        }
        ex->core->clear_events();
        benchmark::DoNotOptimize(ex->core->take_changed_orders());
      }
    }
    state.PauseTiming();
    ex.reset();
    state.ResumeTiming();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * cmds.size()));
  state.counters["fills_per_cmd"] =
      static_cast<double>(fills) / static_cast<double>(state.iterations() * cmds.size());
  state.counters["rejects_per_cmd"] =
      static_cast<double>(rejects) / static_cast<double>(state.iterations() * cmds.size());
}
BENCHMARK(BM_CoreThroughput)->Unit(benchmark::kMillisecond)->MinTime(3.0);

void BM_CoreLatency(benchmark::State& state) {
  const std::vector<Command>& cmds = owned_commands();
  const double per_ns = tsc_per_ns();
  Histogram h;
  for (auto _ : state) {
    state.PauseTiming();
    auto ex = std::make_unique<Exchange>();
    state.ResumeTiming();
    std::size_t n = 0;
    for (const Command& c : cmds) {
      const std::uint64_t t0 = __rdtsc();
      ex->core->apply(c);
      const std::uint64_t t1 = __rdtsc();
      h.add(static_cast<std::uint64_t>(static_cast<double>(t1 - t0) / per_ns));
      if (++n % 64 == 0) {
        ex->core->clear_events();
        benchmark::DoNotOptimize(ex->core->take_changed_orders());
      }
    }
    state.PauseTiming();
    ex.reset();
    state.ResumeTiming();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * cmds.size()));
  state.counters["p50_ns"] = h.percentile(0.50);
  state.counters["p99_ns"] = h.percentile(0.99);
  state.counters["p999_ns"] = h.percentile(0.999);
}
BENCHMARK(BM_CoreLatency)->Unit(benchmark::kMillisecond)->Iterations(3);

// Core memory per order slot: books + the core's per-order records, over the configured capacity.
void BM_CoreMemoryPerOrder(benchmark::State& state) {
  for (auto _ : state) {
    Exchange ex;
    const double slots = static_cast<double>(kInstruments) * (1 << 16);
    state.counters["bytes_per_order_slot"] = static_cast<double>(ex.core->memory_bytes()) / slots;
  }
}
BENCHMARK(BM_CoreMemoryPerOrder)->Iterations(1);

}  // namespace
}  // namespace carbonx::bench

BENCHMARK_MAIN();
