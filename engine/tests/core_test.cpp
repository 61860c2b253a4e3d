#include "carbonx/engine/core.hpp"

#include <gtest/gtest.h>

#include <random>

#include "core_fixture.hpp"

namespace carbonx::testing {
namespace {

TEST_F(CoreTest, SellHoldsUnitsBuyHoldsCashPlusMaximumFee) {
  place(order(kBob, kGdea, Side::kSell, 2050, 100));
  EXPECT_EQ(ledger_.balance(kBob, asset_of(kGdea)).frozen, 100);
  place(order(kAlice, kGdea, Side::kBuy, 2010, 100));
  // 2010 x 100 = 201,000 fen; fee F = max(100, round_half_up(100.5)) = 101.
  EXPECT_EQ(ledger_.balance(kAlice, kCashAsset).frozen, 201'101);
  check_invariants();
}

TEST_F(CoreTest, FillSettlesDeliveryVersusPaymentWithFees) {
  const OrderId sell = place(order(kBob, kGdea, Side::kSell, 2000, 100));
  const OrderId buy = place(order(kAlice, kGdea, Side::kBuy, 2010, 100));
  const auto fills = of<FillEvent>();
  ASSERT_EQ(fills.size(), 2u);
  EXPECT_EQ(fills[0].order_id, buy);
  EXPECT_TRUE(fills[0].aggressor);
  EXPECT_EQ(fills[0].price_fen, PriceFen(2000));  // the resting price
  EXPECT_EQ(fills[0].fee_fen, AmountFen(100));
  EXPECT_EQ(fills[0].leaves_t, QuantityT(0));
  EXPECT_EQ(fills[1].order_id, sell);
  EXPECT_FALSE(fills[1].aggressor);
  EXPECT_EQ(fills[1].counter_order_id, buy);
  EXPECT_EQ(fills[1].fee_fen, AmountFen(100));
  const auto trades = of<TradeEvent>();
  ASSERT_EQ(trades.size(), 1u);
  EXPECT_EQ(trades[0].buy_order_id, buy);
  EXPECT_EQ(trades[0].sell_order_id, sell);
  EXPECT_EQ(trades[0].aggressor_side, Side::kBuy);
  EXPECT_EQ(ledger_.balance(kAlice, kCashAsset).available, 100'000'000 - 200'000 - 100);
  EXPECT_EQ(ledger_.balance(kAlice, kCashAsset).frozen, 0);  // better price: excess released
  EXPECT_EQ(ledger_.balance(kAlice, asset_of(kGdea)).available, 100'100);
  EXPECT_EQ(ledger_.balance(kBob, kCashAsset).available, 100'000'000 + 200'000 - 100);
  EXPECT_EQ(ledger_.balance(kBob, asset_of(kGdea)).available, 99'900);
  EXPECT_EQ(ledger_.balance(kFeeAccount, kCashAsset).available, 200);
  check_invariants();
}

TEST_F(CoreTest, PartialFillAtABetterPriceTrimsTheBuyHold) {
  place(order(kBob, kGdea, Side::kSell, 2000, 50));
  const OrderId buy = place(order(kAlice, kGdea, Side::kBuy, 2010, 100));
  // Rests 50 at 2010: needs 100,500 + F(200,500) - F(100,000) = 100,500 + 100 - 100.
  EXPECT_EQ(ledger_.balance(kAlice, kCashAsset).frozen, 100'500);
  EXPECT_EQ(core_->find_open_order(kGdea, buy)->leaves_t, QuantityT(50));
  check_invariants();
}

TEST_F(CoreTest, MinimumFeeIsChargedOncePerOrderSide) {
  place(order(kBob, kGdea, Side::kSell, 2000, 10));
  place(order(kCarol, kGdea, Side::kSell, 2000, 10));
  place(order(kAlice, kGdea, Side::kBuy, 2000, 20));
  const auto fills = of<FillEvent>();
  ASSERT_EQ(fills.size(), 4u);
  EXPECT_EQ(fills[0].fee_fen, AmountFen(100));  // Alice, first fill: the minimum
  EXPECT_EQ(fills[2].fee_fen, AmountFen(0));    // Alice, second fill: F(40,000) - F(20,000) = 0
  EXPECT_EQ(fills[1].fee_fen, AmountFen(100));  // each seller pays its own minimum
  EXPECT_EQ(fills[3].fee_fen, AmountFen(100));
  check_invariants();
}

TEST_F(CoreTest, PriceTimePriorityAcrossOrders) {
  const OrderId first = place(order(kBob, kGdea, Side::kSell, 2000, 10));
  const OrderId second = place(order(kCarol, kGdea, Side::kSell, 2000, 10));
  const OrderId better = place(order(kCarol, kGdea, Side::kSell, 1990, 10));
  place(order(kAlice, kGdea, Side::kBuy, 2000, 30));
  const auto fills = of<FillEvent>();
  ASSERT_EQ(fills.size(), 6u);
  EXPECT_EQ(fills[1].order_id, better);
  EXPECT_EQ(fills[3].order_id, first);
  EXPECT_EQ(fills[5].order_id, second);
}

TEST_F(CoreTest, IocRemainderIsCancelledAndReleased) {
  place(order(kBob, kGdea, Side::kSell, 2000, 10));
  const OrderId ioc = place(order(kAlice, kGdea, Side::kBuy, 2000, 30, TimeInForce::kIoc));
  const auto cancels = of<CancelEvent>();
  ASSERT_EQ(cancels.size(), 1u);
  EXPECT_EQ(cancels[0].order_id, ioc);
  EXPECT_EQ(cancels[0].reason, CancelReason::kIocRemainder);
  EXPECT_EQ(cancels[0].cancelled_t, QuantityT(20));
  EXPECT_EQ(ledger_.balance(kAlice, kCashAsset).frozen, 0);
  EXPECT_FALSE(core_->find_open_order(kGdea, ioc).has_value());
  check_invariants();
}

TEST_F(CoreTest, FokFillsInFullOrIsRejected) {
  place(order(kBob, kGdea, Side::kSell, 2000, 10));
  expect_reject(order(kAlice, kGdea, Side::kBuy, 2000, 20, TimeInForce::kFok),
                RejectReason::kFokNotFillable);
  place(order(kAlice, kGdea, Side::kBuy, 2000, 10, TimeInForce::kFok));
  EXPECT_EQ(of<FillEvent>().size(), 2u);
  check_invariants();
}

TEST_F(CoreTest, ClickTakesTheBestPriceAndIsIoc) {
  place(order(kBob, kGdea, Side::kSell, 2001, 10));
  place(order(kBob, kGdea, Side::kSell, 2005, 10));
  const OrderId c = place(click(kAlice, kGdea, Side::kBuy, 20));
  EXPECT_EQ(of<AckEvent>()[0].price_fen, PriceFen(2001));
  EXPECT_EQ(of<FillEvent>().size(), 2u);
  ASSERT_EQ(of<CancelEvent>().size(), 1u);
  EXPECT_EQ(of<CancelEvent>()[0].order_id, c);
  EXPECT_EQ(core_->book(kGdea).best_ask(), PriceFen(2005));
  NewOrder priced = click(kAlice, kGdea, Side::kBuy, 10);
  priced.price_fen = PriceFen(2005);
  expect_reject(priced, RejectReason::kPriceNotAllowed);
  NewOrder day = click(kAlice, kGdea, Side::kBuy, 10);
  day.tif = TimeInForce::kDay;
  expect_reject(day, RejectReason::kBadTimeInForce);
  expect_reject(click(kAlice, kGdea, Side::kSell, 10), RejectReason::kNoOppositeOrders);
  check_invariants();
}

TEST_F(CoreTest, ValidationRejectsChangeNothing) {
  place(order(kBob, kGdea, Side::kSell, 2000, 10));
  expect_reject(order(kAlice, InstrumentId(77), Side::kBuy, 2000, 10),
                RejectReason::kUnknownInstrument);
  expect_reject(order(kAlice, kGdea, Side::kBuy, 2000, 15), RejectReason::kQuantityNotLotMultiple);
  expect_reject(order(kAlice, kGdea, Side::kBuy, 2000, 0), RejectReason::kQuantityNotLotMultiple);
  expect_reject(order(kAlice, kGdea, Side::kBuy, 2000, -10), RejectReason::kQuantityNotLotMultiple);
  expect_reject(order(kAlice, kGdea, Side::kBuy, 2000, 100'010),
                RejectReason::kQuantityAboveMaximum);
  expect_reject(order(kAlice, kGdea, Side::kBuy, 2201, 10), RejectReason::kPriceOutsideBand);
  expect_reject(order(kAlice, kGdea, Side::kBuy, 1799, 10), RejectReason::kPriceOutsideBand);
  expect_reject(order(kAlice, kGdea, Side::kBuy, 0, 10), RejectReason::kPriceNotOnTick);
  expect_reject(order(kBob, kGdea, Side::kBuy, 2000, 10), RejectReason::kSelfTrade);
  expect_reject(order(AccountId(555), kGdea, Side::kBuy, 1900, 10),
                RejectReason::kAccountNotUsable);
  expect_reject(order(kAlice, kGdea, Side::kBuy, 2000, 100'000), RejectReason::kInsufficientFunds);
  place(order(kCarol, kCcer, Side::kSell, 1100, 50'000));
  expect_reject(order(kCarol, kCcer, Side::kSell, 1100, 60'000), RejectReason::kInsufficientFunds);
  NewOrder bad = order(kAlice, kGdea, Side::kBuy, 2000, 10);
  bad.side = static_cast<Side>(9);
  expect_reject(bad, RejectReason::kBadCommand);
}

TEST_F(CoreTest, MinimumOrderQuantity) {
  ExchangeConfig cfg = test_config();
  cfg.instruments[0].min_order_t = QuantityT(100);
  InMemoryLedger ledger;
  ledger.open_account(kAlice);
  ASSERT_TRUE(ledger.deposit(kAlice, kCashAsset, 10'000'000).ok());
  Core core(cfg, ledger);
  core.apply(Command{Seq(1), TimestampNs(kDayStartNs), SetPhase{true, kGdea, Phase::kContinuous}});
  core.clear_events();
  core.apply(Command{Seq(2), TimestampNs(kDayStartNs), order(kAlice, kGdea, Side::kBuy, 2000, 90)});
  ASSERT_EQ(core.events().size(), 1u);
  EXPECT_EQ(std::get<RejectEvent>(core.events()[0].body).reason,
            RejectReason::kQuantityBelowMinimum);
}

TEST_F(CoreTest, PhasesGateTrading) {
  const OrderId resting = place(order(kBob, kGdea, Side::kSell, 2000, 10));
  apply(SetPhase{false, kGdea, Phase::kHalted});
  ASSERT_EQ(of<PhaseEvent>().size(), 1u);
  expect_reject(order(kAlice, kGdea, Side::kBuy, 2000, 10), RejectReason::kInstrumentHalted);
  expect_reject(Replace{kBob, kMember1, kGdea, resting, PriceFen(2001), QuantityT(10), {}},
                RejectReason::kInstrumentHalted);
  place(order(kAlice, kCcer, Side::kBuy, 1000, 10));  // the other instrument trades on
  apply(SetPhase{false, kGdea, Phase::kClosed});
  expect_reject(order(kAlice, kGdea, Side::kBuy, 2000, 10), RejectReason::kMarketClosed);
  // Cancels are accepted in any phase.
  apply(Cancel{kBob, kMember1, kGdea, resting, {}});
  EXPECT_EQ(of<CancelEvent>().size(), 1u);
  expect_reject(SetPhase{false, InstrumentId(99), Phase::kContinuous},
                RejectReason::kUnknownInstrument);
  expect_reject(SetPhase{false, kGdea, static_cast<Phase>(0)}, RejectReason::kBadCommand);
  check_invariants();
}

TEST_F(CoreTest, CancelReleasesAndChecksOwnership) {
  const OrderId id = place(order(kAlice, kGdea, Side::kBuy, 2000, 10));
  expect_reject(Cancel{kBob, kMember1, kGdea, id, {}}, RejectReason::kNotOwner);
  expect_reject(Cancel{kAlice, kMember1, kCcer, id, {}}, RejectReason::kUnknownOrder);
  expect_reject(Cancel{kAlice, kMember1, InstrumentId(50), id, {}},
                RejectReason::kUnknownInstrument);
  apply(Cancel{kAlice, kMember1, kGdea, id, {}});
  ASSERT_EQ(of<CancelEvent>().size(), 1u);
  EXPECT_EQ(of<CancelEvent>()[0].reason, CancelReason::kRequested);
  ASSERT_EQ(of<BookDeltaEvent>().size(), 1u);
  EXPECT_EQ(of<BookDeltaEvent>()[0].quantity_t, QuantityT(0));
  EXPECT_EQ(ledger_.balance(kAlice, kCashAsset).frozen, 0);
  expect_reject(Cancel{kAlice, kMember1, kGdea, id, {}}, RejectReason::kUnknownOrder);
}

TEST_F(CoreTest, ReplaceKeepsOrLosesPriority) {
  const OrderId a = place(order(kAlice, kGdea, Side::kBuy, 2000, 50));
  const OrderId b = place(order(kCarol, kGdea, Side::kBuy, 2000, 50));
  apply(Replace{kAlice, kMember1, kGdea, a, PriceFen(2000), QuantityT(30), {}});
  ASSERT_EQ(of<ReplaceAckEvent>().size(), 1u);
  EXPECT_TRUE(of<ReplaceAckEvent>()[0].kept_priority);
  check_invariants();
  place(order(kBob, kGdea, Side::kSell, 2000, 10, TimeInForce::kIoc));
  EXPECT_EQ(of<FillEvent>()[1].order_id, a);
  apply(Replace{kAlice, kMember1, kGdea, a, PriceFen(2000), QuantityT(40), {}});
  EXPECT_FALSE(of<ReplaceAckEvent>()[0].kept_priority);
  check_invariants();  // the hold grew in place
  place(order(kBob, kGdea, Side::kSell, 2000, 10, TimeInForce::kIoc));
  EXPECT_EQ(of<FillEvent>()[1].order_id, b);
  expect_reject(Replace{kBob, kMember1, kGdea, a, PriceFen(2000), QuantityT(10), {}},
                RejectReason::kNotOwner);
  expect_reject(Replace{kAlice, kMember1, kGdea, a, PriceFen(2000), QuantityT(15), {}},
                RejectReason::kQuantityNotLotMultiple);
  expect_reject(Replace{kAlice, kMember1, kGdea, a, PriceFen(2300), QuantityT(10), {}},
                RejectReason::kPriceOutsideBand);
  expect_reject(Replace{kAlice, kMember1, kGdea, a, PriceFen(2000), QuantityT(99'000), {}},
                RejectReason::kInsufficientFunds);
  expect_reject(Replace{kAlice, kMember1, kGdea, OrderId(999), PriceFen(2000), QuantityT(10), {}},
                RejectReason::kUnknownOrder);
  check_invariants();
}

TEST_F(CoreTest, ReplaceToACrossingPriceTrades) {
  place(order(kBob, kGdea, Side::kSell, 2010, 20));
  const OrderId a = place(order(kAlice, kGdea, Side::kBuy, 2000, 50));
  apply(Replace{kAlice, kMember1, kGdea, a, PriceFen(2020), QuantityT(50), {}});
  const auto fills = of<FillEvent>();
  ASSERT_EQ(fills.size(), 2u);
  EXPECT_EQ(fills[0].order_id, a);
  EXPECT_EQ(fills[0].price_fen, PriceFen(2010));
  EXPECT_EQ(core_->find_open_order(kGdea, a)->leaves_t, QuantityT(30));
  check_invariants();
  const auto changed = core_->take_changed_orders();
  EXPECT_EQ(changed.size(), 2u);  // the resting sell and the replaced buy
}

TEST_F(CoreTest, ReplaceResizesTheOrdersOneHoldInPlace) {
  const OrderId buy = place(order(kAlice, kGdea, Side::kBuy, 2000, 50));
  const OrderId sell = place(order(kBob, kGdea, Side::kSell, 2100, 50));
  const HoldId buy_hold = make_hold_id(HoldKind::kOrder, buy.value());
  const HoldId sell_hold = make_hold_id(HoldKind::kOrder, sell.value());
  const std::size_t holds = ledger_.open_hold_count();
  const std::int64_t first = ledger_.held(buy_hold);
  apply(Replace{kAlice, kMember1, kGdea, buy, PriceFen(2010), QuantityT(50), {}});  // price up
  ASSERT_EQ(of<ReplaceAckEvent>().size(), 1u);
  const std::int64_t second = ledger_.held(buy_hold);
  EXPECT_GT(second, first);
  apply(Replace{kAlice, kMember1, kGdea, buy, PriceFen(2010), QuantityT(80), {}});  // quantity up
  ASSERT_EQ(of<ReplaceAckEvent>().size(), 1u);
  EXPECT_GT(ledger_.held(buy_hold), second);
  EXPECT_EQ(ledger_.held(buy_hold), core_->find_open_order(kGdea, buy)->hold_amount);
  apply(Replace{kBob, kMember1, kGdea, sell, PriceFen(2100), QuantityT(90), {}});  // quantity up
  EXPECT_EQ(ledger_.held(sell_hold), 90);
  apply(Replace{kBob, kMember1, kGdea, sell, PriceFen(2100), QuantityT(20), {}});  // and down
  EXPECT_EQ(ledger_.held(sell_hold), 20);
  // The same two holds all along, both of generation 0.
  EXPECT_EQ(ledger_.open_hold_count(), holds);
  EXPECT_EQ(core_->find_open_order(kGdea, buy)->hold_generation, 0u);
  EXPECT_EQ(core_->find_open_order(kGdea, sell)->hold_generation, 0u);
  check_invariants();
}

// An order restored from a store written before resize_hold, whose replace had moved its hold to
// generation 2, keeps using that hold: a replace grows it, fills draw on it, a cancel releases it.
TEST_F(CoreTest, AnOrderRestoredWithAnOldHoldGenerationKeepsUsingItsHold) {
  const OrderId a = place(order(kAlice, kGdea, Side::kBuy, 2000, 50));
  OpenOrderRecord r = *core_->find_open_order(kGdea, a);
  const HoldId gen0 = make_hold_id(HoldKind::kOrder, a.value());
  const HoldId gen2 = make_hold_id(HoldKind::kOrder, a.value() | (std::uint64_t{2} << 40));
  ASSERT_TRUE(ledger_.release(gen0, r.hold_amount).ok());
  ASSERT_TRUE(ledger_.hold(gen2, kAlice, kCashAsset, r.hold_amount).ok());
  r.hold_generation = 2;
  const CoreStateRecord state = core_->save_state();
  core_ = std::make_unique<Core>(config_, ledger_);
  ASSERT_TRUE(core_->restore_state(state).ok());
  ASSERT_TRUE(core_->restore_open_orders({r}).ok());
  check_invariants();
  apply(Replace{kAlice, kMember1, kGdea, a, PriceFen(2010), QuantityT(80), {}});
  ASSERT_EQ(of<ReplaceAckEvent>().size(), 1u);
  EXPECT_GT(ledger_.held(gen2), r.hold_amount);
  EXPECT_EQ(ledger_.held(gen2), core_->find_open_order(kGdea, a)->hold_amount);
  EXPECT_EQ(core_->find_open_order(kGdea, a)->hold_generation, 2u);
  check_invariants();
  place(order(kBob, kGdea, Side::kSell, 2010, 30, TimeInForce::kIoc));
  ASSERT_EQ(of<FillEvent>().size(), 2u);
  EXPECT_EQ(core_->find_open_order(kGdea, a)->leaves_t, QuantityT(50));
  check_invariants();
  apply(Cancel{kAlice, kMember1, kGdea, a, {}});
  EXPECT_EQ(ledger_.held(gen2), 0);
  EXPECT_EQ(ledger_.balance(kAlice, kCashAsset).frozen, 0);
  check_invariants();
}

TEST_F(CoreTest, SellReplaceQuantityUpNeedsUnits) {
  const OrderId s = place(order(kBob, kCcer, Side::kSell, 1000, 60'000));
  place(order(kBob, kCcer, Side::kSell, 1000, 30'000));  // 10,000 units left available
  expect_reject(Replace{kBob, kMember1, kCcer, s, PriceFen(1000), QuantityT(100'001), {}},
                RejectReason::kQuantityAboveMaximum);
  expect_reject(Replace{kBob, kMember1, kCcer, s, PriceFen(1001), QuantityT(80'000), {}},
                RejectReason::kInsufficientFunds);
  apply(Replace{kBob, kMember1, kCcer, s, PriceFen(1001), QuantityT(70'000), {}});
  EXPECT_EQ(ledger_.balance(kBob, asset_of(kCcer)).frozen, 100'000);
  EXPECT_EQ(ledger_.balance(kBob, asset_of(kCcer)).available, 0);
  check_invariants();
}

TEST_F(CoreTest, MassCancelByAccountMemberInstrument) {
  place(order(kAlice, kGdea, Side::kBuy, 1990, 10));
  place(order(kAlice, kCcer, Side::kBuy, 990, 10));
  place(order(kCarol, kGdea, Side::kBuy, 1980, 10));
  place(order(kBob, kGdea, Side::kSell, 2050, 10));
  apply(MassCancel{false, true, true, MemberId(0), kAlice, kGdea});
  EXPECT_EQ(of<CancelEvent>().size(), 1u);
  apply(MassCancel{true, false, false, kMember2, AccountId(0), InstrumentId(0)});
  ASSERT_EQ(of<CancelEvent>().size(), 1u);
  EXPECT_EQ(of<CancelEvent>()[0].account, kCarol);
  EXPECT_EQ(of<CancelEvent>()[0].reason, CancelReason::kMassCancel);
  apply(MassCancel{false, false, true, MemberId(0), AccountId(0), kCcer});
  EXPECT_EQ(of<CancelEvent>().size(), 1u);
  expect_reject(MassCancel{}, RejectReason::kBadCommand);
  expect_reject(MassCancel{false, false, true, MemberId(0), AccountId(0), InstrumentId(42)},
                RejectReason::kUnknownInstrument);
  EXPECT_EQ(core_->book(kGdea).order_count(), 1u);
  check_invariants();
}

TEST_F(CoreTest, EndOfDayExpiresAndSetsTheVwapClose) {
  place(order(kBob, kGdea, Side::kSell, 2000, 100));
  place(order(kAlice, kGdea, Side::kBuy, 2000, 100));
  place(order(kBob, kGdea, Side::kSell, 2100, 50));
  place(order(kAlice, kGdea, Side::kBuy, 2100, 50));
  place(order(kCarol, kGdea, Side::kBuy, 1900, 10));  // expires
  place(order(kAlice, kCcer, Side::kBuy, 1000, 10));  // CCER: no trades
  apply(EndOfDay{});
  EXPECT_EQ(of<CancelEvent>().size(), 2u);
  for (const auto& c : of<CancelEvent>())
    EXPECT_EQ(c.reason, CancelReason::kExpired);
  const auto stats = of<DayStatsEvent>();
  ASSERT_EQ(stats.size(), 2u);
  const DayStatsEvent& g = stats[0];
  EXPECT_EQ(g.stats.open_fen, PriceFen(2000));
  EXPECT_EQ(g.stats.high_fen, PriceFen(2100));
  EXPECT_EQ(g.stats.low_fen, PriceFen(2000));
  EXPECT_EQ(g.stats.last_fen, PriceFen(2100));
  EXPECT_EQ(g.stats.volume_t, QuantityT(150));
  EXPECT_EQ(g.stats.turnover_fen, AmountFen(305'000));
  EXPECT_EQ(g.vwap_fen, PriceFen(2033));          // 2033.33 -> 2033
  EXPECT_EQ(g.close_fen, PriceFen(2033));         // volume 150 > 100
  EXPECT_EQ(stats[1].close_fen, PriceFen(1000));  // no trades: the reference
  EXPECT_EQ(core_->reference_price(kGdea), PriceFen(2033));
  EXPECT_EQ(core_->band(kGdea).low_fen, PriceFen(1830));  // 2033 x 0.9 = 1829.7 -> 1830
  EXPECT_EQ(core_->band(kGdea).high_fen, PriceFen(2236));
  EXPECT_EQ(core_->phase(kGdea), Phase::kClosed);
  EXPECT_EQ(core_->day_stats(kGdea).trade_count, 0u);
  EXPECT_EQ(ledger_.balance(kAlice, kCashAsset).frozen, 0);
  EXPECT_EQ(ledger_.balance(kCarol, kCashAsset).frozen, 0);
  check_invariants();
  // Next day: the band moved.
  open_all();
  place(order(kAlice, kGdea, Side::kBuy, 2236, 10));
}

TEST_F(CoreTest, CloseNeedsMoreThanTheMinimumVolume) {
  place(order(kBob, kGdea, Side::kSell, 2100, 100));
  place(order(kAlice, kGdea, Side::kBuy, 2100, 100));  // exactly 100 t: not more than 100
  apply(EndOfDay{});
  EXPECT_EQ(of<DayStatsEvent>()[0].vwap_fen, PriceFen(2100));
  EXPECT_EQ(of<DayStatsEvent>()[0].close_fen, PriceFen(2000));
}

class CoreCancelRestingTest : public CoreTest {
 protected:
  CoreCancelRestingTest() : CoreTest(test_config(StpMode::kCancelResting)) {}
};

TEST_F(CoreCancelRestingTest, SelfTradeCancelsTheRestingOrder) {
  const OrderId own = place(order(kAlice, kGdea, Side::kSell, 2000, 10));
  place(order(kBob, kGdea, Side::kSell, 2000, 10));
  place(order(kAlice, kGdea, Side::kBuy, 2000, 10));
  const auto cancels = of<CancelEvent>();
  ASSERT_EQ(cancels.size(), 1u);
  EXPECT_EQ(cancels[0].order_id, own);
  EXPECT_EQ(cancels[0].reason, CancelReason::kSelfTrade);
  EXPECT_EQ(of<FillEvent>().size(), 2u);
  EXPECT_EQ(ledger_.balance(kAlice, asset_of(kGdea)).frozen, 0);
  check_invariants();
}

TEST_F(CoreTest, FeeWaiverIsReportedInTheFill) {
  ExchangeConfig cfg = test_config();
  ASSERT_TRUE(cfg.instruments[0].fees.add_waiver(
      FeeWaiver{42, TradingMode::kListed, SideSet::kSell, Date{20240101}, Date{}, Date{}}));
  InMemoryLedger ledger;
  for (AccountId a : {kFeeAccount, kAlice, kBob})
    ledger.open_account(a);
  ASSERT_TRUE(ledger.deposit(kAlice, kCashAsset, 10'000'000).ok());
  ASSERT_TRUE(ledger.deposit(kBob, asset_of(kGdea), 1'000).ok());
  Core core(cfg, ledger);
  std::uint64_t seq = 0;
  const auto run = [&](CommandBody b) {
    core.clear_events();
    core.apply(Command{Seq(++seq), TimestampNs(kDayStartNs), b});
  };
  run(SetPhase{true, InstrumentId(0), Phase::kContinuous});
  run(order(kBob, kGdea, Side::kSell, 2000, 100));
  run(order(kAlice, kGdea, Side::kBuy, 2000, 100));
  std::vector<FillEvent> fills;
  for (const Event& e : core.events()) {
    if (const auto* f = std::get_if<FillEvent>(&e.body)) fills.push_back(*f);
  }
  ASSERT_EQ(fills.size(), 2u);
  EXPECT_EQ(fills[0].fee_fen, AmountFen(100));  // the buyer pays
  EXPECT_EQ(fills[1].fee_fen, AmountFen(0));    // the seller's fee is waived
  EXPECT_EQ(fills[1].waived_fen, AmountFen(100));
  EXPECT_EQ(fills[1].waiver_rule_id, 42u);
  EXPECT_EQ(ledger.balance(kFeeAccount, kCashAsset).available, 100);
  EXPECT_EQ(ledger.balance(kBob, kCashAsset).available, 200'000);
}

TEST_F(CoreTest, BookDeltasFollowTheBook) {
  place(order(kBob, kGdea, Side::kSell, 2000, 30));
  ASSERT_EQ(of<BookDeltaEvent>().size(), 1u);
  EXPECT_EQ(of<BookDeltaEvent>()[0].quantity_t, QuantityT(30));
  place(order(kAlice, kGdea, Side::kBuy, 2000, 10));
  ASSERT_EQ(of<BookDeltaEvent>().size(), 1u);
  EXPECT_EQ(of<BookDeltaEvent>()[0].side, Side::kSell);
  EXPECT_EQ(of<BookDeltaEvent>()[0].quantity_t, QuantityT(20));
}

TEST_F(CoreTest, ReplayGivesTheSameEventsAndHash) {
  place(order(kBob, kGdea, Side::kSell, 2000, 30));
  place(order(kAlice, kGdea, Side::kBuy, 2010, 50));
  apply(Replace{kAlice, kMember1, kGdea, OrderId(2), PriceFen(2005), QuantityT(10), {}});
  place(order(kCarol, kCcer, Side::kSell, 1000, 7));
  apply(EndOfDay{});
  // Replay the whole command log into a fresh ledger and core, collecting all events.
  InMemoryLedger ledger;
  for (AccountId a : {kFeeAccount, kAlice, kBob, kCarol})
    ledger.open_account(a);
  for (AccountId a : {kAlice, kBob, kCarol}) {
    ASSERT_TRUE(ledger.deposit(a, kCashAsset, 100'000'000).ok());
    ASSERT_TRUE(ledger.deposit(a, asset_of(kGdea), 100'000).ok());
    ASSERT_TRUE(ledger.deposit(a, asset_of(kCcer), 100'000).ok());
  }
  Core replay(config_, ledger);
  for (const Command& c : commands_) {
    replay.apply(c);
  }
  EXPECT_EQ(replay.state_hash(), core_->state_hash());
  // And event by event through the codec: decode(encode(c)) replays identically.
  InMemoryLedger ledger2;
  for (AccountId x : {kFeeAccount, kAlice, kBob, kCarol})
    ledger2.open_account(x);
  for (AccountId x : {kAlice, kBob, kCarol}) {
    ASSERT_TRUE(ledger2.deposit(x, kCashAsset, 100'000'000).ok());
    ASSERT_TRUE(ledger2.deposit(x, asset_of(kGdea), 100'000).ok());
    ASSERT_TRUE(ledger2.deposit(x, asset_of(kCcer), 100'000).ok());
  }
  Core replay2(config_, ledger2);
  for (const Command& c : commands_) {
    const CommandRecord rec = encode(c);
    auto d = decode(rec);
    ASSERT_TRUE(d.ok());
    replay2.apply(d.value());
  }
  EXPECT_EQ(replay2.state_hash(), core_->state_hash());
  ASSERT_EQ(replay.events().size(), replay2.events().size());
  for (std::size_t i = 0; i < replay.events().size(); ++i) {
    EXPECT_EQ(replay.events()[i], replay2.events()[i]) << i;
  }
  EXPECT_EQ(ledger.balance(kAlice, kCashAsset).available,
            ledger_.balance(kAlice, kCashAsset).available);
}

TEST_F(CoreTest, PersistenceRestoresOpenOrdersAndState) {
  place(order(kBob, kGdea, Side::kSell, 2010, 30));
  place(order(kCarol, kGdea, Side::kSell, 2010, 30));
  place(order(kAlice, kGdea, Side::kBuy, 2000, 50));
  place(order(kAlice, kGdea, Side::kBuy, 2010, 40));  // partially fills
  place(order(kAlice, kCcer, Side::kBuy, 950, 5));
  const auto changed = core_->take_changed_orders();
  EXPECT_EQ(changed.size(), 4u);  // the fully filled buy never rested
  EXPECT_TRUE(std::is_sorted(changed.begin(), changed.end()));
  EXPECT_TRUE(core_->take_changed_orders().empty());
  std::vector<OpenOrderRecord> records;
  core_->for_each_open_order([&](const OpenOrderRecord& r) { records.push_back(r); });
  const CoreStateRecord state = core_->save_state();
  // An independent copy of the ledger (replayed), and a fresh core restored over it.
  InMemoryLedger ledger2;
  std::unique_ptr<Core> replayed;
  replay_into(ledger2, replayed);
  replayed.reset();
  Core restored(config_, ledger2);
  ASSERT_TRUE(restored.restore_state(state).ok());
  for (const OpenOrderRecord& r : records)
    ASSERT_TRUE(restored.restore_open_order(r).ok());
  EXPECT_EQ(restored.state_hash(), core_->state_hash());
  EXPECT_EQ(restored.save_state(), state);
  EXPECT_EQ(restored.restore_state(state).error(), CoreError::kNotEmpty);
  OpenOrderRecord bad = records[0];
  bad.instrument = InstrumentId(99);
  EXPECT_EQ(restored.restore_open_order(bad).error(), CoreError::kUnknownInstrument);
  EXPECT_EQ(restored.restore_open_order(records[0]).error(), CoreError::kBookRefused);
  // Both continue identically.
  const Command next{Seq(seq_ + 1), TimestampNs(kDayStartNs),
                     order(kCarol, kGdea, Side::kSell, 2000, 20)};
  core_->clear_events();
  core_->apply(next);
  restored.apply(next);
  EXPECT_EQ(restored.state_hash(), core_->state_hash());
  ASSERT_EQ(restored.events().size(), core_->events().size());
  for (std::size_t i = 0; i < restored.events().size(); ++i) {
    EXPECT_EQ(restored.events()[i], core_->events()[i]);
  }
}

TEST(Codec, RoundTripsEveryCommand) {
  const std::vector<CommandBody> bodies = {
      NewOrder{AccountId(1), MemberId(2), InstrumentId(3), Side::kSell, OrderType::kClick,
               TimeInForce::kIoc, PriceFen(0), QuantityT(40), make_client_order_id("abc-123")},
      Cancel{AccountId(1), MemberId(2), InstrumentId(3), OrderId(99), make_client_order_id("x")},
      Replace{AccountId(1), MemberId(2), InstrumentId(3), OrderId(99), PriceFen(1234),
              QuantityT(50), make_client_order_id("0123456789abcdef")},
      MassCancel{true, false, true, MemberId(7), AccountId(0), InstrumentId(2)},
      SetPhase{true, InstrumentId(0), Phase::kHalted},
      EndOfDay{},
  };
  for (const CommandBody& b : bodies) {
    const Command c{Seq(123456789), TimestampNs(-5), b};
    const CommandRecord r = encode(c);
    EXPECT_EQ(r[0], kCommandSchemaVersion);
    auto d = decode(r);
    ASSERT_TRUE(d.ok()) << to_string(d.error());
    EXPECT_EQ(d.value(), c);
  }
  EXPECT_EQ(view(make_client_order_id("0123456789abcdefXYZ")), "0123456789abcdef");
}

TEST(Codec, RejectsCorruptRecords) {
  const Command c{Seq(1), TimestampNs(2),
                  NewOrder{AccountId(1),
                           MemberId(2),
                           InstrumentId(3),
                           Side::kBuy,
                           OrderType::kLimit,
                           TimeInForce::kDay,
                           PriceFen(10),
                           QuantityT(1),
                           {}}};
  CommandRecord r = encode(c);
  EXPECT_EQ(decode(std::span<const std::uint8_t>(r.data(), 95)).error(), CodecError::kWrongSize);
  CommandRecord v = r;
  v[0] = 2;
  EXPECT_EQ(decode(v).error(), CodecError::kWrongVersion);
  CommandRecord t = r;
  t[1] = 0;
  EXPECT_EQ(decode(t).error(), CodecError::kUnknownType);
  t[1] = 200;
  EXPECT_EQ(decode(t).error(), CodecError::kUnknownType);
  CommandRecord f = r;
  f[2 + 8 + 8 + 12] = 3;  // side
  EXPECT_EQ(decode(f).error(), CodecError::kBadField);
  const Command p{Seq(1), TimestampNs(2), SetPhase{false, InstrumentId(1), Phase::kClosed}};
  CommandRecord q = encode(p);
  q[2 + 8 + 8 + 1 + 4] = 9;  // phase
  EXPECT_EQ(decode(q).error(), CodecError::kBadField);
}

}  // namespace
}  // namespace carbonx::testing

namespace carbonx::testing {
namespace {

// A core over its own small config, for limits the fixture's config does not reach.
struct SmallCore {
  explicit SmallCore(ExchangeConfig c) : cfg(std::move(c)) {
    for (AccountId a : {kFeeAccount, kAlice, kBob})
      ledger.open_account(a);
    for (AccountId a : {kAlice, kBob}) {
      EXPECT_TRUE(ledger.deposit(a, kCashAsset, 100'000'000).ok());
      EXPECT_TRUE(ledger.deposit(a, asset_of(kGdea), 100'000).ok());
    }
    core = std::make_unique<Core>(cfg, ledger);
    run(SetPhase{true, InstrumentId(0), Phase::kContinuous});
  }
  void run(CommandBody b) {
    core->clear_events();
    core->apply(Command{Seq(++seq), TimestampNs(kDayStartNs), b});
  }
  std::optional<RejectReason> rejected() const {
    for (const Event& e : core->events()) {
      if (const auto* r = std::get_if<RejectEvent>(&e.body)) return r->reason;
    }
    return std::nullopt;
  }
  ExchangeConfig cfg;
  InMemoryLedger ledger;
  std::unique_ptr<Core> core;
  std::uint64_t seq = 0;
};

NewOrder buy(AccountId a, std::int64_t price, std::int64_t qty,
             TimeInForce tif = TimeInForce::kDay) {
  NewOrder o;
  o.account = a;
  o.instrument = kGdea;
  o.side = Side::kBuy;
  o.tif = tif;
  o.price_fen = PriceFen(price);
  o.quantity_t = QuantityT(qty);
  return o;
}

TEST(CoreLimits, PriceOffTheTick) {
  ExchangeConfig cfg = test_config();
  cfg.instruments[0].tick_fen = PriceFen(5);
  SmallCore s(cfg);
  s.run(buy(kAlice, 2003, 10));
  EXPECT_EQ(s.rejected(), RejectReason::kPriceNotOnTick);
  s.run(buy(kAlice, 2005, 10));
  EXPECT_EQ(s.rejected(), std::nullopt);
}

TEST(CoreLimits, LevelAndBookFull) {
  ExchangeConfig cfg = test_config();
  cfg.limits.max_orders_per_book = 4;
  cfg.limits.max_orders_per_level = 2;
  SmallCore s(cfg);
  s.run(buy(kAlice, 2000, 10));
  s.run(buy(kAlice, 2000, 10));
  s.run(buy(kAlice, 2000, 10));
  EXPECT_EQ(s.rejected(), RejectReason::kLevelFull);
  s.run(buy(kAlice, 1999, 10));
  s.run(buy(kAlice, 1998, 10));
  s.run(buy(kAlice, 1997, 10));
  EXPECT_EQ(s.rejected(), RejectReason::kBookFull);
  EXPECT_EQ(s.core->book(kGdea).order_count(), 4u);
  // An IOC needs no room to rest.
  s.run(buy(kAlice, 1997, 10, TimeInForce::kIoc));
  EXPECT_EQ(s.rejected(), std::nullopt);
  std::int64_t holds = 0;
  s.core->for_each_open_order([&](const OpenOrderRecord& r) { holds += r.hold_amount; });
  EXPECT_EQ(s.ledger.balance(kAlice, kCashAsset).frozen, holds);
}

TEST(CoreLimits, FrozenAccountIsNotUsable) {
  SmallCore s(test_config());
  ASSERT_TRUE(s.ledger.set_active(kAlice, false).ok());
  s.run(buy(kAlice, 2000, 10));
  EXPECT_EQ(s.rejected(), RejectReason::kAccountNotUsable);
}

TEST(CoreLimits, FillLimitCancelsTheRemainder) {
  SmallCore s(test_config());  // max_fills_per_order = 16
  for (int i = 0; i < 20; ++i) {
    NewOrder o = buy(kBob, 2000 + i, 10);
    o.side = Side::kSell;
    s.run(o);
  }
  s.run(buy(kAlice, 2100, 200));
  std::size_t fills = 0;
  std::optional<CancelEvent> cancel;
  for (const Event& e : s.core->events()) {
    fills += std::holds_alternative<FillEvent>(e.body) ? 1 : 0;
    if (const auto* c = std::get_if<CancelEvent>(&e.body)) cancel = *c;
  }
  EXPECT_EQ(fills, 2u * 16);
  ASSERT_TRUE(cancel.has_value());
  EXPECT_EQ(cancel->reason, CancelReason::kFillLimit);
  EXPECT_EQ(cancel->cancelled_t, QuantityT(40));
  EXPECT_LE(s.core->events().size(), s.core->max_events_per_order_command());
  EXPECT_EQ(s.ledger.balance(kAlice, kCashAsset).frozen, 0);
}

TEST(CoreLimits, CommandsMustArriveInSequence) {
  SmallCore s(test_config());
  EXPECT_DEATH(s.core->apply(Command{Seq(1), TimestampNs(0), EndOfDay{}}), "assertion failed");
}

}  // namespace
}  // namespace carbonx::testing

namespace carbonx::testing {
namespace {

// Random records: decode never crashes; whatever it accepts re-encodes and decodes to itself.
TEST(Codec, RandomRecordsDecodeSafely) {
  std::mt19937_64 rng(2024);
  std::size_t accepted = 0;
  for (int i = 0; i < 200'000; ++i) {
    CommandRecord r{};
    for (auto& b : r)
      b = static_cast<std::uint8_t>(rng());
    r[0] = kCommandSchemaVersion;
    r[1] = static_cast<std::uint8_t>(1 + rng() % 16);
    auto d = decode(r);
    if (!d.ok()) continue;
    ++accepted;
    auto again = decode(encode(d.value()));
    ASSERT_TRUE(again.ok());
    ASSERT_EQ(again.value(), d.value());
  }
  EXPECT_GT(accepted, 1'000u);
}

}  // namespace
}  // namespace carbonx::testing
