#pragma once
// Shared fixture for Core tests: a small exchange over an InMemoryLedger, with helpers that build
// commands and pick events out of the outbox.

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "carbonx/engine/core.hpp"
#include "carbonx/engine/in_memory_ledger.hpp"

namespace carbonx::testing {

inline constexpr InstrumentId kGdea{1};
inline constexpr InstrumentId kCcer{2};
inline constexpr AccountId kFeeAccount{9000};
inline constexpr AccountId kAlice{101};
inline constexpr AccountId kBob{102};
inline constexpr AccountId kCarol{103};
inline constexpr MemberId kMember1{1};
inline constexpr MemberId kMember2{2};
// 2024-03-04 10:00 Beijing time.
inline constexpr std::int64_t kDayStartNs = 1'709'517'600LL * 1'000'000'000;

inline InstrumentConfig test_instrument(InstrumentId id, const char* code, PriceFen ref,
                                        StpMode stp) {
  InstrumentConfig c;
  c.id = id;
  c.code = code;
  c.product = ProductKind::kAllowance;
  c.vintage = 2017;
  c.tick_fen = PriceFen(1);
  c.lot_t = QuantityT(10);
  c.min_order_t = QuantityT(10);
  c.max_order_t = QuantityT(100'000);
  c.reference_price_fen = ref;
  c.band_bp = 1000;
  c.stp = stp;
  // 0.05% each side, minimum 1 CNY per order side.
  c.fees.set_rate(TradingMode::kListed, Side::kBuy, FeeRate{500, AmountFen(100)});
  c.fees.set_rate(TradingMode::kListed, Side::kSell, FeeRate{500, AmountFen(100)});
  return c;
}

inline ExchangeConfig test_config(StpMode stp = StpMode::kCancelIncoming) {
  ExchangeConfig cfg;
  cfg.fee_account = kFeeAccount;
  cfg.limits.max_orders_per_book = 256;
  cfg.limits.max_orders_per_level = 16;
  cfg.limits.max_price_levels = 1024;
  cfg.limits.max_fills_per_order = 16;
  cfg.limits.outbox_capacity = 1024;
  cfg.instruments.push_back(test_instrument(kGdea, "GDEA2017", PriceFen(2000), stp));
  InstrumentConfig ccer = test_instrument(kCcer, "CCER", PriceFen(1000), stp);
  ccer.product = ProductKind::kCcer;
  ccer.project = ProjectAttributes{"CCER-1", "Guangdong", "wind", Date{20150101}, Date{20241231}};
  ccer.lot_t = QuantityT(1);
  ccer.min_order_t = QuantityT(1);
  cfg.instruments.push_back(ccer);
  return cfg;
}

class CoreTest : public ::testing::Test {
 protected:
  explicit CoreTest(ExchangeConfig cfg = test_config()) : config_(std::move(cfg)) {
    for (AccountId a : {kFeeAccount, kAlice, kBob, kCarol})
      ledger_.open_account(a);
    for (AccountId a : {kAlice, kBob, kCarol}) {
      EXPECT_TRUE(ledger_.deposit(a, kCashAsset, 100'000'000).ok());  // 1,000,000 CNY
      EXPECT_TRUE(ledger_.deposit(a, asset_of(kGdea), 100'000).ok());
      EXPECT_TRUE(ledger_.deposit(a, asset_of(kCcer), 100'000).ok());
    }
    core_ = std::make_unique<Core>(config_, ledger_);
    open_all();
  }

  void apply(CommandBody body) {
    Command c{Seq(++seq_), TimestampNs(kDayStartNs + static_cast<std::int64_t>(seq_) * 1000), body};
    commands_.push_back(c);
    core_->clear_events();
    core_->apply(c);
  }
  void open_all() { apply(SetPhase{true, InstrumentId(0), Phase::kContinuous}); }

  static NewOrder order(AccountId acc, InstrumentId ins, Side side, std::int64_t price,
                        std::int64_t qty, TimeInForce tif = TimeInForce::kDay) {
    NewOrder o;
    o.account = acc;
    o.member = acc == kCarol ? kMember2 : kMember1;
    o.instrument = ins;
    o.side = side;
    o.tif = tif;
    o.price_fen = PriceFen(price);
    o.quantity_t = QuantityT(qty);
    // Appending (not "c" + to_string) sidesteps GCC 12's false -Wrestrict (PR 105329) at -O3.
    std::string clid = "c";
    clid += std::to_string(acc.value());
    o.client_order_id = make_client_order_id(clid);
    return o;
  }
  static NewOrder click(AccountId acc, InstrumentId ins, Side side, std::int64_t qty) {
    NewOrder o = order(acc, ins, side, 0, qty, TimeInForce::kIoc);
    o.type = OrderType::kClick;
    return o;
  }
  // Places an order, expects an ack, returns its id.
  OrderId place(const NewOrder& o) {
    apply(o);
    const auto acks = of<AckEvent>();
    EXPECT_EQ(acks.size(), 1u);
    return acks.empty() ? OrderId(0) : acks[0].order_id;
  }

  template <typename T>
  std::vector<T> of() const {
    std::vector<T> out;
    for (const Event& e : core_->events()) {
      if (const T* t = std::get_if<T>(&e.body)) out.push_back(*t);
    }
    return out;
  }

  // Applies `body`, expects exactly one reject with `reason`, and nothing else changed.
  void expect_reject(CommandBody body, RejectReason reason) {
    (void)core_->take_changed_orders();
    const auto before = snapshot();
    const std::uint64_t postings = ledger_.postings_applied();
    apply(body);
    ASSERT_EQ(core_->events().size(), 1u);
    const auto* r = std::get_if<RejectEvent>(&core_->events()[0].body);
    ASSERT_NE(r, nullptr);
    EXPECT_EQ(r->reason, reason) << to_string(r->reason) << " vs " << to_string(reason);
    // The seq moved (it is part of the hash); everything else must be as it was.
    EXPECT_EQ(snapshot(), before);
    EXPECT_EQ(ledger_.postings_applied(), postings);
    EXPECT_TRUE(take_orders_unchanged());
  }

  std::vector<std::int64_t> snapshot() const {
    std::vector<std::int64_t> out;
    for (AccountId a : {kFeeAccount, kAlice, kBob, kCarol}) {
      for (AssetId s : {kCashAsset, asset_of(kGdea), asset_of(kCcer)}) {
        out.push_back(ledger_.balance(a, s).available);
        out.push_back(ledger_.balance(a, s).frozen);
      }
    }
    core_->for_each_open_order([&](const OpenOrderRecord& r) {
      out.push_back(static_cast<std::int64_t>(r.order_id.value()));
      out.push_back(r.leaves_t.value());
      out.push_back(r.price_fen.value());
      out.push_back(r.hold_amount);
    });
    for (InstrumentId i : {kGdea, kCcer}) {
      out.push_back(static_cast<std::int64_t>(core_->phase(i)));
      out.push_back(core_->reference_price(i).value());
      out.push_back(core_->day_stats(i).volume_t.value());
    }
    return out;
  }
  bool take_orders_unchanged() { return core_->take_changed_orders().empty(); }

  // Ledger invariants: conservation, and frozen == the holds of open orders.
  void check_invariants() {
    for (AssetId s : {kCashAsset, asset_of(kGdea), asset_of(kCcer)}) {
      EXPECT_EQ(ledger_.total(s), 0);
    }
    std::map<std::pair<std::uint32_t, std::uint32_t>, std::int64_t> exposure;
    core_->for_each_open_order([&](const OpenOrderRecord& r) {
      const AssetId asset = r.side == Side::kSell ? asset_of(r.instrument) : kCashAsset;
      exposure[{r.account.value(), asset.value()}] += r.hold_amount;
      const HoldId h = make_hold_id(HoldKind::kOrder,
                                    r.order_id.value() | (std::uint64_t{r.hold_generation} << 40));
      EXPECT_EQ(ledger_.held(h), r.hold_amount) << "order " << r.order_id.value();
    });
    for (AccountId a : {kFeeAccount, kAlice, kBob, kCarol}) {
      for (AssetId s : {kCashAsset, asset_of(kGdea), asset_of(kCcer)}) {
        EXPECT_EQ(ledger_.balance(a, s).frozen, (exposure[{a.value(), s.value()}]))
            << "account " << a.value() << " asset " << s.value();
      }
    }
  }

  // A second ledger+core that replayed every command so far: an independent copy of the state.
  void replay_into(InMemoryLedger& ledger, std::unique_ptr<Core>& core) const {
    for (AccountId a : {kFeeAccount, kAlice, kBob, kCarol})
      ledger.open_account(a);
    for (AccountId a : {kAlice, kBob, kCarol}) {
      EXPECT_TRUE(ledger.deposit(a, kCashAsset, 100'000'000).ok());
      EXPECT_TRUE(ledger.deposit(a, asset_of(kGdea), 100'000).ok());
      EXPECT_TRUE(ledger.deposit(a, asset_of(kCcer), 100'000).ok());
    }
    core = std::make_unique<Core>(config_, ledger);
    for (const Command& c : commands_)
      core->apply(c);
  }

  ExchangeConfig config_;
  InMemoryLedger ledger_;
  std::unique_ptr<Core> core_;
  std::uint64_t seq_ = 0;
  std::vector<Command> commands_;
};

}  // namespace carbonx::testing
