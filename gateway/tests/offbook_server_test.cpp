// Off-book behaviour through a real carbonxd child process and plain FIX initiators over TCP
// (offbook_server.hpp): a TradeReportID is unique per session and trading day, also across a
// SIGKILL restart (the journal is read back), and a resubmission changes nothing; the specific
// refusal texts reach the member; reports unanswered at the operator's end of day expire, and a
// new day frees the ids. (The dated paths -- repo maturity, default, the fee waiver around
// 10 May 2017 -- need the trading date to move: offbook_repo_test.cpp drives the same exchange
// path with a test clock.)
#include <gtest/gtest.h>

#include "offbook_server.hpp"

namespace carbonx::gateway {
namespace {

using testing::OffBookServer;
using json = nlohmann::json;
using Balance = std::pair<std::int64_t, std::int64_t>;

std::string field(const wire::Fields& f, int tag) {
  return wire::get(f, tag).value_or("");
}

void report(testing::FixClient& c, const std::string& id, const std::string& px) {
  c.send("AE", {{571, id},
                {487, "0"},
                {856, "0"},
                {55, "GDEA2017"},
                {54, "2"},
                {1, "1002"},
                {20010, "1001"},
                {32, "100000"},
                {31, px},
                {60, wire::utc_now_text()}});
}

TEST_F(OffBookServer, TradeReportIdsAreUniquePerSessionAndDayAcrossARestart) {
  seed();
  auto seller = std::make_unique<testing::FixClient>("MEMBER2", fix_port_);
  ASSERT_TRUE(seller->logon("member2", "member2-pass"));
  report(*seller, "R1", "14.30");
  const auto ack = seller->expect("AR", 10000);
  ASSERT_TRUE(ack.has_value());
  ASSERT_EQ(field(*ack, 939), "0") << field(*ack, 58);
  const std::string id = field(*ack, 818);
  const json list = ok("agreement.list", "{}");
  const auto held = balance(1002, "GDEA2017");
  EXPECT_EQ(held, (Balance{200000, 100000}));

  report(*seller, "R1", "14.00");
  const auto dup = seller->expect("AR", 10000);
  ASSERT_TRUE(dup.has_value());
  EXPECT_EQ(field(*dup, 939), "1");
  EXPECT_EQ(field(*dup, 58), "duplicate TradeReportID(571) R1: already used by this session today");
  EXPECT_EQ(ok("agreement.list", "{}"), list);
  EXPECT_EQ(balance(1002, "GDEA2017"), held);

  // After a SIGKILL the ids of the day are read back from the journal.
  seller->close();
  seller.reset();
  child_->kill(SIGKILL);
  start();
  seller = std::make_unique<testing::FixClient>("MEMBER2", fix_port_);
  ASSERT_TRUE(seller->logon("member2", "member2-pass", true));
  report(*seller, "R1", "14.00");
  const auto again = seller->expect("AR", 10000);
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(field(*again, 939), "1");
  EXPECT_EQ(field(*again, 58),
            "duplicate TradeReportID(571) R1: already used by this session today");
  EXPECT_EQ(ok("agreement.list", "{}"), list);

  // A refusal names the band's bounds.
  report(*seller, "R2", "18.47");
  const auto band = seller->expect("AR", 10000);
  ASSERT_TRUE(band.has_value());
  EXPECT_EQ(field(*band, 58),
            "price 18.47 outside the agreement band 9.94..18.46 (reference 14.20 +-30.00%)");

  // The operator's end of day: R1 expires (both sides told), its units come back, and the next
  // day R1 may be used again.
  testing::FixClient buyer("MEMBER1", fix_port_);
  ASSERT_TRUE(buyer.logon("member1", "member1-pass", true));
  ok("day.end", "{}");
  const auto expired = seller->expect("AE", 10000);
  ASSERT_TRUE(expired.has_value());
  EXPECT_EQ(field(*expired, 856), "3");
  EXPECT_EQ(field(*expired, 818), id);
  EXPECT_EQ(field(*expired, 58), "expired");
  std::optional<wire::Fields> alleged_side;
  while ((alleged_side = buyer.expect("AE", 10000)) && field(*alleged_side, 856) != "3") {
  }
  ASSERT_TRUE(alleged_side.has_value()) << "the counterparty is told too";
  EXPECT_EQ(field(*alleged_side, 58), "expired");
  EXPECT_EQ(balance(1002, "GDEA2017"), (Balance{300000, 0}));
  ok("market.open", "{}");
  report(*seller, "R1", "14.30");
  const auto fresh = seller->expect("AR", 10000);
  ASSERT_TRUE(fresh.has_value());
  EXPECT_EQ(field(*fresh, 939), "0") << field(*fresh, 58);
  const json st = ok("query.status", "{}");
  EXPECT_TRUE(st.at("ledger_invariants_ok").get<bool>()) << st.dump();
}

}  // namespace
}  // namespace carbonx::gateway
