// The core path reads nothing from the store (issue #11): a live Core over the registry Ledger,
// whose history is an LMDB Store, commits every command as its own batch (so nothing of earlier
// commands is left in memory) and counts the Store's history reads command by command. Replaces
// that enlarge an order's hold and auction bid revisions that enlarge a bid's hold grow the one
// hold in place; the new orders after them read nothing. A store written before resize_hold
// existed (hold ids with a generation above the order ids) gives the same after a restart, and its
// restored order still finds and grows its old hold.
#include <gtest/gtest.h>

#include <memory>
#include <random>
#include <string>
#include <vector>

#include "carbonx/engine/commands.hpp"
#include "carbonx/engine/core.hpp"
#include "carbonx/registry/store.hpp"
#include "registry_test_util.hpp"

namespace carbonx::registry {
namespace {

constexpr InstrumentId kGdea2017{1};
constexpr AccountId kFeeAccount{3};
constexpr MemberId kMember{1};
constexpr int kTraders = 8;
constexpr std::int64_t kSecond = 1'000'000'000;
// 2024-03-04 10:00 Beijing time: a trading day.
constexpr std::int64_t kDayStartNs = 1'709'517'600LL * kSecond;

AccountId trader(int i) {
  return AccountId(100 + static_cast<std::uint32_t>(i));
}

ExchangeConfig config() {
  ExchangeConfig cfg;
  cfg.fee_account = kFeeAccount;
  cfg.limits.max_orders_per_book = 8192;
  cfg.limits.max_orders_per_level = 512;
  cfg.limits.max_price_levels = 1024;
  cfg.limits.max_fills_per_order = 64;
  cfg.limits.outbox_capacity = 8192;
  InstrumentConfig c;
  c.id = kGdea2017;
  c.code = "GDEA2017";
  c.vintage = 2017;
  c.tick_fen = PriceFen(1);
  c.lot_t = QuantityT(10);
  c.min_order_t = QuantityT(10);
  c.max_order_t = QuantityT(100'000);
  c.reference_price_fen = PriceFen(2000);
  c.fees.set_rate(TradingMode::kListed, Side::kBuy, FeeRate{500, AmountFen(100)});
  c.fees.set_rate(TradingMode::kListed, Side::kSell, FeeRate{500, AmountFen(100)});
  c.fees.set_rate(TradingMode::kAuction, Side::kBuy, FeeRate{300, AmountFen(100)});
  c.fees.set_rate(TradingMode::kAuction, Side::kSell, FeeRate{300, AmountFen(100)});
  cfg.instruments.push_back(c);
  return cfg;
}

HoldId order_hold(OrderId id, std::uint64_t generation = 0) {
  return make_hold_id(HoldKind::kOrder, id.value() | (generation << 40));
}

// The genesis ledger, committed without journal records.
void write_genesis(const std::string& dir) {
  auto store = std::move(Store::open(dir)).value();
  Ledger ledger(testing::standard_options());
  testing::open_standard_accounts(ledger, kTraders);
  for (int i = 0; i < kTraders; ++i) {
    ASSERT_TRUE(ledger.deposit(TransferId(1000 + i), trader(i), AmountFen(500'000'000)).ok());
    const Posting p{TransferId(2000 + i),
                    testing::kGov,
                    trader(i),
                    asset_of(kGdea2017),
                    200'000,
                    kNoHold,
                    TransferKind::kIssuance,
                    0};
    ASSERT_TRUE(ledger.post(std::span(&p, 1)).ok());
  }
  ASSERT_TRUE(store->commit_batch(Batch{}, ledger).ok());
}

// A running exchange on a store: the Store loaded into the Ledger (so the Store is its history),
// the Core over it, each command committed as its own batch with the core state.
class Exchange {
 public:
  explicit Exchange(const std::string& dir)
      : store_(std::move(Store::open(dir)).value()), ledger_(testing::standard_options()) {
    auto rec = store_->load(ledger_);
    CX_ASSERT(rec.ok());
    seq_ = rec.value().applied_seq.value();
    core_ = std::make_unique<Core>(config(), ledger_);
  }

  // Applies one command, commits it, and returns how many store reads applying it took.
  std::uint64_t apply(CommandBody body) {
    ++seq_;
    const Command cmd{Seq(seq_), TimestampNs(kDayStartNs + static_cast<std::int64_t>(seq_)), body};
    core_->clear_events();
    const std::uint64_t before = store_->history_reads();
    core_->apply(cmd);
    const std::uint64_t reads = store_->history_reads() - before;
    const CommandRecord record = encode(cmd);
    const JournalEntry entry{cmd.seq, cmd.ts, record};
    Batch b;
    b.journal = std::span(&entry, 1);
    CX_ASSERT(store_->commit_batch(b, ledger_).ok());
    return reads;
  }
  // The one event of type T the last command emitted (fails the test if there is not one).
  template <typename T>
  T only() const {
    std::vector<T> out;
    for (const Event& e : core_->events()) {
      if (const T* t = std::get_if<T>(&e.body)) out.push_back(*t);
    }
    EXPECT_EQ(out.size(), 1u);
    return out.empty() ? T{} : out[0];
  }
  bool rejected() const {
    for (const Event& e : core_->events()) {
      if (const auto* r = std::get_if<RejectEvent>(&e.body)) {
        ADD_FAILURE() << "reject: " << to_string(r->reason);
        return true;
      }
    }
    return false;
  }

  Store& store() { return *store_; }
  Ledger& ledger() { return ledger_; }
  Core& core() { return *core_; }
  std::int64_t now() const { return kDayStartNs + static_cast<std::int64_t>(seq_); }

 private:
  std::unique_ptr<Store> store_;
  Ledger ledger_;
  std::unique_ptr<Core> core_;
  std::uint64_t seq_ = 0;
};

NewOrder order(int t, Side side, std::int64_t price, std::int64_t qty,
               TimeInForce tif = TimeInForce::kDay) {
  NewOrder o;
  o.account = trader(t);
  o.member = kMember;
  o.instrument = kGdea2017;
  o.side = side;
  o.tif = tif;
  o.price_fen = PriceFen(price);
  o.quantity_t = QuantityT(qty);
  return o;
}

Replace replace(int t, OrderId id, std::int64_t price, std::int64_t qty) {
  return Replace{trader(t), kMember, kGdea2017, id, PriceFen(price), QuantityT(qty), {}};
}

// Many new orders, crossing and resting, some cancelled: every one reads nothing.
void expect_orders_read_nothing(Exchange& x, int count, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<std::pair<int, OrderId>> resting;
  for (int i = 0; i < count; ++i) {
    const int t = static_cast<int>(rng() % kTraders);
    if (!resting.empty() && rng() % 6 == 0) {
      const auto [owner, id] = resting[rng() % resting.size()];
      Cancel c;
      c.account = trader(owner);
      c.member = kMember;
      c.instrument = kGdea2017;
      c.order_id = id;
      ASSERT_EQ(x.apply(c), 0u) << "cancel of order " << id.value();
      continue;
    }
    // Even traders buy, odd ones sell (no self-trade), sells above every earlier resting buy.
    const Side side = t % 2 == 0 ? Side::kBuy : Side::kSell;
    const std::int64_t price = side == Side::kBuy ? 1950 + static_cast<std::int64_t>(rng() % 100)
                                                  : 1960 + static_cast<std::int64_t>(rng() % 90);
    const std::int64_t qty = 10 * (1 + static_cast<std::int64_t>(rng() % 30));
    ASSERT_EQ(x.apply(order(t, side, price, qty)), 0u) << "new order " << i;
    ASSERT_FALSE(x.rejected()) << "new order " << i;
    resting.emplace_back(t, x.only<AckEvent>().order_id);
  }
}

TEST(CoreStoreReads, EnlargingReplacesThenNewOrdersReadNothing) {
  testing::TempDir dir;
  write_genesis(dir.path());
  Exchange x(dir.path());
  ASSERT_EQ(x.apply(SetPhase{true, InstrumentId(0), Phase::kContinuous}), 0u);
  // Resting orders that do not cross: buys at 1900-1907, sells at 2100-2107.
  std::vector<OrderId> buys, sells;
  for (int t = 0; t < kTraders; ++t) {
    ASSERT_EQ(x.apply(order(t, Side::kBuy, 1900 + t, 100)), 0u);
    buys.push_back(x.only<AckEvent>().order_id);
    ASSERT_EQ(x.apply(order(t, Side::kSell, 2100 + t, 100)), 0u);
    sells.push_back(x.only<AckEvent>().order_id);
  }
  const std::size_t holds = x.ledger().open_hold_count();
  for (int t = 0; t < kTraders; ++t) {
    // Price up on a buy, quantity up on a buy, both; quantity up on a sell, then down again.
    const std::int64_t before = x.ledger().held(order_hold(buys[t]));
    ASSERT_EQ(x.apply(replace(t, buys[t], 1920 + t, 100)), 0u) << "buy price up " << t;
    const ReplaceAckEvent ack = x.only<ReplaceAckEvent>();
    EXPECT_FALSE(ack.kept_priority);
    const std::int64_t after = x.ledger().held(order_hold(buys[t]));
    EXPECT_GT(after, before) << "the hold grew in place, under the same id";
    ASSERT_EQ(x.apply(replace(t, buys[t], 1920 + t, 300)), 0u) << "buy quantity up " << t;
    ASSERT_FALSE(x.rejected());
    EXPECT_GT(x.ledger().held(order_hold(buys[t])), after);
    ASSERT_EQ(x.apply(replace(t, buys[t], 1950 + t, 500)), 0u) << "buy both up " << t;
    ASSERT_FALSE(x.rejected());
    ASSERT_EQ(x.apply(replace(t, sells[t], 2100 + t, 900)), 0u) << "sell quantity up " << t;
    ASSERT_FALSE(x.rejected());
    EXPECT_EQ(x.ledger().held(order_hold(sells[t])), 900);
    ASSERT_EQ(x.apply(replace(t, sells[t], 2100 + t, 200)), 0u) << "sell quantity down " << t;
    EXPECT_EQ(x.ledger().held(order_hold(sells[t])), 200);
  }
  // No hold id was minted by the replaces: the same holds, every one at generation 0.
  EXPECT_EQ(x.ledger().open_hold_count(), holds);
  x.core().for_each_open_order(
      [&](const OpenOrderRecord& r) { EXPECT_EQ(r.hold_generation, 0u) << r.order_id.value(); });
  const std::uint64_t order_kind = static_cast<std::uint64_t>(HoldKind::kOrder);
  EXPECT_LT(x.ledger().counters().max_hold[order_kind] & ((std::uint64_t{1} << 56) - 1),
            kHoldOwnerIdLimit);
  expect_orders_read_nothing(x, 3000, 5);
  EXPECT_TRUE(x.ledger().verify().empty());
  EXPECT_GT(x.ledger().balance(kFeeAccount, kCashAsset).available, 0);  // trades happened
}

TEST(CoreStoreReads, EnlargingBidRevisionsThenNewOrdersReadNothing) {
  testing::TempDir dir;
  write_genesis(dir.path());
  Exchange x(dir.path());
  ASSERT_EQ(x.apply(SetPhase{true, InstrumentId(0), Phase::kContinuous}), 0u);
  AuctionOpen open;
  open.seller = trader(7);
  open.instrument = kGdea2017;
  open.quantity_t = QuantityT(50'000);
  open.reserve_fen = PriceFen(1800);
  open.start_ts = TimestampNs(x.now());
  open.end_ts = TimestampNs(x.now() + 3600 * kSecond);
  open.min_bid_t = QuantityT(10);
  ASSERT_EQ(x.apply(open), 0u);
  const OffBookId auction = x.only<AuctionEvent>().auction_id;
  std::vector<OffBookId> bids;
  for (int t = 0; t < 7; ++t) {
    ASSERT_EQ(
        x.apply(AuctionBid{trader(t), kMember, auction, PriceFen(1800 + t), QuantityT(1000), {}}),
        0u);
    bids.push_back(x.only<AuctionBidEvent>().bid_id);
  }
  const std::size_t holds = x.ledger().open_hold_count();
  for (int t = 0; t < 7; ++t) {
    const HoldId hold = bid_hold(bids[t], 0);
    const std::int64_t before = x.ledger().held(hold);
    const auto revise = [&](std::int64_t price, std::int64_t qty) {
      return AuctionReviseBid{trader(t),       kMember,        auction, bids[t],
                              PriceFen(price), QuantityT(qty), {}};
    };
    ASSERT_EQ(x.apply(revise(1850 + t, 1000)), 0u) << "price up " << t;
    EXPECT_EQ(x.only<AuctionBidEvent>().status, BidStatus::kRevised);
    EXPECT_GT(x.ledger().held(hold), before);
    ASSERT_EQ(x.apply(revise(1850 + t, 3000)), 0u) << "quantity up " << t;
    EXPECT_EQ(x.only<AuctionBidEvent>().status, BidStatus::kRevised);
    const std::int64_t big = x.ledger().held(hold);
    ASSERT_EQ(x.apply(revise(1900 + t, 2000)), 0u) << "price up, quantity down " << t;
    EXPECT_EQ(x.only<AuctionBidEvent>().status, BidStatus::kRevised);
    EXPECT_NE(x.ledger().held(hold), big);
  }
  EXPECT_EQ(x.ledger().open_hold_count(), holds);
  for (const AuctionRecord& a : x.core().offbook().auctions) {
    for (const BidRecord& b : a.bids)
      EXPECT_EQ(b.hold_generation, 0u);
  }
  expect_orders_read_nothing(x, 2000, 6);
  // More bids after the revisions read nothing either.
  ASSERT_EQ(x.apply(AuctionBid{trader(0), kMember, auction, PriceFen(1990), QuantityT(500), {}}),
            0u);
  EXPECT_EQ(x.only<AuctionBidEvent>().status, BidStatus::kAccepted);
  EXPECT_TRUE(x.ledger().verify().empty());
}

// A replace whose growth the account cannot cover is refused and changes nothing.
TEST(CoreStoreReads, AGrowthBeyondAvailableIsRefusedAndChangesNothing) {
  testing::TempDir dir;
  write_genesis(dir.path());
  Exchange x(dir.path());
  ASSERT_EQ(x.apply(SetPhase{true, InstrumentId(0), Phase::kContinuous}), 0u);
  ASSERT_EQ(x.apply(order(0, Side::kSell, 2100, 50'000)), 0u);
  const OrderId sell = x.only<AckEvent>().order_id;
  ASSERT_EQ(x.apply(order(0, Side::kSell, 2101, 100'000)), 0u);
  ASSERT_EQ(x.apply(order(0, Side::kSell, 2102, 45'000)), 0u);
  // 200,000 units: 195,000 held, 5,000 available.
  const Digest ledger_before = x.ledger().state_hash();
  EXPECT_EQ(x.apply(replace(0, sell, 2100, 55'010)), 0u);
  EXPECT_EQ(x.only<RejectEvent>().reason, RejectReason::kInsufficientFunds);
  EXPECT_EQ(x.ledger().state_hash(), ledger_before);
  EXPECT_EQ(x.ledger().held(order_hold(sell)), 50'000);
  const auto kept = x.core().find_open_order(kGdea2017, sell);
  ASSERT_TRUE(kept.has_value());
  EXPECT_EQ(kept->hold_amount, 50'000);
  EXPECT_EQ(kept->leaves_t, QuantityT(50'000));
  ASSERT_EQ(x.apply(replace(0, sell, 2100, 55'000)), 0u);  // exactly what is left
  EXPECT_FALSE(x.rejected());
  EXPECT_EQ(x.ledger().held(order_hold(sell)), 55'000);
  EXPECT_EQ(x.ledger().balance(trader(0), asset_of(kGdea2017)).available, 0);
  EXPECT_TRUE(x.ledger().verify().empty());
}

// A store written before resize_hold: an order's replace re-made its hold under generation 2
// (order | 2 << 40), which set the kind's largest hold id above every order id to come. After a
// restart the restored order finds its hold under that id, grows it in place and settles from
// it, and new orders read nothing.
TEST(CoreStoreReads, AStoreWithOldGenerationHoldIdsReadsNothingForNewOrders) {
  testing::TempDir dir;
  write_genesis(dir.path());
  OpenOrderRecord old;
  CoreStateRecord state;
  {
    Exchange x(dir.path());
    ASSERT_EQ(x.apply(SetPhase{true, InstrumentId(0), Phase::kContinuous}), 0u);
    ASSERT_EQ(x.apply(order(0, Side::kBuy, 1900, 100)), 0u);
    const OrderId id = x.only<AckEvent>().order_id;
    // What the old replace protocol left in the ledger: generation 0 and the probe (1) closed,
    // the order's hold now under generation 2 (the same amount here).
    const std::int64_t held = x.ledger().held(order_hold(id));
    ASSERT_TRUE(x.ledger().release(order_hold(id), held).ok());
    ASSERT_TRUE(x.ledger().hold(order_hold(id, 1), trader(0), kCashAsset, 1).ok());
    ASSERT_TRUE(x.ledger().release(order_hold(id, 1), 1).ok());
    ASSERT_TRUE(x.ledger().hold(order_hold(id, 2), trader(0), kCashAsset, held).ok());
    ASSERT_TRUE(x.store().commit_batch(Batch{}, x.ledger()).ok());
    old = *x.core().find_open_order(kGdea2017, id);
    old.hold_generation = 2;
    state = x.core().save_state();
    EXPECT_EQ(x.ledger().counters().max_hold[static_cast<int>(HoldKind::kOrder)],
              order_hold(id, 2).value());
  }
  // The restart: the ledger from the store, the core from its state and the order's record.
  Exchange x(dir.path());
  ASSERT_TRUE(x.core().restore_state(state).ok());
  ASSERT_TRUE(x.core().restore_open_orders({old}).ok());
  ASSERT_EQ(x.apply(replace(0, old.order_id, 1950, 400)), 0u);
  ASSERT_FALSE(x.rejected());
  const std::int64_t held = x.ledger().held(order_hold(old.order_id, 2));
  EXPECT_EQ(held, x.core().find_open_order(kGdea2017, old.order_id)->hold_amount);
  EXPECT_GT(held, old.hold_amount);
  EXPECT_EQ(x.core().find_open_order(kGdea2017, old.order_id)->hold_generation, 2u);
  // It trades and settles from its old hold, which closes.
  ASSERT_EQ(x.apply(order(3, Side::kSell, 1950, 400, TimeInForce::kIoc)), 0u);
  EXPECT_EQ(x.only<TradeEvent>().quantity_t, QuantityT(400));
  EXPECT_FALSE(x.core().find_open_order(kGdea2017, old.order_id).has_value());
  EXPECT_EQ(x.ledger().held(order_hold(old.order_id, 2)), 0);
  expect_orders_read_nothing(x, 1000, 7);
  EXPECT_TRUE(x.ledger().verify().empty());
}

}  // namespace
}  // namespace carbonx::registry
