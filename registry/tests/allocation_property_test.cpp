// Randomised checks (fixed seeds) of the allocation arithmetic against an independent oracle that
// works at fixed scales (every factor brought to a known number of decimals, one 128-bit product,
// one half-up rounding), and of issuance invariants: per firm, pre-allocation + true-up = final,
// and units are conserved in the ledger.
#include <gtest/gtest.h>

#include <random>

#include "allocation_test_support.hpp"
#include "carbonx/engine/in_memory_ledger.hpp"
#include "carbonx/registry/allocation/compute.hpp"
#include "carbonx/registry/allocation/issuance.hpp"

namespace carbonx::allocation {
namespace {

using testing::kFacilityHeader;
using testing::row;

struct PowerCase {
  std::string cls;
  bool gas = false;
  bool calorific = false;
  std::int64_t bench_e4 = 0;  // benchmark x 10^4
};

const PowerCase kClasses[] = {{"usc_1000mw", false, false, 8066},
                              {"usc_600mw", false, false, 8267},
                              {"sc_600mw", false, false, 8610},
                              {"sc_300mw", false, false, 8748},
                              {"subcritical_600mw", false, false, 8928},
                              {"subcritical_300mw", false, false, 9266},
                              {"hp_below_300mw", false, false, 10177},
                              {"cfb_igcc_300mw_plus", false, true, 9565},
                              {"cfb_igcc_below_300mw", false, true, 11597},
                              {"gas_f_class", true, false, 3795},
                              {"gas_below_f_class", true, false, 5192}};

// Oracle: supply = mwh(e3) x bench(e4) x cooling(e2) x heat factor(e6) x calorific(e2)
//         heat   = gj(e3) x heat bench(e4) brought to the same scale (e17), share(e2).
std::int64_t oracle(const PowerCase& c, std::int64_t mwh_e3, bool air, std::int64_t ratio_e4,
                    std::int64_t kcal, std::int64_t gj_e3, bool pre) {
  const __int128 cooling_e2 = air ? 105 : 100;
  const __int128 heat_factor_e6 = 1'000'000 - (c.gas ? 60 : 25) * ratio_e4;  // e2 x e4
  const __int128 cal_e2 = c.calorific && kcal < 3000 ? 103 : 100;
  const __int128 supply_e17 =
      __int128{mwh_e3} * c.bench_e4 * cooling_e2 * heat_factor_e6 * cal_e2;  // scale 3+4+2+6+2
  const __int128 heat_e17 =
      __int128{gj_e3} * (c.gas ? 602 : 1118) * 10'000'000'000;  // 3 + 4 = 7, x 10^10
  const __int128 share_e2 = pre ? 70 : 100;
  const __int128 total_e19 = (supply_e17 + heat_e17) * share_e2;
  const __int128 unit = static_cast<__int128>(10'000'000'000'000'000'000ULL);  // 10^19
  return static_cast<std::int64_t>((total_e19 + unit / 2) / unit);
}

// "F12" without `"literal" + std::string` (GCC 12 warns falsely on it).
std::string id(const char* prefix, std::uint64_t n) {
  std::string s(prefix);
  s.append(std::to_string(n));
  return s;
}

std::string dec(std::int64_t v, int scale) {
  std::string s = std::to_string(v);
  if (scale == 0) return s;
  while (static_cast<int>(s.size()) <= scale)
    s.insert(s.begin(), '0');
  s.insert(s.end() - scale, '.');
  return s;
}

TEST(AllocationProperty, PowerUnitsMatchAFixedScaleOracle) {
  std::mt19937_64 rng(20170510);
  std::string rows;
  struct Expect {
    std::int64_t pre, fin;
  };
  std::vector<Expect> expected;
  for (int i = 0; i < 3000; ++i) {
    const PowerCase& c = kClasses[rng() % std::size(kClasses)];
    const std::int64_t mwh_e3 = static_cast<std::int64_t>(rng() % 1'000'000'000'001ULL);
    const std::int64_t gj_e3 =
        rng() % 3 == 0 ? 0 : static_cast<std::int64_t>(rng() % 1'000'000'000'001ULL);
    const std::int64_t ratio_e4 = rng() % 2 == 0 ? 0 : static_cast<std::int64_t>(rng() % 10'001);
    const bool air = rng() % 4 == 0;
    const std::int64_t kcal = 2'000 + static_cast<std::int64_t>(rng() % 2'001);  // 2000..4000
    std::map<std::string, std::string> r = {{"firm", id("F", i % 97)},
                                            {"unit", id("U", i)},
                                            {"sector", "power"},
                                            {"class", c.cls},
                                            {"fuel", c.gas ? "gas" : "coal"},
                                            {"cooling", air ? "air" : "water"},
                                            {"heat_ratio", dec(ratio_e4, 4)},
                                            {"base_output", dec(mwh_e3, 3)},
                                            {"base_heat_gj", dec(gj_e3, 3)},
                                            {"actual_output", dec(mwh_e3, 3)},
                                            {"actual_heat_gj", dec(gj_e3, 3)}};
    if (c.calorific) r["calorific_kcal_per_kg"] = std::to_string(kcal);
    rows += row(r);
    expected.push_back({oracle(c, mwh_e3, air, ratio_e4, kcal, gj_e3, true),
                        oracle(c, mwh_e3, air, ratio_e4, kcal, gj_e3, false)});
  }
  auto set = parse_facilities("rand.csv", kFacilityHeader + rows, testing::table_2017());
  ASSERT_TRUE(set.ok()) << to_string(set.error());
  auto pre = compute_allocation(set.value(), testing::table_2017(), 2017, Stage::kPre);
  auto fin = compute_allocation(set.value(), testing::table_2017(), 2017, Stage::kFinal);
  ASSERT_TRUE(pre.ok() && fin.ok());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    ASSERT_EQ(pre.value().units[i].allocation_t, expected[i].pre) << "unit " << i;
    ASSERT_EQ(fin.value().units[i].allocation_t, expected[i].fin) << "unit " << i;
  }
}

TEST(AllocationProperty, PreAllocationPlusTrueUpIsTheFinalAllocationAndUnitsAreConserved) {
  std::mt19937_64 rng(42);
  std::string rows;
  for (int i = 0; i < 600; ++i) {
    rows += row({{"firm", id("F", i % 150)},
                 {"unit", id("P", i)},
                 {"sector", i % 2 == 0 ? "aluminium" : "cement"},
                 {"class", i % 2 == 0 ? "liquid_aluminium" : "clinker"},
                 {"base_output", std::to_string(rng() % 400'000)},
                 {"actual_output", std::to_string(rng() % 400'000)},
                 {"base_waste_t", i % 2 == 0 ? "" : std::to_string(rng() % 150'000)},
                 {"actual_waste_t", i % 2 == 0 ? "" : std::to_string(rng() % 150'000)}});
  }
  auto set = parse_facilities("rand.csv", kFacilityHeader + rows, testing::table_2017());
  ASSERT_TRUE(set.ok()) << to_string(set.error());
  const auto pre = compute_allocation(set.value(), testing::table_2017(), 2017, Stage::kPre);
  const auto fin = compute_allocation(set.value(), testing::table_2017(), 2017, Stage::kFinal);
  ASSERT_TRUE(pre.ok() && fin.ok());
  InMemoryLedger ledger;
  RegistryDirectory dir;
  dir.government_account = AccountId(0);
  dir.allowance_by_vintage[2017] = AssetId(1);
  std::uint32_t next = 10;
  for (const FirmAllocation& f : pre.value().firms) {
    dir.firms[f.firm] = FirmAccount{AccountId(next), MemberId(next), "x"};
    ASSERT_TRUE(ledger.open_account(AccountId(next++)));
  }
  ledger.begin_command(Seq(1), TimestampNs(0));
  Allocator alloc;
  ASSERT_TRUE(alloc.issue_pre_allocation(pre.value(), dir, ledger, TimestampNs(0)).ok());
  ASSERT_TRUE(alloc.issue_true_up(fin.value(), dir, ledger, TimestampNs(0)).ok());
  std::int64_t total = 0;
  for (const FirmAllocation& f : fin.value().firms) {
    EXPECT_EQ(ledger.balance(dir.firm(f.firm)->account, AssetId(1)).available, f.allocation_t);
    const IssuanceRecord* p = alloc.find(2017, f.firm, Stage::kPre);
    const IssuanceRecord* t = alloc.find(2017, f.firm, Stage::kFinal);
    ASSERT_TRUE(p != nullptr && t != nullptr);
    EXPECT_EQ(p->net_t() + t->net_t(), f.allocation_t);
    total += f.allocation_t;
  }
  EXPECT_EQ(total, fin.value().total_t);
  EXPECT_EQ(ledger.balance(AccountId(0), AssetId(1)).available, -total);
  EXPECT_EQ(ledger.total(AssetId(1)), 0);
}

}  // namespace
}  // namespace carbonx::allocation
