// Core: state hash, persistence hooks and queries (the command handlers are in core.cpp).

#include "carbonx/engine/core.hpp"

#include "carbonx/engine/core_records.hpp"

#include <algorithm>

namespace carbonx {
namespace {

constexpr std::uint64_t kOrderIdLimit = std::uint64_t{1} << 40;

// The highest reference price a Core takes from a stored state (restore_state): ten times what a
// configuration may set (validate_instrument: 100,000,000 fen), room for day closes to move it,
// and low enough that its band and a buy's hold (price x max_order_t <= 1e9, with fees) stay
// inside 64 bits. Found by core_restore_fuzz: a larger one overflowed band_around.
constexpr std::int64_t kMaxRestoredReferenceFen = 1'000'000'000;
// The most tonnes a restored same-day resale lock may hold (a day's purchases of one account).
constexpr std::int64_t kMaxRestoredLockT = std::int64_t{1} << 50;

// The largest filled notional a restored open order may carry: far enough from the 64-bit limit
// that its fee, computed on it plus a fill's notional, cannot overflow.
constexpr std::int64_t kMaxRestoredNotionalFen = std::int64_t{1} << 62;

// Day statistics a day of trading can reach: nothing negative, prices under twice the restore
// limit, the sums far enough from the 64-bit limit that the day's further trades cannot overflow
// them, and the turnover that of trades between the day's low and high (volume x low <= turnover
// <= volume x high), so the day's VWAP, the next reference price at the day's end, is a price the
// day traded at. Found by core_restore_fuzz: a turnover out of line overflowed band_around at the
// end of day.
bool stats_in_range(const DayStats& s) {
  constexpr std::int64_t kMaxSum = std::int64_t{1} << 62;
  const auto price_ok = [](PriceFen p) {
    return p.value() >= 0 && p.value() <= 2 * kMaxRestoredReferenceFen;
  };
  if (!price_ok(s.open_fen) || !price_ok(s.high_fen) || !price_ok(s.low_fen) ||
      !price_ok(s.last_fen) || s.volume_t.value() < 0 || s.volume_t.value() > kMaxSum ||
      s.turnover_fen.value() < 0 || s.turnover_fen.value() > kMaxSum) {
    return false;
  }
  if (s.volume_t.value() == 0) return s.turnover_fen.value() == 0;
  const __int128 volume = s.volume_t.value();
  return s.low_fen.value() > 0 && s.low_fen <= s.high_fen &&
         volume * s.low_fen.value() <= s.turnover_fen.value() &&
         s.turnover_fen.value() <= volume * s.high_fen.value();
}

}  // namespace

// The same field lists as the persistence codec (core_records.hpp), at the same widths: the
// counters, then per instrument its day state and its open orders in book order (so a restart
// that lost an order's place changes the hash), then the off-book state's hash.
std::uint64_t Core::state_hash() const {
  FieldHasher f;
  const CoreStateRecord counters{
      next_order_id_, next_trade_id_, next_transfer_n_, days_closed_, seq_, {}, {}, 1};
  core_counter_fields(f, counters);
  for (const Instrument& ins : instruments_) {
    const InstrumentStateRecord day{ins.config.id, ins.phase, ins.reference_fen, ins.stats};
    instrument_state_fields(f, day);
    ins.book.for_each_order([&](const OrderView& v) {
      const OrderInfo& o = ins.orders[v.slot];
      const OpenOrderRecord r{v.id,
                              ins.config.id,
                              o.account,
                              o.member,
                              v.side,
                              v.price_fen,
                              v.leaves_t,
                              o.cum_t,
                              o.cum_notional_fen,
                              o.hold_amount,
                              o.hold_generation,
                              o.client_order_id,
                              o.entry_seq,
                              o.entry_ts,
                              o.priority_seq};
      open_order_fields(f, r);
    });
  }
  f(offbook_state_hash(offbook_));
  // The resale locks only once there are any (a core that never locked hashes as before).
  if (next_lock_n_ != 1 || !resale_locks_.empty()) {
    f(next_lock_n_);
    for (const ResaleLockRecord& l : resale_locks_)
      resale_lock_fields(f, l);
  }
  return f.value();
}

std::optional<OpenOrderRecord> Core::find_open_order(InstrumentId instrument, OrderId id) const {
  const Instrument* ins = find(instrument);
  if (ins == nullptr) return std::nullopt;
  const auto v = ins->book.find(id);
  if (!v) return std::nullopt;
  const OrderInfo& o = ins->orders[v->slot];
  return OpenOrderRecord{v->id,         instrument,        o.account,
                         o.member,      v->side,           v->price_fen,
                         v->leaves_t,   o.cum_t,           o.cum_notional_fen,
                         o.hold_amount, o.hold_generation, o.client_order_id,
                         o.entry_seq,   o.entry_ts,        o.priority_seq};
}

Status<RestoreRefusal> Core::restore_open_orders(std::vector<OpenOrderRecord> records) {
  // A level's queue is in ascending priority_seq; resting each at its level's tail in that order
  // rebuilds every queue exactly (the order across levels does not matter).
  std::sort(records.begin(), records.end(), [](const OpenOrderRecord& a, const OpenOrderRecord& b) {
    if (a.instrument != b.instrument) return a.instrument < b.instrument;
    if (a.priority_seq != b.priority_seq) return a.priority_seq < b.priority_seq;
    return a.order_id < b.order_id;
  });
  for (std::size_t i = 0; i < records.size(); ++i) {
    const OpenOrderRecord& r = records[i];
    if (i > 0 && records[i - 1].instrument == r.instrument &&
        records[i - 1].priority_seq == r.priority_seq) {
      return Err{RestoreRefusal{CoreError::kDuplicatePriority, r.order_id}};
    }
    if (auto st = restore_open_order(r); !st) return Err{RestoreRefusal{st.error(), r.order_id}};
  }
  return {};
}

Status<CoreError> Core::restore_open_order(const OpenOrderRecord& r) {
  Instrument* ins = find(r.instrument);
  if (ins == nullptr) return Err{CoreError::kUnknownInstrument};
  if (!(r.side == Side::kBuy || r.side == Side::kSell) || r.order_id.value() >= kOrderIdLimit ||
      r.hold_amount <= 0 || r.priority_seq < r.entry_seq || r.priority_seq > seq_ ||
      r.leaves_t.value() <= 0 || r.leaves_t > ins->config.max_order_t || r.cum_t.value() < 0 ||
      r.cum_notional_fen.value() < 0 || r.cum_notional_fen.value() > kMaxRestoredNotionalFen ||
      r.price_fen < ins->band.low_fen || r.price_fen > ins->band.high_fen ||
      r.price_fen.value() % ins->config.tick_fen.value() != 0) {
    return Err{CoreError::kBadRecord};
  }
  // The hold pays for what the order may still trade (settle_fill takes each fill from it): a
  // sell's is its leaves in tonnes, exactly; a buy's at least the notional of its leaves at its
  // limit with the largest fee on it (more when the fee schedule fell since: trimmed at its next
  // fill). A record with less would make the ledger refuse a fill the book already made.
  OrderInfo owed{};
  owed.cum_notional_fen = r.cum_notional_fen;
  const std::int64_t need = hold_need(*ins, r.side, owed, r.price_fen, r.leaves_t);
  if (r.side == Side::kSell ? r.hold_amount != need : r.hold_amount < need) {
    return Err{CoreError::kHoldMismatch};
  }
  const BookOrder bo{r.order_id,        r.account,   r.side,    OrderType::kLimit,
                     TimeInForce::kDay, r.price_fen, r.leaves_t};
  auto slot = ins->book.restore_order(bo);
  if (!slot) return Err{CoreError::kBookRefused};
  ins->orders[slot.value()] =
      OrderInfo{r.order_id,         r.account,     r.member,          r.cum_t,
                r.cum_notional_fen, r.hold_amount, r.hold_generation, r.side,
                r.client_order_id,  r.entry_seq,   r.entry_ts,        r.priority_seq};
  next_order_id_ = std::max(next_order_id_, r.order_id.value() + 1);
  return {};
}

CoreStateRecord Core::save_state() const {
  CoreStateRecord s;
  s.next_order_id = next_order_id_;
  s.next_trade_id = next_trade_id_;
  s.next_transfer_n = next_transfer_n_;
  s.days_closed = days_closed_;
  s.last_seq = seq_;
  for (const Instrument& ins : instruments_) {
    s.instruments.push_back(
        InstrumentStateRecord{ins.config.id, ins.phase, ins.reference_fen, ins.stats});
  }
  s.resale_locks = resale_locks_;
  s.next_lock_n = next_lock_n_;
  return s;
}

// Refuses (kBadRecord, nothing changed) a phase, a reference price (<= 0, off the tick, over
// kMaxRestoredReferenceFen), day statistics (stats_in_range), a next order id (0, at the order id
// limit) or a next trade or transfer number (2^62 or more) no running core can have: the commands
// after them would overflow or abort.
Status<CoreError> Core::restore_state(const CoreStateRecord& s) {
  for (const Instrument& ins : instruments_) {
    if (ins.book.order_count() != 0) return Err{CoreError::kNotEmpty};
  }
  for (const InstrumentStateRecord& r : s.instruments) {
    const Instrument* ins = find(r.instrument);
    if (ins == nullptr) return Err{CoreError::kUnknownInstrument};
    const bool phase_ok =
        r.phase == Phase::kClosed || r.phase == Phase::kContinuous || r.phase == Phase::kHalted;
    const std::int64_t tick = ins->config.tick_fen.value();
    if (!phase_ok || r.reference_fen.value() <= 0 || r.reference_fen.value() % tick != 0 ||
        r.reference_fen.value() > kMaxRestoredReferenceFen || !stats_in_range(r.stats)) {
      return Err{CoreError::kBadRecord};
    }
  }
  if (s.next_order_id == 0 || s.next_order_id >= kOrderIdLimit) return Err{CoreError::kBadRecord};
  // Trade and transfer numbers far below the top of their ids (a core transfer id has the top bit
  // set, core_transfer_id asserts the number is under it: found by core_restore_fuzz).
  constexpr std::uint64_t kMaxCounter = std::uint64_t{1} << 62;
  if (s.next_trade_id >= kMaxCounter || s.next_transfer_n >= kMaxCounter) {
    return Err{CoreError::kBadRecord};
  }
  if (s.next_lock_n == 0 || s.next_lock_n >= kHoldOwnerIdLimit) return Err{CoreError::kBadRecord};
  for (std::size_t i = 0; i < s.resale_locks.size(); ++i) {
    const ResaleLockRecord& l = s.resale_locks[i];
    const Instrument* ins = find(l.instrument);
    if (ins == nullptr || ins->config.same_day_resale || l.amount <= 0 || l.lock_n == 0 ||
        l.lock_n >= s.next_lock_n || l.amount > kMaxRestoredLockT) {
      return Err{CoreError::kBadRecord};
    }
    const auto key = [](const ResaleLockRecord& r) {
      return std::pair(r.account.value(), r.instrument.value());
    };
    if (i > 0 && !(key(s.resale_locks[i - 1]) < key(l))) return Err{CoreError::kBadRecord};
  }
  for (const InstrumentStateRecord& r : s.instruments) {
    Instrument& ins = *find(r.instrument);
    ins.phase = r.phase;
    ins.reference_fen = r.reference_fen;
    ins.stats = r.stats;
    ins.band = grid_band(r.reference_fen, ins.config, config_.limits.max_price_levels);
    CX_ASSERT(ins.book.rebase(ins.band.low_fen, ins.band.high_fen).ok());
  }
  next_order_id_ = s.next_order_id;
  next_trade_id_ = s.next_trade_id;
  next_transfer_n_ = s.next_transfer_n;
  days_closed_ = s.days_closed;
  seq_ = s.last_seq;
  resale_locks_ = s.resale_locks;
  next_lock_n_ = s.next_lock_n;
  return {};
}

std::size_t Core::memory_bytes() const {
  static_assert(sizeof(OrderInfo) == kOrderInfoBytes);
  std::size_t bytes = 0;
  for (const Instrument& ins : instruments_) {
    bytes += ins.book.memory_bytes() + ins.orders.capacity() * sizeof(OrderInfo);
  }
  return bytes;
}

const InstrumentConfig* Core::instrument(InstrumentId id) const {
  const Instrument* ins = find(id);
  return ins == nullptr ? nullptr : &ins->config;
}

const FeeSchedule& Core::fee_schedule(InstrumentId id) const {
  const Instrument* ins = find(id);
  CX_ASSERT(ins != nullptr);
  return ins->config.fees;
}

const OrderBook& Core::book(InstrumentId id) const {
  const Instrument* ins = find(id);
  CX_ASSERT(ins != nullptr);
  return ins->book;
}

Phase Core::phase(InstrumentId id) const {
  const Instrument* ins = find(id);
  CX_ASSERT(ins != nullptr);
  return ins->phase;
}

PriceFen Core::reference_price(InstrumentId id) const {
  const Instrument* ins = find(id);
  CX_ASSERT(ins != nullptr);
  return ins->reference_fen;
}

Band Core::band(InstrumentId id) const {
  const Instrument* ins = find(id);
  CX_ASSERT(ins != nullptr);
  return ins->band;
}

const DayStats& Core::day_stats(InstrumentId id) const {
  const Instrument* ins = find(id);
  CX_ASSERT(ins != nullptr);
  return ins->stats;
}

}  // namespace carbonx
