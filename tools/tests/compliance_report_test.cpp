// The compliance report over hand-made rows: shortfall, standing, totals, progress, renderings.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "carbonx/tools/compliance_report.hpp"
#include "carbonx/tools/compliance_status.hpp"

namespace carbonx::tools {
namespace {

ComplianceReport sample() {
  std::vector<FirmRow> firms{
      {"GDPWR02", 1000, 900, 100, false, false, 0, AmountFen(0), Date{20180930}},  // extended
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
  EXPECT_NE(table.find("extended to"), std::string::npos);
  EXPECT_NE(table.find("2018-09-30"), std::string::npos);  // GDPWR02's extension
  EXPECT_NE(csv.find("GDCEM01,2017,500,200,0,300,short,true,600,5000000,2018-06-20\n"),
            std::string::npos);
  EXPECT_NE(csv.find("GDPWR02,2017,1000,900,100,0,compliant,false,0,0,2018-09-30\n"),
            std::string::npos);
  EXPECT_NE(csv.find("TOTAL,2017,1500,1100,100,300,,,600,5000000,2018-06-20\n"), std::string::npos);
  const auto j = nlohmann::json::parse(compliance_json(r));
  EXPECT_EQ(j["deadline"], "2018-06-20");
  EXPECT_EQ(j["firms"][2]["status"], "compliant");
  EXPECT_EQ(j["total"]["short"], 1);
  EXPECT_EQ(j["progress"][1]["surrendered_t"], 1200);
  EXPECT_EQ(j["firms"][2]["deadline"], "2018-09-30");
  EXPECT_EQ(j["firms"][2]["extended"], true);
  EXPECT_EQ(j["firms"][1]["deadline"], "2018-06-20");
  EXPECT_EQ(j["firms"][1]["extended"], false);
}

// A compliance.status reply as gateway/src/operator_registry.cpp writes it.
std::string status_reply(const std::string& firms, const std::string& extra = "") {
  return R"({"ok":true,"status":{"jurisdiction":"guangdong","year":2017,"deadline":20180620,)"
         R"("firms":[)" +
         firms + "]" + extra + "}}";
}

TEST(ComplianceStatusReply, FirmsPenaltiesExtensionsAndSurrendersBecomeReportRows) {
  const std::string firms =
      R"({"firm":"GDALU02","obligation_t":800000,"allowances_t":0,"offsets_t":0,)"
      R"("shortfall_t":800000,"status":"short","settled":true,"penalty_t":1600000,)"
      R"("fine_fen":5000000,"deadline":20180620,"extended":false},)"
      R"({"firm":"GDALU01","obligation_t":900000,"allowances_t":1000,"offsets_t":100,)"
      R"("shortfall_t":898900,"status":"short","settled":false,"penalty_t":0,"fine_fen":0,)"
      R"("deadline":20991231,"extended":true},)"
      R"({"firm":"GDCEM09","obligation_t":5,"allowances_t":0,"offsets_t":0,"shortfall_t":0,)"
      R"("status":"exempt","settled":false,"penalty_t":0,"fine_fen":0})";
  const auto parsed = compliance_from_status_reply(
      status_reply(firms,
                   R"(,"surrenders":[{"date":20261121,"allowances_t":1000,"offsets_t":100}])"),
      2017);
  ASSERT_TRUE(parsed.ok()) << parsed.error();
  const ServerCompliance& s = parsed.value();
  EXPECT_EQ(s.jurisdiction, "guangdong");
  EXPECT_EQ(s.deadline, Date{20180620});
  ASSERT_EQ(s.firms.size(), 3u);
  EXPECT_EQ(s.firms[2].deadline, Date{20180620});  // no "deadline": the year's
  const ComplianceReport r =
      compute_compliance_report(2017, s.deadline, Date{20261121}, s.firms, s.surrenders);
  EXPECT_EQ(r.firms[0].row.firm, "GDALU01");
  EXPECT_TRUE(r.firms[0].extended);
  EXPECT_EQ(r.firms[0].shortfall_t, 898'900);
  EXPECT_EQ(r.firms[1].row.penalty_t, 1'600'000);
  EXPECT_TRUE(r.firms[1].row.settled);
  EXPECT_EQ(r.firms[2].standing, FirmStanding::kExempt);
  EXPECT_EQ(r.penalty_t, 1'600'000);
  EXPECT_EQ(r.fines_fen, AmountFen(5'000'000));
  EXPECT_EQ(r.short_firms, 2u);
  ASSERT_EQ(r.progress.size(), 1u);
  EXPECT_EQ(r.progress[0].surrendered_t, 1100);
  const std::string table = compliance_table(r);
  EXPECT_NE(table.find("short (settled)"), std::string::npos) << table;
  EXPECT_NE(table.find("1,600,000"), std::string::npos) << table;
  EXPECT_NE(table.find("50000.00"), std::string::npos) << table;
  EXPECT_NE(table.find("2099-12-31"), std::string::npos) << table;
}

TEST(ComplianceStatusReply, AMalformedReplyIsOneLineNamingTheField) {
  const auto no_status = compliance_from_status_reply(R"({"ok":true})", 2017);
  ASSERT_FALSE(no_status.ok());
  EXPECT_NE(no_status.error().find("no \"status\""), std::string::npos) << no_status.error();
  const auto negative = compliance_from_status_reply(
      status_reply(R"({"firm":"X","obligation_t":-1,"allowances_t":0,"offsets_t":0,)"
                   R"("status":"short","settled":false,"penalty_t":0,"fine_fen":0})"),
      2017);
  ASSERT_FALSE(negative.ok());
  EXPECT_NE(negative.error().find("obligation_t"), std::string::npos) << negative.error();
  const auto bad_state = compliance_from_status_reply(
      status_reply(R"({"firm":"X","obligation_t":1,"allowances_t":0,"offsets_t":0,)"
                   R"("status":"late","settled":false,"penalty_t":0,"fine_fen":0})"),
      2017);
  ASSERT_FALSE(bad_state.ok());
  EXPECT_NE(bad_state.error().find("status"), std::string::npos) << bad_state.error();
  const auto bad_date = compliance_from_status_reply(
      status_reply("", R"(,"surrenders":[{"date":20181340,"allowances_t":1,"offsets_t":0}])"),
      2017);
  ASSERT_FALSE(bad_date.ok());
  EXPECT_NE(bad_date.error().find("date"), std::string::npos) << bad_date.error();
  const auto other_year = compliance_from_status_reply(status_reply(""), 2018);
  ASSERT_FALSE(other_year.ok());
  EXPECT_NE(other_year.error().find("2018 asked"), std::string::npos) << other_year.error();
  EXPECT_TRUE(compliance_from_status_reply(status_reply(""), 2017).ok());  // no firms yet
}

}  // namespace
}  // namespace carbonx::tools
