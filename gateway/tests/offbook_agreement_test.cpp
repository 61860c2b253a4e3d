// Agreement transfers through FIX (TradeCaptureReport AE / AR) on carbonxd's exchange path with
// the test's clock (offbook_driver.hpp): decline by the counterparty, withdrawal by the reporter,
// expiry at the end of the day, fees on both sides, refusals that name the limit (band bounds,
// tick, minimum size) and change nothing, and TradeReportID duplicate detection.
#include <gtest/gtest.h>

#include "offbook_driver.hpp"

namespace carbonx::gateway {
namespace {

using testing::cst_ns;
using testing::field;
using testing::OffBookDriver;
using Balance = std::pair<std::int64_t, std::int64_t>;
using json = nlohmann::json;

// MEMBER2's account 1002 reports selling `qty` GDEA2017 at `px` to account 1001 (MEMBER1).
void report(OffBookDriver& x, const std::string& id, const std::string& qty, const std::string& px,
            const std::string& symbol = "GDEA2017") {
  x.send("MEMBER2", "AE",
         {{571, id},
          {487, "0"},
          {856, "0"},
          {55, symbol},
          {32, qty},
          {31, px},
          {60, "20170509-02:00:00.000"},
          {552, "2"},
          {54, "2"},
          {1, "1002"},
          {54, "1"},
          {1, "1001"}});
}

// An answer (856=2 accept, 3 decline) to report `ref` by `comp_id`'s `account`.
void answer(OffBookDriver& x, const std::string& comp_id, const std::string& account,
            const std::string& id, const std::string& type, const std::string& ref) {
  x.send(comp_id, "AE", {{571, id}, {856, type}, {572, ref}, {552, "1"}, {54, "1"}, {1, account}});
}

class OffBookAgreement : public ::testing::Test {
 protected:
  void SetUp() override {
    x_ = std::make_unique<OffBookDriver>(
        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    x_->set_time(cst_ns(2017, 5, 9, 10));
    x_->seed();
  }
  // Reports R (must be accepted for the counterparty); returns the exchange's report id.
  std::string reported(const std::string& id, const std::string& px = "14.30") {
    report(*x_, id, "100000", px);
    const auto ack = x_->next("MEMBER2", "AR");
    EXPECT_TRUE(ack.has_value());
    if (!ack) return "";
    EXPECT_EQ(field(*ack, 939), "0") << field(*ack, 58);
    const auto alleged = x_->next("MEMBER1", "AE");
    EXPECT_TRUE(alleged.has_value());
    if (alleged) {
      EXPECT_EQ(field(*alleged, 818), field(*ack, 818));
    }
    return field(*ack, 818);
  }
  // The refusal AR of MEMBER2's last report: its Text(58).
  std::string refused(const std::string& id) {
    const auto ar = x_->next("MEMBER2", "AR");
    EXPECT_TRUE(ar.has_value());
    if (!ar) return "";
    EXPECT_EQ(field(*ar, 939), "1");
    EXPECT_EQ(field(*ar, 571), id);
    EXPECT_EQ(x_->pending("MEMBER1"), 0u) << "a refused report is not alleged";
    return field(*ar, 58);
  }

  std::unique_ptr<OffBookDriver> x_;
};

TEST_F(OffBookAgreement, DeclineWithdrawalAndExpiryReleaseTheHoldAndTellBothSides) {
  // Declined by the counterparty: both get 856=3 "declined", the seller's units come back.
  const std::string r1 = reported("R1");
  EXPECT_EQ(x_->balance(1002, "GDEA2017"), (Balance{200000, 100000}));
  answer(*x_, "MEMBER1", "1001", "D1", "3", r1);
  for (const char* comp : {"MEMBER1", "MEMBER2"}) {
    const auto ae = x_->next(comp, "AE");
    ASSERT_TRUE(ae.has_value()) << comp;
    EXPECT_EQ(field(*ae, 856), "3");
    EXPECT_EQ(field(*ae, 818), r1);
    EXPECT_EQ(field(*ae, 58), "declined");
  }
  EXPECT_EQ(x_->balance(1002, "GDEA2017"), (Balance{300000, 0}));

  // Withdrawn by the reporter (its own 856=3 on its report): "withdrawn" to both.
  const std::string r2 = reported("R2");
  answer(*x_, "MEMBER2", "1002", "W2", "3", r2);
  for (const char* comp : {"MEMBER1", "MEMBER2"}) {
    const auto ae = x_->next(comp, "AE");
    ASSERT_TRUE(ae.has_value()) << comp;
    EXPECT_EQ(field(*ae, 856), "3");
    EXPECT_EQ(field(*ae, 58), "withdrawn");
  }
  EXPECT_EQ(x_->balance(1002, "GDEA2017"), (Balance{300000, 0}));
  // The withdrawn report can no longer be accepted.
  answer(*x_, "MEMBER1", "1001", "A2", "2", r2);
  const auto late = x_->next("MEMBER1", "AR");
  ASSERT_TRUE(late.has_value());
  EXPECT_EQ(field(*late, 939), "1");
  EXPECT_EQ(field(*late, 58), "unknown agreement report, auction, bid or repo");

  // Unanswered at the end of the day: "expired" to both, the hold released, the list empty.
  const std::string r3 = reported("R3");
  EXPECT_EQ(x_->ok("agreement.list").at("agreements").size(), 1u);
  x_->set_time(cst_ns(2017, 5, 9, 15, 30));
  x_->end_of_day();
  for (const char* comp : {"MEMBER1", "MEMBER2"}) {
    const auto ae = x_->next(comp, "AE");
    ASSERT_TRUE(ae.has_value()) << comp;
    EXPECT_EQ(field(*ae, 856), "3");
    EXPECT_EQ(field(*ae, 818), r3);
    EXPECT_EQ(field(*ae, 58), "expired");
  }
  EXPECT_EQ(x_->ok("agreement.list").at("agreements").size(), 0u);
  EXPECT_EQ(x_->balance(1002, "GDEA2017"), (Balance{300000, 0}));
  EXPECT_EQ(x_->balance(1001, "GDEA2017"), (Balance{0, 0}));
  // The next morning the expired report cannot be accepted.
  x_->set_time(cst_ns(2017, 5, 10, 9, 30));
  x_->ok("market.open");
  answer(*x_, "MEMBER1", "1001", "A3", "2", r3);
  const auto gone = x_->next("MEMBER1", "AR");
  ASSERT_TRUE(gone.has_value());
  EXPECT_EQ(field(*gone, 939), "1");
  EXPECT_TRUE(x_->ledger_ok());
}

TEST_F(OffBookAgreement, AcceptanceSettlesWithBothSidesFees) {
  const std::string r1 = reported("R1");
  const auto fees_before = x_->balance(9000, "CNY").first;
  answer(*x_, "MEMBER1", "1001", "A1", "2", r1);
  for (const char* comp : {"MEMBER1", "MEMBER2"}) {
    const auto ae = x_->next(comp, "AE");
    ASSERT_TRUE(ae.has_value()) << comp;
    EXPECT_EQ(field(*ae, 856), "2");
    EXPECT_FALSE(field(*ae, 880).empty());
    // 100,000 t x 14.30 = 1,430,000.00 CNY; 0.5% = 7,150.00 CNY on each side.
    EXPECT_EQ(field(*ae, 12), "7150.00") << comp;
  }
  EXPECT_EQ(x_->balance(9000, "CNY").first - fees_before, 1430000);
  EXPECT_EQ(x_->balance(1001, "CNY").first, 10000000000 - 143000000 - 715000);
  EXPECT_EQ(x_->balance(1002, "CNY").first, 10000000 + 143000000 - 715000);
  EXPECT_EQ(x_->balance(1001, "GDEA2017"), (Balance{100000, 0}));

  // A buy-side report (1001 buys from 1003): the reporter's cash + fee is held, then settled.
  x_->send("MEMBER1", "AE",
           {{571, "B1"},
            {487, "0"},
            {856, "0"},
            {55, "GDEA2017"},
            {32, "100000"},
            {31, "15.00"},
            {60, "20170509-02:00:00.000"},
            {552, "2"},
            {54, "1"},
            {1, "1001"},
            {54, "2"},
            {1, "1003"}});
  const auto ack = x_->next("MEMBER1", "AR");
  ASSERT_TRUE(ack.has_value());
  ASSERT_EQ(field(*ack, 939), "0") << field(*ack, 58);
  const auto cash = x_->balance(1001, "CNY");
  EXPECT_EQ(cash.second, 150000000 + 750000);  // 1,500,000.00 + 0.5%
  const auto alleged = x_->next("MEMBER2", "AE");
  ASSERT_TRUE(alleged.has_value());
  EXPECT_EQ(field(*alleged, 54), "2");
  EXPECT_EQ(field(*alleged, 1), "1003");
  answer(*x_, "MEMBER2", "1003", "A2", "2", field(*ack, 818));
  for (const char* comp : {"MEMBER1", "MEMBER2"}) {
    const auto ae = x_->next(comp, "AE");
    ASSERT_TRUE(ae.has_value()) << comp;
    EXPECT_EQ(field(*ae, 856), "2");
    EXPECT_EQ(field(*ae, 12), "7500.00") << comp;
  }
  EXPECT_EQ(x_->balance(1001, "CNY"), (Balance{cash.first, 0}));
  EXPECT_EQ(x_->balance(1001, "GDEA2017"), (Balance{200000, 0}));
  EXPECT_EQ(x_->balance(1003, "CNY").first, 1000000000 + 150000000 - 750000);
  EXPECT_EQ(x_->balance(9000, "CNY").first - fees_before, 1430000 + 1500000);
  EXPECT_TRUE(x_->ledger_ok());
}

TEST_F(OffBookAgreement, RefusalsNameTheBandTheTickAndTheMinimumAndChangeNothing) {
  const json before = x_->ok("query.balances", {{"account", 1002}});
  // Reference 14.20 CNY, band +-30%: 9.94 .. 18.46.
  report(*x_, "P1", "100000", "18.47");
  EXPECT_EQ(refused("P1"),
            "price 18.47 outside the agreement band 9.94..18.46 (reference 14.20 +-30.00%)");
  report(*x_, "P2", "100000", "9.93");
  EXPECT_EQ(refused("P2"),
            "price 9.93 outside the agreement band 9.94..18.46 (reference 14.20 +-30.00%)");
  report(*x_, "P3", "99999", "14.30");
  EXPECT_EQ(refused("P3"), "quantity 99999 t below the agreement minimum 100000 t");
  report(*x_, "P4", "100000", "16.02", "GDEA2019");  // GDEA2019 ticks are 0.05 CNY
  EXPECT_EQ(refused("P4"), "price 16.02 is not a multiple of the tick 0.05 of GDEA2019");
  // The band's edges themselves are inside.
  const std::string edge = reported("P5", "9.94");
  EXPECT_FALSE(edge.empty());
  report(*x_, "P6", "100000", "18.46");
  const auto high = x_->next("MEMBER2", "AR");
  ASSERT_TRUE(high.has_value());
  EXPECT_EQ(field(*high, 939), "0") << field(*high, 58);
  x_->drain();
  answer(*x_, "MEMBER2", "1002", "W5", "3", edge);
  answer(*x_, "MEMBER2", "1002", "W6", "3", field(*high, 818));
  EXPECT_EQ(x_->ok("query.balances", {{"account", 1002}}), before);
  EXPECT_EQ(x_->ok("agreement.list").at("agreements").size(), 0u);
}

TEST_F(OffBookAgreement, AResubmittedTradeReportIdIsRefusedAndChangesNothing) {
  const std::string r1 = reported("R1");
  const json list = x_->ok("agreement.list");
  const json held = x_->ok("query.balances", {{"account", 1002}});
  // The same TradeReportID again, even with other terms: refused, nothing held, nothing alleged.
  report(*x_, "R1", "150000", "14.00");
  EXPECT_EQ(refused("R1"), "duplicate TradeReportID(571) R1: already used by this session today");
  EXPECT_EQ(x_->ok("agreement.list"), list);
  EXPECT_EQ(x_->ok("query.balances", {{"account", 1002}}), held);
  // The counterparty's answer ids are TradeReportIDs too.
  answer(*x_, "MEMBER1", "1001", "A1", "2", r1);
  ASSERT_TRUE(x_->next("MEMBER1", "AE").has_value());
  ASSERT_TRUE(x_->next("MEMBER2", "AE").has_value());
  const std::string r2 = reported("R2");
  answer(*x_, "MEMBER1", "1001", "A1", "2", r2);
  const auto dup = x_->next("MEMBER1", "AR");
  ASSERT_TRUE(dup.has_value());
  EXPECT_EQ(field(*dup, 939), "1");
  EXPECT_EQ(field(*dup, 58), "duplicate TradeReportID(571) A1: already used by this session today");
  EXPECT_EQ(x_->pending("MEMBER2"), 0u);
  EXPECT_EQ(x_->ok("agreement.list").at("agreements").size(), 1u) << "R2 still open";
  // A report the core refused changed nothing: its id may be sent again, corrected.
  report(*x_, "R3", "5000", "14.30");
  EXPECT_EQ(refused("R3"), "quantity 5000 t below the agreement minimum 100000 t");
  EXPECT_FALSE(reported("R3").empty());
  // Another session may use the same id; and a new trading day starts afresh.
  x_->send("MEMBER1", "AE",
           {{571, "R1"},
            {487, "0"},
            {856, "0"},
            {55, "GDEA2017"},
            {32, "100000"},
            {31, "14.30"},
            {60, "20170509-02:00:00.000"},
            {552, "2"},
            {54, "1"},
            {1, "1001"},
            {54, "2"},
            {1, "1002"}});
  const auto other = x_->next("MEMBER1", "AR");
  ASSERT_TRUE(other.has_value());
  EXPECT_EQ(field(*other, 939), "0") << field(*other, 58);
  x_->set_time(cst_ns(2017, 5, 9, 15, 30));
  x_->end_of_day();
  x_->drain();
  x_->set_time(cst_ns(2017, 5, 10, 9, 30));
  x_->ok("market.open");
  EXPECT_FALSE(reported("R1").empty());
  EXPECT_TRUE(x_->ledger_ok());
}

}  // namespace
}  // namespace carbonx::gateway
