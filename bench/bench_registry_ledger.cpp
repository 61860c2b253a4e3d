// Registry ledger in memory: apply rate of postings and memory per (account, asset) row.
//   build-registry/bin/bench_registry_ledger
#include <benchmark/benchmark.h>

#include <chrono>
#include <random>
#include <vector>

#include "../registry/tests/registry_test_util.hpp"
#include "carbonx/registry/ledger.hpp"
#include "carbonx/registry/store.hpp"

namespace carbonx::registry {
namespace {

constexpr int kFirms = 10'000;
constexpr std::uint32_t kAssets = 10;

std::unique_ptr<Ledger> funded_ledger(int firms = kFirms) {
  auto l = std::make_unique<Ledger>(testing::standard_options());
  testing::open_standard_accounts(*l, firms);
  std::uint64_t id = 1;
  for (int f = 0; f < firms; ++f) {
    for (std::uint32_t s = 1; s <= kAssets; ++s) {
      const Posting p{TransferId(id++), testing::kGov, AccountId(100 + f),      AssetId(s),
                      1'000'000'000,    kNoHold,       TransferKind::kIssuance, 0};
      CX_ASSERT(l->post(std::span(&p, 1)).ok());
    }
  }
  return l;
}

std::vector<Posting> random_postings(std::mt19937_64& rng, std::size_t n, std::uint64_t& next_id,
                                     int firms = kFirms) {
  const auto nf = static_cast<std::uint32_t>(firms);
  std::vector<Posting> out(n);
  for (Posting& p : out) {
    const auto a = static_cast<std::uint32_t>(rng() % nf);
    const auto b = static_cast<std::uint32_t>((a + 1 + rng() % (nf - 1)) % nf);
    p = Posting{core_transfer_id(++next_id),
                AccountId(100 + a),
                AccountId(100 + b),
                AssetId(1 + static_cast<std::uint32_t>(rng() % kAssets)),
                1 + static_cast<std::int64_t>(rng() % 100),
                kNoHold,
                TransferKind::kTrade,
                0};
  }
  return out;
}

// Single postings between random firms (a random instrument each), each its own post() call,
// as the server runs it: a Store is attached and every 10,000 postings the batch is committed
// (the commit is NOT timed: PauseTiming), which trims the ledger's memory of committed
// transfers. Durable throughput including commits is bench_registry_store.
void BM_InMemoryApply(benchmark::State& state) {
  constexpr std::size_t kBatch = 10'000;
  testing::TempDir dir;
  StoreOptions o;
  o.durability = Durability::kNoSync;
  auto store = std::move(Store::open(dir.path(), o)).value();
  const int firms = static_cast<int>(state.range(0));
  std::unique_ptr<Ledger> ledger = funded_ledger(firms);
  CX_ASSERT(store->commit_batch(Batch{}, *ledger).ok());
  std::mt19937_64 rng(1);
  std::uint64_t next_id = 0;
  std::uint64_t rejected = 0;
  // One iteration = one batch of 10,000 postings; only the apply loop is timed (manual time).
  for (auto _ : state) {
    const std::vector<Posting> postings = random_postings(rng, kBatch, next_id, firms);
    const auto start = std::chrono::steady_clock::now();
    for (const Posting& p : postings)
      rejected += ledger->post(std::span(&p, 1)).ok() ? 0 : 1;
    const auto end = std::chrono::steady_clock::now();
    state.SetIterationTime(std::chrono::duration<double>(end - start).count());
    CX_ASSERT(store->commit_batch(Batch{}, *ledger).ok());
  }
  CX_ASSERT(rejected == 0);
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kBatch));
}
// Arg: number of firm accounts (x 10 instruments each).
BENCHMARK(BM_InMemoryApply)
    ->UseManualTime()
    ->Unit(benchmark::kMicrosecond)
    ->Arg(1'000)
    ->Arg(10'000)
    ->Arg(100'000);

// The same postings with no Store: the ledger remembers every transfer (id index and record)
// for idempotency, so memory and cache misses grow with the run; a fresh ledger per million.
void BM_InMemoryApplyNoStore(benchmark::State& state) {
  std::mt19937_64 rng(1);
  std::uint64_t next_id = 0;
  std::vector<Posting> postings;
  std::unique_ptr<Ledger> ledger;
  std::size_t at = 0;
  for (auto _ : state) {
    if (at == postings.size()) {
      state.PauseTiming();
      ledger = funded_ledger();
      postings = random_postings(rng, 1'000'000, next_id);
      at = 0;
      state.ResumeTiming();
    }
    const auto st = ledger->post(std::span(&postings[at++], 1));
    benchmark::DoNotOptimize(st);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_InMemoryApplyNoStore);

// A fill as the core posts it: units from the seller's hold, cash from the buyer's hold, two
// fees — four linked postings per call (items = postings).
void BM_InMemoryApplyTradeGroup(benchmark::State& state) {
  constexpr std::size_t kPerRound = 250'000;
  std::mt19937_64 rng(2);
  std::unique_ptr<Ledger> ledger;
  std::size_t at = kPerRound;
  std::uint64_t next = 0;
  std::uint64_t applied = 0;
  std::vector<std::array<Posting, 4>> groups(kPerRound);
  for (auto _ : state) {
    if (at == kPerRound) {
      state.PauseTiming();
      ledger = funded_ledger();
      for (int f = 0; f < kFirms; ++f) {
        CX_ASSERT(ledger
                      ->deposit(TransferId(1'000'000 + f), AccountId(100 + f),
                                AmountFen(1'000'000'000'000))
                      .ok());
      }
      for (auto& g : groups) {
        const auto s = static_cast<std::uint32_t>(rng() % kFirms);
        const auto b = static_cast<std::uint32_t>((s + 1 + rng() % (kFirms - 1)) % kFirms);
        const AssetId u(1 + static_cast<std::uint32_t>(rng() % kAssets));
        const HoldId hs = make_hold_id(HoldKind::kOrder, 2 * (++next));
        const HoldId hb = make_hold_id(HoldKind::kOrder, 2 * next + 1);
        CX_ASSERT(ledger->hold(hs, AccountId(100 + s), u, 10).ok());
        CX_ASSERT(ledger->hold(hb, AccountId(100 + b), kCashAsset, 30'000).ok());
        g = {Posting{core_transfer_id(4 * next), AccountId(100 + s), AccountId(100 + b), u, 10, hs,
                     TransferKind::kTrade, next},
             Posting{core_transfer_id(4 * next + 1), AccountId(100 + b), AccountId(100 + s),
                     kCashAsset, 30'000, hb, TransferKind::kTrade, next},
             Posting{core_transfer_id(4 * next + 2), AccountId(100 + s), testing::kFee, kCashAsset,
                     15, kNoHold, TransferKind::kFee, next},
             Posting{core_transfer_id(4 * next + 3), AccountId(100 + b), testing::kFee, kCashAsset,
                     15, kNoHold, TransferKind::kFee, next}};
      }
      at = 0;
      state.ResumeTiming();
    }
    const auto st = ledger->post(groups[at++]);
    benchmark::DoNotOptimize(st);
    applied += 4;
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(applied));
}
BENCHMARK(BM_InMemoryApplyTradeGroup);

// Memory of the working state: 100,000 accounts x 10 assets (1,000,000 balance rows) and
// 1,000,000 open holds. Counters are bytes per account, per balance row, per open hold.
void BM_LedgerMemory(benchmark::State& state) {
  const int accounts = 100'000;
  for (auto _ : state) {
    Ledger l(testing::standard_options());
    testing::open_standard_accounts(l, accounts);
    std::uint64_t id = 1;
    for (int f = 0; f < accounts; ++f) {
      for (std::uint32_t s = 1; s <= kAssets; ++s) {
        const Posting p{TransferId(id++),
                        testing::kGov,
                        AccountId(100 + f),
                        AssetId(s),
                        5,
                        kNoHold,
                        TransferKind::kIssuance,
                        0};
        CX_ASSERT(l.post(std::span(&p, 1)).ok());
        CX_ASSERT(
            l.hold(make_hold_id(HoldKind::kOrder, id), AccountId(100 + f), AssetId(s), 1).ok());
      }
    }
    const Ledger::MemoryUse m = l.memory_use();
    const double rows = static_cast<double>(accounts) * kAssets;
    state.counters["B_per_account"] = static_cast<double>(m.accounts) / accounts;
    state.counters["B_per_balance_row"] = static_cast<double>(m.balances) / rows;
    state.counters["B_per_open_hold"] = static_cast<double>(m.holds) / rows;
    state.counters["B_per_uncommitted_transfer"] = static_cast<double>(m.transfers) / rows;
  }
}
BENCHMARK(BM_LedgerMemory)->Iterations(1)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace carbonx::registry

BENCHMARK_MAIN();
