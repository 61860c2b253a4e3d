// Agreement transfer (协议转让): report, accept (settles with both fees), decline, withdraw,
// expiry at end of day; band, block minimum, holdings and cash; ledger invariants after each path.

#include "offbook_fixture.hpp"

namespace carbonx::offbook_testing {
namespace {

class AgreementTest : public OffBookTest {
 protected:
  static AgreementReport report(AccountId from, Side side, AccountId to, std::int64_t price,
                                std::int64_t qty, InstrumentId ins = kGdea) {
    return AgreementReport{from,
                           kMember1,
                           ins,
                           side,
                           to,
                           PriceFen(price),
                           QuantityT(qty),
                           make_client_order_id("tcr-1")};
  }
  OffBookId reported(const AgreementReport& r) {
    apply(r);
    const auto e = only<AgreementEvent>();
    EXPECT_EQ(e.status, AgreementStatus::kReported);
    return e.report_id;
  }
};

TEST_F(AgreementTest, SellerReportsAndBuyerAcceptsSettlesAtOnceWithBothFees) {
  const OffBookId id = reported(report(kAlice, Side::kSell, kBob, 2100, 20'000));
  // The reporter's units are held at once.
  EXPECT_EQ(frozen(kAlice, asset_of(kGdea)), 20'000);
  EXPECT_EQ(units(kAlice), kUnits - 20'000);
  EXPECT_EQ(core_->offbook().agreements.size(), 1u);
  check_invariants();

  apply(AgreementAccept{kBob, kMember2, id, make_client_order_id("acc-1")});
  const auto e = only<AgreementEvent>();
  EXPECT_EQ(e.status, AgreementStatus::kAccepted);
  EXPECT_EQ(e.counterparty_member, kMember2);
  EXPECT_GT(e.trade_id.value(), 0u);
  const std::int64_t n = 2100 * 20'000;
  const AmountFen seller_fee = fee(n, 1500, 100);
  const AmountFen buyer_fee = fee(n, 1000, 100);
  EXPECT_EQ(e.reporter_fee.fee_fen, seller_fee);
  EXPECT_EQ(e.counterparty_fee.fee_fen, buyer_fee);
  EXPECT_EQ(seller_fee.value(), 63'000);  // 0.15% of 420,000 CNY
  EXPECT_EQ(units(kAlice), kUnits - 20'000);
  EXPECT_EQ(units(kBob), kUnits + 20'000);
  EXPECT_EQ(cash(kAlice), kCash + n - seller_fee.value());
  EXPECT_EQ(cash(kBob), kCash - n - buyer_fee.value());
  EXPECT_EQ(cash(kFee), (seller_fee + buyer_fee).value());
  EXPECT_EQ(frozen(kAlice, asset_of(kGdea)), 0);
  EXPECT_TRUE(core_->offbook().agreements.empty());
  // Off-book trades are not listed trades: the day's listed statistics are untouched.
  EXPECT_EQ(core_->day_stats(kGdea).volume_t.value(), 0);
  check_invariants();
  EXPECT_EQ(replay_hash(), core_->state_hash());
}

TEST_F(AgreementTest, BuyerReportsHoldsCashInclFeeAndAcceptUsesExactlyIt) {
  const OffBookId id = reported(report(kAlice, Side::kBuy, kBob, 1500, 30'000));
  const std::int64_t n = 1500 * 30'000;
  EXPECT_EQ(frozen(kAlice, kCashAsset), n + fee(n, 1000, 100).value());
  check_invariants();
  apply(AgreementAccept{kBob, kMember2, id, {}});
  const auto e = only<AgreementEvent>();
  EXPECT_EQ(e.status, AgreementStatus::kAccepted);
  EXPECT_EQ(e.reporter_fee.fee_fen, fee(n, 1000, 100));
  EXPECT_EQ(e.counterparty_fee.fee_fen, fee(n, 1500, 100));
  EXPECT_EQ(frozen(kAlice, kCashAsset), 0);
  EXPECT_EQ(cash(kAlice), kCash - n - fee(n, 1000, 100).value());
  EXPECT_EQ(units(kAlice), kUnits + 30'000);
  EXPECT_EQ(units(kBob), kUnits - 30'000);
  check_invariants();
}

TEST_F(AgreementTest, DeclineAndWithdrawReleaseTheHold) {
  const OffBookId a = reported(report(kAlice, Side::kSell, kBob, 2000, 10'000));
  const OffBookId b = reported(report(kAlice, Side::kBuy, kCarol, 2000, 10'000));
  expect_reject(AgreementDecline{kDave, kMember1, a, {}}, RejectReason::kNotParty);
  apply(AgreementDecline{kBob, kMember2, a, {}});
  EXPECT_EQ(only<AgreementEvent>().status, AgreementStatus::kDeclined);
  apply(AgreementDecline{kAlice, kMember1, b, {}});
  EXPECT_EQ(only<AgreementEvent>().status, AgreementStatus::kWithdrawn);
  EXPECT_EQ(frozen(kAlice, kCashAsset), 0);
  EXPECT_EQ(frozen(kAlice, asset_of(kGdea)), 0);
  EXPECT_EQ(cash(kAlice), kCash);
  EXPECT_TRUE(core_->offbook().agreements.empty());
  expect_reject(AgreementAccept{kBob, kMember2, a, {}}, RejectReason::kUnknownOffBook);
  check_invariants();
}

TEST_F(AgreementTest, UnansweredReportsExpireAtEndOfDay) {
  reported(report(kAlice, Side::kSell, kBob, 2000, 10'000));
  reported(report(kCarol, Side::kBuy, kAlice, 2000, 10'000, kPhcer));
  apply(EndOfDay{});
  const auto ev = of<AgreementEvent>();
  ASSERT_EQ(ev.size(), 2u);
  EXPECT_EQ(ev[0].status, AgreementStatus::kExpired);
  EXPECT_EQ(ev[1].status, AgreementStatus::kExpired);
  EXPECT_TRUE(core_->offbook().agreements.empty());
  EXPECT_EQ(ledger_.open_hold_count(), 0u);
  EXPECT_EQ(units(kAlice), kUnits);
  EXPECT_EQ(cash(kCarol), kCash);
  check_invariants();
}

TEST_F(AgreementTest, BandOfThirtyPercentAroundTheReference) {
  // Reference 2000: the agreement band is [1400, 2600] (the listed band is only [1800, 2200]).
  expect_reject(report(kAlice, Side::kSell, kBob, 2601, 10'000), RejectReason::kPriceOutsideBand);
  expect_reject(report(kAlice, Side::kSell, kBob, 1399, 10'000), RejectReason::kPriceOutsideBand);
  reported(report(kAlice, Side::kSell, kBob, 2600, 10'000));
  reported(report(kAlice, Side::kSell, kBob, 1400, 10'000));
  check_invariants();
}

TEST_F(AgreementTest, LargeVolumeMinimumIsConfigured) {
  expect_reject(report(kAlice, Side::kSell, kBob, 2000, 9'999),
                RejectReason::kQuantityBelowMinimum);
  reported(report(kAlice, Side::kSell, kBob, 2000, 10'000));
}

TEST_F(AgreementTest, NationalBlockMinimumIsTheDefault) {
  EXPECT_EQ(InstrumentConfig{}.agreement_min_t.value(), 100'000);
  EXPECT_EQ(InstrumentConfig{}.agreement_band_bp, 3000u);
}

TEST_F(AgreementTest, RejectsBadReports) {
  AgreementReport r = report(kAlice, Side::kSell, kBob, 2000, 10'000);
  r.instrument = InstrumentId(9);
  expect_reject(r, RejectReason::kUnknownInstrument);
  expect_reject(report(kAlice, Side::kSell, kAlice, 2000, 10'000), RejectReason::kSameAccount);
  expect_reject(report(kAlice, Side::kSell, kBob, 0, 10'000), RejectReason::kPriceNotOnTick);
  expect_reject(report(kAlice, Side::kSell, kBob, 2000, 0), RejectReason::kQuantityNotLotMultiple);
  expect_reject(report(kAlice, Side::kSell, kBob, 2000, 2'000'000),
                RejectReason::kInsufficientFunds);
  expect_reject(report(kDave, Side::kBuy, kBob, 2000, 10'000), RejectReason::kInsufficientFunds);
  expect_reject(report(AccountId(555), Side::kSell, kBob, 2000, 10'000),
                RejectReason::kAccountNotUsable);
  apply(SetPhase{false, kGdea, Phase::kHalted});
  expect_reject(report(kAlice, Side::kSell, kBob, 2000, 10'000), RejectReason::kInstrumentHalted);
  check_invariants();
}

TEST_F(AgreementTest, AcceptorShortfallRejectsTheAcceptAndTheReportStaysOpen) {
  const OffBookId id = reported(report(kAlice, Side::kSell, kDave, 2000, 10'000));
  expect_reject(AgreementAccept{kBob, kMember2, id, {}}, RejectReason::kNotParty);
  // Dave has 1,000 CNY: he cannot pay 200,000 CNY.
  expect_reject(AgreementAccept{kDave, kMember2, id, {}}, RejectReason::kInsufficientFunds);
  EXPECT_EQ(core_->offbook().agreements.size(), 1u);
  const OffBookId id2 = reported(report(kAlice, Side::kBuy, kDave, 2000, 10'000));
  // Dave has the units: a seller acceptor needs units, and pays its fee out of the proceeds.
  apply(AgreementAccept{kDave, kMember2, id2, {}});
  EXPECT_EQ(only<AgreementEvent>().status, AgreementStatus::kAccepted);
  check_invariants();
}

TEST_F(AgreementTest, OpenReportsAreBounded) {
  for (std::uint32_t i = 0; i < config_.limits.max_open_agreements; ++i)
    reported(report(kAlice, Side::kSell, kBob, 2000, 10'000));
  expect_reject(report(kAlice, Side::kSell, kBob, 2000, 10'000), RejectReason::kTooManyOpen);
  check_invariants();
}

}  // namespace
}  // namespace carbonx::offbook_testing
