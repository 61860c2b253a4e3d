#include "carbonx/registry/compliance/report.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

namespace carbonx::compliance {

std::string status_table(const Compliance& c, int year) {
  const std::vector<FirmStatus> rows = c.status(year);
  std::string out = fmt::format("Compliance {} of {} (deadline {} CST, end of day)\n",
                                c.profile().name, year, c.profile().deadline(year));
  out += fmt::format("{:<14} {:>14} {:>14} {:>12} {:>12} {:<10} {:>12} {:>12}\n", "firm",
                     "obligation_t", "allowances_t", "offsets_t", "shortfall_t", "status",
                     "penalty_t", "fine_fen");
  std::int64_t ob = 0, al = 0, of = 0, sh = 0;
  for (const FirmStatus& s : rows) {
    out += fmt::format("{:<14} {:>14} {:>14} {:>12} {:>12} {:<10} {:>12} {:>12}\n", s.firm,
                       s.obligation_t, s.allowances_t, s.offsets_t, s.shortfall_t,
                       to_string(s.state), s.settled ? std::to_string(s.penalty_t) : "-",
                       s.settled ? std::to_string(s.fine_fen.value()) : "-");
    ob += s.obligation_t;
    al += s.allowances_t;
    of += s.offsets_t;
    sh += s.shortfall_t;
  }
  out += fmt::format("{:<14} {:>14} {:>14} {:>12} {:>12} {:<10}\n", "TOTAL", ob, al, of, sh,
                     fmt::format("{} firms", rows.size()));
  return out;
}

std::string status_csv(const std::vector<FirmStatus>& rows) {
  std::string out =
      "firm,year,obligation_t,allowances_t,offsets_t,shortfall_t,status,settled,penalty_t,"
      "fine_fen\n";
  for (const FirmStatus& s : rows) {
    out += fmt::format("{},{},{},{},{},{},{},{},{},{}\n", s.firm, s.year, s.obligation_t,
                       s.allowances_t, s.offsets_t, s.shortfall_t, to_string(s.state),
                       s.settled ? "yes" : "no", s.penalty_t, s.fine_fen.value());
  }
  return out;
}

std::string status_json(const Compliance& c, int year) {
  using nlohmann::json;
  json j{
      {"jurisdiction", c.profile().name}, {"year", year}, {"deadline", c.profile().deadline(year)}};
  j["firms"] = json::array();
  for (const FirmStatus& s : c.status(year)) {
    j["firms"].push_back(json{{"firm", s.firm},
                              {"obligation_t", s.obligation_t},
                              {"allowances_t", s.allowances_t},
                              {"offsets_t", s.offsets_t},
                              {"shortfall_t", s.shortfall_t},
                              {"status", to_string(s.state)},
                              {"settled", s.settled},
                              {"penalty_t", s.penalty_t},
                              {"fine_fen", s.fine_fen.value()}});
  }
  return j.dump(2);
}

}  // namespace carbonx::compliance
