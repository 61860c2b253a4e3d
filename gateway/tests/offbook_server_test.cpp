// Off-book behaviour through a real carbonxd child process and plain FIX initiators over TCP
// (offbook_server.hpp): a TradeReportID is unique per session and trading day, also across a
// SIGKILL restart (the journal is read back), and a resubmission changes nothing; the specific
// refusal texts reach the member; reports unanswered at the operator's end of day expire, and a
// new day frees the ids; a uniform-price auction and one cancelled by its rule, side by side.
// The server runs on a simulated exchange clock pinned to Monday 5 June 2017 10:00 China time
// (offbook_server.hpp), so the per-day rules never depend on the wall-clock date: the restart
// test cannot straddle China midnight. The dated paths -- repo maturity, default, the fee waiver
// around 10 May 2017 -- are driven over the real server by advancing that clock in
// clock_test.cpp (offbook_repo_test.cpp drives them in-process with a test clock).
#include <gtest/gtest.h>

#include <thread>

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
                {32, "100000"},
                {31, px},
                {60, wire::utc_now_text()},
                {552, "2"},
                {54, "2"},
                {1, "1002"},
                {54, "1"},
                {1, "1001"}});
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

// Two auctions over the real server in the same two-second window: a uniform-price one where
// both bidders pay the lowest accepted price, and one cancelled by its rule (bids short of 50%):
// its bids are reported expired, the News says cancelled, every hold is released.
TEST_F(OffBookServer, UniformAuctionAndCancelledAuctionOverTheRealServer) {
  seed();
  ok("cash.deposit", R"({"transfer_id":5,"account":1003,"amount_fen":1000000000})");
  auto open = [&](const std::string& pricing, int min_fill_bp) {
    const json r = ok("auction.open", json{{"seller", 1002},
                                           {"symbol", "GDEA2017"},
                                           {"quantity_t", 20000},
                                           {"reserve_fen", 1600},
                                           {"duration_s", 2},
                                           {"min_bid_t", 1000},
                                           {"pricing", pricing},
                                           {"min_fill_bp", min_fill_bp}}
                                          .dump());
    return r.at("events")[0].at("auction_id").dump();
  };
  const std::string uniform = open("uniform", 0);
  const std::string short_one = open("pay_as_bid", 5000);
  testing::FixClient one("MEMBER1", fix_port_);
  testing::FixClient two("MEMBER2", fix_port_);
  ASSERT_TRUE(one.logon("member1", "member1-pass"));
  ASSERT_TRUE(two.logon("member2", "member2-pass"));
  auto bid = [&](testing::FixClient& c, const std::string& auction, const std::string& clid,
                 const std::string& account, const std::string& qty, const std::string& px) {
    c.send("D", {{11, clid},
                 {1, account},
                 {55, "GDEA2017"},
                 {54, "1"},
                 {60, wire::utc_now_text()},
                 {38, qty},
                 {40, "2"},
                 {44, px},
                 {20011, auction}});
    const auto r = c.expect("8", 10000);
    EXPECT_TRUE(r.has_value());
    if (r) {
      EXPECT_EQ(field(*r, 150), "0") << field(*r, 58);
    }
  };
  bid(one, uniform, "U1", "1001", "10000", "16.34");
  bid(two, uniform, "U2", "1003", "10000", "16.01");
  bid(one, short_one, "S1", "1001", "5000", "16.50");
  auto close = [&](const std::string& auction) {
    for (int i = 0; i < 100; ++i) {  // retried until the server's clock leaves the window
      const auto [status, body] = call("auction.close", "{\"auction_id\":" + auction + "}");
      if (status == 200) return body;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return json();
  };
  const json cleared = close(uniform);
  ASSERT_FALSE(cleared.is_null()) << "the auction never closed";
  for (auto* c : {&one, &two}) {
    const auto f = c->expect("8", 10000);
    ASSERT_TRUE(f.has_value());
    EXPECT_EQ(field(*f, 150), "F");
    EXPECT_EQ(field(*f, 32), "10000");
    EXPECT_EQ(field(*f, 31), "16.01") << "uniform: everyone pays the lowest accepted price";
  }
  const json cancelled = close(short_one);
  ASSERT_FALSE(cancelled.is_null());
  EXPECT_EQ(cancelled.at("events").back().at("status"), "cancelled") << cancelled.dump();
  const auto expired = one.expect("8", 10000);
  ASSERT_TRUE(expired.has_value());
  EXPECT_EQ(field(*expired, 11), "S1");
  EXPECT_EQ(field(*expired, 150), "C");
  for (auto* c : {&one, &two}) {
    std::optional<wire::Fields> news;
    while ((news = c->expect("B", 10000)) &&
           field(*news, 148) != "auction " + short_one + " cancelled") {
    }
    ASSERT_TRUE(news.has_value()) << "the public result of the cancelled auction";
  }
  EXPECT_EQ(balance(1001, "CNY"), (Balance{10000000000 - 16010000, 0}));
  EXPECT_EQ(balance(1003, "CNY"), (Balance{1000000000 - 16010000, 0}));
  EXPECT_EQ(balance(1002, "GDEA2017"), (Balance{280000, 0}));
  const json st = ok("query.status", "{}");
  EXPECT_TRUE(st.at("ledger_invariants_ok").get<bool>()) << st.dump();
}

}  // namespace
}  // namespace carbonx::gateway
