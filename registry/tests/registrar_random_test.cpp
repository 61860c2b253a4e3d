// A random interleaving of engine and registry commands (valid and invalid: duplicate and
// conflicting transfer ids, frozen accounts, over-withdrawals, conflicting firm registrations and
// emissions, surrenders too large or too early, settlement before and after the deadline),
// journaled through the JournalApplier, replays from genesis into an empty ledger with the same
// hashes and the same refusals. Fixed seeds.
#include <gtest/gtest.h>

#include <random>

#include "registrar_test_support.hpp"
#include "registry_test_util.hpp"

namespace carbonx::registry {
namespace {

using namespace registrar_testing;  // NOLINT

constexpr std::uint32_t kTraders = 6;  // accounts kFirstFirm .. + 5, firms F0..F5

Account account(AccountId id, AccountKind kind, std::uint16_t year = 0) {
  Account a;
  a.id = id;
  a.kind = kind;
  a.compliance_year = year;
  return a;
}

AccountId trader(std::mt19937_64& rng) {
  return AccountId(kFirstFirm + static_cast<std::uint32_t>(rng() % kTraders));
}

RegistryCommand random_registry(std::mt19937_64& rng) {
  const auto small_id = [&] { return TransferId(1 + rng() % 400); };
  std::string firm(1, 'F');
  firm.push_back(static_cast<char>('0' + rng() % (kTraders + 1)));
  switch (rng() % 10) {
    case 0:
      return Deposit{small_id(), trader(rng), AmountFen(1 + rng() % 50'000'000), 0};
    case 1:
      return Withdraw{small_id(), trader(rng), AmountFen(1 + rng() % 5'000'000), 0};
    case 2:
      return IssueUnits{small_id(), trader(rng), asset_of(rng() % 3 == 0 ? kCcer : kGdea2017),
                        static_cast<std::int64_t>(1 + rng() % 20'000), 0};
    case 3:
      return SetAccountStatus{trader(rng),
                              rng() % 3 == 0 ? AccountStatus::kFrozen : AccountStatus::kActive};
    case 4:
      return RegisterFirm{firm, trader(rng), MemberId(1), "guangdong"};
    case 5:
      return LoadVerifiedEmissions{{{firm, static_cast<std::uint16_t>(2016 + rng() % 2),
                                     static_cast<std::int64_t>(10'000 + 1'000 * (rng() % 3))}}};
    case 6:
    case 7: {
      Surrender s{trader(rng), 2017, MemberId(rng() % 4 == 0 ? 2 : 0), {}};
      s.legs.push_back({asset_of(kGdea2017), static_cast<std::int64_t>(1 + rng() % 8'000)});
      if (rng() % 3 == 0)
        s.legs.push_back({asset_of(kCcer), static_cast<std::int64_t>(1 + rng() % 900)});
      return s;
    }
    case 8:
      return RecordExtension{trader(rng), 2017, 20180620 + static_cast<int>(rng() % 40)};
    default:
      return SettleCompliance{2017};
  }
}

CommandBody random_engine(std::mt19937_64& rng, std::uint64_t seq) {
  if (rng() % 6 == 0) {
    Cancel c;
    c.account = trader(rng);
    c.member = MemberId(1);
    c.instrument = kGdea2017;
    c.order_id = OrderId(1 + rng() % seq);
    return c;
  }
  NewOrder o;
  o.account = trader(rng);
  o.member = MemberId(1);
  o.instrument = kGdea2017;
  o.side = rng() % 2 == 0 ? Side::kBuy : Side::kSell;
  o.price_fen = PriceFen(1'950 + static_cast<std::int64_t>(rng() % 100));
  o.quantity_t = QuantityT(10 * (1 + static_cast<std::int64_t>(rng() % 100)));
  return o;
}

TEST(RegistrarRandom, InterleavedCommandsReplayToTheSameStateAndRefusals) {
  registry::testing::TempDir dir;
  std::mt19937_64 rng(4242);
  std::uint64_t refused = 0, registry_records = 0;
  Digest ledger_hash{}, registrar_hash{};
  std::uint64_t core_hash = 0;
  {
    LiveExchange x(dir.sub("live"), 37);
    auto reg = [&](const RegistryCommand& c) {
      ++registry_records;
      refused += x.reg(c).has_value();
    };
    x.set_time(utc(2018, 1, 2));
    for (const Account& a :
         {account(kGov, AccountKind::kGovernmentIssuance),
          account(kSettle, AccountKind::kCashSettlement), account(kFee, AccountKind::kExchangeFee),
          account(kRetire2017, AccountKind::kRetirement, 2017)})
      reg(OpenAccount{a});
    for (std::uint32_t i = 0; i < kTraders; ++i)
      reg(OpenAccount{account(AccountId(kFirstFirm + i), AccountKind::kControlEmissionFirm)});
    x.eng(SetPhase{true, InstrumentId(0), Phase::kContinuous});
    for (int i = 0; i < 3'000; ++i) {
      if (i == 2'000) x.set_time(utc(2018, 6, 25));  // past the deadline: settlement counts
      if (rng() % 3 == 0) {
        reg(random_registry(rng));
      } else {
        x.eng(random_engine(rng, x.seq().value()));
      }
    }
    x.commit();
    EXPECT_TRUE(x.ledger().verify().empty());
    EXPECT_FALSE(x.registrar().compliance().surrenders().empty());
    EXPECT_GT(x.ledger().balance(kFee, kCashAsset).available, 0);
    core_hash = x.core().state_hash();
    ledger_hash = x.ledger().state_hash();
    registrar_hash = x.registrar().state_hash();
  }
  EXPECT_GT(refused, 50u);                     // the invalid ones were there
  EXPECT_LT(refused, registry_records - 100);  // and so were the valid ones
  auto store = std::move(Store::open(dir.sub("live"))).value();
  Ledger scratch(ledger_options());
  const ExchangeReplay r = replay_exchange(*store, exchange_config(), registrar_config(), scratch);
  ASSERT_TRUE(r.ok) << r.problem;
  EXPECT_EQ(r.registry_records, registry_records);
  EXPECT_EQ(r.registry_refused, refused);
  EXPECT_EQ(r.core_hash, core_hash);
  EXPECT_EQ(to_hex(r.ledger_hash), to_hex(ledger_hash));
  EXPECT_EQ(to_hex(r.registrar_hash), to_hex(registrar_hash));
}

}  // namespace
}  // namespace carbonx::registry
