// The compliance report (compliance_report.hpp).
#include "carbonx/tools/compliance_report.hpp"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>

#include "carbonx/engine/assert.hpp"
#include "carbonx/tools/format.hpp"

namespace carbonx::tools {

std::string_view to_string(FirmStanding s) noexcept {
  switch (s) {
    case FirmStanding::kCompliant:
      return "compliant";
    case FirmStanding::kShort:
      return "short";
    case FirmStanding::kExempt:
      return "exempt";
  }
  return "?";
}

ComplianceReport compute_compliance_report(int year, Date deadline, Date as_of,
                                           std::vector<FirmRow> firms,
                                           std::vector<SurrenderPoint> surrenders) {
  ComplianceReport r;
  r.year = year;
  r.deadline = deadline;
  r.as_of = as_of;
  std::sort(firms.begin(), firms.end(),
            [](const FirmRow& a, const FirmRow& b) { return a.firm < b.firm; });
  for (FirmRow& f : firms) {
    CX_ASSERT(f.obligation_t >= 0);
    CX_ASSERT(f.allowances_t >= 0 && f.offsets_t >= 0);
    CX_ASSERT(f.penalty_t >= 0 && f.fine_fen.value() >= 0);
    FirmLine line;
    const std::int64_t covered = f.allowances_t + f.offsets_t;
    line.shortfall_t = f.exempt ? 0 : std::max<std::int64_t>(0, f.obligation_t - covered);
    line.standing = f.exempt                ? FirmStanding::kExempt
                    : line.shortfall_t == 0 ? FirmStanding::kCompliant
                                            : FirmStanding::kShort;
    if (!f.exempt) r.obligation_t += f.obligation_t;
    r.allowances_t += f.allowances_t;
    r.offsets_t += f.offsets_t;
    r.shortfall_t += line.shortfall_t;
    r.penalty_t += f.penalty_t;
    r.fines_fen += f.fine_fen;
    ++(line.standing == FirmStanding::kExempt      ? r.exempt
       : line.standing == FirmStanding::kCompliant ? r.compliant
                                                   : r.short_firms);
    if (f.deadline == Date{}) f.deadline = deadline;
    line.extended = f.deadline > deadline;
    line.row = std::move(f);
    r.firms.push_back(std::move(line));
  }
  std::map<std::int32_t, std::int64_t> per_day;
  for (const SurrenderPoint& s : surrenders) {
    CX_ASSERT(s.allowances_t >= 0 && s.offsets_t >= 0);
    per_day[s.date.yyyymmdd] += s.allowances_t + s.offsets_t;
  }
  std::int64_t cumulative = 0;
  for (const auto& [d, t] : per_day) {
    cumulative += t;
    r.progress.push_back(ProgressPoint{Date{d}, cumulative});
  }
  return r;
}

std::string compliance_table(const ComplianceReport& r) {
  std::string out = "Compliance year " + std::to_string(r.year) + ", deadline " +
                    date_text(r.deadline) + ", as of " + date_text(r.as_of) + "\n";
  TextTable t({{"firm", false},
               {"obligation t", true},
               {"allowances t", true},
               {"offsets t", true},
               {"shortfall t", true},
               {"status", false},
               {"penalty t", true},
               {"fine CNY", true},
               {"extended to", false}});
  for (const FirmLine& f : r.firms) {
    t.add_row({f.row.firm, grouped(f.row.obligation_t), grouped(f.row.allowances_t),
               grouped(f.row.offsets_t), grouped(f.shortfall_t),
               std::string(to_string(f.standing)) + (f.row.settled ? " (settled)" : ""),
               grouped(f.row.penalty_t), fen_to_yuan(f.row.fine_fen.value()),
               f.extended ? date_text(f.row.deadline) : ""});
  }
  t.add_rule();
  t.add_row({"total", grouped(r.obligation_t), grouped(r.allowances_t), grouped(r.offsets_t),
             grouped(r.shortfall_t),
             std::to_string(r.compliant) + " compliant, " + std::to_string(r.short_firms) +
                 " short, " + std::to_string(r.exempt) + " exempt",
             grouped(r.penalty_t), fen_to_yuan(r.fines_fen.value()), ""});
  out += t.render();
  out += "Surrendered " + permille_text(permille(r.allowances_t + r.offsets_t, r.obligation_t)) +
         " of the obligation\n";
  return out;
}

std::string compliance_csv(const ComplianceReport& r) {
  std::string out =
      "firm,year,obligation_t,allowances_t,offsets_t,shortfall_t,status,settled,penalty_t,"
      "fine_fen,deadline\n";
  const std::string year = std::to_string(r.year);
  for (const FirmLine& f : r.firms) {
    out += csv_field(f.row.firm) + "," + year + "," + std::to_string(f.row.obligation_t) + "," +
           std::to_string(f.row.allowances_t) + "," + std::to_string(f.row.offsets_t) + "," +
           std::to_string(f.shortfall_t) + "," + std::string(to_string(f.standing)) + "," +
           (f.row.settled ? "true" : "false") + "," + std::to_string(f.row.penalty_t) + "," +
           std::to_string(f.row.fine_fen.value()) + "," + date_text(f.row.deadline) + "\n";
  }
  out += "TOTAL," + year + "," + std::to_string(r.obligation_t) + "," +
         std::to_string(r.allowances_t) + "," + std::to_string(r.offsets_t) + "," +
         std::to_string(r.shortfall_t) + ",,," + std::to_string(r.penalty_t) + "," +
         std::to_string(r.fines_fen.value()) + "," + date_text(r.deadline) + "\n";
  return out;
}

std::string compliance_json(const ComplianceReport& r) {
  using json = nlohmann::ordered_json;
  json firms = json::array();
  for (const FirmLine& f : r.firms) {
    firms.push_back(json{{"firm", f.row.firm},
                         {"obligation_t", f.row.obligation_t},
                         {"allowances_t", f.row.allowances_t},
                         {"offsets_t", f.row.offsets_t},
                         {"shortfall_t", f.shortfall_t},
                         {"status", to_string(f.standing)},
                         {"settled", f.row.settled},
                         {"penalty_t", f.row.penalty_t},
                         {"fine_fen", f.row.fine_fen.value()},
                         {"deadline", date_text(f.row.deadline)},
                         {"extended", f.extended}});
  }
  json progress = json::array();
  for (const ProgressPoint& p : r.progress) {
    progress.push_back(json{{"date", date_text(p.date)}, {"surrendered_t", p.surrendered_t}});
  }
  json out{{"schema", "carbonx.compliance_report"},
           {"version", 1},
           {"year", r.year},
           {"deadline", date_text(r.deadline)},
           {"as_of", date_text(r.as_of)},
           {"firms", firms},
           {"total", json{{"obligation_t", r.obligation_t},
                          {"allowances_t", r.allowances_t},
                          {"offsets_t", r.offsets_t},
                          {"shortfall_t", r.shortfall_t},
                          {"penalty_t", r.penalty_t},
                          {"fines_fen", r.fines_fen.value()},
                          {"compliant", r.compliant},
                          {"short", r.short_firms},
                          {"exempt", r.exempt}}},
           {"progress", progress}};
  return out.dump(2) + "\n";
}

}  // namespace carbonx::tools
