// Unit tests of the registry Ledger: every rule and every error, each leaving state unchanged.
#include "carbonx/registry/ledger.hpp"

#include <gtest/gtest.h>

#include "registry_test_util.hpp"

namespace carbonx::registry {
namespace {

using testing::kFee;
using testing::kGdea;
using testing::kGov;
using testing::kSettle;
using testing::make_account;

constexpr AccountId kA{100};
constexpr AccountId kB{101};

Posting issue(std::uint64_t id, AccountId to, std::int64_t t) {
  return Posting{TransferId(id), kGov, to, kGdea, t, kNoHold, TransferKind::kIssuance, 0};
}

class LedgerTest : public ::testing::Test {
 protected:
  LedgerTest() : ledger(testing::standard_options()) {
    testing::open_standard_accounts(ledger, 2);
    ledger.begin_command(Seq(1), TimestampNs(1000));
  }
  void issue_to(AccountId to, std::int64_t t, std::uint64_t id) {
    const Posting p = issue(id, to, t);
    ASSERT_TRUE(ledger.post(std::span(&p, 1)).ok());
  }
  void expect_clean() { EXPECT_EQ(ledger.verify(), std::vector<std::string>{}); }
  Ledger ledger;
};

TEST_F(LedgerTest, OpenAccountValidates) {
  EXPECT_EQ(ledger.open_account(make_account(kA, AccountKind::kIndividual)).error(),
            RegistryError::kDuplicateAccount);
  EXPECT_EQ(ledger.open_account(make_account(AccountId(0), AccountKind::kIndividual)).error(),
            RegistryError::kInvalidAccount);
  Account bad = make_account(AccountId(7), AccountKind::kIndividual);
  bad.kind = static_cast<AccountKind>(42);
  EXPECT_EQ(ledger.open_account(bad).error(), RegistryError::kInvalidAccount);
  Account no_year = make_account(AccountId(8), AccountKind::kRetirement);
  no_year.compliance_year = 0;
  EXPECT_EQ(ledger.open_account(no_year).error(), RegistryError::kInvalidAccount);
  Account year_on_firm = make_account(AccountId(9), AccountKind::kIndividual);
  year_on_firm.compliance_year = 2024;
  EXPECT_EQ(ledger.open_account(year_on_firm).error(), RegistryError::kInvalidAccount);
  Account frozen = make_account(AccountId(10), AccountKind::kIndividual);
  frozen.status = AccountStatus::kFrozen;
  EXPECT_EQ(ledger.open_account(frozen).error(), RegistryError::kInvalidAccount);
  EXPECT_TRUE(ledger.open_account(make_account(AccountId(11), AccountKind::kRetirement)).ok());
  EXPECT_EQ(ledger.account(AccountId(11))->compliance_year, 2024);
  EXPECT_EQ(ledger.account_count(), 6u);
}

TEST_F(LedgerTest, IssuanceComesFromTheGovernmentAccountWhichGoesNegative) {
  issue_to(kA, 1000, 1);
  EXPECT_EQ(ledger.balance(kA, kGdea).available, 1000);
  EXPECT_EQ(ledger.balance(kGov, kGdea).available, -1000);
  expect_clean();
}

TEST_F(LedgerTest, OrdinaryAccountCannotGoNegative) {
  issue_to(kA, 10, 1);
  const Posting p{TransferId(2), kA, kB, kGdea, 11, kNoHold, TransferKind::kTrade, 0};
  EXPECT_EQ(ledger.post(std::span(&p, 1)).error(), LedgerError::kInsufficientAvailable);
  EXPECT_EQ(ledger.balance(kA, kGdea).available, 10);
  EXPECT_EQ(ledger.balance(kB, kGdea).available, 0);
  expect_clean();
}

TEST_F(LedgerTest, UnknownAndInactiveAccounts) {
  issue_to(kA, 10, 1);
  Posting p{TransferId(2), kA, AccountId(999), kGdea, 1, kNoHold, TransferKind::kTrade, 0};
  EXPECT_EQ(ledger.post(std::span(&p, 1)).error(), LedgerError::kUnknownAccount);
  EXPECT_EQ(ledger.hold(make_hold_id(HoldKind::kOrder, 1), AccountId(999), kGdea, 1).error(),
            LedgerError::kUnknownAccount);
  ASSERT_TRUE(ledger.set_status(kB, AccountStatus::kFrozen).ok());
  p.credit = kB;
  EXPECT_EQ(ledger.post(std::span(&p, 1)).error(), LedgerError::kAccountNotActive);
  EXPECT_EQ(ledger.hold(make_hold_id(HoldKind::kOrder, 1), kB, kGdea, 1).error(),
            LedgerError::kAccountNotActive);
  ASSERT_TRUE(ledger.set_status(kB, AccountStatus::kActive).ok());
  EXPECT_TRUE(ledger.post(std::span(&p, 1)).ok());
  expect_clean();
}

TEST_F(LedgerTest, HoldReleaseAndPartialPosting) {
  issue_to(kA, 100, 1);
  const HoldId h = make_hold_id(HoldKind::kOrder, 7);
  ASSERT_TRUE(ledger.hold(h, kA, kGdea, 60).ok());
  EXPECT_EQ(ledger.balance(kA, kGdea).available, 40);
  EXPECT_EQ(ledger.balance(kA, kGdea).frozen, 60);
  EXPECT_EQ(ledger.held(h), 60);
  const Posting p{TransferId(2), kA, kB, kGdea, 25, h, TransferKind::kTrade, 99};
  ASSERT_TRUE(ledger.post(std::span(&p, 1)).ok());
  EXPECT_EQ(ledger.held(h), 35);
  EXPECT_EQ(ledger.balance(kA, kGdea).frozen, 35);
  EXPECT_EQ(ledger.balance(kB, kGdea).available, 25);
  EXPECT_EQ(ledger.release(h, 36).error(), LedgerError::kHoldExceeded);
  ASSERT_TRUE(ledger.release(h, 35).ok());
  EXPECT_EQ(ledger.held(h), 0);
  EXPECT_EQ(ledger.open_hold_count(), 0u);
  EXPECT_EQ(ledger.balance(kA, kGdea).available, 75);
  EXPECT_EQ(ledger.release(h, 1).error(), LedgerError::kUnknownHold);
  expect_clean();
}

TEST_F(LedgerTest, HoldErrors) {
  issue_to(kA, 100, 1);
  const HoldId h = make_hold_id(HoldKind::kOrder, 7);
  EXPECT_EQ(ledger.hold(h, kA, kGdea, 101).error(), LedgerError::kInsufficientAvailable);
  ASSERT_TRUE(ledger.hold(h, kA, kGdea, 10).ok());
  EXPECT_EQ(ledger.hold(h, kA, kGdea, 10).error(), LedgerError::kDuplicateHold);
  ASSERT_TRUE(ledger.release(h, 10).ok());
  // A closed hold's id stays used.
  EXPECT_EQ(ledger.hold(h, kA, kGdea, 10).error(), LedgerError::kDuplicateHold);
  // Posting against a hold of another account or asset.
  const HoldId h2 = make_hold_id(HoldKind::kOrder, 8);
  ASSERT_TRUE(ledger.hold(h2, kA, kGdea, 10).ok());
  Posting p{TransferId(2), kB, kA, kGdea, 5, h2, TransferKind::kTrade, 0};
  EXPECT_EQ(ledger.post(std::span(&p, 1)).error(), LedgerError::kHoldAccountMismatch);
  p = Posting{TransferId(2), kA, kB, kCashAsset, 5, h2, TransferKind::kTrade, 0};
  EXPECT_EQ(ledger.post(std::span(&p, 1)).error(), LedgerError::kHoldAccountMismatch);
  p = Posting{TransferId(2), kA, kB, kGdea, 11, h2, TransferKind::kTrade, 0};
  EXPECT_EQ(ledger.post(std::span(&p, 1)).error(), LedgerError::kHoldExceeded);
  p = Posting{TransferId(2),        kA, kB, kGdea, 1, make_hold_id(HoldKind::kOrder, 9),
              TransferKind::kTrade, 0};
  EXPECT_EQ(ledger.post(std::span(&p, 1)).error(), LedgerError::kUnknownHold);
  EXPECT_EQ(ledger.held(h2), 10);
  expect_clean();
}

TEST_F(LedgerTest, ResizeGrowsAndShrinksAHoldInPlace) {
  issue_to(kA, 100, 1);
  const HoldId h = make_hold_id(HoldKind::kOrder, 7);
  ASSERT_TRUE(ledger.hold(h, kA, kGdea, 30).ok());
  ledger.begin_command(Seq(2), TimestampNs(2000));
  ASSERT_TRUE(ledger.resize_hold(h, 80).ok());  // grows: the same id, 50 more frozen
  EXPECT_EQ(ledger.held(h), 80);
  EXPECT_EQ(ledger.balance(kA, kGdea).available, 20);
  EXPECT_EQ(ledger.balance(kA, kGdea).frozen, 80);
  EXPECT_EQ(ledger.open_hold_count(), 1u);
  auto rec = ledger.hold_record(h);
  ASSERT_TRUE(rec.has_value());
  EXPECT_EQ(rec->amount, 80);  // what it ever froze
  EXPECT_EQ(rec->remaining, 80);
  EXPECT_EQ(rec->seq, 1u);  // still the command that created it

  ASSERT_TRUE(ledger.resize_hold(h, 25).ok());  // shrinks: 55 back to available
  EXPECT_EQ(ledger.held(h), 25);
  EXPECT_EQ(ledger.balance(kA, kGdea).available, 75);
  EXPECT_EQ(ledger.hold_record(h)->amount, 80);
  ASSERT_TRUE(ledger.resize_hold(h, 25).ok());  // the same size: nothing changes
  // A posting draws on the resized hold like on any other; the hold closes at zero.
  const Posting p{TransferId(2), kA, kB, kGdea, 25, h, TransferKind::kTrade, 0};
  ASSERT_TRUE(ledger.post(std::span(&p, 1)).ok());
  EXPECT_EQ(ledger.held(h), 0);
  EXPECT_EQ(ledger.resize_hold(h, 1).error(), LedgerError::kUnknownHold);
  EXPECT_EQ(ledger.hold(h, kA, kGdea, 1).error(), LedgerError::kDuplicateHold);
  expect_clean();
}

TEST_F(LedgerTest, ResizeRefusalsChangeNothing) {
  issue_to(kA, 100, 1);
  const HoldId h = make_hold_id(HoldKind::kOrder, 7);
  ASSERT_TRUE(ledger.hold(h, kA, kGdea, 30).ok());
  const Digest before = ledger.state_hash();
  EXPECT_EQ(ledger.resize_hold(make_hold_id(HoldKind::kOrder, 8), 5).error(),
            LedgerError::kUnknownHold);
  // 70 available: growing by 71 is refused, by 70 is not.
  EXPECT_EQ(ledger.resize_hold(h, 101).error(), LedgerError::kInsufficientAvailable);
  EXPECT_EQ(ledger.state_hash(), before);
  EXPECT_EQ(ledger.held(h), 30);
  EXPECT_EQ(ledger.hold_record(h)->amount, 30);
  // A frozen account's hold cannot grow; it may still shrink (like a release).
  ASSERT_TRUE(ledger.set_status(kA, AccountStatus::kFrozen).ok());
  const Digest frozen = ledger.state_hash();
  EXPECT_EQ(ledger.resize_hold(h, 31).error(), LedgerError::kAccountNotActive);
  EXPECT_EQ(ledger.state_hash(), frozen);
  ASSERT_TRUE(ledger.resize_hold(h, 10).ok());
  EXPECT_EQ(ledger.balance(kA, kGdea).available, 90);
  ASSERT_TRUE(ledger.set_status(kA, AccountStatus::kActive).ok());
  ASSERT_TRUE(ledger.resize_hold(h, 100).ok());
  EXPECT_EQ(ledger.balance(kA, kGdea).available, 0);
  expect_clean();
}

TEST_F(LedgerTest, ResizingARepoLockMovesItsLockedPart) {
  issue_to(kA, 100, 1);
  const HoldId repo = make_hold_id(HoldKind::kRepoLock, 5);
  ASSERT_TRUE(ledger.hold(repo, kA, kGdea, 40).ok());
  ASSERT_TRUE(ledger.resize_hold(repo, 60).ok());
  EXPECT_EQ(ledger.repo_locked(kA, kGdea), 60);
  ASSERT_TRUE(ledger.resize_hold(repo, 15).ok());
  EXPECT_EQ(ledger.repo_locked(kA, kGdea), 15);
  EXPECT_EQ(ledger.balance(kA, kGdea).frozen, 15);
  expect_clean();
}

TEST_F(LedgerTest, RepoLockIsVisibleAsSuch) {
  issue_to(kA, 100, 1);
  const HoldId repo = make_hold_id(HoldKind::kRepoLock, 5);
  ASSERT_TRUE(ledger.hold(repo, kA, kGdea, 40).ok());
  ASSERT_TRUE(ledger.hold(make_hold_id(HoldKind::kOrder, 5), kA, kGdea, 10).ok());
  EXPECT_EQ(ledger.repo_locked(kA, kGdea), 40);
  const auto rows = ledger.balances_of(kA);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].frozen, 50);
  EXPECT_EQ(rows[0].repo_locked, 40);
  const Posting p{TransferId(2), kA, kB, kGdea, 15, repo, TransferKind::kRepoRepurchase, 5};
  ASSERT_TRUE(ledger.post(std::span(&p, 1)).ok());
  EXPECT_EQ(ledger.repo_locked(kA, kGdea), 25);
  ASSERT_TRUE(ledger.release(repo, 25).ok());
  EXPECT_EQ(ledger.repo_locked(kA, kGdea), 0);
  expect_clean();
}

TEST_F(LedgerTest, SameTransferTwiceTakesEffectOnce) {
  issue_to(kA, 100, 1);
  issue_to(kA, 100, 1);
  EXPECT_EQ(ledger.balance(kA, kGdea).available, 100);
  EXPECT_EQ(ledger.transfers_applied(), 1u);
  Posting other = issue(1, kA, 101);
  EXPECT_EQ(ledger.post(std::span(&other, 1)).error(), LedgerError::kDuplicateTransfer);
  other = issue(1, kB, 100);
  EXPECT_EQ(ledger.post(std::span(&other, 1)).error(), LedgerError::kDuplicateTransfer);
  other = issue(1, kA, 100);
  other.reference = 5;
  EXPECT_EQ(ledger.post(std::span(&other, 1)).error(), LedgerError::kDuplicateTransfer);
  const auto rec = ledger.find_transfer(TransferId(1));
  ASSERT_TRUE(rec.has_value());
  EXPECT_EQ(rec->amount, 100);
  EXPECT_EQ(rec->seq, 1u);
  EXPECT_EQ(rec->ts_ns, 1000);
  expect_clean();
}

TEST_F(LedgerTest, IdempotencyWithIdsInAndOutOfOrder) {
  // Increasing ids (found by binary search), then one out of order (the hash index takes over).
  for (std::uint64_t id : {10, 20, 30, 5, 25, 1})
    issue_to(kA, static_cast<std::int64_t>(id), id);
  EXPECT_EQ(ledger.balance(kA, kGdea).available, 91);
  for (std::uint64_t id : {10, 20, 30, 5, 25, 1}) {
    Posting same = issue(id, kA, static_cast<std::int64_t>(id));
    EXPECT_TRUE(ledger.post(std::span(&same, 1)).ok()) << id;
    Posting other = issue(id, kA, static_cast<std::int64_t>(id) + 1);
    EXPECT_EQ(ledger.post(std::span(&other, 1)).error(), LedgerError::kDuplicateTransfer) << id;
  }
  EXPECT_EQ(ledger.balance(kA, kGdea).available, 91);
  EXPECT_FALSE(ledger.find_transfer(TransferId(15)).has_value());
  // A rolled-back group forgets its ids.
  const Posting group[] = {issue(40, kA, 1),
                           issue(41, kB, 1),
                           {TransferId(42), kB, kA, kGdea, 1000, kNoHold, TransferKind::kTrade, 0}};
  EXPECT_EQ(ledger.post(group).error(), LedgerError::kInsufficientAvailable);
  EXPECT_FALSE(ledger.find_transfer(TransferId(40)).has_value());
  EXPECT_FALSE(ledger.find_transfer(TransferId(41)).has_value());
  issue_to(kB, 41, 41);
  EXPECT_EQ(ledger.balance(kB, kGdea).available, 41);
  expect_clean();
}

TEST_F(LedgerTest, LinkedGroupIsAllOrNothing) {
  issue_to(kA, 100, 1);
  ASSERT_TRUE(ledger.deposit(TransferId(2), kB, AmountFen(10'000)).ok());
  const HoldId units = make_hold_id(HoldKind::kOrder, 1);
  const HoldId cash = make_hold_id(HoldKind::kOrder, 2);
  ASSERT_TRUE(ledger.hold(units, kA, kGdea, 50).ok());
  ASSERT_TRUE(ledger.hold(cash, kB, kCashAsset, 5'000).ok());
  const std::uint64_t c = kCoreTransferBit;
  // Units, cash, then both fees; the seller's fee is paid out of the proceeds. The last posting
  // fails (buyer's fee larger than its remaining available), so nothing happens.
  Posting trade[] = {
      {TransferId(c | 1), kA, kB, kGdea, 50, units, TransferKind::kTrade, 1},
      {TransferId(c | 2), kB, kA, kCashAsset, 5'000, cash, TransferKind::kTrade, 1},
      {TransferId(c | 3), kA, kFee, kCashAsset, 20, kNoHold, TransferKind::kFee, 1},
      {TransferId(c | 4), kB, kFee, kCashAsset, 5'001, kNoHold, TransferKind::kFee, 1},
  };
  const Digest before = ledger.state_hash();
  EXPECT_EQ(ledger.post(trade).error(), LedgerError::kInsufficientAvailable);
  EXPECT_EQ(ledger.state_hash(), before);
  EXPECT_EQ(ledger.held(units), 50);
  EXPECT_FALSE(ledger.find_transfer(TransferId(c | 1)).has_value());
  trade[3].amount = 20;
  ASSERT_TRUE(ledger.post(trade).ok());
  EXPECT_EQ(ledger.balance(kB, kGdea).available, 50);
  EXPECT_EQ(ledger.balance(kA, kCashAsset).available, 4'980);
  EXPECT_EQ(ledger.balance(kB, kCashAsset).available, 4'980);
  EXPECT_EQ(ledger.balance(kFee, kCashAsset).available, 40);
  EXPECT_EQ(ledger.open_hold_count(), 0u);
  expect_clean();
}

TEST_F(LedgerTest, GroupCannotDrawTheSameHoldTwicePastItsAmount) {
  issue_to(kA, 100, 1);
  const HoldId h = make_hold_id(HoldKind::kOrder, 1);
  ASSERT_TRUE(ledger.hold(h, kA, kGdea, 10).ok());
  const Posting two[] = {
      {TransferId(2), kA, kB, kGdea, 10, h, TransferKind::kTrade, 0},
      {TransferId(3), kA, kB, kGdea, 1, h, TransferKind::kTrade, 0},
  };
  EXPECT_EQ(ledger.post(two).error(), LedgerError::kHoldExceeded);
  EXPECT_EQ(ledger.held(h), 10);
  expect_clean();
}

TEST_F(LedgerTest, HoldingLimitsPerKindAndPerAccount) {
  Ledger::Options o = testing::standard_options();
  o.limits.per_kind_t[static_cast<std::size_t>(AccountKind::kControlEmissionFirm)] = 150;
  Ledger l(o);
  testing::open_standard_accounts(l, 2);
  Posting p = issue(1, kA, 150);
  ASSERT_TRUE(l.post(std::span(&p, 1)).ok());
  p = issue(2, kA, 1);
  EXPECT_EQ(l.post(std::span(&p, 1)).error(), LedgerError::kHoldingLimit);
  ASSERT_TRUE(l.set_holding_limit(kA, 151).ok());
  EXPECT_TRUE(l.post(std::span(&p, 1)).ok());
  // Frozen units count towards the limit; cash is never limited.
  ASSERT_TRUE(l.set_holding_limit(kB, 10).ok());
  p = issue(3, kB, 10);
  ASSERT_TRUE(l.post(std::span(&p, 1)).ok());
  ASSERT_TRUE(l.hold(make_hold_id(HoldKind::kOrder, 1), kB, kGdea, 10).ok());
  p = issue(4, kB, 1);
  EXPECT_EQ(l.post(std::span(&p, 1)).error(), LedgerError::kHoldingLimit);
  EXPECT_TRUE(l.deposit(TransferId(5), kB, AmountFen(1'000'000'000)).ok());
  // Off by default.
  Posting big = issue(1, kA, 1'000'000'000);
  EXPECT_TRUE(ledger.post(std::span(&big, 1)).ok());
  EXPECT_EQ(l.verify(), std::vector<std::string>{});
}

TEST_F(LedgerTest, HoldingRoomAndListedFills) {
  Ledger::Options o = testing::standard_options();
  o.limits.per_kind_t[static_cast<std::size_t>(AccountKind::kControlEmissionFirm)] = 150;
  Ledger l(o);
  testing::open_standard_accounts(l, 2);
  EXPECT_EQ(l.holding_room(kA, kGdea), 150);  // no balance row yet: the whole limit
  EXPECT_EQ(l.holding_room(kA, kCashAsset), kNoHoldingLimit);
  EXPECT_EQ(l.holding_room(AccountId(999'999), kGdea), kNoHoldingLimit);
  Posting p = issue(1, kA, 140);
  ASSERT_TRUE(l.post(std::span(&p, 1)).ok());
  EXPECT_EQ(l.holding_room(kA, kGdea), 10);
  // A listed fill (kTrade) was checked by the core at order entry; the ledger takes it whole.
  p = issue(2, kB, 100);
  ASSERT_TRUE(l.post(std::span(&p, 1)).ok());
  Posting fill{TransferId(3), kB, kA, kGdea, 20, kNoHold, TransferKind::kTrade, 0};
  ASSERT_TRUE(l.post(std::span(&fill, 1)).ok());
  EXPECT_EQ(l.holding_room(kA, kGdea), 0);
  Posting agreement{TransferId(4), kB, kA, kGdea, 1, kNoHold, TransferKind::kAgreement, 0};
  EXPECT_EQ(l.post(std::span(&agreement, 1)).error(), LedgerError::kHoldingLimit);
  EXPECT_TRUE(l.verify().empty());
}

TEST_F(LedgerTest, DepositAndWithdrawThroughTheSettlementAccount) {
  ASSERT_TRUE(ledger.deposit(TransferId(1), kA, AmountFen(500)).ok());
  EXPECT_EQ(ledger.balance(kA, kCashAsset).available, 500);
  EXPECT_EQ(ledger.balance(kSettle, kCashAsset).available, -500);
  EXPECT_EQ(ledger.withdraw(TransferId(2), kA, AmountFen(501)).error(),
            LedgerError::kInsufficientAvailable);
  ASSERT_TRUE(ledger.withdraw(TransferId(2), kA, AmountFen(200)).ok());
  EXPECT_EQ(ledger.balance(kA, kCashAsset).available, 300);
  EXPECT_EQ(ledger.find_transfer(TransferId(2))->kind,
            static_cast<std::uint8_t>(TransferKind::kWithdrawal));
  Ledger no_settlement;
  testing::open_standard_accounts(no_settlement, 1);
  EXPECT_EQ(no_settlement.deposit(TransferId(1), kA, AmountFen(5)).error(),
            LedgerError::kUnknownAccount);
  expect_clean();
}

TEST_F(LedgerTest, FreezeAndCloseAccounts) {
  issue_to(kA, 10, 1);
  EXPECT_EQ(ledger.set_status(AccountId(999), AccountStatus::kFrozen).error(),
            RegistryError::kUnknownAccount);
  EXPECT_EQ(ledger.set_status(kA, AccountStatus::kClosed).error(), RegistryError::kAccountNotEmpty);
  const HoldId h = make_hold_id(HoldKind::kOperator, 1);
  ASSERT_TRUE(ledger.hold(h, kA, kGdea, 10).ok());
  ASSERT_TRUE(ledger.set_status(kA, AccountStatus::kFrozen).ok());
  // Releases still work on a frozen account.
  ASSERT_TRUE(ledger.release(h, 10).ok());
  ASSERT_TRUE(ledger.set_status(kA, AccountStatus::kActive).ok());
  const Posting back{TransferId(2), kA, kGov, kGdea, 10, kNoHold, TransferKind::kCancellation, 0};
  ASSERT_TRUE(ledger.post(std::span(&back, 1)).ok());
  ASSERT_TRUE(ledger.set_status(kA, AccountStatus::kClosed).ok());
  EXPECT_EQ(ledger.set_status(kA, AccountStatus::kActive).error(), RegistryError::kAccountClosed);
  EXPECT_EQ(ledger.set_holding_limit(kA, 5).error(), RegistryError::kAccountClosed);
  EXPECT_EQ(ledger.hold(make_hold_id(HoldKind::kOrder, 1), kA, kGdea, 1).error(),
            LedgerError::kAccountNotActive);
  expect_clean();
}

TEST_F(LedgerTest, StateHashIsCanonical) {
  issue_to(kA, 10, 1);
  EXPECT_TRUE(ledger.verify().empty());
  // State hash is order-independent: two ledgers built differently but equal hash the same.
  Ledger other(testing::standard_options());
  testing::open_standard_accounts(other, 2);
  const Posting p = issue(77, kA, 10);
  ASSERT_TRUE(other.post(std::span(&p, 1)).ok());
  EXPECT_EQ(other.state_hash(), ledger.state_hash());
  issue_to(kB, 1, 2);
  EXPECT_NE(other.state_hash(), ledger.state_hash());
}

TEST_F(LedgerTest, ErrorTexts) {
  EXPECT_EQ(to_string(RegistryError::kAccountNotEmpty),
            "the account still holds balances or open holds");
  EXPECT_EQ(to_string(AccountKind::kGovernmentIssuance), "government issuance account");
  EXPECT_EQ(to_string(AccountStatus::kFrozen), "frozen");
  EXPECT_TRUE(may_go_negative(AccountKind::kCashSettlement));
  EXPECT_FALSE(may_go_negative(AccountKind::kExchangeFee));
}

}  // namespace
}  // namespace carbonx::registry
