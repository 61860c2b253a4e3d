// Holding limits and listed trading: a listed buy is checked against the ledger's holding room
// when it is entered or enlarged; a fill is never refused in the middle of a match (ledger.hpp).

#include "core_fixture.hpp"

namespace carbonx::testing {
namespace {

class HoldingLimit : public CoreTest {};

TEST_F(HoldingLimit, ABuyBeyondTheRoomIsRejectedAndChangesNothing) {
  // Alice holds 100,000 t; a limit of 100,050 t leaves room for 50 t.
  ASSERT_TRUE(ledger_.set_holding_limit(kAlice, asset_of(kGdea), 100'050).ok());
  EXPECT_EQ(ledger_.holding_room(kAlice, asset_of(kGdea)), 50);
  expect_reject(order(kAlice, kGdea, Side::kBuy, 2000, 60), RejectReason::kHoldingLimit);
  place(order(kBob, kGdea, Side::kSell, 2000, 100));
  expect_reject(click(kAlice, kGdea, Side::kBuy, 60), RejectReason::kHoldingLimit);
  // Exactly the room is accepted (it trades with Bob's 100 t), and a sell is never limited.
  apply(order(kAlice, kGdea, Side::kBuy, 2000, 50));
  EXPECT_EQ(of<FillEvent>().size(), 2u);
  place(order(kAlice, kGdea, Side::kSell, 2100, 10'000));
}

TEST_F(HoldingLimit, EnlargingABuyIsCheckedReducingIsNot) {
  ASSERT_TRUE(ledger_.set_holding_limit(kAlice, asset_of(kGdea), 100'050).ok());
  const OrderId id = place(order(kAlice, kGdea, Side::kBuy, 1990, 50));
  Replace up{kAlice, kMember1, kGdea, id, PriceFen(1990), QuantityT(60), {}};
  expect_reject(up, RejectReason::kHoldingLimit);
  Replace down{kAlice, kMember1, kGdea, id, PriceFen(1990), QuantityT(40), {}};
  apply(down);
  EXPECT_EQ(of<ReplaceAckEvent>().size(), 1u);
}

TEST_F(HoldingLimit, AFillOfARestingBuyThatFittedAtEntrySettlesInFull) {
  // Room for 50 t when the buy rests; then 30 t more arrive (issuance, another trade), so the
  // fill takes Alice 30 t past her limit. The fill settles whole instead of aborting the match.
  ASSERT_TRUE(ledger_.set_holding_limit(kAlice, asset_of(kGdea), 100'050).ok());
  place(order(kAlice, kGdea, Side::kBuy, 2000, 50));
  ASSERT_TRUE(ledger_.deposit(kAlice, asset_of(kGdea), 30).ok());
  EXPECT_EQ(ledger_.holding_room(kAlice, asset_of(kGdea)), 20);
  apply(order(kBob, kGdea, Side::kSell, 2000, 50));
  const auto fills = of<FillEvent>();
  ASSERT_EQ(fills.size(), 2u);
  EXPECT_EQ(fills[0].quantity_t, QuantityT(50));
  const BalanceView b = ledger_.balance(kAlice, asset_of(kGdea));
  EXPECT_EQ(b.available + b.frozen, 100'080);
  EXPECT_EQ(ledger_.holding_room(kAlice, asset_of(kGdea)), 0);
  // Any other transfer into the account is still refused.
  Posting p{TransferId(77), kBob, kAlice, asset_of(kGdea), 1, kNoHold, TransferKind::kAgreement};
  EXPECT_EQ(ledger_.post(std::span<const Posting>(&p, 1)).error(), LedgerError::kHoldingLimit);
}

TEST_F(HoldingLimit, NoLimitMeansUnlimitedRoom) {
  EXPECT_EQ(ledger_.holding_room(kAlice, asset_of(kGdea)), kNoHoldingLimit);
  EXPECT_EQ(ledger_.holding_room(kAlice, kCashAsset), kNoHoldingLimit);
  EXPECT_EQ(ledger_.holding_room(AccountId(4242), asset_of(kGdea)), kNoHoldingLimit);
}

}  // namespace
}  // namespace carbonx::testing
