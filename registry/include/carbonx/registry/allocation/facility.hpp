#pragma once
// Facility (unit) data for one allocation year, loaded from CSV and checked line by line against
// the allocation table the year uses. Nothing is allocated or issued from a file with any error;
// every error is reported with its file, line and field (csv.hpp).
//
// Columns (all required in the header, in any order; registry/data/README.md has the full rules):
//   firm, unit                  ids ([A-Za-z0-9_.-], <= 32 chars); (firm, unit) is unique
//   sector                      a sector of the table (power, heat, cement, aluminium, other ...)
//   class                       a class of that sector in the table; for generic sectors the
//   method:
//                               `intensity` (historical intensity x output x decline factor) or
//                               `emissions` (historical emissions x decline factor)
//   fuel                        coal|gas, power and heat only; must match the class's fuel
//   cooling                     water|air, power only
//   heat_ratio                  heat-supply ratio 0..1 (<= 4 places), power only
//   calorific_kcal_per_kg       fuel calorific value, power classes marked calorific (CFB/IGCC)
//   base_output                 base-year output: MWh supplied (power), GJ supplied (heat), t
//   clinker
//                               (cement), t liquid aluminium (aluminium), product units (intensity)
//   base_heat_gj                base-year heat supplied, GJ (power)
//   base_waste_t                base-year waste co-processed, t (cement)
//   actual_output, actual_heat_gj, actual_waste_t
//                               the verified output of the year: all empty (not yet verified) or
//                               all filled as their base_ counterparts
//   intensity                   tCO2 per product unit, <= 6 places (generic `intensity`)
//   hist_emissions_t            historical emissions, t (generic `emissions`)
//   decline_factor              (0, 1], <= 4 places (generic methods)
// A field that does not apply to the row's sector must be empty (this catches shifted columns).
// Outputs are >= 0 with <= 3 places and at most kMaxOutput.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "carbonx/engine/result.hpp"
#include "carbonx/registry/allocation/csv.hpp"
#include "carbonx/registry/allocation/decimal.hpp"
#include "carbonx/registry/allocation/table.hpp"

namespace carbonx::allocation {

inline constexpr std::int64_t kMaxOutput = 1'000'000'000;  // per output field, in its unit
inline constexpr std::size_t kMaxFacilities = 1'000'000;

enum class Cooling : std::uint8_t { kNone = 0, kWater, kAir };
std::string_view to_string(Cooling c) noexcept;
enum class GenericMethod : std::uint8_t { kNone = 0, kIntensity, kEmissions };
std::string_view to_string(GenericMethod g) noexcept;

// One year's measured output of a unit (base year or verified actual).
struct OutputData {
  Decimal output;   // in the sector's output unit
  Decimal heat_gj;  // power: heat supplied
  Decimal waste_t;  // cement: waste co-processed
};

struct Facility {
  std::size_t line = 0;  // line in the source file, for reports
  std::string firm;
  std::string unit;
  std::string sector;
  std::string unit_class;
  Method method = Method::kGeneric;
  GenericMethod generic = GenericMethod::kNone;
  Fuel fuel = Fuel::kNone;
  Cooling cooling = Cooling::kNone;
  Decimal heat_ratio;                     // power
  std::optional<Decimal> calorific_kcal;  // power classes marked calorific
  OutputData base;
  std::optional<OutputData> actual;  // empty until verified
  Decimal intensity;                 // generic intensity
  Decimal hist_emissions_t;          // generic emissions
  Decimal decline_factor = Decimal::whole(1);

  // True when the final allocation can be computed (verified data present, or the generic
  // emissions method, which needs no output).
  bool verified() const { return actual.has_value() || generic == GenericMethod::kEmissions; }
};

struct FacilitySet {
  std::string file;
  std::string table_id;  // the table the rows were checked against
  std::vector<Facility> units;
  bool all_verified() const;
};

Result<FacilitySet, InputErrors> parse_facilities(std::string_view file, std::string_view text,
                                                  const AllocationTable& table);
Result<FacilitySet, InputErrors> load_facilities(const std::string& path,
                                                 const AllocationTable& table);

}  // namespace carbonx::allocation
