#pragma once
// Civil dates and local time of day: the one implementation every part of carbonx uses for "which
// day is it" (the engine's trading date, the registry's compliance deadlines, the gateway's
// trading calendar and exchange clock, the tools' reports).
//
// A day is a day number: days since 1970-01-01 in the proleptic Gregorian calendar (negative
// before). A date in text form or in records is yyyymmdd. Local time is UTC shifted by a fixed
// offset in minutes; the exchange's trading day is China Standard Time (UTC+8, no daylight
// saving), kChinaStandardTimeMinutes, which is what every caller passes unless its configuration
// says otherwise. All arithmetic is in 64-bit integers with floor division, so instants before
// 1970 and negative offsets are exact too.
//
// Pure functions, thread-safe, no allocation, no clock.

#include <cstdint>

namespace carbonx::base {

inline constexpr std::int32_t kChinaStandardTimeMinutes = 8 * 60;
inline constexpr std::int64_t kNsPerSecond = 1'000'000'000;
inline constexpr std::int64_t kNsPerMinute = 60 * kNsPerSecond;
inline constexpr std::int64_t kNsPerDay = 24 * 60 * kNsPerMinute;

struct CivilDate {
  std::int32_t year = 1970;
  std::int32_t month = 1;  // 1..12
  std::int32_t day = 1;    // 1..31
  friend constexpr bool operator==(const CivilDate&, const CivilDate&) = default;
};

// a / b rounded towards negative infinity (b > 0).
constexpr std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  return a / b - ((a % b != 0) && (a < 0));
}

// Day number <-> civil date (Howard Hinnant's public-domain algorithms).
std::int64_t days_from_civil(CivilDate d) noexcept;
CivilDate civil_from_days(std::int64_t days) noexcept;

// True if `d` names a real date of the Gregorian calendar with min_year <= year <= max_year.
bool is_valid_civil(CivilDate d, std::int32_t min_year, std::int32_t max_year) noexcept;

// yyyymmdd <-> civil date (no validation: see is_valid_civil).
constexpr std::int32_t to_yyyymmdd(CivilDate d) {
  return d.year * 10000 + d.month * 100 + d.day;
}
constexpr CivilDate from_yyyymmdd(std::int32_t yyyymmdd) {
  return CivilDate{yyyymmdd / 10000, yyyymmdd / 100 % 100, yyyymmdd % 100};
}

// An instant seen on a clock `offset_minutes` ahead of UTC: its day number and the nanoseconds
// since that local midnight (0 <= ns_of_day < kNsPerDay).
struct LocalTime {
  std::int64_t day = 0;
  std::int64_t ns_of_day = 0;
};
LocalTime local_time(std::int64_t utc_ns, std::int32_t offset_minutes) noexcept;

// The UTC instant of local day `day` at `ns_of_day` after its midnight (the inverse of
// local_time). Local midnight of the next day is utc_ns_of(day + 1, 0, offset).
std::int64_t utc_ns_of(std::int64_t day, std::int64_t ns_of_day,
                       std::int32_t offset_minutes) noexcept;

// 0 = Sunday .. 6 = Saturday.
std::int32_t weekday_of(std::int64_t day) noexcept;

}  // namespace carbonx::base
