// The one delivery-versus-payment settlement (engine/src/dvp.hpp) shared by listed fills,
// agreement transfers, repo legs and auction winners.
#include "../src/dvp.hpp"

#include <gtest/gtest.h>

#include "carbonx/engine/in_memory_ledger.hpp"

namespace carbonx {
namespace {

constexpr AccountId kSeller{1};
constexpr AccountId kBuyer{2};
constexpr AccountId kFees{3};
constexpr AssetId kUnits{7};

Dvp trade(std::int64_t buyer_fee, std::int64_t seller_fee) {
  return Dvp{kSeller,
             kBuyer,
             kUnits,
             100,
             1'431'000,
             make_hold_id(HoldKind::kOrder, 11),
             make_hold_id(HoldKind::kOrder, 12),
             TransferKind::kTrade,
             buyer_fee,
             seller_fee,
             kFees,
             42};
}

TEST(Dvp, PostsUnitsCashAndBothFeesInThatOrderWithConsecutiveIds) {
  const DvpPostings p = dvp_postings(trade(716, 715), 1000);
  ASSERT_EQ(p.count, 4u);
  ASSERT_EQ(p.span().size(), 4u);
  const Posting& units = p.posting[0];
  EXPECT_EQ(units.id, core_transfer_id(1000));
  EXPECT_EQ(units.debit, kSeller);
  EXPECT_EQ(units.credit, kBuyer);
  EXPECT_EQ(units.asset, kUnits);
  EXPECT_EQ(units.amount, 100);
  EXPECT_EQ(units.from_hold, make_hold_id(HoldKind::kOrder, 11));
  EXPECT_EQ(units.kind, TransferKind::kTrade);
  const Posting& cash = p.posting[1];
  EXPECT_EQ(cash.id, core_transfer_id(1001));
  EXPECT_EQ(cash.debit, kBuyer);
  EXPECT_EQ(cash.credit, kSeller);
  EXPECT_EQ(cash.asset, kCashAsset);
  EXPECT_EQ(cash.amount, 1'431'000);
  EXPECT_EQ(cash.from_hold, make_hold_id(HoldKind::kOrder, 12));
  const Posting& buyer_fee = p.posting[2];
  EXPECT_EQ(buyer_fee.id, core_transfer_id(1002));
  EXPECT_EQ(buyer_fee.debit, kBuyer);
  EXPECT_EQ(buyer_fee.credit, kFees);
  EXPECT_EQ(buyer_fee.amount, 716);
  EXPECT_EQ(buyer_fee.from_hold, make_hold_id(HoldKind::kOrder, 12));  // the buyer's hold
  EXPECT_EQ(buyer_fee.kind, TransferKind::kFee);
  const Posting& seller_fee = p.posting[3];
  EXPECT_EQ(seller_fee.id, core_transfer_id(1003));
  EXPECT_EQ(seller_fee.debit, kSeller);
  EXPECT_EQ(seller_fee.credit, kFees);
  EXPECT_EQ(seller_fee.amount, 715);
  EXPECT_EQ(seller_fee.from_hold, kNoHold);  // from the seller's available cash
  for (const Posting& x : p.span())
    EXPECT_EQ(x.reference, 42u);
}

TEST(Dvp, AZeroFeePostsNothingAndTheIdsStayConsecutive) {
  const DvpPostings none = dvp_postings(trade(0, 0), 7);
  EXPECT_EQ(none.count, 2u);
  const DvpPostings seller_only = dvp_postings(trade(0, 715), 7);
  ASSERT_EQ(seller_only.count, 3u);
  EXPECT_EQ(seller_only.posting[2].debit, kSeller);
  EXPECT_EQ(seller_only.posting[2].id, core_transfer_id(9));
  const DvpPostings buyer_only = dvp_postings(trade(716, 0), 7);
  ASSERT_EQ(buyer_only.count, 3u);
  EXPECT_EQ(buyer_only.posting[2].debit, kBuyer);
  EXPECT_EQ(buyer_only.posting[2].id, core_transfer_id(9));
}

TEST(Dvp, TheLedgerSettlesItExactly) {
  InMemoryLedger ledger;
  for (AccountId a : {kSeller, kBuyer, kFees})
    ASSERT_TRUE(ledger.open_account(a));
  ASSERT_TRUE(ledger.deposit(kSeller, kUnits, 100).ok());
  ASSERT_TRUE(ledger.deposit(kSeller, kCashAsset, 1'000).ok());
  ASSERT_TRUE(ledger.deposit(kBuyer, kCashAsset, 2'000'000).ok());
  const Dvp d = trade(716, 715);
  ASSERT_TRUE(ledger.hold(d.seller_hold, kSeller, kUnits, 100).ok());
  ASSERT_TRUE(ledger.hold(d.buyer_hold, kBuyer, kCashAsset, 1'431'716).ok());
  ASSERT_TRUE(ledger.post(dvp_postings(d, 1).span()).ok());
  EXPECT_EQ(ledger.balance(kBuyer, kUnits).available, 100);
  EXPECT_EQ(ledger.balance(kSeller, kUnits).available + ledger.balance(kSeller, kUnits).frozen, 0);
  EXPECT_EQ(ledger.balance(kSeller, kCashAsset).available, 1'000 + 1'431'000 - 715);
  EXPECT_EQ(ledger.balance(kBuyer, kCashAsset).available, 2'000'000 - 1'431'716);
  EXPECT_EQ(ledger.balance(kBuyer, kCashAsset).frozen, 0);
  EXPECT_EQ(ledger.balance(kFees, kCashAsset).available, 1'431);
  EXPECT_EQ(ledger.held(d.buyer_hold), 0);
  EXPECT_EQ(ledger.total(kCashAsset), 0);
  EXPECT_EQ(ledger.total(kUnits), 0);
}

}  // namespace
}  // namespace carbonx
