// Repos through FIX (TradeCaptureReport with SecurityType=REPO) on carbonxd's exchange path with
// the test's clock (offbook_driver.hpp), so the trading date can reach a repo's end date: the
// default at maturity (units released to the reverse-repo party, or kept locked until an
// operator resolves it; nothing settles halfway; operators see it in repo.list), the repurchase
// fee waiver around its effective date (10 May 2017) with normal fees on every first leg,
// early repurchase by both parties' consent, and the filing refusals with their numbers.
#include <gtest/gtest.h>

#include "offbook_driver.hpp"
#include "offbook_messages.hpp"

namespace carbonx::gateway {
namespace {

using testing::cst_ns;
using testing::field;
using testing::OffBookDriver;
using Balance = std::pair<std::int64_t, std::int64_t>;
using json = nlohmann::json;

struct Filing {
  std::string id;
  std::string qty = "100000";
  std::string start_px = "14.20";
  std::string repurchase_px = "14.50";
  std::string end_date;
  bool by_repo_party = true;  // 1002 (MEMBER2) files; else 1001 (MEMBER1) does
};

class OffBookRepo : public ::testing::Test {
 protected:
  void make(bool release_on_default = true) {
    x_ = std::make_unique<OffBookDriver>(
        ::testing::UnitTest::GetInstance()->current_test_info()->name(), release_on_default);
    x_->set_time(cst_ns(2017, 5, 2, 10));
    x_->seed();
  }
  void file(const Filing& f) {
    x_->send(f.by_repo_party ? "MEMBER2" : "MEMBER1", "AE",
             testing::join(
                 {{571, f.id},
                  {487, "0"},
                  {856, "0"},
                  {167, "REPO"},
                  {55, "GDEA2017"},
                  {32, f.qty},
                  {31, f.start_px},
                  {917, f.end_date}},
                 testing::two_sides(f.by_repo_party ? "2" : "1", f.by_repo_party ? "1002" : "1001",
                                    f.by_repo_party ? "1001" : "1002",
                                    testing::end_cash(f.qty, f.repurchase_px))));
  }
  void answer(const std::string& comp, const std::string& account, const std::string& id,
              const std::string& type, const std::string& repo) {
    x_->send(
        comp, "AE",
        {{571, id}, {856, type}, {167, "REPO"}, {572, repo}, {552, "1"}, {54, "1"}, {1, account}});
  }
  // Files and confirms; both first-leg reports checked (0.5% of 100,000 t x 14.20 each side).
  std::string open_repo(const Filing& f) {
    file(f);
    const char* filer = f.by_repo_party ? "MEMBER2" : "MEMBER1";
    const char* other = f.by_repo_party ? "MEMBER1" : "MEMBER2";
    const auto ack = x_->next(filer, "AR");
    EXPECT_TRUE(ack.has_value());
    if (!ack) return "";
    EXPECT_EQ(field(*ack, 939), "0") << field(*ack, 58);
    const std::string id = field(*ack, 818);
    const auto alleged = x_->next(other, "AE");
    EXPECT_TRUE(alleged.has_value());
    answer(other, f.by_repo_party ? "1001" : "1002", "C" + f.id, "2", id);
    for (const char* comp : {"MEMBER1", "MEMBER2"}) {
      const auto first = x_->next(comp, "AE");
      EXPECT_TRUE(first.has_value()) << comp;
      if (!first) continue;
      EXPECT_EQ(field(*first, 856), "2") << field(*first, 58);
      EXPECT_EQ(field(*first, 58), "open");
      EXPECT_EQ(field(*first, 12), "7100.00") << "the first leg pays normal fees";
    }
    return id;
  }
  // The repo report both parties get at a step (856, Text) with the fee (12) each sees.
  void both_see(const std::string& repo, const std::string& type, const std::string& text,
                const std::string& fee = "") {
    for (const char* comp : {"MEMBER1", "MEMBER2"}) {
      const auto ae = x_->next(comp, "AE");
      ASSERT_TRUE(ae.has_value()) << comp << " " << text;
      EXPECT_EQ(field(*ae, 167), "REPO");
      EXPECT_EQ(field(*ae, 818), repo);
      EXPECT_EQ(field(*ae, 856), type) << comp;
      EXPECT_EQ(field(*ae, 58), text) << comp;
      if (!fee.empty()) {
        EXPECT_EQ(field(*ae, 12), fee) << comp;
      }
    }
  }
  void day_end(int y, int m, int d) {
    x_->set_time(cst_ns(y, m, d, 15, 30));
    x_->end_of_day();
  }
  std::string refused(const char* comp, const std::string& id) {
    const auto ar = x_->next(comp, "AR");
    EXPECT_TRUE(ar.has_value());
    if (!ar) return "";
    EXPECT_EQ(field(*ar, 939), "1");
    EXPECT_EQ(field(*ar, 571), id);
    return field(*ar, 58);
  }

  std::unique_ptr<OffBookDriver> x_;
};

// 1002 sells 100,000 t at 14.20 and must buy back at 18.40 (1,840,000.00 CNY) with 100,000.00 CNY
// plus the first leg's 1,412,900.00: it cannot pay at maturity.
Filing unpayable() {
  Filing f;
  f.id = "REPO1";
  f.repurchase_px = "18.40";
  f.end_date = "20170505";
  return f;
}

TEST_F(OffBookRepo, ADefaultAtMaturityReleasesTheUnitsToTheReverseParty) {
  make(true);
  const std::string id = open_repo(unpayable());
  const auto repo_cash = x_->balance(1002, "CNY");
  const auto reverse_cash = x_->balance(1001, "CNY");
  EXPECT_EQ(repo_cash, (Balance{10000000 + 142000000 - 710000, 0}));
  EXPECT_EQ(x_->balance(1001, "GDEA2017"), (Balance{0, 100000}));
  day_end(2017, 5, 4);  // not yet due
  EXPECT_EQ(x_->pending("MEMBER1"), 0u);
  day_end(2017, 5, 5);
  both_see(id, "3", "defaulted; locked units released to the reverse party");
  // Nothing settled halfway: no cash moved; the units are the reverse party's, unlocked.
  EXPECT_EQ(x_->balance(1002, "CNY"), repo_cash);
  EXPECT_EQ(x_->balance(1001, "CNY"), reverse_cash);
  EXPECT_EQ(x_->balance(1001, "GDEA2017"), (Balance{100000, 0}));
  EXPECT_EQ(x_->balance(1002, "GDEA2017"), (Balance{200000, 0}));
  const json list = x_->ok("repo.list");
  EXPECT_EQ(list.at("open").size(), 0u);
  ASSERT_EQ(list.at("defaulted").size(), 1u) << list.dump();
  EXPECT_EQ(list.at("defaulted")[0].at("repo_id").dump(), id);
  EXPECT_EQ(list.at("defaulted")[0].at("locked_t"), 0);
  // Still listed until an operator closes it.
  const json resolved = x_->ok("repo.resolve_default", {{"repo_id", std::stoull(id)}});
  EXPECT_EQ(resolved.at("events")[0].at("status"), "resolved");
  both_see(id, "3", "resolved; locked units released to the reverse party");
  EXPECT_EQ(x_->ok("repo.list").at("defaulted").size(), 0u);
  EXPECT_EQ(x_->balance(1001, "GDEA2017"), (Balance{100000, 0}));
  EXPECT_TRUE(x_->ledger_ok());
}

TEST_F(OffBookRepo, ADefaultKeptLockedWaitsForTheOperator) {
  make(false);  // repo_default = "keep_locked"
  const std::string id = open_repo(unpayable());
  const auto repo_cash = x_->balance(1002, "CNY");
  day_end(2017, 5, 5);
  both_see(id, "3", "defaulted");
  EXPECT_EQ(x_->balance(1002, "CNY"), repo_cash);
  EXPECT_EQ(x_->balance(1001, "GDEA2017"), (Balance{0, 100000}));
  const json list = x_->ok("repo.list");
  ASSERT_EQ(list.at("defaulted").size(), 1u) << list.dump();
  EXPECT_EQ(list.at("defaulted")[0].at("locked_t"), 100000);
  EXPECT_EQ(list.at("defaulted")[0].at("status"), "defaulted");
  // A later maturity run does not touch it again; the operator resolves it.
  day_end(2017, 5, 8);
  EXPECT_EQ(x_->pending("MEMBER1"), 0u);
  x_->ok("repo.resolve_default", {{"repo_id", std::stoull(id)}});
  both_see(id, "3", "resolved; locked units released to the reverse party");
  EXPECT_EQ(x_->balance(1001, "GDEA2017"), (Balance{100000, 0}));
  EXPECT_EQ(x_->ok("repo.list").at("defaulted").size(), 0u);
  const auto [status, again] = x_->op("repo.resolve_default", {{"repo_id", std::stoull(id)}});
  EXPECT_EQ(status, 409) << again.dump();
  EXPECT_TRUE(x_->ledger_ok());
}

// Filed 2 May 2017: repo A bought back on 9 May pays both repurchase fees; repo B bought back on
// 10 May (the policy date) has both waived by rule 1; repo C, filed on 11 May, pays normal
// first-leg fees and has its repurchase fees waived. Each waived fee is reported with its rule.
TEST_F(OffBookRepo, TheRepurchaseFeeWaiverAppliesFromTenMay2017) {
  make();
  x_->ok("cash.deposit", {{"transfer_id", 10}, {"account", 1002}, {"amount_fen", 100000000}});
  auto fee_account = [&] { return x_->balance(9000, "CNY").first; };
  const auto fees0 = fee_account();
  const std::string a = open_repo(Filing{"A", "100000", "14.20", "14.50", "20170509"});
  const std::string b = open_repo(Filing{"B", "100000", "14.20", "14.50", "20170510"});
  EXPECT_EQ(fee_account() - fees0, 4 * 710000);
  EXPECT_EQ(x_->balance(1001, "GDEA2017"), (Balance{0, 200000}));

  day_end(2017, 5, 9);  // 100,000 t x 14.50 = 1,450,000.00 CNY: 7,250.00 each side
  both_see(a, "2", "repurchased", "7250.00");
  EXPECT_EQ(fee_account() - fees0, 4 * 710000 + 2 * 725000);
  day_end(2017, 5, 10);
  both_see(b, "2", "repurchased; fee 7250.00 waived by rule 1", "0.00");
  EXPECT_EQ(fee_account() - fees0, 4 * 710000 + 2 * 725000) << "no fee transfer";

  x_->set_time(cst_ns(2017, 5, 11, 10));
  const std::string c = open_repo(Filing{"C", "100000", "14.20", "14.50", "20170512"});
  EXPECT_EQ(fee_account() - fees0, 6 * 710000 + 2 * 725000);
  day_end(2017, 5, 12);
  both_see(c, "2", "repurchased; fee 7250.00 waived by rule 1", "0.00");
  EXPECT_EQ(fee_account() - fees0, 6 * 710000 + 2 * 725000);
  EXPECT_EQ(x_->balance(1001, "GDEA2017"), (Balance{0, 0}));
  EXPECT_EQ(x_->balance(1002, "GDEA2017"), (Balance{300000, 0}));
  // 1002: +3 x (1,420,000 - 7,100) - 3 x 1,450,000 - 7,250 (A's repurchase fee).
  EXPECT_EQ(x_->balance(1002, "CNY").first,
            10000000 + 100000000 + 3 * (142000000 - 710000) - 3 * 145000000 - 725000);
  EXPECT_EQ(x_->ok("repo.list").at("open").size(), 0u);
  EXPECT_TRUE(x_->ledger_ok());
}

TEST_F(OffBookRepo, EarlyRepurchaseNeedsBothPartiesConsent) {
  make();
  x_->set_time(cst_ns(2017, 6, 1, 10));
  // Filed by the reverse party this time (54=1), confirmed by the repo party.
  Filing f{"R1", "100000", "14.20", "14.50", "20171229", false};
  const std::string id = open_repo(f);
  // Someone else's consent is refused; one party's consent waits for the other's.
  answer("MEMBER3", "1004", "X1", "2", id);
  EXPECT_EQ(refused("MEMBER3", "X1"), "account is not the party this command needs");
  answer("MEMBER1", "1001", "E1", "2", id);
  both_see(id, "4", "early repurchase consent");
  EXPECT_EQ(x_->balance(1001, "GDEA2017"), (Balance{0, 100000}));
  answer("MEMBER2", "1002", "E2", "2", id);
  both_see(id, "2", "repurchased; fee 7250.00 waived by rule 1", "0.00");
  EXPECT_EQ(x_->balance(1001, "GDEA2017"), (Balance{0, 0}));
  EXPECT_EQ(x_->balance(1002, "GDEA2017"), (Balance{300000, 0}));
  EXPECT_EQ(x_->ok("repo.list").at("open").size(), 0u);
  // Nothing is left to repurchase at the end date.
  day_end(2017, 12, 29);
  EXPECT_EQ(x_->pending("MEMBER1"), 0u);
  EXPECT_TRUE(x_->ledger_ok());
}

TEST_F(OffBookRepo, FilingRefusalsNameTheLimitAndChangeNothing) {
  make();
  const json before = x_->ok("query.balances", {{"account", 1002}});
  file(Filing{"F1", "100000", "14.20", "18.47", "20170601"});
  EXPECT_EQ(refused("MEMBER2", "F1"),
            "repurchase price 18.47 outside the repo band 9.94..18.46 (reference 14.20 +-30.00%)");
  file(Filing{"F2", "100000", "9.90", "14.50", "20170601"});
  EXPECT_EQ(refused("MEMBER2", "F2"),
            "start price 9.90 outside the repo band 9.94..18.46 (reference 14.20 +-30.00%)");
  file(Filing{"F3", "99000", "14.20", "14.50", "20170601"});
  EXPECT_EQ(refused("MEMBER2", "F3"), "quantity 99000 t below the repo minimum 100000 t");
  file(Filing{"F4", "100000", "14.20", "14.50", "20170502"});
  EXPECT_EQ(refused("MEMBER2", "F4"), "repo end date invalid or not after the filing date");
  EXPECT_EQ(x_->pending("MEMBER1"), 0u) << "nothing alleged";
  // A TradeReportID already taken by a filing is refused.
  file(Filing{"F5", "100000", "14.20", "14.50", "20170601"});
  ASSERT_TRUE(x_->next("MEMBER2", "AR").has_value());
  file(Filing{"F5", "100000", "14.20", "14.50", "20170602"});
  EXPECT_EQ(refused("MEMBER2", "F5"),
            "duplicate TradeReportID(571) F5: already used by this session today");
  const json list = x_->ok("repo.list");
  EXPECT_EQ(list.at("proposed").size(), 1u) << list.dump();
  // The proposal expires unconfirmed at the end of the day; everything is as before.
  x_->drain();
  day_end(2017, 5, 2);
  both_see(list.at("proposed")[0].at("repo_id").dump(), "3", "expired");
  EXPECT_EQ(x_->ok("query.balances", {{"account", 1002}}), before);
  EXPECT_EQ(x_->ok("repo.list").at("proposed").size(), 0u);
}

// The repo party 1002 is a covered firm (GDALU01, Guangdong: deadline 20 June of Y + 1): its repo
// must end before its next surrender deadline, which the gateway takes from the registrar.
TEST_F(OffBookRepo, ACoveredFirmsRepoMustEndBeforeItsSurrenderDeadline) {
  make();
  x_->ok("firm.register",
         {{"firm", "GDALU01"}, {"account", 1002}, {"member", 2}, {"region", "guangdong"}});
  file(Filing{"F1", "100000", "14.20", "14.50", "20170620"});
  EXPECT_EQ(refused("MEMBER2", "F1"),
            "repo end date 20170620 is not before the surrender deadline 20170620 of firm GDALU01 "
            "(the repo party)");
  const auto [status, op] = x_->op("repo.file", {{"repo_party", 1002},
                                                 {"reverse_party", 1001},
                                                 {"symbol", "GDEA2017"},
                                                 {"quantity_t", 100000},
                                                 {"start_price_fen", 1420},
                                                 {"repurchase_price_fen", 1450},
                                                 {"end_date", "2017-06-30"}});
  EXPECT_EQ(status, 409) << op.dump();
  EXPECT_EQ(op.at("error"), "repo would end on or after the surrender deadline");
  file(Filing{"F2", "100000", "14.20", "14.50", "20170619"});
  const auto ack = x_->next("MEMBER2", "AR");
  ASSERT_TRUE(ack.has_value());
  EXPECT_EQ(field(*ack, 939), "0") << field(*ack, 58);
  day_end(2017, 5, 2);  // the proposal expires
  x_->drain();
  // After the 2016 deadline has passed the next one is 20 June 2018.
  x_->set_time(cst_ns(2017, 6, 21, 10));
  file(Filing{"F1", "100000", "14.20", "14.50", "20170630"});
  const auto later = x_->next("MEMBER2", "AR");
  ASSERT_TRUE(later.has_value());
  EXPECT_EQ(field(*later, 939), "0") << field(*later, 58);
}

}  // namespace
}  // namespace carbonx::gateway
