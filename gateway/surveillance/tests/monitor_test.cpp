// The surveillance monitor on hand-made committed events: each alert kind at its edge, with the
// orders behind it, and nothing where the market behaved.
#include "carbonx/surveillance/monitor.hpp"

#include <gtest/gtest.h>

namespace carbonx::surveillance {
namespace {

constexpr InstrumentId kIns{1};

ExchangeConfig config() {
  ExchangeConfig c;
  InstrumentConfig ic;
  ic.id = kIns;
  ic.code = "GDEA2017";
  ic.tick_fen = PriceFen(1);
  ic.reference_price_fen = PriceFen(2000);  // 20.00, band 10%: 18.00 .. 22.00
  ic.band_bp = 1000;
  c.instruments.push_back(ic);
  return c;
}

Event at(std::uint64_t seq, EventBody body) {
  return Event{Seq(seq), TimestampNs(static_cast<std::int64_t>(seq) * 1000), std::move(body)};
}

AckEvent ack(std::uint64_t order, std::int64_t price, Side side = Side::kBuy) {
  AckEvent a;
  a.order_id = OrderId(order);
  a.account = AccountId(1001);
  a.member = MemberId(1);
  a.instrument = kIns;
  a.side = side;
  a.price_fen = PriceFen(price);
  a.quantity_t = QuantityT(100);
  return a;
}

FillEvent fill(std::uint64_t trade, std::uint64_t order, std::uint32_t account,
               std::uint32_t member, Side side, bool aggressor) {
  FillEvent f;
  f.order_id = OrderId(order);
  f.trade_id = TradeId(trade);
  f.account = AccountId(account);
  f.member = MemberId(member);
  f.instrument = kIns;
  f.side = side;
  f.aggressor = aggressor;
  f.price_fen = PriceFen(2010);
  f.quantity_t = QuantityT(50);
  return f;
}

class MonitorTest : public ::testing::Test {
 protected:
  std::vector<Alert> run(std::vector<Event> events) {
    std::vector<Alert> out;
    monitor_.on_events(events, out);
    return out;
  }
  ExchangeConfig config_ = config();
  Monitor monitor_{config_};
};

TEST_F(MonitorTest, OrdersExactlyAtEitherBandEdgeRaiseAnAlertOrdersInsideDoNot) {
  const auto alerts = run({at(1, ack(11, 2200)), at(2, ack(12, 1800, Side::kSell)),
                           at(3, ack(13, 2199)), at(4, ack(14, 1801))});
  ASSERT_EQ(alerts.size(), 2u);
  EXPECT_EQ(alerts[0].kind, AlertKind::kOrderAtBandEdge);
  EXPECT_EQ(alerts[0].seq, 1u);
  EXPECT_EQ(alerts[0].price_fen, 2200);
  ASSERT_EQ(alerts[0].parties.size(), 1u);
  EXPECT_EQ(alerts[0].parties[0].order_id, 11u);
  EXPECT_EQ(alerts[0].parties[0].account, 1001u);
  EXPECT_NE(alerts[0].detail.find("22.00, the band's upper edge"), std::string::npos)
      << alerts[0].detail;
  EXPECT_EQ(alerts[1].parties[0].order_id, 12u);
  EXPECT_NE(alerts[1].detail.find("lower edge"), std::string::npos) << alerts[1].detail;
}

TEST_F(MonitorTest, TheBandFollowsTheCoreSeedAndEachDaysClose) {
  monitor_.set_band(kIns, Band{PriceFen(1900), PriceFen(2100)});
  EXPECT_TRUE(run({at(1, ack(11, 2200))}).empty()) << "22.00 is inside nothing now";
  EXPECT_EQ(run({at(2, ack(12, 2100))}).size(), 1u);
  DayStatsEvent d;
  d.instrument = kIns;
  d.close_fen = PriceFen(3000);  // the next day's band: 27.00 .. 33.00
  EXPECT_TRUE(run({at(3, d)}).empty());
  EXPECT_TRUE(run({at(4, ack(13, 2100))}).empty());
  const auto alerts = run({at(5, ack(14, 3300))});
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].price_fen, 3300);
}

TEST_F(MonitorTest, AReplaceToTheEdgeAndATradeAtTheEdgeAreAlerts) {
  ReplaceAckEvent r;
  r.order_id = OrderId(21);
  r.instrument = kIns;
  r.price_fen = PriceFen(1800);
  TradeEvent t;
  t.instrument = kIns;
  t.trade_id = TradeId(5);
  t.price_fen = PriceFen(2200);
  t.quantity_t = QuantityT(30);
  t.buy_order_id = OrderId(31);
  t.sell_order_id = OrderId(32);
  const auto alerts = run({at(1, r), at(2, t)});
  ASSERT_EQ(alerts.size(), 2u);
  EXPECT_EQ(alerts[0].kind, AlertKind::kOrderAtBandEdge);
  EXPECT_EQ(alerts[0].parties[0].order_id, 21u);
  EXPECT_EQ(alerts[1].kind, AlertKind::kTradeAtBandEdge);
  ASSERT_EQ(alerts[1].parties.size(), 2u);
  EXPECT_EQ(alerts[1].parties[0].order_id, 31u);
  EXPECT_EQ(alerts[1].parties[1].order_id, 32u);
  EXPECT_EQ(alerts[1].quantity_t, 30);
}

TEST_F(MonitorTest, SelfTradePreventionAndHoldingLimitRefusalsAreAlerts) {
  RejectEvent stp;
  stp.reason = RejectReason::kSelfTrade;
  stp.account = AccountId(1001);
  stp.member = MemberId(1);
  stp.instrument = kIns;
  CancelEvent resting;
  resting.reason = CancelReason::kSelfTrade;
  resting.order_id = OrderId(41);
  resting.account = AccountId(1001);
  resting.instrument = kIns;
  resting.cancelled_t = QuantityT(20);
  RejectEvent limit = stp;
  limit.reason = RejectReason::kHoldingLimit;
  RejectEvent funds = stp;
  funds.reason = RejectReason::kInsufficientFunds;
  CancelEvent asked = resting;
  asked.reason = CancelReason::kRequested;
  const auto alerts = run({at(1, stp), at(2, resting), at(3, limit), at(4, funds), at(5, asked)});
  ASSERT_EQ(alerts.size(), 3u);
  EXPECT_EQ(alerts[0].kind, AlertKind::kSelfTradeAttempt);
  EXPECT_EQ(alerts[1].kind, AlertKind::kSelfTradeAttempt);
  EXPECT_EQ(alerts[1].parties[0].order_id, 41u);
  EXPECT_EQ(alerts[1].quantity_t, 20);
  EXPECT_EQ(alerts[2].kind, AlertKind::kHoldingLimit);
  EXPECT_EQ(alerts[2].seq, 3u);
}

TEST_F(MonitorTest, TradesBetweenTwoAccountsOfOneMemberAreWashTradesOthersAreNot) {
  // seq 1: member 1's accounts 3001 and 3002; seq 2: the same, the resting fill first;
  // seq 3: accounts of members 1 and 2.
  const auto alerts = run({at(1, fill(1, 51, 3001, 1, Side::kBuy, true)),
                           at(1, fill(1, 52, 3002, 1, Side::kSell, false)),
                           at(2, fill(2, 53, 3001, 1, Side::kSell, false)),
                           at(2, fill(2, 54, 3002, 1, Side::kBuy, true)),
                           at(3, fill(3, 55, 3001, 1, Side::kBuy, true)),
                           at(3, fill(3, 56, 2001, 2, Side::kSell, false))});
  ASSERT_EQ(alerts.size(), 2u);
  EXPECT_EQ(alerts[0].kind, AlertKind::kWashTrade);
  EXPECT_EQ(alerts[0].seq, 1u);
  ASSERT_EQ(alerts[0].parties.size(), 2u);
  EXPECT_EQ(alerts[0].parties[0].order_id, 51u);
  EXPECT_EQ(alerts[0].parties[1].order_id, 52u);
  EXPECT_EQ(alerts[0].parties[1].side, Side::kSell);
  EXPECT_NE(alerts[0].detail.find("between accounts 3001 and 3002 of member 1"), std::string::npos)
      << alerts[0].detail;
  EXPECT_EQ(alerts[1].seq, 2u);
  EXPECT_EQ(alerts[1].parties[0].order_id, 54u) << "the aggressor first";
}

TEST_F(MonitorTest, ASweepPairsEachFillWithItsOwnTrade) {
  // One aggressor order of member 1's account 3001 sweeps two resting orders: one of member 3,
  // one of member 1's account 3002: only the second trade is a wash trade.
  const auto alerts = run({at(7, fill(1, 60, 2001, 3, Side::kSell, false)),
                           at(7, fill(1, 61, 3001, 1, Side::kBuy, true)),
                           at(7, fill(2, 62, 3002, 1, Side::kSell, false)),
                           at(7, fill(2, 61, 3001, 1, Side::kBuy, true))});
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].parties[1].order_id, 62u);
}

TEST_F(MonitorTest, AnAcceptedAgreementAtOrAboveTheThresholdIsAnAlert) {
  AgreementEvent g;
  g.report_id = OffBookId(9);
  g.status = AgreementStatus::kAccepted;
  g.instrument = kIns;
  g.reporter = AccountId(1001);
  g.reporter_member = MemberId(1);
  g.reporter_side = Side::kSell;
  g.counterparty = AccountId(2001);
  g.counterparty_member = MemberId(2);
  g.price_fen = PriceFen(2000);
  g.quantity_t = QuantityT(499'999);
  AgreementEvent big = g;
  big.quantity_t = QuantityT(500'000);
  AgreementEvent reported = big;
  reported.status = AgreementStatus::kReported;
  const auto alerts = run({at(1, g), at(2, reported), at(3, big)});
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].kind, AlertKind::kLargeAgreement);
  EXPECT_EQ(alerts[0].seq, 3u);
  EXPECT_EQ(alerts[0].quantity_t, 500'000);
  ASSERT_EQ(alerts[0].parties.size(), 2u);
  EXPECT_EQ(alerts[0].parties[0].account, 1001u);
  EXPECT_EQ(alerts[0].parties[1].account, 2001u);
  EXPECT_EQ(alerts[0].parties[1].side, Side::kBuy);
}

}  // namespace
}  // namespace carbonx::surveillance
