// Randomized test of the Core with its ledger: random commands over three instruments and six
// accounts (limit Day/IOC/FOK, clicks, cancels, replaces, mass cancels, halts, end of day), fixed
// seeds. A second core over its own ledger is fed the same commands through encode()/decode() and
// must produce equal events after every command (replay determinism). Invariants checked every
// few thousand commands: every asset conserved in the ledger, each account's frozen balance equal
// to its open orders' holds, each hold's ledger amount equal to the core's record, books
// structurally valid and never crossed; fills print at the resting order's price and within the
// band.

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <type_traits>

#include "carbonx/engine/core.hpp"
#include "carbonx/engine/in_memory_ledger.hpp"

namespace carbonx {
namespace {

constexpr AccountId kFee{900};
constexpr std::uint32_t kAccounts = 6;
constexpr std::uint32_t kInstruments = 3;

ExchangeConfig random_config(StpMode stp) {
  ExchangeConfig cfg;
  cfg.fee_account = kFee;
  cfg.limits.max_orders_per_book = 300;
  cfg.limits.max_orders_per_level = 12;
  cfg.limits.max_price_levels = 512;
  cfg.limits.max_fills_per_order = 6;
  cfg.limits.outbox_capacity = 4096;
  for (std::uint32_t i = 1; i <= kInstruments; ++i) {
    InstrumentConfig c;
    c.id = InstrumentId(i);
    c.code = "INS" + std::to_string(i);
    c.vintage = 2017;
    c.tick_fen = PriceFen(i == 3 ? 5 : 1);
    c.lot_t = QuantityT(i == 2 ? 10 : 1);
    c.min_order_t = c.lot_t;
    c.max_order_t = QuantityT(500);
    c.reference_price_fen = PriceFen(i == 3 ? 1000 : 500);
    c.band_bp = 1000;
    c.stp = stp;
    c.fees.set_rate(TradingMode::kListed, Side::kBuy, FeeRate{3000, AmountFen(i == 1 ? 50 : 0)});
    c.fees.set_rate(TradingMode::kListed, Side::kSell, FeeRate{1500, AmountFen(7)});
    cfg.instruments.push_back(c);
  }
  return cfg;
}

void fund(InMemoryLedger& l) {
  l.open_account(kFee);
  for (std::uint32_t a = 1; a <= kAccounts; ++a) {
    l.open_account(AccountId(a));
    ASSERT_TRUE(l.deposit(AccountId(a), kCashAsset, 3'000'000).ok());
    for (std::uint32_t i = 1; i <= kInstruments; ++i) {
      ASSERT_TRUE(l.deposit(AccountId(a), AssetId(i), 4'000).ok());
    }
  }
}

struct Side2 {
  InMemoryLedger ledger{InMemoryLedger::Options{AccountId(0), false, false}};
  std::unique_ptr<Core> core;
};

class Generator {
 public:
  explicit Generator(std::uint64_t seed) : rng_(seed) {}
  std::uint64_t pick(std::uint64_t n) { return rng_() % n; }

  CommandBody next(const Core& core) {
    const std::uint64_t op = pick(1000);
    const InstrumentId ins(static_cast<std::uint32_t>(1 + pick(kInstruments)));
    const AccountId acc(static_cast<std::uint32_t>(1 + pick(kAccounts)));
    const MemberId member(acc.value() % 3);
    if (op < 3) return MassCancel{pick(2) == 0, true, pick(2) == 0, member, acc, ins};
    if (op < 6) return SetPhase{false, ins, pick(3) == 0 ? Phase::kHalted : Phase::kContinuous};
    if (op < 600) return new_order(core, ins, acc, member);
    // Cancel or replace one of the instrument's open orders, usually by its owner.
    std::vector<OpenOrderRecord> open;
    core.for_each_open_order([&](const OpenOrderRecord& r) {
      if (r.instrument == ins && open.size() < 64) open.push_back(r);
    });
    if (open.empty()) return new_order(core, ins, acc, member);
    const OpenOrderRecord& r = open[pick(open.size())];
    const AccountId who = pick(20) == 0 ? acc : r.account;
    const OrderId id = pick(50) == 0 ? OrderId(r.order_id.value() + 100'000) : r.order_id;
    if (op < 800) return Cancel{who, member, ins, id, {}};
    const InstrumentConfig& c = *core.instrument(ins);
    PriceFen p = price(core, ins, r.side);
    std::int64_t q = (1 + static_cast<std::int64_t>(pick(30))) * c.lot_t.value();
    if (pick(3) == 0) {
      p = r.price_fen;
      q = std::max<std::int64_t>(c.lot_t.value(), r.leaves_t.value() - c.lot_t.value());
    }
    return Replace{who, member, ins, id, p, QuantityT(q), {}};
  }

 private:
  PriceFen price(const Core& core, InstrumentId ins, Side side) {
    const InstrumentConfig& c = *core.instrument(ins);
    const std::int64_t tick = c.tick_fen.value();
    const std::int64_t ref = core.reference_price(ins).value();
    const std::int64_t skew = side == Side::kBuy ? -2 : 2;
    std::int64_t p = ref + (skew + static_cast<std::int64_t>(pick(11)) - 5) * tick;
    if (pick(100) == 0) p = ref + (ref / 9);  // outside the band
    if (pick(100) == 0) p += 1;               // off the tick (for tick > 1)
    return PriceFen(p);
  }

  NewOrder new_order(const Core& core, InstrumentId ins, AccountId acc, MemberId member) {
    const InstrumentConfig& c = *core.instrument(ins);
    NewOrder o;
    o.account = pick(200) == 0 ? AccountId(77) : acc;
    o.member = member;
    o.instrument = pick(300) == 0 ? InstrumentId(9) : ins;
    o.side = pick(2) == 0 ? Side::kBuy : Side::kSell;
    const std::uint64_t t = pick(100);
    o.tif = t < 70 ? TimeInForce::kDay : (t < 88 ? TimeInForce::kIoc : TimeInForce::kFok);
    o.price_fen = price(core, ins, o.side);
    if (pick(12) == 0) {
      o.type = OrderType::kClick;
      o.tif = TimeInForce::kIoc;
      o.price_fen = PriceFen(0);
    }
    std::int64_t lots = 1 + static_cast<std::int64_t>(pick(pick(10) == 0 ? 400 : 40));
    o.quantity_t = QuantityT(lots * c.lot_t.value() + (pick(100) == 0 ? 1 : 0));
    return o;
  }

  std::mt19937_64 rng_;
};

void check_invariants(const Core& core, const InMemoryLedger& ledger) {
  for (std::uint32_t s = 0; s <= kInstruments; ++s) {
    ASSERT_EQ(ledger.total(AssetId(s)), 0) << "asset " << s << " not conserved";
  }
  std::map<std::pair<std::uint32_t, std::uint32_t>, std::int64_t> exposure;
  std::int64_t holds = 0;
  core.for_each_open_order([&](const OpenOrderRecord& r) {
    const AssetId asset = r.side == Side::kSell ? asset_of(r.instrument) : kCashAsset;
    exposure[{r.account.value(), asset.value()}] += r.hold_amount;
    const HoldId h = make_hold_id(HoldKind::kOrder,
                                  r.order_id.value() | (std::uint64_t{r.hold_generation} << 40));
    ASSERT_EQ(ledger.held(h), r.hold_amount);
    ++holds;
  });
  ASSERT_EQ(ledger.open_hold_count(), static_cast<std::size_t>(holds));
  for (std::uint32_t a = 1; a <= kAccounts; ++a) {
    for (std::uint32_t s = 0; s <= kInstruments; ++s) {
      ASSERT_EQ(ledger.balance(AccountId(a), AssetId(s)).frozen, (exposure[{a, s}]))
          << "account " << a << " asset " << s;
    }
  }
  for (std::uint32_t i = 1; i <= kInstruments; ++i) {
    const OrderBook& b = core.book(InstrumentId(i));
    ASSERT_TRUE(b.validate());
    if (b.best_bid() && b.best_ask()) {
      ASSERT_LT(*b.best_bid(), *b.best_ask());
    }
  }
}

// Fills print at the resting order's price, inside the band, within the aggressor's limit.
void check_fills(const Core& core, const std::map<std::uint64_t, PriceFen>& resting_before,
                 const std::map<std::uint64_t, PriceFen>& limits) {
  for (const Event& e : core.events()) {
    const auto* f = std::get_if<FillEvent>(&e.body);
    if (f == nullptr) continue;
    const Band band = core.band(f->instrument);
    ASSERT_GE(f->price_fen, band.low_fen);
    ASSERT_LE(f->price_fen, band.high_fen);
    if (!f->aggressor) {
      const auto it = resting_before.find(f->order_id.value());
      ASSERT_NE(it, resting_before.end());
      ASSERT_EQ(it->second, f->price_fen);
    } else if (auto l = limits.find(f->order_id.value()); l != limits.end()) {
      ASSERT_TRUE(f->side == Side::kBuy ? f->price_fen <= l->second : f->price_fen >= l->second);
    }
  }
}

void run(StpMode stp, std::uint64_t seed, int commands) {
  const ExchangeConfig cfg = random_config(stp);
  Side2 a, b;
  fund(a.ledger);
  fund(b.ledger);
  a.core = std::make_unique<Core>(cfg, a.ledger);
  b.core = std::make_unique<Core>(cfg, b.ledger);
  Generator gen(seed);
  std::uint64_t seq = 0, fills = 0, rejects = 0;
  const auto apply = [&](CommandBody body) {
    const Command c{Seq(++seq), TimestampNs(1'700'000'000'000'000'000 + seq * 1'000), body};
    std::map<std::uint64_t, PriceFen> resting, limits;
    a.core->for_each_open_order(
        [&](const OpenOrderRecord& r) { resting[r.order_id.value()] = r.price_fen; });
    a.core->clear_events();
    b.core->clear_events();
    a.core->apply(c);
    b.core->apply(decode(encode(c)).value());
    ASSERT_EQ(a.core->events().size(), b.core->events().size());
    for (std::size_t i = 0; i < a.core->events().size(); ++i) {
      ASSERT_EQ(a.core->events()[i], b.core->events()[i]);
      const EventBody& body_i = a.core->events()[i].body;
      if (const auto* ack = std::get_if<AckEvent>(&body_i))
        limits[ack->order_id.value()] = ack->price_fen;
      if (const auto* ra = std::get_if<ReplaceAckEvent>(&body_i))
        limits[ra->order_id.value()] = ra->price_fen;
      fills += std::holds_alternative<FillEvent>(body_i) ? 1 : 0;
      rejects += std::holds_alternative<RejectEvent>(body_i) ? 1 : 0;
    }
    check_fills(*a.core, resting, limits);
  };
  apply(SetPhase{true, InstrumentId(0), Phase::kContinuous});
  for (int i = 0; i < commands; ++i) {
    if (i % 25'000 == 24'999) {
      apply(EndOfDay{});
      apply(SetPhase{true, InstrumentId(0), Phase::kContinuous});
    } else {
      apply(gen.next(*a.core));
    }
    if (::testing::Test::HasFatalFailure()) {
      ADD_FAILURE() << "seed " << seed << " command " << i;
      return;
    }
    if (i % 2'000 == 0) {
      check_invariants(*a.core, a.ledger);
      if (::testing::Test::HasFatalFailure()) return;
    }
  }
  check_invariants(*a.core, a.ledger);
  EXPECT_EQ(a.core->state_hash(), b.core->state_hash());
  EXPECT_GT(fills, static_cast<std::uint64_t>(commands) / 10);
  EXPECT_GT(rejects, 0u);
  EXPECT_GT(a.ledger.balance(kFee, kCashAsset).available, 0);
  EXPECT_GE(a.core->days_closed(), 1u);
  std::printf("seed %llu: %llu fills, %llu rejects, %llu days\n",
              static_cast<unsigned long long>(seed), static_cast<unsigned long long>(fills),
              static_cast<unsigned long long>(rejects),
              static_cast<unsigned long long>(a.core->days_closed()));
}

// 1,000,000 commands in all, each applied twice (the second core replays through the codec).
TEST(CoreRandom, CancelIncoming) {
  run(StpMode::kCancelIncoming, 11, 400'000);
}
TEST(CoreRandom, CancelResting) {
  run(StpMode::kCancelResting, 12, 300'000);
}
TEST(CoreRandom, CancelBoth) {
  run(StpMode::kCancelBoth, 13, 300'000);
}

// take_changed_orders() after batches of 1 to 1,500 random commands (so one instrument's share of a
// batch is sometimes sorted by insertion, sometimes by std::sort), with the instruments configured
// in descending id order: strictly ascending (instrument, order id); every order whose open-order
// record changed, appeared or left is in it; and nothing else than orders the batch's events name.
TEST(CoreRandom, ChangedOrdersAreSortedUniqueAndExactlyTheChangedOnes) {
  ExchangeConfig cfg = random_config(StpMode::kCancelResting);
  std::reverse(cfg.instruments.begin(), cfg.instruments.end());
  Side2 a;
  fund(a.ledger);
  a.core = std::make_unique<Core>(cfg, a.ledger);
  Generator gen(21);
  std::mt19937_64 rng(22);
  std::uint64_t seq = 0;
  const auto apply = [&](CommandBody body) {
    a.core->apply(Command{Seq(++seq), TimestampNs(1'700'000'000'000'000'000 + seq * 1'000), body});
  };
  using Key = std::pair<std::uint32_t, std::uint64_t>;
  const auto snapshot = [&] {
    std::map<Key, OpenOrderRecord> m;
    a.core->for_each_open_order([&](const OpenOrderRecord& r) {
      m[{r.instrument.value(), r.order_id.value()}] = r;
    });
    return m;
  };
  apply(SetPhase{true, InstrumentId(0), Phase::kContinuous});
  (void)a.core->take_changed_orders();
  std::size_t largest = 0, total = 0;
  for (int batch = 0; batch < 200; ++batch) {
    const auto before = snapshot();
    a.core->clear_events();
    const int n = 1 + static_cast<int>(rng() % 1'500);
    for (int i = 0; i < n; ++i)
      apply(gen.next(*a.core));
    const auto after = snapshot();
    const std::vector<ChangedOrder> changed = a.core->take_changed_orders();
    largest = std::max(largest, changed.size());
    total += changed.size();
    for (std::size_t i = 1; i < changed.size(); ++i) {
      ASSERT_LT(changed[i - 1], changed[i]) << "batch " << batch;
    }
    std::set<Key> got;
    for (const ChangedOrder& c : changed)
      got.insert({c.instrument.value(), c.order_id.value()});
    for (const auto& [k, r] : after) {
      const auto it = before.find(k);
      if (it == before.end() || !(it->second == r)) {
        ASSERT_TRUE(got.contains(k)) << "batch " << batch << " order " << k.second;
      }
    }
    for (const auto& [k, r] : before) {
      if (!after.contains(k)) {
        ASSERT_TRUE(got.contains(k)) << "batch " << batch << " order " << k.second;
      }
    }
    std::set<Key> named;
    for (const Event& e : a.core->events()) {
      std::visit(
          [&](const auto& b) {
            using T = std::decay_t<decltype(b)>;
            if constexpr (std::is_same_v<T, AckEvent> || std::is_same_v<T, FillEvent> ||
                          std::is_same_v<T, CancelEvent> || std::is_same_v<T, ReplaceAckEvent>) {
              named.insert({b.instrument.value(), b.order_id.value()});
            }
          },
          e.body);
    }
    for (const Key& k : got) {
      ASSERT_TRUE(named.contains(k)) << "batch " << batch << " order " << k.second;
    }
  }
  EXPECT_GT(largest, 3u * 64);  // some instrument's share went through std::sort
  EXPECT_GT(total, 10'000u);
}

}  // namespace
}  // namespace carbonx
