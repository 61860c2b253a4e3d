// Hand-worked allocation cases for every benchmark class and factor of the 2017 national draft
// (docs/design.md "Allocation"). Each case shows the arithmetic; the code must reproduce it
// exactly.
#include <gtest/gtest.h>

#include "allocation_test_support.hpp"
#include "carbonx/registry/allocation/compute.hpp"
#include "carbonx/registry/allocation/report.hpp"

namespace carbonx::allocation {
namespace {

using testing::kFacilityHeader;
using testing::row;
using testing::table_2017;

FacilitySet load(const std::string& rows, const AllocationTable& t = table_2017()) {
  auto r = parse_facilities("f.csv", kFacilityHeader + rows, t);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : to_string(r.error()));
  return r.ok() ? r.value() : FacilitySet{};
}

// Allocation of the single unit in `rows` at `stage`.
std::int64_t one(const std::string& rows, Stage stage, const AllocationTable& t = table_2017()) {
  const FacilitySet set = load(rows, t);
  auto run = compute_allocation(set, t, 2017, stage);
  EXPECT_TRUE(run.ok());
  if (!run.ok() || run.value().units.size() != 1) return -1;
  return run.value().units[0].allocation_t;
}

// A power unit with the given class, output and attributes (water cooling, no heat by default).
std::string power(const std::string& cls, const std::string& mwh, const std::string& fuel = "coal",
                  const std::string& cooling = "water", const std::string& ratio = "0",
                  const std::string& heat_gj = "0", const std::string& kcal = "") {
  return row({{"firm", "F1"},
              {"unit", "U1"},
              {"sector", "power"},
              {"class", cls},
              {"fuel", fuel},
              {"cooling", cooling},
              {"heat_ratio", ratio},
              {"calorific_kcal_per_kg", kcal},
              {"base_output", mwh},
              {"base_heat_gj", heat_gj},
              {"actual_output", mwh},
              {"actual_heat_gj", heat_gj}});
}

TEST(AllocationCompute, Usc1000PreAllocationAppliesSeventyPercent) {
  // 3,000,000 MWh x 0.8066 = 2,419,800 t; pre-allocation x 0.70 = 1,693,860 t.
  EXPECT_EQ(one(power("usc_1000mw", "3000000"), Stage::kFinal), 2'419'800);
  EXPECT_EQ(one(power("usc_1000mw", "3000000"), Stage::kPre), 1'693'860);
}

TEST(AllocationCompute, EveryCoalAndGasBenchmarkClass) {
  // 100,000 MWh x benchmark, water cooling, no heat, final stage.
  EXPECT_EQ(one(power("usc_600mw", "100000"), Stage::kFinal), 82'670);                 // x 0.8267
  EXPECT_EQ(one(power("sc_600mw", "100000"), Stage::kFinal), 86'100);                  // x 0.8610
  EXPECT_EQ(one(power("sc_300mw", "100000"), Stage::kFinal), 87'480);                  // x 0.8748
  EXPECT_EQ(one(power("subcritical_600mw", "100000"), Stage::kFinal), 89'280);         // x 0.8928
  EXPECT_EQ(one(power("subcritical_300mw", "100000"), Stage::kFinal), 92'660);         // x 0.9266
  EXPECT_EQ(one(power("hp_below_300mw", "100000"), Stage::kFinal), 101'770);           // x 1.0177
  EXPECT_EQ(one(power("gas_f_class", "100000", "gas"), Stage::kFinal), 37'950);        // x 0.3795
  EXPECT_EQ(one(power("gas_below_f_class", "100000", "gas"), Stage::kFinal), 51'920);  // x 0.5192
  // CFB/IGCC at 3000 kcal/kg exactly: no calorific uplift.
  EXPECT_EQ(
      one(power("cfb_igcc_300mw_plus", "100000", "coal", "water", "0", "0", "3000"), Stage::kFinal),
      95'650);  // x 0.9565
  EXPECT_EQ(one(power("cfb_igcc_below_300mw", "100000", "coal", "water", "0", "0", "3000"),
                Stage::kFinal),
            115'970);  // x 1.1597
}

TEST(AllocationCompute, AirCoolingFactor) {
  // 2,000,000 MWh x 0.8610 = 1,722,000; x 1.05 (air) = 1,808,100 t.
  EXPECT_EQ(one(power("sc_600mw", "2000000", "coal", "air"), Stage::kFinal), 1'808'100);
  // water: factor 1.
  EXPECT_EQ(one(power("sc_600mw", "2000000", "coal", "water"), Stage::kFinal), 1'722'000);
}

TEST(AllocationCompute, CoalHeatRatioAndHeatSupplied) {
  // supply: 1,000,000 MWh x 0.9266 x (1 - 0.25 x 0.2 = 0.95) = 880,270
  // heat:   500,000 GJ x 0.1118 = 55,900          total 936,170 t
  // pre:    936,170 x 0.70 = 655,319 t
  const std::string u = power("subcritical_300mw", "1000000", "coal", "water", "0.2", "500000");
  EXPECT_EQ(one(u, Stage::kFinal), 936'170);
  EXPECT_EQ(one(u, Stage::kPre), 655'319);
}

TEST(AllocationCompute, GasHeatRatioAndHalfUpRounding) {
  // supply: 1,500,000 MWh x 0.3795 x (1 - 0.6 x 0.3 = 0.82) = 466,785
  // heat:   200,000 GJ x 0.0602 = 12,040            total 478,825 t
  // pre:    478,825 x 0.70 = 335,177.5 -> half up -> 335,178 t
  const std::string u = power("gas_f_class", "1500000", "gas", "water", "0.3", "200000");
  EXPECT_EQ(one(u, Stage::kFinal), 478'825);
  EXPECT_EQ(one(u, Stage::kPre), 335'178);
}

TEST(AllocationCompute, CalorificFactorBelowAndAtThreshold) {
  // 1,000,000 MWh x 0.9565 = 956,500; below 3000 kcal/kg x 1.03 = 985,195 t.
  EXPECT_EQ(one(power("cfb_igcc_300mw_plus", "1000000", "coal", "water", "0", "0", "2999"),
                Stage::kFinal),
            985'195);
  EXPECT_EQ(one(power("cfb_igcc_300mw_plus", "1000000", "coal", "water", "0", "0", "2999.99"),
                Stage::kFinal),
            985'195);
  // at and above 3000: factor 1.
  EXPECT_EQ(one(power("cfb_igcc_300mw_plus", "1000000", "coal", "water", "0", "0", "3000"),
                Stage::kFinal),
            956'500);
  EXPECT_EQ(one(power("cfb_igcc_300mw_plus", "1000000", "coal", "water", "0", "0", "4500"),
                Stage::kFinal),
            956'500);
  // < 300 MW: 100,000 x 1.1597 = 115,970 x 1.03 = 119,449.1 -> 119,449 t.
  EXPECT_EQ(one(power("cfb_igcc_below_300mw", "100000", "coal", "water", "0", "0", "2800"),
                Stage::kFinal),
            119'449);
}

TEST(AllocationCompute, AllFactorsTogether) {
  // 600,000 MWh x 1.1597 x 1.05 (air) x (1 - 0.25 x 0.1 = 0.975) x 1.03 (2500 kcal)
  //   = 695,820 x 1.05 = 730,611 x 0.975 = 712,345.725 x 1.03 = 733,716.09675
  // heat: 100,000 GJ x 0.1118 = 11,180                    total 744,896.09675 -> 744,896 t
  // pre: x 0.70 = 521,427.267725 -> 521,427 t
  const std::string u =
      power("cfb_igcc_below_300mw", "600000", "coal", "air", "0.1", "100000", "2500");
  EXPECT_EQ(one(u, Stage::kFinal), 744'896);
  EXPECT_EQ(one(u, Stage::kPre), 521'427);
}

std::string heat(const std::string& cls, const std::string& fuel, const std::string& gj) {
  return row({{"firm", "F1"},
              {"unit", "B1"},
              {"sector", "heat"},
              {"class", cls},
              {"fuel", fuel},
              {"base_output", gj},
              {"actual_output", gj}});
}

TEST(AllocationCompute, HeatSupply) {
  // 1,000,000 GJ x 0.1118 = 111,800 t; pre x 0.70 = 78,260 t.
  EXPECT_EQ(one(heat("heat_coal", "coal", "1000000"), Stage::kFinal), 111'800);
  EXPECT_EQ(one(heat("heat_coal", "coal", "1000000"), Stage::kPre), 78'260);
  // 1,000,000 GJ x 0.0602 = 60,200 t.
  EXPECT_EQ(one(heat("heat_gas", "gas", "1000000"), Stage::kFinal), 60'200);
}

std::string cement(const std::string& clinker, const std::string& waste) {
  return row({{"firm", "C1"},
              {"unit", "K1"},
              {"sector", "cement"},
              {"class", "clinker"},
              {"base_output", clinker},
              {"base_waste_t", waste},
              {"actual_output", clinker},
              {"actual_waste_t", waste}});
}

TEST(AllocationCompute, CementCoProcessingBandsAndBoundaries) {
  // 1,000,000 t clinker x 0.8534 = 853,400 t. 30 kt and 50 kt are reached at the bound; the
  // top band is "> 100 kt" (docs/design.md), so exactly 100 kt stays at +2%.
  EXPECT_EQ(one(cement("1000000", "0"), Stage::kFinal), 853'400);
  EXPECT_EQ(one(cement("1000000", "29999.999"), Stage::kFinal), 853'400);   // below 30 kt
  EXPECT_EQ(one(cement("1000000", "30000"), Stage::kFinal), 861'934);       // x 1.01
  EXPECT_EQ(one(cement("1000000", "49999"), Stage::kFinal), 861'934);       // x 1.01
  EXPECT_EQ(one(cement("1000000", "50000"), Stage::kFinal), 870'468);       // x 1.02
  EXPECT_EQ(one(cement("1000000", "99999.999"), Stage::kFinal), 870'468);   // x 1.02
  EXPECT_EQ(one(cement("1000000", "100000"), Stage::kFinal), 870'468);      // x 1.02
  EXPECT_EQ(one(cement("1000000", "100000.001"), Stage::kFinal), 879'002);  // x 1.03
  EXPECT_EQ(one(cement("1000000", "250000"), Stage::kFinal), 879'002);      // x 1.03
  // pre: 853,400 x 0.50 = 426,700 t; with 30 kt: 861,934 x 0.5 = 430,967 t.
  EXPECT_EQ(one(cement("1000000", "0"), Stage::kPre), 426'700);
  EXPECT_EQ(one(cement("1000000", "30000"), Stage::kPre), 430'967);
}

TEST(AllocationCompute, Aluminium) {
  // 100,000 t liquid aluminium x 9.1132 = 911,320 t; pre x 0.50 = 455,660 t.
  const std::string u = row({{"firm", "A1"},
                             {"unit", "P1"},
                             {"sector", "aluminium"},
                             {"class", "liquid_aluminium"},
                             {"base_output", "100000"},
                             {"actual_output", "100000"}});
  EXPECT_EQ(one(u, Stage::kFinal), 911'320);
  EXPECT_EQ(one(u, Stage::kPre), 455'660);
}

TEST(AllocationCompute, GenericIntensityAndEmissionsMethods) {
  // intensity: 200,000 x 1.234567 x 0.98 = 241,975.132 -> 241,975 t;
  //            pre x 0.70 = 169,382.5924 -> 169,383 t
  const std::string i = row({{"firm", "G1"},
                             {"unit", "I1"},
                             {"sector", "other"},
                             {"class", "intensity"},
                             {"base_output", "200000"},
                             {"actual_output", "200000"},
                             {"intensity", "1.234567"},
                             {"decline_factor", "0.98"}});
  EXPECT_EQ(one(i, Stage::kFinal), 241'975);
  EXPECT_EQ(one(i, Stage::kPre), 169'383);
  // emissions: 100,000.5 x 0.97 = 97,000.485 -> 97,000 t; pre x 0.70 = 67,900.3395 -> 67,900 t.
  const std::string e = row({{"firm", "G1"},
                             {"unit", "E1"},
                             {"sector", "other"},
                             {"class", "emissions"},
                             {"hist_emissions_t", "100000.5"},
                             {"decline_factor", "0.97"}});
  EXPECT_EQ(one(e, Stage::kFinal), 97'000);
  EXPECT_EQ(one(e, Stage::kPre), 67'900);
}

TEST(AllocationCompute, SecondTableUsesItsOwnBenchmarks) {
  const AllocationTable& t = testing::table_2019();
  ASSERT_EQ(t.table_id, "national-2019-2020");
  // 1,000,000 MWh x 0.877 = 877,000; heat 100,000 GJ x 0.126 = 12,600 -> 889,600 t.
  EXPECT_EQ(
      one(power("coal_above_300mw", "1000000", "coal", "water", "0", "100000"), Stage::kFinal, t),
      889'600);
  EXPECT_EQ(one(power("coal_300mw_and_below", "1000000"), Stage::kFinal, t), 979'000);
  EXPECT_EQ(one(power("coal_unconventional", "1000000"), Stage::kFinal, t), 1'146'000);
  // gas: 1,000,000 x 0.392 = 392,000; heat 100,000 x 0.059 = 5,900 -> 397,900 t.
  EXPECT_EQ(one(power("gas", "1000000", "gas", "water", "0", "100000"), Stage::kFinal, t), 397'900);
}

TEST(AllocationCompute, FirmTotalIsTheSumOfRoundedUnits) {
  // Two gas units of 335,177.5 t each at pre-allocation: each rounds to 335,178, the firm gets
  // 670,356 (rounding per unit, never on the firm's sum of exact values, which is 670,355).
  const std::string a = power("gas_f_class", "1500000", "gas", "water", "0.3", "200000");
  std::string b = a;
  b.replace(b.find("U1"), 2, "U2");
  const FacilitySet set = load(a + b);
  auto run = compute_allocation(set, table_2017(), 2017, Stage::kPre);
  ASSERT_TRUE(run.ok());
  ASSERT_EQ(run.value().firms.size(), 1u);
  EXPECT_EQ(run.value().firms[0].allocation_t, 670'356);
  EXPECT_EQ(run.value().total_t, 670'356);
  EXPECT_EQ(to_string(run.value().units[0].exact_t), "335177.5");
}

TEST(AllocationCompute, FinalNeedsVerifiedOutputAndTheSameTable) {
  const std::string unverified = row({{"firm", "A1"},
                                      {"unit", "P1"},
                                      {"sector", "aluminium"},
                                      {"class", "liquid_aluminium"},
                                      {"base_output", "1000"}});
  const FacilitySet set = load(unverified);
  EXPECT_TRUE(compute_allocation(set, table_2017(), 2017, Stage::kPre).ok());
  auto final_run = compute_allocation(set, table_2017(), 2017, Stage::kFinal);
  ASSERT_FALSE(final_run.ok());
  EXPECT_EQ(final_run.error().code, AllocationError::kNotVerified);
  EXPECT_NE(final_run.error().detail.find("f.csv:2"), std::string::npos);
  auto other = compute_allocation(set, testing::table_2019(), 2017, Stage::kPre);
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().code, AllocationError::kTableMismatch);
  EXPECT_EQ(compute_allocation(set, table_2017(), 1999, Stage::kPre).error().code,
            AllocationError::kBadYear);
}

TEST(Decimal, ParseRoundAndPrint) {
  EXPECT_EQ(to_string(parse_decimal("0.8066", 4).value()), "0.8066");
  EXPECT_EQ(parse_decimal("0.80661", 4).error(), DecimalError::kTooManyDecimals);
  EXPECT_EQ(parse_decimal("-1", 4).error(), DecimalError::kNegative);
  EXPECT_EQ(parse_decimal("1e3", 4).error(), DecimalError::kNotANumber);
  EXPECT_EQ(parse_decimal("1.", 4).error(), DecimalError::kNotANumber);
  EXPECT_EQ(parse_decimal(".5", 4).error(), DecimalError::kNotANumber);
  EXPECT_EQ(parse_decimal("", 4).error(), DecimalError::kEmpty);
  EXPECT_EQ(parse_decimal("10000000000000", 4).error(), DecimalError::kTooLarge);
  EXPECT_EQ(round_half_up(Decimal::of(5, 1)), 1);     // 0.5 -> 1
  EXPECT_EQ(round_half_up(Decimal::of(4999, 4)), 0);  // 0.4999 -> 0
  EXPECT_EQ(round_half_up(Decimal::of(15, 1)), 2);    // 1.5 -> 2
  EXPECT_EQ(round_half_up(Decimal::of(-15, 1)), -2);  // away from zero
  EXPECT_EQ(to_string(mul(Decimal::of(105, 2), Decimal::of(95, 2))), "0.9975");
  EXPECT_EQ(compare(Decimal::of(30000, 0), Decimal::of(300000, 1)), 0);
}

}  // namespace
}  // namespace carbonx::allocation

namespace carbonx::allocation {
namespace {

TEST(AllocationReport, BreakdownShowsEveryFactor) {
  // 1,500,000 MWh x 0.3795 x 1 x 0.82 + 200,000 GJ x 0.0602 = 478,825; x 0.7 = 335,177.5 -> 335,178
  auto set = parse_facilities(
      "f.csv",
      std::string(testing::kFacilityHeader) + testing::row({{"firm", "F1"},
                                                            {"unit", "U1"},
                                                            {"sector", "power"},
                                                            {"class", "gas_f_class"},
                                                            {"fuel", "gas"},
                                                            {"cooling", "water"},
                                                            {"heat_ratio", "0.3"},
                                                            {"base_output", "1500000"},
                                                            {"base_heat_gj", "200000"}}),
      testing::table_2017());
  ASSERT_TRUE(set.ok());
  auto run = compute_allocation(set.value(), testing::table_2017(), 2017, Stage::kPre);
  ASSERT_TRUE(run.ok());
  const std::string csv = breakdown_csv(run.value());
  EXPECT_NE(csv.find("F1,U1,power,gas_f_class,pre,1500000,0.3795,1,0.3,0.6,0.82,1,200000,0.0602,0,"
                     "1,0,0,1,0.7,466785,12040,335177.5,335178\n"),
            std::string::npos)
      << csv;
  EXPECT_NE(formula(run.value(), run.value().units[0])
                .find("1500000 MWh x 0.3795 x cooling 1 x heat (1 - 0.6 x 0.3 = 0.82) x calorific "
                      "1 + 200000 GJ x 0.0602 = 478825 x share 0.7 = 335177.5 -> 335178 t"),
            std::string::npos);
  const std::string json = breakdown_json(run.value());
  EXPECT_NE(json.find("\"exact_t\": \"335177.5\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"allocation_t\": 335178"), std::string::npos);
  EXPECT_NE(breakdown_table(run.value()).find("TOTAL"), std::string::npos);
}

}  // namespace
}  // namespace carbonx::allocation
