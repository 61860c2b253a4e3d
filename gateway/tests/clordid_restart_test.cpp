// ClOrdID uniqueness per session and trading day across restarts (issue 11): the day's used ids
// are committed with the batches that used them and read back at start without a journal scan.
// On carbonxd's exchange path with the test's clock (offbook_driver.hpp), restarted in between:
// an accepted order's id (open or not), a cancel's (issue 13) and an off-book TradeReportID stay
// used; the id of an order the core rejected may be sent again, before and after a restart alike;
// the next trading day (or after an end of day) every id but those of still-open orders is free
// again.
#include <gtest/gtest.h>

#include "offbook_driver.hpp"

namespace carbonx::gateway {
namespace {

using testing::cst_ns;
using testing::field;
using testing::OffBookDriver;

class ClOrdIdRestart : public ::testing::Test {
 protected:
  void SetUp() override {
    x_ = std::make_unique<OffBookDriver>(
        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    x_->set_time(cst_ns(2017, 5, 9, 10));
    x_->seed();
  }
  // MEMBER2 (account 1002) sells 10 GDEA2017 at `px` under ClOrdID `id`: the ExecutionReport's
  // ExecType(150) and OrdRejReason(103) ("" when absent), e.g. "0/" accepted, "8/6" duplicate.
  std::string sell(const std::string& id, const std::string& px = "14.30") {
    x_->send("MEMBER2", "D",
             {{11, id},
              {1, "1002"},
              {55, "GDEA2017"},
              {54, "2"},
              {60, "20170509-02:00:00.000"},
              {38, "10"},
              {40, "2"},
              {44, px}});
    const auto er = x_->next("MEMBER2", "8");
    if (!er) return "no report";
    return field(*er, 150) + "/" + wire::get(*er, 103).value_or("");
  }
  // MEMBER2 reports an agreement sale to 1001 under TradeReportID `id`: "" if acknowledged,
  // else the refusal's text.
  std::string agreement(const std::string& id) {
    x_->send("MEMBER2", "AE",
             {{571, id},
              {487, "0"},
              {856, "0"},
              {55, "GDEA2017"},
              {32, "100000"},
              {31, "14.30"},
              {60, "20170509-02:00:00.000"},
              {552, "2"},
              {54, "2"},
              {1, "1002"},
              {54, "1"},
              {1, "1001"}});
    const auto ack = x_->next("MEMBER2", "AR");
    x_->drain();
    if (!ack) return "no AR";
    return field(*ack, 939) == "0" ? "" : field(*ack, 58);
  }
  void cancel(const std::string& orig, const std::string& id) {
    x_->send("MEMBER2", "F",
             {{41, orig}, {11, id}, {55, "GDEA2017"}, {54, "2"}, {60, "20170509-02:00:00.000"}});
    const auto er = x_->next("MEMBER2", "8");
    ASSERT_TRUE(er.has_value());
    EXPECT_EQ(field(*er, 150), "4");
  }
  std::unique_ptr<OffBookDriver> x_;
};

const char kAccepted[] = "0/";
const char kDuplicate[] = "8/6";
const char kDuplicateReport[] =
    "duplicate TradeReportID(571) T1: already used by this session today";

TEST_F(ClOrdIdRestart, UsedIdsAreRefusedAfterARestartTheSameDayAndFreeTheNextDay) {
  ASSERT_EQ(sell("OPEN1"), kAccepted);       // stays open over both restarts
  ASSERT_EQ(sell("GONE1"), kAccepted);       // cancelled: no longer open, still used today
  cancel("GONE1", "CXL1");                   // a cancel's ClOrdID is taken like an order's
  ASSERT_EQ(sell("REJ1", "20.00"), "8/99");  // outside the band: the core rejects it
  ASSERT_EQ(sell("REJ2", "20.00"), "8/99");
  ASSERT_EQ(agreement("T1"), "");
  // The same day, before the restart: a rejected id may be sent again, the others not.
  EXPECT_EQ(sell("REJ1"), kAccepted);
  EXPECT_EQ(sell("GONE1"), kDuplicate);
  EXPECT_EQ(sell("CXL1"), kDuplicate);
  EXPECT_EQ(agreement("T1"), kDuplicateReport);

  x_->restart(cst_ns(2017, 5, 9, 11));  // the same trading day
  x_->set_time(cst_ns(2017, 5, 9, 11));
  EXPECT_EQ(sell("OPEN1"), kDuplicate);
  EXPECT_EQ(sell("GONE1"), kDuplicate);
  EXPECT_EQ(sell("REJ1"), kDuplicate);  // accepted when re-sent before the restart
  EXPECT_EQ(agreement("T1"), kDuplicateReport);
  EXPECT_EQ(sell("REJ2"), kAccepted);   // rejected: free after the restart as before it
  EXPECT_EQ(sell("CXL1"), kDuplicate);  // the cancel's id is kept with the day's ids

  x_->restart(cst_ns(2017, 5, 10, 10));  // the next trading day
  x_->set_time(cst_ns(2017, 5, 10, 10));
  EXPECT_EQ(sell("OPEN1"), kDuplicate);  // still open: its id still names it
  EXPECT_EQ(sell("GONE1"), kAccepted);
  EXPECT_EQ(sell("CXL1"), kAccepted);
  EXPECT_EQ(sell("REJ1"), kDuplicate) << "REJ1 was open (and is again)";
  EXPECT_EQ(agreement("T1"), "");
}

TEST_F(ClOrdIdRestart, AnEndOfDayFreesTheIdsAcrossARestart) {
  ASSERT_EQ(sell("GONE1"), kAccepted);
  cancel("GONE1", "CXL1");
  ASSERT_EQ(agreement("T1"), "");
  x_->set_time(cst_ns(2017, 5, 9, 16));
  x_->end_of_day();
  x_->restart(cst_ns(2017, 5, 9, 17));  // the same date, after its end of day
  x_->set_time(cst_ns(2017, 5, 9, 17));
  x_->ok("market.open");
  EXPECT_EQ(sell("GONE1"), kAccepted);
  EXPECT_EQ(agreement("T1"), "");
  x_->restart(cst_ns(2017, 5, 9, 18));
  x_->set_time(cst_ns(2017, 5, 9, 18));
  EXPECT_EQ(sell("GONE1"), kDuplicate);
  EXPECT_EQ(agreement("T1"), kDuplicateReport);
}

// A new China Standard Time date frees the ids without an end of day, live exactly as after a
// restart on that date.
TEST_F(ClOrdIdRestart, ANewDateFreesTheIdsWithoutARestart) {
  ASSERT_EQ(sell("GONE1"), kAccepted);
  cancel("GONE1", "CXL1");
  x_->set_time(cst_ns(2017, 5, 10, 10));
  EXPECT_EQ(sell("GONE1"), kAccepted);
  EXPECT_EQ(sell("GONE1"), kDuplicate);
}

}  // namespace
}  // namespace carbonx::gateway
