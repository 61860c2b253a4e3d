// The daily market report over hand-made trades: prices from listed trades only, the close rule,
// splits by mode and by participant (both sides), cumulative figures, renderings.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "carbonx/tools/format.hpp"
#include "carbonx/tools/market_report.hpp"

namespace carbonx::tools {
namespace {

using P = ParticipantType;
using M = TradeMode;

TradeRow trade(int date, std::uint32_t ins, M mode, std::int64_t qty, std::int64_t price_fen,
               P buyer, P seller, std::uint64_t order) {
  return TradeRow{Date{date},
                  InstrumentId(ins),
                  mode,
                  QuantityT(qty),
                  AmountFen(qty * price_fen),
                  buyer,
                  seller,
                  order};
}

std::vector<InstrumentInfo> instruments() {
  return {{InstrumentId(1), "GDEA2017", PriceFen(1420)}, {InstrumentId(2), "CCER", PriceFen(900)}};
}

std::vector<TradeRow> sample() {
  return {
      // Day 1: 60 t listed on GDEA2017 (below 100 t: close = reference 14.20).
      trade(20170601, 1, M::kListed, 60, 1430, P::kInstitution, P::kControlFirm, 1),
      // Day 2: listed 100 @ 14.50, 50 @ 14.00 (vwap 14.3333 -> 14.33), an agreement 1000 @ 13.00.
      trade(20170602, 1, M::kListed, 100, 1450, P::kInstitution, P::kIndividual, 3),
      trade(20170602, 1, M::kAgreement, 1000, 1300, P::kControlFirm, P::kInstitution, 4),
      trade(20170602, 1, M::kListed, 50, 1400, P::kControlFirm, P::kInstitution, 5),
      trade(20170602, 2, M::kAuction, 2000, 910, P::kControlFirm, P::kOther, 6),
      // Day 3 (after the reported day): ignored.
      trade(20170603, 1, M::kListed, 500, 1500, P::kInstitution, P::kIndividual, 7),
  };
}

TEST(MarketReport, PricesComeFromListedTradesAndTheCloseRule) {
  const MarketReport r = compute_market_report(instruments(), sample(), Date{20170602});
  ASSERT_EQ(r.instruments.size(), 2u);
  const InstrumentDay& g = r.instruments[0];
  EXPECT_EQ(g.code, "GDEA2017");
  EXPECT_EQ(g.reference_fen, PriceFen(1420));  // day 1 closed at the reference (60 t <= 100 t)
  EXPECT_EQ(*g.open_fen, PriceFen(1450));
  EXPECT_EQ(*g.high_fen, PriceFen(1450));
  EXPECT_EQ(*g.low_fen, PriceFen(1400));
  EXPECT_EQ(*g.last_fen, PriceFen(1400));
  EXPECT_EQ(*g.vwap_fen, PriceFen(1433));  // 215000 / 150 = 1433.33 -> 1433
  EXPECT_EQ(g.close_fen, PriceFen(1433));  // 150 t > 100 t: the VWAP
  EXPECT_EQ(g.day.total.volume_t, QuantityT(1150));
  EXPECT_EQ(g.day.total.turnover_fen, AmountFen(145000 + 1300000 + 70000));
  EXPECT_EQ(g.day.by_mode[0].volume_t, QuantityT(150));
  EXPECT_EQ(g.day.by_mode[1].volume_t, QuantityT(1000));
  // Both sides: institutions bought 100 and sold 1000 + 50.
  EXPECT_EQ(g.day.by_participant[1].volume_t, QuantityT(1150));
  EXPECT_EQ(g.day.by_participant[0].volume_t, QuantityT(1050));
  EXPECT_EQ(g.day.by_participant[2].volume_t, QuantityT(100));
  EXPECT_EQ(g.cumulative.total.volume_t, QuantityT(1210));
  EXPECT_EQ(g.cumulative.total.trades, 4u);
  const InstrumentDay& c = r.instruments[1];
  EXPECT_FALSE(c.open_fen.has_value());  // an auction sets no listed price
  EXPECT_EQ(c.close_fen, PriceFen(900));
  EXPECT_EQ(c.day.by_mode[2].turnover_fen, AmountFen(1820000));
  EXPECT_EQ(c.day.by_participant[3].volume_t, QuantityT(2000));
}

TEST(MarketReport, TotalsHistoryAndFirstDate) {
  const MarketReport r = compute_market_report(instruments(), sample(), Date{20170602});
  EXPECT_EQ(r.first_date, Date{20170601});
  EXPECT_EQ(r.day_total.total.volume_t, QuantityT(3150));
  EXPECT_EQ(r.cumulative_total.total.volume_t, QuantityT(3210));
  std::int64_t both_sides = 0;
  for (const Flows& f : r.day_total.by_participant)
    both_sides += f.volume_t.value();
  EXPECT_EQ(both_sides, 2 * r.day_total.total.volume_t.value());
  ASSERT_EQ(r.history.size(), 4u);  // 2 instruments x 2 days
  EXPECT_EQ(r.history[0].date, Date{20170601});
  EXPECT_EQ(r.history[0].close_fen, PriceFen(1420));
  EXPECT_EQ(r.history[3].date, Date{20170602});
}

TEST(MarketReport, ADayWithoutTradesClosesAtTheReference) {
  const MarketReport r = compute_market_report(instruments(), {}, Date{20170605});
  EXPECT_EQ(r.first_date, Date{0});
  EXPECT_EQ(r.instruments[0].close_fen, PriceFen(1420));
  EXPECT_EQ(r.instruments[0].day.total.trades, 0u);
  EXPECT_TRUE(r.history.empty());
  EXPECT_EQ(last_trading_date(sample()), Date{20170603});
  EXPECT_FALSE(last_trading_date({}).has_value());
}

TEST(MarketReport, ClosesChainIntoTheNextReference) {
  auto trades = sample();
  trades.push_back(trade(20170605, 1, M::kListed, 10, 1440, P::kIndividual, P::kInstitution, 9));
  const MarketReport r = compute_market_report(instruments(), trades, Date{20170605});
  // Day 3 closed at its VWAP 15.00 (500 t), so day 4's reference is 15.00; 10 t -> close 15.00.
  EXPECT_EQ(r.instruments[0].reference_fen, PriceFen(1500));
  EXPECT_EQ(r.instruments[0].close_fen, PriceFen(1500));
}

TEST(MarketReport, Renderings) {
  const MarketReport r = compute_market_report(instruments(), sample(), Date{20170602});
  const std::string table = market_table(r);
  EXPECT_NE(table.find("GDEA2017"), std::string::npos);
  EXPECT_NE(table.find("14.33"), std::string::npos);
  EXPECT_NE(table.find("1,150"), std::string::npos);
  const std::string csv = market_csv(r);
  EXPECT_EQ(csv.rfind("section,code,date,key,value_a,value_b,value_c\n", 0), 0u);
  EXPECT_NE(csv.find("price,GDEA2017,2017-06-02,vwap,1433,,\n"), std::string::npos);
  EXPECT_NE(csv.find("day,GDEA2017,2017-06-02,agreement,1000,1300000,1\n"), std::string::npos);
  EXPECT_NE(csv.find("cumulative,TOTAL,2017-06-02,total,3210,"), std::string::npos);
  const auto j = nlohmann::json::parse(market_json(r));
  EXPECT_EQ(j["schema"], "carbonx.market_report");
  EXPECT_EQ(j["instruments"][0]["close_fen"], 1433);
  EXPECT_TRUE(j["instruments"][1]["open_fen"].is_null());
  EXPECT_EQ(j["total"]["day"]["by_participant"]["institutions"]["volume_t"], 1150);
}

TEST(Format, MoneyDatesAndTables) {
  EXPECT_EQ(fen_to_yuan(142050), "1420.50");
  EXPECT_EQ(fen_to_yuan(-5), "-0.05");
  EXPECT_EQ(fen_to_yuan(0), "0.00");
  EXPECT_EQ(grouped(1234567), "1,234,567");
  EXPECT_EQ(grouped(-1000), "-1,000");
  EXPECT_EQ(grouped(999), "999");
  EXPECT_EQ(date_text(Date{20170601}), "2017-06-01");
  Date d;
  EXPECT_TRUE(parse_date_text("2018-06-20", d));
  EXPECT_EQ(d, Date{20180620});
  EXPECT_FALSE(parse_date_text("2018-02-30", d));
  EXPECT_FALSE(parse_date_text("2018-6-20", d));
  EXPECT_EQ(permille(1, 3), 333);
  EXPECT_EQ(permille(2, 3), 667);
  EXPECT_EQ(permille_text(1000), "100.0%");
  std::int64_t fen = 0;
  EXPECT_TRUE(parse_yuan("1234.5", fen));
  EXPECT_EQ(fen, 123450);
  EXPECT_TRUE(parse_yuan("7", fen));
  EXPECT_EQ(fen, 700);
  EXPECT_TRUE(parse_yuan("0.01", fen));
  EXPECT_EQ(fen, 1);
  EXPECT_FALSE(parse_yuan("1.005", fen));
  EXPECT_FALSE(parse_yuan("-1", fen));
  EXPECT_FALSE(parse_yuan("1.", fen));
  EXPECT_FALSE(parse_yuan("1e3", fen));
  EXPECT_FALSE(parse_yuan("", fen));
  EXPECT_EQ(csv_field("a,b"), "\"a,b\"");
  EXPECT_EQ(csv_field("say \"x\""), "\"say \"\"x\"\"\"");
  TextTable t({{"name", false}, {"n", true}});
  t.add_row({"ab", "1"});
  t.add_rule();
  t.add_row({"total", "100"});
  EXPECT_EQ(t.render(), "name     n\n----------\nab       1\n----------\ntotal  100\n");
}

}  // namespace
}  // namespace carbonx::tools
