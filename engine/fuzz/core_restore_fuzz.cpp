// libFuzzer target for restoring a Core from its stored state, the path carbonxd takes at
// start-up (ExchangeDriver::recover): the exchange state blob (decode_exchange_state) into
// restore_state and restore_offbook_state, then the open-order records (decode_open_order) into
// restore_open_orders, on a fresh Core. The input is the blob's length (u32, little-endian), the
// blob, then each open-order record as its length (u16, little-endian) and its bytes; an input
// shorter than the length is a blob alone. What the decoders accept, the Core either refuses with
// its error (the blob changing nothing: its state_hash stays a fresh core's; carbonxd stops on
// any refusal), or restores; a restored Core then:
// - stores and restores exactly: the state saved, encoded, decoded and restored into another
//   fresh Core gives the same state_hash;
// - trades: the ledger is given the holds the restored open orders and off-book state own (as the
//   durable ledger has them), then a few commands run (open every instrument, a sell, a crossing
//   buy, a resting buy, its replace, a cancel, a mass cancel, end of day) and the ledger's
//   invariants hold after each (every asset sums to zero, no balance negative, each account's
//   frozen balance equals the holds of its open orders and off-book records), and the state with
//   its open orders stores and restores to the same state_hash.
// Seeds: states made by the encoders (fuzz_seeds.hpp); checks abort(), so a breach is a finding.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <span>
#include <utility>
#include <vector>

#include "carbonx/engine/core.hpp"
#include "carbonx/engine/core_records.hpp"
#include "carbonx/engine/in_memory_ledger.hpp"
#include "fuzz_seeds.hpp"

namespace {

using namespace carbonx;

constexpr InstrumentId kGdea{1};
constexpr InstrumentId kCcer{2};
constexpr AccountId kFee{9000};
constexpr AccountId kSeller{101};
constexpr AccountId kBuyer{102};
constexpr AccountId kResting{103};
constexpr std::int64_t kDayStartNs = 1'709'517'600LL * 1'000'000'000;  // 2024-03-04 10:00 CST

void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "core_restore_fuzz: %s\n", what);
    std::abort();
  }
}

InstrumentConfig instrument(InstrumentId id, const char* code, std::int64_t ref) {
  InstrumentConfig c;
  c.id = id;
  c.code = code;
  c.product = ProductKind::kAllowance;
  c.vintage = 2017;
  c.tick_fen = PriceFen(1);
  c.lot_t = QuantityT(10);
  c.min_order_t = QuantityT(10);
  c.max_order_t = QuantityT(100'000);
  c.reference_price_fen = PriceFen(ref);
  c.band_bp = 1000;
  c.fees.set_rate(TradingMode::kListed, Side::kBuy, FeeRate{500, AmountFen(100)});
  c.fees.set_rate(TradingMode::kListed, Side::kSell, FeeRate{500, AmountFen(100)});
  return c;
}

const ExchangeConfig& config() {
  static const ExchangeConfig cfg = [] {
    ExchangeConfig c;
    c.fee_account = kFee;
    c.limits.max_orders_per_book = 256;
    c.limits.max_orders_per_level = 16;
    c.limits.max_price_levels = 1024;
    c.limits.max_fills_per_order = 16;
    c.limits.outbox_capacity = 1024;
    c.instruments.push_back(instrument(kGdea, "GDEA2017", 2000));
    InstrumentConfig ccer = instrument(kCcer, "CCER", 1000);
    ccer.product = ProductKind::kCcer;
    ccer.project = ProjectAttributes{"CCER-1", "Guangdong", "wind", Date{20150101}, Date{20241231}};
    c.instruments.push_back(ccer);
    return c;
  }();
  return cfg;
}

// The accounts the commands use, funded; the fee account.
void fund(InMemoryLedger& ledger) {
  for (AccountId a : {kFee, kSeller, kBuyer, kResting})
    ledger.open_account(a);
  for (AccountId a : {kSeller, kBuyer, kResting}) {
    check(ledger.deposit(a, kCashAsset, 100'000'000).ok(), "deposit");
    check(ledger.deposit(a, asset_of(kGdea), 100'000).ok(), "deposit");
    check(ledger.deposit(a, asset_of(kCcer), 100'000).ok(), "deposit");
  }
}

// The core's whole stored state: the blob and every open order's record, as the store keeps them.
struct Stored {
  std::vector<std::uint8_t> blob;
  std::vector<std::vector<std::uint8_t>> orders;
};

Stored save(const Core& core) {
  Stored s;
  s.blob = encode_exchange_state(core.save_state(), core.save_offbook_state());
  core.for_each_open_order(
      [&](const OpenOrderRecord& r) { s.orders.push_back(encode_open_order(r)); });
  return s;
}

// Restores `s` into a fresh Core over `ledger` (restoring does not touch the ledger) and checks
// it has `hash`.
void check_restores(const Stored& s, InMemoryLedger& ledger, std::uint64_t hash) {
  Core again(config(), ledger);
  const auto state = decode_exchange_state(s.blob);
  check(state.ok(), "a saved state does not decode");
  check(again.restore_state(state.value().core).ok(), "a saved core state is refused");
  check(again.restore_offbook_state(state.value().offbook).ok(),
        "a saved off-book state is refused");
  std::vector<OpenOrderRecord> orders;
  for (const auto& bytes : s.orders) {
    const auto r = decode_open_order(bytes);
    check(r.ok(), "a saved open order does not decode");
    orders.push_back(r.value().order);
  }
  check(again.restore_open_orders(std::move(orders)).ok(), "a saved open order is refused");
  check(again.state_hash() == hash, "a saved and restored core has another state_hash");
}

// Every asset sums to zero, no balance is negative, and each (account, asset)'s frozen balance is
// the sum of the holds the core owns there: its open orders' and its off-book records'.
void check_invariants(const Core& core, const InMemoryLedger& ledger) {
  std::map<std::pair<std::uint32_t, std::uint32_t>, std::int64_t> holds;
  core.for_each_open_order([&](const OpenOrderRecord& r) {
    const AssetId asset = r.side == Side::kSell ? asset_of(r.instrument) : kCashAsset;
    holds[{r.account.value(), asset.value()}] += r.hold_amount;
  });
  for_each_offbook_hold(core.offbook(), [&](HoldId, AccountId a, AssetId asset, std::int64_t n) {
    holds[{a.value(), asset.value()}] += n;
  });
  for (const ResaleLockRecord& l : core.resale_locks())
    holds[{l.account.value(), asset_of(l.instrument).value()}] += l.amount;
  for (AssetId asset : {kCashAsset, asset_of(kGdea), asset_of(kCcer)})
    check(ledger.total(asset) == 0, "an asset does not sum to zero");
  ledger.for_each_balance([&](AccountId a, AssetId asset, BalanceView b) {
    if (a.value() != 0) check(b.available >= 0, "a negative available balance");
    check(b.frozen >= 0, "a negative frozen balance");
    const auto it = holds.find({a.value(), asset.value()});
    check(b.frozen == (it == holds.end() ? 0 : it->second),
          "a frozen balance differs from the holds of the core");
  });
}

// Gives the ledger the holds the restored off-book state owns, as the durable ledger has them;
// false when it cannot (an amount no account could hold, two records naming one hold).
bool give_offbook_holds(const Core& core, InMemoryLedger& ledger) {
  bool ok = true;
  for_each_offbook_hold(core.offbook(), [&](HoldId id, AccountId a, AssetId asset, std::int64_t n) {
    if (!ok) return;
    if (a == AccountId(0)) {  // the ledger's source account
      ok = false;
      return;
    }
    ledger.open_account(a);
    ok = ledger.deposit(a, asset, n).ok() && ledger.hold(id, a, asset, n).ok();
  });
  for (const ResaleLockRecord& l : core.resale_locks()) {  // the same-day resale locks likewise
    if (!ok || l.account == AccountId(0)) return false;
    const AssetId asset = asset_of(l.instrument);
    ledger.open_account(l.account);
    ok =
        ledger.deposit(l.account, asset, l.amount).ok() &&
        ledger.hold(make_hold_id(HoldKind::kResaleLock, l.lock_n), l.account, asset, l.amount).ok();
  }
  return ok;
}

// Gives the ledger the hold of each restored open order, as the durable ledger has it; false when
// it cannot (the source account, an amount no account could hold, two orders naming one hold).
bool give_order_holds(const Core& core, InMemoryLedger& ledger) {
  bool ok = true;
  core.for_each_open_order([&](const OpenOrderRecord& r) {
    if (!ok) return;
    if (r.account == AccountId(0) || r.order_id.value() >= kHoldOwnerIdLimit) {
      ok = false;
      return;
    }
    const AssetId asset = r.side == Side::kSell ? asset_of(r.instrument) : kCashAsset;
    const HoldId id = make_hold_id(HoldKind::kOrder,
                                   r.order_id.value() | (std::uint64_t{r.hold_generation} << 40));
    ledger.open_account(r.account);
    ok = ledger.deposit(r.account, asset, r.hold_amount).ok() &&
         ledger.hold(id, r.account, asset, r.hold_amount).ok();
  });
  return ok;
}

// The input split as the header comment says: the blob and the open-order records' bytes.
struct Input {
  std::span<const std::uint8_t> blob;
  std::vector<std::span<const std::uint8_t>> orders;
};
Input split(std::span<const std::uint8_t> data) {
  Input in;
  if (data.size() < 4) {
    in.blob = data;
    return in;
  }
  const std::size_t n = data[0] | (data[1] << 8) | (data[2] << 16) | (std::size_t{data[3]} << 24);
  if (n > data.size() - 4) {
    in.blob = data;
    return in;
  }
  in.blob = data.subspan(4, n);
  std::size_t at = 4 + n;
  while (data.size() - at >= 2) {
    const std::size_t len = data[at] | (data[at + 1] << 8);
    at += 2;
    if (len > data.size() - at) break;
    in.orders.push_back(data.subspan(at, len));
    at += len;
  }
  return in;
}
std::vector<std::uint8_t> join(const Stored& s) {
  std::vector<std::uint8_t> out;
  const auto put = [&](std::uint64_t v, int bytes) {
    for (int i = 0; i < bytes; ++i)
      out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
  };
  put(s.blob.size(), 4);
  out.insert(out.end(), s.blob.begin(), s.blob.end());
  for (const auto& r : s.orders) {
    put(r.size(), 2);
    out.insert(out.end(), r.begin(), r.end());
  }
  return out;
}

class Run {
 public:
  Run(Core& core, InMemoryLedger& ledger, Seq last) : core_(core), ledger_(ledger), seq_(last) {}

  void apply(const CommandBody& body) {
    seq_ = Seq(seq_.value() + 1);
    const TimestampNs ts(kDayStartNs + static_cast<std::int64_t>(seq_.value() % 1'000'000) * 1000);
    core_.clear_events();
    core_.apply(Command{seq_, ts, body});
    check_invariants(core_, ledger_);
  }
  // The id of the order the last command acknowledged, if any.
  std::optional<OrderId> acked() const {
    for (const Event& e : core_.events()) {
      if (const auto* a = std::get_if<AckEvent>(&e.body)) return a->order_id;
    }
    return std::nullopt;
  }

 private:
  Core& core_;
  InMemoryLedger& ledger_;
  Seq seq_;
};

NewOrder order(AccountId account, Side side, std::int64_t price, std::int64_t qty) {
  NewOrder o;
  o.account = account;
  o.member = MemberId(1);
  o.instrument = kGdea;
  o.side = side;
  o.price_fen = PriceFen(price);
  o.quantity_t = QuantityT(qty);
  o.client_order_id = make_client_order_id("F");
  return o;
}

void trade(Core& core, InMemoryLedger& ledger) {
  Run run(core, ledger, core.save_state().last_seq);
  run.apply(SetPhase{true, InstrumentId(0), Phase::kContinuous});
  const std::int64_t ref = core.reference_price(kGdea).value();
  run.apply(order(kSeller, Side::kSell, ref, 100));
  const std::optional<OrderId> sell = run.acked();
  run.apply(order(kBuyer, Side::kBuy, ref, 60));
  run.apply(order(kResting, Side::kBuy, ref - 1, 20));
  if (const std::optional<OrderId> resting = run.acked()) {
    run.apply(Replace{kResting, MemberId(1), kGdea, *resting, PriceFen(ref - 2), QuantityT(40),
                      make_client_order_id("F2")});
  }
  if (sell) run.apply(Cancel{kSeller, MemberId(1), kGdea, *sell, make_client_order_id("F3")});
  run.apply(order(kSeller, Side::kSell, ref + 1, 30));
  run.apply(MassCancel{false, true, false, MemberId(0), kResting, InstrumentId(0)});
  run.apply(order(kResting, Side::kBuy, ref, 10));
  run.apply(EndOfDay{});
}

CoreStateRecord sample_core() {
  CoreStateRecord c;
  c.next_order_id = 43;
  c.next_trade_id = 12;
  c.next_transfer_n = 99;
  c.days_closed = 2;
  c.last_seq = Seq(1'000);
  for (std::uint32_t i = 1; i <= 2; ++i) {
    InstrumentStateRecord s;
    s.instrument = InstrumentId(i);
    s.phase = i == 1 ? Phase::kContinuous : Phase::kHalted;
    s.reference_fen = PriceFen(i == 1 ? 2'100 : 990);
    s.stats.trade_count = 3;
    s.stats.open_fen = PriceFen(2'090);
    s.stats.high_fen = PriceFen(2'110);
    s.stats.low_fen = PriceFen(2'080);
    s.stats.last_fen = PriceFen(2'100);
    s.stats.volume_t = QuantityT(60);
    s.stats.turnover_fen = AmountFen(126'000);
    c.instruments.push_back(s);
  }
  return c;
}

OffBookStateRecord sample_offbook() {
  OffBookStateRecord o;
  o.next_id = 5;
  AgreementRecord a;
  a.id = OffBookId(1);
  a.instrument = kGdea;
  a.reporter = kSeller;
  a.reporter_side = Side::kSell;
  a.counterparty = kBuyer;
  a.price_fen = PriceFen(2'000);
  a.quantity_t = QuantityT(10);
  a.hold_amount = 10;
  o.agreements.push_back(a);
  AuctionRecord au;
  au.id = OffBookId(2);
  au.terms.seller = kResting;
  au.terms.instrument = kGdea;
  au.terms.quantity_t = QuantityT(1'000);
  au.hold_amount = 1'000;
  BidRecord b;
  b.id = OffBookId(3);
  b.account = kBuyer;
  b.price_fen = PriceFen(2'100);
  b.quantity_t = QuantityT(100);
  b.hold_amount = 210'000;
  au.bids.push_back(b);
  o.auctions.push_back(au);
  return o;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  fuzz::write_seed("exchange_state", encode_exchange_state(sample_core(), sample_offbook()));
  fuzz::write_seed("exchange_state_no_offbook", encode_exchange_state(sample_core(), {}));
  fuzz::write_seed("exchange_state_empty", encode_exchange_state(CoreStateRecord{}, {}));
  // A state the server wrote after trading: open orders, statistics, counters.
  InMemoryLedger ledger;
  fund(ledger);
  Core core(config(), ledger);
  trade(core, ledger);
  fuzz::write_seed("exchange_state_traded", save(core).blob);
  // The same with a book: resting orders on both sides, their records after the blob.
  Run run(core, ledger, core.save_state().last_seq);
  run.apply(SetPhase{true, InstrumentId(0), Phase::kContinuous});
  const std::int64_t ref = core.reference_price(kGdea).value();
  run.apply(order(kSeller, Side::kSell, ref + 2, 50));
  run.apply(order(kSeller, Side::kSell, ref + 2, 30));
  run.apply(order(kBuyer, Side::kBuy, ref - 3, 40));
  run.apply(order(kResting, Side::kBuy, ref - 1, 20));
  fuzz::write_seed("exchange_state_with_orders", join(save(core)));
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const Input in = split(std::span<const std::uint8_t>(data, size));
  const auto state = decode_exchange_state(in.blob);
  if (!state.ok()) return 0;
  std::vector<OpenOrderRecord> orders;
  for (const auto bytes : in.orders) {
    const auto r = decode_open_order(bytes);
    if (!r.ok()) return 0;  // carbonxd stops: "open order record: ..."
    orders.push_back(r.value().order);
  }
  InMemoryLedger ledger;
  fund(ledger);
  auto core = std::make_unique<Core>(config(), ledger);
  const std::uint64_t fresh = core->state_hash();
  if (!core->restore_state(state.value().core).ok()) {
    check(core->state_hash() == fresh, "a refused core state changed the core");
    return 0;
  }
  if (!core->restore_offbook_state(state.value().offbook).ok()) return 0;  // carbonxd stops
  if (!core->restore_open_orders(std::move(orders)).ok()) return 0;        // carbonxd stops
  check_restores(save(*core), ledger, core->state_hash());
  // Commands need a seq above the restored one and holds the ledger can give.
  if (core->save_state().last_seq.value() > (std::uint64_t{1} << 62)) return 0;
  if (!give_offbook_holds(*core, ledger) || !give_order_holds(*core, ledger)) return 0;
  check_invariants(*core, ledger);
  trade(*core, ledger);
  check_restores(save(*core), ledger, core->state_hash());
  return 0;
}
