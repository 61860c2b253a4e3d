// Issuance through the Ledger interface (InMemoryLedger): opening balances, idempotence, true-up
// in both directions, take-backs beyond holdings, debts and penalties at the next issuance.
#include <gtest/gtest.h>

#include "allocation_test_support.hpp"
#include "carbonx/engine/in_memory_ledger.hpp"
#include "carbonx/registry/allocation/compute.hpp"
#include "carbonx/registry/allocation/issuance.hpp"
#include "carbonx/registry/allocation/report.hpp"

namespace carbonx::allocation {
namespace {

using testing::kFacilityHeader;
using testing::row;
using testing::table_2017;

constexpr AccountId kGov{0};  // the InMemoryLedger's source account: may go negative
constexpr AccountId kF1{10};
constexpr AccountId kF2{11};
constexpr AccountId kBuyer{12};
constexpr AssetId kV2017{1017};
constexpr AssetId kV2018{1018};
constexpr TimestampNs kTs{1'500'000'000'000'000'000};

// Aluminium smelters: allocation = t x 9.1132 (pre x 0.5), easy to work by hand.
// F1: base 10,000 t -> pre 45,566 t.  F2: base 20,000 t -> pre 91,132 t.
std::string smelter(const std::string& firm, const std::string& base, const std::string& actual) {
  return row({{"firm", firm},
              {"unit", "P1"},
              {"sector", "aluminium"},
              {"class", "liquid_aluminium"},
              {"base_output", base},
              {"actual_output", actual}});
}

class IssuanceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (AccountId a : {kF1, kF2, kBuyer})
      ASSERT_TRUE(ledger.open_account(a));
    dir.government_account = kGov;
    dir.firms["F1"] = FirmAccount{kF1, MemberId(1), "guangdong"};
    dir.firms["F2"] = FirmAccount{kF2, MemberId(2), "guangdong"};
    dir.allowance_by_vintage[2017] = kV2017;
    dir.allowance_by_vintage[2018] = kV2018;
    ledger.begin_command(Seq(1), kTs);
  }

  // Loads `rows` and computes `stage` of `year` (the set is kept alive in `sets`).
  AllocationRun run(const std::string& rows, Stage stage, int year = 2017) {
    auto set = parse_facilities("f.csv", kFacilityHeader + rows, table_2017());
    EXPECT_TRUE(set.ok());
    sets.push_back(std::make_unique<FacilitySet>(set.value()));
    auto r = compute_allocation(*sets.back(), table_2017(), year, stage);
    EXPECT_TRUE(r.ok());
    return r.value();
  }

  std::int64_t bal(AccountId a, AssetId s) const { return ledger.balance(a, s).available; }

  InMemoryLedger ledger;
  RegistryDirectory dir;
  Allocator alloc;
  std::vector<std::unique_ptr<FacilitySet>> sets;
};

TEST_F(IssuanceTest, PreAllocationBecomesOpeningBalances) {
  const auto pre = run(smelter("F1", "10000", "") + smelter("F2", "20000", ""), Stage::kPre);
  auto s = alloc.issue_pre_allocation(pre, dir, ledger, kTs);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s.value().firms_issued, 2u);
  EXPECT_EQ(s.value().postings, 2u);
  EXPECT_EQ(bal(kF1, kV2017), 45'566);  // 10,000 x 9.1132 x 0.5
  EXPECT_EQ(bal(kF2, kV2017), 91'132);  // 20,000 x 9.1132 x 0.5
  EXPECT_EQ(bal(kGov, kV2017), -136'698);
  EXPECT_EQ(ledger.total(kV2017), 0);
  ASSERT_NE(alloc.find(2017, "F1", Stage::kPre), nullptr);
  EXPECT_EQ(alloc.find(2017, "F1", Stage::kPre)->table_id, "national-2017-draft");
  EXPECT_EQ(alloc.initial_allocation(2017, "F2"), 91'132);
}

TEST_F(IssuanceTest, IssuingTheSameYearTwiceIssuesNothingMore) {
  const auto pre = run(smelter("F1", "10000", "") + smelter("F2", "20000", ""), Stage::kPre);
  ASSERT_TRUE(alloc.issue_pre_allocation(pre, dir, ledger, kTs).ok());
  const auto postings = ledger.postings_applied();
  auto again = alloc.issue_pre_allocation(pre, dir, ledger, kTs);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again.value().firms_issued, 0u);
  EXPECT_EQ(again.value().firms_skipped, 2u);
  EXPECT_EQ(ledger.postings_applied(), postings);
  EXPECT_EQ(bal(kF1, kV2017), 45'566);
  // Even with our own record lost, the deterministic transfer ids make the ledger apply the
  // issuance once: a fresh Allocator re-posts the same transfers, the balances do not move.
  Allocator amnesiac;
  ASSERT_TRUE(amnesiac.issue_pre_allocation(pre, dir, ledger, kTs).ok());
  EXPECT_EQ(bal(kF1, kV2017), 45'566);
  EXPECT_EQ(bal(kF2, kV2017), 91'132);
}

TEST_F(IssuanceTest, ReissuingWithOtherAmountsIsRefused) {
  ASSERT_TRUE(
      alloc.issue_pre_allocation(run(smelter("F1", "10000", ""), Stage::kPre), dir, ledger, kTs)
          .ok());
  auto r =
      alloc.issue_pre_allocation(run(smelter("F1", "12000", ""), Stage::kPre), dir, ledger, kTs);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, AllocationError::kAlreadyIssuedDifferently);
  EXPECT_EQ(bal(kF1, kV2017), 45'566);
  // another firm of the same year under another table: refused, the year has one table
  auto other = parse_facilities("g.csv",
                                std::string(kFacilityHeader) + row({{"firm", "F2"},
                                                                    {"unit", "U1"},
                                                                    {"sector", "power"},
                                                                    {"class", "gas"},
                                                                    {"fuel", "gas"},
                                                                    {"cooling", "water"},
                                                                    {"heat_ratio", "0"},
                                                                    {"base_output", "1000"},
                                                                    {"base_heat_gj", "0"}}),
                                testing::table_2019());
  ASSERT_TRUE(other.ok());
  auto run2019 = compute_allocation(other.value(), testing::table_2019(), 2017, Stage::kPre);
  ASSERT_TRUE(run2019.ok());
  auto mixed = alloc.issue_pre_allocation(run2019.value(), dir, ledger, kTs);
  ASSERT_FALSE(mixed.ok());
  EXPECT_EQ(mixed.error().code, AllocationError::kTableMismatch);
  EXPECT_EQ(bal(kF2, kV2017), 0);
}

TEST_F(IssuanceTest, UnknownFirmOrVintageIssuesNothing) {
  auto r = alloc.issue_pre_allocation(
      run(smelter("F1", "10000", "") + smelter("NOACCT", "1", ""), Stage::kPre), dir, ledger, kTs);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, AllocationError::kUnknownFirm);
  EXPECT_EQ(r.error().detail, "NOACCT");
  EXPECT_EQ(bal(kF1, kV2017), 0);
  auto v = alloc.issue_pre_allocation(run(smelter("F1", "10000", ""), Stage::kPre, 2019), dir,
                                      ledger, kTs);
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().code, AllocationError::kNoAllowanceAsset);
  EXPECT_TRUE(alloc.records().empty());
}

TEST_F(IssuanceTest, LedgerRefusalIssuesToNoFirm) {
  ASSERT_TRUE(ledger.set_active(kF2, false).ok());  // F2's account is frozen
  auto r = alloc.issue_pre_allocation(
      run(smelter("F1", "10000", "") + smelter("F2", "20000", ""), Stage::kPre), dir, ledger, kTs);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, AllocationError::kLedger);
  EXPECT_EQ(bal(kF1, kV2017), 0);  // one linked group: F1 got nothing either
  EXPECT_TRUE(alloc.records().empty());
}

TEST_F(IssuanceTest, TrueUpIssuesTheDifference) {
  // pre: 10,000 t base -> 45,566 t. final: 12,000 t verified x 9.1132 = 109,358.4 -> 109,358 t.
  // true-up: 109,358 - 45,566 = 63,792 t issued.
  const std::string rows = smelter("F1", "10000", "12000");
  ASSERT_TRUE(alloc.issue_pre_allocation(run(rows, Stage::kPre), dir, ledger, kTs).ok());
  auto s = alloc.issue_true_up(run(rows, Stage::kFinal), dir, ledger, kTs);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s.value().issued_t, 63'792);
  EXPECT_EQ(bal(kF1, kV2017), 109'358);
  const IssuanceRecord* r = alloc.find(2017, "F1", Stage::kFinal);
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->net_t(), 63'792);
  // idempotent as well
  auto again = alloc.issue_true_up(run(rows, Stage::kFinal), dir, ledger, kTs);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again.value().firms_skipped, 1u);
  EXPECT_EQ(bal(kF1, kV2017), 109'358);
}

TEST_F(IssuanceTest, TrueUpTakesBackTheExcess) {
  // pre 45,566 t; final: 4,000 t x 9.1132 = 36,452.8 -> 36,453 t; take back 9,113 t.
  const std::string rows = smelter("F1", "10000", "4000");
  ASSERT_TRUE(alloc.issue_pre_allocation(run(rows, Stage::kPre), dir, ledger, kTs).ok());
  auto s = alloc.issue_true_up(run(rows, Stage::kFinal), dir, ledger, kTs);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s.value().taken_back_t, 9'113);
  EXPECT_EQ(s.value().owed_added_t, 0);
  EXPECT_EQ(bal(kF1, kV2017), 36'453);
  EXPECT_EQ(ledger.total(kV2017), 0);
}

TEST_F(IssuanceTest, TakeBackBeyondHoldingsIsOwedAndDeductedFromTheNextIssuance) {
  const std::string rows = smelter("F1", "10000", "4000");
  ASSERT_TRUE(alloc.issue_pre_allocation(run(rows, Stage::kPre), dir, ledger, kTs).ok());
  // F1 sells 40,000 of its 45,566 t: 5,566 t left, the take-back of 9,113 t exceeds it.
  Posting sale;
  sale.id = TransferId(1);
  sale.debit = kF1;
  sale.credit = kBuyer;
  sale.asset = kV2017;
  sale.amount = 40'000;
  ASSERT_TRUE(ledger.post({&sale, 1}).ok());
  auto s = alloc.issue_true_up(run(rows, Stage::kFinal), dir, ledger, kTs);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s.value().taken_back_t, 5'566);
  EXPECT_EQ(s.value().owed_added_t, 3'547);  // 9,113 - 5,566
  EXPECT_EQ(bal(kF1, kV2017), 0);
  EXPECT_EQ(alloc.debt("F1").true_up_t, 3'547);
  EXPECT_NE(issuance_csv(alloc, 2017)
                .find("F1,2017,final,national-2017-draft,36453,0,0,0,5566,"
                      "3547,-5566\n"),
            std::string::npos)
      << issuance_csv(alloc, 2017);
  EXPECT_NE(issuance_json(alloc, 2017).find("\"still_owed_t\": 3547"), std::string::npos);
  EXPECT_NE(issuance_table(alloc, 2017).find("F1"), std::string::npos);
  // 2018 pre-allocation: 10,000 t base -> 45,566 t issued, 3,547 t deducted -> 42,019 t net.
  auto next = alloc.issue_pre_allocation(run(smelter("F1", "10000", ""), Stage::kPre, 2018), dir,
                                         ledger, kTs);
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(next.value().deducted_t, 3'547);
  EXPECT_EQ(bal(kF1, kV2018), 42'019);
  EXPECT_EQ(alloc.debt("F1").total(), 0);
  EXPECT_EQ(ledger.total(kV2018), 0);
}

TEST_F(IssuanceTest, PenaltyDebtReducesTheNextIssuanceAndCarriesOver) {
  alloc.add_penalty_debt("F1", 50'000);
  // 45,566 t issued, all of it deducted; 4,434 t of penalty still owed.
  ASSERT_TRUE(
      alloc.issue_pre_allocation(run(smelter("F1", "10000", ""), Stage::kPre), dir, ledger, kTs)
          .ok());
  EXPECT_EQ(bal(kF1, kV2017), 0);
  EXPECT_EQ(alloc.debt("F1").penalty_t, 4'434);
  const IssuanceRecord* r = alloc.find(2017, "F1", Stage::kPre);
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->issued_t, 45'566);
  EXPECT_EQ(r->penalty_deducted_t, 45'566);
  // the positive true-up is the next issuance: 109,358 - 45,566 = 63,792 less 4,434 = 59,358.
  ASSERT_TRUE(
      alloc.issue_true_up(run(smelter("F1", "10000", "12000"), Stage::kFinal), dir, ledger, kTs)
          .ok());
  EXPECT_EQ(bal(kF1, kV2017), 59'358);
  EXPECT_EQ(alloc.debt("F1").total(), 0);
}

TEST_F(IssuanceTest, TrueUpNeedsThePreAllocationAndAllItsFirms) {
  auto none = alloc.issue_true_up(run(smelter("F1", "1", "1"), Stage::kFinal), dir, ledger, kTs);
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().code, AllocationError::kNotPreAllocated);
  ASSERT_TRUE(alloc
                  .issue_pre_allocation(
                      run(smelter("F1", "10000", "") + smelter("F2", "1", ""), Stage::kPre), dir,
                      ledger, kTs)
                  .ok());
  auto partial =
      alloc.issue_true_up(run(smelter("F1", "10000", "1"), Stage::kFinal), dir, ledger, kTs);
  ASSERT_FALSE(partial.ok());
  EXPECT_EQ(partial.error().code, AllocationError::kNotVerified);
  EXPECT_NE(partial.error().detail.find("F2"), std::string::npos);
}

TEST_F(IssuanceTest, TransferIdsAreDeterministicAndDistinct) {
  const TransferId a = allocation_transfer_id(kAllocationDomain, 2017, kF1, Purpose::kPreIssue);
  EXPECT_EQ(a, allocation_transfer_id(kAllocationDomain, 2017, kF1, Purpose::kPreIssue));
  EXPECT_TRUE(is_client_transfer_id(a));
  EXPECT_NE(a, allocation_transfer_id(kAllocationDomain, 2018, kF1, Purpose::kPreIssue));
  EXPECT_NE(a, allocation_transfer_id(kAllocationDomain, 2017, kF2, Purpose::kPreIssue));
  EXPECT_NE(a, allocation_transfer_id(kAllocationDomain, 2017, kF1, Purpose::kTrueUpIssue));
  EXPECT_NE(a, allocation_transfer_id(kComplianceDomain, 2017, kF1, Purpose::kPreIssue));
  EXPECT_EQ(a.value() >> 56, kAllocationDomain);
}

TEST_F(IssuanceTest, StateSerialisesAndRestoresExactly) {
  const std::string rows = smelter("F1", "10000", "4000") + smelter("F2", "20000", "20000");
  ASSERT_TRUE(alloc.issue_pre_allocation(run(rows, Stage::kPre), dir, ledger, kTs).ok());
  ASSERT_TRUE(alloc.issue_true_up(run(rows, Stage::kFinal), dir, ledger, kTs).ok());
  alloc.add_penalty_debt("F2", 77);
  auto back = Allocator::restore(alloc.serialize());
  ASSERT_TRUE(back.ok());
  EXPECT_TRUE(back.value() == alloc);
  EXPECT_EQ(back.value().debt("F2").penalty_t, 77);
  EXPECT_EQ(back.value().initial_allocation(2017, "F1"), 45'566);
  // the restored state knows the year is issued
  auto again = back.value().issue_pre_allocation(run(rows, Stage::kPre), dir, ledger, kTs);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again.value().firms_skipped, 2u);
  EXPECT_EQ(Allocator::restore("{}").error().code, AllocationError::kBadState);
  EXPECT_EQ(Allocator::restore(R"({"schema":"carbonx.allocation.state","version":2})").error().code,
            AllocationError::kBadState);
}

}  // namespace
}  // namespace carbonx::allocation
