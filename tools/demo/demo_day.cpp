// carbonx-demo: a demonstration trading day replayed through the deterministic core over the
// in-memory ledger. Four instruments (two allowance vintages, CCER, PHCER), eight funded accounts,
// a few hundred deterministic orders, end of day; prints the day report. `make run` runs it until
// the exchange server exists. Exit status 0 when the day balanced (cash and units conserved, no
// funds left frozen), 1 otherwise.

#include <fmt/core.h>

#include <cstdint>
#include <map>
#include <vector>

#include "carbonx/engine/core.hpp"
#include "carbonx/engine/in_memory_ledger.hpp"

namespace {

using namespace carbonx;

constexpr const char* kConfig = R"(
[exchange]
fee_account = 9000
max_orders_per_book = 10000

[[fee_schedule]]
name = "guangdong"
rates = [
  { mode = "listed", side = "both", rate_ppm = 5000, min_fen = 0 },
  { mode = "agreement", side = "both", rate_ppm = 5000 },
  { mode = "repo_first_leg", side = "both", rate_ppm = 5000 },
  { mode = "repo_repurchase", side = "both", rate_ppm = 5000 },
]
waivers = [ { id = 1, mode = "repo_repurchase", sides = "both", effective_from = 2017-05-10 } ]

[[instrument]]
id = 1
code = "GDEA2017"
product = "allowance"
vintage = 2017
tick_fen = 1
lot_t = 1
min_order_t = 1
max_order_t = 1000000
reference_price_fen = 1420
fee_schedule = "guangdong"

[[instrument]]
id = 2
code = "GDEA2018"
product = "allowance"
vintage = 2018
tick_fen = 1
lot_t = 1
min_order_t = 1
max_order_t = 1000000
reference_price_fen = 1510
fee_schedule = "guangdong"

[[instrument]]
id = 3
code = "CCER"
product = "ccer"
project_id = "CCER-GD-0107"
region = "Guangdong"
project_type = "wind"
crediting_start = 2014-01-01
crediting_end = 2020-12-31
tick_fen = 1
lot_t = 1
min_order_t = 1
max_order_t = 1000000
reference_price_fen = 1100
fee_schedule = "guangdong"

[[instrument]]
id = 4
code = "PHCER"
product = "phcer"
project_id = "PHCER-SG-2018-01"
region = "Guangdong"
project_type = "forestry"
crediting_start = 2011-01-01
crediting_end = 2030-12-31
tick_fen = 1
lot_t = 1
min_order_t = 1
max_order_t = 1000000
reference_price_fen = 1601
fee_schedule = "guangdong"
)";

constexpr std::uint32_t kAccounts = 8;
constexpr const char* kRowFormat =
    "{:<9} {:>7} {:>7} {:>7} {:>7} {:>7} {:>7} {:>9} {:>13} {:>9} {:>6} {:>6} {:>7}\n";
constexpr AccountId kFeeAccount{9000};
// 2018-06-01 09:30 Beijing time.
constexpr std::int64_t kOpenNs = 1'527'816'600LL * 1'000'000'000;

// A small deterministic generator (64-bit LCG, Knuth's constants): same day every run.
class Lcg {
 public:
  std::uint64_t next(std::uint64_t n) {
    state_ = state_ * 6364136223846793005ULL + 1442695040888963407ULL;
    return (state_ >> 33) % n;
  }

 private:
  std::uint64_t state_ = 20180601;
};

struct Totals {
  AmountFen fees_fen{0};
  std::uint32_t orders = 0;
  std::uint32_t rejects = 0;
};

std::string cny(std::int64_t fen) {
  return fmt::format("{}{}.{:02}", fen < 0 ? "-" : "", std::abs(fen) / 100, std::abs(fen) % 100);
}

NewOrder random_order(Lcg& rng, const Core& core, std::uint32_t instruments) {
  NewOrder o;
  o.instrument = InstrumentId(static_cast<std::uint32_t>(1 + rng.next(instruments)));
  o.account = AccountId(static_cast<std::uint32_t>(1 + rng.next(kAccounts)));
  o.member = MemberId(1 + o.account.value() / 3);
  o.side = rng.next(2) == 0 ? Side::kBuy : Side::kSell;
  const std::int64_t ref = core.reference_price(o.instrument).value();
  const std::int64_t skew = o.side == Side::kBuy ? -4 : 4;
  o.price_fen = PriceFen(ref + skew + static_cast<std::int64_t>(rng.next(17)) - 8);
  o.quantity_t = QuantityT(10 * static_cast<std::int64_t>(1 + rng.next(40)));
  const std::uint64_t kind = rng.next(20);
  if (kind < 2) {
    o.type = OrderType::kClick;
    o.tif = TimeInForce::kIoc;
    o.price_fen = PriceFen(0);
  } else if (kind < 5) {
    o.tif = TimeInForce::kIoc;
  }
  o.client_order_id = make_client_order_id(fmt::format("D{}", rng.next(1'000'000)));
  return o;
}

}  // namespace

int main() {
  auto cfg = parse_exchange_config(kConfig);
  if (!cfg.ok()) {
    fmt::print(stderr, "configuration: {}\n", cfg.error().message);
    return 1;
  }
  InMemoryLedger ledger;
  ledger.open_account(kFeeAccount);
  for (std::uint32_t a = 1; a <= kAccounts; ++a) {
    ledger.open_account(AccountId(a));
    (void)ledger.deposit(AccountId(a), kCashAsset, 50'000'000);  // 500,000 CNY each
    for (const InstrumentConfig& ins : cfg.value().instruments) {
      (void)ledger.deposit(AccountId(a), asset_of(ins.id), 20'000);
    }
  }
  Core core(cfg.value(), ledger);
  const auto instruments = static_cast<std::uint32_t>(cfg.value().instruments.size());
  std::map<std::uint32_t, Totals> totals;
  std::uint64_t seq = 0;
  std::uint64_t events = 0;
  const auto apply = [&](CommandBody body) {
    core.clear_events();
    core.apply(Command{
        Seq(++seq), TimestampNs(kOpenNs + static_cast<std::int64_t>(seq) * 1'000'000'000), body});
    for (const Event& e : core.events()) {
      if (const auto* f = std::get_if<FillEvent>(&e.body)) {
        totals[f->instrument.value()].fees_fen += f->fee_fen;
      } else if (const auto* r = std::get_if<RejectEvent>(&e.body)) {
        ++totals[r->instrument.value()].rejects;
      } else if (const auto* d = std::get_if<DayStatsEvent>(&e.body)) {
        const DayStats& s = d->stats;
        const InstrumentConfig* ic = core.instrument(d->instrument);
        fmt::print(kRowFormat, ic->code, cny(d->reference_fen.value()),
                   s.trade_count ? cny(s.open_fen.value()) : "-",
                   s.trade_count ? cny(s.high_fen.value()) : "-",
                   s.trade_count ? cny(s.low_fen.value()) : "-",
                   d->vwap_fen.value() ? cny(d->vwap_fen.value()) : "-", cny(d->close_fen.value()),
                   s.volume_t.value(), cny(s.turnover_fen.value()),
                   cny(totals[d->instrument.value()].fees_fen.value()), s.trade_count,
                   totals[d->instrument.value()].orders, totals[d->instrument.value()].rejects);
      }
    }
    events += core.events().size();
  };
  fmt::print("carbonx demonstration trading day 2018-06-01 (listed trading, 挂牌点选)\n\n");
  apply(SetPhase{true, InstrumentId(0), Phase::kContinuous});
  Lcg rng;
  for (int i = 0; i < 600; ++i) {
    const NewOrder o = random_order(rng, core, instruments);
    ++totals[o.instrument.value()].orders;
    apply(o);
  }
  fmt::print(kRowFormat, "code", "ref", "open", "high", "low", "vwap", "close", "volume t",
             "turnover CNY", "fees CNY", "trades", "orders", "rejects");
  apply(EndOfDay{});
  bool balanced = true;
  for (std::uint32_t asset = 0; asset <= instruments; ++asset) {
    balanced =
        balanced && ledger.total(AssetId(asset)) == 0 && ledger.frozen_total(AssetId(asset)) == 0;
  }
  const std::int64_t fees = ledger.balance(kFeeAccount, kCashAsset).available;
  fmt::print("\nfee account {}: {} CNY; {} commands, {} events; state hash {:016x}\n",
             kFeeAccount.value(), cny(fees), seq, events, core.state_hash());
  fmt::print("ledger {}: cash and units conserved, nothing left frozen after expiry\n",
             balanced ? "balanced" : "NOT BALANCED");
  fmt::print("next day's reference prices are the closes above (VWAP when volume > 100 t).\n");
  return balanced ? 0 : 1;
}
