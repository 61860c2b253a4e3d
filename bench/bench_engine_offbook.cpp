// Off-book benchmarks (carbonx::Core over the InMemoryLedger, ids not remembered): an agreement
// transfer reported and accepted; a whole one-way bidding auction (open, N sealed bids, close with
// clearing and settlement of every winner); a repo filed by both parties and repurchased at
// maturity. Each iteration is a full lifecycle through Core::apply, events drained.

#include <benchmark/benchmark.h>

#include <memory>

#include "carbonx/engine/core.hpp"
#include "carbonx/engine/in_memory_ledger.hpp"

namespace carbonx::bench {
namespace {

constexpr AccountId kFee{9000};
constexpr AccountId kSeller{1};
constexpr InstrumentId kIns{1};
constexpr std::int64_t kDay = 1'709'517'600LL * 1'000'000'000;  // 2024-03-04 10:00 CST
constexpr std::uint32_t kBidders = 64;

ExchangeConfig config() {
  ExchangeConfig cfg;
  cfg.fee_account = kFee;
  cfg.limits.max_orders_per_book = 64;
  cfg.limits.max_bids_per_auction = 4'096;
  InstrumentConfig c;
  c.id = kIns;
  c.code = "GDEA2017";
  c.vintage = 2017;
  c.reference_price_fen = PriceFen(2'000);
  c.agreement_min_t = QuantityT(1'000);
  c.repo_min_t = QuantityT(1'000);
  for (TradingMode m : {TradingMode::kAgreement, TradingMode::kAuction, TradingMode::kRepoFirstLeg,
                        TradingMode::kRepoRepurchase}) {
    c.fees.set_rate(m, Side::kBuy, FeeRate{500, AmountFen(100)});
    c.fees.set_rate(m, Side::kSell, FeeRate{700, AmountFen(100)});
  }
  (void)c.fees.add_waiver(
      FeeWaiver{1, TradingMode::kRepoRepurchase, SideSet::kBoth, Date{20170510}});
  cfg.instruments.push_back(c);
  return cfg;
}

struct Fixture {
  Fixture() : ledger(InMemoryLedger::Options{AccountId(0), false, false}) {
    ledger.open_account(kFee);
    for (std::uint32_t a = 1; a <= kBidders + 1; ++a) {
      ledger.open_account(AccountId(a));
      CX_ASSERT(ledger.deposit(AccountId(a), kCashAsset, 1'000'000'000'000'000).ok());
      CX_ASSERT(ledger.deposit(AccountId(a), asset_of(kIns), 1'000'000'000'000).ok());
    }
    core = std::make_unique<Core>(config(), ledger);
    apply(SetPhase{true, InstrumentId(0), Phase::kContinuous});
  }
  void apply(CommandBody body, std::int64_t ts_offset = 0) {
    ++seq;
    core->apply(Command{Seq(seq), TimestampNs(kDay + ts_offset + 1), std::move(body)});
  }
  InMemoryLedger ledger;
  std::unique_ptr<Core> core;
  std::uint64_t seq = 0;
};

OffBookId last_id(const Core& core) {
  return OffBookId(core.offbook().next_id - 1);
}

void BM_AgreementReportAccept(benchmark::State& state) {
  Fixture f;
  bool flip = false;
  for (auto _ : state) {
    const AccountId from = flip ? AccountId(2) : AccountId(3);
    const AccountId to = flip ? AccountId(3) : AccountId(2);
    flip = !flip;
    f.apply(AgreementReport{
        from, MemberId(1), kIns, Side::kSell, to, PriceFen(2'100), QuantityT(20'000), {}});
    f.apply(AgreementAccept{to, MemberId(2), last_id(*f.core), {}});
    benchmark::DoNotOptimize(f.core->events().data());
    f.core->clear_events();
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["commands_per_s"] = benchmark::Counter(
      2.0 * static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_AgreementReportAccept);

void BM_AuctionLifecycle(benchmark::State& state) {
  const auto bids = static_cast<std::int64_t>(state.range(0));
  Fixture f;
  for (auto _ : state) {
    f.apply(AuctionOpen{kSeller, kIns, QuantityT(bids * 1'000), PriceFen(1'500), TimestampNs(kDay),
                        TimestampNs(kDay + 1'000'000'000), QuantityT(1'000), 10'000,
                        AuctionPricing::kPayAsBid, 0});
    const OffBookId auction = last_id(*f.core);
    for (std::int64_t i = 0; i < bids; ++i) {
      const AccountId who(static_cast<std::uint32_t>(2 + i % kBidders));
      f.apply(AuctionBid{
          who, MemberId(1), auction, PriceFen(1'500 + (i * 37) % 300), QuantityT(2'000), {}});
    }
    f.core->clear_events();
    f.apply(AuctionClose{auction}, 1'000'000'000);
    benchmark::DoNotOptimize(f.core->events().data());
    f.core->clear_events();
  }
  state.SetItemsProcessed(state.iterations() * bids);
}
BENCHMARK(BM_AuctionLifecycle)->Arg(64)->Arg(1'024)->Arg(4'096)->Unit(benchmark::kMicrosecond);

void BM_RepoFileAndMature(benchmark::State& state) {
  Fixture f;
  for (auto _ : state) {
    f.apply(RepoFile{AccountId(0),
                     MemberId(1),
                     AccountId(2),
                     AccountId(3),
                     kIns,
                     QuantityT(100'000),
                     PriceFen(2'000),
                     PriceFen(2'060),
                     Date{20240305},
                     Date{},
                     true,
                     {}});
    f.apply(RepoMature{}, 86'400'000'000'000);  // the next day: repurchase, fees waived
    benchmark::DoNotOptimize(f.core->events().data());
    f.core->clear_events();
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RepoFileAndMature);

}  // namespace
}  // namespace carbonx::bench

BENCHMARK_MAIN();
