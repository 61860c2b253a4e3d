// Conformance: the registry Ledger and the engine's InMemoryLedger give identical outcomes and
// balances for the same calls — a scripted scenario touching every error, then a long random run.
#include <gtest/gtest.h>

#include "carbonx/engine/in_memory_ledger.hpp"
#include "registry_test_util.hpp"
#include "workload.hpp"

namespace carbonx::registry {
namespace {

constexpr int kFirms = 30;
constexpr int kAssets = 5;

// Both ledgers with the same accounts: account 1 is the only one allowed to go negative
// (InMemoryLedger's source account, the registry's government issuance account).
struct Pair {
  Pair() : reg(testing::standard_options()) {
    testing::open_standard_accounts(reg, kFirms);
    CX_ASSERT(mem.open_account(testing::kSettle));
    CX_ASSERT(mem.open_account(testing::kFee));
    for (int i = 0; i < kFirms; ++i)
      CX_ASSERT(mem.open_account(AccountId(100 + i)));
  }
  Ledger reg;
  InMemoryLedger mem{InMemoryLedger::Options{testing::kGov, true, true}};

  void expect_same_balances() {
    for (std::uint32_t a : {1u, 2u, 3u})
      expect_same(AccountId(a));
    for (int i = 0; i < kFirms; ++i)
      expect_same(AccountId(100 + i));
  }
  void expect_same(AccountId a) {
    for (std::uint32_t s = 0; s <= kAssets; ++s) {
      const BalanceView x = reg.balance(a, AssetId(s));
      const BalanceView y = mem.balance(a, AssetId(s));
      EXPECT_EQ(x.available, y.available) << a.value() << "/" << s;
      EXPECT_EQ(x.frozen, y.frozen) << a.value() << "/" << s;
    }
  }
};

template <typename F>
void both(Pair& p, F&& call) {
  const auto a = call(static_cast<carbonx::Ledger&>(p.reg));
  const auto b = call(static_cast<carbonx::Ledger&>(p.mem));
  ASSERT_EQ(a.ok(), b.ok());
  if (!a.ok()) {
    EXPECT_EQ(to_string(a.error()), to_string(b.error()));
  }
}

TEST(Conformance, ScriptedScenarioGivesIdenticalOutcomes) {
  Pair p;
  const AccountId a{100}, b{101};
  const AssetId u{1};
  auto post1 = [](Posting x) {
    return [x](carbonx::Ledger& l) { return l.post(std::span(&x, 1)); };
  };
  auto hold = [](HoldId h, AccountId acc, AssetId s, std::int64_t n) {
    return [=](carbonx::Ledger& l) { return l.hold(h, acc, s, n); };
  };
  auto release = [](HoldId h, std::int64_t n) {
    return [=](carbonx::Ledger& l) { return l.release(h, n); };
  };
  const HoldId h1 = make_hold_id(HoldKind::kOrder, 1);
  both(p, post1({TransferId(1), AccountId(1), a, u, 100, kNoHold, TransferKind::kIssuance, 0}));
  both(p, post1({TransferId(1), AccountId(1), a, u, 100, kNoHold, TransferKind::kIssuance, 0}));
  both(p, post1({TransferId(1), AccountId(1), a, u, 99, kNoHold, TransferKind::kIssuance, 0}));
  both(p, post1({TransferId(2), a, b, u, 101, kNoHold, TransferKind::kTrade, 0}));
  both(p, post1({TransferId(2), a, AccountId(999), u, 1, kNoHold, TransferKind::kTrade, 0}));
  both(p, hold(h1, a, u, 101));
  both(p, hold(h1, AccountId(999), u, 1));
  both(p, hold(h1, a, u, 60));
  both(p, hold(h1, a, u, 1));
  both(p, post1({TransferId(3), b, a, u, 1, h1, TransferKind::kTrade, 0}));
  both(p, post1({TransferId(3), a, b, AssetId(2), 1, h1, TransferKind::kTrade, 0}));
  both(p, post1({TransferId(3), a, b, u, 61, h1, TransferKind::kTrade, 0}));
  both(p, post1({TransferId(3), a, b, u, 20, h1, TransferKind::kTrade, 0}));
  both(p, release(h1, 41));
  both(p, release(h1, 40));
  both(p, release(h1, 1));
  both(p, hold(h1, a, u, 1));  // a closed hold's id stays used
  both(p, post1({TransferId(4), a, a, u, 5, kNoHold, TransferKind::kTrade, 0}));
  // Resizing in place: unknown, grow beyond available, grow, keep, shrink, grow again.
  auto resize = [](HoldId h, std::int64_t n) {
    return [=](carbonx::Ledger& l) { return l.resize_hold(h, n); };
  };
  const HoldId h3 = make_hold_id(HoldKind::kOrder, 3);
  const HoldId hb = make_hold_id(HoldKind::kOrder, 4);
  both(p, resize(h1, 5));  // closed
  both(p, hold(h3, b, u, 10));
  both(p, resize(h3, 10 + p.mem.balance(b, u).available + 1));
  both(p, resize(h3, 10 + p.mem.balance(b, u).available));
  both(p, resize(h3, p.mem.held(h3)));
  both(p, resize(h3, 7));
  both(p, resize(h3, 9));
  both(p, release(h3, 9));
  both(p, resize(h3, 1));  // released whole: closed
  both(p, hold(hb, b, u, 1));
  // Freezing an account (registry kFrozen = InMemoryLedger inactive).
  ASSERT_TRUE(p.reg.set_status(b, AccountStatus::kFrozen).ok());
  ASSERT_TRUE(p.mem.set_active(b, false).ok());
  both(p, post1({TransferId(5), a, b, u, 1, kNoHold, TransferKind::kTrade, 0}));
  both(p, hold(make_hold_id(HoldKind::kOrder, 2), b, u, 1));
  both(p, resize(hb, 2));  // growing needs an active account
  both(p, resize(hb, 1));
  ASSERT_TRUE(p.reg.set_status(b, AccountStatus::kActive).ok());
  ASSERT_TRUE(p.mem.set_active(b, true).ok());
  both(p, release(hb, 1));
  // Holding limits on an instrument.
  ASSERT_TRUE(p.reg.set_holding_limit(b, 25).ok());
  ASSERT_TRUE(p.mem.set_holding_limit(b, u, 25).ok());
  both(p, post1({TransferId(6), a, b, u, 6, kNoHold, TransferKind::kTrade, 0}));
  both(p, post1({TransferId(6), a, b, u, 5, kNoHold, TransferKind::kTrade, 0}));
  // A linked group failing in its last posting changes nothing in either.
  const Posting group[] = {
      {TransferId(7), AccountId(1), a, kCashAsset, 1000, kNoHold, TransferKind::kDeposit, 0},
      {TransferId(8), a, b, kCashAsset, 900, kNoHold, TransferKind::kTrade, 0},
      {TransferId(9), a, b, kCashAsset, 101, kNoHold, TransferKind::kTrade, 0},
  };
  both(p, [&](carbonx::Ledger& l) { return l.post(group); });
  p.expect_same_balances();
  EXPECT_EQ(p.reg.held(h1), p.mem.held(h1));
}

TEST(Conformance, RandomRunGivesIdenticalOutcomesAndBalances) {
  Pair p;
  testing::Workload work(99, kFirms, kAssets);
  work.set_cash_source(1);
  std::vector<std::uint8_t> payload;
  std::vector<int> reg_outcomes, mem_outcomes;
  for (std::uint64_t seq = 1; seq <= 200'000; ++seq) {
    payload.clear();
    reg_outcomes.clear();
    mem_outcomes.clear();
    p.reg.begin_command(Seq(seq), TimestampNs(1));
    p.mem.begin_command(Seq(seq), TimestampNs(1));
    work.generate_command(p.reg, 3, payload);
    testing::apply_payload(p.reg, payload, &reg_outcomes);
    testing::apply_payload(p.mem, payload, &mem_outcomes);
    ASSERT_EQ(reg_outcomes, mem_outcomes) << "seq " << seq;
    if (seq % 20'000 == 0) {
      p.expect_same_balances();
      if (::testing::Test::HasFailure()) return;
    }
  }
  p.expect_same_balances();
  EXPECT_TRUE(p.reg.verify().empty());
}

}  // namespace
}  // namespace carbonx::registry
