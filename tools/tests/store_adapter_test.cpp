// The store adapters: trades paired from unit and cash postings, participant types from account
// kinds, surrenders into a year's retirement account, against a real LMDB store.
#include <gtest/gtest.h>

#include <filesystem>

#include "carbonx/registry/ledger.hpp"
#include "carbonx/registry/store.hpp"
#include "carbonx/tools/store_adapter.hpp"

namespace carbonx::tools {
namespace {

using registry::AccountKind;
using registry::TransferRecord;

TransferRecord rec(std::uint64_t pos, std::uint32_t debit, std::uint32_t credit,
                   std::uint32_t asset, TransferKind kind, std::int64_t amount,
                   std::uint64_t reference) {
  TransferRecord t;
  t.id = pos + 1;
  t.pos = pos;
  t.ts_ns = 1'496'300'000'000'000'000;  // 2017-06-01 06:53 UTC = 14:53 CST
  t.debit = debit;
  t.credit = credit;
  t.asset = asset;
  t.kind = static_cast<std::uint8_t>(kind);
  t.amount = amount;
  t.reference = reference;
  return t;
}

TEST(StoreAdapter, PairsUnitsWithTheirCashAndSkipsFees) {
  const std::map<std::uint32_t, AccountKind> kinds{{10, AccountKind::kControlEmissionFirm},
                                                   {20, AccountKind::kInvestmentInstitution},
                                                   {30, AccountKind::kIndividual}};
  std::vector<TransferRecord> t{
      rec(0, 10, 20, 1, TransferKind::kTrade, 100, 7),       // units firm -> institution
      rec(1, 20, 10, 0, TransferKind::kTrade, 142000, 7),    // cash institution -> firm
      rec(2, 20, 9000, 0, TransferKind::kFee, 710, 7),       // a fee: not a trade
      rec(3, 30, 20, 2, TransferKind::kAgreement, 5000, 7),  // same reference, another kind
      rec(4, 20, 30, 0, TransferKind::kAgreement, 6500000, 7),
      rec(5, 20, 10, 1, TransferKind::kRepoFirstLeg, 1000, 9),  // no cash leg: unmatched
  };
  std::size_t unmatched = 0;
  const auto trades = trades_from_transfers(t, kinds, &unmatched);
  EXPECT_EQ(unmatched, 1u);
  ASSERT_EQ(trades.size(), 2u);
  EXPECT_EQ(trades[0].date, Date{20170601});
  EXPECT_EQ(trades[0].mode, TradeMode::kListed);
  EXPECT_EQ(trades[0].quantity_t, QuantityT(100));
  EXPECT_EQ(trades[0].notional_fen, AmountFen(142000));
  EXPECT_EQ(trades[0].buyer, ParticipantType::kInstitution);
  EXPECT_EQ(trades[0].seller, ParticipantType::kControlFirm);
  EXPECT_EQ(trades[1].mode, TradeMode::kAgreement);
  EXPECT_EQ(trades[1].instrument, InstrumentId(2));
  EXPECT_EQ(trades[1].seller, ParticipantType::kIndividual);
}

class StoreAdapterStore : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ =
        std::filesystem::temp_directory_path() / ("cx_tools_store_" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
};

TEST_F(StoreAdapterStore, ReadsEveryTransferOnceAndBuildsComplianceRows) {
  {
    auto store = registry::Store::open(dir_.string());
    ASSERT_TRUE(store.ok());
    registry::Ledger ledger;
    ASSERT_TRUE(store.value()->load(ledger).ok());
    const auto open = [&](std::uint32_t id, AccountKind k, std::uint16_t year = 0) {
      registry::Account a;
      a.id = AccountId(id);
      a.kind = k;
      a.compliance_year = year;
      ASSERT_TRUE(ledger.open_account(a).ok());
    };
    open(9002, AccountKind::kGovernmentIssuance);
    open(10, AccountKind::kControlEmissionFirm);
    open(20, AccountKind::kInvestmentInstitution);
    open(8017, AccountKind::kRetirement, 2017);
    ledger.begin_command(Seq(1), TimestampNs(1'496'300'000'000'000'000));
    const std::vector<Posting> p{
        {TransferId(1), AccountId(9002), AccountId(10), AssetId(1), 1000, kNoHold,
         TransferKind::kIssuance, 0},
        {TransferId(2), AccountId(9002), AccountId(20), kCashAsset, 900000, kNoHold,
         TransferKind::kIssuance, 0},
        {TransferId(3), AccountId(10), AccountId(20), AssetId(1), 300, kNoHold,
         TransferKind::kTrade, 5},
        {TransferId(4), AccountId(20), AccountId(10), kCashAsset, 420000, kNoHold,
         TransferKind::kTrade, 5},
        {TransferId(5), AccountId(10), AccountId(8017), AssetId(1), 600, kNoHold,
         TransferKind::kSurrender, 0},
        {TransferId(6), AccountId(9002), AccountId(10), AssetId(3), 50, kNoHold,
         TransferKind::kIssuance, 0},
        {TransferId(7), AccountId(10), AccountId(8017), AssetId(3), 50, kNoHold,
         TransferKind::kSurrender, 0},
    };
    ASSERT_TRUE(ledger.post(p).ok());
    const std::uint8_t payload[4] = {1, 2, 3, 4};
    const registry::JournalEntry e{Seq(1), TimestampNs(1'496'300'000'000'000'000), payload};
    registry::Batch b;
    b.journal = std::span<const registry::JournalEntry>(&e, 1);
    ASSERT_TRUE(store.value()->commit_batch(b, ledger).ok());
  }
  auto snap = read_store(dir_.string(), 2);  // pages of 2: the paging is exercised
  ASSERT_TRUE(snap.ok()) << snap.error().message;
  EXPECT_EQ(snap.value().applied_seq, 1u);
  EXPECT_EQ(snap.value().accounts.size(), 4u);
  ASSERT_EQ(snap.value().transfers.size(), 7u);
  const auto trades = trades_from_transfers(snap.value().transfers, account_kinds(snap.value()));
  ASSERT_EQ(trades.size(), 1u);
  EXPECT_EQ(trades[0].notional_fen, AmountFen(420000));

  ExchangeConfig config;
  InstrumentConfig gdea;
  gdea.id = InstrumentId(1);
  gdea.code = "GDEA2017";
  InstrumentConfig ccer;
  ccer.id = InstrumentId(3);
  ccer.code = "CCER";
  ccer.product = ProductKind::kCcer;
  config.instruments = {gdea, ccer};
  const auto c = compliance_from_store(snap.value(), config, 2017, {{"GDPWR01", 1000}},
                                       {{"GDPWR01", 10}, {"NOEMIS", 20}});
  ASSERT_EQ(c.firms.size(), 1u);
  EXPECT_EQ(c.firms[0].firm, "GDPWR01");
  EXPECT_EQ(c.firms[0].obligation_t, 1000);
  EXPECT_EQ(c.firms[0].allowances_t, 600);
  EXPECT_EQ(c.firms[0].offsets_t, 50);
  ASSERT_EQ(c.surrenders.size(), 2u);
}

TEST(StoreAdapter, AMissingStoreIsAClearError) {
  const auto r = read_store("/nonexistent/carbonx/store");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("no store in /nonexistent/carbonx/store"), std::string::npos);
}

}  // namespace
}  // namespace carbonx::tools
