// Registrar::preview_surrender (the firm portal's preview) is the registrar's own decision: for
// surrenders of every kind — within and over the offset cap, below the in-region share, a vintage
// after the year, more than the firm holds, a frozen account, another firm's member, after the
// deadline, unknown firms and units — the preview on the state before apply() gives exactly
// apply()'s outcome (refusal code, sub-code and text; on success the record), and changes
// nothing (ledger, registrar and store hashes, applied seq).
#include <gtest/gtest.h>

#include <random>
#include <set>
#include <string>

#include "registrar_test_support.hpp"
#include "registry_test_util.hpp"

namespace carbonx::registry {
namespace {

using namespace registrar_testing;  // NOLINT

Account account(AccountId id, AccountKind kind, std::uint16_t year = 0) {
  Account a;
  a.id = id;
  a.kind = kind;
  a.compliance_year = year;
  a.member = MemberId(1);
  a.region_code = 440000;
  return a;
}

class RegistrarPreviewTest : public ::testing::Test {
 protected:
  void SetUp() override {
    x_ = std::make_unique<LiveExchange>(dir_.path(), 4);
    auto ok = [&](const RegistryCommand& c) {
      const auto refused = x_->reg(c);
      ASSERT_FALSE(refused.has_value()) << refused->detail;
    };
    x_->set_time(utc(2017, 3, 1));
    ok(OpenAccount{account(kGov, AccountKind::kGovernmentIssuance)});
    ok(OpenAccount{account(kSettle, AccountKind::kCashSettlement)});
    ok(OpenAccount{account(kRetire2017, AccountKind::kRetirement, 2017)});
    const auto firms = sample_firms();
    ASSERT_GE(firms.size(), 6u);
    for (std::uint32_t i = 0; i < firms.size(); ++i) {  // the allocation needs every firm
      const AccountId a(kFirstFirm + i);
      ok(OpenAccount{account(a, AccountKind::kControlEmissionFirm)});
      ok(RegisterFirm{firms[i], a, MemberId(10 + i), "guangdong"});
    }
    ok(AllocationIssue{2017, "national-2017-draft", sample_facilities()});
    ok(LoadVerifiedEmissions{sample_emissions(2016)});
    ok(LoadVerifiedEmissions{sample_emissions(2017)});
    for (std::uint32_t i = 0; i < 6; ++i) {
      ok(IssueUnits{TransferId(100 + i), AccountId(kFirstFirm + i), asset_of(kCcer),
                    400'000 + 100'000 * i, 0});
    }
    x_->commit();
  }

  // The preview at the time apply() will stamp, then apply() itself: the same outcome.
  void check_same(const Surrender& s, int* accepted, int* refused,
                  std::set<std::string>* seen = nullptr) {
    const TimestampNs ts(next_ts_.value() + 1'000);  // LiveExchange stamps now + 1 us
    const Digest ledger_before = x_->ledger().state_hash();
    const Digest registrar_before = x_->registrar().state_hash();
    const auto preview = x_->registrar().preview_surrender(s, ts);
    ASSERT_EQ(x_->ledger().state_hash(), ledger_before) << "the preview changed the ledger";
    ASSERT_EQ(x_->registrar().state_hash(), registrar_before) << "the preview changed the state";
    x_->set_time(next_ts_);
    const std::size_t before = x_->registrar().compliance().surrenders().size();
    const auto outcome = x_->reg(s);
    if (preview.ok()) {
      ASSERT_FALSE(outcome.has_value()) << "previewed ok, refused: " << outcome->detail;
      ASSERT_EQ(x_->registrar().compliance().surrenders().size(), before + 1);
      const compliance::SurrenderRecord& rec = x_->registrar().compliance().surrenders().back();
      EXPECT_EQ(preview.value().number, rec.number);
      EXPECT_EQ(preview.value().ts, rec.ts);
      EXPECT_EQ(preview.value().allowances_t, rec.allowances_t);
      EXPECT_EQ(preview.value().ccer_t, rec.ccer_t);
      EXPECT_EQ(preview.value().ccer_in_region_t, rec.ccer_in_region_t);
      ASSERT_EQ(preview.value().legs.size(), rec.legs.size());
      ++*accepted;
    } else {
      ASSERT_TRUE(outcome.has_value())
          << "previewed as refused (" << preview.error().detail << "), applied";
      EXPECT_EQ(preview.error().code, outcome->code);
      EXPECT_EQ(preview.error().sub, outcome->sub);
      EXPECT_EQ(preview.error().detail, outcome->detail);
      EXPECT_EQ(x_->registrar().compliance().surrenders().size(), before);
      if (seen != nullptr) {
        seen->insert(outcome->code == RegistrarError::kCompliance
                         ? outcome->detail.substr(0, outcome->detail.find(':'))
                         : std::string(to_string(outcome->code)));
      }
      ++*refused;
    }
    next_ts_ = TimestampNs(next_ts_.value() + 60'000'000'000LL);
  }

  testing::TempDir dir_;
  std::unique_ptr<LiveExchange> x_;
  TimestampNs next_ts_ = utc(2018, 5, 15);
};

TEST_F(RegistrarPreviewTest, ThePreviewIsTheRegistrarsDecisionAndChangesNothing) {
  std::mt19937 rng(20181216);
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
  const AssetId assets[] = {asset_of(kGdea2017), asset_of(kGdea2018), asset_of(kCcer),
                            AssetId(777)};
  const std::int64_t sizes[] = {1, 500, 40'000, 90'000, 150'000, 260'000, 3'000'000};
  int accepted = 0;
  int refused = 0;
  std::set<std::string> seen;  // the refusals' first words
  for (int i = 0; i < 160; ++i) {
    Surrender s;
    const std::uint32_t firm = static_cast<std::uint32_t>(pick(7));  // 6: another firm's units
    const bool unknown = pick(20) == 0;
    s.firm_account = AccountId(unknown ? 99'999 : kFirstFirm + firm);  // 99999: no firm
    s.year = pick(10) == 0 ? 2018 : 2017;
    s.member = pick(4) == 0 ? MemberId(0) : MemberId(10 + (pick(8) == 0 ? firm + 1 : firm));
    const int legs = 1 + pick(3);
    for (int l = 0; l < legs; ++l) {
      const AssetId a = assets[pick(10) == 0 ? 3 : pick(3)];
      s.legs.push_back({a, sizes[pick(7)]});
    }
    if (i == 120) {  // a frozen firm account: the ledger's refusal, previewed
      ASSERT_FALSE(
          x_->reg(SetAccountStatus{AccountId(kFirstFirm + 5), AccountStatus::kFrozen}).has_value());
    }
    if (i == 140) next_ts_ = utc(2018, 6, 21);  // after the deadline (20 June, CST)
    check_same(s, &accepted, &refused, &seen);
    if (HasFatalFailure()) return;
  }
  // Both outcomes were exercised, several times.
  EXPECT_GE(accepted, 10);
  EXPECT_GE(refused, 40);
  for (const char* rule :
       {"offset cap exceeded", "allowance vintage after the compliance year",
        "ledger refused the surrender", "member may not act for this firm",
        "after the surrender deadline", "no verified emissions for the firm and year",
        "bad surrender legs", "not an allowance or a listed offset unit",
        "no firm registered on the account"}) {
    EXPECT_TRUE(seen.contains(rule)) << rule;
  }
}

TEST_F(RegistrarPreviewTest, EachRuleIsNamedAsTheRegistrarNamesIt) {
  const AccountId firm(kFirstFirm + 1);
  const MemberId member(11);
  const auto code_of = [&](std::vector<SurrenderLegCmd> legs, std::uint16_t year = 2017) {
    const auto r =
        x_->registrar().preview_surrender(Surrender{firm, year, member, legs}, utc(2018, 5, 15));
    return r.ok() ? std::string("ok") : r.error().detail;
  };
  EXPECT_EQ(code_of({{asset_of(kGdea2017), 1'000}}), "ok");
  EXPECT_EQ(code_of({{asset_of(kCcer), 400'000}}).rfind("offset cap exceeded: ", 0), 0u);
  EXPECT_EQ(code_of({{asset_of(kGdea2018), 10}}).rfind("allowance vintage after", 0), 0u);
  EXPECT_EQ(code_of({{asset_of(kGdea2017), 10}}, 2019).rfind("no verified emissions", 0), 0u);
  const auto late = x_->registrar().preview_surrender(
      Surrender{firm, 2017, member, {{asset_of(kGdea2017), 1}}}, utc(2018, 6, 21));
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.error().detail.rfind("after the surrender deadline", 0), 0u);
  const std::int64_t held = x_->ledger().balance(firm, asset_of(kGdea2017)).available;
  const auto poor = x_->registrar().preview_surrender(
      Surrender{firm, 2017, member, {{asset_of(kGdea2017), held + 1}}}, utc(2018, 5, 15));
  ASSERT_FALSE(poor.ok());
  EXPECT_EQ(poor.error().detail.rfind("ledger refused the surrender: ", 0), 0u)
      << poor.error().detail;
}

}  // namespace
}  // namespace carbonx::registry
