// The close a market report shows is the close the core computed at its end of day: both use the
// engine's rule (closing_price.hpp). Checked over random listed days on an instrument whose tick
// is 5 fen, where rounding the VWAP to the fen (the report's old rule) and to the tick differ.
#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "carbonx/engine/closing_price.hpp"
#include "carbonx/engine/core.hpp"
#include "carbonx/engine/in_memory_ledger.hpp"
#include "carbonx/tools/market_report.hpp"

namespace carbonx::tools {
namespace {

constexpr InstrumentId kIns{1};
constexpr AccountId kFee{9000}, kSeller{101}, kBuyer{102};
constexpr std::int64_t kDayNs = 86'400LL * 1'000'000'000;
constexpr std::int64_t kFirstDayNs = 1'709'517'600LL * 1'000'000'000;  // 2024-03-04 10:00 CST

ExchangeConfig five_fen_tick() {
  InstrumentConfig c;
  c.id = kIns;
  c.code = "GDEA2017";
  c.product = ProductKind::kAllowance;
  c.vintage = 2017;
  c.tick_fen = PriceFen(5);
  c.lot_t = QuantityT(1);
  c.min_order_t = QuantityT(1);
  c.max_order_t = QuantityT(100'000);
  c.reference_price_fen = PriceFen(2000);
  c.band_bp = 1000;
  ExchangeConfig cfg;
  cfg.fee_account = kFee;
  cfg.limits.max_orders_per_book = 1024;
  cfg.limits.max_price_levels = 1024;
  cfg.limits.outbox_capacity = 4096;
  cfg.instruments.push_back(c);
  return cfg;
}

class ClosingPriceAgreement : public ::testing::Test {
 protected:
  ClosingPriceAgreement() : config_(five_fen_tick()) {
    for (AccountId a : {kFee, kSeller, kBuyer})
      ledger_.open_account(a);
    EXPECT_TRUE(ledger_.deposit(kBuyer, kCashAsset, 100'000'000'000).ok());
    EXPECT_TRUE(ledger_.deposit(kSeller, asset_of(kIns), 100'000'000).ok());
    core_ = std::make_unique<Core>(config_, ledger_);
  }

  void apply(std::int64_t ts_ns, CommandBody body) {
    core_->clear_events();
    core_->apply(Command{Seq(++seq_), TimestampNs(ts_ns), std::move(body)});
  }

  static NewOrder order(AccountId account, Side side, std::int64_t price_fen, std::int64_t qty) {
    NewOrder o;
    o.account = account;
    o.member = MemberId(1);
    o.instrument = kIns;
    o.side = side;
    o.price_fen = PriceFen(price_fen);
    o.quantity_t = QuantityT(qty);
    o.client_order_id = make_client_order_id("c");
    return o;
  }

  // One trading day of `trades` crossing trades at random prices of the band; returns the close
  // of the core's DayStatsEvent and appends the listed trades the core made to `rows`.
  PriceFen trade_one_day(int day, int trades, std::mt19937_64& rng, std::vector<TradeRow>& rows) {
    const std::int64_t start = kFirstDayNs + day * kDayNs;
    std::int64_t ts = start;
    apply(++ts, SetPhase{true, InstrumentId(0), Phase::kContinuous});
    const Band band = core_->band(kIns);
    const std::int64_t ticks = (band.high_fen.value() - band.low_fen.value()) / 5;
    for (int i = 0; i < trades; ++i) {
      const std::int64_t price =
          band.low_fen.value() + 5 * static_cast<std::int64_t>(rng() % (ticks + 1));
      const std::int64_t qty = 1 + static_cast<std::int64_t>(rng() % 97);
      apply(++ts, order(kSeller, Side::kSell, price, qty));
      apply(++ts, order(kBuyer, Side::kBuy, price, qty));
      for (const Event& e : core_->events()) {
        if (const auto* t = std::get_if<TradeEvent>(&e.body)) {
          rows.push_back(TradeRow{
              Date{trading_date(TimestampNs(ts)).yyyymmdd}, kIns, TradeMode::kListed, t->quantity_t,
              AmountFen(t->price_fen.value() * t->quantity_t.value()),
              ParticipantType::kControlFirm, ParticipantType::kInstitution, rows.size() + 1});
        }
      }
    }
    apply(++ts, EndOfDay{});
    for (const Event& e : core_->events()) {
      if (const auto* s = std::get_if<DayStatsEvent>(&e.body)) return s->close_fen;
    }
    ADD_FAILURE() << "no DayStatsEvent at the end of day " << day;
    return PriceFen(0);
  }

  ExchangeConfig config_;
  InMemoryLedger ledger_;
  std::unique_ptr<Core> core_;
  std::uint64_t seq_ = 0;
};

TEST_F(ClosingPriceAgreement, ReportShowsTheCoresCloseEveryDayOnAFiveFenTick) {
  std::mt19937_64 rng(20261202);
  std::vector<TradeRow> rows;
  std::vector<PriceFen> core_closes;
  // Day volumes both below and above close_min_volume_t (100 t): 1 trade is at most 97 t.
  const int trades_per_day[] = {1, 3, 7, 1, 12, 2, 30, 5, 1, 9};
  for (int day = 0; day < 10; ++day)
    core_closes.push_back(trade_one_day(day, trades_per_day[day], rng, rows));

  MarketReportOptions options;
  options.close_min_volume_t = config_.limits.close_min_volume_t;
  const InstrumentInfo info{kIns, "GDEA2017", PriceFen(2000), PriceFen(5)};
  const Date last = rows.back().date;
  const MarketReport r = compute_market_report({info}, rows, last, options);
  ASSERT_EQ(r.history.size(), core_closes.size());
  int off_the_fen_rounding = 0;
  for (std::size_t i = 0; i < core_closes.size(); ++i) {
    EXPECT_EQ(r.history[i].close_fen, core_closes[i]) << "day " << i;
    EXPECT_EQ(core_closes[i].value() % 5, 0) << "day " << i;
  }
  // The case that made the two disagree: a VWAP whose fen rounding is not on the 5-fen grid.
  for (std::size_t i = 0; i < r.history.size(); ++i) {
    const QuantityT v = r.history[i].volume_t;
    if (v.value() == 0) continue;
    const std::int64_t fen = (2 * r.history[i].turnover_fen.value() + v.value()) / (2 * v.value());
    if (fen % 5 != 0) ++off_the_fen_rounding;
  }
  EXPECT_GT(off_the_fen_rounding, 0) << "the seed no longer exercises the tick rounding";
  EXPECT_EQ(r.instruments[0].close_fen, core_closes.back());
}

TEST(ClosingPrice, RuleAtTheEdges) {
  const ClosingRule rule{PriceFen(5), QuantityT(100)};
  // No trades, or not more than the minimum volume: the reference.
  EXPECT_EQ(closing_price_fen(AmountFen(0), QuantityT(0), PriceFen(2000), rule), PriceFen(2000));
  EXPECT_EQ(closing_price_fen(AmountFen(100 * 2100), QuantityT(100), PriceFen(2000), rule),
            PriceFen(2000));
  // 101 t for 212,100 fen: VWAP 2100 on the grid.
  EXPECT_EQ(closing_price_fen(AmountFen(101 * 2100), QuantityT(101), PriceFen(2000), rule),
            PriceFen(2100));
  // 2102.5 is half a tick: rounds up to 2105; 2102.4 rounds down to 2100.
  EXPECT_EQ(day_vwap_fen(AmountFen(21025), QuantityT(10), PriceFen(5)), PriceFen(2105));
  EXPECT_EQ(day_vwap_fen(AmountFen(21024), QuantityT(10), PriceFen(5)), PriceFen(2100));
  // Never below one tick.
  EXPECT_EQ(day_vwap_fen(AmountFen(1), QuantityT(10), PriceFen(5)), PriceFen(5));
}

}  // namespace
}  // namespace carbonx::tools
