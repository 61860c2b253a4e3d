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

// Every reject code docs/fix/README.md lists that the exchange path decides, each answered as the
// member sees it (the message type, the code, the Text), through the driver with a fixed clock:
// OrdRejReason(103) 1, 2, 5, 6, 11, 13, 15, 99; CxlRejReason(102) 1, 6, 99 (a live order's id
// and status on the refused replace); MassCancelRejectReason(532) 1, 99; MDReqRejReason(281) 0,
// 5, 8; PosReqResult(728) 0, 2, 3; SecurityRequestResult(560) 2; BusinessRejectReason(380) 3;
// TrdRptStatus(939) 1 with 751=99. Not here: 103=3 (book or level full) and 281=2 (too many
// subscriptions) need limits this configuration does not reach; 380=8 is the server's throttle
// (ServerTest.ThrottleRejectsTheExcess); session Rejects (373) are QuickFIX's own.
TEST(OffBookGolden, EveryRejectCodeTheDocsList) {
  OffBookDriver x("golden_rejects");
  x.set_time(cst_ns(2017, 5, 9, 10));
  x.seed();
  auto order = [](const char* clid, const char* account, const char* side, const char* qty,
                  const char* px) -> wire::Fields {
    return {{11, clid}, {1, account}, {55, "GDEA2017"}, {54, side}, {60, "20170509-02:00:00.000"},
            {38, qty},  {40, "2"},    {44, px}};
  };
  auto with = [](wire::Fields f, int tag, const char* value) {
    for (auto& [t, v] : f) {
      if (t == tag) {
        v = value;
        return f;
      }
    }
    f.push_back({tag, value});
    return f;
  };
  // OrdRejReason(103).
  x.send("MEMBER2", "D", order("S1", "1002", "2", "100", "14.50"));  // rests: the live order
  x.send("MEMBER2", "D", order("S2", "1002", "2", "100", "14.60"));  // another live order
  x.send("MEMBER2", "D", with(order("R1", "1002", "2", "10", "14.50"), 55, "NOSUCH"));  // 1
  x.ok("market.halt", {{"symbol", "GDEA2017"}});
  x.send("MEMBER2", "D", order("R2", "1002", "2", "10", "14.50"));  // 2: halted
  x.ok("market.resume", {{"symbol", "GDEA2017"}});
  x.send("MEMBER2", "H", {{11, "NEVER"}, {55, "GDEA2017"}, {54, "2"}});            // 5: not open
  x.send("MEMBER2", "D", order("S1", "1002", "2", "10", "14.50"));                 // 6: duplicate
  x.send("MEMBER2", "D", with(order("R3", "1002", "2", "10", "14.50"), 40, "1"));  // 11: click
  x.send("MEMBER2", "D", order("R4", "1002", "2", "10.5", "14.50"));  // 13: not whole tonnes
  x.send("MEMBER2", "D", order("R5", "1001", "2", "10", "14.50"));    // 15: not its account
  x.send("MEMBER2", "D", order("R6", "1002", "2", "10", "14.505"));   // 99: not whole fen
  x.send("MEMBER2", "D", order("R7", "1002", "2", "10", "18.00"));    // 99: outside the band
  x.send("MEMBER2", "D", with(order("R8", "1002", "2", "10", "14.50"), 126, "20170509-07:00:00"));
  // 11: a standard field whose meaning carbonx lacks (ExpireTime: no good-till-date)
  x.send("MEMBER2", "D", with(order("R9", "1002", "2", "10", "14.50"), 59, "1"));  // 11: GTC
  x.send("MEMBER2", "D", with(order("R10", "1002", "2", "10", "14.50"), 54, "5"));
  // 11: a standard Side carbonx lacks (sell short), echoed as sent
  // CxlRejReason(102).
  x.send("MEMBER2", "F",
         {{41, "NEVER"}, {11, "C1"}, {55, "GDEA2017"}, {54, "2"}, {60, "20170509-02:00:00.000"}});
  x.send("MEMBER2", "G",
         with(with(order("S2", "1002", "2", "100", "14.40"), 41, "S1"), 60,
              "20170509-02:00:00.000"));  // 6: S2 is the ClOrdID of another live order;
  // S1 is still live, so the reject names it and its status (37=<S1's id> 39=0), as the band
  // refusal below does (docs/fix), though this one is decided before the core.
  x.send("MEMBER2", "G",
         with(with(order("C2", "1002", "2", "100", "18.00"), 41, "S1"), 60,
              "20170509-02:00:00.000"));  // 99, live OrderID and 39=0
  // Replaces the FIX translation refuses (TimeInForce GTC; a price off the fen) name S1 live too:
  // the core answers them.
  x.send("MEMBER2", "G",
         with(with(with(order("C3", "1002", "2", "100", "14.40"), 41, "S1"), 60,
                   "20170509-02:00:00.000"),
              59, "1"));
  x.send(
      "MEMBER2", "G",
      with(with(order("C4", "1002", "2", "100", "14.405"), 41, "S1"), 60, "20170509-02:00:00.000"));
  // A cancel's ClOrdID is a new id like a replace's: S2 (another live order's) is refused with 6,
  // naming S1 live; a mass cancel's the same (532=99), before it cancels anything.
  x.send("MEMBER2", "F",
         {{41, "S1"}, {11, "S2"}, {55, "GDEA2017"}, {54, "2"}, {60, "20170509-02:00:00.000"}});
  x.send("MEMBER2", "q", {{11, "S2"}, {530, "7"}, {60, "20170509-02:00:00.000"}});
  // MassCancelRejectReason(532).
  x.send("MEMBER2", "q", {{11, "MC1"}, {530, "1"}, {55, "NOSUCH"}, {60, "20170509-02:00:00.000"}});
  x.send("MEMBER2", "q", {{11, "MC2"}, {530, "7"}, {1, "1001"}, {60, "20170509-02:00:00.000"}});
  x.send("MEMBER2", "q",  // a standard scope carbonx lacks (a product): 530 echoed
         {{11, "MC3"}, {530, "3"}, {460, "2"}, {60, "20170509-02:00:00.000"}});
  // MDReqRejReason(281).
  x.send(
      "MEMBER1", "V",
      {{262, "MD1"}, {263, "0"}, {264, "0"}, {267, "1"}, {269, "0"}, {146, "1"}, {55, "NOSUCH"}});
  x.send("MEMBER1", "V",
         {{262, "MD2"},
          {263, "0"},
          {264, "51"},
          {267, "1"},
          {269, "0"},
          {146, "1"},
          {55, "GDEA2017"}});
  x.send(
      "MEMBER1", "V",
      {{262, "MD3"}, {263, "1"}, {264, "5"}, {267, "1"}, {269, "B"}, {146, "1"}, {55, "GDEA2017"}});
  x.send("MEMBER1", "V",  // an entry type carbonx does not publish (4, opening price): 281=8
         {{262, "MD4"},
          {263, "0"},
          {264, "5"},
          {267, "2"},
          {269, "0"},
          {269, "4"},
          {146, "1"},
          {55, "GDEA2017"}});
  // PosReqResult(728), SecurityRequestResult(560).
  const wire::Fields positions = {{710, "P1"}, {724, "0"},        {1, "1001"},
                                  {581, "1"},  {715, "20170509"}, {60, "20170509-02:00:00.000"}};
  x.send("MEMBER1", "AN", positions);                        // 0
  x.send("MEMBER1", "AN", with(positions, 55, "GDEA2019"));  // 2: holds none
  x.send("MEMBER1", "AN", with(positions, 1, "1002"));       // 3: not its account
  x.send("MEMBER1", "x", {{320, "SL1"}, {559, "0"}, {55, "NOSUCH"}});
  x.send("MEMBER1", "x", {{320, "SL2"}, {559, "2"}, {460, "2"}});  // by product: j 380=0
  // BusinessRejectReason(380), TrdRptStatus(939).
  x.send("MEMBER1", "S", {{117, "Q1"}, {55, "GDEA2017"}, {132, "14.20"}, {133, "14.40"}});
  x.send("MEMBER2", "AE",
         {{571, "T1"},
          {856, "0"},
          {55, "GDEA2017"},
          {32, "100000"},
          {31, "14.30"},
          {60, "20170509-02:00:00.000"},
          {552, "1"},
          {54, "2"},
          {1, "1002"}});
  check_golden("offbook_rejects", x.transcript());
}

}  // namespace
}  // namespace carbonx::gateway
