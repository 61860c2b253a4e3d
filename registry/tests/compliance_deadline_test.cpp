// Deadlines (end of the deadline day, China Standard Time), extensions, exemptions, settlement
// penalties flowing into the next allocation, status reports, loaders and the state record.
#include <gtest/gtest.h>

#include "carbonx/registry/compliance/report.hpp"
#include "compliance_test_support.hpp"

namespace carbonx::compliance {
namespace {

using namespace testing;

constexpr TimestampNs kLastNs{kGdDeadlineEnd.value() - 1};         // 23:59:59.999999999 CST
constexpr TimestampNs kLastSecond{kGdDeadlineEnd.value() - kSec};  // 23:59:59 CST
constexpr TimestampNs kFirstSecondAfter{kGdDeadlineEnd.value()};   // 00:00:00 CST next day
constexpr TimestampNs kJune25{1'529'884'800 * kSec};               // 2018-06-25 00:00 UTC
constexpr TimestampNs kJune30End{1'530'374'400 * kSec};            // 2018-07-01 00:00 CST
constexpr TimestampNs kGdDeadline2018End{1'561'046'400 * kSec};    // 2019-06-21 00:00 CST

class Deadline : public ComplianceFixture {
 protected:
  void SetUp() override {
    open("guangdong");
    emissions("F1", 2017, 10'000);
    emissions("F2", 2017, 10'000);
  }
};

TEST_F(Deadline, LastSecondOfTheDeadlineDayIsOnTimeTheNextIsLate) {
  EXPECT_EQ(comp->deadline(2017, "F1"), 20180620);
  EXPECT_EQ(day_end_exclusive_cst(20180620), kGdDeadlineEnd);
  EXPECT_TRUE(give("F1", {{kV2017, 1}}, kLastSecond).ok());
  EXPECT_TRUE(give("F1", {{kV2017, 1}}, kLastNs).ok());
  auto late = give("F1", {{kV2017, 1}}, kFirstSecondAfter);
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.error().code, ComplianceError::kAfterDeadline);
  EXPECT_NE(late.error().detail.find("20180620"), std::string::npos);
  EXPECT_EQ(comp->status(2017)[0].allowances_t, 2);
}

TEST_F(Deadline, AnOperatorExtensionMovesOneFirmsDeadline) {
  ASSERT_TRUE(comp->record_extension(2017, "F1", 20180630).ok());
  EXPECT_FALSE(comp->record_extension(2017, "F1", 20180620).ok());  // not after the deadline
  EXPECT_TRUE(give("F1", {{kV2017, 1}}, kJune25).ok());
  EXPECT_EQ(refused("F2", {{kV2017, 1}}, kJune25), ComplianceError::kAfterDeadline);
  EXPECT_TRUE(give("F1", {{kV2017, 1}}, TimestampNs(kJune30End.value() - 1)).ok());
  EXPECT_EQ(refused("F1", {{kV2017, 1}}, kJune30End), ComplianceError::kAfterDeadline);
}

// A date whose day ends beyond what int64 nanoseconds hold (after 2262-04-11 or before 1677) is
// no date: an extension to year 3000 is refused and changes nothing (its deadline check would
// overflow TimestampNs).
TEST_F(Deadline, AnExtensionBeyondTheTimestampRangeIsRefused) {
  for (const DateInt date : {30000101, 22620101, 99991231}) {
    auto r = comp->record_extension(2017, "F1", date);
    ASSERT_FALSE(r.ok()) << date;
    EXPECT_EQ(r.error().code, ComplianceError::kBadYear);
    EXPECT_NE(r.error().detail.find("no date"), std::string::npos) << r.error().detail;
  }
  EXPECT_EQ(comp->deadline(2017, "F1"), 20180620);
  EXPECT_TRUE(comp->record_extension(2017, "F1", 22611231).ok());
  EXPECT_TRUE(give("F1", {{kV2017, 1}}, kJune30End).ok());
}

TEST(Dates, OnlyCalendarDatesInTheTimestampRange) {
  EXPECT_TRUE(is_date(20180620));
  EXPECT_TRUE(is_date(20200229));
  EXPECT_FALSE(is_date(20190229));
  EXPECT_FALSE(is_date(20180631));
  EXPECT_FALSE(is_date(-20180620));
  EXPECT_FALSE(is_date(0));
  EXPECT_TRUE(is_date(kMinDateYear * 10000 + 101));
  EXPECT_FALSE(is_date((kMinDateYear - 1) * 10000 + 1231));
  EXPECT_TRUE(is_date(kMaxDateYear * 10000 + 1231));
  EXPECT_FALSE(is_date((kMaxDateYear + 1) * 10000 + 101));
  DateInt d = 0;
  EXPECT_FALSE(parse_date("2262-01-01", d));
  EXPECT_FALSE(parse_date("1677-12-31", d));
  ASSERT_TRUE(parse_date("2261-12-31", d));
  EXPECT_EQ(d, 22611231);
  // the first and last representable day ends, exactly
  EXPECT_EQ(day_end_exclusive_cst(22611231).value(), 9'214'617'600 * kSec);
  EXPECT_EQ(day_end_exclusive_cst(16780101).value(), -9'214'502'400 * kSec);
}

TEST(Deadlines, EveryPilotsDeadlineDay) {
  const JurisdictionSet& j = jurisdictions();
  ASSERT_EQ(j.profiles.size(), 9u);
  const std::pair<const char*, DateInt> expected[] = {
      {"guangdong", 20180620}, {"beijing", 20180615},  {"hubei", 20180531},
      {"shenzhen", 20180630},  {"shanghai", 20180630}, {"tianjin", 20180630},
      {"fujian", 20180630},    {"chongqing", 20180620}};
  for (const auto& [name, date] : expected) {
    const JurisdictionProfile* p = j.find(name);
    ASSERT_NE(p, nullptr) << name;
    EXPECT_EQ(p->deadline(2017), date) << name;
  }
  // Hubei 31 May 2018 ends at 2018-05-31 16:00:00 UTC.
  EXPECT_EQ(day_end_exclusive_cst(20180531), TimestampNs(1'527'782'400 * kSec));
  // leap day
  EXPECT_EQ(day_end_exclusive_cst(20200229).value() + 86'400 * kSec,
            day_end_exclusive_cst(20200301).value());
}

TEST_F(Deadline, SettlementPenalisesTheShortfallInTheNextAllocation) {
  ASSERT_TRUE(give("F1", {{kV2017, 9'000}}).ok());   // 1,000 t short
  ASSERT_TRUE(give("F2", {{kV2017, 10'000}}).ok());  // compliant
  auto early = comp->settle(2017, kLastNs, alloc);
  ASSERT_FALSE(early.ok());
  EXPECT_EQ(early.error().code, ComplianceError::kBeforeDeadline);
  auto s = comp->settle(2017, kFirstSecondAfter, alloc);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s.value().settled, 2u);
  EXPECT_EQ(s.value().penalised, 1u);
  EXPECT_EQ(s.value().deduction_t, 2'000);               // 2 x 1,000 t
  EXPECT_EQ(s.value().fines_fen, AmountFen(5'000'000));  // 50,000 CNY
  ASSERT_EQ(comp->penalties().size(), 1u);
  EXPECT_EQ(comp->penalties()[0].firm, "F1");
  EXPECT_EQ(alloc.debt("F1").penalty_t, 2'000);
  EXPECT_EQ(alloc.debt("F2").total(), 0);
  const auto st = comp->status(2017);
  EXPECT_TRUE(st[0].settled);
  EXPECT_EQ(st[0].penalty_t, 2'000);
  EXPECT_EQ(st[0].fine_fen, AmountFen(5'000'000));
  // settling again settles nothing more
  auto again = comp->settle(2017, kFirstSecondAfter, alloc);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again.value().settled, 0u);
  EXPECT_EQ(alloc.debt("F1").penalty_t, 2'000);

  // The 2018 pre-allocation of F1 is reduced by the penalty: 10,000 t aluminium x 9.1132 x 0.5 =
  // 45,566 t issued and 2,000 t deducted -> the firm's 2018 balance rises by 43,566 t.
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
  auto run = allocation::compute_allocation(set.value(), allocation::testing::table_2017(), 2018,
                                            allocation::Stage::kPre);
  ASSERT_TRUE(run.ok());
  const std::int64_t before = bal(kF1, kV2018);
  auto issued = alloc.issue_pre_allocation(run.value(), dir, ledger, kFirstSecondAfter);
  ASSERT_TRUE(issued.ok());
  EXPECT_EQ(bal(kF1, kV2018) - before, 43'566);
  EXPECT_EQ(alloc.find(2018, "F1", allocation::Stage::kPre)->penalty_deducted_t, 2'000);
  EXPECT_EQ(alloc.debt("F1").total(), 0);
}

TEST_F(Deadline, AnExtendedFirmIsSettledOnlyAfterItsExtension) {
  ASSERT_TRUE(comp->record_extension(2017, "F1", 20180630).ok());
  auto s = comp->settle(2017, kJune25, alloc);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s.value().settled, 1u);  // F2: 10,000 t short
  EXPECT_EQ(s.value().pending, 1u);  // F1: extension running
  EXPECT_TRUE(give("F1", {{kV2017, 10'000}}, kJune25).ok());
  auto later = comp->settle(2017, kJune30End, alloc);
  ASSERT_TRUE(later.ok());
  EXPECT_EQ(later.value().settled, 1u);
  EXPECT_EQ(later.value().penalised, 0u);
  EXPECT_EQ(alloc.debt("F1").total(), 0);
  EXPECT_EQ(alloc.debt("F2").penalty_t, 20'000);
}

TEST_F(Deadline, ExemptFirmsOweNothing) {
  ASSERT_TRUE(comp->record_exemption(2017, "F2").ok());
  EXPECT_EQ(refused("F2", {{kV2017, 1}}), ComplianceError::kExempt);
  ASSERT_TRUE(comp->settle(2017, kFirstSecondAfter, alloc).ok());
  EXPECT_EQ(comp->status(2017)[1].state, FirmState::kExempt);
  EXPECT_EQ(alloc.debt("F2").total(), 0);
  EXPECT_EQ(alloc.debt("F1").penalty_t, 20'000);  // F1 surrendered nothing: 2 x 10,000
}

TEST_F(Deadline, StatusReportsAgree) {
  ASSERT_TRUE(give("F1", {{kV2017, 4'000}}).ok());
  const std::string csv = status_csv(comp->status(2017));
  EXPECT_NE(csv.find("F1,2017,10000,4000,0,6000,short,no,0,0\n"), std::string::npos) << csv;
  EXPECT_NE(csv.find("F2,2017,10000,0,0,10000,short,no,0,0\n"), std::string::npos);
  const std::string table = status_table(*comp, 2017);
  EXPECT_NE(table.find("TOTAL"), std::string::npos);
  EXPECT_NE(table.find("16000"), std::string::npos);  // total shortfall
  const std::string json = status_json(*comp, 2017);
  EXPECT_NE(json.find("\"shortfall_t\": 6000"), std::string::npos) << json;
  EXPECT_NE(json.find("\"deadline\": 20180620"), std::string::npos);
}

TEST_F(Deadline, StateSerialisesAndRestoresExactly) {
  ASSERT_TRUE(comp->record_extension(2017, "F2", 20180701).ok());
  ASSERT_TRUE(give("F1", {{kV2017, 4'000}, {kV2016, 1'000}}).ok());
  ASSERT_TRUE(comp->settle(2017, kFirstSecondAfter, alloc).ok());
  auto back = Compliance::restore(comp->profile(), comp->serialize());
  ASSERT_TRUE(back.ok()) << back.error().detail;
  EXPECT_TRUE(back.value() == *comp);
  EXPECT_EQ(back.value().status(2017)[0].allowances_t, 5'000);
  EXPECT_EQ(back.value().deadline(2017, "F2"), 20180701);
  const JurisdictionProfile* hubei = jurisdictions().find("hubei");
  EXPECT_EQ(Compliance::restore(*hubei, comp->serialize()).error().code,
            ComplianceError::kBadState);
  EXPECT_EQ(Compliance::restore(comp->profile(), "not json").error().code,
            ComplianceError::kBadState);
  std::string far = comp->serialize();
  const auto at = far.find("20180701");
  ASSERT_NE(at, std::string::npos);
  far.replace(at, 8, "30000101");  // an extension date no TimestampNs can end
  EXPECT_EQ(Compliance::restore(comp->profile(), far).error().code, ComplianceError::kBadState);
}

TEST_F(Deadline, EmissionsConflictsAreRefusedWhole) {
  auto r = comp->record_emissions({{"F9", 2017, 5, 0}, {"F1", 2017, 11'000, 0}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ComplianceError::kEmissionsConflict);
  EXPECT_EQ(comp->status(2017).size(), 2u);                             // F9 not recorded either
  EXPECT_TRUE(comp->record_emissions({{"F1", 2017, 10'000, 0}}).ok());  // same value: no-op
}

TEST(ComplianceInputs, VerifiedEmissionsErrorsNameFileLineAndField) {
  auto ok = parse_verified_emissions("e.csv", "firm,year,verified_emissions_t\nF1,2017,1200\n");
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok.value()[0].emissions_t, 1'200);
  auto bad = parse_verified_emissions("e.csv",
                                      "firm,year,verified_emissions_t\n"
                                      "F1,2017,-5\n"
                                      "F2,1990,10\n"
                                      "F3,2017,10.5\n"
                                      "F4,2017,\n"
                                      "F5,2017,1\nF5,2017,2\n"
                                      "F6,2017\n");
  ASSERT_FALSE(bad.ok());
  const auto& e = bad.error().errors;
  ASSERT_EQ(e.size(), 6u) << allocation::to_string(bad.error());
  EXPECT_EQ(allocation::to_string(e[0]),
            "e.csv:2: field 'verified_emissions_t': out of range: -5 is outside "
            "0..1000000000000");
  EXPECT_EQ(e[1].line, 3u);
  EXPECT_EQ(e[1].field, "year");
  EXPECT_EQ(e[2].field, "verified_emissions_t");  // whole tonnes only
  EXPECT_EQ(e[2].code, allocation::InputErrorCode::kBadNumber);
  EXPECT_EQ(e[3].code, allocation::InputErrorCode::kMissingValue);
  EXPECT_EQ(e[4].line, 7u);
  EXPECT_EQ(e[4].code, allocation::InputErrorCode::kDuplicateKey);
  EXPECT_EQ(e[5].code, allocation::InputErrorCode::kFieldCount);
  auto header = parse_verified_emissions("e.csv", "firm,year\nF1,2017\n");
  ASSERT_FALSE(header.ok());
  EXPECT_EQ(header.error().errors[0].field, "verified_emissions_t");
}

TEST(ComplianceInputs, OffsetCatalogueAndJurisdictionErrors) {
  auto bad =
      parse_offset_catalogue("o.csv",
                             "asset_id,kind,project_id,region,type,crediting_start,crediting_end\n"
                             "1,VER,P,gd,hydro,2013-01-01,2014-01-01\n"
                             "2,CCER,P,gd,hydro,2013-02-30,2014-01-01\n"
                             "3,CCER,P,gd,hydro,2015-01-01,2014-01-01\n");
  ASSERT_FALSE(bad.ok());
  ASSERT_EQ(bad.error().errors.size(), 3u);
  EXPECT_EQ(bad.error().errors[0].field, "kind");
  EXPECT_EQ(bad.error().errors[1].field, "crediting_start");
  EXPECT_EQ(bad.error().errors[2].field, "crediting_end");
  auto j = parse_jurisdictions("j.csv",
                               "jurisdiction,key,value\n"
                               "x,deadline,13-01\n"
                               "x,offset_cap,0.5\n"
                               "x,offset_kinds,ccer;ver\n"
                               "x,offset_cap,0.1\n");
  ASSERT_FALSE(j.ok());
  const auto& e = j.error().errors;
  EXPECT_EQ(e[0].line, 2u);  // month 13
  EXPECT_EQ(e[1].line, 4u);  // 'ver'
  EXPECT_EQ(e[2].line, 5u);  // offset_cap twice
  EXPECT_EQ(e[2].code, allocation::InputErrorCode::kDuplicateKey);
  EXPECT_EQ(e.back().code, allocation::InputErrorCode::kIncomplete);  // penalty_multiplier ...
}

}  // namespace
}  // namespace carbonx::compliance
