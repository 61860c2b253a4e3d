// Civil dates and local time (civil_time.hpp).
#include "carbonx/base/civil_time.hpp"

#include <limits>

namespace carbonx::base {

std::int64_t days_from_civil(CivilDate c) noexcept {
  const std::int64_t y = c.year - (c.month <= 2 ? 1 : 0);
  const std::int64_t era = floor_div(y, 400);
  const std::int64_t yoe = y - era * 400;
  const std::int64_t mp = c.month > 2 ? c.month - 3 : c.month + 9;
  const std::int64_t doy = (153 * mp + 2) / 5 + c.day - 1;
  const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

CivilDate civil_from_days(std::int64_t z) noexcept {
  z += 719468;
  const std::int64_t era = floor_div(z, 146097);
  const std::int64_t doe = z - era * 146097;
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const std::int64_t mp = (5 * doy + 2) / 153;
  const std::int64_t d = doy - (153 * mp + 2) / 5 + 1;
  const std::int64_t m = mp < 10 ? mp + 3 : mp - 9;
  const std::int64_t y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  return CivilDate{static_cast<std::int32_t>(y), static_cast<std::int32_t>(m),
                   static_cast<std::int32_t>(d)};
}

bool is_valid_civil(CivilDate d, std::int32_t min_year, std::int32_t max_year) noexcept {
  if (d.year < min_year || d.year > max_year || d.month < 1 || d.month > 12 || d.day < 1) {
    return false;
  }
  // A date is real when it survives the round trip through its day number.
  return civil_from_days(days_from_civil(d)) == d;
}

LocalTime local_time(std::int64_t utc_ns, std::int32_t offset_minutes) noexcept {
  // In 128 bits, so any int64 timestamp (a damaged record's near either end included) gives its
  // day without signed overflow: utc_ns + the offset, and day x kNsPerDay, may not fit in 64
  // (found by journal_apply_fuzz: an engine command stamped near INT64_MIN).
  const __int128 local = static_cast<__int128>(utc_ns) + __int128{offset_minutes} * kNsPerMinute;
  __int128 day = local / kNsPerDay;
  __int128 ns = local % kNsPerDay;
  if (ns < 0) {
    ns += kNsPerDay;
    --day;
  }
  return LocalTime{static_cast<std::int64_t>(day), static_cast<std::int64_t>(ns)};
}

std::int64_t utc_ns_of(std::int64_t day, std::int64_t ns_of_day,
                       std::int32_t offset_minutes) noexcept {
  // In 128 bits, clamped to int64: the local midnights of the days holding the first and last
  // int64 instants lie outside int64 (found by journal_apply_fuzz, as in local_time).
  const __int128 ns =
      static_cast<__int128>(day) * kNsPerDay + ns_of_day - __int128{offset_minutes} * kNsPerMinute;
  constexpr __int128 kLow = std::numeric_limits<std::int64_t>::min();
  constexpr __int128 kHigh = std::numeric_limits<std::int64_t>::max();
  return static_cast<std::int64_t>(ns < kLow ? kLow : ns > kHigh ? kHigh : ns);
}

std::int32_t weekday_of(std::int64_t day) noexcept {
  const std::int64_t shifted = day + 4;  // 1970-01-01 (day 0) was a Thursday
  return static_cast<std::int32_t>(shifted - 7 * floor_div(shifted, 7));
}

}  // namespace carbonx::base
