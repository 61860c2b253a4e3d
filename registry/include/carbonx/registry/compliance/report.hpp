#pragma once
// Compliance status reports for one year: per firm the obligation, allowances and offsets
// surrendered, shortfall, state (compliant, short, exempt), and after settlement the penalty.
//   - status_table: a terminal table with a totals line;
//   - status_csv: header firm,year,obligation_t,allowances_t,offsets_t,shortfall_t,status,settled,
//     penalty_t,fine_fen;
//   - status_json: {"jurisdiction","year","deadline","firms":[{...same fields...}]}.
// Pure functions, thread-safe.

#include <string>
#include <vector>

#include "carbonx/registry/compliance/compliance.hpp"

namespace carbonx::compliance {

std::string status_table(const Compliance& c, int year);
std::string status_csv(const std::vector<FirmStatus>& rows);
std::string status_json(const Compliance& c, int year);

}  // namespace carbonx::compliance
