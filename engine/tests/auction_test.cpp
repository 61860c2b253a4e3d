// One-way bidding auction: open, sealed bids, revise/withdraw inside and outside the window,
// clearing by price then time with the marginal bid partly filled, per-bidder cap, pay-as-bid
// (the 2018 Guangdong forestry PHCER sale: 16.01 and 16.34 CNY/t) and uniform pricing,
// cancellation when bids fall short, limits; ledger invariants after every path.

#include "offbook_fixture.hpp"

namespace carbonx::offbook_testing {
namespace {

constexpr std::int64_t kHour = 3'600'000'000'000;

class AuctionTest : public OffBookTest {
 protected:
  // Window: 2024-03-04 10:00 .. 12:00 CST. The fixture's default timestamps fall inside.
  AuctionOpen terms(AuctionPricing pricing, std::int64_t qty = 200'000,
                    std::uint32_t min_fill_bp = 0) const {
    AuctionOpen o;
    o.seller = kGov;
    o.instrument = kPhcer;
    o.quantity_t = QuantityT(qty);
    o.reserve_fen = PriceFen(1500);
    o.start_ts = at(20240304);
    o.end_ts = at(20240304, 2 * kHour);
    o.min_bid_t = QuantityT(1'000);
    o.max_share_bp = 5000;
    o.pricing = pricing;
    o.min_fill_bp = min_fill_bp;
    return o;
  }
  OffBookId open(const AuctionOpen& o) {
    apply(o);
    const auto e = only<AuctionEvent>();
    EXPECT_EQ(e.status, AuctionStatus::kOpened);
    return e.auction_id;
  }
  OffBookId bid(OffBookId auction, AccountId who, std::int64_t price, std::int64_t qty) {
    apply(AuctionBid{who, kMember1, auction, PriceFen(price), QuantityT(qty),
                     make_client_order_id("bid")});
    const auto e = only<AuctionBidEvent>();
    EXPECT_EQ(e.status, BidStatus::kAccepted);
    // Sealed: nothing public about a bid.
    EXPECT_EQ(core_->events().size(), 1u);
    return e.bid_id;
  }
  TimestampNs after_close() const { return at(20240304, 2 * kHour); }
  std::int64_t bid_hold_need(std::int64_t price, std::int64_t qty) const {
    return price * qty + fee(price * qty, 600, 0).value();
  }
  AuctionEvent close(OffBookId auction) {
    apply(AuctionClose{auction}, after_close());
    return only<AuctionEvent>();
  }
  std::map<std::uint64_t, AuctionBidEvent> results() const {
    std::map<std::uint64_t, AuctionBidEvent> out;
    for (const auto& e : of<AuctionBidEvent>())
      out[e.bid_id.value()] = e;
    return out;
  }
};

TEST_F(AuctionTest, OpenHoldsTheSellersUnits) {
  const OffBookId id = open(terms(AuctionPricing::kPayAsBid));
  EXPECT_EQ(frozen(kGov, asset_of(kPhcer)), 200'000);
  EXPECT_EQ(core_->offbook().auctions.size(), 1u);
  EXPECT_EQ(core_->offbook().auctions[0].id, id);
  check_invariants();
}

// The 2018 Guangdong forestry PHCER sale cleared at two prices, 16.34 and 16.01 CNY/t.
TEST_F(AuctionTest, PayAsBidClearsAtTwoPricesAsTheGuangdongForestrySale) {
  const OffBookId id = open(terms(AuctionPricing::kPayAsBid));
  const OffBookId a = bid(id, kAlice, 1634, 80'000);
  const OffBookId b = bid(id, kBob, 1601, 100'000);
  const OffBookId c = bid(id, kCarol, 1601, 50'000);   // same price, later: the marginal bid
  const OffBookId low = bid(id, kAlice, 1500, 1'000);  // at the reserve, outbid
  EXPECT_EQ(frozen(kAlice, kCashAsset), bid_hold_need(1634, 80'000) + bid_hold_need(1500, 1'000));
  check_invariants();
  expect_reject(AuctionClose{id}, RejectReason::kOutsideWindow);  // before the end
  const AuctionEvent r = close(id);
  EXPECT_EQ(r.status, AuctionStatus::kCleared);
  EXPECT_EQ(r.bid_t.value(), 231'000);
  EXPECT_EQ(r.cleared_t.value(), 200'000);
  EXPECT_EQ(r.low_fen, PriceFen(1601));
  EXPECT_EQ(r.high_fen, PriceFen(1634));
  EXPECT_EQ(r.winners, 3u);
  EXPECT_EQ(r.bids, 4u);
  const std::int64_t proceeds = 1634 * 80'000 + 1601 * 120'000;
  EXPECT_EQ(r.proceeds_fen.value(), proceeds);
  EXPECT_EQ(r.seller_fee.fee_fen, fee(proceeds, 800, 0));
  auto res = results();
  EXPECT_EQ(res[a.value()].filled_t.value(), 80'000);
  EXPECT_EQ(res[a.value()].paid_fen, PriceFen(1634));
  EXPECT_EQ(res[b.value()].filled_t.value(), 100'000);
  EXPECT_EQ(res[b.value()].paid_fen, PriceFen(1601));
  EXPECT_EQ(res[c.value()].status, BidStatus::kFilled);
  EXPECT_EQ(res[c.value()].filled_t.value(), 20'000);  // partly filled
  EXPECT_EQ(res[low.value()].status, BidStatus::kUnfilled);
  EXPECT_EQ(res[low.value()].filled_t.value(), 0);
  // Each winner paid its own price plus its fee; the rest of its hold is released.
  EXPECT_EQ(cash(kAlice), kCash - 1634 * 80'000 - fee(1634 * 80'000, 600, 0).value());
  EXPECT_EQ(cash(kCarol), kCash - 1601 * 20'000 - fee(1601 * 20'000, 600, 0).value());
  EXPECT_EQ(units(kCarol, kPhcer), kUnits + 20'000);
  EXPECT_EQ(units(kGov, kPhcer), kUnits - 200'000);
  EXPECT_EQ(cash(kGov), kCash + proceeds - fee(proceeds, 800, 0).value());
  EXPECT_TRUE(core_->offbook().auctions.empty());
  EXPECT_EQ(ledger_.open_hold_count(), 0u);
  check_invariants();
  EXPECT_EQ(replay_hash(), core_->state_hash());
}

TEST_F(AuctionTest, UniformPricingChargesTheLowestAcceptedPrice) {
  const OffBookId id = open(terms(AuctionPricing::kUniform));
  const OffBookId a = bid(id, kAlice, 1634, 80'000);
  bid(id, kBob, 1601, 100'000);
  bid(id, kCarol, 1601, 50'000);
  const AuctionEvent r = close(id);
  EXPECT_EQ(r.low_fen, PriceFen(1601));
  EXPECT_EQ(r.high_fen, PriceFen(1601));
  EXPECT_EQ(r.proceeds_fen.value(), 1601 * 200'000);
  auto res = results();
  EXPECT_EQ(res[a.value()].price_fen, PriceFen(1634));  // bid
  EXPECT_EQ(res[a.value()].paid_fen, PriceFen(1601));   // paid
  EXPECT_EQ(cash(kAlice), kCash - 1601 * 80'000 - fee(1601 * 80'000, 600, 0).value());
  check_invariants();
}

TEST_F(AuctionTest, TiesAreBrokenByTimeAndARevisionUpLosesPriority) {
  const OffBookId id = open(terms(AuctionPricing::kPayAsBid, 100'000));
  const OffBookId first = bid(id, kAlice, 1600, 50'000);
  const OffBookId second = bid(id, kBob, 1600, 40'000);
  const OffBookId third = bid(id, kCarol, 1600, 50'000);
  // Alice lowers her quantity at the same price: keeps priority. Bob raises: goes last.
  apply(AuctionReviseBid{kAlice, kMember1, id, first, PriceFen(1600), QuantityT(40'000), {}});
  EXPECT_EQ(only<AuctionBidEvent>().status, BidStatus::kRevised);
  EXPECT_EQ(frozen(kAlice, kCashAsset), bid_hold_need(1600, 40'000));
  apply(AuctionReviseBid{kBob, kMember1, id, second, PriceFen(1600), QuantityT(50'000), {}});
  check_invariants();
  close(id);
  auto res = results();
  EXPECT_EQ(res[first.value()].filled_t.value(), 40'000);
  EXPECT_EQ(res[third.value()].filled_t.value(), 50'000);
  EXPECT_EQ(res[second.value()].filled_t.value(), 10'000);  // last in time: the marginal bid
  check_invariants();
}

TEST_F(AuctionTest, ARevisionResizesTheBidsOneHoldInPlace) {
  const OffBookId id = open(terms(AuctionPricing::kPayAsBid));
  const OffBookId b = bid(id, kAlice, 1600, 10'000);
  const HoldId hold = bid_hold(b, 0);
  EXPECT_EQ(ledger_.held(hold), bid_hold_need(1600, 10'000));
  const std::size_t holds = ledger_.open_hold_count();
  // Price and quantity up: the same hold grows; no other hold appears.
  apply(AuctionReviseBid{kAlice, kMember1, id, b, PriceFen(1700), QuantityT(20'000), {}});
  EXPECT_EQ(only<AuctionBidEvent>().status, BidStatus::kRevised);
  EXPECT_EQ(ledger_.held(hold), bid_hold_need(1700, 20'000));
  EXPECT_EQ(frozen(kAlice, kCashAsset), bid_hold_need(1700, 20'000));
  EXPECT_EQ(ledger_.open_hold_count(), holds);
  EXPECT_EQ(core_->offbook().auctions[0].bids[0].hold_generation, 0u);
  // A growth beyond Alice's cash (20,000 t at 10,000 CNY/t) is refused and changes nothing.
  expect_reject(
      AuctionReviseBid{kAlice, kMember1, id, b, PriceFen(1'000'000), QuantityT(20'000), {}},
      RejectReason::kInsufficientFunds);
  EXPECT_EQ(ledger_.held(hold), bid_hold_need(1700, 20'000));
  // Down: the same hold shrinks.
  apply(AuctionReviseBid{kAlice, kMember1, id, b, PriceFen(1600), QuantityT(5'000), {}});
  EXPECT_EQ(ledger_.held(hold), bid_hold_need(1600, 5'000));
  EXPECT_EQ(ledger_.open_hold_count(), holds);
  check_invariants();
  close(id);
  EXPECT_EQ(ledger_.held(hold), 0);
  EXPECT_EQ(frozen(kAlice, kCashAsset), 0);
  check_invariants();
}

// A bid restored from a store written before resize_hold, whose revision had moved its hold to
// generation 2, keeps using that hold: a revision grows it, the close settles from it.
TEST_F(AuctionTest, ABidRestoredWithAnOldHoldGenerationKeepsUsingItsHold) {
  const OffBookId id = open(terms(AuctionPricing::kPayAsBid, 100'000));
  const OffBookId b = bid(id, kAlice, 1600, 10'000);
  const std::int64_t amount = ledger_.held(bid_hold(b, 0));
  ASSERT_TRUE(ledger_.release(bid_hold(b, 0), amount).ok());
  ASSERT_TRUE(ledger_.hold(bid_hold(b, 2), kAlice, kCashAsset, amount).ok());
  OffBookStateRecord offbook = core_->save_offbook_state();
  offbook.auctions[0].bids[0].hold_generation = 2;
  const CoreStateRecord state = core_->save_state();
  core_ = std::make_unique<Core>(config_, ledger_);
  ASSERT_TRUE(core_->restore_state(state).ok());
  ASSERT_TRUE(core_->restore_offbook_state(offbook).ok());
  check_invariants();
  apply(AuctionReviseBid{kAlice, kMember1, id, b, PriceFen(1700), QuantityT(30'000), {}});
  EXPECT_EQ(only<AuctionBidEvent>().status, BidStatus::kRevised);
  EXPECT_EQ(ledger_.held(bid_hold(b, 2)), bid_hold_need(1700, 30'000));
  EXPECT_EQ(core_->offbook().auctions[0].bids[0].hold_generation, 2u);
  check_invariants();
  close(id);
  EXPECT_EQ(results()[b.value()].filled_t, QuantityT(30'000));
  EXPECT_EQ(ledger_.held(bid_hold(b, 2)), 0);
  EXPECT_EQ(frozen(kAlice, kCashAsset), 0);
  EXPECT_EQ(units(kAlice, kPhcer), kUnits + 30'000);
  check_invariants();
}

TEST_F(AuctionTest, PerBidderCapAtEntryAndAtTheClose) {
  const OffBookId id = open(terms(AuctionPricing::kPayAsBid, 100'000));  // cap 50,000 t
  expect_reject(AuctionBid{kAlice, kMember1, id, PriceFen(1600), QuantityT(50'001), {}},
                RejectReason::kAboveBidderCap);
  const OffBookId a1 = bid(id, kAlice, 1700, 30'000);
  const OffBookId a2 = bid(id, kAlice, 1650, 20'000);
  expect_reject(AuctionBid{kAlice, kMember1, id, PriceFen(1600), QuantityT(1'000), {}},
                RejectReason::kAboveBidderCap);
  expect_reject(AuctionReviseBid{kAlice, kMember1, id, a2, PriceFen(1650), QuantityT(21'000), {}},
                RejectReason::kAboveBidderCap);
  bid(id, kBob, 1600, 50'000);
  bid(id, kCarol, 1550, 50'000);
  const AuctionEvent r = close(id);
  EXPECT_EQ(r.cleared_t.value(), 100'000);
  auto res = results();
  EXPECT_EQ((res[a1.value()].filled_t + res[a2.value()].filled_t).value(), 50'000);
  EXPECT_EQ(units(kAlice, kPhcer), kUnits + 50'000);
  EXPECT_EQ(units(kBob, kPhcer), kUnits + 50'000);
  EXPECT_EQ(units(kCarol, kPhcer), kUnits);
  check_invariants();
}

TEST_F(AuctionTest, BidsReviseAndWithdrawOnlyInsideTheWindow) {
  AuctionOpen o = terms(AuctionPricing::kPayAsBid);
  o.start_ts = at(20240304, kHour);  // opens at 11:00
  const OffBookId id = open(o);
  expect_reject(AuctionBid{kAlice, kMember1, id, PriceFen(1600), QuantityT(1'000), {}},
                RejectReason::kOutsideWindow);  // 10:00
  apply(AuctionBid{kAlice, kMember1, id, PriceFen(1600), QuantityT(1'000), {}},
        at(20240304, kHour));  // exactly at the start: inside
  const OffBookId b = only<AuctionBidEvent>().bid_id;
  apply(AuctionReviseBid{kAlice, kMember1, id, b, PriceFen(1700), QuantityT(2'000), {}},
        at(20240304, kHour + 1));
  EXPECT_EQ(frozen(kAlice, kCashAsset), bid_hold_need(1700, 2'000));
  check_invariants();
  // At the end (exclusive) nothing may change any more.
  expect_reject(AuctionReviseBid{kAlice, kMember1, id, b, PriceFen(1800), QuantityT(2'000), {}},
                RejectReason::kOutsideWindow, after_close());
  expect_reject(AuctionWithdrawBid{kAlice, kMember1, id, b, {}}, RejectReason::kOutsideWindow,
                after_close());
  expect_reject(AuctionBid{kBob, kMember1, id, PriceFen(1600), QuantityT(1'000), {}},
                RejectReason::kOutsideWindow, after_close());
  // Inside: only the owner may withdraw; withdrawing releases the cash.
  expect_reject(AuctionWithdrawBid{kBob, kMember1, id, b, {}}, RejectReason::kNotOwner,
                at(20240304, kHour + 2));
  apply(AuctionWithdrawBid{kAlice, kMember1, id, b, {}}, at(20240304, kHour + 3));
  EXPECT_EQ(only<AuctionBidEvent>().status, BidStatus::kWithdrawn);
  EXPECT_EQ(frozen(kAlice, kCashAsset), 0);
  EXPECT_TRUE(core_->offbook().auctions[0].bids.empty());
  check_invariants();
}

TEST_F(AuctionTest, ShortfallCancelsTheAuctionAndReleasesEverything) {
  const OffBookId id = open(terms(AuctionPricing::kPayAsBid, 200'000, 5000));  // needs 100,000
  const OffBookId a = bid(id, kAlice, 1700, 60'000);
  bid(id, kBob, 1600, 39'000);
  const AuctionEvent r = close(id);
  EXPECT_EQ(r.status, AuctionStatus::kCancelled);
  EXPECT_EQ(r.bid_t.value(), 99'000);
  EXPECT_EQ(r.cleared_t.value(), 0);
  EXPECT_EQ(results()[a.value()].status, BidStatus::kUnfilled);
  EXPECT_EQ(cash(kAlice), kCash);
  EXPECT_EQ(units(kGov, kPhcer), kUnits);
  EXPECT_EQ(ledger_.open_hold_count(), 0u);
  check_invariants();
}

TEST_F(AuctionTest, EnoughBidsSellWhatIsBidAndReleaseTheRest) {
  const OffBookId id = open(terms(AuctionPricing::kUniform, 200'000, 5000));
  bid(id, kAlice, 1700, 60'000);
  bid(id, kBob, 1600, 40'000);
  const AuctionEvent r = close(id);
  EXPECT_EQ(r.status, AuctionStatus::kCleared);
  EXPECT_EQ(r.cleared_t.value(), 100'000);
  EXPECT_EQ(units(kGov, kPhcer), kUnits - 100'000);
  EXPECT_EQ(frozen(kGov, asset_of(kPhcer)), 0);
  check_invariants();
}

TEST_F(AuctionTest, RejectsBadTermsAndBids) {
  AuctionOpen o = terms(AuctionPricing::kPayAsBid);
  o.end_ts = o.start_ts;
  expect_reject(o, RejectReason::kBadCommand);
  o = terms(AuctionPricing::kPayAsBid);
  o.quantity_t = QuantityT(kUnits + 1);
  expect_reject(o, RejectReason::kInsufficientFunds);
  o = terms(AuctionPricing::kPayAsBid);
  o.min_bid_t = QuantityT(100'001);  // above the 50% cap: no bid could be valid
  expect_reject(o, RejectReason::kQuantityAboveMaximum);
  o = terms(AuctionPricing::kPayAsBid);
  o.instrument = InstrumentId(9);
  expect_reject(o, RejectReason::kUnknownInstrument);
  const OffBookId id = open(terms(AuctionPricing::kPayAsBid));
  const auto b = [&](AccountId who, std::int64_t p, std::int64_t q) {
    return AuctionBid{who, kMember1, id, PriceFen(p), QuantityT(q), {}};
  };
  expect_reject(b(kAlice, 1499, 1'000), RejectReason::kBelowReserve);
  expect_reject(b(kAlice, 1600, 999), RejectReason::kQuantityBelowMinimum);
  expect_reject(b(kGov, 1600, 1'000), RejectReason::kSameAccount);
  expect_reject(b(kDave, 1600, 1'000), RejectReason::kInsufficientFunds);
  expect_reject(AuctionBid{kAlice, kMember1, OffBookId(999), PriceFen(1600), QuantityT(1'000), {}},
                RejectReason::kUnknownOffBook);
  check_invariants();
}

TEST_F(AuctionTest, BidsPerAuctionAndOpenAuctionsAreBounded) {
  const OffBookId id = open(terms(AuctionPricing::kPayAsBid));
  for (std::uint32_t i = 0; i < config_.limits.max_bids_per_auction; ++i)
    bid(id, i % 2 == 0 ? kAlice : kBob, 1600, 1'000);
  expect_reject(AuctionBid{kCarol, kMember1, id, PriceFen(1600), QuantityT(1'000), {}},
                RejectReason::kAuctionFull);
  open(terms(AuctionPricing::kUniform));
  expect_reject(terms(AuctionPricing::kUniform), RejectReason::kTooManyOpen);
  check_invariants();
}

}  // namespace
}  // namespace carbonx::offbook_testing
