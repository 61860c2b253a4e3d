// One-way bidding auctions through FIX (bids: NewOrderSingle / OrderCancelReplaceRequest /
// OrderCancelRequest with CxAuctionID; results: ExecutionReports to each bidder, News(B) to all)
// on carbonxd's exchange path with the test's clock (offbook_driver.hpp): the pay-as-bid case
// that clears at two prices (16.34 and 16.01 CNY/t, as the 2018 Guangdong forestry PHCER sale
// did) with the per-bidder cap and ties broken by time, uniform pricing, a cancelled auction
// (bids short of the cancellation rule), revision and withdrawal inside and outside the window,
// the refusal texts (reserve, cap, window, minimum) and duplicate ClOrdIDs; fees on each leg.
#include <gtest/gtest.h>

#include "offbook_driver.hpp"

namespace carbonx::gateway {
namespace {

using testing::cst_ns;
using testing::field;
using testing::OffBookDriver;
using Balance = std::pair<std::int64_t, std::int64_t>;
using json = nlohmann::json;

const char* comp_of(const std::string& account) {
  return account == "1001" ? "MEMBER1" : account == "1004" ? "MEMBER3" : "MEMBER2";
}

class OffBookAuction : public ::testing::Test {
 protected:
  void SetUp() override {
    x_ = std::make_unique<OffBookDriver>(
        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    x_->set_time(cst_ns(2018, 6, 26, 10));
    x_->seed();
  }
  // Opens an auction of 1002's GDEA2017 now, for an hour; returns its id.
  std::string open(std::int64_t qty, const std::string& pricing, std::uint32_t min_fill_bp = 0,
                   std::int64_t start_in_s = 0) {
    const json r =
        x_->ok("auction.open", {{"seller", 1002},
                                {"symbol", "GDEA2017"},
                                {"quantity_t", qty},
                                {"reserve_fen", 1600},
                                {"start_ts", x_->now() + start_in_s * 1'000'000'000},
                                {"end_ts", x_->now() + 3600 * std::int64_t{1'000'000'000}},
                                {"min_bid_t", 1000},
                                {"max_share_bp", 5000},
                                {"pricing", pricing},
                                {"min_fill_bp", min_fill_bp}});
    EXPECT_EQ(r.at("events").size(), 1u) << r.dump();
    const std::string id = r.at("events")[0].at("auction_id").dump();
    for (const char* comp : {"MEMBER1", "MEMBER2", "MEMBER3"}) {
      const auto news = x_->next(comp, "B");
      EXPECT_TRUE(news.has_value()) << comp;
      if (news) {
        EXPECT_EQ(field(*news, 148), "auction " + id + " opened");
      }
    }
    return id;
  }
  // A bid (D) by `account`; returns the ExecutionReport.
  wire::Fields bid(const std::string& auction, const std::string& clid, const std::string& account,
                   const std::string& qty, const std::string& px) {
    x_->send(comp_of(account), "D",
             {{11, clid},
              {1, account},
              {55, "GDEA2017"},
              {54, "1"},
              {60, "20180626-02:00:00.000"},
              {38, qty},
              {40, "2"},
              {44, px},
              {20011, auction}});
    auto er = x_->next(comp_of(account), "8");
    EXPECT_TRUE(er.has_value());
    return er.value_or(wire::Fields{});
  }
  // A revision (G) or a withdrawal (F) of bid `orig`; returns the reply (8 or 9).
  wire::Fields revise(const std::string& auction, const std::string& clid, const std::string& orig,
                      const std::string& account, const std::string& qty, const std::string& px) {
    x_->send(comp_of(account), "G",
             {{11, clid},
              {41, orig},
              {1, account},
              {55, "GDEA2017"},
              {54, "1"},
              {60, "20180626-02:00:00.000"},
              {38, qty},
              {40, "2"},
              {44, px},
              {20011, auction}});
    return reply(account);
  }
  wire::Fields withdraw(const std::string& auction, const std::string& clid,
                        const std::string& orig, const std::string& account) {
    x_->send(comp_of(account), "F",
             {{11, clid},
              {41, orig},
              {1, account},
              {55, "GDEA2017"},
              {54, "1"},
              {60, "20180626-02:00:00.000"},
              {20011, auction}});
    return reply(account);
  }
  wire::Fields reply(const std::string& account) {
    if (auto er = x_->next(comp_of(account), "8")) return *er;
    auto cj = x_->next(comp_of(account), "9");
    EXPECT_TRUE(cj.has_value());
    return cj.value_or(wire::Fields{});
  }
  json close(const std::string& auction) {
    x_->set_time(x_->now() > end_ns() ? x_->now() : end_ns());
    return x_->ok("auction.close", {{"auction_id", std::stoull(auction)}});
  }
  std::int64_t end_ns() const { return opened_at_ + 3600 * std::int64_t{1'000'000'000}; }
  // The news lines (Text 58 of the LinesOfText group) of the result News of `auction`.
  std::string result_news(const std::string& comp, const std::string& auction,
                          const std::string& status) {
    const auto news = x_->next(comp, "B");
    EXPECT_TRUE(news.has_value()) << comp;
    if (!news) return "";
    EXPECT_EQ(field(*news, 148), "auction " + auction + " " + status);
    std::string lines;
    for (const auto& [tag, value] : *news) {
      if (tag == 58) lines += value + "\n";
    }
    return lines;
  }
  // The bids of the two-price case: account 1001 up to its cap at 16.34 (one bid over the cap
  // refused), then 1004 and 1003 tie at 16.01, 1004 first.
  void two_price_bids(const std::string& a) {
    EXPECT_EQ(field(bid(a, "B1", "1001", "10000", "16.34"), 150), "0");
    EXPECT_EQ(field(bid(a, "B2", "1004", "10000", "16.01"), 150), "0");
    EXPECT_EQ(field(bid(a, "B3", "1003", "10000", "16.01"), 150), "0");
    EXPECT_EQ(field(bid(a, "B4", "1001", "7500", "16.34"), 150), "0");
    const auto over = bid(a, "B5", "1001", "1000", "16.50");
    EXPECT_EQ(field(over, 150), "8");
    EXPECT_EQ(field(over, 58),
              "bids of account 1001 would total 18500 t, above the per-bidder cap 17500 t "
              "(50.00% of 35000 t)");
  }
  // The fill ExecutionReport of `clid` sent to `account`'s member.
  wire::Fields fill(const std::string& account, const std::string& clid) {
    for (auto it = pending_.begin(); it != pending_.end(); ++it) {  // set aside earlier, in order
      if (field(*it, 11) == clid) {
        wire::Fields f = *it;
        pending_.erase(it);
        return f;
      }
    }
    while (auto er = x_->next(comp_of(account), "8")) {
      if (field(*er, 11) == clid) return *er;
      pending_.push_back(*er);
    }
    ADD_FAILURE() << "no report of " << clid;
    return {};
  }

  std::unique_ptr<OffBookDriver> x_;
  std::int64_t opened_at_ = cst_ns(2018, 6, 26, 10);
  std::vector<wire::Fields> pending_;
};

TEST_F(OffBookAuction, PayAsBidClearsAtTwoPricesWithTheCapAndTiesBrokenByTime) {
  const std::string a = open(35000, "pay_as_bid");
  two_price_bids(a);
  x_->advance_s(60);
  const json result = close(a);
  // 1001: 17,500 t at 16.34 (its cap); 1004 (first at 16.01): 10,000 t; 1003 (second at 16.01):
  // the 7,500 t left, the marginal bid partly filled.
  struct Want {
    const char* account;
    const char* clid;
    const char* qty;
    const char* px;
    const char* fee;
  };
  for (const Want& w : {Want{"1001", "B1", "10000", "16.34", "163.40"},
                        Want{"1001", "B4", "7500", "16.34", "122.55"},
                        Want{"1004", "B2", "10000", "16.01", "160.10"},
                        Want{"1003", "B3", "7500", "16.01", "120.08"}}) {
    const wire::Fields f = fill(w.account, w.clid);
    EXPECT_EQ(field(f, 150), "F") << w.clid;
    EXPECT_EQ(field(f, 32), w.qty) << w.clid;
    EXPECT_EQ(field(f, 31), w.px) << w.clid;
    EXPECT_EQ(field(f, 12), w.fee) << w.clid;  // 0.1% of what this bid pays
    EXPECT_EQ(field(f, 20011), a);
    EXPECT_FALSE(field(f, 527).empty());  // the trade id, in SecondaryExecID
    EXPECT_EQ(field(f, 880), "") << "TrdMatchID is not a FIX 4.4 field of an ExecutionReport";
  }
  const wire::Fields rest = fill("1003", "B3");  // the marginal bid's expired rest
  EXPECT_EQ(field(rest, 150), "C");
  EXPECT_EQ(field(rest, 14), "7500");
  EXPECT_EQ(x_->pending("MEMBER1") + x_->pending("MEMBER2") + x_->pending("MEMBER3"), 3u)
      << "one report per bid (two for the marginal one), then only the three News";
  for (const char* comp : {"MEMBER1", "MEMBER2", "MEMBER3"}) {
    EXPECT_NE(result_news(comp, a, "cleared")
                  .find("BidQty=37500 ClearedQty=35000 LowPx=16.01 HighPx=16.34 Winners=3 Bids=4"),
              std::string::npos);
  }
  const json& ev = result.at("events").back();
  EXPECT_EQ(ev.at("cleared_t"), 35000);
  EXPECT_EQ(ev.at("proceeds_fen"), 28595000 + 16010000 + 12007500);
  EXPECT_EQ(ev.at("seller_fee").at("fee_fen"), 56613);  // 0.1% of 566,125.00, half up
  EXPECT_EQ(x_->balance(1002, "CNY"), (Balance{10000000 + 56612500 - 56613, 0}));
  EXPECT_EQ(x_->balance(1002, "GDEA2017"), (Balance{265000, 0}));
  EXPECT_EQ(x_->balance(1001, "GDEA2017"), (Balance{17500, 0}));
  EXPECT_EQ(x_->balance(1001, "CNY"), (Balance{10000000000 - 28595000 - 16340 - 12255, 0}));
  EXPECT_EQ(x_->balance(1004, "CNY"), (Balance{1000000000 - 16010000 - 16010, 0}));
  EXPECT_EQ(x_->balance(1003, "CNY"), (Balance{1000000000 - 12007500 - 12008, 0}));
  EXPECT_EQ(x_->ok("auction.list").at("auctions").size(), 0u);
  EXPECT_TRUE(x_->ledger_ok());
}

TEST_F(OffBookAuction, UniformPricingChargesEveryWinnerTheLowestAcceptedPrice) {
  const std::string a = open(35000, "uniform");
  two_price_bids(a);
  x_->advance_s(60);
  close(a);
  for (const auto& [account, clid] : {std::pair{"1001", "B1"}, std::pair{"1001", "B4"},
                                      std::pair{"1004", "B2"}, std::pair{"1003", "B3"}}) {
    const wire::Fields f = fill(account, clid);
    EXPECT_EQ(field(f, 150), "F") << clid;
    EXPECT_EQ(field(f, 31), "16.01") << clid;
  }
  for (const char* comp : {"MEMBER1", "MEMBER2", "MEMBER3"}) {
    EXPECT_NE(result_news(comp, a, "cleared").find("ClearedQty=35000 LowPx=16.01 HighPx=16.01"),
              std::string::npos);
  }
  // 1001 bid 16.34 and pays 16.01 for 17,500 t, fees on what it pays; the rest of its hold back.
  EXPECT_EQ(x_->balance(1001, "CNY"), (Balance{10000000000 - 28017500 - 16010 - 12008, 0}));
  EXPECT_EQ(x_->balance(1001, "GDEA2017"), (Balance{17500, 0}));
  EXPECT_TRUE(x_->ledger_ok());
}

TEST_F(OffBookAuction, BidsShortOfTheCancellationRuleCancelTheAuctionAndReleaseEverything) {
  const std::string a = open(40000, "pay_as_bid", 5000);  // at least 20,000 t must be bid
  const auto seller_before = x_->balance(1002, "GDEA2017");
  EXPECT_EQ(seller_before, (Balance{260000, 40000}));
  EXPECT_EQ(field(bid(a, "B1", "1001", "10000", "16.34"), 150), "0");
  EXPECT_EQ(field(bid(a, "B2", "1004", "5000", "16.01"), 150), "0");
  EXPECT_GT(x_->balance(1001, "CNY").second, 0);
  x_->advance_s(60);
  const json result = close(a);
  EXPECT_EQ(result.at("events").back().at("status"), "cancelled");
  for (const auto& [account, clid] : {std::pair{"1001", "B1"}, std::pair{"1004", "B2"}}) {
    const wire::Fields f = fill(account, clid);
    EXPECT_EQ(field(f, 150), "C") << clid;  // expired: not allocated
    EXPECT_EQ(field(f, 151), "0");
  }
  for (const char* comp : {"MEMBER1", "MEMBER2", "MEMBER3"}) {
    EXPECT_NE(result_news(comp, a, "cancelled").find("BidQty=15000 ClearedQty=0"),
              std::string::npos);
  }
  EXPECT_EQ(x_->balance(1002, "GDEA2017"), (Balance{300000, 0}));
  EXPECT_EQ(x_->balance(1001, "CNY"), (Balance{10000000000, 0}));
  EXPECT_EQ(x_->balance(1004, "CNY"), (Balance{1000000000, 0}));
  EXPECT_TRUE(x_->ledger_ok());
}

TEST_F(OffBookAuction, RevisionAndWithdrawalOnlyInsideTheWindow) {
  const std::string a = open(40000, "pay_as_bid", 0, 60);  // bidding opens in a minute
  const std::string window = " of auction " + a +
                             " (StartTimeNs=" + std::to_string(opened_at_ + 60'000'000'000) +
                             " EndTimeNs=" + std::to_string(end_ns()) + ")";
  const auto early = bid(a, "B0", "1001", "10000", "16.10");
  EXPECT_EQ(field(early, 150), "8");
  EXPECT_EQ(field(early, 58), "outside the auction's bidding window" + window);
  x_->advance_s(60);
  EXPECT_EQ(field(bid(a, "B1", "1001", "10000", "16.10"), 150), "0");
  // Below the reserve, below the minimum bid, a reused ClOrdID: refused with the numbers.
  EXPECT_EQ(field(bid(a, "B2", "1001", "10000", "15.99"), 58),
            "bid price 15.99 below the reserve price 16.00 of auction " + a);
  EXPECT_EQ(field(bid(a, "B2", "1001", "999", "16.10"), 58),
            "quantity 999 t below the auction's minimum bid 1000 t");
  EXPECT_EQ(field(bid(a, "B1", "1001", "1000", "16.10"), 58),
            "duplicate ClOrdID(11) B1: already used by this session today");
  // Inside the window: revised (price up), then a second bid withdrawn.
  const auto revised = revise(a, "B1R", "B1", "1001", "12000", "16.20");
  EXPECT_EQ(field(revised, 35), "8");
  EXPECT_EQ(field(revised, 150), "5") << field(revised, 58);
  EXPECT_EQ(field(revised, 41), "B1");
  EXPECT_EQ(field(revised, 44), "16.20");
  EXPECT_EQ(field(bid(a, "B3", "1001", "5000", "16.05"), 150), "0");
  const auto gone = withdraw(a, "B3C", "B3", "1001");
  EXPECT_EQ(field(gone, 150), "4") << field(gone, 58);
  EXPECT_EQ(field(gone, 41), "B3");
  EXPECT_EQ(x_->ok("auction.list").at("auctions")[0].at("bids"), 1);
  // 12,000 t x 16.20 + 0.1% held; B3's hold released in full.
  EXPECT_EQ(x_->balance(1001, "CNY").second, 19440000 + 19440);
  // Closing inside the window is refused, and changes nothing.
  const auto [status, early_close] = x_->op("auction.close", {{"auction_id", std::stoull(a)}});
  EXPECT_EQ(status, 409) << early_close.dump();
  // After the window: revision, withdrawal and new bids are refused with the window named.
  x_->set_time(end_ns());
  const auto late_revise = revise(a, "B1S", "B1R", "1001", "12000", "16.40");
  EXPECT_EQ(field(late_revise, 35), "9");
  EXPECT_EQ(field(late_revise, 58), "outside the auction's bidding window" + window);
  const auto late_withdraw = withdraw(a, "B1C", "B1R", "1001");
  EXPECT_EQ(field(late_withdraw, 35), "9");
  EXPECT_EQ(field(late_withdraw, 58), "outside the auction's bidding window" + window);
  EXPECT_EQ(field(bid(a, "B4", "1001", "1000", "16.50"), 150), "8");
  EXPECT_EQ(x_->balance(1001, "CNY").second, 19440000 + 19440) << "nothing changed";
  close(a);
  const wire::Fields f = fill("1001", "B1R");
  EXPECT_EQ(field(f, 150), "F");
  EXPECT_EQ(field(f, 32), "12000");
  EXPECT_EQ(field(f, 31), "16.20");
  EXPECT_EQ(x_->balance(1001, "CNY"), (Balance{10000000000 - 19440000 - 19440, 0}));
  EXPECT_TRUE(x_->ledger_ok());
}

// Equal prices clear in time order; a revision keeps its place only when it lowers the quantity
// at the same price (raising it, or changing the price, goes to the back of the queue).
TEST_F(OffBookAuction, TiesAreBrokenByTimeAndARevisionUpLosesItsPlace) {
  const std::string a = open(12000, "pay_as_bid");  // 6,000 t per bidder at most
  EXPECT_EQ(field(bid(a, "B1", "1003", "5000", "16.10"), 150), "0");
  EXPECT_EQ(field(bid(a, "B2", "1004", "5000", "16.10"), 150), "0");
  EXPECT_EQ(field(bid(a, "B3", "1001", "5000", "16.10"), 150), "0");
  EXPECT_EQ(field(revise(a, "B1R", "B1", "1003", "6000", "16.10"), 150), "5");  // to the back
  EXPECT_EQ(field(revise(a, "B2R", "B2", "1004", "4000", "16.10"), 150), "5");  // keeps its place
  close(a);
  const wire::Fields b2 = fill("1004", "B2R");
  EXPECT_EQ(field(b2, 150), "F");
  EXPECT_EQ(field(b2, 32), "4000");
  const wire::Fields b3 = fill("1001", "B3");
  EXPECT_EQ(field(b3, 150), "F");
  EXPECT_EQ(field(b3, 32), "5000");
  // The marginal bid: a partial fill (39=1, 151 = the rest), then the rest expires.
  const wire::Fields b1 = fill("1003", "B1R");
  EXPECT_EQ(field(b1, 150), "F");
  EXPECT_EQ(field(b1, 39), "1");
  EXPECT_EQ(field(b1, 32), "3000");
  EXPECT_EQ(field(b1, 38), "6000");
  EXPECT_EQ(field(b1, 151), "3000");
  const wire::Fields rest = fill("1003", "B1R");
  EXPECT_EQ(field(rest, 150), "C");
  EXPECT_EQ(field(rest, 39), "C");
  EXPECT_EQ(field(rest, 14), "3000");
  EXPECT_EQ(field(rest, 151), "0");
  EXPECT_EQ(
      field(rest, 58),
      "marginal bid: 3000 of 6000 t allocated, the rest not allocated at the auction's close");
  EXPECT_EQ(x_->balance(1003, "GDEA2017"), (Balance{103000, 0}));
  EXPECT_TRUE(x_->ledger_ok());
}

}  // namespace
}  // namespace carbonx::gateway
