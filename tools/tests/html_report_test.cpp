// The HTML report: self-contained (no script, no external URL), every chart and table present,
// the numbers of the integer reports shown, text escaped. With CARBONX_HTML_OUT set, the page is
// also written there for the headless Chromium test (html_chromium_test.sh).
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

#include "carbonx/tools/format.hpp"
#include "carbonx/tools/html_report.hpp"

namespace carbonx::tools {
namespace {

TradeRow trade(int date, std::uint32_t ins, TradeMode mode, std::int64_t qty, std::int64_t price,
               ParticipantType b, ParticipantType s, std::uint64_t order) {
  return TradeRow{Date{date}, InstrumentId(ins), mode, QuantityT(qty), AmountFen(qty * price), b, s,
                  order};
}

MarketReport market() {
  using P = ParticipantType;
  using M = TradeMode;
  std::vector<TradeRow> t;
  std::uint64_t order = 0;
  for (int day = 1; day <= 5; ++day) {
    const int date = 20170600 + day;
    t.push_back(trade(date, 1, M::kListed, 600 + 100 * day, 1400 + 10 * day, P::kInstitution,
                      P::kControlFirm, ++order));
    t.push_back(
        trade(date, 1, M::kListed, 200, 1420 + 5 * day, P::kIndividual, P::kInstitution, ++order));
    t.push_back(
        trade(date, 2, M::kListed, 300, 1500 - 8 * day, P::kInstitution, P::kIndividual, ++order));
  }
  t.push_back(
      trade(20170605, 1, M::kAgreement, 20000, 1380, P::kControlFirm, P::kInstitution, ++order));
  t.push_back(trade(20170605, 3, M::kAuction, 5000, 1601, P::kControlFirm, P::kOther, ++order));
  t.push_back(
      trade(20170605, 1, M::kRepo, 100000, 1400, P::kInstitution, P::kControlFirm, ++order));
  return compute_market_report({{InstrumentId(1), "GDEA2017", PriceFen(1420)},
                                {InstrumentId(2), "GDEA2018", PriceFen(1510)},
                                {InstrumentId(3), "PHCER", PriceFen(1600)}},
                               t, Date{20170605});
}

ComplianceReport compliance() {
  return compute_compliance_report(
      2017, Date{20180620}, Date{20180610},
      {{"GDPWR01", 5000000, 4500000, 400000, false, false, 0, AmountFen(0)},
       {"GDCEM<&>", 2000000, 1000000, 0, false, false, 0, AmountFen(0), Date{20180915}},
       {"GDALU01", 3000000, 0, 0, true, false, 0, AmountFen(0)}},
      {{Date{20180510}, 2000000, 0}, {Date{20180601}, 3500000, 400000}});
}

TEST(HtmlReport, SelfContainedWithEveryChartAndTheNumbers) {
  const MarketReport m = market();
  const ComplianceReport c = compliance();
  const std::string html = render_html(&m, &c, "carbonx report <demo>");
  for (const char* id : {"chart-close", "chart-volume", "chart-mode", "chart-participant",
                         "chart-compliance", "chart-status", "market-table", "compliance-table"}) {
    EXPECT_NE(html.find(std::string("id=\"") + id + "\""), std::string::npos) << id;
  }
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("<link"), std::string::npos);
  // The only URL is the SVG namespace (an identifier, never fetched).
  const std::string ns = "http://www.w3.org/2000/svg";
  for (std::size_t at = html.find("//"); at != std::string::npos; at = html.find("//", at + 2)) {
    ASSERT_GE(at, 5u);
    EXPECT_EQ(html.compare(at - 5, ns.size(), ns), 0) << html.substr(at - 5, 40);
  }
  EXPECT_NE(html.find("carbonx report &lt;demo&gt;"), std::string::npos);
  EXPECT_NE(html.find("GDCEM&lt;&amp;&gt;"), std::string::npos);
  EXPECT_NE(html.find(fen_to_yuan(m.instruments[0].close_fen.value())), std::string::npos);
  EXPECT_NE(html.find("100,000 t"), std::string::npos);  // repo bar value
  EXPECT_NE(html.find("deadline 2018-06-20"), std::string::npos);
  EXPECT_NE(html.find("surrendered 84.3% of"), std::string::npos);         // 5.9 Mt of 7 Mt
  EXPECT_NE(html.find("short (deadline 2018-09-15)"), std::string::npos);  // an extension
  EXPECT_EQ(html.find("compliant (deadline"), std::string::npos);          // only where extended
  // One polyline per instrument in the close chart.
  const auto close = html.substr(html.find("id=\"chart-close\""));
  const auto end = close.find("</svg>");
  std::size_t lines = 0;
  for (std::size_t at = close.find("<polyline"); at < end; at = close.find("<polyline", at + 1)) {
    ++lines;
  }
  EXPECT_EQ(lines, 3u);
  if (const char* out = std::getenv("CARBONX_HTML_OUT")) {
    std::ofstream(out) << html;
  }
}

TEST(HtmlReport, ProgressAxisSpansTheDeadlineAndToday) {
  // As of a date long after the deadline and without surrenders: the axis starts at the deadline
  // (labelled) and the deadline line stays inside the chart.
  const ComplianceReport c = compute_compliance_report(
      2017, Date{20180620}, Date{20261121}, {{"F", 10, 0, 0, false, false, 0, AmountFen(0)}}, {});
  const std::string html = render_html(nullptr, &c, "t");
  EXPECT_NE(html.find(">2018-06-20</text>"), std::string::npos);
  EXPECT_NE(html.find(">2026-11-21</text>"), std::string::npos);
  const auto at = html.find("class=\"deadline\" x1=\"");
  ASSERT_NE(at, std::string::npos);
  EXPECT_EQ(html.substr(at + 21, 5), "86.0\"");  // x of the deadline = the left edge
}

TEST(HtmlReport, EitherPartMayBeAbsent) {
  const MarketReport m =
      compute_market_report({{InstrumentId(1), "GDEA2017", PriceFen(1420)}}, {}, Date{20170601});
  const std::string only_market = render_html(&m, nullptr, "t");
  EXPECT_NE(only_market.find("no trades yet"), std::string::npos);
  EXPECT_EQ(only_market.find("chart-compliance"), std::string::npos);
  const ComplianceReport c = compliance();
  const std::string only_compliance = render_html(nullptr, &c, "t");
  EXPECT_EQ(only_compliance.find("chart-close"), std::string::npos);
  EXPECT_NE(only_compliance.find("chart-compliance"), std::string::npos);
}

}  // namespace
}  // namespace carbonx::tools
