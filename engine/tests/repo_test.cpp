// Repo (回购): filing by both (operator) or propose/confirm, first leg with normal fees, the lock,
// repurchase at maturity (RepoMature, EndOfDay) and early by consent, the repurchase-leg fee
// waiver around 10 May 2017 for repos filed before and after it, default (release or keep locked),
// limits; ledger invariants after every path.

#include "offbook_fixture.hpp"

namespace carbonx::offbook_testing {
namespace {

class RepoTest : public OffBookTest {
 protected:
  explicit RepoTest(ExchangeConfig cfg = offbook_config()) : OffBookTest(std::move(cfg)) {}

  // Alice (repo party) sells 100,000 t at 20.00 and buys back at 20.60 from Bob.
  static RepoFile filing(std::int32_t end_date, bool both = true) {
    RepoFile f;
    f.filer = both ? AccountId(0) : kAlice;
    f.member = kMember1;
    f.repo_party = kAlice;
    f.reverse_party = kBob;
    f.instrument = kGdea;
    f.quantity_t = QuantityT(100'000);
    f.start_price_fen = PriceFen(2000);
    f.repurchase_price_fen = PriceFen(2060);
    f.end_date = Date{end_date};
    f.both_confirmed = both;
    f.client_order_id = make_client_order_id("repo-1");
    return f;
  }
  OffBookId file(const RepoFile& f, TimestampNs ts = TimestampNs(0)) {
    apply(f, ts);
    const auto e = only<RepoEvent>();
    EXPECT_EQ(e.status, f.both_confirmed ? RepoStatus::kOpen : RepoStatus::kProposed);
    return e.repo_id;
  }
  static constexpr std::int64_t kStart = 2000LL * 100'000;
  static constexpr std::int64_t kBack = 2060LL * 100'000;
};

TEST_F(RepoTest, FirstLegPaysNormalFeesAndLocksTheUnitsWithTheReverseParty) {
  const OffBookId id = file(filing(20240315));
  const RepoEvent e = only<RepoEvent>();
  EXPECT_GT(e.trade_id.value(), 0u);
  EXPECT_EQ(e.filed_date, Date{20240304});
  EXPECT_EQ(e.repo_party_fee.fee_fen, fee(kStart, 700, 0));
  EXPECT_EQ(e.reverse_party_fee.fee_fen, fee(kStart, 500, 0));
  EXPECT_EQ(e.repo_party_fee.waiver_rule_id, 0u);
  EXPECT_EQ(cash(kAlice), kCash + kStart - fee(kStart, 700, 0).value());
  EXPECT_EQ(cash(kBob), kCash - kStart - fee(kStart, 500, 0).value());
  EXPECT_EQ(units(kAlice), kUnits - 100'000);
  // Locked in Bob's account: frozen, not available.
  EXPECT_EQ(units(kBob), kUnits);
  EXPECT_EQ(frozen(kBob, asset_of(kGdea)), 100'000);
  EXPECT_EQ(ledger_.held(repo_lock_hold(id)), 100'000);
  ASSERT_EQ(core_->offbook().repos.size(), 1u);
  EXPECT_EQ(core_->offbook().repos[0].status, RepoStatus::kOpen);
  check_invariants();
  // Bob cannot sell the locked units (he has exactly kUnits available).
  expect_reject(AgreementReport{kBob,
                                kMember2,
                                kGdea,
                                Side::kSell,
                                kCarol,
                                PriceFen(2000),
                                QuantityT(kUnits + 10'000),
                                {}},
                RejectReason::kInsufficientFunds);
}

TEST_F(RepoTest, MaturityRepurchasesWithBothFeesWaivedAndReportsTheRule) {
  const OffBookId id = file(filing(20240305));
  const std::int64_t alice_cash = cash(kAlice);
  const std::int64_t bob_cash = cash(kBob);
  const std::int64_t fees_before = cash(kFee);
  apply(RepoMature{}, at(20240304, 1'000'000'000));  // not yet due
  EXPECT_TRUE(of<RepoEvent>().empty());
  apply(RepoMature{}, at(20240305));
  const RepoEvent e = only<RepoEvent>();
  EXPECT_EQ(e.repo_id, id);
  EXPECT_EQ(e.status, RepoStatus::kRepurchased);
  EXPECT_FALSE(e.early);
  EXPECT_EQ(e.repo_party_fee.fee_fen.value(), 0);
  EXPECT_EQ(e.repo_party_fee.waived_fen, fee(kBack, 500, 0));
  EXPECT_EQ(e.repo_party_fee.waiver_rule_id, kWaiverRule);
  EXPECT_EQ(e.reverse_party_fee.fee_fen.value(), 0);
  EXPECT_EQ(e.reverse_party_fee.waived_fen, fee(kBack, 700, 0));
  EXPECT_EQ(e.reverse_party_fee.waiver_rule_id, kWaiverRule);
  EXPECT_EQ(cash(kAlice), alice_cash - kBack);
  EXPECT_EQ(cash(kBob), bob_cash + kBack);
  EXPECT_EQ(cash(kFee), fees_before);
  EXPECT_EQ(units(kAlice), kUnits);
  EXPECT_EQ(units(kBob), kUnits);
  EXPECT_EQ(frozen(kBob, asset_of(kGdea)), 0);
  EXPECT_TRUE(core_->offbook().repos.empty());
  check_invariants();
  EXPECT_EQ(replay_hash(), core_->state_hash());
}

// The waiver {kRepoRepurchase, kBoth, effective_from 2017-05-10}: a repurchase dated 9 May 2017
// pays, one dated 10 May or later is waived, for a repo filed before the policy date and for one
// filed after it. The first leg always pays.
TEST_F(RepoTest, WaiverAroundItsEffectiveDateForReposFiledBeforeAndAfter) {
  const OffBookId pays = file(filing(20170509), at(20170502));
  const OffBookId waived = file(filing(20170510), at(20170502, 1));
  const OffBookId later = file(filing(20170601), at(20170515));
  EXPECT_EQ(only<RepoEvent>().repo_party_fee.fee_fen, fee(kStart, 700, 0));  // first leg pays
  check_invariants();
  apply(RepoMature{}, at(20170509));
  RepoEvent e = only<RepoEvent>();
  EXPECT_EQ(e.repo_id, pays);
  EXPECT_EQ(e.repo_party_fee.fee_fen, fee(kBack, 500, 0));
  EXPECT_EQ(e.reverse_party_fee.fee_fen, fee(kBack, 700, 0));
  EXPECT_EQ(e.repo_party_fee.waiver_rule_id, 0u);
  apply(RepoMature{}, at(20170510));
  e = only<RepoEvent>();
  EXPECT_EQ(e.repo_id, waived);
  EXPECT_EQ(e.filed_date, Date{20170502});  // filed before the policy date, still waived
  EXPECT_EQ(e.repo_party_fee.fee_fen.value(), 0);
  EXPECT_EQ(e.repo_party_fee.waiver_rule_id, kWaiverRule);
  EXPECT_EQ(e.reverse_party_fee.waiver_rule_id, kWaiverRule);
  apply(EndOfDay{}, at(20170601, 5'000'000'000));  // EndOfDay matures too
  e = only<RepoEvent>();
  EXPECT_EQ(e.repo_id, later);
  EXPECT_EQ(e.status, RepoStatus::kRepurchased);
  EXPECT_EQ(e.reverse_party_fee.fee_fen.value(), 0);
  EXPECT_EQ(e.reverse_party_fee.waived_fen, fee(kBack, 700, 0));
  EXPECT_TRUE(core_->offbook().repos.empty());
  check_invariants();
}

TEST_F(RepoTest, ProposeConfirmDeclineAndExpire) {
  const OffBookId a = file(filing(20240315, false));
  EXPECT_EQ(frozen(kAlice, asset_of(kGdea)), 100'000);  // the filer's side is held
  check_invariants();
  expect_reject(RepoConfirm{kAlice, kMember1, a, {}}, RejectReason::kNotParty);  // the filer
  expect_reject(RepoConfirm{kCarol, kMember2, a, {}}, RejectReason::kNotParty);
  expect_reject(RepoEarlyRepurchase{kAlice, kMember1, a, false, {}}, RejectReason::kWrongState);
  apply(RepoConfirm{kBob, kMember2, a, {}});
  const RepoEvent e = only<RepoEvent>();
  EXPECT_EQ(e.status, RepoStatus::kOpen);
  EXPECT_EQ(e.actor, kBob);
  EXPECT_EQ(frozen(kAlice, asset_of(kGdea)), 0);
  EXPECT_EQ(frozen(kBob, asset_of(kGdea)), 100'000);
  expect_reject(RepoConfirm{kBob, kMember2, a, {}}, RejectReason::kWrongState);
  check_invariants();
  // The reverse party files: its cash (start notional + first-leg fee) is held.
  RepoFile f = filing(20240315, false);
  f.filer = kBob;
  const OffBookId b = file(f);
  EXPECT_EQ(frozen(kBob, kCashAsset), kStart + fee(kStart, 500, 0).value());
  apply(RepoDecline{kAlice, kMember1, b, {}});
  EXPECT_EQ(only<RepoEvent>().status, RepoStatus::kDeclined);
  EXPECT_EQ(frozen(kBob, kCashAsset), 0);
  file(f);
  apply(EndOfDay{});
  const auto ev = of<RepoEvent>();
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].status, RepoStatus::kExpired);
  EXPECT_EQ(frozen(kBob, kCashAsset), 0);
  ASSERT_EQ(core_->offbook().repos.size(), 1u);  // the open one stays
  check_invariants();
}

TEST_F(RepoTest, EarlyRepurchaseNeedsBothConsents) {
  const OffBookId id = file(filing(20240315));
  expect_reject(RepoEarlyRepurchase{kCarol, kMember2, id, false, {}}, RejectReason::kNotParty);
  apply(RepoEarlyRepurchase{kBob, kMember2, id, false, {}});
  EXPECT_EQ(only<RepoEvent>().status, RepoStatus::kEarlyConsent);
  EXPECT_TRUE(core_->offbook().repos[0].reverse_consent);
  EXPECT_EQ(frozen(kBob, asset_of(kGdea)), 100'000);
  apply(RepoEarlyRepurchase{kAlice, kMember1, id, false, {}});
  const RepoEvent e = only<RepoEvent>();
  EXPECT_EQ(e.status, RepoStatus::kRepurchased);
  EXPECT_TRUE(e.early);
  EXPECT_EQ(e.repo_party_fee.waiver_rule_id, kWaiverRule);
  EXPECT_EQ(units(kAlice), kUnits);
  EXPECT_TRUE(core_->offbook().repos.empty());
  // An operator holding both consents.
  const OffBookId id2 = file(filing(20240315));
  apply(RepoEarlyRepurchase{AccountId(0), MemberId(0), id2, true, {}});
  EXPECT_EQ(only<RepoEvent>().status, RepoStatus::kRepurchased);
  check_invariants();
}

TEST_F(RepoTest, DefaultSettlesNothingAndReleasesTheUnitsToTheReverseParty) {
  RepoFile f = filing(20240305);
  f.repo_party = kDave;  // 1,000 CNY and 200,000 t
  const OffBookId id = file(f);
  // The first leg brought Dave 2,000,000 CNY less its fee; he owes 2,060,000 CNY.
  ASSERT_LT(cash(kDave), kBack);
  const auto before = snapshot();
  const std::uint64_t postings = ledger_.postings_applied();
  const std::int64_t bob_units = units(kBob);
  apply(RepoMature{}, at(20240305));
  const RepoEvent e = only<RepoEvent>();
  EXPECT_EQ(e.repo_id, id);
  EXPECT_EQ(e.status, RepoStatus::kDefaulted);
  EXPECT_TRUE(e.units_released);
  EXPECT_EQ(ledger_.postings_applied(), postings);  // nothing settled halfway
  EXPECT_EQ(units(kBob), bob_units + 100'000);      // the lock released to the reverse party
  EXPECT_EQ(frozen(kBob, asset_of(kGdea)), 0);
  EXPECT_NE(snapshot(), before);
  const auto defaults = repos_in(core_->offbook(), RepoStatus::kDefaulted);
  ASSERT_EQ(defaults.size(), 1u);
  EXPECT_EQ(defaults[0].id, id);
  check_invariants();
  apply(RepoMature{}, at(20240306));  // a defaulted repo is not retried
  EXPECT_TRUE(of<RepoEvent>().empty());
  apply(RepoResolveDefault{id});
  EXPECT_EQ(only<RepoEvent>().status, RepoStatus::kResolved);
  EXPECT_TRUE(core_->offbook().repos.empty());
  check_invariants();
}

TEST_F(RepoTest, RejectsBadFilings) {
  RepoFile f = filing(20240315);
  f.quantity_t = QuantityT(99'999);  // Guangdong 2015 minimum: 100,000 t
  expect_reject(f, RejectReason::kQuantityBelowMinimum);
  f = filing(20240315);
  f.repurchase_price_fen = PriceFen(2601);  // band +-30% of 2000
  expect_reject(f, RejectReason::kPriceOutsideBand);
  f = filing(20240304);  // must end after the filing date
  expect_reject(f, RejectReason::kBadDate);
  f = filing(20240231);
  expect_reject(f, RejectReason::kBadDate);
  f = filing(20240620);
  f.surrender_deadline = Date{20240620};  // a covered firm: must end before its deadline
  expect_reject(f, RejectReason::kAfterSurrenderDeadline);
  f.end_date = Date{20240619};
  file(f);
  f = filing(20240315);
  f.reverse_party = kAlice;
  expect_reject(f, RejectReason::kSameAccount);
  f = filing(20240315, false);
  f.filer = kCarol;
  expect_reject(f, RejectReason::kNotParty);
  f = filing(20240315);
  f.reverse_party = kDave;  // cannot pay 2,000,000 CNY
  expect_reject(f, RejectReason::kInsufficientFunds);
  f = filing(20240315);
  f.reverse_party = AccountId(555);
  expect_reject(f, RejectReason::kAccountNotUsable);
  check_invariants();
}

TEST_F(RepoTest, QueriesAndTheRepoLimit) {
  for (std::int32_t d : {20240320, 20240310, 20240315})
    file(filing(d));
  const auto due = repo_maturities(core_->offbook(), Date{20240301}, Date{20240316});
  ASSERT_EQ(due.size(), 2u);
  EXPECT_EQ(due[0].end_date, Date{20240310});
  EXPECT_EQ(due[1].end_date, Date{20240315});
  EXPECT_EQ(repos_in(core_->offbook(), RepoStatus::kOpen).size(), 3u);
  for (std::uint32_t i = 3; i < config_.limits.max_repos; ++i)
    file(filing(20240320, false));
  expect_reject(filing(20240320), RejectReason::kTooManyOpen);
  check_invariants();
}

ExchangeConfig keep_locked_config() {
  ExchangeConfig c = offbook_config();
  c.repo_default_releases_units = false;
  return c;
}

class RepoKeepLockedTest : public RepoTest {
 protected:
  RepoKeepLockedTest() : RepoTest(keep_locked_config()) {}
};

TEST_F(RepoKeepLockedTest, DefaultKeepsTheLockUntilAnOperatorResolvesIt) {
  RepoFile f = filing(20240305);
  f.repo_party = kDave;
  f.repurchase_price_fen = PriceFen(2600);
  const OffBookId id = file(f);
  // 2,000,000 CNY in, 2,600,000 CNY due: Dave cannot pay.
  apply(RepoMature{}, at(20240305));
  const RepoEvent e = only<RepoEvent>();
  EXPECT_EQ(e.status, RepoStatus::kDefaulted);
  EXPECT_FALSE(e.units_released);
  EXPECT_EQ(frozen(kBob, asset_of(kGdea)), 100'000);
  check_invariants();
  apply(RepoResolveDefault{id});
  const RepoEvent r = only<RepoEvent>();
  EXPECT_EQ(r.status, RepoStatus::kResolved);
  EXPECT_TRUE(r.units_released);
  EXPECT_EQ(frozen(kBob, asset_of(kGdea)), 0);
  expect_reject(RepoResolveDefault{id}, RejectReason::kUnknownOffBook);
  check_invariants();
}

}  // namespace
}  // namespace carbonx::offbook_testing
