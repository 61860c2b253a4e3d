// Registrar refusals: every bad registry command is refused with its own error and changes
// nothing — neither the ledger (state hash) nor the registrar's state (state hash, dirty flag).
// A randomised run of valid and invalid commands replays to the same hashes (fixed seed).
#include <gtest/gtest.h>

#include <random>

#include "allocation_test_support.hpp"

#include "registrar_test_support.hpp"

namespace carbonx::registry {
namespace {

using namespace registrar_testing;  // NOLINT

Account account(AccountId id, AccountKind kind, std::uint16_t year = 0) {
  Account a;
  a.id = id;
  a.kind = kind;
  a.compliance_year = year;
  return a;
}

class RegistrarRefusal : public ::testing::Test {
 protected:
  RegistrarRefusal() : ledger(ledger_options()), registrar(registrar_config(), ledger) {}

  void SetUp() override {
    for (const Account& a :
         {account(kGov, AccountKind::kGovernmentIssuance),
          account(kSettle, AccountKind::kCashSettlement), account(kFee, AccountKind::kExchangeFee),
          account(kRetire2017, AccountKind::kRetirement, 2017),
          account(kInvestor, AccountKind::kInvestmentInstitution)})
      ok(OpenAccount{a});
    const auto firms = sample_firms();
    for (std::size_t i = 0; i < firms.size(); ++i) {
      const AccountId a(kFirstFirm + static_cast<std::uint32_t>(i));
      ok(OpenAccount{account(a, AccountKind::kControlEmissionFirm)});
      ok(RegisterFirm{firms[i], a, MemberId(1), "guangdong"});
    }
    ok(Deposit{TransferId(1), kInvestor, AmountFen(1'000), 0});
    registrar.mark_committed();
  }
  void ok(const RegistryCommand& c) {
    auto st = registrar.apply(Seq(++seq), TimestampNs(0), c);
    ASSERT_TRUE(st.ok()) << to_string(type_of(c)) << ": " << st.error().detail;
  }
  // Applies `c`, expects the refusal `code` and no change at all.
  void refused(const RegistryCommand& c, RegistrarError code, TimestampNs ts = TimestampNs(0)) {
    const Digest ledger_before = ledger.state_hash();
    const Digest registrar_before = registrar.state_hash();
    const bool dirty_before = registrar.dirty();
    auto st = registrar.apply(Seq(++seq), ts, c);
    ASSERT_FALSE(st.ok()) << to_string(type_of(c));
    EXPECT_EQ(st.error().code, code) << to_string(type_of(c)) << ": " << st.error().detail;
    EXPECT_FALSE(st.error().detail.empty());
    EXPECT_EQ(ledger.state_hash(), ledger_before) << to_string(type_of(c));
    EXPECT_EQ(registrar.state_hash(), registrar_before) << to_string(type_of(c));
    EXPECT_EQ(registrar.dirty(), dirty_before);
  }

  Ledger ledger;
  Registrar registrar;
  std::uint64_t seq = 0;
};

TEST_F(RegistrarRefusal, AccountsAndCash) {
  refused(OpenAccount{account(kInvestor, AccountKind::kIndividual)}, RegistrarError::kAccount);
  refused(OpenAccount{account(AccountId(0), AccountKind::kIndividual)}, RegistrarError::kAccount);
  refused(SetAccountStatus{AccountId(777), AccountStatus::kFrozen}, RegistrarError::kAccount);
  refused(SetAccountStatus{kInvestor, AccountStatus::kClosed}, RegistrarError::kAccount);
  ledger.begin_command(Seq(++seq), TimestampNs(0));
  ASSERT_TRUE(ledger.hold(HoldId(5), kInvestor, kCashAsset, 100).ok());  // a resting order
  registrar.mark_committed();
  refused(SetAccountStatus{kInvestor, AccountStatus::kFrozen}, RegistrarError::kOpenHolds);
  refused(SetHoldingLimit{AccountId(777), 5}, RegistrarError::kAccount);
  refused(Deposit{TransferId(0), kInvestor, AmountFen(5), 0}, RegistrarError::kBadTransferId);
  refused(Deposit{TransferId(1ULL << 63), kInvestor, AmountFen(5), 0},
          RegistrarError::kBadTransferId);
  const TransferId in_alloc_domain(std::uint64_t{allocation::kAllocationDomain} << 56);
  refused(Deposit{in_alloc_domain, kInvestor, AmountFen(5), 0}, RegistrarError::kBadTransferId);
  refused(Deposit{TransferId(2), kInvestor, AmountFen(0), 0}, RegistrarError::kBadAmount);
  refused(Deposit{TransferId(2), AccountId(777), AmountFen(5), 0}, RegistrarError::kTransfer);
  // the same id with another amount: a different transfer under a used id
  refused(Deposit{TransferId(1), kInvestor, AmountFen(2'000), 0}, RegistrarError::kTransfer);
  refused(Withdraw{TransferId(3), kInvestor, AmountFen(5'000), 0}, RegistrarError::kTransfer);
  refused(Withdraw{TransferId(3), kInvestor, AmountFen(-1), 0}, RegistrarError::kBadAmount);
  refused(IssueUnits{TransferId(4), kInvestor, AssetId(999), 10, 0}, RegistrarError::kUnknownAsset);
  refused(IssueUnits{TransferId(4), kInvestor, asset_of(kCcer), 0, 0}, RegistrarError::kBadAmount);
  refused(IssueUnits{TransferId(4), kInvestor, asset_of(kCcer), kMaxCommandQuantityT + 1, 0},
          RegistrarError::kBadAmount);
  refused(Deposit{TransferId(4), kInvestor, AmountFen(kMaxCommandAmountFen + 1), 0},
          RegistrarError::kBadAmount);
  refused(IssueUnits{TransferId(4), AccountId(777), asset_of(kCcer), 5, 0},
          RegistrarError::kTransfer);
}

TEST_F(RegistrarRefusal, FirmsAllocationAndCompliance) {
  const std::string csv = sample_facilities();
  refused(RegisterFirm{"", AccountId(kFirstFirm), MemberId(1), "guangdong"},
          RegistrarError::kBadFirmId);
  refused(RegisterFirm{"NEW", AccountId(777), MemberId(1), "guangdong"},
          RegistrarError::kUnknownAccount);
  refused(RegisterFirm{"NEW", kInvestor, MemberId(1), "guangdong"},
          RegistrarError::kNotFirmAccount);
  refused(RegisterFirm{"NEW", AccountId(kFirstFirm), MemberId(1), "guangdong"},
          RegistrarError::kFirmConflict);
  refused(RegisterFirm{sample_firms()[0], AccountId(kFirstFirm), MemberId(2), "guangdong"},
          RegistrarError::kFirmConflict);
  refused(AllocationIssue{2017, "no-such-table", csv}, RegistrarError::kUnknownTable);
  refused(AllocationIssue{2017, "national-2017-draft", "firm,unit\nX,Y\n"},
          RegistrarError::kBadFacilities);
  refused(AllocationIssue{2019, "national-2017-draft", csv}, RegistrarError::kAllocation);
  refused(AllocationTrueUp{2017, "national-2017-draft", csv}, RegistrarError::kAllocation);
  refused(LoadVerifiedEmissions{{{"GDPWR01", 2017, -5}}}, RegistrarError::kBadEmissions);
  refused(LoadVerifiedEmissions{{{"GDPWR01", 1999, 5}}}, RegistrarError::kCompliance);
  refused(Surrender{kInvestor, 2017, MemberId(0), {{asset_of(kGdea2017), 1}}},
          RegistrarError::kUnknownFirm);
  refused(Surrender{AccountId(kFirstFirm), 2017, MemberId(0), {{asset_of(kGdea2017), 1}}},
          RegistrarError::kCompliance);  // no verified emissions yet
  refused(RecordExtension{AccountId(kFirstFirm), 2017, 20180101}, RegistrarError::kCompliance);
  refused(RecordExtension{AccountId(kFirstFirm), 2017, 20180631}, RegistrarError::kBadDate);
  refused(RecordExtension{AccountId(kFirstFirm), 2017, -1}, RegistrarError::kBadDate);
  refused(RecordExtension{AccountId(kFirstFirm), 2017, 30000101}, RegistrarError::kBadDate);
  refused(RecordExtension{AccountId(kFirstFirm), 2017, 16000101}, RegistrarError::kBadDate);
  refused(RecordExemption{kInvestor, 2017}, RegistrarError::kUnknownFirm);
  refused(SettleCompliance{2017}, RegistrarError::kCompliance, utc(2018, 6, 1));

  // after a valid issuance: issuing the year again with other amounts, a surrender beyond holdings
  ok(AllocationIssue{2017, "national-2017-draft", csv});
  ok(LoadVerifiedEmissions{sample_emissions(2016)});
  ok(LoadVerifiedEmissions{sample_emissions(2017)});
  registrar.mark_committed();
  std::string other = csv;
  other.replace(other.find("2913481"), 7, "2913482");  // GDPWR01's base output, one MWh more
  refused(AllocationIssue{2017, "national-2017-draft", other}, RegistrarError::kAllocation);
  refused(LoadVerifiedEmissions{{{"GDPWR01", 2017, 1}}}, RegistrarError::kCompliance);
  refused(Surrender{AccountId(kFirstFirm), 2017, MemberId(0), {{asset_of(kGdea2017), 1LL << 40}}},
          RegistrarError::kCompliance);
  refused(Surrender{AccountId(kFirstFirm), 2017, MemberId(9), {{asset_of(kGdea2017), 1}}},
          RegistrarError::kCompliance);  // a member acting for a firm not its own
  refused(Surrender{AccountId(kFirstFirm), 2017, MemberId(0), {{asset_of(kGdea2018), 1}}},
          RegistrarError::kCompliance);  // vintage after the compliance year
}

// Mutated records that still decode, applied to a registrar with a real state: every one is
// applied or refused with an error, never a crash, and the ledger's invariants hold throughout.
TEST_F(RegistrarRefusal, MutatedCommandsAreAppliedOrRefusedNeverACrash) {
  ok(AllocationIssue{2017, "national-2017-draft", sample_facilities()});
  ok(LoadVerifiedEmissions{sample_emissions(2016)});
  ok(LoadVerifiedEmissions{sample_emissions(2017)});
  const std::string small_csv = std::string(allocation::testing::kFacilityHeader) +
                                allocation::testing::row({{"firm", "GDALU01"},
                                                          {"unit", "P9"},
                                                          {"sector", "aluminium"},
                                                          {"class", "liquid_aluminium"},
                                                          {"base_output", "10000"},
                                                          {"actual_output", "12000"}});
  const std::vector<RegistryCommand> base = {
      OpenAccount{account(AccountId(300), AccountKind::kIndividual)},
      SetAccountStatus{kInvestor, AccountStatus::kFrozen},
      SetHoldingLimit{kInvestor, 1'000},
      Deposit{TransferId(7), kInvestor, AmountFen(5'000), 1},
      Withdraw{TransferId(8), kInvestor, AmountFen(500), 1},
      IssueUnits{TransferId(9), AccountId(kFirstFirm), asset_of(kCcer), 3'000, 0},
      RegisterFirm{"NEWFIRM", AccountId(kFirstFirm + 1), MemberId(1), "guangdong"},
      AllocationIssue{2018, "national-2017-draft", small_csv},
      AllocationTrueUp{2017, "national-2017-draft", small_csv},
      LoadVerifiedEmissions{{{"GDPWR01", 2018, 1'000}}},
      Surrender{AccountId(kFirstFirm),
                2017,
                MemberId(0),
                {{asset_of(kGdea2017), 100}, {asset_of(kCcer), 10}}},
      RecordExtension{AccountId(kFirstFirm), 2017, 20180720},
      RecordExemption{AccountId(kFirstFirm + 3), 2017},
      SettleCompliance{2017},
      GrantAuthority{MemberId(1), kInvestor},
      RevokeAuthority{MemberId(1), kInvestor}};
  std::mt19937_64 rng(99);
  std::size_t applied = 0, refusals = 0;
  for (int i = 0; i < 20'000; ++i) {
    auto b = encode_registry_command(base[rng() % base.size()]);
    const int flips = static_cast<int>(rng() % 3);
    for (int f = 0; f < flips; ++f) {
      const std::size_t at = kRegistryRecordHeaderSize + rng() % (b.size() - 8);
      b[at] ^= static_cast<std::uint8_t>(1 + rng() % 255);
    }
    auto cmd = decode_registry_command(b);
    if (!cmd.ok()) continue;
    const TimestampNs ts = rng() % 2 == 0 ? utc(2018, 5, 1) : utc(2018, 8, 1);
    auto st = registrar.apply(Seq(++seq), ts, cmd.value());
    if (st.ok()) {
      ++applied;
    } else {
      ++refusals;
      EXPECT_FALSE(st.error().detail.empty());
    }
  }
  EXPECT_GT(applied, 100u);
  EXPECT_GT(refusals, 1'000u);
  EXPECT_TRUE(ledger.verify().empty());
}

TEST_F(RegistrarRefusal, StateBlobsRestoreExactlyAndBadBlobsAreRefused) {
  ok(AllocationIssue{2017, "national-2017-draft", sample_facilities()});
  ok(LoadVerifiedEmissions{sample_emissions(2017)});
  EXPECT_TRUE(registrar.dirty());
  const auto blob = registrar.state_blob();
  Registrar other(registrar_config(), ledger);
  EXPECT_NE(other.state_hash(), registrar.state_hash());
  ASSERT_TRUE(other.restore(blob).ok());
  EXPECT_EQ(other.state_hash(), registrar.state_hash());
  EXPECT_EQ(other.state_blob(), blob);
  const Digest before = other.state_hash();
  for (std::string bad : {std::string("{"), std::string("[]"),
                          std::string(R"({"schema":"carbonx.registrar.state","version":2})")}) {
    auto st =
        other.restore(std::span(reinterpret_cast<const std::uint8_t*>(bad.data()), bad.size()));
    ASSERT_FALSE(st.ok());
    EXPECT_EQ(st.error().code, RegistrarError::kBadState);
    EXPECT_EQ(other.state_hash(), before);
  }
  ASSERT_TRUE(other.restore({}).ok());  // empty: the initial state
  EXPECT_EQ(other.state_hash(), Registrar(registrar_config(), ledger).state_hash());
}

}  // namespace
}  // namespace carbonx::registry
