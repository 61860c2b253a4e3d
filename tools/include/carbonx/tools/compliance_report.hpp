#pragma once
// The compliance report (issue 4 "Status", issue 7 "Reports"): per firm and in total the
// obligation (verified emissions), allowances surrendered, offsets surrendered, shortfall and
// status for one compliance year, with the progress toward the deadline that the HTML chart draws
// (cumulative surrendered tonnes per day against the total obligation).
//
// Computed over plain rows (FirmRow, SurrenderPoint) so it is testable with hand-made data; the
// adapters (store_adapter.hpp) fill them from carbonx::compliance::Compliance::status() or from
// the registry store's surrender transfers and a verified-emissions file.
//
// Rules: shortfall = max(0, obligation - allowances - offsets), 0 for an exempt firm; status
// "exempt" when exempt, else "compliant" when the shortfall is 0, else "short". Penalties are the
// ones recorded at settlement (penalty_t, fine_fen), shown as given. Pure functions, thread-safe.

#include <cstdint>
#include <string>
#include <vector>

#include "carbonx/engine/types.hpp"
#include "carbonx/engine/units.hpp"

namespace carbonx::tools {

enum class FirmStanding : std::uint8_t { kCompliant = 0, kShort, kExempt };
std::string_view to_string(FirmStanding s) noexcept;

struct FirmRow {
  std::string firm;
  std::int64_t obligation_t = 0;  // >= 0
  std::int64_t allowances_t = 0;  // >= 0, surrendered for the year
  std::int64_t offsets_t = 0;     // >= 0, CCER + PHCER surrendered for the year
  bool exempt = false;
  bool settled = false;        // penalties recorded after the deadline
  std::int64_t penalty_t = 0;  // tonnes deducted from the next allocation
  AmountFen fine_fen{0};
  Date deadline{};  // the firm's own deadline (an operator's extension); {} = the year's
};

struct SurrenderPoint {  // what was surrendered for the year on one day (all firms)
  Date date{};
  std::int64_t allowances_t = 0;
  std::int64_t offsets_t = 0;
};

struct FirmLine {
  FirmRow row;
  std::int64_t shortfall_t = 0;
  FirmStanding standing = FirmStanding::kShort;
  bool extended = false;  // row.deadline is after the year's deadline
};

struct ProgressPoint {  // cumulative surrendered up to and including `date`
  Date date{};
  std::int64_t surrendered_t = 0;
};

struct ComplianceReport {
  int year = 0;
  Date deadline{};
  Date as_of{};
  std::vector<FirmLine> firms;  // sorted by firm id
  std::int64_t obligation_t = 0;
  std::int64_t allowances_t = 0;
  std::int64_t offsets_t = 0;
  std::int64_t shortfall_t = 0;
  std::int64_t penalty_t = 0;
  AmountFen fines_fen{0};
  std::size_t compliant = 0;
  std::size_t short_firms = 0;
  std::size_t exempt = 0;
  std::vector<ProgressPoint> progress;  // by date
};

// Preconditions (asserted): no negative quantity.
ComplianceReport compute_compliance_report(int year, Date deadline, Date as_of,
                                           std::vector<FirmRow> firms,
                                           std::vector<SurrenderPoint> surrenders);

// Table with a totals line (an extended firm's deadline in its own column); CSV header
// firm,year,obligation_t,allowances_t,offsets_t,shortfall_t,status,settled,penalty_t,fine_fen,
// deadline (YYYY-MM-DD, the firm's own) with a final TOTAL row (the year's deadline); JSON
// {"schema":"carbonx.compliance_report","version":1,...} with "deadline" and "extended" per firm.
std::string compliance_table(const ComplianceReport& r);
std::string compliance_csv(const ComplianceReport& r);
std::string compliance_json(const ComplianceReport& r);

}  // namespace carbonx::tools
