#pragma once
// Small enums shared by the order book, the fee schedule, commands and events, and the civil-date
// helper used to date trades (fee waivers are dated; time enters only through commands).

#include <array>
#include <cstdint>
#include <string_view>

#include "carbonx/engine/units.hpp"

namespace carbonx {

enum class Side : std::uint8_t { kBuy = 1, kSell = 2 };
constexpr Side opposite(Side s) noexcept {
  return s == Side::kBuy ? Side::kSell : Side::kBuy;
}
std::string_view to_string(Side s) noexcept;

// Day rests until cancelled or end of day; IOC trades what it can and cancels the rest; FOK trades
// its whole quantity at once or nothing.
enum class TimeInForce : std::uint8_t { kDay = 1, kIoc = 2, kFok = 3 };
std::string_view to_string(TimeInForce t) noexcept;

// kLimit has a limit price. kClick (the "click", 点选) takes the best opposite price at entry and
// is IOC: it carries no price of its own (no sentinel price anywhere).
enum class OrderType : std::uint8_t { kLimit = 1, kClick = 2 };
std::string_view to_string(OrderType t) noexcept;

// Self-trade prevention when an incoming order meets a resting order of the same account.
enum class StpMode : std::uint8_t {
  kCancelIncoming = 1,  // default: the incoming order's remainder is cancelled
  kCancelResting = 2,   // the resting order is cancelled, matching continues
  kCancelBoth = 3,      // both are cancelled
};
std::string_view to_string(StpMode m) noexcept;

// Trading modes the fee schedule distinguishes. Only kListed is traded by the book; the off-book
// modes (agreement transfer, one-way bidding auction, repo legs) settle through the same fees.
enum class TradingMode : std::uint8_t {
  kListed = 0,
  kAgreement = 1,
  kAuction = 2,
  kRepoFirstLeg = 3,
  kRepoRepurchase = 4,
};
inline constexpr std::size_t kTradingModeCount = 5;
std::string_view to_string(TradingMode m) noexcept;

// Per-instrument trading phase, driven by SetPhase commands.
enum class Phase : std::uint8_t { kClosed = 1, kContinuous = 2, kHalted = 3 };
std::string_view to_string(Phase p) noexcept;

// A civil date as yyyymmdd (20170510). Plain integer so it sorts and hashes canonically.
struct Date {
  std::int32_t yyyymmdd = 0;
  friend constexpr auto operator<=>(const Date&, const Date&) = default;
};
// True for a real Gregorian date between 1900-01-01 and 2999-12-31.
bool is_valid_date(Date d) noexcept;
// The trading date of a timestamp: the civil date in China Standard Time (UTC+8, no DST).
Date trading_date(TimestampNs ts) noexcept;
// The trading date of a timestamp and the UTC instants [begin_ns, end_ns) its China day spans, so
// a caller applying commands one after another recomputes the date only when a timestamp leaves
// the span (the core does, once a day instead of once a command).
struct TradingDay {
  Date date{};
  std::int64_t begin_ns = 0;
  std::int64_t end_ns = 0;  // empty by default: contains() nothing
  bool contains(TimestampNs ts) const { return ts.value() >= begin_ns && ts.value() < end_ns; }
};
TradingDay trading_day(TimestampNs ts) noexcept;

}  // namespace carbonx
