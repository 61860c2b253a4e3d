#pragma once
// Allocation tables: the benchmark values, correction factors and pre-allocation shares of one
// allocation plan, as a versioned data file (registry/data/benchmarks_*.csv). Every year's
// allocation names the table it uses (by table_id), so changing a table never changes what was
// already computed under another one.
//
// File format (CSV, see csv.hpp), header `record,name,sector,fuel,option,value`:
//   meta,table_id,,,,national-2017-draft    the id allocations refer to (required)
//   meta,version,,,,1                       schema version of this file, must be 1 (required)
//   meta,title,,,,"..."                     free text
//   sector,<sector>,<method>,,,<share>      a covered sector, its method (power, heat, cement,
//                                           aluminium or generic) and pre-allocation share 0..1
//   class,<class>,<sector>,<fuel>,<opt>,<benchmark>
//                                           a unit class of a benchmark sector: fuel coal|gas
//                                           (power and heat), opt `calorific` for CFB/IGCC classes
//                                           that take the calorific factor; benchmark tCO2 per
//                                           output unit (MWh, GJ, t clinker, t liquid aluminium)
//   factor,cooling_water|cooling_air,,,,<f> the cooling factor
//   factor,heat_coefficient,,coal|gas,,<c>  heat-supply factor = 1 - c x heat ratio
//   factor,calorific_factor,,,,<f>          applied when calorific value < threshold
//   factor,calorific_threshold_kcal,,,,<t>  kcal/kg
//   band,co_processing,<sector>,,<lower_t>,<uplift>
//                                           cement: uplift (0.01 = +1%) when waste co-processed
//                                           >= lower_t tonnes; the highest band reached applies
// Numbers are exact decimals with at most kMaxTableDecimals places, never floating point.
// Immutable after loading; thread-safe to share.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "carbonx/engine/result.hpp"
#include "carbonx/registry/allocation/csv.hpp"
#include "carbonx/registry/allocation/decimal.hpp"

namespace carbonx::allocation {

// Bounds on table values. With the facility limits (facility.hpp) they keep every exact product
// of the allocation formula inside 128 bits (worst case about 8e37, asserted at run time).
inline constexpr int kMaxTableDecimals = 4;
inline constexpr std::int64_t kMaxBenchmark = 20;  // tCO2 per output unit (aluminium: 9.1132)
inline constexpr std::int64_t kMaxFactor = 2;      // cooling and calorific factors
inline constexpr std::size_t kMaxIdLength = 32;
inline constexpr int kTableSchemaVersion = 1;

enum class Method : std::uint8_t { kPower = 1, kHeat, kCement, kAluminium, kGeneric };
std::string_view to_string(Method m) noexcept;

enum class Fuel : std::uint8_t { kNone = 0, kCoal, kGas };
std::string_view to_string(Fuel f) noexcept;

struct SectorEntry {
  std::string name;
  Method method = Method::kGeneric;
  Decimal share;  // pre-allocation share, 0..1
};

struct ClassEntry {
  std::string name;
  std::string sector;
  Fuel fuel = Fuel::kNone;
  bool calorific = false;  // takes the calorific factor (CFB/IGCC)
  Decimal benchmark;       // tCO2 per output unit
};

struct BandEntry {
  Decimal lower_bound_t;   // reached at the bound (inclusive), or only above it when `exclusive`
  Decimal uplift;          // 0.01 = +1%
  bool exclusive = false;  // written ">100000" in the table: docs/design.md's "> 100 kt"
};

struct AllocationTable {
  std::string file;
  std::string table_id;
  int version = 0;
  std::string title;
  std::vector<SectorEntry> sectors;
  std::vector<ClassEntry> classes;
  Decimal cooling_water = Decimal::whole(1);
  Decimal cooling_air = Decimal::whole(1);
  Decimal heat_coefficient_coal;
  Decimal heat_coefficient_gas;
  Decimal calorific_factor = Decimal::whole(1);
  Decimal calorific_threshold_kcal;
  std::vector<BandEntry> co_processing;  // ascending lower bounds

  const SectorEntry* find_sector(std::string_view name) const;
  const ClassEntry* find_class(std::string_view name) const;
  // The heat-sector class used for a power unit's heat supplied, by fuel (nullptr if none).
  const ClassEntry* heat_class(Fuel fuel) const;
  // The co-processing uplift for `waste_t` tonnes (0 below the first band).
  Decimal co_processing_uplift(Decimal waste_t) const;
};

// Parses and checks a table. Every problem is reported (file, line, field); any error -> no table.
Result<AllocationTable, InputErrors> parse_allocation_table(std::string_view file,
                                                            std::string_view text);
Result<AllocationTable, InputErrors> load_allocation_table(const std::string& path);

}  // namespace carbonx::allocation
