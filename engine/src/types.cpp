#include "carbonx/engine/types.hpp"

#include "carbonx/base/civil_time.hpp"

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

bool is_valid_date(Date d) noexcept {
  return base::is_valid_civil(base::from_yyyymmdd(d.yyyymmdd), 1900, 2999);
}

Date trading_date(TimestampNs ts) noexcept {
  const base::LocalTime t = base::local_time(ts.value(), base::kChinaStandardTimeMinutes);
  return Date{base::to_yyyymmdd(base::civil_from_days(t.day))};
}

TradingDay trading_day(TimestampNs ts) noexcept {
  constexpr std::int32_t kCst = base::kChinaStandardTimeMinutes;
  const base::LocalTime t = base::local_time(ts.value(), kCst);
  return TradingDay{Date{base::to_yyyymmdd(base::civil_from_days(t.day))},
                    base::utc_ns_of(t.day, 0, kCst), base::utc_ns_of(t.day + 1, 0, kCst)};
}

}  // namespace carbonx
