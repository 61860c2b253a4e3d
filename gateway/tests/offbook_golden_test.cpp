// Golden files of the outbound off-book FIX messages (STYLE.md #12): scripted member messages go
// through carbonxd's exchange path with a fixed clock (offbook_driver.hpp) and every message sent
// back -- TradeCaptureReportAck (AR), TradeCaptureReport (AE), ExecutionReport (8), News (B),
// OrderCancelReject (9) -- is diffed, byte for byte ('|' for SOH), against
// gateway/tests/golden/offbook_*.expected. To regenerate after an intended change:
// CARBONX_UPDATE_GOLDEN=1 build/bin/gateway_tests --gtest_filter='OffBookGolden.*', then review
// the diff.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "offbook_driver.hpp"
#include "offbook_messages.hpp"

namespace carbonx::gateway {
namespace {

using testing::cst_ns;
using testing::OffBookDriver;
namespace fs = std::filesystem;

void check_golden(const std::string& name, const std::string& actual) {
  const fs::path path = fs::path(CARBONX_GOLDEN_DIR) / (name + ".expected");
  if (std::getenv("CARBONX_UPDATE_GOLDEN") != nullptr) {
    std::ofstream(path, std::ios::binary) << actual;
    return;
  }
  ASSERT_TRUE(fs::exists(path)) << path;
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  EXPECT_EQ(s.str(), actual) << "golden mismatch: " << path;
}

wire::Fields agreement_submit(const std::string& id, const std::string& qty,
                              const std::string& px) {
  return {{571, id},
          {487, "0"},
          {856, "0"},
          {55, "GDEA2017"},
          {32, qty},
          {31, px},
          {60, "20170509-02:00:00.000"},
          {552, "2"},
          {54, "2"},
          {1, "1002"},
          {54, "1"},
          {1, "1001"}};
}

TEST(OffBookGolden, AgreementReportsAcksAndRefusals) {
  OffBookDriver x("golden_agreement");
  x.set_time(cst_ns(2017, 5, 9, 10));
  x.seed();
  x.send("MEMBER2", "AE", agreement_submit("R1", "100000", "14.30"));  // AR + alleged AE
  x.send("MEMBER1", "AE",
         {{571, "A1"}, {856, "2"}, {572, "1"}, {552, "1"}, {54, "1"}, {1, "1001"}});  // settled
  x.send("MEMBER2", "AE", agreement_submit("R2", "100000", "14.30"));
  x.send("MEMBER1", "AE",
         {{571, "D2"}, {856, "3"}, {572, "2"}, {552, "1"}, {54, "1"}, {1, "1001"}});  // declined
  x.send("MEMBER2", "AE", agreement_submit("R3", "100000", "18.47"));  // outside the band
  x.send("MEMBER2", "AE", agreement_submit("R1", "100000", "14.30"));  // duplicate id
  x.send("MEMBER2", "AE", agreement_submit("R4", "100000", "14.00"));
  x.set_time(cst_ns(2017, 5, 9, 15, 30));
  x.end_of_day();  // R4 expires
  check_golden("offbook_agreement", x.transcript());
}

TEST(OffBookGolden, AuctionBidsFillsAndPublicResults) {
  OffBookDriver x("golden_auction");
  x.set_time(cst_ns(2018, 6, 26, 10));
  x.seed();
  const std::int64_t start = x.now();
  x.ok("auction.open", {{"seller", 1002},
                        {"symbol", "GDEA2017"},
                        {"quantity_t", 20000},
                        {"reserve_fen", 1600},
                        {"start_ts", start},
                        {"end_ts", start + 3'600'000'000'000},
                        {"min_bid_t", 1000},
                        {"max_share_bp", 5000},
                        {"pricing", "pay_as_bid"}});
  auto bid = [&](const char* comp, const char* type, const char* clid, const char* orig,
                 const char* account, const char* qty, const char* px) {
    wire::Fields f = {{11, clid}};
    if (orig[0] != '\0') f.push_back({41, orig});
    f.insert(f.end(), {{1, account}, {55, "GDEA2017"}, {54, "1"}, {60, "20180626-02:00:00.000"}});
    if (qty[0] != '\0') f.insert(f.end(), {{38, qty}, {40, "2"}, {44, px}});
    f.push_back({20011, "1"});
    x.send(comp, type, f);
  };
  bid("MEMBER1", "D", "B1", "", "1001", "10000", "16.34");
  bid("MEMBER3", "D", "B2", "", "1004", "10000", "16.01");
  bid("MEMBER2", "D", "B3", "", "1003", "10000", "15.00");  // below the reserve
  bid("MEMBER2", "D", "B4", "", "1003", "5000", "16.01");
  bid("MEMBER2", "G", "B4R", "B4", "1003", "4000", "16.01");  // revised down: keeps priority
  bid("MEMBER2", "D", "B5", "", "1003", "1000", "16.50");
  bid("MEMBER2", "F", "B5C", "B5", "1003", "", "");  // withdrawn
  x.set_time(start + 3'600'000'000'000);
  bid("MEMBER2", "F", "B4C", "B4R", "1003", "", "");  // too late: OrderCancelReject
  x.ok("auction.close", {{"auction_id", 1}});
  check_golden("offbook_auction", x.transcript());
}

TEST(OffBookGolden, RepoFilingConfirmationConsentAndRepurchase) {
  OffBookDriver x("golden_repo");
  x.set_time(cst_ns(2017, 5, 2, 10));
  x.seed();
  x.send("MEMBER2", "AE", testing::repo_filing("20170630"));
  x.send(
      "MEMBER1", "AE",
      {{571, "CONF1"}, {856, "2"}, {167, "REPO"}, {572, "1"}, {552, "1"}, {54, "1"}, {1, "1001"}});
  x.set_time(cst_ns(2017, 5, 11, 10));
  x.send(
      "MEMBER2", "AE",
      {{571, "EARLY1"}, {856, "2"}, {167, "REPO"}, {572, "1"}, {552, "1"}, {54, "1"}, {1, "1002"}});
  x.send(
      "MEMBER1", "AE",
      {{571, "EARLY2"}, {856, "2"}, {167, "REPO"}, {572, "1"}, {552, "1"}, {54, "1"}, {1, "1001"}});
  check_golden("offbook_repo", x.transcript());
}

TEST(OffBookGolden, RepoDefaultAndExpiredProposal) {
  OffBookDriver x("golden_repo_default");
  x.set_time(cst_ns(2017, 6, 1, 10));
  x.seed();
  auto filing = [](const char* id, const char* px2, const char* end) -> wire::Fields {
    return testing::join({{571, id},
                          {487, "0"},
                          {856, "0"},
                          {167, "REPO"},
                          {55, "GDEA2017"},
                          {32, "100000"},
                          {31, "14.20"},
                          {917, end}},
                         testing::two_sides("2", "1002", "1001", testing::end_cash("100000", px2)));
  };
  x.send("MEMBER2", "AE", filing("REPO1", "18.40", "20170605"));  // 1002 cannot pay this back
  x.send(
      "MEMBER1", "AE",
      {{571, "CONF1"}, {856, "2"}, {167, "REPO"}, {572, "1"}, {552, "1"}, {54, "1"}, {1, "1001"}});
  x.send("MEMBER2", "AE", filing("REPO2", "14.50", "20170630"));  // never confirmed
  x.set_time(cst_ns(2017, 6, 1, 15, 30));
  x.end_of_day();  // REPO2 expires
  x.set_time(cst_ns(2017, 6, 5, 15, 30));
  x.end_of_day();  // REPO1 defaults: the units are released to 1001
  check_golden("offbook_repo_default", x.transcript());
}

}  // namespace
}  // namespace carbonx::gateway
