#include "carbonx/registry/allocation/facility.hpp"

#include <fmt/format.h>

#include <set>
#include <utility>

#include "carbonx/engine/assert.hpp"
#include "row_reader.hpp"

namespace carbonx::allocation {

std::string_view to_string(Cooling c) noexcept {
  switch (c) {
    case Cooling::kNone:
      return "";
    case Cooling::kWater:
      return "water";
    case Cooling::kAir:
      return "air";
  }
  return "unknown cooling";
}

std::string_view to_string(GenericMethod g) noexcept {
  switch (g) {
    case GenericMethod::kNone:
      return "";
    case GenericMethod::kIntensity:
      return "intensity";
    case GenericMethod::kEmissions:
      return "emissions";
  }
  return "unknown method";
}

bool FacilitySet::all_verified() const {
  for (const auto& f : units) {
    if (!f.verified()) return false;
  }
  return true;
}

namespace {

using detail::RowReader;

const std::vector<std::string_view> kColumns = {
    "firm",           "unit",           "sector",       "class",
    "fuel",           "cooling",        "heat_ratio",   "calorific_kcal_per_kg",
    "base_output",    "base_heat_gj",   "base_waste_t", "actual_output",
    "actual_heat_gj", "actual_waste_t", "intensity",    "hist_emissions_t",
    "decline_factor"};

const Decimal kZero = Decimal::whole(0);
const Decimal kOne = Decimal::whole(1);
const Decimal kMax = Decimal::whole(kMaxOutput);
constexpr int kOutputDecimals = 3;

// Which optional measurement columns a method uses.
struct Uses {
  bool heat_gj = false;
  bool waste_t = false;
  bool output = true;
};

Uses uses_of(const Facility& f) {
  Uses u;
  u.heat_gj = f.method == Method::kPower;
  u.waste_t = f.method == Method::kCement;
  u.output = f.generic != GenericMethod::kEmissions;
  return u;
}

std::optional<Decimal> output_field(RowReader& r, std::string_view column) {
  return r.decimal(column, kOutputDecimals, kZero, kMax);
}

// Reads base_* (required) and actual_* (all or nothing) per the method's needs.
void read_outputs(RowReader& r, Facility& f) {
  const Uses u = uses_of(f);
  const std::pair<std::string_view, bool> base_cols[] = {
      {"base_output", u.output}, {"base_heat_gj", u.heat_gj}, {"base_waste_t", u.waste_t}};
  const std::pair<std::string_view, bool> actual_cols[] = {
      {"actual_output", u.output}, {"actual_heat_gj", u.heat_gj}, {"actual_waste_t", u.waste_t}};
  Decimal* base_slots[] = {&f.base.output, &f.base.heat_gj, &f.base.waste_t};
  bool any_actual = false;
  for (const auto& [col, used] : actual_cols)
    any_actual = any_actual || (used && !r.empty(col));
  OutputData actual;
  Decimal* actual_slots[] = {&actual.output, &actual.heat_gj, &actual.waste_t};
  const std::string why = fmt::format("sector '{}' does not use it", f.sector);
  for (int i = 0; i < 3; ++i) {
    if (!base_cols[i].second) {
      r.must_be_empty(base_cols[i].first, why);
      r.must_be_empty(actual_cols[i].first, why);
      continue;
    }
    if (auto v = output_field(r, base_cols[i].first)) *base_slots[i] = *v;
    if (!any_actual) continue;
    if (auto v = output_field(r, actual_cols[i].first)) *actual_slots[i] = *v;
  }
  if (any_actual) f.actual = actual;
}

void read_power(RowReader& r, const AllocationTable& t, const ClassEntry& c, Facility& f) {
  const std::string_view fuel = r.text("fuel");
  if (fuel.empty()) {
    r.fail(InputErrorCode::kMissingValue, "fuel", "required (coal|gas)");
  } else if (fuel != "coal" && fuel != "gas") {
    r.fail(InputErrorCode::kUnknownValue, "fuel", fmt::format("'{}' (coal|gas)", fuel));
  } else if (fuel != to_string(c.fuel)) {
    r.fail(InputErrorCode::kMismatch, "fuel",
           fmt::format("'{}' but class '{}' burns {}", fuel, c.name, to_string(c.fuel)));
  }
  f.fuel = c.fuel;
  if (f.method == Method::kHeat) {
    for (auto col : {"cooling", "heat_ratio", "calorific_kcal_per_kg"}) {
      r.must_be_empty(col, fmt::format("heat-only units have no {}", col));
    }
    return;
  }
  if (auto cooling = r.required("cooling")) {
    if (*cooling == "water") {
      f.cooling = Cooling::kWater;
    } else if (*cooling == "air") {
      f.cooling = Cooling::kAir;
    } else {
      r.fail(InputErrorCode::kUnknownValue, "cooling", fmt::format("'{}' (water|air)", *cooling));
    }
  }
  if (auto ratio = r.decimal("heat_ratio", 4, kZero, kOne)) f.heat_ratio = *ratio;
  if (c.calorific) {
    f.calorific_kcal =
        r.decimal("calorific_kcal_per_kg", 2, Decimal::of(1, 2), Decimal::whole(100'000));
  } else {
    r.must_be_empty("calorific_kcal_per_kg",
                    fmt::format("class '{}' takes no calorific factor", c.name));
  }
  (void)t;
}

void read_generic(RowReader& r, Facility& f) {
  if (f.unit_class == "intensity") {
    f.generic = GenericMethod::kIntensity;
    if (auto v = r.decimal("intensity", 6, Decimal::of(1, 6), Decimal::whole(1000))) {
      f.intensity = *v;
    }
    r.must_be_empty("hist_emissions_t", "the intensity method uses output x intensity");
  } else if (f.unit_class == "emissions") {
    f.generic = GenericMethod::kEmissions;
    if (auto v = r.decimal("hist_emissions_t", 3, kZero, kMax)) f.hist_emissions_t = *v;
    r.must_be_empty("intensity", "the emissions method uses historical emissions");
  } else {
    r.fail(InputErrorCode::kUnknownClass, "class",
           fmt::format("'{}': generic sector '{}' takes class intensity|emissions", f.unit_class,
                       f.sector));
    return;
  }
  if (auto v = r.decimal("decline_factor", 4, Decimal::of(1, 4), kOne)) f.decline_factor = *v;
}

// Reads one row into `f`; returns false if the row had any error.
bool read_row(RowReader& r, const AllocationTable& t, Facility& f) {
  f.line = r.line();
  if (auto v = r.identifier("firm", kMaxIdLength)) f.firm = *v;
  if (auto v = r.identifier("unit", kMaxIdLength)) f.unit = *v;
  auto sector = r.required("sector");
  auto cls = r.required("class");
  if (!sector || !cls) return false;
  f.sector = std::string(*sector);
  f.unit_class = std::string(*cls);
  const SectorEntry* s = t.find_sector(*sector);
  if (s == nullptr) {
    r.fail(InputErrorCode::kUnknownSector, "sector",
           fmt::format("'{}' is not covered by table {}", f.sector, t.table_id));
    return false;
  }
  f.method = s->method;
  const bool generic = s->method == Method::kGeneric;
  const bool fuelled = s->method == Method::kPower || s->method == Method::kHeat;
  if (generic) {
    read_generic(r, f);
    for (auto col : {"fuel", "cooling", "heat_ratio", "calorific_kcal_per_kg"}) {
      r.must_be_empty(col, "generic sectors do not use it");
    }
  } else {
    const ClassEntry* c = t.find_class(*cls);
    if (c == nullptr || c->sector != f.sector) {
      r.fail(InputErrorCode::kUnknownClass, "class",
             fmt::format("'{}' is not a class of sector '{}' in table {}", f.unit_class, f.sector,
                         t.table_id));
      return false;
    }
    if (fuelled) {
      read_power(r, t, *c, f);
    } else {
      for (auto col : {"fuel", "cooling", "heat_ratio", "calorific_kcal_per_kg"}) {
        r.must_be_empty(col, fmt::format("sector '{}' does not use it", f.sector));
      }
    }
    for (auto col : {"intensity", "hist_emissions_t", "decline_factor"}) {
      r.must_be_empty(col, "only generic sectors use it");
    }
  }
  read_outputs(r, f);
  return r.failures() == 0;
}

}  // namespace

Result<FacilitySet, InputErrors> parse_facilities(std::string_view file, std::string_view text,
                                                  const AllocationTable& table) {
  std::vector<InputError> errors;
  const CsvTable csv = parse_csv(file, text, errors);
  const ColumnMap columns(file, csv, kColumns, errors);
  if (!columns.complete()) return Err{InputErrors{std::move(errors)}};
  FacilitySet set;
  set.file = std::string(file);
  set.table_id = table.table_id;
  std::set<std::pair<std::string, std::string>> seen;
  for (const CsvRow& row : csv.rows) {
    if (!detail::field_count_ok(file, csv, row, errors)) continue;
    if (set.units.size() >= kMaxFacilities) {
      errors.push_back({InputErrorCode::kTooManyRows, std::string(file), row.line, "",
                        fmt::format("over {} facilities", kMaxFacilities)});
      break;
    }
    RowReader r(file, row, columns, errors);
    Facility f;
    const bool ok = read_row(r, table, f);
    if (!f.firm.empty() && !f.unit.empty() && !seen.insert({f.firm, f.unit}).second) {
      r.fail(InputErrorCode::kDuplicateKey, "unit",
             fmt::format("unit '{}' of firm '{}' appears twice", f.unit, f.firm));
      continue;
    }
    if (ok) set.units.push_back(std::move(f));
  }
  if (!errors.empty()) return Err{InputErrors{sorted_by_line(std::move(errors))}};
  CX_ASSERT(set.units.size() == csv.rows.size());
  return set;
}

Result<FacilitySet, InputErrors> load_facilities(const std::string& path,
                                                 const AllocationTable& table) {
  std::vector<InputError> errors;
  std::string text;
  if (!read_file(path, text, errors)) return Err{InputErrors{std::move(errors)}};
  return parse_facilities(path, text, table);
}

}  // namespace carbonx::allocation
