// Civil dates and local time: known dates, the round trip over every day of 1600..2600, instants
// around local midnight in China Standard Time and at negative offsets.
#include <gtest/gtest.h>

#include <limits>

#include "carbonx/base/civil_time.hpp"

namespace carbonx::base {
namespace {

TEST(CivilTime, KnownDays) {
  EXPECT_EQ(days_from_civil({1970, 1, 1}), 0);
  EXPECT_EQ(days_from_civil({1969, 12, 31}), -1);
  EXPECT_EQ(days_from_civil({2000, 3, 1}), 11017);
  EXPECT_EQ(civil_from_days(19'786), (CivilDate{2024, 3, 4}));
  EXPECT_EQ(civil_from_days(-719'468), (CivilDate{0, 3, 1}));
  EXPECT_EQ(weekday_of(0), 4);                                // Thursday
  EXPECT_EQ(weekday_of(days_from_civil({2026, 12, 2})), 3);   // Wednesday
  EXPECT_EQ(weekday_of(days_from_civil({1969, 12, 28})), 0);  // Sunday, before the epoch
}

TEST(CivilTime, EveryDayRoundTripsAndDaysAreConsecutive) {
  std::int64_t day = days_from_civil({1600, 1, 1});
  const std::int64_t last = days_from_civil({2600, 12, 31});
  CivilDate prev = civil_from_days(day - 1);
  for (; day <= last; ++day) {
    const CivilDate c = civil_from_days(day);
    ASSERT_EQ(days_from_civil(c), day);
    ASSERT_TRUE(is_valid_civil(c, 1600, 2600));
    const bool next_day_same_month =
        c.year == prev.year && c.month == prev.month && c.day == prev.day + 1;
    const bool first_of_month = c.day == 1;
    ASSERT_TRUE(next_day_same_month || first_of_month) << to_yyyymmdd(c);
    prev = c;
  }
}

TEST(CivilTime, ValidityOfDates) {
  EXPECT_TRUE(is_valid_civil({2024, 2, 29}, 1900, 2999));
  EXPECT_FALSE(is_valid_civil({2023, 2, 29}, 1900, 2999));
  EXPECT_FALSE(is_valid_civil({1900, 2, 29}, 1900, 2999));  // not a leap year
  EXPECT_TRUE(is_valid_civil({2000, 2, 29}, 1900, 2999));   // a leap year
  EXPECT_FALSE(is_valid_civil({2024, 4, 31}, 1900, 2999));
  EXPECT_FALSE(is_valid_civil({2024, 13, 1}, 1900, 2999));
  EXPECT_FALSE(is_valid_civil({2024, 0, 1}, 1900, 2999));
  EXPECT_FALSE(is_valid_civil({2024, 1, 0}, 1900, 2999));
  EXPECT_FALSE(is_valid_civil({1899, 12, 31}, 1900, 2999));
  EXPECT_FALSE(is_valid_civil({3000, 1, 1}, 1900, 2999));
  EXPECT_EQ(to_yyyymmdd({2018, 6, 20}), 20180620);
  EXPECT_EQ(from_yyyymmdd(20180620), (CivilDate{2018, 6, 20}));
}

TEST(CivilTime, ChinaStandardTimeDayBoundaries) {
  const std::int64_t day = days_from_civil({2024, 3, 4});
  // Local midnight of 4 March in UTC+8 is 16:00 UTC on 3 March.
  const std::int64_t midnight = utc_ns_of(day, 0, kChinaStandardTimeMinutes);
  EXPECT_EQ(midnight, (day * 86'400 - 8 * 3'600) * kNsPerSecond);
  EXPECT_EQ(local_time(midnight, kChinaStandardTimeMinutes).day, day);
  EXPECT_EQ(local_time(midnight, kChinaStandardTimeMinutes).ns_of_day, 0);
  EXPECT_EQ(local_time(midnight - 1, kChinaStandardTimeMinutes).day, day - 1);
  EXPECT_EQ(local_time(midnight - 1, kChinaStandardTimeMinutes).ns_of_day, kNsPerDay - 1);
  // 10:00 local.
  const LocalTime ten = local_time(midnight + 10 * 60 * kNsPerMinute, kChinaStandardTimeMinutes);
  EXPECT_EQ(ten.day, day);
  EXPECT_EQ(ten.ns_of_day, 10 * 60 * kNsPerMinute);
}

// Any int64 instant has a local day, without signed overflow (a damaged journal record's stamp
// near either end reached local_time and utc_ns_of through Core::apply's trading_day;
// journal_apply_fuzz, under UBSan).
TEST(CivilTime, InstantsAtEitherEndOfInt64HaveTheirDay) {
  constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();
  constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
  EXPECT_EQ(local_time(kMin, 0).day, -106'752);
  EXPECT_EQ(local_time(kMin, 0).ns_of_day, 763'145'224'192);
  EXPECT_EQ(local_time(kMax, kChinaStandardTimeMinutes).day, 106'752);
  EXPECT_EQ(local_time(kMax, kChinaStandardTimeMinutes).ns_of_day, 28'036'854'775'807);
  const LocalTime west = local_time(kMin, -720);  // UTC-12 from the lowest instant
  EXPECT_EQ(west.day, -106'753);
  EXPECT_GE(west.ns_of_day, 0);
  EXPECT_LT(west.ns_of_day, kNsPerDay);
  // Those days' midnights lie outside int64: clamped to its ends, as a trading day's bounds.
  const std::int64_t first = local_time(kMin, kChinaStandardTimeMinutes).day;
  EXPECT_EQ(utc_ns_of(first, 0, kChinaStandardTimeMinutes), kMin);
  EXPECT_EQ(utc_ns_of(first + 1, 0, kChinaStandardTimeMinutes),
            (first + 1) * kNsPerDay - kChinaStandardTimeMinutes * kNsPerMinute);
  const std::int64_t last = local_time(kMax, kChinaStandardTimeMinutes).day;
  EXPECT_EQ(utc_ns_of(last + 1, 0, kChinaStandardTimeMinutes), kMax);
}

TEST(CivilTime, NegativeInstantsAndOffsets) {
  // One nanosecond before the epoch is 23:59:59.999999999 of 31 December 1969 in UTC.
  EXPECT_EQ(local_time(-1, 0).day, -1);
  EXPECT_EQ(local_time(-1, 0).ns_of_day, kNsPerDay - 1);
  // At UTC-5, 03:00 UTC of 2 January is 22:00 of 1 January.
  const std::int64_t jan2 = days_from_civil({2025, 1, 2});
  const LocalTime t = local_time(jan2 * kNsPerDay + 3 * 60 * kNsPerMinute, -300);
  EXPECT_EQ(t.day, jan2 - 1);
  EXPECT_EQ(t.ns_of_day, 22 * 60 * kNsPerMinute);
  for (std::int64_t ns : {-kNsPerDay - 7, std::int64_t{0}, kNsPerDay * 20'000 + 12'345}) {
    for (std::int32_t off : {-720, -300, 0, 480, 840}) {
      const LocalTime lt = local_time(ns, off);
      EXPECT_EQ(utc_ns_of(lt.day, lt.ns_of_day, off), ns) << ns << " at " << off;
    }
  }
}

}  // namespace
}  // namespace carbonx::base
