#pragma once
// The compliance report's rows from the server's `compliance.status` operator verb (the
// registrar's compliance state: obligations, surrenders, exemptions, extensions, settlement and
// penalties), for `cxctl compliance status` in server and in-process mode alike.
//
// The reply's "status" object (gateway/src/operator_registry.cpp):
//   {"jurisdiction": "guangdong", "year": 2017, "deadline": 20180620,
//    "firms": [{"firm", "obligation_t", "allowances_t", "offsets_t", "shortfall_t",
//               "status": "compliant|short|exempt", "settled", "penalty_t", "fine_fen",
//               "deadline": yyyymmdd (with an extension), "extended"}],
//    "surrenders": [{"date": yyyymmdd, "allowances_t", "offsets_t"}]}
// "deadline"/"extended" per firm and "surrenders" are optional (older servers): then every firm
// has the year's deadline and the progress is empty.
//
// Errors: a body that is not this shape, a negative quantity or a date that is not yyyymmdd gives
// a one-line message naming the field; nothing is partially returned. Pure, thread-safe.

#include <string>
#include <string_view>
#include <vector>

#include "carbonx/engine/result.hpp"
#include "carbonx/tools/compliance_report.hpp"

namespace carbonx::tools {

struct ServerCompliance {
  std::string jurisdiction;
  int year = 0;
  Date deadline{};  // the year's deadline (an extended firm's own is in its FirmRow)
  std::vector<FirmRow> firms;
  std::vector<SurrenderPoint> surrenders;
};

// Parses a whole `compliance.status` reply ({"ok": true, "status": {...}}) for `year`.
Result<ServerCompliance, std::string> compliance_from_status_reply(std::string_view body, int year);

}  // namespace carbonx::tools
