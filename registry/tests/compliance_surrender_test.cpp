// Surrender rules per jurisdiction: vintages, offset caps and their bases, the in-region share,
// eligibility, the obligation, who may act, and refusals that change nothing.
#include <gtest/gtest.h>

#include "carbonx/registry/compliance/instruments.hpp"
#include "compliance_test_support.hpp"

namespace carbonx::compliance {
namespace {

using namespace testing;

class Guangdong : public ComplianceFixture {
 protected:
  void SetUp() override {
    open("guangdong");
    emissions("F1", 2016, 100'000);  // prior year: offset cap = 10% x 100,000 = 10,000 t
    emissions("F1", 2017, 120'000);  // obligation
    emissions("F2", 2017, 50'000);   // no 2016 emissions: no offsets possible
  }
};

TEST_F(Guangdong, AllowancesMoveToTheRetirementAccount) {
  auto r = give("F1", {{kV2017, 100'000}, {kV2016, 20'000}});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value().allowances_t, 120'000);
  EXPECT_EQ(bal(kF1, kV2017), 900'000);
  EXPECT_EQ(bal(kRetire2017, kV2017), 100'000);
  EXPECT_EQ(bal(kRetire2017, kV2016), 20'000);
  const auto st = comp->status(2017);
  ASSERT_EQ(st.size(), 2u);
  EXPECT_EQ(st[0].firm, "F1");
  EXPECT_EQ(st[0].state, FirmState::kCompliant);
  EXPECT_EQ(st[0].shortfall_t, 0);
  EXPECT_EQ(st[1].state, FirmState::kShort);
  EXPECT_EQ(st[1].shortfall_t, 50'000);
  EXPECT_EQ(ledger.total(kV2017), 0);
}

TEST_F(Guangdong, OnlyVintagesUpToTheComplianceYearCount) {
  EXPECT_EQ(refused("F1", {{kV2018, 1}}), ComplianceError::kVintageTooNew);
  EXPECT_EQ(refused("F1", {{AssetId(4242), 1}}), ComplianceError::kUnknownUnit);
}

TEST_F(Guangdong, OffsetCapIsTenPercentOfThePriorYearsEmissions) {
  // cap = 0.10 x 100,000 (2016) = 10,000 t, although 10% of 2017's 120,000 would be 12,000.
  EXPECT_EQ(refused("F1", {{kCcerGd, 10'001}}), ComplianceError::kOffsetCapExceeded);
  ASSERT_TRUE(give("F1", {{kCcerGd, 10'000}}).ok());
  // the cap counts everything surrendered for the year
  EXPECT_EQ(refused("F1", {{kCcerGd, 1}}), ComplianceError::kOffsetCapExceeded);
  EXPECT_EQ(refused("F1", {{kPhcerGd, 1}}), ComplianceError::kOffsetCapExceeded);
  EXPECT_TRUE(give("F1", {{kV2017, 110'000}}).ok());  // allowances are not capped
  EXPECT_EQ(comp->status(2017)[0].offsets_t, 10'000);
  EXPECT_EQ(comp->status(2017)[0].state, FirmState::kCompliant);
}

TEST_F(Guangdong, NoPriorYearEmissionsMeansNoOffsets) {
  auto r = give("F2", {{kCcerGd, 1}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ComplianceError::kOffsetCapBasisMissing);
  EXPECT_TRUE(give("F2", {{kV2017, 50'000}}).ok());
}

TEST_F(Guangdong, SeventyPercentOfCcerFromInProvinceProjects) {
  // 6,999 of 10,000 t in province: 69.99% < 70%.
  EXPECT_EQ(refused("F1", {{kCcerGd, 6'999}, {kCcerYn, 3'001}}),
            ComplianceError::kInRegionShareTooLow);
  // out-of-province CCER alone, first: 0% in province.
  EXPECT_EQ(refused("F1", {{kCcerYn, 1}}), ComplianceError::kInRegionShareTooLow);
  // exactly 70%: 7,000 in + 3,000 out.
  auto ok = give("F1", {{kCcerGd, 7'000}, {kCcerYn, 3'000}});
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok.value().ccer_in_region_t, 7'000);
  EXPECT_EQ(bal(kRetire2017, kCcerYn), 3'000);
}

TEST_F(Guangdong, PhcerCountsTowardsTheCapButNotTheCcerShare) {
  ASSERT_TRUE(give("F1", {{kPhcerGd, 5'000}}).ok());
  ASSERT_TRUE(give("F1", {{kCcerGd, 3'500}, {kCcerYn, 1'500}}).ok());  // 70% of CCER in province
  EXPECT_EQ(refused("F1", {{kPhcerGd, 1}}), ComplianceError::kOffsetCapExceeded);
  EXPECT_EQ(comp->status(2017)[0].offsets_t, 10'000);
}

TEST_F(Guangdong, NothingBeyondTheObligation) {
  ASSERT_TRUE(give("F2", {{kV2017, 49'000}}).ok());
  auto r = give("F2", {{kV2017, 1'001}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ComplianceError::kExceedsObligation);
  EXPECT_NE(r.error().detail.find("obligation 50000 t"), std::string::npos);
  EXPECT_EQ(refused("NOFIRM", {{kV2017, 1}}), ComplianceError::kUnknownFirm);
  auto no_obligation = give("F1", {{kV2017, 1}}, kMidYear2018, 2018);
  ASSERT_FALSE(no_obligation.ok());
  EXPECT_EQ(no_obligation.error().code, ComplianceError::kNoVerifiedEmissions);
}

TEST_F(Guangdong, OnlyTheFirmsMemberOrAnOperatorMaySurrender) {
  auto other = give("F1", {{kV2017, 1}}, kMidYear2018, 2017, Actor::member_of(MemberId(2)));
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().code, ComplianceError::kNotAuthorised);
  auto own = give("F1", {{kV2017, 1}}, kMidYear2018, 2017, Actor::member_of(MemberId(1)));
  ASSERT_TRUE(own.ok());
  EXPECT_EQ(own.value().actor, ActorKind::kMember);
  EXPECT_TRUE(give("F1", {{kV2017, 1}}).ok());  // operator on behalf of the firm
}

TEST_F(Guangdong, BadLegsAndLedgerRefusalsChangeNothing) {
  EXPECT_EQ(refused("F1", {}), ComplianceError::kBadLegs);
  EXPECT_EQ(refused("F1", {{kV2017, 0}}), ComplianceError::kBadLegs);
  EXPECT_EQ(refused("F1", {{kV2017, -5}}), ComplianceError::kBadLegs);
  EXPECT_EQ(refused("F1", {{kV2017, 1}, {kV2017, 1}}), ComplianceError::kBadLegs);
  // F1 holds 1,000,000 of vintage 2016 but gives them away: the second leg cannot be paid, the
  // first (vintage 2017) must not move either.
  Posting away;
  away.id = TransferId(77);
  away.debit = kF1;
  away.credit = kF2;
  away.asset = kV2016;
  away.amount = 1'000'000;
  ASSERT_TRUE(ledger.post({&away, 1}).ok());
  auto r = give("F1", {{kV2017, 10}, {kV2016, 10}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ComplianceError::kLedger);
  EXPECT_EQ(bal(kF1, kV2017), 1'000'000);
  EXPECT_EQ(bal(kRetire2017, kV2017), 0);
  EXPECT_TRUE(comp->surrenders().empty());
  EXPECT_EQ(comp->status(2017)[0].allowances_t, 0);
}

TEST_F(Guangdong, SurrendersPerFirmAndYearAreLimited) {
  for (std::uint32_t i = 0; i < kMaxSurrendersPerFirmYear; ++i) {
    ASSERT_TRUE(give("F1", {{kV2017, 1}}).ok()) << i;
  }
  EXPECT_EQ(refused("F1", {{kV2017, 1}}), ComplianceError::kTooManySurrenders);
  EXPECT_EQ(comp->status(2017)[0].allowances_t, kMaxSurrendersPerFirmYear);
}

TEST_F(Guangdong, SurrenderTransferIdsAreDeterministicPerSurrenderAndLeg) {
  ASSERT_TRUE(give("F1", {{kV2017, 5}}).ok());
  auto second = give("F1", {{kV2017, 5}, {kV2016, 5}});
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second.value().number, 1u);
  // posting the same transfer again (same id, same content) takes effect once
  Posting again;
  again.id = allocation::allocation_transfer_id(allocation::kComplianceDomain, 2017, kF1,
                                                allocation::Purpose::kSurrender, 1 * 16 + 0);
  again.debit = kF1;
  again.credit = kRetire2017;
  again.asset = kV2017;
  again.amount = 5;
  again.kind = TransferKind::kSurrender;
  again.reference = 2017;
  ASSERT_TRUE(ledger.post({&again, 1}).ok());
  EXPECT_EQ(bal(kRetire2017, kV2017), 10);
}

class Hubei : public ComplianceFixture {
 protected:
  void SetUp() override {
    open("hubei");
    emissions("F1", 2017, 60'000);
    emissions("F2", 2017, 60'000);
  }
  // Pre-allocates F1 for 2017: 10,000 t aluminium x 9.1132 x 0.5 = 45,566 t (initial allocation).
  void pre_allocate_f1() {
    auto set =
        allocation::parse_facilities("f.csv",
                                     std::string(allocation::testing::kFacilityHeader) +
                                         allocation::testing::row({{"firm", "F1"},
                                                                   {"unit", "P1"},
                                                                   {"sector", "aluminium"},
                                                                   {"class", "liquid_aluminium"},
                                                                   {"base_output", "10000"}}),
                                     allocation::testing::table_2017());
    ASSERT_TRUE(set.ok());
    facilities = set.value();
    auto run = allocation::compute_allocation(facilities, allocation::testing::table_2017(), 2017,
                                              allocation::Stage::kPre);
    ASSERT_TRUE(run.ok());
    ASSERT_TRUE(alloc.issue_pre_allocation(run.value(), dir, ledger, kMidYear2018).ok());
  }
  allocation::FacilitySet facilities;
};

TEST_F(Hubei, CapIsTenPercentOfTheInitialAllocation) {
  // no initial allocation recorded: cap unknown
  EXPECT_EQ(refused("F1", {{kCcerHbOk, 1}}), ComplianceError::kOffsetCapBasisMissing);
  pre_allocate_f1();
  // cap = 0.10 x 45,566 = 4,556.6 t: 4,557 is over, 4,556 is under.
  EXPECT_EQ(refused("F1", {{kCcerHbOk, 4'557}}), ComplianceError::kOffsetCapExceeded);
  EXPECT_TRUE(give("F1", {{kCcerHbOk, 4'556}}).ok());
}

TEST_F(Hubei, OnlyEligibleProjectsAndNoPhcer) {
  pre_allocate_f1();
  EXPECT_EQ(refused("F1", {{kCcerHbHydro, 1}}), ComplianceError::kOffsetNotEligible);  // type
  EXPECT_EQ(refused("F1", {{kCcerHnBio, 1}}), ComplianceError::kOffsetNotEligible);    // region
  EXPECT_EQ(refused("F1", {{kCcerHbOld, 1}}), ComplianceError::kOffsetNotEligible);    // period
  EXPECT_EQ(refused("F1", {{kCcerGd, 1}}), ComplianceError::kOffsetNotEligible);       // region
  EXPECT_EQ(refused("F1", {{kPhcerGd, 1}}), ComplianceError::kOffsetKindNotAccepted);
  EXPECT_TRUE(give("F1", {{kCcerHbOk, 100}}).ok());
}

class National : public ComplianceFixture {
 protected:
  void SetUp() override {
    open("national");
    emissions("F1", 2017, 100'000);
  }
};

TEST_F(National, CapIsFivePercentOfTheVerifiedEmissions) {
  // cap = 0.05 x 100,000 = 5,000 t; any region's CCER counts, PHCER does not.
  EXPECT_EQ(refused("F1", {{kCcerYn, 5'001}}), ComplianceError::kOffsetCapExceeded);
  EXPECT_EQ(refused("F1", {{kPhcerGd, 1}}), ComplianceError::kOffsetKindNotAccepted);
  EXPECT_TRUE(give("F1", {{kCcerYn, 2'500}, {kCcerGd, 2'500}, {kV2017, 95'000}}).ok());
  EXPECT_EQ(comp->status(2017)[0].state, FirmState::kCompliant);
}

}  // namespace
}  // namespace carbonx::compliance

namespace carbonx::compliance {
namespace {

TEST(ComplianceInstruments, EngineInstrumentsBecomeVintagesAndOffsets) {
  std::vector<InstrumentConfig> instruments(3);
  instruments[0].id = InstrumentId(1);
  instruments[0].product = ProductKind::kAllowance;
  instruments[0].vintage = 2017;
  instruments[1].id = InstrumentId(2);
  instruments[1].product = ProductKind::kCcer;
  instruments[1].project = {"GD-WIND-9", "Guangdong", "wind", Date{20150101}, Date{20221231}};
  instruments[2].id = InstrumentId(3);
  instruments[2].product = ProductKind::kPhcer;
  instruments[2].project = {"GD-PH-1", "Guangdong", "forestry", Date{20160101}, Date{20171231}};
  const auto vintages = allowance_vintages(instruments);
  ASSERT_EQ(vintages.size(), 1u);
  EXPECT_EQ(vintages.at(2017), AssetId(1));
  const OffsetCatalogue cat = offsets_from_instruments(instruments);
  ASSERT_EQ(cat.units.size(), 2u);
  EXPECT_EQ(cat.find(AssetId(2))->kind, OffsetKind::kCcer);
  EXPECT_EQ(cat.find(AssetId(3))->kind, OffsetKind::kPhcer);
  EXPECT_EQ(cat.find(AssetId(2))->crediting_end, 20221231);
}

class GuangdongCase : public testing::ComplianceFixture {};

TEST_F(GuangdongCase, RegionsCompareWithoutCase) {
  open("guangdong");
  emissions("F1", 2016, 100'000);
  emissions("F1", 2017, 100'000);
  offsets.units[AssetId(3001)] =
      OffsetUnit{AssetId(3001), OffsetKind::kCcer, "GD-WIND-9", "Guangdong", "wind", 0, 0};
  ASSERT_TRUE(ledger.deposit(testing::kF1, AssetId(3001), 100).ok());
  auto r = give("F1", {{AssetId(3001), 100}});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value().ccer_in_region_t, 100);
}

}  // namespace
}  // namespace carbonx::compliance
