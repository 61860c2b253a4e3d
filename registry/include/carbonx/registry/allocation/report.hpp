#pragma once
// Breakdown reports of an allocation run: every factor of every unit, so a firm can redo its
// number by hand, plus the firm totals. Three forms of the same content:
//   - breakdown_table: a terminal table, one line per unit with the formula written out
//     ("3000000 MWh x 0.8066 x cooling 1 x heat 1 x calorific 1 + 0 GJ x 0.1118 = ... x share 0.7
//     = 1693860 -> 1693860 t"), then one line per firm;
//   - breakdown_csv: one row per unit with one column per factor (header documented below);
//   - breakdown_json: {"year","table_id","stage","total_t","units":[...],"firms":[...]}.
// Decimals are written exactly (decimal.hpp to_string). Pure functions, thread-safe.

#include <string>

#include "carbonx/registry/allocation/compute.hpp"
#include "carbonx/registry/allocation/issuance.hpp"

namespace carbonx::allocation {

// Human-readable formula of one unit (used by the table; also handy in error messages).
std::string formula(const AllocationRun& run, const UnitBreakdown& b);

std::string breakdown_table(const AllocationRun& run);
// Header: firm,unit,sector,class,stage,output,benchmark,cooling_factor,heat_ratio,
// heat_coefficient,heat_factor,calorific_factor,heat_gj,heat_benchmark,waste_t,
// co_processing_factor,intensity,hist_emissions_t,decline_factor,share,supply_t,heat_t,exact_t,
// allocation_t
std::string breakdown_csv(const AllocationRun& run);
std::string breakdown_json(const AllocationRun& run);

// What was issued for `year` (pre-allocation and true-up records, by firm) and each firm's
// outstanding debts: computed, issued, penalty and debt deductions, taken back, owed, net.
// CSV header: firm,year,stage,table_id,computed_t,issued_t,penalty_deducted_t,debt_deducted_t,
// taken_back_t,owed_added_t,net_t
std::string issuance_table(const Allocator& alloc, int year);
std::string issuance_csv(const Allocator& alloc, int year);
std::string issuance_json(const Allocator& alloc, int year);

}  // namespace carbonx::allocation
