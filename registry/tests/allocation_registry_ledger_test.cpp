// The same issuance and surrender flows on the registry's own ledger (carbonx::registry::Ledger,
// in-memory mode, no Store attached): account kinds, the government account going negative,
// the retirement account of the year, idempotent re-issuance through the ledger's transfer ids.
#include <gtest/gtest.h>

#include "allocation_test_support.hpp"
#include "carbonx/registry/allocation/compute.hpp"
#include "carbonx/registry/allocation/issuance.hpp"
#include "carbonx/registry/compliance/compliance.hpp"
#include "carbonx/registry/ledger.hpp"

namespace carbonx::allocation {
namespace {

constexpr AccountId kGov{1};
constexpr AccountId kFirm{10};
constexpr AccountId kRetire{900};
constexpr AssetId kV2017{1017};

TEST(AllocationOnRegistryLedger, IssueTrueUpSurrenderAndSettle) {
  registry::Ledger ledger;
  auto open = [&](AccountId id, registry::AccountKind kind, std::uint16_t year = 0) {
    registry::Account a;
    a.id = id;
    a.kind = kind;
    a.compliance_year = year;
    a.member = MemberId(7);
    ASSERT_TRUE(ledger.open_account(a).ok());
  };
  open(kGov, registry::AccountKind::kGovernmentIssuance);
  open(kFirm, registry::AccountKind::kControlEmissionFirm);
  open(kRetire, registry::AccountKind::kRetirement, 2017);
  ledger.begin_command(Seq(1), TimestampNs(0));

  RegistryDirectory dir;
  dir.government_account = kGov;
  dir.firms["F1"] = FirmAccount{kFirm, MemberId(7), "guangdong"};
  dir.allowance_by_vintage[2017] = kV2017;
  dir.retirement_by_year[2017] = kRetire;

  // Aluminium: pre 10,000 t x 9.1132 x 0.5 = 45,566 t; final 12,000 t x 9.1132 = 109,358 t.
  auto set = parse_facilities(
      "f.csv",
      std::string(testing::kFacilityHeader) + testing::row({{"firm", "F1"},
                                                            {"unit", "P1"},
                                                            {"sector", "aluminium"},
                                                            {"class", "liquid_aluminium"},
                                                            {"base_output", "10000"},
                                                            {"actual_output", "12000"}}),
      testing::table_2017());
  ASSERT_TRUE(set.ok());
  const auto pre = compute_allocation(set.value(), testing::table_2017(), 2017, Stage::kPre);
  const auto fin = compute_allocation(set.value(), testing::table_2017(), 2017, Stage::kFinal);
  ASSERT_TRUE(pre.ok() && fin.ok());
  Allocator alloc;
  ASSERT_TRUE(alloc.issue_pre_allocation(pre.value(), dir, ledger, TimestampNs(0)).ok());
  EXPECT_EQ(ledger.balance(kFirm, kV2017).available, 45'566);
  EXPECT_EQ(ledger.balance(kGov, kV2017).available, -45'566);
  // a fresh allocator re-posts the same transfers: the registry ledger applies them once
  Allocator amnesiac;
  auto again = amnesiac.issue_pre_allocation(pre.value(), dir, ledger, TimestampNs(0));
  ASSERT_TRUE(again.ok()) << again.error().detail;
  EXPECT_EQ(ledger.balance(kFirm, kV2017).available, 45'566);
  ASSERT_TRUE(alloc.issue_true_up(fin.value(), dir, ledger, TimestampNs(0)).ok());
  EXPECT_EQ(ledger.balance(kFirm, kV2017).available, 109'358);

  compliance::JurisdictionProfile gd;
  gd.name = "guangdong";
  gd.deadline_month = 6;
  gd.deadline_day = 20;
  gd.penalty_multiplier = 2;
  gd.fine_fen = AmountFen(5'000'000);
  compliance::Compliance comp(gd);
  ASSERT_TRUE(comp.record_emissions({{"F1", 2017, 110'000, 0}}).ok());
  auto s =
      comp.surrender({2017, "F1", compliance::Actor::member_of(MemberId(7)), {{kV2017, 109'358}}},
                     dir, {}, alloc, ledger, TimestampNs(0));
  ASSERT_TRUE(s.ok()) << s.error().detail;
  EXPECT_EQ(ledger.balance(kRetire, kV2017).available, 109'358);
  auto settled = comp.settle(2017, compliance::day_end_exclusive_cst(20180620), alloc);
  ASSERT_TRUE(settled.ok());
  EXPECT_EQ(alloc.debt("F1").penalty_t, 2 * 642);  // 110,000 - 109,358 = 642 t short
}

}  // namespace
}  // namespace carbonx::allocation
