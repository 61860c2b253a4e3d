// Off-book trading through carbonxd's operator API: the off-book state (auctions, repos) is
// committed with the core state blob and survives SIGKILL and SIGTERM restarts with the same
// core state hash; an operator repo filing settles the first leg with fees, its repurchase has
// both fees waived (rule 1 of the sample schedule) and posts no fee transfer; an early repurchase
// the repo party cannot pay is refused; agreement, auction and repo round trips between two FIX
// sessions. Also the blob codec: old blobs (no off-book section) and corrupt sections.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "carbonx/engine/core_records.hpp"
#include "offbook_messages.hpp"
#include "offbook_server.hpp"

namespace carbonx::gateway {
namespace {

using testing::OffBookServer;
namespace fs = std::filesystem;
using json = nlohmann::json;

constexpr const char* kRepo =
    R"({"repo_party":1002,"reverse_party":1001,"symbol":"GDEA2017","quantity_t":100000,)"
    R"("start_price_fen":1420,"repurchase_price_fen":1450,"end_date":"2099-06-28"})";

TEST_F(OffBookServer, AuctionAndRepoSurviveSigkillAndSigtermWithTheSameStateHash) {
  seed();
  const json opened = ok("auction.open", R"({"seller":1002,"symbol":"GDEA2017",)"
                                         R"("quantity_t":50000,"reserve_fen":1500,)"
                                         R"("duration_s":3600,"min_bid_t":1000})");
  ASSERT_EQ(opened.at("events").size(), 1u) << opened.dump();
  EXPECT_EQ(opened.at("events")[0].at("status"), "opened");
  const std::uint64_t auction_id = opened.at("events")[0].at("auction_id");
  const json filed = ok("repo.file", kRepo);
  ASSERT_EQ(filed.at("events").size(), 1u) << filed.dump();
  const json& first_leg = filed.at("events")[0];
  EXPECT_EQ(first_leg.at("status"), "open");
  // First leg: 100,000 t x 14.20 = 142,000,000 fen; 0.5% each side = 710,000 fen.
  EXPECT_EQ(first_leg.at("repo_party_fee").at("fee_fen"), 710000);
  EXPECT_EQ(first_leg.at("reverse_party_fee").at("fee_fen"), 710000);
  EXPECT_EQ(balance(1001, "GDEA2017"), (std::pair<std::int64_t, std::int64_t>{0, 100000}));
  EXPECT_EQ(balance(1002, "GDEA2017"), (std::pair<std::int64_t, std::int64_t>{150000, 50000}));

  // Closing before the window's end is refused with the engine's reason (the refused command is
  // journaled: it takes a seq, so the state hash moves with last_seq; the lists do not change).
  const auto [early_status, early] =
      call("auction.close", "{\"auction_id\":" + std::to_string(auction_id) + "}");
  EXPECT_EQ(early_status, 409) << early.dump();
  EXPECT_FALSE(early.at("error").get<std::string>().empty());
  const json status0 = ok("query.status", "{}");
  const json auctions0 = ok("auction.list", "{}");
  const json repos0 = ok("repo.list", "{}");
  ASSERT_EQ(auctions0.at("auctions").size(), 1u);
  ASSERT_EQ(repos0.at("open").size(), 1u);
  EXPECT_EQ(repos0.at("maturities").size(), 1u);

  child_->kill(SIGKILL);
  start();
  const json status1 = ok("query.status", "{}");
  EXPECT_EQ(status1.at("core_state_hash"), status0.at("core_state_hash"));
  EXPECT_EQ(status1.at("applied_seq"), status0.at("applied_seq"));
  EXPECT_TRUE(status1.at("ledger_invariants_ok").get<bool>()) << status1.dump();
  EXPECT_EQ(ok("auction.list", "{}"), auctions0);
  EXPECT_EQ(ok("repo.list", "{}"), repos0);

  const int term = child_->kill(SIGTERM);
  EXPECT_TRUE(WIFEXITED(term) && WEXITSTATUS(term) == 0) << term;
  start();
  const json status2 = ok("query.status", "{}");
  EXPECT_EQ(status2.at("core_state_hash"), status0.at("core_state_hash"));
  EXPECT_EQ(ok("repo.list", "{}"), repos0);

  // The restored repo still works: an early repurchase by the operator (both consents held).
  const auto fees_before = balance(9000, "CNY");
  const json repurchased =
      ok("repo.mature", "{\"repo_id\":" + repos0.at("open")[0].at("repo_id").dump() + "}");
  ASSERT_EQ(repurchased.at("events").size(), 1u) << repurchased.dump();
  const json& second = repurchased.at("events")[0];
  EXPECT_EQ(second.at("status"), "repurchased");
  // Repurchase 100,000 t x 14.50 = 145,000,000 fen: 0.5% = 725,000 fen waived on each side.
  for (const char* side : {"repo_party_fee", "reverse_party_fee"}) {
    EXPECT_EQ(second.at(side).at("fee_fen"), 0) << side;
    EXPECT_EQ(second.at(side).at("waived_fen"), 725000) << side;
    EXPECT_EQ(second.at(side).at("waiver_rule_id"), 1) << side;
  }
  EXPECT_EQ(balance(9000, "CNY"), fees_before) << "no fee transfer on the repurchase leg";
  EXPECT_EQ(balance(1001, "GDEA2017"), (std::pair<std::int64_t, std::int64_t>{0, 0}));
  EXPECT_EQ(balance(1002, "GDEA2017"), (std::pair<std::int64_t, std::int64_t>{250000, 50000}));
  EXPECT_EQ(ok("repo.list", "{}").at("open").size(), 0u);
}

// The default itself (a maturity the repo party cannot pay) needs the trading date to reach the
// end date, which a wall-clock server cannot do: offbook_repo_test.cpp covers it through FIX
// with a test clock. Here: an early repurchase the repo party cannot pay is refused with the
// engine's reason, nothing moves.
TEST_F(OffBookServer, EarlyRepurchaseTheRepoPartyCannotPayIsRefusedAndChangesNothing) {
  seed();
  // 1003 gets 142,000,000 - 710,000 fen from the first leg and would owe 145,000,000.
  json repo = json::parse(kRepo);
  repo["repo_party"] = 1003;
  const json filed = ok("repo.file", repo.dump());
  ASSERT_EQ(filed.at("events")[0].at("status"), "open") << filed.dump();
  const std::uint64_t id = filed.at("events")[0].at("repo_id");
  const auto [status, refused] = call("repo.mature", "{\"repo_id\":" + std::to_string(id) + "}");
  EXPECT_EQ(status, 409) << refused.dump();
  EXPECT_FALSE(refused.at("error").get<std::string>().empty());
  EXPECT_EQ(ok("repo.list", "{}").at("open").size(), 1u);
  EXPECT_EQ(balance(1003, "CNY").first, 142000000 - 710000);
  EXPECT_EQ(balance(1001, "GDEA2017"), (std::pair<std::int64_t, std::int64_t>{0, 100000}));
  const json after = ok("query.status", "{}");
  EXPECT_TRUE(after.at("ledger_invariants_ok").get<bool>()) << after.dump();
}

std::string field(const wire::Fields& f, int tag) {
  return wire::get(f, tag).value_or("");
}

// MEMBER2 (account 1002) reports selling to account 1001 of MEMBER1; MEMBER1 accepts one report
// and declines another; a report the engine refuses gets an AR with the engine's reason.
TEST_F(OffBookServer, AgreementTransferBetweenTwoSessionsAcceptAndDecline) {
  seed();
  testing::FixClient seller("MEMBER2", fix_port_);
  testing::FixClient buyer("MEMBER1", fix_port_);
  ASSERT_TRUE(seller.logon("member2", "member2-pass"));
  ASSERT_TRUE(buyer.logon("member1", "member1-pass"));
  auto report = [&](const std::string& id, const std::string& qty) {
    seller.send("AE", {{571, id},
                       {487, "0"},
                       {856, "0"},
                       {55, "GDEA2017"},
                       {32, qty},
                       {31, "14.30"},
                       {60, wire::utc_now_text()},
                       {552, "2"},
                       {54, "2"},
                       {1, "1002"},
                       {54, "1"},
                       {1, "1001"}});
  };
  report("R1", "100000");
  const auto ack = seller.expect("AR");
  ASSERT_TRUE(ack.has_value());
  EXPECT_EQ(field(*ack, 939), "0");
  EXPECT_EQ(field(*ack, 571), "R1");
  const std::string id = field(*ack, 818);
  ASSERT_FALSE(id.empty());
  const auto alleged = buyer.expect("AE");
  ASSERT_TRUE(alleged.has_value());
  EXPECT_EQ(field(*alleged, 856), "1");
  EXPECT_EQ(field(*alleged, 818), id);
  // FIX 4.4's NoSides: the receiver's side and account first, the reporter's second.
  EXPECT_EQ(field(*alleged, 552), "2");
  EXPECT_EQ(testing::all(*alleged, 54), (std::vector<std::string>{"1", "2"}));
  EXPECT_EQ(testing::all(*alleged, 1), (std::vector<std::string>{"1001", "1002"}));
  EXPECT_EQ(field(*alleged, 32), "100000");
  EXPECT_EQ(field(*alleged, 31), "14.30");
  EXPECT_EQ(ok("agreement.list", "{}").at("agreements").size(), 1u);
  const auto fees_before = balance(9000, "CNY").first;

  buyer.send("AE", {{571, "A1"}, {856, "2"}, {572, id}, {552, "1"}, {54, "1"}, {1, "1001"}});
  const auto final_buyer = buyer.expect("AE");
  const auto final_seller = seller.expect("AE");
  ASSERT_TRUE(final_buyer.has_value() && final_seller.has_value());
  for (const auto* f : {&*final_buyer, &*final_seller}) {
    EXPECT_EQ(field(*f, 856), "2");
    EXPECT_EQ(field(*f, 939), "") << "TrdRptStatus is an AR field in FIX 4.4, not an AE one";
    EXPECT_EQ(field(*f, 818), id);
    EXPECT_FALSE(field(*f, 880).empty());
    // 100,000 t x 14.30 = 143,000,000 fen; 0.5% = 715,000 fen = 7150.00 CNY each side.
    EXPECT_EQ(field(*f, 12), "7150.00");
  }
  EXPECT_EQ(field(*final_buyer, 571), "A1");
  EXPECT_EQ(field(*final_seller, 571), "R1");
  EXPECT_EQ(balance(1001, "GDEA2017"), (std::pair<std::int64_t, std::int64_t>{100000, 0}));
  EXPECT_EQ(balance(1002, "GDEA2017"), (std::pair<std::int64_t, std::int64_t>{200000, 0}));
  EXPECT_EQ(balance(1001, "CNY").first, 10000000000 - 143000000 - 715000);
  EXPECT_EQ(balance(1002, "CNY").first, 10000000 + 143000000 - 715000);
  EXPECT_EQ(balance(9000, "CNY").first - fees_before, 1430000);
  EXPECT_EQ(ok("agreement.list", "{}").at("agreements").size(), 0u);

  // Decline: both get TradeReportType=3, the seller's units are released.
  report("R2", "100000");
  const auto ack2 = seller.expect("AR");
  ASSERT_TRUE(ack2.has_value());
  const std::string id2 = field(*ack2, 818);
  ASSERT_TRUE(buyer.expect("AE").has_value());
  EXPECT_EQ(balance(1002, "GDEA2017"), (std::pair<std::int64_t, std::int64_t>{100000, 100000}));
  buyer.send("AE", {{571, "D1"}, {856, "3"}, {572, id2}, {552, "1"}, {54, "1"}, {1, "1001"}});
  const auto declined_buyer = buyer.expect("AE");
  const auto declined_seller = seller.expect("AE");
  ASSERT_TRUE(declined_buyer.has_value() && declined_seller.has_value());
  EXPECT_EQ(field(*declined_buyer, 856), "3");
  EXPECT_EQ(field(*declined_seller, 856), "3");
  EXPECT_EQ(field(*declined_seller, 58), "declined");
  EXPECT_EQ(balance(1002, "GDEA2017"), (std::pair<std::int64_t, std::int64_t>{200000, 0}));

  // Below the agreement minimum (100,000 t): refused with the engine's reason, nothing held.
  report("R3", "5000");
  const auto refused = seller.expect("AR");
  ASSERT_TRUE(refused.has_value());
  EXPECT_EQ(field(*refused, 939), "1");
  EXPECT_EQ(field(*refused, 571), "R3");
  EXPECT_FALSE(field(*refused, 58).empty());
  EXPECT_EQ(balance(1002, "GDEA2017"), (std::pair<std::int64_t, std::int64_t>{200000, 0}));
  std::printf("agreement refusal text: %s\n", field(*refused, 58).c_str());
  const json st = ok("query.status", "{}");
  EXPECT_TRUE(st.at("ledger_invariants_ok").get<bool>()) << st.dump();
}

// Two sessions bid in a pay-as-bid auction (one revises, one withdraws a second bid); after the
// window the operator closes it: each bidder gets its own fill at its own price (16.34, 16.01);
// 40,000 t offered, 20,000 t bid: the rest goes back to the seller.
TEST_F(OffBookServer, AuctionBidsFromTwoSessionsClearPayAsBid) {
  seed();
  ok("cash.deposit", R"({"transfer_id":5,"account":1003,"amount_fen":1000000000})");
  const json opened = ok("auction.open", R"({"seller":1002,"symbol":"GDEA2017",)"
                                         R"("quantity_t":40000,"reserve_fen":1600,)"
                                         R"("duration_s":3,"min_bid_t":1000})");
  const std::string auction = opened.at("events")[0].at("auction_id").dump();
  testing::FixClient one("MEMBER1", fix_port_);
  testing::FixClient two("MEMBER2", fix_port_);
  ASSERT_TRUE(one.logon("member1", "member1-pass"));
  ASSERT_TRUE(two.logon("member2", "member2-pass"));
  auto bid = [&](testing::FixClient& c, const std::string& clid, const std::string& account,
                 const std::string& px) {
    c.send("D", {{11, clid},
                 {1, account},
                 {55, "GDEA2017"},
                 {54, "1"},
                 {60, wire::utc_now_text()},
                 {38, "10000"},
                 {40, "2"},
                 {44, px},
                 {20011, auction}});
  };
  bid(one, "B1", "1001", "16.34");
  bid(two, "B2", "1003", "16.00");
  bid(two, "B3", "1003", "16.50");
  bid(one, "B4", "1001", "15.00");  // below the reserve: refused with the engine's reason
  for (auto* c : {&one, &one, &two, &two}) {
    const auto r = c->expect("8");
    ASSERT_TRUE(r.has_value());
    if (field(*r, 11) == "B4") {
      EXPECT_EQ(field(*r, 150), "8");
      EXPECT_FALSE(field(*r, 58).empty());
    } else {
      EXPECT_EQ(field(*r, 150), "0") << field(*r, 58);
      EXPECT_EQ(field(*r, 20011), auction);
    }
  }
  // B2 revised to 16.01; B3 withdrawn.
  two.send("G", {{11, "B2R"},
                 {41, "B2"},
                 {1, "1003"},
                 {55, "GDEA2017"},
                 {54, "1"},
                 {60, wire::utc_now_text()},
                 {38, "10000"},
                 {40, "2"},
                 {44, "16.01"},
                 {20011, auction}});
  const auto revised = two.expect("8");
  ASSERT_TRUE(revised.has_value());
  EXPECT_EQ(field(*revised, 150), "5") << field(*revised, 58);
  two.send("F", {{11, "B3C"},
                 {41, "B3"},
                 {1, "1003"},
                 {55, "GDEA2017"},
                 {54, "1"},
                 {60, wire::utc_now_text()},
                 {20011, auction}});
  const auto withdrawn = two.expect("8");
  ASSERT_TRUE(withdrawn.has_value());
  EXPECT_EQ(field(*withdrawn, 150), "4") << field(*withdrawn, 58);
  EXPECT_EQ(ok("auction.list", "{}").at("auctions")[0].at("bids"), 2);
  // Closing inside the window is refused; after the window it clears.
  const std::string close = "{\"auction_id\":" + auction + "}";
  json result;
  for (int i = 0; i < 100; ++i) {
    const auto [status, body] = call("auction.close", close);
    if (status == 200) {
      result = body;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_FALSE(result.is_null()) << "the auction never closed";
  const auto fill_one = one.expect("8");
  const auto fill_two = two.expect("8");
  ASSERT_TRUE(fill_one.has_value() && fill_two.has_value());
  EXPECT_EQ(field(*fill_one, 150), "F");
  EXPECT_EQ(field(*fill_one, 32), "10000");
  EXPECT_EQ(field(*fill_one, 31), "16.34");
  EXPECT_EQ(field(*fill_two, 150), "F");
  EXPECT_EQ(field(*fill_two, 32), "10000");
  EXPECT_EQ(field(*fill_two, 31), "16.01");
  bool cleared = false;
  for (const auto& e : result.at("events")) {
    if (e.at("event") == "auction") {
      cleared = true;
      EXPECT_EQ(e.at("cleared_t"), 20000);
      EXPECT_EQ(e.at("low_fen"), 1601);
      EXPECT_EQ(e.at("high_fen"), 1634);
    }
  }
  EXPECT_TRUE(cleared) << result.dump();
  // The public result: News(B) to every session, no bidder named.
  for (auto* c : {&one, &two}) {
    std::optional<wire::Fields> news;
    while ((news = c->expect("B")) && field(*news, 148) != "auction " + auction + " cleared") {
    }
    ASSERT_TRUE(news.has_value());
    std::string lines;
    for (const auto& [tag, value] : *news) {
      if (tag == 58) lines += value + "\n";
    }
    EXPECT_NE(lines.find("ClearedQty=20000 LowPx=16.01 HighPx=16.34 Winners=2"), std::string::npos)
        << lines;
  }
  EXPECT_EQ(balance(1001, "GDEA2017").first, 10000);
  EXPECT_EQ(balance(1003, "GDEA2017").first, 110000);
}

// A repo filed over FIX by the repo party (MEMBER2, account 1002) and confirmed by the reverse
// party (MEMBER1, 1001): first leg with fees to both; then both consent to an early repurchase
// over FIX: repurchased with both fees waived (rule 1), no fee transfer, the waiver in the report.
TEST_F(OffBookServer, RepoFiledAndConfirmedOverFixThenRepurchasedWithFeesWaived) {
  seed();
  testing::FixClient repo_party("MEMBER2", fix_port_);
  testing::FixClient reverse("MEMBER1", fix_port_);
  ASSERT_TRUE(repo_party.logon("member2", "member2-pass"));
  ASSERT_TRUE(reverse.logon("member1", "member1-pass"));
  repo_party.send("AE", testing::repo_filing("20990628"));
  const auto ack = repo_party.expect("AR");
  ASSERT_TRUE(ack.has_value());
  EXPECT_EQ(field(*ack, 939), "0") << field(*ack, 58);
  EXPECT_EQ(field(*ack, 167), "REPO");
  const std::string id = field(*ack, 818);
  const auto alleged = reverse.expect("AE");
  ASSERT_TRUE(alleged.has_value());
  EXPECT_EQ(field(*alleged, 856), "1");
  EXPECT_EQ(field(*alleged, 167), "REPO");
  EXPECT_EQ(field(*alleged, 921), "1420000.00");  // StartCash: 14.20 x 100,000 t
  EXPECT_EQ(field(*alleged, 922), "1450000.00");  // EndCash: the repurchase, 14.50 x 100,000 t
  EXPECT_EQ(field(*alleged, 917), "20990628");
  EXPECT_EQ(field(*alleged, 818), id);
  const auto fees_before = balance(9000, "CNY").first;
  reverse.send(
      "AE",
      {{571, "CONF1"}, {856, "2"}, {167, "REPO"}, {572, id}, {552, "1"}, {54, "1"}, {1, "1001"}});
  for (auto* c : {&repo_party, &reverse}) {
    const auto first = c->expect("AE");
    ASSERT_TRUE(first.has_value());
    EXPECT_EQ(field(*first, 856), "2");
    EXPECT_EQ(field(*first, 58), "open");
    EXPECT_EQ(field(*first, 12), "7100.00");  // 100,000 t x 14.20 x 0.5%
  }
  EXPECT_EQ(balance(9000, "CNY").first - fees_before, 1420000);
  EXPECT_EQ(balance(1001, "GDEA2017"), (std::pair<std::int64_t, std::int64_t>{0, 100000}));
  // Early repurchase: one consent waits for the other.
  repo_party.send(
      "AE",
      {{571, "EARLY1"}, {856, "2"}, {167, "REPO"}, {572, id}, {552, "1"}, {54, "1"}, {1, "1002"}});
  for (auto* c : {&repo_party, &reverse}) {
    const auto consent = c->expect("AE");
    ASSERT_TRUE(consent.has_value());
    EXPECT_EQ(field(*consent, 856), "4") << field(*consent, 58);
  }
  reverse.send(
      "AE",
      {{571, "EARLY2"}, {856, "2"}, {167, "REPO"}, {572, id}, {552, "1"}, {54, "1"}, {1, "1001"}});
  for (auto* c : {&repo_party, &reverse}) {
    const auto done = c->expect("AE");
    ASSERT_TRUE(done.has_value());
    EXPECT_EQ(field(*done, 856), "2");
    EXPECT_EQ(field(*done, 12), "0.00");
    EXPECT_EQ(field(*done, 58), "repurchased; fee 7250.00 waived by rule 1");
  }
  EXPECT_EQ(balance(9000, "CNY").first - fees_before, 1420000) << "repurchase leg: no fee";
  EXPECT_EQ(balance(1001, "GDEA2017"), (std::pair<std::int64_t, std::int64_t>{0, 0}));
  EXPECT_EQ(balance(1002, "GDEA2017"), (std::pair<std::int64_t, std::int64_t>{300000, 0}));
  EXPECT_EQ(ok("repo.list", "{}").at("open").size(), 0u);
  const json st = ok("query.status", "{}");
  EXPECT_TRUE(st.at("ledger_invariants_ok").get<bool>()) << st.dump();
}

TEST(OffBookRecords, BlobWithoutSectionRestoresEmptyStateAndCorruptSectionsAreRefused) {
  CoreStateRecord core;
  core.next_order_id = 7;
  const std::vector<std::uint8_t> old = encode_core_state(core);
  auto decoded = decode_exchange_state(old);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded.value().offbook, OffBookStateRecord{});
  EXPECT_EQ(decoded.value().core.next_order_id, 7u);

  OffBookStateRecord offbook;
  offbook.next_id = 3;
  RepoRecord r;
  r.id = OffBookId(2);
  r.status = RepoStatus::kOpen;
  r.instrument = InstrumentId(1);
  r.repo_party = AccountId(1002);
  r.reverse_party = AccountId(1001);
  r.quantity_t = QuantityT(100000);
  r.start_price_fen = PriceFen(1420);
  r.repurchase_price_fen = PriceFen(1450);
  r.filed_date = Date{20261121};
  r.end_date = Date{20990628};
  r.hold_amount = 100000;
  offbook.repos.push_back(r);
  std::vector<std::uint8_t> blob = encode_exchange_state(core, offbook);
  auto both = decode_exchange_state(blob);
  ASSERT_TRUE(both.ok());
  EXPECT_EQ(both.value().offbook, offbook);

  std::vector<std::uint8_t> truncated(blob.begin(), blob.end() - 1);
  ASSERT_FALSE(decode_exchange_state(truncated).ok());
  EXPECT_EQ(decode_exchange_state(truncated).error(), RecordError::kWrongSize);
  std::vector<std::uint8_t> bad_magic = blob;
  bad_magic[old.size()] ^= 0xff;
  ASSERT_FALSE(decode_exchange_state(bad_magic).ok());
  EXPECT_EQ(decode_exchange_state(bad_magic).error(), RecordError::kWrongMagic);
  std::vector<std::uint8_t> bad_inner = blob;
  bad_inner[old.size() + 8] ^= 0xff;  // the engine's "CXOB" magic
  ASSERT_FALSE(decode_exchange_state(bad_inner).ok());
  EXPECT_EQ(decode_exchange_state(bad_inner).error(), RecordError::kBadField);
  // decode_core_state alone still refuses a blob with trailing bytes.
  EXPECT_FALSE(decode_core_state(blob).ok());
}

}  // namespace
}  // namespace carbonx::gateway
