#include "carbonx/registry/allocation/report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "carbonx/engine/assert.hpp"

namespace carbonx::allocation {
namespace {

std::string d(Decimal v) {
  return to_string(v);
}

std::string output_unit(Method m) {
  switch (m) {
    case Method::kPower:
      return "MWh";
    case Method::kHeat:
      return "GJ";
    case Method::kCement:
      return "t clinker";
    case Method::kAluminium:
      return "t Al";
    case Method::kGeneric:
      return "units";
  }
  return "";
}

// CSV field: quoted when it holds a separator or a quote.
std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

}  // namespace

std::string formula(const AllocationRun& run, const UnitBreakdown& b) {
  CX_ASSERT(run.facilities != nullptr);
  const Facility& f = run.facilities->units[b.index];
  std::string core;
  switch (f.method) {
    case Method::kPower:
      core = fmt::format(
          "{} MWh x {} x cooling {} x heat (1 - {} x {} = {}) x calorific {} + {} GJ x {}",
          d(b.output), d(b.benchmark), d(b.cooling_factor), d(b.heat_coefficient), d(b.heat_ratio),
          d(b.heat_factor), d(b.calorific_factor), d(b.heat_gj), d(b.heat_benchmark));
      break;
    case Method::kHeat:
    case Method::kAluminium:
      core = fmt::format("{} {} x {}", d(b.output), output_unit(f.method), d(b.benchmark));
      break;
    case Method::kCement:
      core = fmt::format("{} t clinker x {} x co-processing {} ({} t waste)", d(b.output),
                         d(b.benchmark), d(b.co_processing_factor), d(b.waste_t));
      break;
    case Method::kGeneric:
      core = f.generic == GenericMethod::kIntensity
                 ? fmt::format("{} units x intensity {} x decline {}", d(b.output), d(b.intensity),
                               d(b.decline_factor))
                 : fmt::format("{} t historical x decline {}", d(b.hist_emissions_t),
                               d(b.decline_factor));
      break;
  }
  return fmt::format("{} = {} x share {} = {} -> {} t", core, d(add(b.supply_t, b.heat_t)),
                     d(b.share), d(b.exact_t), b.allocation_t);
}

std::string breakdown_table(const AllocationRun& run) {
  CX_ASSERT(run.facilities != nullptr);
  std::string out = fmt::format("Allocation {} of {} under table {} (rounded half up per unit)\n",
                                to_string(run.stage), run.year, run.table_id);
  out += fmt::format("{:<12} {:<12} {:<28} {}\n", "firm", "unit", "sector/class", "formula");
  for (const UnitBreakdown& b : run.units) {
    const Facility& f = run.facilities->units[b.index];
    out += fmt::format("{:<12} {:<12} {:<28} {}\n", f.firm, f.unit,
                       fmt::format("{}/{}", f.sector, f.unit_class), formula(run, b));
  }
  out += fmt::format("\n{:<12} {:>6} {:>14}\n", "firm", "units", "allocation_t");
  for (const FirmAllocation& firm : run.firms) {
    out += fmt::format("{:<12} {:>6} {:>14}\n", firm.firm, firm.units, firm.allocation_t);
  }
  out += fmt::format("{:<12} {:>6} {:>14}\n", "TOTAL", run.units.size(), run.total_t);
  return out;
}

std::string breakdown_csv(const AllocationRun& run) {
  CX_ASSERT(run.facilities != nullptr);
  std::string out =
      "firm,unit,sector,class,stage,output,benchmark,cooling_factor,heat_ratio,heat_coefficient,"
      "heat_factor,calorific_factor,heat_gj,heat_benchmark,waste_t,co_processing_factor,intensity,"
      "hist_emissions_t,decline_factor,share,supply_t,heat_t,exact_t,allocation_t\n";
  for (const UnitBreakdown& b : run.units) {
    const Facility& f = run.facilities->units[b.index];
    out += fmt::format("{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}\n",
                       csv_field(f.firm), csv_field(f.unit), csv_field(f.sector),
                       csv_field(f.unit_class), run.stage == Stage::kPre ? "pre" : "final",
                       d(b.output), d(b.benchmark), d(b.cooling_factor), d(b.heat_ratio),
                       d(b.heat_coefficient), d(b.heat_factor), d(b.calorific_factor), d(b.heat_gj),
                       d(b.heat_benchmark), d(b.waste_t), d(b.co_processing_factor), d(b.intensity),
                       d(b.hist_emissions_t), d(b.decline_factor), d(b.share), d(b.supply_t),
                       d(b.heat_t), d(b.exact_t), b.allocation_t);
  }
  return out;
}

std::string breakdown_json(const AllocationRun& run) {
  CX_ASSERT(run.facilities != nullptr);
  using nlohmann::json;
  json j{{"year", run.year},
         {"table_id", run.table_id},
         {"stage", run.stage == Stage::kPre ? "pre" : "final"},
         {"rounding", "half up, once per unit, to whole tonnes"},
         {"total_t", run.total_t}};
  j["units"] = json::array();
  for (const UnitBreakdown& b : run.units) {
    const Facility& f = run.facilities->units[b.index];
    j["units"].push_back(json{{"firm", f.firm},
                              {"unit", f.unit},
                              {"sector", f.sector},
                              {"class", f.unit_class},
                              {"output", d(b.output)},
                              {"benchmark", d(b.benchmark)},
                              {"cooling_factor", d(b.cooling_factor)},
                              {"heat_ratio", d(b.heat_ratio)},
                              {"heat_coefficient", d(b.heat_coefficient)},
                              {"heat_factor", d(b.heat_factor)},
                              {"calorific_factor", d(b.calorific_factor)},
                              {"heat_gj", d(b.heat_gj)},
                              {"heat_benchmark", d(b.heat_benchmark)},
                              {"waste_t", d(b.waste_t)},
                              {"co_processing_factor", d(b.co_processing_factor)},
                              {"intensity", d(b.intensity)},
                              {"hist_emissions_t", d(b.hist_emissions_t)},
                              {"decline_factor", d(b.decline_factor)},
                              {"share", d(b.share)},
                              {"supply_t", d(b.supply_t)},
                              {"heat_t", d(b.heat_t)},
                              {"exact_t", d(b.exact_t)},
                              {"allocation_t", b.allocation_t},
                              {"formula", formula(run, b)}});
  }
  j["firms"] = json::array();
  for (const FirmAllocation& firm : run.firms) {
    j["firms"].push_back(
        json{{"firm", firm.firm}, {"units", firm.units}, {"allocation_t", firm.allocation_t}});
  }
  return j.dump(2);
}

namespace {

std::vector<const IssuanceRecord*> records_of(const Allocator& alloc, int year) {
  std::vector<const IssuanceRecord*> out;
  for (const IssuanceRecord& r : alloc.records()) {
    if (r.year == year) out.push_back(&r);
  }
  std::stable_sort(out.begin(), out.end(), [](const IssuanceRecord* a, const IssuanceRecord* b) {
    return a->firm != b->firm ? a->firm < b->firm : a->stage < b->stage;
  });
  return out;
}

std::string_view stage_code(Stage s) {
  return s == Stage::kPre ? "pre" : "final";
}

}  // namespace

std::string issuance_table(const Allocator& alloc, int year) {
  std::string out = fmt::format("Issuance of {} (t)\n", year);
  out += fmt::format("{:<12} {:<6} {:>12} {:>12} {:>10} {:>10} {:>10} {:>10} {:>12} {:>12}\n",
                     "firm", "stage", "computed", "issued", "penalty", "debt", "taken", "owed",
                     "net", "still_owed");
  for (const IssuanceRecord* r : records_of(alloc, year)) {
    out += fmt::format("{:<12} {:<6} {:>12} {:>12} {:>10} {:>10} {:>10} {:>10} {:>12} {:>12}\n",
                       r->firm, stage_code(r->stage), r->computed_t, r->issued_t,
                       r->penalty_deducted_t, r->debt_deducted_t, r->taken_back_t, r->owed_added_t,
                       r->net_t(), alloc.debt(r->firm).total());
  }
  return out;
}

std::string issuance_csv(const Allocator& alloc, int year) {
  std::string out =
      "firm,year,stage,table_id,computed_t,issued_t,penalty_deducted_t,debt_deducted_t,"
      "taken_back_t,owed_added_t,net_t\n";
  for (const IssuanceRecord* r : records_of(alloc, year)) {
    out += fmt::format("{},{},{},{},{},{},{},{},{},{},{}\n", csv_field(r->firm), r->year,
                       stage_code(r->stage), r->table_id, r->computed_t, r->issued_t,
                       r->penalty_deducted_t, r->debt_deducted_t, r->taken_back_t, r->owed_added_t,
                       r->net_t());
  }
  return out;
}

std::string issuance_json(const Allocator& alloc, int year) {
  using nlohmann::json;
  json j{{"year", year}, {"records", json::array()}};
  for (const IssuanceRecord* r : records_of(alloc, year)) {
    j["records"].push_back(json{{"firm", r->firm},
                                {"stage", stage_code(r->stage)},
                                {"table_id", r->table_id},
                                {"computed_t", r->computed_t},
                                {"issued_t", r->issued_t},
                                {"penalty_deducted_t", r->penalty_deducted_t},
                                {"debt_deducted_t", r->debt_deducted_t},
                                {"taken_back_t", r->taken_back_t},
                                {"owed_added_t", r->owed_added_t},
                                {"net_t", r->net_t()},
                                {"still_owed_t", alloc.debt(r->firm).total()}});
  }
  return j.dump(2);
}

}  // namespace carbonx::allocation
