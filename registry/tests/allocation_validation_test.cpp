// Every line of the input files is checked before anything is computed or issued; every error
// names the file, the line and the field; all errors are reported, not just the first.
#include <gtest/gtest.h>

#include "allocation_test_support.hpp"
#include "carbonx/registry/allocation/facility.hpp"
#include "carbonx/registry/allocation/table.hpp"

namespace carbonx::allocation {
namespace {

using testing::kFacilityHeader;
using testing::row;
using testing::table_2017;

std::map<std::string, std::string> good_power() {
  return {{"firm", "F1"},           {"unit", "U1"},          {"sector", "power"},
          {"class", "usc_600mw"},   {"fuel", "coal"},        {"cooling", "water"},
          {"heat_ratio", "0.1"},    {"base_output", "1000"}, {"base_heat_gj", "0"},
          {"actual_output", "900"}, {"actual_heat_gj", "0"}};
}

// The errors of loading the header and `rows`; expects failure.
std::vector<InputError> errors_of(const std::string& rows,
                                  const std::string& header = kFacilityHeader) {
  auto r = parse_facilities("facilities_2017.csv", header + rows, table_2017());
  EXPECT_FALSE(r.ok());
  return r.ok() ? std::vector<InputError>{} : r.error().errors;
}

// Expects exactly one error, at `line` and `field`, with `code`.
void expect_one(const std::vector<InputError>& errs, InputErrorCode code, std::size_t line,
                const std::string& field) {
  ASSERT_EQ(errs.size(), 1u) << to_string(InputErrors{errs});
  EXPECT_EQ(errs[0].code, code) << to_string(errs[0]);
  EXPECT_EQ(errs[0].file, "facilities_2017.csv");
  EXPECT_EQ(errs[0].line, line);
  EXPECT_EQ(errs[0].field, field);
}

std::string with(std::map<std::string, std::string> v, const std::string& k,
                 const std::string& value) {
  v[k] = value;
  return row(v);
}

TEST(AllocationValidation, AGoodRowLoads) {
  auto r = parse_facilities("f.csv", kFacilityHeader + row(good_power()), table_2017());
  ASSERT_TRUE(r.ok()) << to_string(r.error());
  ASSERT_EQ(r.value().units.size(), 1u);
  EXPECT_TRUE(r.value().units[0].verified());
}

TEST(AllocationValidation, UnknownClassAndSector) {
  expect_one(errors_of(with(good_power(), "class", "usc_2000mw")), InputErrorCode::kUnknownClass, 2,
             "class");
  expect_one(errors_of(with(good_power(), "class", "clinker")), InputErrorCode::kUnknownClass, 2,
             "class");
  expect_one(errors_of(with(good_power(), "sector", "steel")), InputErrorCode::kUnknownSector, 2,
             "sector");
}

TEST(AllocationValidation, NegativeOutputAndHeatRatioOutOfRange) {
  expect_one(errors_of(with(good_power(), "base_output", "-5")), InputErrorCode::kOutOfRange, 2,
             "base_output");
  expect_one(errors_of(with(good_power(), "heat_ratio", "1.2")), InputErrorCode::kOutOfRange, 2,
             "heat_ratio");
  expect_one(errors_of(with(good_power(), "heat_ratio", "-0.1")), InputErrorCode::kOutOfRange, 2,
             "heat_ratio");
  expect_one(errors_of(with(good_power(), "heat_ratio", "0.12345")), InputErrorCode::kBadNumber, 2,
             "heat_ratio");
  expect_one(errors_of(with(good_power(), "base_output", "1,000")), InputErrorCode::kFieldCount, 2,
             "");
  expect_one(errors_of(with(good_power(), "base_output", "abc")), InputErrorCode::kBadNumber, 2,
             "base_output");
  expect_one(errors_of(with(good_power(), "base_output", "2000000000")),
             InputErrorCode::kOutOfRange, 2, "base_output");
}

TEST(AllocationValidation, MissingAndUnknownColumns) {
  std::string header = kFacilityHeader;
  header.replace(header.find("heat_ratio,"), 11, "");
  auto errs = errors_of("", header);
  ASSERT_EQ(errs.size(), 1u);
  EXPECT_EQ(errs[0].code, InputErrorCode::kMissingColumn);
  EXPECT_EQ(errs[0].line, 1u);
  EXPECT_EQ(errs[0].field, "heat_ratio");
  std::string typo = kFacilityHeader;
  typo.replace(typo.find("cooling"), 7, "coolng");
  errs = errors_of("", typo);
  ASSERT_EQ(errs.size(), 2u);  // the unknown 'coolng' and the missing 'cooling'
  EXPECT_EQ(errs[0].code, InputErrorCode::kUnknownColumn);
  EXPECT_EQ(errs[0].field, "coolng");
  EXPECT_EQ(errs[1].field, "cooling");
}

TEST(AllocationValidation, DuplicateUnit) {
  auto errs = errors_of(row(good_power()) + row(good_power()));
  expect_one(errs, InputErrorCode::kDuplicateKey, 3, "unit");
  EXPECT_NE(errs[0].detail.find("U1"), std::string::npos);
}

TEST(AllocationValidation, MissingValuesAndValuesThatDoNotApply) {
  expect_one(errors_of(with(good_power(), "cooling", "")), InputErrorCode::kMissingValue, 2,
             "cooling");
  expect_one(errors_of(with(good_power(), "cooling", "oil")), InputErrorCode::kUnknownValue, 2,
             "cooling");
  expect_one(errors_of(with(good_power(), "fuel", "gas")), InputErrorCode::kMismatch, 2, "fuel");
  expect_one(errors_of(with(good_power(), "base_waste_t", "5")), InputErrorCode::kUnexpectedValue,
             2, "base_waste_t");
  expect_one(errors_of(with(good_power(), "calorific_kcal_per_kg", "2900")),
             InputErrorCode::kUnexpectedValue, 2, "calorific_kcal_per_kg");
  expect_one(errors_of(with(good_power(), "class", "cfb_igcc_300mw_plus")),
             InputErrorCode::kMissingValue, 2, "calorific_kcal_per_kg");
  expect_one(errors_of(with(good_power(), "firm", "F 1")), InputErrorCode::kBadIdentifier, 2,
             "firm");
  // verified output: all of a unit's actual_ fields, or none.
  expect_one(errors_of(with(good_power(), "actual_heat_gj", "")), InputErrorCode::kMissingValue, 2,
             "actual_heat_gj");
  // a cement row needs its waste column
  expect_one(errors_of(row({{"firm", "C"},
                            {"unit", "K"},
                            {"sector", "cement"},
                            {"class", "clinker"},
                            {"base_output", "1"}})),
             InputErrorCode::kMissingValue, 2, "base_waste_t");
}

TEST(AllocationValidation, EveryErrorOfEveryLineIsReported) {
  // line 2 good, line 3 two errors, line 4 one error, line 5 CSV syntax.
  std::map<std::string, std::string> bad = good_power();
  bad["unit"] = "U3";
  bad["heat_ratio"] = "2";
  bad["cooling"] = "oil";
  std::map<std::string, std::string> bad2 = good_power();
  bad2["unit"] = "U4";
  bad2["base_output"] = "-1";
  auto errs = errors_of(row(good_power()) + row(bad) + row(bad2) + "F1,\"U5,power\n");
  ASSERT_EQ(errs.size(), 4u) << to_string(InputErrors{errs});
  EXPECT_EQ(errs[0].line, 3u);
  EXPECT_EQ(errs[0].field, "cooling");
  EXPECT_EQ(errs[1].line, 3u);
  EXPECT_EQ(errs[1].field, "heat_ratio");
  EXPECT_EQ(errs[2].line, 4u);
  EXPECT_EQ(errs[2].field, "base_output");
  EXPECT_EQ(errs[3].line, 5u);
  EXPECT_EQ(errs[3].code, InputErrorCode::kCsvSyntax);
  EXPECT_EQ(to_string(errs[1]),
            "facilities_2017.csv:3: field 'heat_ratio': out of range: 2 is outside 0..1");
}

TEST(AllocationValidation, QuotedFieldsCommentsAndBlankLines) {
  const std::string text = std::string("# a comment\n\n") + kFacilityHeader +
                           "\"F1\",\"U1\",power,usc_600mw,coal, water ,0.1,,1000,0,,,,,,,\r\n";
  auto r = parse_facilities("f.csv", text, table_2017());
  ASSERT_TRUE(r.ok()) << to_string(r.error());
  EXPECT_EQ(r.value().units[0].line, 4u);
  EXPECT_EQ(r.value().units[0].cooling, Cooling::kWater);
  EXPECT_FALSE(r.value().units[0].verified());
}

TEST(AllocationValidation, CementAndAluminiumAreRefusedUnderThePowerOnlyTable) {
  auto r = parse_facilities("f.csv",
                            kFacilityHeader + row({{"firm", "A"},
                                                   {"unit", "P"},
                                                   {"sector", "aluminium"},
                                                   {"class", "liquid_aluminium"},
                                                   {"base_output", "1"}}),
                            testing::table_2019());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().errors[0].code, InputErrorCode::kUnknownSector);
}

TEST(AllocationTableFile, ErrorsNameLineAndField) {
  const std::string header = "record,name,sector,fuel,option,value\n";
  auto r = parse_allocation_table("t.csv", header +
                                               "meta,table_id,,,,x\n"
                                               "meta,version,,,,2\n"
                                               "sector,power,power,,,1.5\n"
                                               "class,a,nosuch,coal,,0.8\n"
                                               "factor,cooling_air,,,,1.23456\n"
                                               "bogus,x,,,,1\n");
  ASSERT_FALSE(r.ok());
  const auto& e = r.error().errors;
  ASSERT_EQ(e.size(), 5u) << to_string(r.error());
  EXPECT_EQ(e[0].line, 3u);
  EXPECT_EQ(e[0].field, "value");  // version 2
  EXPECT_EQ(e[1].line, 4u);
  EXPECT_EQ(e[1].code, InputErrorCode::kOutOfRange);  // share 1.5
  EXPECT_EQ(e[2].line, 5u);
  EXPECT_EQ(e[2].code, InputErrorCode::kUnknownSector);
  EXPECT_EQ(e[3].line, 6u);
  EXPECT_EQ(e[3].code, InputErrorCode::kBadNumber);  // 5 decimal places
  EXPECT_EQ(e[4].line, 7u);
  EXPECT_EQ(e[4].field, "record");
}

TEST(AllocationTableFile, IncompleteTablesAreRefused) {
  auto r = parse_allocation_table("t.csv",
                                  "record,name,sector,fuel,option,value\n"
                                  "meta,table_id,,,,x\nmeta,version,,,,1\n"
                                  "sector,power,power,,,0.7\nclass,a,power,coal,,0.8\n");
  ASSERT_FALSE(r.ok());
  for (const auto& e : r.error().errors)
    EXPECT_EQ(e.code, InputErrorCode::kIncomplete);
  EXPECT_GE(r.error().errors.size(), 2u);  // no heat class of coal, no cooling factors ...
  EXPECT_EQ(load_allocation_table("/nonexistent/t.csv").error().errors[0].code,
            InputErrorCode::kUnreadableFile);
}

TEST(AllocationTableFile, ShippedTablesLoad) {
  EXPECT_EQ(table_2017().classes.size(), 15u);  // 11 power, 2 heat, clinker, aluminium
  EXPECT_EQ(table_2017().co_processing.size(), 3u);
  EXPECT_EQ(testing::table_2019().classes.size(), 6u);
}

}  // namespace
}  // namespace carbonx::allocation
