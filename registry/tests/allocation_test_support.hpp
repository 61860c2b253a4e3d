#pragma once
// Test helpers for the allocation and compliance tests: the data tables of registry/data and a
// builder of facility CSV rows by column name.

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <string>

#include "carbonx/registry/allocation/facility.hpp"
#include "carbonx/registry/allocation/table.hpp"

namespace carbonx::allocation::testing {

inline std::string data_path(const std::string& name) {
  return (std::filesystem::path(CARBONX_REGISTRY_DATA_DIR) / name).string();
}

inline const AllocationTable& table_2017() {
  static const AllocationTable t = [] {
    auto r = load_allocation_table(data_path("benchmarks_national_2017_draft.csv"));
    if (!r) ADD_FAILURE() << to_string(r.error());
    return r.ok() ? r.value() : AllocationTable{};
  }();
  return t;
}

inline const AllocationTable& table_2019() {
  static const AllocationTable t = [] {
    auto r = load_allocation_table(data_path("benchmarks_national_2019_2020.csv"));
    if (!r) ADD_FAILURE() << to_string(r.error());
    return r.ok() ? r.value() : AllocationTable{};
  }();
  return t;
}

inline const char* const kFacilityHeader =
    "firm,unit,sector,class,fuel,cooling,heat_ratio,calorific_kcal_per_kg,base_output,"
    "base_heat_gj,base_waste_t,actual_output,actual_heat_gj,actual_waste_t,intensity,"
    "hist_emissions_t,decline_factor\n";

// One facility line: the named columns filled, every other column empty.
inline std::string row(const std::map<std::string, std::string>& v) {
  static const char* const cols[] = {
      "firm",           "unit",           "sector",       "class",
      "fuel",           "cooling",        "heat_ratio",   "calorific_kcal_per_kg",
      "base_output",    "base_heat_gj",   "base_waste_t", "actual_output",
      "actual_heat_gj", "actual_waste_t", "intensity",    "hist_emissions_t",
      "decline_factor"};
  std::string out;
  for (const char* c : cols) {
    if (!out.empty()) out += ',';
    auto it = v.find(c);
    if (it != v.end()) out += it->second;
  }
  return out + "\n";
}

}  // namespace carbonx::allocation::testing
