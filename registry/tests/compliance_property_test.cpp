// Randomised surrenders (fixed seed) against a plain integer oracle of Guangdong's rules: every
// acceptance and every refusal code must agree, refused surrenders change nothing, and the
// ledger's retirement account holds exactly what the status reports.
#include <gtest/gtest.h>

#include <random>

#include "compliance_test_support.hpp"

namespace carbonx::compliance {
namespace {

using namespace testing;

class GuangdongRandom : public ComplianceFixture {};

struct OracleFirm {
  std::int64_t obligation = 0;
  std::int64_t prior = -1;  // -1: no prior-year emissions
  std::int64_t allowances = 0, ccer = 0, ccer_gd = 0, phcer = 0;
  std::uint32_t surrenders = 0;
};

// The expected outcome under Guangdong's rules, checked in the documented order.
std::optional<ComplianceError> oracle(const OracleFirm& f, const std::vector<SurrenderLeg>& legs,
                                      OracleFirm& after) {
  after = f;
  if (f.surrenders >= kMaxSurrendersPerFirmYear) return ComplianceError::kTooManySurrenders;
  ++after.surrenders;
  std::set<std::uint32_t> seen;
  for (const SurrenderLeg& l : legs) {
    if (!seen.insert(l.asset.value()).second) return ComplianceError::kBadLegs;
    if (l.asset == kV2018) return ComplianceError::kVintageTooNew;
    if (l.asset == kV2016 || l.asset == kV2017) after.allowances += l.quantity_t;
    if (l.asset == kCcerGd) after.ccer_gd += l.quantity_t;
    if (l.asset == kCcerGd || l.asset == kCcerYn) after.ccer += l.quantity_t;
    if (l.asset == kPhcerGd) after.phcer += l.quantity_t;
  }
  if (after.allowances + after.ccer + after.phcer > f.obligation) {
    return ComplianceError::kExceedsObligation;
  }
  const std::int64_t offsets = after.ccer + after.phcer;
  if (offsets > 0 && f.prior < 0) return ComplianceError::kOffsetCapBasisMissing;
  if (offsets * 10 > f.prior && offsets > 0) return ComplianceError::kOffsetCapExceeded;
  if (after.ccer > 0 && after.ccer_gd * 10 < after.ccer * 7) {
    return ComplianceError::kInRegionShareTooLow;
  }
  return std::nullopt;
}

TEST_F(GuangdongRandom, SurrendersAgreeWithAnIntegerOracle) {
  open("guangdong");
  std::mt19937_64 rng(618);
  const std::vector<std::string> firms = {"F1", "F2"};
  std::map<std::string, OracleFirm> model;
  for (const std::string& f : firms) {
    OracleFirm o;
    o.obligation = 40'000 + static_cast<std::int64_t>(rng() % 40'000);
    if (f == "F1") o.prior = 100'000 + static_cast<std::int64_t>(rng() % 200'000);
    emissions(f, 2017, o.obligation);
    if (o.prior >= 0) emissions(f, 2016, o.prior);
    model[f] = o;
  }
  const AssetId pool[] = {kV2016, kV2017, kV2018, kCcerGd, kCcerYn, kPhcerGd};
  int accepted = 0;
  std::map<ComplianceError, int> refusals;
  for (int i = 0; i < 4'000; ++i) {
    const std::string& firm = firms[rng() % firms.size()];
    std::vector<SurrenderLeg> legs(1 + rng() % 3);
    for (SurrenderLeg& l : legs) {
      l.asset = pool[rng() % std::size(pool)];
      l.quantity_t = 1 + static_cast<std::int64_t>(rng() % (rng() % 2 ? 300 : 3'000));
    }
    OracleFirm after;
    const auto expect = oracle(model[firm], legs, after);
    auto got = give(firm, legs);
    if (expect) {
      ASSERT_FALSE(got.ok()) << "step " << i;
      ASSERT_EQ(got.error().code, *expect) << "step " << i << ": " << got.error().detail;
      ++refusals[*expect];
    } else {
      ASSERT_TRUE(got.ok()) << "step " << i << ": " << got.error().detail;
      model[firm] = after;
      ++accepted;
    }
  }
  std::int64_t retired = 0;
  for (const FirmStatus& s : comp->status(2017)) {
    const OracleFirm& o = model[s.firm];
    EXPECT_EQ(s.allowances_t, o.allowances);
    EXPECT_EQ(s.offsets_t, o.ccer + o.phcer);
    EXPECT_EQ(s.shortfall_t, o.obligation - o.allowances - o.ccer - o.phcer);
    retired += s.allowances_t + s.offsets_t;
  }
  std::int64_t in_retirement = 0;
  for (AssetId a : pool)
    in_retirement += bal(kRetire2017, a);
  EXPECT_EQ(in_retirement, retired);
  // the walk exercised acceptances and every rule
  EXPECT_GT(accepted, 100);
  for (ComplianceError e :
       {ComplianceError::kBadLegs, ComplianceError::kVintageTooNew,
        ComplianceError::kOffsetCapBasisMissing, ComplianceError::kOffsetCapExceeded,
        ComplianceError::kInRegionShareTooLow, ComplianceError::kExceedsObligation}) {
    EXPECT_GT(refusals[e], 0) << to_string(e);
  }
}

}  // namespace
}  // namespace carbonx::compliance
