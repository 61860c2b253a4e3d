// A server restart in the middle of the registry's year: the ledger is loaded from the store and
// the registrar's state restored from the blob committed with the batches; continuing from there
// ends in exactly the state (ledger, registrar, journal chain) of a run without the restart.
#include <gtest/gtest.h>

#include "registrar_test_support.hpp"
#include "registry_test_util.hpp"

namespace carbonx::registry {
namespace {

using namespace registrar_testing;  // NOLINT

struct Step {
  TimestampNs ts;
  RegistryCommand cmd;
};

Account account(AccountId id, AccountKind kind, std::uint16_t year = 0) {
  Account a;
  a.id = id;
  a.kind = kind;
  a.compliance_year = year;
  return a;
}

// Registry commands only (valid and refused), in order.
std::vector<Step> script() {
  std::vector<Step> s;
  TimestampNs t = utc(2017, 3, 1);
  const auto add = [&](RegistryCommand c) { s.push_back({t, std::move(c)}); };
  add(OpenAccount{account(kGov, AccountKind::kGovernmentIssuance)});
  add(OpenAccount{account(kSettle, AccountKind::kCashSettlement)});
  add(OpenAccount{account(kRetire2017, AccountKind::kRetirement, 2017)});
  const auto firms = sample_firms();
  for (std::size_t i = 0; i < firms.size(); ++i) {
    const AccountId a(kFirstFirm + static_cast<std::uint32_t>(i));
    add(OpenAccount{account(a, AccountKind::kControlEmissionFirm)});
    add(RegisterFirm{firms[i], a, MemberId(1), "guangdong"});
    add(Deposit{TransferId(1 + i), a, AmountFen(1'000'000), 0});
    add(GrantAuthority{MemberId(1 + static_cast<std::uint32_t>(i % 3)), a});
  }
  add(GrantAuthority{MemberId(1), AccountId(kFirstFirm)});   // refused: held already
  add(RevokeAuthority{MemberId(2), AccountId(kFirstFirm)});  // refused: not held
  add(RevokeAuthority{MemberId(2), AccountId(kFirstFirm + 1)});
  add(GrantAuthority{MemberId(7), AccountId(kFirstFirm + 1)});
  const std::string csv = sample_facilities();
  add(AllocationIssue{2017, "national-2017-draft", csv});
  t = utc(2018, 3, 1);
  add(AllocationTrueUp{2017, "national-2017-draft", csv});
  add(LoadVerifiedEmissions{sample_emissions(2016)});
  add(LoadVerifiedEmissions{sample_emissions(2017)});
  add(IssueUnits{TransferId(5'000), AccountId(kFirstFirm + 1), asset_of(kCcer), 20'000, 0});
  add(RecordExtension{AccountId(kFirstFirm + 2), 2017, 20180720});
  t = utc(2018, 6, 1);
  for (std::size_t i = 0; i < firms.size(); ++i) {  // some refused: more than they hold
    const AccountId a(kFirstFirm + static_cast<std::uint32_t>(i));
    add(Surrender{a, 2017, MemberId(0), {{asset_of(kGdea2017), 400'000}}});
  }
  add(Surrender{AccountId(kFirstFirm + 1), 2017, MemberId(0), {{asset_of(kCcer), 20'000}}});
  add(SettleCompliance{2017});  // refused: before the deadline
  t = utc(2018, 6, 25);
  add(SettleCompliance{2017});
  t = utc(2018, 7, 1);
  add(AllocationIssue{2018, "national-2017-draft", csv});
  add(Withdraw{TransferId(6'000), AccountId(kFirstFirm), AmountFen(1'000), 0});
  return s;
}

void run(LiveExchange& x, const std::vector<Step>& steps, std::size_t from, std::size_t to) {
  for (std::size_t i = from; i < to; ++i) {
    x.set_time(TimestampNs(steps[i].ts.value() + static_cast<std::int64_t>(i) * 1'000'000));
    x.reg(steps[i].cmd);
  }
  x.commit();
}

struct Hashes {
  Digest ledger, registrar, journal;
};

Hashes hashes(LiveExchange& x) {
  return {x.ledger().state_hash(), x.registrar().state_hash(), x.store().last_hash()};
}

TEST(RegistrarRestart, ContinuingAfterARestartEndsInTheSameState) {
  const auto steps = script();
  registry::testing::TempDir dir;
  Hashes straight;
  Registrar::AuthorityPairs authority;
  {
    LiveExchange x(dir.sub("straight"), 7);
    run(x, steps, 0, steps.size());
    EXPECT_FALSE(x.registrar().compliance().penalties().empty());
    EXPECT_TRUE(x.ledger().verify().empty());
    EXPECT_TRUE(x.registrar().has_authority(MemberId(7), AccountId(kFirstFirm + 1)));
    EXPECT_FALSE(x.registrar().has_authority(MemberId(2), AccountId(kFirstFirm + 1)));
    straight = hashes(x);
    authority = x.registrar().authority();
  }
  // restarts at several points, each after a committed batch
  for (std::size_t cut : {std::size_t{5}, steps.size() / 2, steps.size() - 3}) {
    const std::string d = dir.sub("cut" + std::to_string(cut));
    {
      LiveExchange x(d, 7);
      run(x, steps, 0, cut);
    }
    LiveExchange y(d, 7, true);
    EXPECT_EQ(y.seq(), Seq(cut));
    run(y, steps, cut, steps.size());
    const Hashes h = hashes(y);
    EXPECT_EQ(to_hex(h.ledger), to_hex(straight.ledger)) << cut;
    EXPECT_EQ(to_hex(h.registrar), to_hex(straight.registrar)) << cut;
    EXPECT_EQ(to_hex(h.journal), to_hex(straight.journal)) << cut;
    EXPECT_EQ(y.registrar().authority(), authority) << cut;
  }
}

}  // namespace
}  // namespace carbonx::registry
