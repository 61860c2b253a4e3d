#pragma once
// The allocation formulas (docs/design.md "Allocation", national draft 2017):
//   power      = (supply + heat) x share
//     supply   = electricity supplied (MWh) x benchmark x cooling factor (water 1, air 1.05)
//                x heat-supply factor (1 - c x heat ratio; c = 0.25 coal, 0.6 gas)
//                x calorific factor (classes marked calorific: 1.03 below 3000 kcal/kg, else 1)
//     heat     = heat supplied (GJ) x heat benchmark of the unit's fuel (coal 0.1118, gas 0.0602)
//   heat       = heat supplied (GJ) x heat benchmark of the class x share
//   cement     = clinker (t) x 0.8534 x (1 + co-processing uplift) x share
//   aluminium  = liquid aluminium (t) x 9.1132 x share
//   generic    = output x intensity x decline factor x share   (class `intensity`)
//              = historical emissions x decline factor x share (class `emissions`)
// The pre-allocation uses base-year data and the sector's share from the table (power 0.70,
// cement and aluminium 0.50); the final allocation uses verified output and share 1.
//
// Rounding (the one rule): each unit's value is computed exactly and rounded ONCE, half up, to
// whole tonnes (round_half_up in decimal.hpp). A firm's allocation is the sum of its units'
// rounded allocations, so every unit line of the breakdown adds up to the firm's number. True-ups
// and penalties are differences of whole tonnes and need no further rounding.
// Pure functions, thread-safe.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "carbonx/engine/result.hpp"
#include "carbonx/registry/allocation/decimal.hpp"
#include "carbonx/registry/allocation/facility.hpp"
#include "carbonx/registry/allocation/table.hpp"

namespace carbonx::allocation {

inline constexpr int kMinYear = 2000;
inline constexpr int kMaxYear = 2255;  // transfer ids keep year - 2000 in 8 bits

enum class Stage : std::uint8_t { kPre = 1, kFinal };
std::string_view to_string(Stage s) noexcept;

// Every factor used for one unit, so a firm can redo the arithmetic by hand.
struct UnitBreakdown {
  std::size_t index = 0;  // into FacilitySet::units
  Decimal output;         // MWh / GJ / t / product units (0 for the emissions method)
  Decimal benchmark;      // tCO2 per output unit (power supply, heat, cement, aluminium)
  Decimal cooling_factor = Decimal::whole(1);
  Decimal heat_ratio;
  Decimal heat_coefficient;
  Decimal heat_factor = Decimal::whole(1);  // 1 - coefficient x ratio
  Decimal calorific_factor = Decimal::whole(1);
  Decimal heat_gj;         // power: heat supplied
  Decimal heat_benchmark;  // power: tCO2/GJ for the heat part
  Decimal waste_t;
  Decimal co_processing_factor = Decimal::whole(1);  // 1 + uplift
  Decimal intensity;
  Decimal hist_emissions_t;
  Decimal decline_factor = Decimal::whole(1);
  Decimal share = Decimal::whole(1);
  Decimal supply_t;               // exact, before share (power: supply part; others: the product)
  Decimal heat_t;                 // exact, before share (power: heat part)
  Decimal exact_t;                // exact allocation: (supply_t + heat_t) x share
  std::int64_t allocation_t = 0;  // exact_t rounded half up: the unit's allocation
};

struct FirmAllocation {
  std::string firm;
  std::int64_t allocation_t = 0;  // sum of the firm's units' allocation_t
  std::size_t units = 0;
};

struct AllocationRun {
  int year = 0;
  std::string table_id;
  Stage stage = Stage::kPre;
  const FacilitySet* facilities = nullptr;  // the rows the breakdown points into
  std::vector<UnitBreakdown> units;         // in file order
  std::vector<FirmAllocation> firms;        // sorted by firm id
  std::int64_t total_t = 0;
  const FirmAllocation* find_firm(std::string_view firm) const;
};

enum class AllocationError : std::uint8_t {
  kBadYear = 1,               // year outside kMinYear..kMaxYear
  kTableMismatch,             // facilities checked against another table, or the year used another
  kNotVerified,               // final allocation asked for but a unit has no verified output
  kUnknownFirm,               // a firm without an account in the directory
  kNoAllowanceAsset,          // no allowance instrument for the vintage
  kAlreadyIssuedDifferently,  // the year was issued before with other amounts
  kNotPreAllocated,           // true-up before the year's pre-allocation was issued
  kAlreadyTrueUpped,          // the year's true-up was issued before with other amounts
  kLedger,                    // the ledger refused a posting
  kBadState,                  // a serialised state that cannot be read
};
std::string_view to_string(AllocationError e) noexcept;

struct AllocationFailure {
  AllocationError code = AllocationError::kBadYear;
  std::string detail;  // firm, unit, amounts
};

// Computes every unit's allocation for `stage`. Errors: kBadYear, kTableMismatch, kNotVerified.
// The returned run points into `facilities`, which must outlive it.
Result<AllocationRun, AllocationFailure> compute_allocation(const FacilitySet& facilities,
                                                            const AllocationTable& table, int year,
                                                            Stage stage);

}  // namespace carbonx::allocation
