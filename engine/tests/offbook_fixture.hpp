#pragma once
// Fixture for the off-book tests (agreement_*, auction_*, repo_*, offbook_*): two instruments
// over an InMemoryLedger with well-funded accounts, dated commands, event pickers, and the ledger
// invariants extended to off-book holds (conservation; every account's frozen balance equals the
// holds of its open orders plus its off-book holds, each hold as large as the core says).

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <vector>

#include "carbonx/engine/core.hpp"
#include "carbonx/engine/in_memory_ledger.hpp"

namespace carbonx::offbook_testing {

inline constexpr InstrumentId kGdea{1};
inline constexpr InstrumentId kPhcer{2};
inline constexpr AccountId kFee{9000};
inline constexpr AccountId kGov{9001};  // the government issuance account (paid allocation)
inline constexpr AccountId kAlice{101};
inline constexpr AccountId kBob{102};
inline constexpr AccountId kCarol{103};
inline constexpr AccountId kDave{104};  // poorly funded: 1,000 CNY, 200,000 t
inline constexpr MemberId kMember1{1};
inline constexpr MemberId kMember2{2};
inline constexpr std::uint32_t kWaiverRule = 7;
inline constexpr std::int64_t kCash = 10'000'000'000;  // fen: 100,000,000 CNY
inline constexpr std::int64_t kUnits = 1'000'000;      // t

// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
inline std::int64_t days_from_civil(int y, int m, int d) {
  y -= m <= 2 ? 1 : 0;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const int yoe = y - era * 400;
  const int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return static_cast<std::int64_t>(era) * 146097 + doe - 719468;
}
// 10:00 Beijing time (02:00 UTC) on yyyymmdd, plus `offset_ns`.
inline TimestampNs at(std::int32_t yyyymmdd, std::int64_t offset_ns = 0) {
  const std::int64_t days =
      days_from_civil(yyyymmdd / 10000, (yyyymmdd / 100) % 100, yyyymmdd % 100);
  return TimestampNs((days * 86'400 + 2 * 3'600) * 1'000'000'000 + offset_ns);
}

inline InstrumentConfig offbook_instrument(InstrumentId id, const char* code, PriceFen ref) {
  InstrumentConfig c;
  c.id = id;
  c.code = code;
  c.product = ProductKind::kAllowance;
  c.vintage = 2017;
  c.tick_fen = PriceFen(1);
  c.lot_t = QuantityT(1);
  c.min_order_t = QuantityT(1);
  c.max_order_t = QuantityT(1'000'000);
  c.reference_price_fen = ref;
  c.band_bp = 1000;
  c.agreement_min_t = QuantityT(10'000);
  FeeSchedule& f = c.fees;
  f.set_rate(TradingMode::kListed, Side::kBuy, FeeRate{500, AmountFen(100)});
  f.set_rate(TradingMode::kListed, Side::kSell, FeeRate{500, AmountFen(100)});
  f.set_rate(TradingMode::kAgreement, Side::kBuy, FeeRate{1000, AmountFen(100)});
  f.set_rate(TradingMode::kAgreement, Side::kSell, FeeRate{1500, AmountFen(100)});
  f.set_rate(TradingMode::kAuction, Side::kBuy, FeeRate{600, AmountFen(0)});
  f.set_rate(TradingMode::kAuction, Side::kSell, FeeRate{800, AmountFen(0)});
  f.set_rate(TradingMode::kRepoFirstLeg, Side::kBuy, FeeRate{500, AmountFen(0)});
  f.set_rate(TradingMode::kRepoFirstLeg, Side::kSell, FeeRate{700, AmountFen(0)});
  f.set_rate(TradingMode::kRepoRepurchase, Side::kBuy, FeeRate{500, AmountFen(0)});
  f.set_rate(TradingMode::kRepoRepurchase, Side::kSell, FeeRate{700, AmountFen(0)});
  EXPECT_TRUE(f.add_waiver(
      FeeWaiver{kWaiverRule, TradingMode::kRepoRepurchase, SideSet::kBoth, Date{20170510}}));
  return c;
}

inline ExchangeConfig offbook_config() {
  ExchangeConfig cfg;
  cfg.fee_account = kFee;
  cfg.limits.max_orders_per_book = 64;
  cfg.limits.max_orders_per_level = 16;
  cfg.limits.max_price_levels = 2048;
  cfg.limits.max_fills_per_order = 16;
  cfg.limits.outbox_capacity = 1024;
  cfg.limits.max_open_agreements = 8;
  cfg.limits.max_open_auctions = 2;
  cfg.limits.max_bids_per_auction = 6;
  cfg.limits.max_repos = 6;
  cfg.instruments.push_back(offbook_instrument(kGdea, "GDEA2017", PriceFen(2000)));
  InstrumentConfig ph = offbook_instrument(kPhcer, "PHCER", PriceFen(1600));
  ph.product = ProductKind::kPhcer;
  ph.project =
      ProjectAttributes{"PHCER-GD-1", "Guangdong", "forestry", Date{20110101}, Date{20301231}};
  cfg.instruments.push_back(ph);
  return cfg;
}

inline const std::vector<AccountId>& all_accounts() {
  static const std::vector<AccountId> a{kFee, kGov, kAlice, kBob, kCarol, kDave};
  return a;
}

inline void fund(InMemoryLedger& l) {
  for (AccountId a : all_accounts())
    l.open_account(a);
  for (AccountId a : {kGov, kAlice, kBob, kCarol}) {
    EXPECT_TRUE(l.deposit(a, kCashAsset, kCash).ok());
    EXPECT_TRUE(l.deposit(a, asset_of(kGdea), kUnits).ok());
    EXPECT_TRUE(l.deposit(a, asset_of(kPhcer), kUnits).ok());
  }
  EXPECT_TRUE(l.deposit(kDave, kCashAsset, 100'000).ok());
  EXPECT_TRUE(l.deposit(kDave, asset_of(kGdea), 200'000).ok());
}

// Conservation of every asset; frozen == open order holds + off-book holds, hold by hold.
inline void check_ledger_invariants(const Core& core, const InMemoryLedger& ledger) {
  for (AssetId s : {kCashAsset, asset_of(kGdea), asset_of(kPhcer)}) {
    EXPECT_EQ(ledger.total(s), 0) << "asset " << s.value();
  }
  std::map<std::pair<std::uint32_t, std::uint32_t>, std::int64_t> exposure;
  std::size_t holds = 0;
  core.for_each_open_order([&](const OpenOrderRecord& r) {
    const AssetId asset = r.side == Side::kSell ? asset_of(r.instrument) : kCashAsset;
    exposure[{r.account.value(), asset.value()}] += r.hold_amount;
    ++holds;
  });
  for_each_offbook_hold(core.offbook(), [&](HoldId h, AccountId a, AssetId s, std::int64_t n) {
    EXPECT_GT(n, 0);
    EXPECT_EQ(ledger.held(h), n) << "hold " << std::hex << h.value();
    exposure[{a.value(), s.value()}] += n;
    ++holds;
  });
  EXPECT_EQ(ledger.open_hold_count(), holds);
  for (AccountId a : all_accounts()) {
    for (AssetId s : {kCashAsset, asset_of(kGdea), asset_of(kPhcer)}) {
      EXPECT_EQ(ledger.balance(a, s).frozen, (exposure[{a.value(), s.value()}]))
          << "account " << a.value() << " asset " << s.value();
    }
  }
}

class OffBookTest : public ::testing::Test {
 protected:
  explicit OffBookTest(ExchangeConfig cfg = offbook_config()) : config_(std::move(cfg)) {
    fund(ledger_);
    core_ = std::make_unique<Core>(config_, ledger_);
    apply(SetPhase{true, InstrumentId(0), Phase::kContinuous});
  }

  // Applies `body` at `ts` (default: 2024-03-04 10:00 CST + seq microseconds).
  void apply(CommandBody body, TimestampNs ts = TimestampNs(0)) {
    ++seq_;
    if (ts.value() == 0) ts = at(20240304, static_cast<std::int64_t>(seq_) * 1000);
    const Command c{Seq(seq_), ts, std::move(body)};
    commands_.push_back(c);
    core_->clear_events();
    core_->apply(c);
  }

  template <typename T>
  std::vector<T> of() const {
    std::vector<T> out;
    for (const Event& e : core_->events()) {
      if (const T* t = std::get_if<T>(&e.body)) out.push_back(*t);
    }
    return out;
  }
  template <typename T>
  T only() const {
    const auto v = of<T>();
    EXPECT_EQ(v.size(), 1u);
    return v.empty() ? T{} : v[0];
  }

  std::int64_t cash(AccountId a) const { return ledger_.balance(a, kCashAsset).available; }
  std::int64_t units(AccountId a, InstrumentId i = kGdea) const {
    return ledger_.balance(a, asset_of(i)).available;
  }
  std::int64_t frozen(AccountId a, AssetId s) const { return ledger_.balance(a, s).frozen; }

  // Applies `body`, expects one reject with `reason` and no other change at all.
  void expect_reject(CommandBody body, RejectReason reason, TimestampNs ts = TimestampNs(0)) {
    const auto balances = snapshot();
    const OffBookStateRecord before = core_->save_offbook_state();
    const CoreStateRecord state = core_->save_state();
    const std::uint64_t postings = ledger_.postings_applied();
    const std::size_t holds = ledger_.open_hold_count();
    apply(std::move(body), ts);
    ASSERT_EQ(core_->events().size(), 1u);
    const auto* r = std::get_if<RejectEvent>(&core_->events()[0].body);
    ASSERT_NE(r, nullptr);
    EXPECT_EQ(r->reason, reason) << to_string(r->reason) << " vs " << to_string(reason);
    EXPECT_EQ(snapshot(), balances);
    EXPECT_EQ(core_->save_offbook_state(), before);
    CoreStateRecord now = core_->save_state();
    now.last_seq = state.last_seq;
    EXPECT_EQ(now, state);
    EXPECT_EQ(ledger_.postings_applied(), postings);
    EXPECT_EQ(ledger_.open_hold_count(), holds);
  }

  std::vector<std::int64_t> snapshot() const {
    std::vector<std::int64_t> out;
    for (AccountId a : all_accounts()) {
      for (AssetId s : {kCashAsset, asset_of(kGdea), asset_of(kPhcer)}) {
        out.push_back(ledger_.balance(a, s).available);
        out.push_back(ledger_.balance(a, s).frozen);
      }
    }
    return out;
  }

  void check_invariants() const { check_ledger_invariants(*core_, ledger_); }

  // Replays every command so far into a fresh ledger and core; returns the replica's hash.
  std::uint64_t replay_hash() const {
    InMemoryLedger ledger;
    fund(ledger);
    Core core(config_, ledger);
    std::vector<Event> events;
    for (const Command& c : commands_) {
      core.clear_events();
      core.apply(decode(encode(c)).value());
    }
    EXPECT_EQ(std::vector<Event>(core.events().begin(), core.events().end()),
              std::vector<Event>(core_->events().begin(), core_->events().end()));
    return core.state_hash();
  }

  static AmountFen fee(std::int64_t notional_fen, std::uint32_t ppm, std::int64_t min_fen) {
    return FeeSchedule::fee_on(FeeRate{ppm, AmountFen(min_fen)}, AmountFen(notional_fen));
  }

  ExchangeConfig config_;
  InMemoryLedger ledger_;
  std::unique_ptr<Core> core_;
  std::uint64_t seq_ = 0;
  std::vector<Command> commands_;
};

}  // namespace carbonx::offbook_testing
