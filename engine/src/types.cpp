#include "carbonx/engine/types.hpp"

namespace carbonx {

std::string_view to_string(Side s) noexcept {
  switch (s) {
    case Side::kBuy:
      return "buy";
    case Side::kSell:
      return "sell";
  }
  return "unknown side";
}

std::string_view to_string(TimeInForce t) noexcept {
  switch (t) {
    case TimeInForce::kDay:
      return "day";
    case TimeInForce::kIoc:
      return "ioc";
    case TimeInForce::kFok:
      return "fok";
  }
  return "unknown time in force";
}

std::string_view to_string(OrderType t) noexcept {
  switch (t) {
    case OrderType::kLimit:
      return "limit";
    case OrderType::kClick:
      return "click";
  }
  return "unknown order type";
}

std::string_view to_string(StpMode m) noexcept {
  switch (m) {
    case StpMode::kCancelIncoming:
      return "cancel incoming";
    case StpMode::kCancelResting:
      return "cancel resting";
    case StpMode::kCancelBoth:
      return "cancel both";
  }
  return "unknown self-trade mode";
}

std::string_view to_string(TradingMode m) noexcept {
  switch (m) {
    case TradingMode::kListed:
      return "listed";
    case TradingMode::kAgreement:
      return "agreement";
    case TradingMode::kAuction:
      return "auction";
    case TradingMode::kRepoFirstLeg:
      return "repo_first_leg";
    case TradingMode::kRepoRepurchase:
      return "repo_repurchase";
  }
  return "unknown trading mode";
}

std::string_view to_string(Phase p) noexcept {
  switch (p) {
    case Phase::kClosed:
      return "closed";
    case Phase::kContinuous:
      return "continuous";
    case Phase::kHalted:
      return "halted";
  }
  return "unknown phase";
}

namespace {

// Days since 1970-01-01 -> civil date (Howard Hinnant's public-domain algorithm).
Date civil_from_days(std::int64_t z) noexcept {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const std::int64_t doe = z - era * 146097;
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const std::int64_t mp = (5 * doy + 2) / 153;
  const std::int64_t d = doy - (153 * mp + 2) / 5 + 1;
  const std::int64_t m = mp < 10 ? mp + 3 : mp - 9;
  const std::int64_t y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  return Date{static_cast<std::int32_t>(y * 10000 + m * 100 + d)};
}

bool is_leap(std::int32_t y) noexcept {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

}  // namespace

bool is_valid_date(Date d) noexcept {
  const std::int32_t y = d.yyyymmdd / 10000;
  const std::int32_t m = d.yyyymmdd / 100 % 100;
  const std::int32_t day = d.yyyymmdd % 100;
  if (y < 1900 || y > 2999 || m < 1 || m > 12 || day < 1) return false;
  static constexpr std::array<std::int32_t, 12> kDays = {31, 28, 31, 30, 31, 30,
                                                         31, 31, 30, 31, 30, 31};
  const std::int32_t max_day = kDays[static_cast<std::size_t>(m - 1)] + (m == 2 && is_leap(y));
  return day <= max_day;
}

Date trading_date(TimestampNs ts) noexcept {
  constexpr std::int64_t kNsPerSecond = 1'000'000'000;
  constexpr std::int64_t kChinaOffsetSeconds = 8 * 3600;
  std::int64_t seconds = ts.value() / kNsPerSecond;
  if (ts.value() % kNsPerSecond < 0) --seconds;
  seconds += kChinaOffsetSeconds;
  std::int64_t days = seconds / 86400;
  if (seconds % 86400 < 0) --days;
  return civil_from_days(days);
}

}  // namespace carbonx
