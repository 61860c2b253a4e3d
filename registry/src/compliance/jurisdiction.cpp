#include "carbonx/registry/compliance/jurisdiction.hpp"

#include <fmt/format.h>

#include <map>
#include <set>

#include "../allocation/row_reader.hpp"
#include "carbonx/base/civil_time.hpp"
#include "carbonx/engine/assert.hpp"
#include "carbonx/registry/allocation/table.hpp"

namespace carbonx::compliance {

using allocation::ColumnMap;
using allocation::CsvRow;
using allocation::CsvTable;
using allocation::InputError;
using allocation::InputErrorCode;
using allocation::detail::RowReader;

std::string_view to_string(OffsetKind k) noexcept {
  switch (k) {
    case OffsetKind::kCcer:
      return "CCER";
    case OffsetKind::kPhcer:
      return "PHCER";
  }
  return "unknown offset kind";
}

std::string_view to_string(CapBasis b) noexcept {
  switch (b) {
    case CapBasis::kPriorYearEmissions:
      return "prior_year_emissions";
    case CapBasis::kInitialAllocation:
      return "initial_allocation";
    case CapBasis::kVerifiedEmissions:
      return "verified_emissions";
  }
  return "unknown basis";
}

namespace {

bool valid_ymd(int y, int m, int d) {
  return base::is_valid_civil(base::CivilDate{y, m, d}, kMinDateYear, kMaxDateYear);
}

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

}  // namespace

bool is_date(DateInt date) {
  if (date < 0) return false;
  return valid_ymd(date / 10000, date / 100 % 100, date % 100);
}

bool parse_date(std::string_view s, DateInt& out) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  const auto y = s.substr(0, 4), m = s.substr(5, 2), d = s.substr(8, 2);
  if (!all_digits(y) || !all_digits(m) || !all_digits(d)) return false;
  const int yi = std::stoi(std::string(y)), mi = std::stoi(std::string(m)),
            di = std::stoi(std::string(d));
  if (!valid_ymd(yi, mi, di)) return false;
  out = yi * 10000 + mi * 100 + di;
  return true;
}

TimestampNs day_end_exclusive_cst(DateInt date) {
  CX_ASSERT(is_date(date));
  // The next day's local midnight in China Standard Time (16:00 UTC of `date`).
  const std::int64_t day = base::days_from_civil(base::from_yyyymmdd(date));
  return TimestampNs(base::utc_ns_of(day + 1, 0, base::kChinaStandardTimeMinutes));
}

DateInt JurisdictionProfile::deadline(int year) const {
  return (year + 1) * 10000 + deadline_month * 100 + deadline_day;
}

const JurisdictionProfile* JurisdictionSet::find(std::string_view name) const {
  for (const auto& p : profiles) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

namespace {

const std::vector<std::string_view> kColumns = {"jurisdiction", "key", "value"};
const std::set<std::string_view> kRequired = {
    "deadline", "offset_kinds", "offset_cap_basis", "offset_cap", "penalty_multiplier", "fine_fen"};

std::vector<std::string> split_list(std::string_view s) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (pos <= s.size()) {
    const std::size_t end = std::min(s.find(';', pos), s.size());
    if (end > pos) out.emplace_back(s.substr(pos, end - pos));
    pos = end + 1;
  }
  return out;
}

void read_deadline(RowReader& r, JurisdictionProfile& p) {
  const std::string_view v = r.text("value");
  DateInt d = 0;
  // Checked against a leap year so that 02-29 is accepted as a day that exists.
  if (v.size() != 5 || !parse_date(fmt::format("2020-{}", v), d)) {
    r.fail(InputErrorCode::kBadNumber, "value", fmt::format("deadline '{}' is not MM-DD", v));
    return;
  }
  p.deadline_month = d / 100 % 100;
  p.deadline_day = d % 100;
}

void read_setting(RowReader& r, const std::string& key, JurisdictionProfile& p) {
  const std::string_view v = r.text("value");
  const Decimal zero = Decimal::whole(0), one = Decimal::whole(1);
  if (key == "deadline") {
    read_deadline(r, p);
  } else if (key == "offset_kinds") {
    for (const std::string& k : split_list(v)) {
      if (k == "ccer") {
        p.accepts_ccer = true;
      } else if (k == "phcer") {
        p.accepts_phcer = true;
      } else if (k != "none") {
        r.fail(InputErrorCode::kUnknownValue, "value", fmt::format("offset kind '{}'", k));
      }
    }
  } else if (key == "offset_cap_basis") {
    if (v == "prior_year_emissions") {
      p.cap_basis = CapBasis::kPriorYearEmissions;
    } else if (v == "initial_allocation") {
      p.cap_basis = CapBasis::kInitialAllocation;
    } else if (v == "verified_emissions") {
      p.cap_basis = CapBasis::kVerifiedEmissions;
    } else {
      r.fail(InputErrorCode::kUnknownValue, "value", fmt::format("basis '{}'", v));
    }
  } else if (key == "offset_cap") {
    if (auto d = r.decimal("value", 4, zero, one)) p.offset_cap = *d;
  } else if (key == "ccer_in_region_min") {
    if (auto d = r.decimal("value", 4, zero, one)) p.ccer_in_region_min = *d;
  } else if (key == "region") {
    if (auto id = r.identifier("value", allocation::kMaxIdLength)) p.region = *id;
  } else if (key == "eligible_types") {
    p.eligible_types = split_list(v);
  } else if (key == "eligible_regions") {
    p.eligible_regions = split_list(v);
  } else if (key == "crediting_from" || key == "crediting_to") {
    DateInt d = 0;
    if (!parse_date(v, d)) {
      r.fail(InputErrorCode::kBadNumber, "value", fmt::format("'{}' is not YYYY-MM-DD", v));
    }
    (key == "crediting_from" ? p.crediting_from : p.crediting_to) = d;
  } else if (key == "penalty_multiplier") {
    if (auto d = r.decimal("value", 0, zero, Decimal::whole(100))) {
      p.penalty_multiplier = allocation::round_half_up(*d);
    }
  } else if (key == "fine_fen") {
    if (auto d = r.decimal("value", 0, zero, Decimal::whole(100'000'000'000))) {
      p.fine_fen = AmountFen(allocation::round_half_up(*d));
    }
  } else {
    r.fail(InputErrorCode::kUnknownValue, "key", fmt::format("setting '{}'", key));
  }
}

}  // namespace

Result<JurisdictionSet, InputErrors> parse_jurisdictions(std::string_view file,
                                                         std::string_view text) {
  std::vector<InputError> errors;
  const CsvTable csv = allocation::parse_csv(file, text, errors);
  const ColumnMap columns(file, csv, kColumns, errors);
  if (!columns.complete()) return Err{InputErrors{std::move(errors)}};
  std::map<std::string, JurisdictionProfile> profiles;
  std::map<std::string, std::set<std::string>> seen;
  for (const CsvRow& row : csv.rows) {
    if (!allocation::detail::field_count_ok(file, csv, row, errors)) continue;
    RowReader r(file, row, columns, errors);
    auto name = r.identifier("jurisdiction", allocation::kMaxIdLength);
    auto key = r.required("key");
    if (!name || !key) continue;
    if (!seen[*name].insert(std::string(*key)).second) {
      r.fail(InputErrorCode::kDuplicateKey, "key", fmt::format("'{}' given twice", *key));
      continue;
    }
    JurisdictionProfile& p = profiles[*name];
    p.name = *name;
    read_setting(r, std::string(*key), p);
  }
  for (const auto& [name, keys] : seen) {
    for (std::string_view k : kRequired) {
      if (keys.count(std::string(k)) != 0) continue;
      errors.push_back({InputErrorCode::kIncomplete, std::string(file), 0, std::string(k),
                        fmt::format("jurisdiction '{}' lacks '{}'", name, k)});
    }
  }
  if (!errors.empty()) return Err{InputErrors{allocation::sorted_by_line(std::move(errors))}};
  JurisdictionSet set;
  set.file = std::string(file);
  for (auto& [name, p] : profiles)
    set.profiles.push_back(std::move(p));
  return set;
}

Result<JurisdictionSet, InputErrors> load_jurisdictions(const std::string& path) {
  std::vector<InputError> errors;
  std::string text;
  if (!allocation::read_file(path, text, errors)) return Err{InputErrors{std::move(errors)}};
  return parse_jurisdictions(path, text);
}

}  // namespace carbonx::compliance
