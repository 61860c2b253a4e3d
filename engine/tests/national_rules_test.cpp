// The national market's trading rules as configuration (engine/README.md "Market rules as
// configuration"), at their edges, through the Core, on the national configuration itself
// (tools/data/national/instruments.toml): listing size, price limits, hours, the take of a
// listing among the best five levels, the block agreement, next-day resale, the close.
#include <gtest/gtest.h>

#include <fstream>
#include <memory>
#include <sstream>

#include "carbonx/engine/core.hpp"
#include "carbonx/engine/core_records.hpp"
#include "carbonx/engine/in_memory_ledger.hpp"

namespace carbonx {
namespace {

constexpr AccountId kFee{9000};
constexpr AccountId kSeller{501};
constexpr AccountId kBuyer{502};
constexpr AccountId kThird{503};
constexpr MemberId kM1{1};
constexpr MemberId kM2{2};
constexpr std::int64_t kNsPerSecond = 1'000'000'000;

ExchangeConfig national() {
  std::ifstream in(CARBONX_NATIONAL_INSTRUMENTS);
  std::stringstream text;
  text << in.rdbuf();
  auto cfg = parse_exchange_config(text.str());
  EXPECT_TRUE(cfg.ok()) << (cfg.ok() ? "" : cfg.error().message);
  ExchangeConfig c = cfg.value();
  c.limits.max_orders_per_book = 1024;  // small books for the test
  c.limits.outbox_capacity = 4096;
  return c;
}

// China time (UTC+8) hh:mm:ss + ns on 2025-01-02 (day 0) or a later day.
TimestampNs cst(int day, int h, int m, int s = 0, std::int64_t ns = 0) {
  const std::int64_t days = 20'090 + day;  // 2025-01-02 is day 20,090 since 1970-01-01
  return TimestampNs((days * 86'400 + (h - 8) * 3'600 + m * 60 + s) * kNsPerSecond + ns);
}

class NationalRules : public ::testing::Test {
 protected:
  NationalRules() : cfg_(national()) {
    for (AccountId a : {kFee, kSeller, kBuyer, kThird})
      ledger_.open_account(a);
    for (AccountId a : {kSeller, kBuyer, kThird}) {
      EXPECT_TRUE(ledger_.deposit(a, kCashAsset, 100'000'000'000).ok());
      EXPECT_TRUE(ledger_.deposit(a, asset_of(cea_), 500'000).ok());
    }
    core_ = std::make_unique<Core>(cfg_, ledger_);
    set(cst(0, 9, 15), Phase::kContinuous);
  }
  void set(TimestampNs ts, Phase p) { apply(ts, SetPhase{true, InstrumentId(0), p}); }
  void apply(TimestampNs ts, CommandBody body) {
    core_->clear_events();
    core_->apply(Command{Seq(++seq_), ts, std::move(body)});
  }
  NewOrder order(AccountId a, Side side, std::int64_t price, std::int64_t qty,
                 OrderType type = OrderType::kLimit, TimeInForce tif = TimeInForce::kDay) {
    return NewOrder{a,
                    a == kSeller ? kM1 : kM2,
                    cea_,
                    side,
                    type,
                    tif,
                    PriceFen(price),
                    QuantityT(qty),
                    make_client_order_id("o")};
  }
  // The reject reason of the last command, or nullopt when it was not refused.
  std::optional<RejectReason> refused() const {
    for (const Event& e : core_->events()) {
      if (const auto* r = std::get_if<RejectEvent>(&e.body)) return r->reason;
    }
    return std::nullopt;
  }
  std::vector<TradeEvent> trades() const {
    std::vector<TradeEvent> out;
    for (const Event& e : core_->events()) {
      if (const auto* t = std::get_if<TradeEvent>(&e.body)) out.push_back(*t);
    }
    return out;
  }
  OffBookId reported() const {
    for (const Event& e : core_->events()) {
      if (const auto* a = std::get_if<AgreementEvent>(&e.body)) return a->report_id;
    }
    return OffBookId(0);
  }
  std::int64_t available(AccountId a) const { return ledger_.balance(a, asset_of(cea_)).available; }

  const InstrumentId cea_{5};  // CEA24
  ExchangeConfig cfg_;
  InMemoryLedger ledger_;
  std::unique_ptr<Core> core_;
  std::uint64_t seq_ = 0;
};

TEST_F(NationalRules, TheConfigurationSaysTheRulesOfTheNationalMarket) {
  const InstrumentConfig* c = core_->instrument(cea_);
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->code, "CEA24");
  EXPECT_EQ(c->max_order_t, QuantityT(99'999));
  EXPECT_EQ(c->band_bp, 1000u);
  EXPECT_EQ(c->agreement_min_t, QuantityT(100'000));
  EXPECT_EQ(c->agreement_band_bp, 3000u);
  EXPECT_EQ(c->listed_hours, (std::vector<HoursWindow>{{570, 690}, {780, 900}}));
  EXPECT_EQ(c->agreement_hours, (std::vector<HoursWindow>{{780, 900}}));
  EXPECT_EQ(c->take_levels, 5u);
  EXPECT_FALSE(c->same_day_resale);
  EXPECT_EQ(cfg_.limits.close_min_volume_t, QuantityT(0));
  // Old and relaunched CCERs are separate instruments.
  std::size_t ccers = 0;
  for (const InstrumentConfig& i : cfg_.instruments)
    ccers += i.product == ProductKind::kCcer;
  EXPECT_EQ(ccers, 4u);
}

TEST_F(NationalRules, AListingIsBelow100000TonnesAndABlockAgreementFrom100000) {
  const TimestampNs t = cst(0, 13, 30);
  apply(t, order(kSeller, Side::kSell, 9749, 99'999));
  EXPECT_EQ(refused(), std::nullopt);
  apply(t, order(kSeller, Side::kSell, 9749, 100'000));
  EXPECT_EQ(refused(), RejectReason::kQuantityAboveMaximum);
  apply(t, AgreementReport{kSeller, kM1, cea_, Side::kSell, kBuyer, PriceFen(9749),
                           QuantityT(99'999), make_client_order_id("a")});
  EXPECT_EQ(refused(), RejectReason::kQuantityBelowMinimum);
  apply(t, AgreementReport{kSeller, kM1, cea_, Side::kSell, kBuyer, PriceFen(9749),
                           QuantityT(100'000), make_client_order_id("a")});
  EXPECT_EQ(refused(), std::nullopt);
  EXPECT_NE(reported(), OffBookId(0));
}

TEST_F(NationalRules, ListedPricesWithin10PercentAndBlockPricesWithin30Percent) {
  const TimestampNs t = cst(0, 13, 30);
  // Reference 97.49: +-10% is [87.75, 107.23] on the tick (87.741 rounds up, 107.239 down).
  EXPECT_EQ(core_->band(cea_).low_fen, PriceFen(8775));
  EXPECT_EQ(core_->band(cea_).high_fen, PriceFen(10723));
  apply(t, order(kSeller, Side::kSell, 10723, 10));
  EXPECT_EQ(refused(), std::nullopt);
  apply(t, order(kSeller, Side::kSell, 10724, 10));
  EXPECT_EQ(refused(), RejectReason::kPriceOutsideBand);
  apply(t, order(kBuyer, Side::kBuy, 8775, 10));
  EXPECT_EQ(refused(), std::nullopt);
  apply(t, order(kBuyer, Side::kBuy, 8774, 10));
  EXPECT_EQ(refused(), RejectReason::kPriceOutsideBand);
  // +-30%: [68.25, 126.73] (68.243 up, 126.737 down).
  for (const auto& [price, ok] : {std::pair{12673, true}, std::pair{12674, false},
                                  std::pair{6825, true}, std::pair{6824, false}}) {
    apply(t, AgreementReport{kSeller, kM1, cea_, Side::kSell, kBuyer, PriceFen(price),
                             QuantityT(100'000), make_client_order_id("a")});
    EXPECT_EQ(refused(), ok ? std::nullopt : std::optional(RejectReason::kPriceOutsideBand))
        << price;
  }
}

TEST_F(NationalRules, ListedHoursAre0930To1130And1300To1500ToTheNanosecond) {
  struct Case {
    TimestampNs ts;
    bool ok;
  };
  const Case cases[] = {
      {cst(0, 9, 29, 59, 999'999'999), false},  {cst(0, 9, 30), true},
      {cst(0, 11, 29, 59, 999'999'999), true},  {cst(0, 11, 30), false},
      {cst(0, 12, 59, 59, 999'999'999), false}, {cst(0, 13, 0), true},
      {cst(0, 14, 59, 59, 999'999'999), true},  {cst(0, 15, 0), false},
  };
  for (const Case& c : cases) {
    apply(c.ts, order(kSeller, Side::kSell, 9800, 10));
    EXPECT_EQ(refused(), c.ok ? std::nullopt : std::optional(RejectReason::kOutsideTradingHours))
        << c.ts.value();
  }
  // A replace outside the hours is refused too; a cancel is always allowed.
  apply(cst(0, 13, 0), order(kThird, Side::kSell, 9900, 10));
  const OrderId id = std::get<AckEvent>(core_->events().front().body).order_id;
  apply(cst(0, 15, 0),
        Replace{kThird, kM2, cea_, id, PriceFen(9901), QuantityT(10), make_client_order_id("r")});
  EXPECT_EQ(refused(), RejectReason::kOutsideTradingHours);
  apply(cst(0, 15, 0), Cancel{kThird, kM2, cea_, id, make_client_order_id("c")});
  EXPECT_EQ(refused(), std::nullopt);
}

TEST_F(NationalRules, BlockAgreementsOnlyFrom1300To1500) {
  const auto report = [&](TimestampNs ts) {
    apply(ts, AgreementReport{kSeller, kM1, cea_, Side::kSell, kBuyer, PriceFen(9749),
                              QuantityT(100'000), make_client_order_id("a")});
  };
  report(cst(0, 10, 0));  // listed hours, not block hours
  EXPECT_EQ(refused(), RejectReason::kOutsideTradingHours);
  report(cst(0, 12, 59, 59, 999'999'999));
  EXPECT_EQ(refused(), RejectReason::kOutsideTradingHours);
  report(cst(0, 15, 0));
  EXPECT_EQ(refused(), RejectReason::kOutsideTradingHours);
  report(cst(0, 13, 0));
  EXPECT_EQ(refused(), std::nullopt);
  const OffBookId id = reported();
  // Accepted at 15:00:00 exactly: refused; a nanosecond before: settled.
  apply(cst(0, 15, 0), AgreementAccept{kBuyer, kM2, id, make_client_order_id("b")});
  EXPECT_EQ(refused(), RejectReason::kOutsideTradingHours);
  apply(cst(0, 14, 59, 59, 999'999'999),
        AgreementAccept{kBuyer, kM2, id, make_client_order_id("b")});
  EXPECT_EQ(refused(), std::nullopt);
  EXPECT_EQ(available(kBuyer), 500'000);  // bought today: locked, not available
}

TEST_F(NationalRules, AClickNamingOneOfTheBestFiveLevelsTradesThereOnlyAtThatPrice) {
  const TimestampNs t = cst(0, 10, 0);
  // Six ask levels 98.00 .. 98.05, two listings at 98.02.
  for (int i = 0; i < 6; ++i)
    apply(t, order(kSeller, Side::kSell, 9800 + i, 100));
  apply(t, order(kThird, Side::kSell, 9802, 100));
  // The buyer takes 150 t at the third level: the two listings there in time order, at 98.02,
  // nothing at the better levels.
  apply(t, order(kBuyer, Side::kBuy, 9802, 150, OrderType::kClick, TimeInForce::kIoc));
  ASSERT_EQ(refused(), std::nullopt);
  const auto tr = trades();
  ASSERT_EQ(tr.size(), 2u);
  EXPECT_EQ(tr[0].price_fen, PriceFen(9802));
  EXPECT_EQ(tr[0].quantity_t, QuantityT(100));
  EXPECT_EQ(tr[1].price_fen, PriceFen(9802));
  EXPECT_EQ(tr[1].quantity_t, QuantityT(50));
  EXPECT_EQ(core_->book(cea_).level_quantity(Side::kSell, PriceFen(9800)), QuantityT(100));
  EXPECT_EQ(core_->book(cea_).level_quantity(Side::kSell, PriceFen(9802)), QuantityT(50));
  // Levels now: 98.00, .01, .02, .03, .04 (5th), .05 (6th).
  apply(t, order(kBuyer, Side::kBuy, 9804, 10, OrderType::kClick, TimeInForce::kIoc));
  EXPECT_EQ(refused(), std::nullopt);
  apply(t, order(kBuyer, Side::kBuy, 9805, 10, OrderType::kClick, TimeInForce::kIoc));
  EXPECT_EQ(refused(), RejectReason::kNotAmongBestLevels);
  apply(t, order(kBuyer, Side::kBuy, 9810, 10, OrderType::kClick, TimeInForce::kIoc));
  EXPECT_EQ(refused(), RejectReason::kNotAmongBestLevels);  // nothing rests there
  // More than the level holds: the rest is not rested (IOC), nothing at other levels.
  apply(t, order(kBuyer, Side::kBuy, 9801, 500, OrderType::kClick, TimeInForce::kIoc));
  EXPECT_EQ(trades().size(), 1u);
  EXPECT_EQ(core_->book(cea_).level_quantity(Side::kSell, PriceFen(9801)), QuantityT(0));
  EXPECT_EQ(core_->book(cea_).level_quantity(Side::kBuy, PriceFen(9801)), QuantityT(0));
  // The click without a price still takes the best level.
  apply(t, order(kBuyer, Side::kBuy, 0, 10, OrderType::kClick, TimeInForce::kIoc));
  ASSERT_EQ(trades().size(), 1u);
  EXPECT_EQ(trades()[0].price_fen, PriceFen(9800));
}

TEST_F(NationalRules, UnitsBoughtTodayAreSellableFromTheNextTradingDay) {
  const TimestampNs t = cst(0, 10, 0);
  apply(t, order(kSeller, Side::kSell, 9749, 1'000));
  apply(t, order(kBuyer, Side::kBuy, 9749, 1'000));
  ASSERT_EQ(trades().size(), 1u);
  EXPECT_EQ(available(kBuyer), 500'000);  // the 1,000 t bought are locked
  EXPECT_EQ(ledger_.balance(kBuyer, asset_of(cea_)).frozen, 1'000);
  ASSERT_EQ(core_->resale_locks().size(), 1u);
  // Its own 500,000 t are sellable; a tonne more needs today's purchase: refused, by name.
  apply(t, order(kBuyer, Side::kSell, 9800, 99'999));
  EXPECT_EQ(refused(), std::nullopt);
  EXPECT_EQ(available(kBuyer), 400'001);
  const auto block = [&](std::int64_t q) {
    apply(cst(0, 13, 0), AgreementReport{kBuyer, kM2, cea_, Side::kSell, kThird, PriceFen(9749),
                                         QuantityT(q), make_client_order_id("a")});
  };
  block(401'001);
  EXPECT_EQ(refused(), RejectReason::kBoughtToday);
  block(401'002);  // more than it holds, today's purchase included
  EXPECT_EQ(refused(), RejectReason::kInsufficientFunds);
  for (int i = 0; i < 4; ++i) {
    apply(cst(0, 13, 2), order(kBuyer, Side::kSell, 9800, 99'999));
    EXPECT_EQ(refused(), std::nullopt);
  }
  EXPECT_EQ(available(kBuyer), 5);
  apply(cst(0, 13, 2), order(kBuyer, Side::kSell, 9800, 6));
  EXPECT_EQ(refused(), RejectReason::kBoughtToday);
  apply(cst(0, 13, 2), order(kBuyer, Side::kSell, 9800, 1'006));
  EXPECT_EQ(refused(), RejectReason::kInsufficientFunds);
  // The lock survives a save and restore of the core's state (records and hash).
  const CoreStateRecord saved = core_->save_state();
  const auto bytes = encode_core_state(saved);
  auto back = decode_core_state(bytes);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back.value(), saved);
  EXPECT_EQ(back.value().resale_locks.size(), 1u);
  // The next trading day: the end of day released the lock; the units are sellable.
  apply(cst(0, 15, 30), EndOfDay{});
  EXPECT_TRUE(core_->resale_locks().empty());
  EXPECT_EQ(ledger_.balance(kBuyer, asset_of(cea_)).frozen, 0);
  set(cst(1, 9, 15), Phase::kContinuous);
  EXPECT_EQ(available(kBuyer), 501'000);  // its day orders expired too
  apply(cst(1, 9, 30), order(kBuyer, Side::kSell, 9800, 99'999));
  EXPECT_EQ(refused(), std::nullopt);
}

TEST_F(NationalRules, TheCloseIsTheVwapOfAnyListedVolumeElseThePreviousClose) {
  const TimestampNs t = cst(0, 10, 0);
  apply(t, order(kSeller, Side::kSell, 9800, 1));
  apply(t, order(kBuyer, Side::kBuy, 9800, 1));
  apply(t, order(kSeller, Side::kSell, 9900, 3));
  apply(t, order(kBuyer, Side::kBuy, 9900, 3));
  // A block agreement does not count.
  apply(cst(0, 13, 0), AgreementReport{kSeller, kM1, cea_, Side::kSell, kBuyer, PriceFen(12000),
                                       QuantityT(100'000), make_client_order_id("a")});
  apply(cst(0, 13, 1), AgreementAccept{kBuyer, kM2, reported(), make_client_order_id("b")});
  ASSERT_EQ(refused(), std::nullopt);
  apply(cst(0, 15, 30), EndOfDay{});
  bool seen = false;
  for (const Event& e : core_->events()) {
    const auto* d = std::get_if<DayStatsEvent>(&e.body);
    if (d == nullptr || d->instrument != cea_) continue;
    seen = true;
    EXPECT_EQ(d->stats.open_fen, PriceFen(9800));  // the first trade
    EXPECT_EQ(d->close_fen, PriceFen(9875));       // (98 + 3 x 99) / 4 t, 4 t > 0
  }
  EXPECT_TRUE(seen);
  EXPECT_EQ(core_->reference_price(cea_), PriceFen(9875));
  // A day without listed trades keeps the previous close.
  set(cst(1, 9, 15), Phase::kContinuous);
  apply(cst(1, 15, 30), EndOfDay{});
  EXPECT_EQ(core_->reference_price(cea_), PriceFen(9875));
}

}  // namespace
}  // namespace carbonx
