// Compliance::standing: a firm's obligation, what it surrendered, its deadline and its offset cap
// for a year, as the surrender rules (compliance.cpp) read them. For the firm portal; the
// decision on a surrender is always Compliance::surrender's (or its dry run, the registrar's
// preview_surrender), never a recomputation from these numbers.
#include "carbonx/registry/allocation/compute.hpp"
#include "carbonx/registry/compliance/compliance.hpp"

namespace carbonx::compliance {

FirmStanding Compliance::standing(int year, std::string_view firm,
                                  const Allocator& allocator) const {
  FirmStanding s;
  s.firm = std::string(firm);
  s.year = year;
  const Key key{year, s.firm};
  if (const auto e = emissions_.find(key); e != emissions_.end()) {
    s.has_obligation = true;
    s.obligation_t = e->second;
  }
  s.exempt = exempt_.count(key) != 0;
  s.deadline = deadline(year, firm);
  s.extended = s.deadline != profile_.deadline(year);
  if (const auto t = totals_.find(key); t != totals_.end()) {
    s.allowances_t = t->second.allowances_t;
    s.ccer_t = t->second.ccer_t;
    s.ccer_in_region_t = t->second.ccer_in_region_t;
    s.phcer_t = t->second.phcer_t;
    s.surrenders = t->second.surrenders;
  }
  // The cap's basis as check_offsets() takes it.
  if (profile_.cap_basis == CapBasis::kPriorYearEmissions) {
    if (const auto e = emissions_.find({year - 1, s.firm}); e != emissions_.end()) {
      s.cap_basis_t = e->second;
    }
  } else if (profile_.cap_basis == CapBasis::kInitialAllocation) {
    s.cap_basis_t = allocator.initial_allocation(year, firm);
  } else if (s.has_obligation) {
    s.cap_basis_t = s.obligation_t;
  }
  if (s.cap_basis_t)
    s.offset_cap = allocation::mul(profile_.offset_cap, Decimal::whole(*s.cap_basis_t));
  return s;
}

}  // namespace carbonx::compliance
