// Registry store on LMDB: durable transfers per second (full sync) by batch size, commit latency
// of a batch of one, and recovery time of a large store.
//   build-registry/bin/bench_registry_store
// The recovery benchmark builds its fixture once (1,000,000 open orders with their holds,
// 10,000,000 journal records) in $CX_BENCH_FIXTURE_DIR (default /tmp/carbonx-bench-recovery-v1)
// and reuses it on later runs; building it takes about a minute and ~3 GB of disk.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <vector>

#include "../registry/tests/registry_test_util.hpp"
#include "carbonx/registry/ledger.hpp"
#include "carbonx/registry/store.hpp"

namespace carbonx::registry {
namespace {

constexpr int kFirms = 1'000;
constexpr std::uint32_t kAssets = 10;

// A journal payload for one transfer command (the posting's fields, 48 bytes).
struct TransferCommand {
  std::uint64_t id;
  std::uint32_t debit, credit, asset, kind;
  std::int64_t amount;
  std::uint64_t hold, reference, pad;
};
static_assert(sizeof(TransferCommand) == 56);

struct DurableRig {
  explicit DurableRig(Durability d) {
    StoreOptions o;
    o.durability = d;
    store = std::move(Store::open(dir.path(), o)).value();
    ledger = std::make_unique<Ledger>(testing::standard_options());
    testing::open_standard_accounts(*ledger, kFirms);
    std::uint64_t id = 1;
    for (int f = 0; f < kFirms; ++f) {
      for (std::uint32_t s = 1; s <= kAssets; ++s) {
        const Posting p{TransferId(id++),  testing::kGov, AccountId(100 + f),      AssetId(s),
                        1'000'000'000'000, kNoHold,       TransferKind::kIssuance, 0};
        CX_ASSERT(ledger->post(std::span(&p, 1)).ok());
      }
    }
    CX_ASSERT(store->commit_batch(Batch{}, *ledger).ok());
  }

  // Applies `n` transfer commands (one posting and one journal record each) and commits them.
  void run_batch(std::size_t n) {
    commands.resize(n);
    entries.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
      const auto a = static_cast<std::uint32_t>(rng() % kFirms);
      const auto b = static_cast<std::uint32_t>((a + 1 + rng() % (kFirms - 1)) % kFirms);
      const Posting p{core_transfer_id(++next_id),
                      AccountId(100 + a),
                      AccountId(100 + b),
                      AssetId(1 + static_cast<std::uint32_t>(rng() % kAssets)),
                      1 + static_cast<std::int64_t>(rng() % 100),
                      kNoHold,
                      TransferKind::kTrade,
                      next_id};
      ++seq;
      ledger->begin_command(Seq(seq), TimestampNs(static_cast<std::int64_t>(seq)));
      CX_ASSERT(ledger->post(std::span(&p, 1)).ok());
      commands[i] = TransferCommand{p.id.value(),
                                    p.debit.value(),
                                    p.credit.value(),
                                    p.asset.value(),
                                    static_cast<std::uint32_t>(p.kind),
                                    p.amount,
                                    0,
                                    p.reference,
                                    0};
      entries[i] = JournalEntry{
          Seq(seq), TimestampNs(static_cast<std::int64_t>(seq)),
          std::span(reinterpret_cast<const std::uint8_t*>(&commands[i]), sizeof commands[i])};
    }
    Batch batch;
    batch.journal = entries;
    CX_ASSERT(store->commit_batch(batch, *ledger).ok());
  }

  testing::TempDir dir;
  std::unique_ptr<Store> store;
  std::unique_ptr<Ledger> ledger;
  std::mt19937_64 rng{3};
  std::uint64_t next_id = 0;
  std::uint64_t seq = 0;
  std::vector<TransferCommand> commands;
  std::vector<JournalEntry> entries;
};

// Arg: transfers per batch. Items: transfers applied and made durable (apply + commit timed).
void BM_DurableTransfers(benchmark::State& state) {
  DurableRig rig(Durability::kFullSync);
  const auto n = static_cast<std::size_t>(state.range(0));
  for (auto _ : state)
    rig.run_batch(n);
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * n));
}
BENCHMARK(BM_DurableTransfers)
    ->Arg(1)
    ->Arg(100)
    ->Arg(10'000)
    ->UseRealTime()
    ->Unit(benchmark::kMicrosecond);

// Same with no sync (MDB_NOSYNC): the cost of the store without the disk flush.
void BM_NoSyncTransfers(benchmark::State& state) {
  DurableRig rig(Durability::kNoSync);
  const auto n = static_cast<std::size_t>(state.range(0));
  for (auto _ : state)
    rig.run_batch(n);
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * n));
}
BENCHMARK(BM_NoSyncTransfers)->Arg(10'000)->UseRealTime()->Unit(benchmark::kMicrosecond);

// Commit latency of a batch of one transfer, full sync: a histogram of every commit.
void BM_CommitLatencyBatchOf1(benchmark::State& state) {
  DurableRig rig(Durability::kFullSync);
  std::vector<double> us;
  for (auto _ : state) {
    const auto start = std::chrono::steady_clock::now();
    rig.run_batch(1);
    us.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start)
                     .count());
  }
  std::sort(us.begin(), us.end());
  auto pct = [&](double p) { return us[static_cast<std::size_t>(p * (us.size() - 1))]; };
  state.counters["p50_us"] = pct(0.50);
  state.counters["p99_us"] = pct(0.99);
  state.counters["p999_us"] = pct(0.999);
  state.counters["max_us"] = us.back();
}
BENCHMARK(BM_CommitLatencyBatchOf1)
    ->Iterations(2'000)
    ->UseRealTime()
    ->Unit(benchmark::kMicrosecond);

// ---------------------------------------------------------------------------------------------
// Recovery

constexpr std::uint64_t kFixtureOrders = 1'000'000;
constexpr std::uint64_t kFixtureRecords = 10'000'000;
constexpr int kFixtureFirms = 10'000;

std::string fixture_dir() {
  const char* env = std::getenv("CX_BENCH_FIXTURE_DIR");
  return env != nullptr ? env : "/tmp/carbonx-bench-recovery-v1";
}

// Commands 1..1,000,000 each enter an order (a hold of its units or cash, and the order record);
// every 10th later command is a transfer; all 10,000,000 commands are journaled.
void build_fixture(const std::string& dir) {
  std::filesystem::remove_all(dir);
  StoreOptions o;
  o.durability = Durability::kNoSync;
  auto store = std::move(Store::open(dir, o)).value();
  Ledger ledger(testing::standard_options());
  testing::open_standard_accounts(ledger, kFixtureFirms);
  std::uint64_t id = 1;
  for (int f = 0; f < kFixtureFirms; ++f) {
    for (std::uint32_t s = 0; s <= kAssets; ++s) {
      const Posting p{TransferId(id++), testing::kGov, AccountId(100 + f),      AssetId(s),
                      1'000'000'000,    kNoHold,       TransferKind::kIssuance, 0};
      CX_ASSERT(ledger.post(std::span(&p, 1)).ok());
    }
  }
  std::mt19937_64 rng(5);
  std::vector<std::array<std::uint8_t, 64>> payloads(10'000), orders(10'000);
  std::vector<JournalEntry> entries(10'000);
  std::vector<OrderChange> changes;
  std::uint64_t seq = 0, next_transfer = 0;
  while (seq < kFixtureRecords) {
    changes.clear();
    for (std::size_t i = 0; i < entries.size(); ++i) {
      ++seq;
      ledger.begin_command(Seq(seq), TimestampNs(static_cast<std::int64_t>(seq)));
      const auto firm = AccountId(100 + static_cast<std::uint32_t>(rng() % kFixtureFirms));
      const auto asset = AssetId(static_cast<std::uint32_t>(rng() % (kAssets + 1)));
      if (seq <= kFixtureOrders) {
        CX_ASSERT(ledger.hold(make_hold_id(HoldKind::kOrder, seq), firm, asset, 1).ok());
        orders[i].fill(static_cast<std::uint8_t>(seq));
        changes.push_back(OrderChange{seq, orders[i], false});
      } else if (seq % 10 == 0) {
        const auto other = AccountId(firm.value() == 100 ? 101 : 100);
        const Posting p{core_transfer_id(++next_transfer),
                        firm,
                        other,
                        asset,
                        1,
                        kNoHold,
                        TransferKind::kTrade,
                        seq};
        CX_ASSERT(ledger.post(std::span(&p, 1)).ok());
      }
      payloads[i].fill(static_cast<std::uint8_t>(seq >> 3));
      entries[i] = JournalEntry{Seq(seq), TimestampNs(static_cast<std::int64_t>(seq)), payloads[i]};
    }
    const std::vector<std::uint8_t> core(4096, 7);
    Batch b;
    b.journal = entries;
    b.orders = changes;
    b.core_state = std::span<const std::uint8_t>(core);
    CX_ASSERT(store->commit_batch(b, ledger).ok());
  }
}

// Time to serve after a restart: open the store, load the ledger (accounts, balances, 1,000,000
// open holds) and read every open order into memory. The journal is not scanned.
void BM_Recovery(benchmark::State& state) {
  const std::string dir = fixture_dir();
  {
    auto probe = Store::open(dir);
    if (!probe.ok() || probe.value()->applied_seq().value() != kFixtureRecords) {
      probe = Err(StoreError::kIo);
      build_fixture(dir);
    }
  }
  std::size_t orders = 0, holds = 0;
  for (auto _ : state) {
    auto store = std::move(Store::open(dir)).value();
    Ledger ledger(testing::standard_options());
    auto rec = store->load(ledger);
    CX_ASSERT(rec.ok());
    std::vector<std::uint64_t> ids;
    std::vector<std::uint8_t> bytes;
    ids.reserve(kFixtureOrders);
    bytes.reserve(kFixtureOrders * 64);
    CX_ASSERT(store
                  ->for_each_open_order([&](std::uint64_t id, std::span<const std::uint8_t> r) {
                    ids.push_back(id);
                    bytes.insert(bytes.end(), r.begin(), r.end());
                  })
                  .ok());
    orders = ids.size();
    holds = ledger.open_hold_count();
    benchmark::DoNotOptimize(bytes.data());
  }
  auto store = std::move(Store::open(dir)).value();
  state.counters["open_orders"] = static_cast<double>(orders);
  state.counters["open_holds"] = static_cast<double>(holds);
  state.counters["journal_records"] = static_cast<double>(store->stats().value().journal_records);
}
BENCHMARK(BM_Recovery)->Iterations(3)->UseRealTime()->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace carbonx::registry

BENCHMARK_MAIN();
