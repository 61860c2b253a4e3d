// The national market's trading rules through FIX, on carbonxd's exchange path with the test's
// clock (offbook_driver.hpp) and the national configuration (tools/data/national/instruments.toml,
// [server] trading_account_kinds without individuals): a listing of 99,999 t accepted and one of
// 100,000 t refused, a block agreement the other way round; the +-10% and +-30% price edges; the
// hours to the nanosecond (11:30, 13:00, 15:00:00 exactly); units bought refused for resale the
// same day and sold the next trading day; an individual's order and agreement report refused.
// Every refusal is a FIX reply naming the rule, and changes nothing.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "offbook_driver.hpp"
#include "offbook_messages.hpp"

namespace carbonx::gateway {
namespace {

using testing::cst_ns;
using testing::field;
using testing::OffBookDriver;

std::string national_instruments() {
  std::ifstream in(std::string(CARBONX_GATEWAY_CONFIG_DIR) +
                   "/../../tools/data/national/instruments.toml");
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

constexpr std::uint32_t kFirmsAndInstitutions = (1u << 1) | (1u << 2);  // no individuals
constexpr std::int64_t kNs = 1'000'000'000;

class NationalFix : public ::testing::Test {
 protected:
  void SetUp() override {
    x_ = std::make_unique<OffBookDriver>(
        ::testing::UnitTest::GetInstance()->current_test_info()->name(), true,
        national_instruments(), kFirmsAndInstitutions);
    x_->set_time(cst_ns(2025, 1, 2, 9, 15));
    // 1001 institution (MEMBER1), 1002 and 1003 key emitting units (MEMBER2), 1004 an
    // individual (MEMBER3) opened by an operator anyway.
    x_->ok("account.open", {{"id", 1001}, {"kind", "investment_institution"}, {"member", 1}});
    x_->ok("account.open", {{"id", 1002}, {"kind", "control_emission_firm"}, {"member", 2}});
    x_->ok("account.open", {{"id", 1003}, {"kind", "control_emission_firm"}, {"member", 2}});
    x_->ok("account.open", {{"id", 1004}, {"kind", "individual"}, {"member", 3}});
    int transfer = 0;
    for (int a : {1001, 1002, 1003, 1004}) {
      x_->ok("cash.deposit",
             {{"transfer_id", ++transfer}, {"account", a}, {"amount_fen", 100'000'000'000}});
      x_->ok("units.issue", {{"transfer_id", ++transfer},
                             {"account", a},
                             {"symbol", "CEA24"},
                             {"quantity_t", 300000}});
    }
    x_->ok("market.open");
  }

  // A NewOrderSingle (limit, Day) of `comp`'s `account`; returns its first ExecutionReport.
  wire::Fields order(const std::string& comp, const std::string& account, const std::string& side,
                     const std::string& qty, const std::string& px) {
    x_->send(comp, "D",
             {{11, "O" + std::to_string(++clid_)},
              {1, account},
              {55, "CEA24"},
              {54, side},
              {60, "20250102-02:00:00.000"},
              {38, qty},
              {40, "2"},
              {44, px},
              {59, "0"}});
    auto er = x_->next(comp, "8");
    EXPECT_TRUE(er.has_value());
    x_->drain();
    return er.value_or(wire::Fields{});
  }
  // A block agreement report by MEMBER2's 1002 selling to 1001; returns its ack (AR).
  wire::Fields block(const std::string& qty, const std::string& px,
                     const std::string& comp = "MEMBER2", const std::string& account = "1002") {
    x_->send(comp, "AE",
             testing::join({{571, "R" + std::to_string(++clid_)},
                            {487, "0"},
                            {856, "0"},
                            {55, "CEA24"},
                            {32, qty},
                            {31, px},
                            {60, "20250102-05:00:00.000"}},
                           testing::two_sides("2", account, "1001")));
    auto ack = x_->next(comp, "AR");
    EXPECT_TRUE(ack.has_value());
    x_->drain();
    return ack.value_or(wire::Fields{});
  }
  static bool accepted(const wire::Fields& er) {
    EXPECT_EQ(field(er, 150), "0") << field(er, 58);
    return field(er, 150) == "0";
  }
  static bool rejected(const wire::Fields& er, const std::string& text) {
    EXPECT_NE(field(er, 58).find(text), std::string::npos) << field(er, 58);
    return field(er, 150) == "8";
  }

  std::unique_ptr<OffBookDriver> x_;
  int clid_ = 0;
};

TEST_F(NationalFix, AListingOf99999TonnesIsAcceptedAndOf100000Refused) {
  x_->set_time(cst_ns(2025, 1, 2, 13, 30));
  EXPECT_TRUE(accepted(order("MEMBER2", "1002", "2", "99999", "97.49")));
  EXPECT_TRUE(rejected(order("MEMBER2", "1002", "2", "100000", "97.49"), "quantity"));
  // The block agreement: 99,999 t refused, 100,000 t reported.
  EXPECT_EQ(field(block("99999", "97.49"), 939), "1");
  EXPECT_EQ(field(block("100000", "97.49"), 939), "0");
  EXPECT_TRUE(x_->ledger_ok());
}

TEST_F(NationalFix, ListedPricesWithin10PercentAndBlockPricesWithin30Percent) {
  x_->set_time(cst_ns(2025, 1, 2, 13, 30));
  EXPECT_TRUE(accepted(order("MEMBER2", "1002", "2", "10", "107.23")));
  EXPECT_TRUE(rejected(order("MEMBER2", "1002", "2", "10", "107.24"), "band"));
  EXPECT_TRUE(accepted(order("MEMBER1", "1001", "1", "10", "87.75")));
  EXPECT_TRUE(rejected(order("MEMBER1", "1001", "1", "10", "87.74"), "band"));
  EXPECT_EQ(field(block("100000", "126.73"), 939), "0");
  const auto high = block("100000", "126.74");
  EXPECT_EQ(field(high, 939), "1");
  EXPECT_NE(field(high, 58).find("126.73"), std::string::npos) << field(high, 58);
  EXPECT_EQ(field(block("100000", "68.25"), 939), "0");
  EXPECT_EQ(field(block("100000", "68.24"), 939), "1");
}

TEST_F(NationalFix, HoursAreExactAt1130And1300And1500) {
  x_->set_time(cst_ns(2025, 1, 2, 11, 30) - 1);
  EXPECT_TRUE(accepted(order("MEMBER2", "1002", "2", "10", "98.00")));
  x_->set_time(cst_ns(2025, 1, 2, 11, 30));
  EXPECT_TRUE(rejected(order("MEMBER2", "1002", "2", "10", "98.00"), "trading hours"));
  EXPECT_NE(field(block("100000", "97.49"), 939), "0");  // mornings: listed only
  x_->set_time(cst_ns(2025, 1, 2, 13, 0) - 1);
  EXPECT_TRUE(rejected(order("MEMBER2", "1002", "2", "10", "98.00"), "trading hours"));
  x_->set_time(cst_ns(2025, 1, 2, 13, 0));
  EXPECT_TRUE(accepted(order("MEMBER2", "1002", "2", "10", "98.00")));
  EXPECT_EQ(field(block("100000", "97.49"), 939), "0");
  x_->set_time(cst_ns(2025, 1, 2, 15, 0) - 1);
  EXPECT_TRUE(accepted(order("MEMBER2", "1002", "2", "10", "98.00")));
  EXPECT_EQ(field(block("100000", "97.49"), 939), "0");
  x_->set_time(cst_ns(2025, 1, 2, 15, 0));
  EXPECT_TRUE(rejected(order("MEMBER2", "1002", "2", "10", "98.00"), "trading hours"));
  const auto late = block("100000", "97.49");
  EXPECT_EQ(field(late, 939), "1");
  EXPECT_NE(field(late, 58).find("trading hours"), std::string::npos) << field(late, 58);
}

TEST_F(NationalFix, UnitsBoughtTodayAreRefusedForResaleUntilTheNextTradingDay) {
  x_->set_time(cst_ns(2025, 1, 2, 10, 0));
  EXPECT_TRUE(accepted(order("MEMBER2", "1002", "2", "1000", "97.49")));
  order("MEMBER1", "1001", "1", "1000", "97.49");  // fills against it
  EXPECT_EQ(x_->balance(1001, "CEA24"), (std::pair<std::int64_t, std::int64_t>{300000, 1000}));
  // Its own 300,000 t are sellable, today's 1,000 t are not.
  EXPECT_TRUE(accepted(order("MEMBER1", "1001", "2", "99999", "99.00")));
  EXPECT_TRUE(accepted(order("MEMBER1", "1001", "2", "99999", "99.00")));
  EXPECT_TRUE(accepted(order("MEMBER1", "1001", "2", "99999", "99.00")));
  EXPECT_TRUE(accepted(order("MEMBER1", "1001", "2", "3", "99.00")));
  EXPECT_TRUE(rejected(order("MEMBER1", "1001", "2", "1", "99.00"), "next trading day"));
  EXPECT_TRUE(x_->ledger_ok());
  x_->set_time(cst_ns(2025, 1, 2, 15, 30));
  x_->end_of_day();  // yesterday's orders expire (their reports are not looked at here)
  x_->drain();
  x_->set_time(cst_ns(2025, 1, 3, 9, 30));
  x_->ok("market.open");
  EXPECT_EQ(x_->balance(1001, "CEA24"), (std::pair<std::int64_t, std::int64_t>{301000, 0}));
  EXPECT_TRUE(accepted(order("MEMBER1", "1001", "2", "99999", "99.00")));
  EXPECT_TRUE(accepted(order("MEMBER1", "1001", "2", "99999", "99.00")));
  EXPECT_TRUE(accepted(order("MEMBER1", "1001", "2", "99999", "99.00")));
  EXPECT_TRUE(accepted(order("MEMBER1", "1001", "2", "1003", "99.00")));
  EXPECT_TRUE(x_->ledger_ok());
}

TEST_F(NationalFix, OrdTypeDTakesTheListingsOfOneOfTheBestFiveLevelsAtTheirPrice) {
  x_->set_time(cst_ns(2025, 1, 2, 10, 0));
  for (const char* px : {"98.00", "98.01", "98.02", "98.03", "98.04", "98.05"}) {
    EXPECT_TRUE(accepted(order("MEMBER2", "1002", "2", "100", px)));
  }
  const auto take = [&](const std::string& qty, const std::string& px) {
    x_->send("MEMBER1", "D",
             {{11, "T" + std::to_string(++clid_)},
              {1, "1001"},
              {55, "CEA24"},
              {54, "1"},
              {60, "20250102-02:00:00.000"},
              {38, qty},
              {40, "D"},
              {44, px}});
    std::vector<wire::Fields> reports;
    while (auto er = x_->next("MEMBER1", "8"))
      reports.push_back(*er);
    x_->drain();
    return reports;
  };
  // The third level: 100 t filled there, at 98.02, the other 50 t cancelled (IOC).
  const auto third = take("150", "98.02");
  ASSERT_EQ(third.size(), 3u);
  EXPECT_EQ(field(third[0], 150), "0");
  EXPECT_EQ(field(third[0], 40), "D");
  EXPECT_EQ(field(third[1], 150), "F");
  EXPECT_EQ(field(third[1], 31), "98.02");
  EXPECT_EQ(field(third[1], 32), "100");
  EXPECT_EQ(field(third[2], 150), "4");
  EXPECT_EQ(field(third[2], 151), "0");
  // Now 98.05 is the fifth level: taken; 98.06 holds nothing: refused.
  EXPECT_EQ(field(take("10", "98.05").at(1), 31), "98.05");
  const auto none = take("10", "98.06");
  ASSERT_EQ(none.size(), 1u);
  EXPECT_EQ(field(none[0], 150), "8");
  EXPECT_NE(field(none[0], 58).find("best levels"), std::string::npos) << field(none[0], 58);
  EXPECT_EQ(x_->balance(1001, "CEA24"), (std::pair<std::int64_t, std::int64_t>{300000, 110}));
}

TEST_F(NationalFix, AnIndividualsOrdersAndReportsAreRefused) {
  x_->set_time(cst_ns(2025, 1, 2, 13, 30));
  EXPECT_TRUE(rejected(order("MEMBER3", "1004", "1", "10", "97.49"), "individual"));
  EXPECT_TRUE(rejected(order("MEMBER3", "1004", "2", "10", "97.49"), "may not trade"));
  const auto ack = block("100000", "97.49", "MEMBER3", "1004");
  EXPECT_EQ(field(ack, 939), "1");
  EXPECT_NE(field(ack, 58).find("trading_account_kinds"), std::string::npos) << field(ack, 58);
  EXPECT_EQ(x_->balance(1004, "CEA24"), (std::pair<std::int64_t, std::int64_t>{300000, 0}));
  // The others trade.
  EXPECT_TRUE(accepted(order("MEMBER2", "1003", "2", "10", "97.49")));
}

}  // namespace
}  // namespace carbonx::gateway
