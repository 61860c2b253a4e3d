#include "carbonx/engine/in_memory_ledger.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace carbonx {
namespace {

constexpr AccountId kSource{0};
constexpr AccountId kAlice{1};
constexpr AccountId kBob{2};
constexpr AssetId kUnits{7};

Posting make(std::uint64_t id, AccountId from, AccountId to, AssetId asset, std::int64_t amount,
             HoldId hold = kNoHold) {
  Posting p;
  p.id = TransferId(id);
  p.debit = from;
  p.credit = to;
  p.asset = asset;
  p.amount = amount;
  p.from_hold = hold;
  return p;
}

class LedgerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(ledger.open_account(kAlice));
    ASSERT_TRUE(ledger.open_account(kBob));
    ASSERT_TRUE(ledger.deposit(kAlice, kCashAsset, 10'000).ok());
    ASSERT_TRUE(ledger.deposit(kBob, kUnits, 500).ok());
  }
  void expect_conserved() {
    EXPECT_EQ(ledger.total(kCashAsset), 0);
    EXPECT_EQ(ledger.total(kUnits), 0);
  }
  InMemoryLedger ledger;
};

TEST_F(LedgerTest, DepositMovesFromTheSourceAndConserves) {
  EXPECT_EQ(ledger.balance(kAlice, kCashAsset).available, 10'000);
  EXPECT_EQ(ledger.balance(kSource, kCashAsset).available, -10'000);
  EXPECT_EQ(ledger.balance(kBob, kUnits).available, 500);
  expect_conserved();
}

TEST_F(LedgerTest, OpenAccountTwiceIsRefused) {
  EXPECT_FALSE(ledger.open_account(kAlice));
  EXPECT_TRUE(ledger.is_open(kAlice));
  EXPECT_FALSE(ledger.is_open(AccountId(99)));
}

TEST_F(LedgerTest, HoldAndReleaseMoveBetweenAvailableAndFrozen) {
  const HoldId h = make_hold_id(HoldKind::kOrder, 1);
  ASSERT_TRUE(ledger.hold(h, kAlice, kCashAsset, 4'000).ok());
  EXPECT_EQ(ledger.balance(kAlice, kCashAsset).available, 6'000);
  EXPECT_EQ(ledger.balance(kAlice, kCashAsset).frozen, 4'000);
  EXPECT_EQ(ledger.held(h), 4'000);
  ASSERT_TRUE(ledger.release(h, 1'000).ok());
  EXPECT_EQ(ledger.held(h), 3'000);
  ASSERT_TRUE(ledger.release(h, 3'000).ok());
  EXPECT_EQ(ledger.held(h), 0);
  EXPECT_EQ(ledger.open_hold_count(), 0u);
  EXPECT_EQ(ledger.balance(kAlice, kCashAsset).available, 10'000);
  // The hold closed: releasing again is an unknown hold.
  auto st = ledger.release(h, 1);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error(), LedgerError::kUnknownHold);
  expect_conserved();
}

TEST_F(LedgerTest, HoldErrors) {
  const HoldId h = make_hold_id(HoldKind::kOrder, 1);
  EXPECT_EQ(ledger.hold(h, AccountId(99), kCashAsset, 1).error(), LedgerError::kUnknownAccount);
  EXPECT_EQ(ledger.hold(h, kAlice, kCashAsset, 10'001).error(),
            LedgerError::kInsufficientAvailable);
  ASSERT_TRUE(ledger.hold(h, kAlice, kCashAsset, 1).ok());
  EXPECT_EQ(ledger.hold(h, kAlice, kCashAsset, 1).error(), LedgerError::kDuplicateHold);
  ASSERT_TRUE(ledger.release(h, 1).ok());
  // A closed hold's id stays used.
  EXPECT_EQ(ledger.hold(h, kAlice, kCashAsset, 1).error(), LedgerError::kDuplicateHold);
  ASSERT_TRUE(ledger.set_active(kAlice, false).ok());
  EXPECT_EQ(ledger.hold(make_hold_id(HoldKind::kOrder, 2), kAlice, kCashAsset, 1).error(),
            LedgerError::kAccountNotActive);
  EXPECT_EQ(ledger.set_active(AccountId(99), true).error(), LedgerError::kUnknownAccount);
  EXPECT_EQ(ledger.balance(kAlice, kCashAsset).available, 10'000);
}

TEST_F(LedgerTest, ReleaseMoreThanHeldIsRefused) {
  const HoldId h = make_hold_id(HoldKind::kOrder, 1);
  ASSERT_TRUE(ledger.hold(h, kAlice, kCashAsset, 100).ok());
  EXPECT_EQ(ledger.release(h, 101).error(), LedgerError::kHoldExceeded);
  EXPECT_EQ(ledger.held(h), 100);
}

TEST_F(LedgerTest, ForgetfulLedgerAllowsReuseOfClosedHoldIds) {
  InMemoryLedger forgetful(InMemoryLedger::Options{kSource, false, false});
  ASSERT_TRUE(forgetful.open_account(kAlice));
  ASSERT_TRUE(forgetful.deposit(kAlice, kCashAsset, 10).ok());
  const HoldId h = make_hold_id(HoldKind::kOrder, 1);
  ASSERT_TRUE(forgetful.hold(h, kAlice, kCashAsset, 5).ok());
  EXPECT_EQ(forgetful.hold(h, kAlice, kCashAsset, 5).error(), LedgerError::kDuplicateHold);
  ASSERT_TRUE(forgetful.release(h, 5).ok());
  EXPECT_TRUE(forgetful.hold(h, kAlice, kCashAsset, 5).ok());
}

TEST_F(LedgerTest, DeliveryVersusPaymentFromHolds) {
  const HoldId cash = make_hold_id(HoldKind::kOrder, 1);
  const HoldId units = make_hold_id(HoldKind::kOrder, 2);
  ASSERT_TRUE(ledger.hold(cash, kAlice, kCashAsset, 3'000).ok());
  ASSERT_TRUE(ledger.hold(units, kBob, kUnits, 100).ok());
  const AccountId fee_account{50};
  ASSERT_TRUE(ledger.open_account(fee_account));
  // Units seller->buyer, cash buyer->seller, buyer fee, seller fee out of the proceeds.
  std::vector<Posting> dvp = {
      make(core_transfer_id(1).value(), kBob, kAlice, kUnits, 100, units),
      make(core_transfer_id(2).value(), kAlice, kBob, kCashAsset, 2'500, cash),
      make(core_transfer_id(3).value(), kAlice, fee_account, kCashAsset, 10, cash),
      make(core_transfer_id(4).value(), kBob, fee_account, kCashAsset, 10),
  };
  ASSERT_TRUE(ledger.post(dvp).ok());
  EXPECT_EQ(ledger.balance(kAlice, kUnits).available, 100);
  EXPECT_EQ(ledger.balance(kBob, kUnits).available, 400);
  EXPECT_EQ(ledger.balance(kBob, kUnits).frozen, 0);
  EXPECT_EQ(ledger.balance(kBob, kCashAsset).available, 2'490);
  EXPECT_EQ(ledger.balance(fee_account, kCashAsset).available, 20);
  EXPECT_EQ(ledger.held(cash), 490);
  EXPECT_EQ(ledger.held(units), 0);
  EXPECT_EQ(ledger.balance(kAlice, kCashAsset).frozen, 490);
  EXPECT_EQ(ledger.postings_applied(), 4u + 2u);  // + the two deposits
  expect_conserved();
}

// Each error of post() leaves every balance and hold as it was, even when earlier postings of the
// linked group had already been applied.
class PostAllOrNothing : public LedgerTest {
 protected:
  void SetUp() override {
    LedgerTest::SetUp();
    ASSERT_TRUE(ledger.hold(alice_hold, kAlice, kCashAsset, 1'000).ok());
    ASSERT_TRUE(ledger.hold(bob_hold, kBob, kUnits, 50).ok());
  }
  // A good first posting, then `bad`.
  void expect_fails(const Posting& bad, LedgerError expected) {
    const BalanceView a = ledger.balance(kAlice, kCashAsset);
    const BalanceView b = ledger.balance(kBob, kUnits);
    const std::uint64_t applied = ledger.postings_applied();
    std::vector<Posting> group = {make(500, kAlice, kBob, kCashAsset, 300, alice_hold), bad};
    auto st = ledger.post(group);
    ASSERT_FALSE(st.ok());
    EXPECT_EQ(st.error(), expected) << to_string(st.error());
    EXPECT_EQ(ledger.balance(kAlice, kCashAsset).available, a.available);
    EXPECT_EQ(ledger.balance(kAlice, kCashAsset).frozen, a.frozen);
    EXPECT_EQ(ledger.balance(kBob, kUnits).available, b.available);
    EXPECT_EQ(ledger.balance(kBob, kCashAsset).available, 0);
    EXPECT_EQ(ledger.held(alice_hold), 1'000);
    EXPECT_EQ(ledger.held(bob_hold), 50);
    EXPECT_EQ(ledger.postings_applied(), applied);
    expect_conserved();
    // The rolled-back first posting's id is free again: the same group minus `bad` applies.
    std::vector<Posting> good = {group[0]};
    EXPECT_TRUE(ledger.post(good).ok());
  }
  const HoldId alice_hold = make_hold_id(HoldKind::kOrder, 11);
  const HoldId bob_hold = make_hold_id(HoldKind::kOrder, 12);
};

TEST_F(PostAllOrNothing, UnknownAccount) {
  expect_fails(make(501, kBob, AccountId(99), kUnits, 1), LedgerError::kUnknownAccount);
}
TEST_F(PostAllOrNothing, AccountNotActive) {
  const AccountId frozen{60};
  ASSERT_TRUE(ledger.open_account(frozen));
  ASSERT_TRUE(ledger.set_active(frozen, false).ok());
  expect_fails(make(501, kBob, frozen, kUnits, 1), LedgerError::kAccountNotActive);
}
TEST_F(PostAllOrNothing, InsufficientAvailable) {
  expect_fails(make(501, kBob, kAlice, kUnits, 451), LedgerError::kInsufficientAvailable);
}
TEST_F(PostAllOrNothing, UnknownHold) {
  expect_fails(make(501, kBob, kAlice, kUnits, 1, make_hold_id(HoldKind::kOrder, 99)),
               LedgerError::kUnknownHold);
}
TEST_F(PostAllOrNothing, HoldExceeded) {
  expect_fails(make(501, kBob, kAlice, kUnits, 51, bob_hold), LedgerError::kHoldExceeded);
}
TEST_F(PostAllOrNothing, HoldExceededBySecondDrawOnTheSameHold) {
  expect_fails(make(501, kAlice, kBob, kCashAsset, 701, alice_hold), LedgerError::kHoldExceeded);
}
TEST_F(PostAllOrNothing, HoldAccountMismatch) {
  expect_fails(make(501, kAlice, kBob, kUnits, 1, bob_hold), LedgerError::kHoldAccountMismatch);
}
TEST_F(PostAllOrNothing, HoldAssetMismatch) {
  expect_fails(make(501, kBob, kAlice, kCashAsset, 1, bob_hold), LedgerError::kHoldAccountMismatch);
}
TEST_F(PostAllOrNothing, DuplicateTransfer) {
  ASSERT_TRUE(ledger.post(std::vector<Posting>{make(900, kBob, kAlice, kUnits, 1)}).ok());
  expect_fails(make(900, kBob, kAlice, kUnits, 2), LedgerError::kDuplicateTransfer);
}
TEST_F(PostAllOrNothing, HoldingLimit) {
  ASSERT_TRUE(ledger.set_holding_limit(kAlice, kUnits, 10).ok());
  EXPECT_EQ(ledger.holding_room(kAlice, kUnits), 10);
  Posting over = make(501, kBob, kAlice, kUnits, 11);
  over.kind = TransferKind::kAgreement;
  expect_fails(over, LedgerError::kHoldingLimit);
}

TEST_F(LedgerTest, ListedFillsAreNotLimitedAtPosting) {
  // The core checks a listed buy against holding_room() at entry (ledger.hpp); the fill itself
  // (TransferKind::kTrade) must never fail half way through a match.
  ASSERT_TRUE(ledger.set_holding_limit(kAlice, kUnits, 10).ok());
  Posting fill = make(502, kBob, kAlice, kUnits, 11);
  fill.kind = TransferKind::kTrade;
  ASSERT_TRUE(ledger.post(std::span<const Posting>(&fill, 1)).ok());
  EXPECT_EQ(ledger.holding_room(kAlice, kUnits), 0);
}

TEST_F(LedgerTest, SameTransferTwiceTakesEffectOnce) {
  const std::vector<Posting> p = {make(77, kBob, kAlice, kUnits, 5)};
  ASSERT_TRUE(ledger.post(p).ok());
  ASSERT_TRUE(ledger.post(p).ok());
  EXPECT_EQ(ledger.balance(kAlice, kUnits).available, 5);
  EXPECT_EQ(ledger.balance(kBob, kUnits).available, 495);
}

TEST_F(LedgerTest, LaterPostingMaySpendWhatAnEarlierOneCredited) {
  // Bob has no cash: his fee is paid from the proceeds credited just before.
  const std::vector<Posting> p = {make(1, kAlice, kBob, kCashAsset, 100),
                                  make(2, kBob, kAlice, kCashAsset, 100)};
  ASSERT_TRUE(ledger.post(p).ok());
  EXPECT_EQ(ledger.balance(kBob, kCashAsset).available, 0);
  // In the opposite order the first posting fails and nothing applies.
  const std::vector<Posting> q = {make(3, kBob, kAlice, kCashAsset, 100),
                                  make(4, kAlice, kBob, kCashAsset, 100)};
  EXPECT_EQ(ledger.post(q).error(), LedgerError::kInsufficientAvailable);
  EXPECT_EQ(ledger.balance(kAlice, kCashAsset).available, 10'000);
}

TEST_F(LedgerTest, HoldingLimitHelperNeedsAnOpenAccount) {
  EXPECT_EQ(ledger.set_holding_limit(AccountId(99), kUnits, 1).error(),
            LedgerError::kUnknownAccount);
}

TEST_F(LedgerTest, ReleaseWorksOnADeactivatedAccount) {
  const HoldId h = make_hold_id(HoldKind::kOperator, 3);
  ASSERT_TRUE(ledger.hold(h, kBob, kUnits, 20).ok());
  ASSERT_TRUE(ledger.set_active(kBob, false).ok());
  EXPECT_TRUE(ledger.release(h, 20).ok());
  EXPECT_EQ(ledger.balance(kBob, kUnits).available, 500);
}

TEST_F(LedgerTest, ResizeGrowsAndShrinksAHoldInPlace) {
  const HoldId h = make_hold_id(HoldKind::kOrder, 1);
  ASSERT_TRUE(ledger.hold(h, kAlice, kCashAsset, 4'000).ok());
  ASSERT_TRUE(ledger.resize_hold(h, 9'000).ok());
  EXPECT_EQ(ledger.held(h), 9'000);
  EXPECT_EQ(ledger.balance(kAlice, kCashAsset).available, 1'000);
  EXPECT_EQ(ledger.balance(kAlice, kCashAsset).frozen, 9'000);
  EXPECT_EQ(ledger.open_hold_count(), 1u);
  ASSERT_TRUE(ledger.resize_hold(h, 9'000).ok());  // the same size: nothing changes
  ASSERT_TRUE(ledger.resize_hold(h, 2'500).ok());
  EXPECT_EQ(ledger.held(h), 2'500);
  EXPECT_EQ(ledger.balance(kAlice, kCashAsset).available, 7'500);
  // A posting draws on it like on any hold.
  const Posting p = make(1, kAlice, kBob, kCashAsset, 2'500, h);
  ASSERT_TRUE(ledger.post(std::span(&p, 1)).ok());
  EXPECT_EQ(ledger.open_hold_count(), 0u);
  EXPECT_EQ(ledger.resize_hold(h, 1).error(), LedgerError::kUnknownHold);
  expect_conserved();
}

TEST_F(LedgerTest, ResizeRefusalsChangeNothing) {
  const HoldId h = make_hold_id(HoldKind::kOrder, 1);
  ASSERT_TRUE(ledger.hold(h, kBob, kUnits, 100).ok());
  EXPECT_EQ(ledger.resize_hold(make_hold_id(HoldKind::kOrder, 2), 1).error(),
            LedgerError::kUnknownHold);
  EXPECT_EQ(ledger.resize_hold(h, 501).error(), LedgerError::kInsufficientAvailable);
  EXPECT_EQ(ledger.held(h), 100);
  EXPECT_EQ(ledger.balance(kBob, kUnits).available, 400);
  EXPECT_EQ(ledger.balance(kBob, kUnits).frozen, 100);
  ASSERT_TRUE(ledger.set_active(kBob, false).ok());
  EXPECT_EQ(ledger.resize_hold(h, 101).error(), LedgerError::kAccountNotActive);
  EXPECT_EQ(ledger.held(h), 100);
  EXPECT_TRUE(ledger.resize_hold(h, 60).ok());  // shrinking is a release: allowed
  EXPECT_EQ(ledger.balance(kBob, kUnits).available, 440);
  ASSERT_TRUE(ledger.set_active(kBob, true).ok());
  EXPECT_TRUE(ledger.resize_hold(h, 500).ok());  // exactly what is available
  EXPECT_EQ(ledger.balance(kBob, kUnits).available, 0);
  expect_conserved();
}

TEST_F(LedgerTest, FrozenTotalEqualsOpenHolds) {
  ASSERT_TRUE(ledger.hold(make_hold_id(HoldKind::kOrder, 1), kAlice, kCashAsset, 10).ok());
  ASSERT_TRUE(ledger.hold(make_hold_id(HoldKind::kOrder, 2), kAlice, kCashAsset, 15).ok());
  EXPECT_EQ(ledger.frozen_total(kCashAsset), 25);
  EXPECT_EQ(ledger.open_hold_count(), 2u);
}

// Two postings of one group drawing the same hold to zero close it once; a hold drawn in part by
// the same group stays open with the rest.
TEST_F(LedgerTest, AHoldDrawnToZeroTwiceInOneGroupClosesOnce) {
  const HoldId cash = make_hold_id(HoldKind::kOrder, 1);
  const HoldId units = make_hold_id(HoldKind::kOrder, 2);
  ASSERT_TRUE(ledger.hold(cash, kAlice, kCashAsset, 1'000).ok());
  ASSERT_TRUE(ledger.hold(units, kBob, kUnits, 100).ok());
  std::vector<Posting> group = {
      make(core_transfer_id(1).value(), kAlice, kBob, kCashAsset, 990, cash),
      make(core_transfer_id(2).value(), kBob, kAlice, kUnits, 60, units),
      make(core_transfer_id(3).value(), kAlice, kBob, kCashAsset, 10, cash),
  };
  ASSERT_TRUE(ledger.post(group).ok());
  EXPECT_EQ(ledger.held(cash), 0);
  EXPECT_EQ(ledger.held(units), 40);
  EXPECT_EQ(ledger.open_hold_count(), 1u);
  EXPECT_EQ(ledger.balance(kAlice, kCashAsset).frozen, 0);
  EXPECT_EQ(ledger.balance(kBob, kCashAsset).available, 1'000);
  EXPECT_EQ(ledger.balance(kBob, kUnits).frozen, 40);
  EXPECT_EQ(ledger.release(cash, 1).error(), LedgerError::kUnknownHold);
  expect_conserved();
}

// Holds keyed by sequential ids (the core's order ids) in groups of neighbouring slots: under
// churn like an order book's (most close soon, some stay long) every open hold is found with its
// amount, every closed one is gone, and the frozen total equals the open holds.
TEST_F(LedgerTest, SequentialHoldIdsUnderChurnStayExact) {
  InMemoryLedger l(InMemoryLedger::Options{kSource, false, false});
  ASSERT_TRUE(l.open_account(kAlice));
  ASSERT_TRUE(l.deposit(kAlice, kCashAsset, std::int64_t{1} << 40).ok());
  std::vector<std::int64_t> open(20'001, 0);  // by order id: the amount held, 0 when closed
  std::uint64_t x = 12345;
  std::int64_t frozen = 0;
  std::size_t count = 0;
  for (std::uint64_t id = 1; id <= 20'000; ++id) {
    const auto amount = static_cast<std::int64_t>(id % 97 + 1);
    ASSERT_TRUE(l.hold(make_hold_id(HoldKind::kOrder, id), kAlice, kCashAsset, amount).ok());
    open[id] = amount;
    frozen += amount;
    ++count;
    for (int k = 0; k < 2; ++k) {  // close about one older hold per new one, mostly recent ones
      x = x * 6364136223846793005ULL + 1442695040888963407ULL;
      const std::uint64_t back = (x >> 33) % (k == 0 ? 16 : id);
      if (back >= id || open[id - back] == 0) continue;
      ASSERT_TRUE(l.release(make_hold_id(HoldKind::kOrder, id - back), open[id - back]).ok());
      frozen -= open[id - back];
      open[id - back] = 0;
      --count;
    }
  }
  EXPECT_EQ(l.open_hold_count(), count);
  EXPECT_EQ(l.frozen_total(kCashAsset), frozen);
  for (std::uint64_t id = 1; id <= 20'000; ++id) {
    ASSERT_EQ(l.held(make_hold_id(HoldKind::kOrder, id)), open[id]) << id;
  }
  EXPECT_GT(count, 1'000u);  // the churn left long-lived holds spread over the ids
  EXPECT_LT(count, 19'000u);
}

TEST(LedgerDeath, ZeroAmountIsAProgrammerError) {
  InMemoryLedger ledger;
  ASSERT_TRUE(ledger.open_account(kAlice));
  EXPECT_DEATH((void)ledger.hold(make_hold_id(HoldKind::kOrder, 1), kAlice, kCashAsset, 0),
               "assertion failed");
}

}  // namespace
}  // namespace carbonx
