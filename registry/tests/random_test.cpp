// Randomized invariant tests: millions of transfers in memory, a smaller durable run through the
// Store with a reload and a replay from the journal.
#include <gtest/gtest.h>

#include "carbonx/registry/journal.hpp"
#include "carbonx/registry/store.hpp"
#include "registry_test_util.hpp"
#include "workload.hpp"

namespace carbonx::registry {
namespace {

TEST(Random, InvariantsHoldOverMillionsOfTransfers) {
  Ledger ledger(testing::standard_options());
  testing::open_standard_accounts(ledger, 200);
  testing::Workload work(42, 200, 10);
  std::vector<std::uint8_t> payload;
  testing::ApplyCounts total;
  std::uint64_t seq = 0;
  while (total.postings < 2'000'000) {
    for (int i = 0; i < 100'000; ++i) {
      ++seq;
      ledger.begin_command(Seq(seq), TimestampNs(static_cast<std::int64_t>(seq)));
      payload.clear();
      const auto c = work.next_command(ledger, 3, payload);
      total.ok += c.ok;
      total.rejected += c.rejected;
      total.postings += c.postings;
    }
    const auto violations = ledger.verify();
    ASSERT_EQ(violations, std::vector<std::string>{}) << "after seq " << seq;
  }
  // The workload exercises both outcomes, and most operations succeed.
  EXPECT_GT(total.ok, total.rejected);
  EXPECT_GT(total.rejected, 0u);
  EXPECT_GT(ledger.transfers_applied(), 1'000'000u);
  EXPECT_GT(ledger.open_hold_count(), 0u);
}

TEST(Random, DurableRunReloadsAndReplaysToTheSameState) {
  testing::TempDir dir;
  StoreOptions o;
  o.durability = Durability::kNoSync;  // durability itself is the crash test's subject
  o.initial_map_bytes = 1 << 20;       // forces several map growths on the way
  Digest live;
  {
    auto store = std::move(Store::open(dir.path(), o)).value();
    Ledger ledger(testing::standard_options());
    testing::open_standard_accounts(ledger, 50);
    testing::Workload work(7, 50, 4);
    std::uint64_t seq = 0;
    for (int batch = 0; batch < 500; ++batch) {
      std::vector<std::vector<std::uint8_t>> payloads(100);
      std::vector<JournalEntry> entries;
      for (auto& p : payloads) {
        ++seq;
        ledger.begin_command(Seq(seq), TimestampNs(static_cast<std::int64_t>(seq)));
        work.next_command(ledger, 4, p);
        entries.push_back(JournalEntry{Seq(seq), TimestampNs(static_cast<std::int64_t>(seq)), p});
      }
      Batch b;
      b.journal = entries;
      ASSERT_TRUE(store->commit_batch(b, ledger).ok()) << store->last_error_detail();
    }
    ASSERT_TRUE(ledger.verify().empty());
    live = ledger.state_hash();
  }
  auto store = std::move(Store::open(dir.path(), o)).value();
  Ledger loaded(testing::standard_options());
  ASSERT_TRUE(store->load(loaded).ok());
  EXPECT_EQ(to_hex(loaded.state_hash()), to_hex(live));
  EXPECT_EQ(loaded.verify(), std::vector<std::string>{});
  EXPECT_EQ(store->applied_seq(), Seq(50'000));
  const JournalCheck check = verify_journal(*store);
  EXPECT_TRUE(check.ok) << check.problem;
  Ledger replay(testing::standard_options());
  testing::open_standard_accounts(replay, 50);
  ASSERT_TRUE(replay_journal(*store, [&](const JournalRecordView& r) {
    replay.begin_command(r.seq, r.ts);
    testing::apply_payload(replay, r.payload);
    return true;
  }));
  EXPECT_EQ(to_hex(replay.state_hash()), to_hex(live));
  // Holdings folded from the transfer log equal the live balances (available + frozen).
  const auto holdings = store->holdings_at(Seq(50'000)).value();
  std::size_t nonzero = 0;
  for (const Account& a : loaded.accounts()) {
    for (const BalanceDetail& b : loaded.balances_of(a.id)) {
      if (b.available + b.frozen != 0) ++nonzero;
    }
  }
  EXPECT_EQ(holdings.size(), nonzero);
  for (const Holding& h : holdings) {
    const BalanceView b = loaded.balance(h.account, h.asset);
    EXPECT_EQ(h.amount, b.available + b.frozen);
  }
}

}  // namespace
}  // namespace carbonx::registry
