#pragma once
// Jurisdiction profiles: the compliance rules of one market as data (registry/data/
// jurisdictions.csv): the surrender deadline, which offsets count and how many, and the penalty.
//
// File format (CSV, allocation/csv.hpp), header `jurisdiction,key,value`, one setting per row:
//   deadline             MM-DD of year Y+1 (the whole day counts, China Standard Time)   required
//   offset_kinds         ccer;phcer | ccer | phcer | none                                  required
//   offset_cap_basis     prior_year_emissions | initial_allocation | verified_emissions   required
//   offset_cap           fraction of the basis, 0..1 (0.10 = 10%)                          required
//   region               the jurisdiction's own region (for the in-region share)
//   ccer_in_region_min   minimum fraction of CCER from projects in `region` (0.70), default 0
//   eligible_types       project types allowed, ';'-separated; absent: any
//   eligible_regions     project regions allowed, ';'-separated; absent: any
//   crediting_from, crediting_to
//                        YYYY-MM-DD: an offset counts only if its crediting period lies inside
//   penalty_multiplier   tonnes deducted from the next allocation per tonne of shortfall  required
//   fine_fen             fine per firm with a shortfall, fen required
// Immutable after loading; thread-safe to share.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "carbonx/engine/result.hpp"
#include "carbonx/engine/units.hpp"
#include "carbonx/registry/allocation/csv.hpp"
#include "carbonx/registry/allocation/decimal.hpp"

namespace carbonx::compliance {

using allocation::Decimal;
using allocation::InputErrors;

enum class OffsetKind : std::uint8_t { kCcer = 1, kPhcer };
std::string_view to_string(OffsetKind k) noexcept;

enum class CapBasis : std::uint8_t {
  kPriorYearEmissions = 1,  // Guangdong: the firm's verified emissions of Y-1
  kInitialAllocation,       // Hubei: the firm's pre-allocation of Y
  kVerifiedEmissions,       // national and most pilots: the firm's verified emissions of Y
};
std::string_view to_string(CapBasis b) noexcept;

// A calendar date as yyyymmdd (20180620), comparable as an integer.
using DateInt = std::int32_t;
// The years a date may have: every day of them ends at a TimestampNs (int64 nanoseconds since
// 1970 reach from 1677-09-21 to 2262-04-11), so day_end_exclusive_cst never overflows.
inline constexpr int kMinDateYear = 1678;
inline constexpr int kMaxDateYear = 2261;
// True if `date` is a real calendar date (yyyymmdd) with a year in kMinDateYear..kMaxDateYear.
bool is_date(DateInt date);
// Parses "YYYY-MM-DD" into yyyymmdd; false if not a real date or its year is outside
// kMinDateYear..kMaxDateYear.
bool parse_date(std::string_view s, DateInt& out);

// The first nanosecond (UTC) AFTER the end of `date` in China Standard Time (UTC+8): a time
// t is on or before the date iff t < day_end_exclusive_cst(date). Precondition: is_date(date).
TimestampNs day_end_exclusive_cst(DateInt date);

struct JurisdictionProfile {
  std::string name;
  int deadline_month = 0;
  int deadline_day = 0;
  bool accepts_ccer = false;
  bool accepts_phcer = false;
  CapBasis cap_basis = CapBasis::kVerifiedEmissions;
  Decimal offset_cap;  // fraction
  std::string region;
  Decimal ccer_in_region_min;  // fraction, 0 = no rule
  std::vector<std::string> eligible_types;
  std::vector<std::string> eligible_regions;
  DateInt crediting_from = 0;  // 0 = no bound
  DateInt crediting_to = 0;
  std::int64_t penalty_multiplier = 0;
  AmountFen fine_fen{0};

  // The deadline date (yyyymmdd) for compliance year `year`: in year + 1.
  DateInt deadline(int year) const;
};

struct JurisdictionSet {
  std::string file;
  std::vector<JurisdictionProfile> profiles;
  const JurisdictionProfile* find(std::string_view name) const;
};

Result<JurisdictionSet, InputErrors> parse_jurisdictions(std::string_view file,
                                                         std::string_view text);
Result<JurisdictionSet, InputErrors> load_jurisdictions(const std::string& path);

}  // namespace carbonx::compliance
