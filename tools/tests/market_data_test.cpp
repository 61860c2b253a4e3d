// The demonstration market's account list: the shipped file is valid and matches the allocation
// engineer's sample firms; bad rows are refused with file, line and field.
#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>

#include "carbonx/tools/market_data.hpp"

namespace carbonx::tools {
namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(MarketData, TheShippedAccountsCoverEverySampleFirm) {
  const auto rows = parse_accounts_csv(
      "accounts.csv", slurp(std::string(CARBONX_TOOLS_DATA_DIR) + "/market/accounts.csv"));
  ASSERT_TRUE(rows.ok()) << rows.error();
  const auto firms = firm_accounts(rows.value());
  std::set<std::string> sample;
  std::istringstream fac(
      slurp(std::string(CARBONX_REGISTRY_DATA_DIR) + "/sample/facilities_2017.csv"));
  std::string line;
  bool header = false;
  while (std::getline(fac, line)) {
    if (line.empty() || line[0] == '#') continue;
    if (!header) {
      header = true;
      continue;
    }
    sample.insert(line.substr(0, line.find(',')));
  }
  ASSERT_GE(sample.size(), 50u);
  EXPECT_EQ(firms.size(), sample.size());
  for (const auto& f : sample)
    EXPECT_EQ(firms.count(f), 1u) << f;
  std::size_t institutions = 0;
  std::size_t individuals = 0;
  for (const auto& r : rows.value()) {
    institutions += r.kind == "investment_institution";
    individuals += r.kind == "individual";
  }
  EXPECT_GE(institutions, 5u);
  EXPECT_GE(individuals, 10u);
}

TEST(MarketData, BadRowsNameTheLineAndField) {
  const std::string h = "account,kind,member,name\n";
  EXPECT_EQ(parse_accounts_csv("a.csv", "x,y\n").error(),
            "a.csv:1: header must be account,kind,member,name");
  EXPECT_EQ(parse_accounts_csv("a.csv", h + "0,individual,1,x\n").error(),
            "a.csv:2: account: not an id > 0");
  EXPECT_EQ(parse_accounts_csv("a.csv", h + "5,dealer,1,x\n").error(),
            "a.csv:2: kind: control_emission_firm | investment_institution | individual");
  EXPECT_EQ(
      parse_accounts_csv("a.csv", "# c\n" + h + "5,individual,1,x\n5,individual,1,y\n").error(),
      "a.csv:4: account: duplicate 5");
  EXPECT_EQ(parse_accounts_csv("a.csv", h + "5,individual,1\n").error(),
            "a.csv:2: 4 fields expected, got 3");
  EXPECT_EQ(parse_accounts_csv("a.csv", h + "5,control_emission_firm,1,F\n"
                                            "6,control_emission_firm,1,F\n")
                .error(),
            "a.csv:3: name: firm F listed twice");
  EXPECT_EQ(parse_accounts_csv("a.csv", "").error(), "a.csv: no header");
}

}  // namespace
}  // namespace carbonx::tools
