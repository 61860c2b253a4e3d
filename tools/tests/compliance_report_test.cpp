// The compliance report over hand-made rows: shortfall, standing, totals, progress, renderings.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "carbonx/tools/compliance_report.hpp"

namespace carbonx::tools {
namespace {

ComplianceReport sample() {
  std::vector<FirmRow> firms{
      {"GDPWR02", 1000, 900, 100, false, false, 0, AmountFen(0)},        // compliant with offsets
      {"GDCEM01", 500, 200, 0, false, true, 600, AmountFen(5'000'000)},  // 300 short, settled
      {"GDALU01", 800, 0, 0, true, false, 0, AmountFen(0)},              // exempt
  };
  std::vector<SurrenderPoint> s{
      {Date{20180601}, 500, 0}, {Date{20180615}, 600, 100}, {Date{20180601}, 0, 0}};
  return compute_compliance_report(2017, Date{20180620}, Date{20180701}, firms, s);
}

TEST(ComplianceReport, ShortfallStandingAndTotals) {
  const ComplianceReport r = sample();
  ASSERT_EQ(r.firms.size(), 3u);
  EXPECT_EQ(r.firms[0].row.firm, "GDALU01");  // sorted by firm id
  EXPECT_EQ(r.firms[0].standing, FirmStanding::kExempt);
  EXPECT_EQ(r.firms[0].shortfall_t, 0);
  EXPECT_EQ(r.firms[1].row.firm, "GDCEM01");
  EXPECT_EQ(r.firms[1].shortfall_t, 300);
  EXPECT_EQ(r.firms[1].standing, FirmStanding::kShort);
  EXPECT_EQ(r.firms[2].standing, FirmStanding::kCompliant);
  EXPECT_EQ(r.obligation_t, 1500);  // the exempt firm's emissions set no obligation
  EXPECT_EQ(r.allowances_t, 1100);
  EXPECT_EQ(r.offsets_t, 100);
  EXPECT_EQ(r.shortfall_t, 300);
  EXPECT_EQ(r.penalty_t, 600);
  EXPECT_EQ(r.fines_fen, AmountFen(5'000'000));
  EXPECT_EQ(r.compliant, 1u);
  EXPECT_EQ(r.short_firms, 1u);
  EXPECT_EQ(r.exempt, 1u);
  ASSERT_EQ(r.progress.size(), 2u);
  EXPECT_EQ(r.progress[0].surrendered_t, 500);
  EXPECT_EQ(r.progress[1].date, Date{20180615});
  EXPECT_EQ(r.progress[1].surrendered_t, 1200);
}

TEST(ComplianceReport, Renderings) {
  const ComplianceReport r = sample();
  const std::string table = compliance_table(r);
  EXPECT_NE(table.find("GDCEM01"), std::string::npos);
  EXPECT_NE(table.find("short (settled)"), std::string::npos);
  EXPECT_NE(table.find("1 compliant, 1 short, 1 exempt"), std::string::npos);
  EXPECT_NE(table.find("Surrendered 80.0% of the obligation"), std::string::npos);
  const std::string csv = compliance_csv(r);
  EXPECT_NE(csv.find("GDCEM01,2017,500,200,0,300,short,true,600,5000000\n"), std::string::npos);
  EXPECT_NE(csv.find("TOTAL,2017,1500,1100,100,300,,,600,5000000\n"), std::string::npos);
  const auto j = nlohmann::json::parse(compliance_json(r));
  EXPECT_EQ(j["deadline"], "2018-06-20");
  EXPECT_EQ(j["firms"][2]["status"], "compliant");
  EXPECT_EQ(j["total"]["short"], 1);
  EXPECT_EQ(j["progress"][1]["surrendered_t"], 1200);
}

}  // namespace
}  // namespace carbonx::tools
