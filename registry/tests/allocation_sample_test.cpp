// The shipped sample data of the demonstration market loads cleanly and runs a whole compliance
// cycle: pre-allocation, true-up, verified emissions, surrenders, status and settlement.
#include <gtest/gtest.h>

#include "allocation_test_support.hpp"
#include "carbonx/engine/in_memory_ledger.hpp"
#include "carbonx/registry/allocation/compute.hpp"
#include "carbonx/registry/allocation/issuance.hpp"
#include "carbonx/registry/allocation/report.hpp"
#include "carbonx/registry/compliance/compliance.hpp"
#include "carbonx/registry/compliance/report.hpp"

namespace carbonx::allocation {
namespace {

using testing::data_path;

TEST(AllocationSample, TheDemonstrationMarketRunsAWholeCycle) {
  const AllocationTable& table = testing::table_2017();
  auto facilities = load_facilities(data_path("sample/facilities_2017.csv"), table);
  ASSERT_TRUE(facilities.ok()) << to_string(facilities.error());
  auto pre = compute_allocation(facilities.value(), table, 2017, Stage::kPre);
  auto fin = compute_allocation(facilities.value(), table, 2017, Stage::kFinal);
  ASSERT_TRUE(pre.ok());
  ASSERT_TRUE(fin.ok());
  EXPECT_GE(pre.value().firms.size(), 50u);
  // every firm's breakdown adds up to its number
  for (const FirmAllocation& f : fin.value().firms) {
    std::int64_t sum = 0;
    for (const UnitBreakdown& b : fin.value().units) {
      if (facilities.value().units[b.index].firm == f.firm) sum += b.allocation_t;
    }
    EXPECT_EQ(sum, f.allocation_t) << f.firm;
  }

  InMemoryLedger ledger;
  RegistryDirectory dir;
  dir.government_account = AccountId(0);
  dir.allowance_by_vintage = {{2017, AssetId(1)}, {2018, AssetId(2)}};
  dir.retirement_by_year = {{2017, AccountId(9'017)}};
  ASSERT_TRUE(ledger.open_account(AccountId(9'017)));
  std::uint32_t next = 100;
  for (const FirmAllocation& f : pre.value().firms) {
    dir.firms[f.firm] = FirmAccount{AccountId(next), MemberId(next), "guangdong"};
    ASSERT_TRUE(ledger.open_account(AccountId(next++)));
  }
  ledger.begin_command(Seq(1), TimestampNs(0));
  Allocator alloc;
  ASSERT_TRUE(alloc.issue_pre_allocation(pre.value(), dir, ledger, TimestampNs(0)).ok());
  ASSERT_TRUE(alloc.issue_true_up(fin.value(), dir, ledger, TimestampNs(0)).ok());
  for (const FirmAllocation& f : fin.value().firms) {
    EXPECT_EQ(ledger.balance(dir.firm(f.firm)->account, AssetId(1)).available, f.allocation_t);
  }
  EXPECT_EQ(ledger.total(AssetId(1)), 0);

  const auto jurisdictions = compliance::load_jurisdictions(data_path("jurisdictions.csv"));
  ASSERT_TRUE(jurisdictions.ok());
  const compliance::JurisdictionProfile* gd = jurisdictions.value().find("guangdong");
  ASSERT_NE(gd, nullptr);
  compliance::Compliance comp(*gd);
  for (int year : {2016, 2017}) {
    auto e = compliance::load_verified_emissions(
        data_path("sample/verified_emissions_" + std::to_string(year) + ".csv"));
    ASSERT_TRUE(e.ok()) << to_string(e.error());
    ASSERT_TRUE(comp.record_emissions(e.value()).ok());
  }
  auto offsets = compliance::load_offset_catalogue(data_path("sample/offsets.csv"));
  ASSERT_TRUE(offsets.ok()) << to_string(offsets.error());
  // every firm surrenders what it holds, up to its obligation
  for (const compliance::FirmStatus& s : comp.status(2017)) {
    const std::int64_t held = ledger.balance(dir.firm(s.firm)->account, AssetId(1)).available;
    const std::int64_t give = std::min(held, s.obligation_t);
    if (give == 0) continue;
    auto r = comp.surrender({2017, s.firm, compliance::Actor::op(), {{AssetId(1), give}}}, dir,
                            offsets.value(), alloc, ledger, TimestampNs(0));
    ASSERT_TRUE(r.ok()) << s.firm << ": " << r.error().detail;
  }
  std::size_t short_firms = 0;
  for (const auto& s : comp.status(2017))
    short_firms += s.state == compliance::FirmState::kShort;
  EXPECT_GT(short_firms, 0u);
  EXPECT_LT(short_firms, comp.status(2017).size());
  auto settled = comp.settle(2017, compliance::day_end_exclusive_cst(20180620), alloc);
  ASSERT_TRUE(settled.ok());
  EXPECT_EQ(settled.value().penalised, short_firms);
  EXPECT_FALSE(breakdown_table(fin.value()).empty());
  EXPECT_NE(compliance::status_table(comp, 2017).find("GDPWR01"), std::string::npos);
}

}  // namespace
}  // namespace carbonx::allocation
