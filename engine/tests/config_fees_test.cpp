#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>

#include "carbonx/engine/fees.hpp"
#include "carbonx/engine/instrument.hpp"

namespace carbonx {
namespace {

const char* const kConfig = R"(
[exchange]
fee_account = 9000
max_orders_per_book = 5000

[[fee_schedule]]
name = "standard"
rates = [
  { mode = "listed", side = "both", rate_ppm = 500, min_fen = 100 },
  { mode = "repo_repurchase", side = "both", rate_ppm = 500 },
]
waivers = [ { id = 7, mode = "repo_repurchase", sides = "both", effective_from = 2017-05-10 } ]

[[instrument]]
id = 2
code = "CCER"
product = "ccer"
project_id = "CCER-001"
region = "Guangdong"
project_type = "wind"
crediting_start = 2014-01-01
crediting_end = 2020-12-31
tick_fen = 1
lot_t = 1
min_order_t = 1
max_order_t = 100000
reference_price_fen = 1200
fee_schedule = "standard"
stp = "cancel_both"

[[instrument]]
id = 1
code = "GDEA2017"
product = "allowance"
vintage = 2017
tick_fen = 1
lot_t = 10
min_order_t = 10
max_order_t = 100000
reference_price_fen = 1500
band_bp = 500
fee_schedule = "standard"
)";

TEST(Config, ParsesInstrumentsInIdOrder) {
  auto cfg = parse_exchange_config(kConfig);
  ASSERT_TRUE(cfg.ok()) << cfg.error().message;
  const ExchangeConfig& c = cfg.value();
  EXPECT_EQ(c.fee_account, AccountId(9000));
  EXPECT_EQ(c.limits.max_orders_per_book, 5000u);
  ASSERT_EQ(c.instruments.size(), 2u);
  const InstrumentConfig& gdea = c.instruments[0];
  EXPECT_EQ(gdea.code, "GDEA2017");
  EXPECT_EQ(gdea.product, ProductKind::kAllowance);
  EXPECT_EQ(gdea.vintage, 2017);
  EXPECT_EQ(gdea.lot_t, QuantityT(10));
  EXPECT_EQ(gdea.band_bp, 500u);
  EXPECT_EQ(gdea.stp, StpMode::kCancelIncoming);
  const InstrumentConfig& ccer = c.instruments[1];
  EXPECT_EQ(ccer.product, ProductKind::kCcer);
  EXPECT_EQ(ccer.project.region, "Guangdong");
  EXPECT_EQ(ccer.project.crediting_end, Date{20201231});
  EXPECT_EQ(ccer.band_bp, 1000u);
  EXPECT_EQ(ccer.stp, StpMode::kCancelBoth);
  EXPECT_EQ(ccer.fees.rate(TradingMode::kListed, Side::kSell).rate_ppm, 500u);
  EXPECT_EQ(ccer.fees.rate(TradingMode::kListed, Side::kSell).min_fen, AmountFen(100));
  EXPECT_EQ(ccer.fees.waiver_count(), 1u);
}

std::string replaced(std::string text, const std::string& from, const std::string& to) {
  const auto pos = text.find(from);
  EXPECT_NE(pos, std::string::npos) << from;
  text.replace(pos, from.size(), to);
  return text;
}

void expect_error(const std::string& text, const std::string& expected) {
  auto cfg = parse_exchange_config(text);
  ASSERT_FALSE(cfg.ok()) << expected;
  EXPECT_EQ(cfg.error().message, expected);
}

TEST(Config, ErrorsNameTheInstrumentAndField) {
  const std::string base = kConfig;
  expect_error(replaced(base, "tick_fen = 1\nlot_t = 10", "tick_fen = 0\nlot_t = 10"),
               "instrument GDEA2017: tick_fen: must be > 0");
  expect_error(replaced(base, "min_order_t = 10", "min_order_t = 15"),
               "instrument GDEA2017: min_order_t: must be a positive multiple of lot_t");
  expect_error(replaced(base, "reference_price_fen = 1500", "reference_price_fen = -3"),
               "instrument GDEA2017: reference_price_fen: must be > 0 and on the tick");
  expect_error(replaced(base, "vintage = 2017", "vintage = 17"),
               "instrument GDEA2017: vintage: 2000..2100 needed");
  expect_error(replaced(base, "region = \"Guangdong\"", ""),
               "instrument CCER: region: required for offsets");
  expect_error(replaced(base, "crediting_end = 2020-12-31", "crediting_end = 2010-12-31"),
               "instrument CCER: crediting_end: before crediting_start");
  expect_error(replaced(base, "band_bp = 500", "band_bp = 10000"),
               "instrument GDEA2017: band_bp: must be 1..9999");
  expect_error(replaced(base, "product = \"ccer\"", "product = \"bond\""),
               "instrument CCER: product: allowance|ccer|phcer");
  expect_error(replaced(base, "id = 1\n", "id = 2\n"), "instrument GDEA2017: id: duplicate");
  expect_error(replaced(base, "id = 1\n", "id = 0\n"),
               "instrument GDEA2017: id: missing or not 1..65535");
  expect_error(replaced(base, "fee_schedule = \"standard\"\nstp", "fee_schedule = \"x\"\nstp"),
               "instrument CCER: fee_schedule: no schedule named x");
  expect_error(replaced(base, "stp = \"cancel_both\"", "stp = \"maybe\""),
               "instrument CCER: stp: cancel_incoming|cancel_resting|cancel_both");
  expect_error(replaced(base, "fee_account = 9000", ""),
               "exchange: fee_account: missing or not an account id");
  expect_error(replaced(base, "rate_ppm = 500, min_fen = 100", "rate_ppm = 2000000"),
               "fee_schedule standard: rate_ppm: 0..1000000 needed");
  expect_error(replaced(base, "effective_from = 2017-05-10", "effective_from = 5"),
               "fee_schedule standard: effective_from: must be a TOML date (2017-05-10)");
  expect_error(replaced(base, "max_orders_per_book = 5000", "max_orders_per_book = 0"),
               "exchange: max_orders_per_book: 1..100000000");
  auto bad = parse_exchange_config("[exchange\n");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message.rfind("toml: line 1", 0), 0u) << bad.error().message;
}

TEST(Band, RoundsInwardToTheTick) {
  const Band b = band_around(PriceFen(1500), 1000, PriceFen(1));
  EXPECT_EQ(b.low_fen, PriceFen(1350));
  EXPECT_EQ(b.high_fen, PriceFen(1650));
  const Band c = band_around(PriceFen(1505), 1000, PriceFen(5));
  EXPECT_EQ(c.low_fen, PriceFen(1355));   // 1354.5 -> ceil 1355
  EXPECT_EQ(c.high_fen, PriceFen(1655));  // 1655.5 -> floor to tick 1655
  const Band tiny = band_around(PriceFen(1), 1000, PriceFen(1));
  EXPECT_EQ(tiny.low_fen, PriceFen(1));
}

TEST(Fees, RoundHalfUpThenMinimum) {
  const FeeRate r{500, AmountFen(0)};  // 0.05%
  EXPECT_EQ(FeeSchedule::fee_on(r, AmountFen(0)), AmountFen(0));
  EXPECT_EQ(FeeSchedule::fee_on(r, AmountFen(999)), AmountFen(0));   // 0.4995 -> 0
  EXPECT_EQ(FeeSchedule::fee_on(r, AmountFen(1000)), AmountFen(1));  // 0.5 -> 1
  EXPECT_EQ(FeeSchedule::fee_on(r, AmountFen(2999)), AmountFen(1));  // 1.4995 -> 1
  EXPECT_EQ(FeeSchedule::fee_on(r, AmountFen(3000)), AmountFen(2));  // 1.5 -> 2
  const FeeRate m{500, AmountFen(100)};
  EXPECT_EQ(FeeSchedule::fee_on(m, AmountFen(10)), AmountFen(100));
  EXPECT_EQ(FeeSchedule::fee_on(m, AmountFen(1'000'000)), AmountFen(500));
}

// F(x) takes a 64-bit path below 9 x 10^12 fen and a 128-bit one above: both give the rule's
// exact value, on each side of the boundary and far above it.
TEST(Fees, RoundingIsExactOnBothArithmeticPaths) {
  const auto exact = [](std::int64_t x, std::uint32_t ppm, std::int64_t min) {
    if (x == 0) return std::int64_t{0};
    const auto f =
        static_cast<std::int64_t>((static_cast<__int128>(x) * ppm + 500'000) / 1'000'000);
    return std::max(f, min);
  };
  std::mt19937_64 rng(143);
  constexpr std::int64_t kBoundary = 9'000'000'000'000;
  for (int i = 0; i < 100'000; ++i) {
    const auto ppm = static_cast<std::uint32_t>(i % 10 == 0 ? 1'000'000 : rng() % 1'000'001);
    const FeeRate r{ppm, AmountFen(static_cast<std::int64_t>(rng() % 3 == 0 ? rng() % 1000 : 0))};
    std::int64_t x = 0;
    switch (i % 4) {
      case 0:
        x = static_cast<std::int64_t>(rng() % 10'000'000);
        break;
      case 1:
        x = kBoundary - 3 + static_cast<std::int64_t>(rng() % 6);
        break;
      case 2:
        x = static_cast<std::int64_t>(rng() % (std::uint64_t{1} << 62));
        break;
      default:
        x = static_cast<std::int64_t>(rng() % (2 * kBoundary));
        break;
    }
    ASSERT_EQ(FeeSchedule::fee_on(r, AmountFen(x)).value(), exact(x, ppm, r.min_fen.value()))
        << x << " " << ppm;
  }
}

TEST(Fees, CumulativeChargingAppliesRoundingAndMinimumOncePerOrderSide) {
  FeeSchedule fs;
  fs.set_rate(TradingMode::kListed, Side::kBuy, FeeRate{500, AmountFen(100)});
  const FeeQuery q{TradingMode::kListed, Side::kBuy, Date{20240102}, Date{}};
  // Three fills of 100,000 fen: F(300,000) = 150 in total, the minimum 100 charged once.
  const FeeCharge a = fs.charge(q, AmountFen(0), AmountFen(100'000));
  const FeeCharge b = fs.charge(q, AmountFen(100'000), AmountFen(100'000));
  const FeeCharge c = fs.charge(q, AmountFen(200'000), AmountFen(100'000));
  EXPECT_EQ(a.fee_fen, AmountFen(100));
  EXPECT_EQ(b.fee_fen, AmountFen(0));
  EXPECT_EQ(c.fee_fen, AmountFen(50));
  EXPECT_EQ(fs.max_fee(TradingMode::kListed, Side::kBuy, AmountFen(0), AmountFen(300'000)),
            AmountFen(150));
  // A fill's fee never exceeds its notional.
  EXPECT_EQ(fs.charge(q, AmountFen(0), AmountFen(40)).fee_fen, AmountFen(40));
}

TEST(Fees, WaiverZeroesTheRepurchaseLegAndReportsTheRule) {
  FeeSchedule fs;
  fs.set_rate(TradingMode::kRepoRepurchase, Side::kBuy, FeeRate{500, AmountFen(0)});
  fs.set_rate(TradingMode::kRepoRepurchase, Side::kSell, FeeRate{500, AmountFen(0)});
  fs.set_rate(TradingMode::kRepoFirstLeg, Side::kSell, FeeRate{500, AmountFen(0)});
  ASSERT_TRUE(fs.add_waiver(
      FeeWaiver{7, TradingMode::kRepoRepurchase, SideSet::kBoth, Date{20170510}, Date{}, Date{}}));
  EXPECT_FALSE(fs.add_waiver(
      FeeWaiver{7, TradingMode::kListed, SideSet::kBoth, Date{}, Date{}, Date{}}));  // duplicate id
  // Filed before the policy date, repurchased after it: waived for both sides.
  for (Side s : {Side::kBuy, Side::kSell}) {
    const FeeCharge c =
        fs.charge(FeeQuery{TradingMode::kRepoRepurchase, s, Date{20170601}, Date{20161201}},
                  AmountFen(0), AmountFen(1'000'000));
    EXPECT_EQ(c.fee_fen, AmountFen(0));
    EXPECT_EQ(c.waived_fen, AmountFen(500));
    EXPECT_EQ(c.waiver_rule_id, 7u);
  }
  // Before the policy date: charged. The first leg: charged.
  EXPECT_EQ(fs.charge(FeeQuery{TradingMode::kRepoRepurchase, Side::kBuy, Date{20170509}, Date{}},
                      AmountFen(0), AmountFen(1'000'000))
                .fee_fen,
            AmountFen(500));
  const FeeCharge first =
      fs.charge(FeeQuery{TradingMode::kRepoFirstLeg, Side::kSell, Date{20170601}, Date{}},
                AmountFen(0), AmountFen(1'000'000));
  EXPECT_EQ(first.fee_fen, AmountFen(500));
  EXPECT_EQ(first.waiver_rule_id, 0u);
}

TEST(Fees, WaiverFilingWindow) {
  FeeSchedule fs;
  fs.set_rate(TradingMode::kRepoRepurchase, Side::kBuy, FeeRate{1000, AmountFen(0)});
  ASSERT_TRUE(fs.add_waiver(FeeWaiver{3, TradingMode::kRepoRepurchase, SideSet::kBuy,
                                      Date{20170510}, Date{20160101}, Date{20170510}}));
  const auto q = [](Date filed) {
    return FeeQuery{TradingMode::kRepoRepurchase, Side::kBuy, Date{20170701}, filed};
  };
  EXPECT_EQ(fs.find_waiver(q(Date{20170101}))->rule_id, 3u);
  EXPECT_EQ(fs.find_waiver(q(Date{20170510})), nullptr);  // filed_before is exclusive
  EXPECT_EQ(fs.find_waiver(q(Date{20151231})), nullptr);
}

TEST(Dates, TradingDateIsChinaCivilDate) {
  // 2017-05-09T16:00:00Z = 2017-05-10 00:00 in Beijing.
  EXPECT_EQ(trading_date(TimestampNs(1'494'345'600LL * 1'000'000'000)), Date{20170510});
  EXPECT_EQ(trading_date(TimestampNs(1'494'345'599LL * 1'000'000'000)), Date{20170509});
  EXPECT_TRUE(is_valid_date(Date{20240229}));
  EXPECT_FALSE(is_valid_date(Date{20230229}));
  EXPECT_FALSE(is_valid_date(Date{20231301}));
}

// The span the core caches its trading date over: exactly the instants with that date.
TEST(Dates, TradingDaySpansExactlyItsDate) {
  std::mt19937_64 rng(20170510);
  for (int i = 0; i < 10'000; ++i) {
    // 1900 .. 2100, negative instants included.
    const TimestampNs ts(static_cast<std::int64_t>(rng() % (200ULL * 366 * 86'400'000'000'000)) -
                         70LL * 366 * 86'400'000'000'000);
    const TradingDay d = trading_day(ts);
    ASSERT_EQ(d.date, trading_date(ts));
    ASSERT_TRUE(d.contains(ts));
    ASSERT_EQ(d.end_ns - d.begin_ns, 86'400'000'000'000);
    ASSERT_EQ(trading_date(TimestampNs(d.begin_ns)), d.date);
    ASSERT_EQ(trading_date(TimestampNs(d.end_ns - 1)), d.date);
    ASSERT_NE(trading_date(TimestampNs(d.begin_ns - 1)), d.date);
    ASSERT_NE(trading_date(TimestampNs(d.end_ns)), d.date);
  }
  EXPECT_FALSE(TradingDay{}.contains(TimestampNs(0)));  // the empty default span
}

}  // namespace
}  // namespace carbonx
