#include "carbonx/registry/allocation/table.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "carbonx/engine/assert.hpp"
#include "row_reader.hpp"

namespace carbonx::allocation {

std::string_view to_string(Method m) noexcept {
  switch (m) {
    case Method::kPower:
      return "power";
    case Method::kHeat:
      return "heat";
    case Method::kCement:
      return "cement";
    case Method::kAluminium:
      return "aluminium";
    case Method::kGeneric:
      return "generic";
  }
  return "unknown method";
}

std::string_view to_string(Fuel f) noexcept {
  switch (f) {
    case Fuel::kNone:
      return "";
    case Fuel::kCoal:
      return "coal";
    case Fuel::kGas:
      return "gas";
  }
  return "unknown fuel";
}

const SectorEntry* AllocationTable::find_sector(std::string_view name) const {
  for (const auto& s : sectors) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

const ClassEntry* AllocationTable::find_class(std::string_view name) const {
  for (const auto& c : classes) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

const ClassEntry* AllocationTable::heat_class(Fuel fuel) const {
  for (const auto& c : classes) {
    const SectorEntry* s = find_sector(c.sector);
    if (s != nullptr && s->method == Method::kHeat && c.fuel == fuel) return &c;
  }
  return nullptr;
}

Decimal AllocationTable::co_processing_uplift(Decimal waste_t) const {
  Decimal uplift = Decimal::whole(0);
  for (const auto& band : co_processing) {  // ascending: the last band reached wins
    const int c = compare(waste_t, band.lower_bound_t);
    if (c > 0 || (c == 0 && !band.exclusive)) uplift = band.uplift;
  }
  return uplift;
}

namespace {

using detail::RowReader;

const std::vector<std::string_view> kColumns = {"record", "name",   "sector",
                                                "fuel",   "option", "value"};

std::optional<Method> parse_method(std::string_view s) {
  if (s == "power") return Method::kPower;
  if (s == "heat") return Method::kHeat;
  if (s == "cement") return Method::kCement;
  if (s == "aluminium") return Method::kAluminium;
  if (s == "generic") return Method::kGeneric;
  return std::nullopt;
}

std::optional<Fuel> parse_fuel(std::string_view s) {
  if (s == "coal") return Fuel::kCoal;
  if (s == "gas") return Fuel::kGas;
  return std::nullopt;
}

// Tracks which singleton entries were seen, to report duplicates.
struct Seen {
  std::vector<std::string> keys;
  bool insert(const std::string& k) {
    if (std::find(keys.begin(), keys.end(), k) != keys.end()) return false;
    keys.push_back(k);
    return true;
  }
};

const Decimal kZero = Decimal::whole(0);
const Decimal kOne = Decimal::whole(1);

void read_meta(RowReader& r, AllocationTable& t) {
  const std::string name(r.text("name"));
  auto value = r.required("value");
  if (!value) return;
  if (name == "table_id") {
    if (!is_identifier(*value, kMaxIdLength)) {
      r.fail(InputErrorCode::kBadIdentifier, "value", fmt::format("table_id '{}'", *value));
      return;
    }
    t.table_id = std::string(*value);
  } else if (name == "version") {
    if (*value != "1") {
      r.fail(InputErrorCode::kOutOfRange, "value",
             fmt::format("schema version '{}', this build reads version 1", *value));
      return;
    }
    t.version = kTableSchemaVersion;
  } else if (name == "title") {
    t.title = std::string(*value);
  } else {
    r.fail(InputErrorCode::kUnknownValue, "name", fmt::format("meta '{}'", name));
  }
}

void read_sector(RowReader& r, AllocationTable& t) {
  auto name = r.identifier("name", kMaxIdLength);
  auto method_text = r.required("sector");
  std::optional<Method> method;
  if (method_text) {
    method = parse_method(*method_text);
    if (!method) {
      r.fail(InputErrorCode::kUnknownValue, "sector",
             fmt::format("method '{}' (power, heat, cement, aluminium, generic)", *method_text));
    }
  }
  auto share = r.decimal("value", kMaxTableDecimals, kZero, kOne);
  if (name && method && share) t.sectors.push_back({*name, *method, *share});
}

void read_class(RowReader& r, AllocationTable& t) {
  auto name = r.identifier("name", kMaxIdLength);
  auto sector = r.required("sector");
  auto benchmark = r.decimal("value", kMaxTableDecimals, kZero, Decimal::whole(kMaxBenchmark));
  const SectorEntry* s = sector ? t.find_sector(*sector) : nullptr;
  if (sector && s == nullptr) {
    r.fail(InputErrorCode::kUnknownSector, "sector",
           fmt::format("'{}' (declare the sector before its classes)", *sector));
  }
  if (s != nullptr && s->method == Method::kGeneric) {
    r.fail(InputErrorCode::kMismatch, "sector", "generic sectors have no benchmark classes");
    s = nullptr;
  }
  Fuel fuel = Fuel::kNone;
  const bool fuelled = s != nullptr && (s->method == Method::kPower || s->method == Method::kHeat);
  if (fuelled) {
    auto f = parse_fuel(r.text("fuel"));
    if (!f) r.fail(InputErrorCode::kUnknownValue, "fuel", "power and heat classes need coal|gas");
    fuel = f.value_or(Fuel::kNone);
  } else if (s != nullptr) {
    r.must_be_empty("fuel", "only power and heat classes have a fuel");
  }
  const std::string_view option = r.text("option");
  const bool calorific = option == "calorific";
  if (!option.empty() && !(calorific && s != nullptr && s->method == Method::kPower)) {
    r.fail(InputErrorCode::kUnknownValue, "option", "only 'calorific', on power classes");
  }
  if (name && s != nullptr && benchmark && r.failures() == 0) {
    t.classes.push_back({*name, s->name, fuel, calorific, *benchmark});
  }
}

void read_factor(RowReader& r, AllocationTable& t, Seen& seen) {
  const std::string name(r.text("name"));
  const std::string key = fmt::format("{}/{}", name, r.text("fuel"));
  const bool is_threshold = name == "calorific_threshold_kcal";
  auto value = r.decimal("value", is_threshold ? 2 : kMaxTableDecimals, kZero,
                         is_threshold ? Decimal::whole(100'000) : Decimal::whole(kMaxFactor));
  if (!value) return;
  if (!seen.insert(key)) {
    r.fail(InputErrorCode::kDuplicateKey, "name", fmt::format("factor '{}' given twice", key));
    return;
  }
  if (name == "cooling_water") {
    t.cooling_water = *value;
  } else if (name == "cooling_air") {
    t.cooling_air = *value;
  } else if (name == "heat_coefficient") {
    auto fuel = parse_fuel(r.text("fuel"));
    if (!fuel) {
      r.fail(InputErrorCode::kUnknownValue, "fuel", "heat_coefficient needs coal|gas");
      return;
    }
    if (compare(*value, kOne) > 0) {
      r.fail(InputErrorCode::kOutOfRange, "value", "heat_coefficient must be 0..1");
      return;
    }
    (*fuel == Fuel::kCoal ? t.heat_coefficient_coal : t.heat_coefficient_gas) = *value;
  } else if (name == "calorific_factor") {
    t.calorific_factor = *value;
  } else if (name == "calorific_threshold_kcal") {
    t.calorific_threshold_kcal = *value;
  } else {
    r.fail(InputErrorCode::kUnknownValue, "name", fmt::format("factor '{}'", name));
  }
}

void read_band(RowReader& r, AllocationTable& t) {
  if (r.text("name") != "co_processing") {
    r.fail(InputErrorCode::kUnknownValue, "name", fmt::format("band '{}'", r.text("name")));
    return;
  }
  const SectorEntry* s = t.find_sector(r.text("sector"));
  if (s == nullptr || s->method != Method::kCement) {
    r.fail(InputErrorCode::kUnknownSector, "sector", "co_processing bands belong to cement");
  }
  // "<t>" is reached at t tonnes; ">t" only above t (docs/design.md: "> 100 kt").
  const bool exclusive = r.text("option").starts_with('>');
  auto lower =
      exclusive ? r.decimal_after_prefix("option", 1, 3, kZero) : r.decimal("option", 3, kZero);
  auto uplift = r.decimal("value", kMaxTableDecimals, kZero, kOne);
  if (!lower || !uplift || s == nullptr) return;
  for (const auto& b : t.co_processing) {
    if (b.lower_bound_t == *lower) {
      r.fail(InputErrorCode::kDuplicateKey, "option", "band lower bound given twice");
      return;
    }
  }
  t.co_processing.push_back({*lower, *uplift, exclusive});
}

void check_complete(std::string_view file, AllocationTable& t, const Seen& factors,
                    std::vector<InputError>& errors) {
  auto missing = [&](std::string what) {
    errors.push_back({InputErrorCode::kIncomplete, std::string(file), 0, "", std::move(what)});
  };
  auto has = [&](const std::string& key) {
    return std::find(factors.keys.begin(), factors.keys.end(), key) != factors.keys.end();
  };
  if (t.table_id.empty()) missing("no 'meta,table_id' record");
  if (t.version != kTableSchemaVersion) missing("no 'meta,version' record");
  for (const auto& c : t.classes) {
    const SectorEntry* s = t.find_sector(c.sector);
    CX_ASSERT(s != nullptr);
    if (s->method == Method::kPower && t.heat_class(c.fuel) == nullptr) {
      missing(
          fmt::format("power class '{}' needs a heat class of fuel {}", c.name, to_string(c.fuel)));
    }
    if (s->method == Method::kPower) {
      const std::string heat_key = fmt::format("heat_coefficient/{}", to_string(c.fuel));
      for (const std::string& key :
           {std::string("cooling_water/"), std::string("cooling_air/"), heat_key}) {
        if (!has(key)) missing(fmt::format("power class '{}' needs factor '{}'", c.name, key));
      }
    }
    if (c.calorific && (!has("calorific_threshold_kcal/") || !has("calorific_factor/"))) {
      missing(fmt::format(
          "class '{}' is calorific: needs calorific_factor and calorific_threshold_kcal", c.name));
    }
  }
  std::sort(t.co_processing.begin(), t.co_processing.end(),
            [](const BandEntry& a, const BandEntry& b) {
              return compare(a.lower_bound_t, b.lower_bound_t) < 0;
            });
}

}  // namespace

Result<AllocationTable, InputErrors> parse_allocation_table(std::string_view file,
                                                            std::string_view text) {
  std::vector<InputError> errors;
  const CsvTable csv = parse_csv(file, text, errors);
  const ColumnMap columns(file, csv, kColumns, errors);
  if (!columns.complete()) return Err{InputErrors{std::move(errors)}};
  AllocationTable t;
  t.file = std::string(file);
  Seen factors, names;
  for (const CsvRow& row : csv.rows) {
    if (!detail::field_count_ok(file, csv, row, errors)) continue;
    RowReader r(file, row, columns, errors);
    const std::string_view record = r.text("record");
    const std::string key = fmt::format("{}/{}", record, r.text("name"));
    if ((record == "sector" || record == "class" || record == "meta") && !names.insert(key)) {
      r.fail(InputErrorCode::kDuplicateKey, "name", fmt::format("{} given twice", record));
      continue;
    }
    if (record == "meta") {
      read_meta(r, t);
    } else if (record == "sector") {
      read_sector(r, t);
    } else if (record == "class") {
      read_class(r, t);
    } else if (record == "factor") {
      read_factor(r, t, factors);
    } else if (record == "band") {
      read_band(r, t);
    } else {
      r.fail(InputErrorCode::kUnknownValue, "record",
             fmt::format("'{}' (meta, sector, class, factor, band)", record));
    }
  }
  if (errors.empty()) check_complete(file, t, factors, errors);
  if (!errors.empty()) return Err{InputErrors{sorted_by_line(std::move(errors))}};
  return t;
}

Result<AllocationTable, InputErrors> load_allocation_table(const std::string& path) {
  std::vector<InputError> errors;
  std::string text;
  if (!read_file(path, text, errors)) return Err{InputErrors{std::move(errors)}};
  return parse_allocation_table(path, text);
}

}  // namespace carbonx::allocation
