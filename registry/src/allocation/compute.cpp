#include "carbonx/registry/allocation/compute.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "carbonx/engine/assert.hpp"

namespace carbonx::allocation {

std::string_view to_string(Stage s) noexcept {
  switch (s) {
    case Stage::kPre:
      return "pre-allocation";
    case Stage::kFinal:
      return "final";
  }
  return "unknown stage";
}

std::string_view to_string(AllocationError e) noexcept {
  switch (e) {
    case AllocationError::kBadYear:
      return "year out of range";
    case AllocationError::kTableMismatch:
      return "allocation table mismatch";
    case AllocationError::kNotVerified:
      return "unit has no verified output";
    case AllocationError::kUnknownFirm:
      return "firm has no registry account";
    case AllocationError::kNoAllowanceAsset:
      return "no allowance instrument for the vintage";
    case AllocationError::kAlreadyIssuedDifferently:
      return "year already issued with other amounts";
    case AllocationError::kNotPreAllocated:
      return "pre-allocation of the year not issued";
    case AllocationError::kAlreadyTrueUpped:
      return "true-up of the year already issued with other amounts";
    case AllocationError::kLedger:
      return "ledger refused the issuance";
    case AllocationError::kBadState:
      return "unreadable allocation state";
  }
  return "unknown allocation error";
}

const FirmAllocation* AllocationRun::find_firm(std::string_view firm) const {
  auto it =
      std::lower_bound(firms.begin(), firms.end(), firm,
                       [](const FirmAllocation& f, std::string_view k) { return f.firm < k; });
  return it != firms.end() && it->firm == firm ? &*it : nullptr;
}

namespace {

const Decimal kOne = Decimal::whole(1);

void compute_power(const Facility& f, const AllocationTable& t, const OutputData& d,
                   UnitBreakdown& b) {
  const ClassEntry* c = t.find_class(f.unit_class);
  CX_ASSERT(c != nullptr);
  b.output = d.output;
  b.benchmark = c->benchmark;
  b.cooling_factor = f.cooling == Cooling::kAir ? t.cooling_air : t.cooling_water;
  b.heat_ratio = f.heat_ratio;
  b.heat_coefficient = f.fuel == Fuel::kGas ? t.heat_coefficient_gas : t.heat_coefficient_coal;
  b.heat_factor = sub(kOne, mul(b.heat_coefficient, b.heat_ratio));
  CX_ASSERT(compare(b.heat_factor, Decimal::whole(0)) >= 0);
  if (c->calorific) {
    CX_ASSERT(f.calorific_kcal.has_value());
    const bool low = compare(*f.calorific_kcal, t.calorific_threshold_kcal) < 0;
    b.calorific_factor = low ? t.calorific_factor : kOne;
  }
  const ClassEntry* heat = t.heat_class(f.fuel);
  CX_ASSERT(heat != nullptr);
  b.heat_gj = d.heat_gj;
  b.heat_benchmark = heat->benchmark;
  b.supply_t = mul(mul(mul(mul(b.output, b.benchmark), b.cooling_factor), b.heat_factor),
                   b.calorific_factor);
  b.heat_t = mul(b.heat_gj, b.heat_benchmark);
}

void compute_unit(const Facility& f, const AllocationTable& t, Stage stage, UnitBreakdown& b) {
  const OutputData& d = stage == Stage::kPre ? f.base : *f.actual;
  const SectorEntry* s = t.find_sector(f.sector);
  CX_ASSERT(s != nullptr);
  CX_ASSERT(s->method == f.method);
  b.share = stage == Stage::kPre ? s->share : kOne;
  const ClassEntry* c = f.method == Method::kGeneric ? nullptr : t.find_class(f.unit_class);
  switch (f.method) {
    case Method::kPower:
      compute_power(f, t, d, b);
      break;
    case Method::kHeat:
    case Method::kAluminium:
      b.output = d.output;
      b.benchmark = c->benchmark;
      b.supply_t = mul(b.output, b.benchmark);
      break;
    case Method::kCement:
      b.output = d.output;
      b.benchmark = c->benchmark;
      b.waste_t = d.waste_t;
      b.co_processing_factor = add(kOne, t.co_processing_uplift(d.waste_t));
      b.supply_t = mul(mul(b.output, b.benchmark), b.co_processing_factor);
      break;
    case Method::kGeneric:
      b.decline_factor = f.decline_factor;
      if (f.generic == GenericMethod::kIntensity) {
        b.output = d.output;
        b.intensity = f.intensity;
        b.supply_t = mul(mul(b.output, b.intensity), b.decline_factor);
      } else {
        b.hist_emissions_t = f.hist_emissions_t;
        b.supply_t = mul(b.hist_emissions_t, b.decline_factor);
      }
      break;
  }
  b.exact_t = mul(add(b.supply_t, b.heat_t), b.share);
  CX_ASSERT(compare(b.exact_t, Decimal::whole(0)) >= 0);
  b.allocation_t = round_half_up(b.exact_t);
}

}  // namespace

Result<AllocationRun, AllocationFailure> compute_allocation(const FacilitySet& facilities,
                                                            const AllocationTable& table, int year,
                                                            Stage stage) {
  if (year < kMinYear || year > kMaxYear) {
    return Err{AllocationFailure{AllocationError::kBadYear, std::to_string(year)}};
  }
  if (facilities.table_id != table.table_id) {
    return Err{
        AllocationFailure{AllocationError::kTableMismatch,
                          fmt::format("facilities checked against '{}', allocating with '{}'",
                                      facilities.table_id, table.table_id)}};
  }
  if (stage == Stage::kFinal) {
    for (const Facility& f : facilities.units) {
      if (f.verified()) continue;
      return Err{AllocationFailure{
          AllocationError::kNotVerified,
          fmt::format("{}:{}: unit '{}' of firm '{}'", facilities.file, f.line, f.unit, f.firm)}};
    }
  }
  AllocationRun run;
  run.year = year;
  run.table_id = table.table_id;
  run.stage = stage;
  run.facilities = &facilities;
  run.units.resize(facilities.units.size());
  std::map<std::string_view, FirmAllocation> firms;
  for (std::size_t i = 0; i < facilities.units.size(); ++i) {
    const Facility& f = facilities.units[i];
    UnitBreakdown& b = run.units[i];
    b.index = i;
    compute_unit(f, table, stage, b);
    FirmAllocation& firm = firms[f.firm];
    firm.allocation_t += b.allocation_t;
    ++firm.units;
    run.total_t += b.allocation_t;
  }
  run.firms.reserve(firms.size());
  for (auto& [name, firm] : firms) {
    firm.firm = std::string(name);
    run.firms.push_back(std::move(firm));
  }
  return run;
}

}  // namespace carbonx::allocation
