#include "carbonx/engine/core.hpp"

#include "carbonx/engine/closing_price.hpp"

#include <algorithm>

#include "dvp.hpp"
#include "hold_resize.hpp"

namespace carbonx {

std::string_view to_string(CoreError e) noexcept {
  switch (e) {
    case CoreError::kUnknownInstrument:
      return "unknown instrument";
    case CoreError::kBookRefused:
      return "the book refused the restored order";
    case CoreError::kNotEmpty:
      return "core has open orders";
    case CoreError::kBadRecord:
      return "record field out of range";
    case CoreError::kBadOffBookRecord:
      return "off-book record field out of range";
    case CoreError::kDuplicatePriority:
      return "two open orders of one instrument have the same priority seq";
    case CoreError::kHoldMismatch:
      return "the order's hold does not cover what it owes";
  }
  return "unknown core error";
}

namespace {

constexpr std::uint64_t kOrderIdLimit = std::uint64_t{1} << 40;

// An order's hold id. The generation is 0 for every order entered since resize_hold exists; a
// store written before may restore an order whose replace moved its hold to a later generation,
// and that order keeps using the id it has (engine ledger.hpp, kHoldOwnerIdLimit).
HoldId order_hold(OrderId id, std::uint16_t generation) {
  CX_ASSERT(id.value() < kOrderIdLimit);
  return make_hold_id(HoldKind::kOrder, id.value() | (std::uint64_t{generation} << 40));
}

RejectReason from_book(BookError e) {
  switch (e) {
    case BookError::kUnknownOrder:
      return RejectReason::kUnknownOrder;
    case BookError::kBookFull:
      return RejectReason::kBookFull;
    case BookError::kLevelFull:
      return RejectReason::kLevelFull;
    case BookError::kPriceOutOfRange:
      return RejectReason::kPriceOutsideBand;
    case BookError::kPriceNotOnTick:
      return RejectReason::kPriceNotOnTick;
    case BookError::kBadQuantity:
      return RejectReason::kQuantityNotLotMultiple;
    case BookError::kNoOppositeOrders:
      return RejectReason::kNoOppositeOrders;
    case BookError::kSelfTrade:
      return RejectReason::kSelfTrade;
    case BookError::kFokNotFillable:
      return RejectReason::kFokNotFillable;
    case BookError::kBadTimeInForce:
      return RejectReason::kBadTimeInForce;
    case BookError::kDuplicateOrderId:
    case BookError::kWouldCross:
    case BookError::kNotEmpty:
      break;
  }
  CX_ASSERT(false && "book error the core's checks exclude");
  return RejectReason::kBadCommand;
}

RejectReason from_ledger(LedgerError e) {
  switch (e) {
    case LedgerError::kInsufficientAvailable:
      return RejectReason::kInsufficientFunds;
    case LedgerError::kUnknownAccount:
    case LedgerError::kAccountNotActive:
      return RejectReason::kAccountNotUsable;
    default:
      break;
  }
  CX_ASSERT(false && "ledger error a hold cannot return");
  return RejectReason::kBadCommand;
}

CancelReason from_remainder(Remainder r) {
  switch (r) {
    case Remainder::kCancelledSelfTrade:
      return CancelReason::kSelfTrade;
    case Remainder::kCancelledFillLimit:
      return CancelReason::kFillLimit;
    default:
      return CancelReason::kIocRemainder;
  }
}

bool valid_side(Side s) {
  return s == Side::kBuy || s == Side::kSell;
}

}  // namespace

Core::Core(const ExchangeConfig& config, Ledger& ledger) : config_(config), ledger_(ledger) {
  const CoreLimits& lim = config_.limits;
  CX_ASSERT(!config_.instruments.empty());
  CX_ASSERT(config_.instruments.size() <= lim.max_instruments);
  std::uint32_t max_id = 0;
  for (const InstrumentConfig& ic : config_.instruments) {
    CX_ASSERT(validate_instrument(ic, lim).ok());
    max_id = std::max(max_id, ic.id.value());
  }
  index_of_.assign(max_id + 1, -1);
  instruments_.reserve(config_.instruments.size());
  for (const InstrumentConfig& ic : config_.instruments) {
    CX_ASSERT(index_of_[ic.id.value()] == -1);
    index_of_[ic.id.value()] = static_cast<std::int32_t>(instruments_.size());
    const Band band = grid_band(ic.reference_price_fen, ic, lim.max_price_levels);
    BookConfig bc{band.low_fen,
                  band.high_fen,
                  ic.tick_fen,
                  lim.max_orders_per_book,
                  lim.max_orders_per_level,
                  lim.max_price_levels,
                  lim.max_fills_per_order,
                  ic.stp,
                  /*fresh_ids=*/true};
    instruments_.push_back(Instrument{ic, OrderBook(bc),
                                      std::vector<OrderInfo>(lim.max_orders_per_book),
                                      Phase::kClosed, ic.reference_price_fen, band, DayStats{}});
  }
  // take_changed_orders() sorts by instrument through a counting pass: each instrument's bucket
  // is its rank among the ids (the instruments may be configured in any order).
  changed_bucket_.assign(max_id + 1, 0);
  std::uint32_t rank = 0;
  for (std::uint32_t id = 0; id <= max_id; ++id) {
    if (index_of_[id] >= 0) changed_bucket_[id] = rank++;
  }
  changed_counts_.assign(rank + 1, 0);
  events_.reserve(lim.outbox_capacity);
  changed_.reserve(lim.outbox_capacity);
  changed_scratch_.reserve(lim.outbox_capacity);
  scratch_views_.reserve(lim.max_orders_per_book);
  max_events_per_order_command_ = 8 + 4 * static_cast<std::size_t>(lim.max_fills_per_order);
}

Core::Instrument* Core::find(InstrumentId id) {
  if (id.value() >= index_of_.size() || index_of_[id.value()] < 0) return nullptr;
  return &instruments_[static_cast<std::size_t>(index_of_[id.value()])];
}

const Core::Instrument* Core::find(InstrumentId id) const {
  return const_cast<Core*>(this)->find(id);
}

void Core::reject(CommandType type, RejectReason reason, AccountId account, MemberId member,
                  InstrumentId instrument, OrderId order_id, const ClientOrderId& clid) {
  emit(RejectEvent{type, reason, account, member, instrument, order_id, clid});
}

void Core::mark_changed(const Instrument& ins, OrderId id) {
  // One u64 per entry (instrument above the 40-bit order id): sorts as (instrument, order id).
  CX_ASSERT(id.value() < kOrderIdLimit);
  const std::uint64_t key = (std::uint64_t{ins.config.id.value()} << 40) | id.value();
  if (!changed_.empty() && changed_.back() == key) return;  // the same order twice in a row
  changed_.push_back(key);
}

std::vector<ChangedOrder> Core::take_changed_orders() {
  // Sorted by (instrument, order id) without one comparison sort of the whole batch (that was
  // ~12% of the core's time on BM_CoreThroughput): a counting pass by instrument, then each
  // instrument's keys by insertion sort up to 16 and std::sort above (a batch of 64 commands over
  // four instruments gives a few dozen keys each, not in order enough for insertion sort: 16%
  // fewer instructions here under cachegrind than with insertion sort up to 64).
  std::vector<ChangedOrder> out;
  const std::size_t n = changed_.size();
  if (n == 0) return out;
  std::fill(changed_counts_.begin(), changed_counts_.end(), 0);
  for (const std::uint64_t k : changed_)
    ++changed_counts_[changed_bucket_[k >> 40] + 1];
  for (std::size_t b = 1; b < changed_counts_.size(); ++b)
    changed_counts_[b] += changed_counts_[b - 1];
  changed_scratch_.resize(n);
  for (const std::uint64_t k : changed_)
    changed_scratch_[changed_counts_[changed_bucket_[k >> 40]]++] = k;
  // changed_counts_[b] is now where bucket b ends.
  std::size_t begin = 0;
  for (std::size_t b = 0; b + 1 < changed_counts_.size(); ++b) {
    std::uint64_t* const p = changed_scratch_.data() + begin;
    const std::size_t m = changed_counts_[b] - begin;
    begin = changed_counts_[b];
    if (m > 16) {
      std::sort(p, p + m);
      continue;
    }
    for (std::size_t i = 1; i < m; ++i) {
      const std::uint64_t x = p[i];
      std::size_t j = i;
      for (; j > 0 && p[j - 1] > x; --j)
        p[j] = p[j - 1];
      p[j] = x;
    }
  }
  // changed_ and the scratch keep their reserved capacity.
  out.reserve(n);
  std::uint64_t last = ~std::uint64_t{0};
  for (const std::uint64_t k : changed_scratch_) {
    if (k == last) continue;
    last = k;
    out.push_back(ChangedOrder{InstrumentId(static_cast<std::uint32_t>(k >> 40)),
                               OrderId(k & (kOrderIdLimit - 1))});
  }
  changed_.clear();
  changed_scratch_.clear();
  return out;
}

void Core::apply(const Command& cmd) {
  CX_ASSERT(cmd.seq > seq_);
  seq_ = cmd.seq;
  ts_ = cmd.ts;
  if (!trading_day_.contains(cmd.ts)) trading_day_ = trading_day(cmd.ts);  // once a day
  trade_date_ = trading_day_.date;
  ledger_.begin_command(cmd.seq, cmd.ts);
  const std::size_t before = events_.size();
  switch (type_of(cmd)) {
    case CommandType::kNewOrder:
      on_new_order(std::get<NewOrder>(cmd.body));
      CX_ASSERT(events_.size() - before <= max_events_per_order_command_);
      break;
    case CommandType::kCancel:
      on_cancel(std::get<Cancel>(cmd.body));
      break;
    case CommandType::kReplace:
      on_replace(std::get<Replace>(cmd.body));
      CX_ASSERT(events_.size() - before <= max_events_per_order_command_);
      break;
    case CommandType::kMassCancel:
      on_mass_cancel(std::get<MassCancel>(cmd.body));
      break;
    case CommandType::kSetPhase:
      on_set_phase(std::get<SetPhase>(cmd.body));
      break;
    case CommandType::kEndOfDay:
      on_end_of_day();
      break;
    case CommandType::kAgreementReport:
    case CommandType::kAgreementAccept:
    case CommandType::kAgreementDecline:
    case CommandType::kAuctionOpen:
    case CommandType::kAuctionBid:
    case CommandType::kAuctionReviseBid:
    case CommandType::kAuctionWithdrawBid:
    case CommandType::kAuctionClose:
    case CommandType::kRepoFile:
    case CommandType::kRepoConfirm:
    case CommandType::kRepoDecline:
    case CommandType::kRepoEarlyRepurchase:
    case CommandType::kRepoMature:
    case CommandType::kRepoResolveDefault:
      apply_offbook(cmd);
      break;
  }
}

std::optional<RejectReason> Core::check_trading(const Instrument& ins) const {
  if (ins.phase == Phase::kClosed) return RejectReason::kMarketClosed;
  if (ins.phase == Phase::kHalted) return RejectReason::kInstrumentHalted;
  return std::nullopt;
}

std::optional<RejectReason> Core::check_quantity(const Instrument& ins, QuantityT q,
                                                 bool check_min) const {
  const InstrumentConfig& c = ins.config;
  if (q.value() <= 0 || q.value() % c.lot_t.value() != 0) {
    return RejectReason::kQuantityNotLotMultiple;
  }
  if (check_min && q < c.min_order_t) return RejectReason::kQuantityBelowMinimum;
  if (q > c.max_order_t) return RejectReason::kQuantityAboveMaximum;
  return std::nullopt;
}

std::optional<RejectReason> Core::check_price(const Instrument& ins, PriceFen p) const {
  if (p.value() <= 0 || p.value() % ins.config.tick_fen.value() != 0) {
    return RejectReason::kPriceNotOnTick;
  }
  if (p < ins.band.low_fen || p > ins.band.high_fen) return RejectReason::kPriceOutsideBand;
  return std::nullopt;
}

bool Core::within_hours(const std::vector<HoursWindow>& hours) const {
  if (hours.empty()) return true;
  constexpr std::int64_t kNsPerMinute = 60'000'000'000;
  const std::int64_t at = ts_.value() - trading_day_.begin_ns;  // since China midnight
  for (const HoursWindow& h : hours) {
    if (at >= h.open_minute * kNsPerMinute && at < h.close_minute * kNsPerMinute) return true;
  }
  return false;
}

std::optional<RejectReason> Core::check_new_order(const Instrument& ins, const NewOrder& c) const {
  const bool type_ok = c.type == OrderType::kLimit || c.type == OrderType::kClick;
  const bool tif_ok =
      c.tif == TimeInForce::kDay || c.tif == TimeInForce::kIoc || c.tif == TimeInForce::kFok;
  if (!valid_side(c.side) || !type_ok || !tif_ok) return RejectReason::kBadCommand;
  if (auto r = check_trading(ins)) return r;
  if (!within_hours(ins.config.listed_hours)) return RejectReason::kOutsideTradingHours;
  if (auto r = check_quantity(ins, c.quantity_t, true)) return r;
  if (c.type == OrderType::kClick) {
    if (c.price_fen.value() != 0 && ins.config.take_levels == 0) {
      return RejectReason::kPriceNotAllowed;
    }
    if (c.tif != TimeInForce::kIoc) return RejectReason::kBadTimeInForce;
    return c.price_fen.value() != 0 ? check_take(ins, c) : std::nullopt;
  }
  return check_price(ins, c.price_fen);
}

std::optional<RejectReason> Core::check_take(const Instrument& ins, const NewOrder& c) const {
  if (auto r = check_price(ins, c.price_fen)) return r;
  const std::uint32_t n = ins.config.take_levels;
  const std::uint32_t rank = ins.book.level_rank(opposite(c.side), c.price_fen, n);
  if (rank == 0 || rank > n) return RejectReason::kNotAmongBestLevels;
  return std::nullopt;
}

void Core::lock_purchase(const Instrument& ins, AccountId buyer, QuantityT q) {
  const auto key = [](AccountId a, InstrumentId i) { return std::pair(a.value(), i.value()); };
  const auto want = key(buyer, ins.config.id);
  auto it = std::lower_bound(
      resale_locks_.begin(), resale_locks_.end(), want,
      [&](const ResaleLockRecord& l, const auto& k) { return key(l.account, l.instrument) < k; });
  if (it != resale_locks_.end() && key(it->account, it->instrument) == want) {
    const auto st = ledger_.resize_hold(make_hold_id(HoldKind::kResaleLock, it->lock_n),
                                        it->amount + q.value());
    CX_ASSERT(st.ok());  // the units were credited by the post just made
    it->amount += q.value();
    return;
  }
  CX_ASSERT(next_lock_n_ < kHoldOwnerIdLimit);
  const ResaleLockRecord l{buyer, ins.config.id, next_lock_n_++, q.value()};
  const auto st = ledger_.hold(make_hold_id(HoldKind::kResaleLock, l.lock_n), buyer,
                               asset_of(l.instrument), l.amount);
  CX_ASSERT(st.ok());
  resale_locks_.insert(it, l);
}

RejectReason Core::units_refusal(AccountId seller, InstrumentId instrument, QuantityT q) const {
  for (const ResaleLockRecord& l : resale_locks_) {
    if (l.account != seller || l.instrument != instrument) continue;
    const BalanceView b = ledger_.balance(seller, asset_of(instrument));
    return b.available < q.value() && b.available + l.amount >= q.value()
               ? RejectReason::kBoughtToday
               : RejectReason::kInsufficientFunds;
  }
  return RejectReason::kInsufficientFunds;
}

void Core::release_resale_locks() {
  for (const ResaleLockRecord& l : resale_locks_) {
    CX_ASSERT(ledger_.release(make_hold_id(HoldKind::kResaleLock, l.lock_n), l.amount).ok());
  }
  resale_locks_.clear();
}

std::int64_t Core::hold_need(const Instrument& ins, Side side, const OrderInfo& info,
                             PriceFen limit_fen, QuantityT leaves_t) const {
  if (leaves_t.value() == 0) return 0;
  if (side == Side::kSell) return leaves_t.value();
  const AmountFen n = notional(limit_fen, leaves_t);
  return (n + ins.config.fees.max_fee(TradingMode::kListed, Side::kBuy, info.cum_notional_fen, n))
      .value();
}

void Core::trim_hold(Instrument& ins, OrderInfo& info, std::int64_t need) {
  (void)ins;
  CX_ASSERT(need >= 0);
  CX_ASSERT(info.hold_amount >= need);
  const std::int64_t excess = info.hold_amount - need;
  if (excess == 0) return;
  auto st = ledger_.release(order_hold(info.id, info.hold_generation), excess);
  CX_ASSERT(st.ok());
  info.hold_amount = need;
}

void Core::on_new_order(const NewOrder& c) {
  Instrument* ins = find(c.instrument);
  const auto rej = [&](RejectReason r) {
    reject(CommandType::kNewOrder, r, c.account, c.member, c.instrument, OrderId(0),
           c.client_order_id);
  };
  if (ins == nullptr) return rej(RejectReason::kUnknownInstrument);
  if (auto r = check_new_order(*ins, c)) return rej(*r);
  CX_ASSERT(next_order_id_ < kOrderIdLimit);
  const OrderId id(next_order_id_);
  ins->book.prefetch(id);  // overlaps the table miss of add_checked with the checks and the hold
  const BookOrder bo{id, c.account, c.side, c.type, c.tif, c.price_fen, c.quantity_t};
  // A click naming a level (take_levels): the take of a listing, at that level only.
  const bool take = c.type == OrderType::kClick && c.price_fen.value() != 0;
  if (take) {
    if (auto st = ins->book.check_take(bo, c.price_fen); !st) return rej(from_book(st.error()));
  } else if (auto st = ins->book.check_add(bo); !st) {
    return rej(from_book(st.error()));
  }
  Active a;
  a.limit_fen = c.type == OrderType::kClick && !take
                    ? (c.side == Side::kBuy ? *ins->book.best_ask() : *ins->book.best_bid())
                    : c.price_fen;
  a.leaves_t = c.quantity_t;
  a.info = OrderInfo{id, c.account, c.member,          QuantityT(0), AmountFen(0), 0,
                     0,  c.side,    c.client_order_id, seq_,         ts_,          seq_};
  if (c.side == Side::kBuy &&
      ledger_.holding_room(c.account, asset_of(c.instrument)) < c.quantity_t.value()) {
    return rej(RejectReason::kHoldingLimit);  // checked here: a fill can't be refused mid-match
  }
  const std::int64_t need = hold_need(*ins, c.side, a.info, a.limit_fen, c.quantity_t);
  const AssetId asset = c.side == Side::kSell ? asset_of(c.instrument) : kCashAsset;
  if (auto st = ledger_.hold(order_hold(id, 0), c.account, asset, need); !st) {
    if (c.side == Side::kSell && st.error() == LedgerError::kInsufficientAvailable &&
        !resale_locks_.empty()) {
      return rej(units_refusal(c.account, c.instrument, c.quantity_t));
    }
    return rej(from_ledger(st.error()));
  }
  a.info.hold_amount = need;
  ++next_order_id_;
  emit(AckEvent{id, c.account, c.member, c.instrument, c.side, c.type, c.tif, a.limit_fen,
                c.quantity_t, c.client_order_id});
  // check_add (check_take) passed above and the hold changed nothing in the book.
  const AddOutcome out = take ? ins->book.take_checked(bo, c.price_fen) : ins->book.add_checked(bo);
  process_book_events(*ins, a);
  finish_active(*ins, a, out);
}

void Core::process_book_events(Instrument& ins, Active& a) {
  for (const BookEvent& e : ins.book.events()) {
    switch (e.kind) {
      case BookEventKind::kFill:
        settle_fill(ins, a, e);
        break;
      case BookEventKind::kRestingCancelled:
        cancel_resting(ins, e.resting_slot,
                       OrderView{e.resting_id, e.resting_account, opposite(a.info.side),
                                 e.price_fen, e.quantity_t, e.resting_slot},
                       CancelReason::kSelfTrade);
        break;
      case BookEventKind::kLevel:
        emit(BookDeltaEvent{ins.config.id, e.side, e.price_fen, e.quantity_t});
        break;
    }
  }
}

void Core::record_trade(DayStats& s, PriceFen price, QuantityT qty, AmountFen notional_fen) {
  if (s.trade_count == 0) s.open_fen = s.high_fen = s.low_fen = price;
  s.high_fen = std::max(s.high_fen, price);
  s.low_fen = std::min(s.low_fen, price);
  s.last_fen = price;
  s.volume_t += qty;
  s.turnover_fen += notional_fen;
  ++s.trade_count;
}

void Core::settle_fill(Instrument& ins, Active& a, const BookEvent& e) {
  OrderInfo& r = ins.orders[e.resting_slot];
  CX_ASSERT(r.id == e.resting_id);
  CX_ASSERT(r.side != a.info.side);
  const bool incoming_buys = a.info.side == Side::kBuy;
  OrderInfo& buyer = incoming_buys ? a.info : r;
  OrderInfo& seller = incoming_buys ? r : a.info;
  const AmountFen n = notional(e.price_fen, e.quantity_t);
  const FeeSchedule& fees = ins.config.fees;
  const FeeCharge fb = fees.charge(FeeQuery{TradingMode::kListed, Side::kBuy, trade_date_, Date{}},
                                   buyer.cum_notional_fen, n);
  const FeeCharge fs = fees.charge(FeeQuery{TradingMode::kListed, Side::kSell, trade_date_, Date{}},
                                   seller.cum_notional_fen, n);
  const TradeId trade(next_trade_id_++);
  const DvpPostings p =
      dvp_postings(Dvp{seller.account, buyer.account, asset_of(ins.config.id), e.quantity_t.value(),
                       n.value(), order_hold(seller.id, seller.hold_generation),
                       order_hold(buyer.id, buyer.hold_generation), TransferKind::kTrade,
                       fb.fee_fen.value(), fs.fee_fen.value(), config_.fee_account, trade.value()},
                   next_transfer_n_);
  const auto st = ledger_.post(p.span());
  CX_ASSERT(st.ok());
  next_transfer_n_ += p.count;
  buyer.hold_amount -= (n + fb.fee_fen).value();
  seller.hold_amount -= e.quantity_t.value();
  CX_ASSERT(buyer.hold_amount >= 0 && seller.hold_amount >= 0);
  for (OrderInfo* o : {&buyer, &seller}) {
    o->cum_t += e.quantity_t;
    o->cum_notional_fen += n;
  }
  a.leaves_t = e.incoming_leaves_t;
  if (r.side == Side::kBuy) {
    trim_hold(ins, r, hold_need(ins, Side::kBuy, r, e.price_fen, e.resting_leaves_t));
  }
  CX_ASSERT(r.side == Side::kBuy || r.hold_amount == e.resting_leaves_t.value());
  record_trade(ins.stats, e.price_fen, e.quantity_t, n);
  if (!ins.config.same_day_resale) lock_purchase(ins, buyer.account, e.quantity_t);
  const FeeCharge& fa = incoming_buys ? fb : fs;
  const FeeCharge& fr = incoming_buys ? fs : fb;
  emit(FillEvent{a.info.id, trade, a.info.account, a.info.member, ins.config.id, a.info.side, true,
                 e.price_fen, e.quantity_t, e.incoming_leaves_t, a.info.cum_t, fa.fee_fen,
                 fa.waived_fen, fa.waiver_rule_id, r.id, a.info.client_order_id});
  emit(FillEvent{r.id, trade, r.account, r.member, ins.config.id, r.side, false, e.price_fen,
                 e.quantity_t, e.resting_leaves_t, r.cum_t, fr.fee_fen, fr.waived_fen,
                 fr.waiver_rule_id, a.info.id, r.client_order_id});
  emit(TradeEvent{ins.config.id, trade, e.price_fen, e.quantity_t, incoming_buys ? a.info.id : r.id,
                  incoming_buys ? r.id : a.info.id, a.info.side});
  mark_changed(ins, r.id);
}

void Core::finish_active(Instrument& ins, Active& a, const AddOutcome& out) {
  if (out.remainder == Remainder::kRested) {
    trim_hold(ins, a.info, hold_need(ins, a.info.side, a.info, a.limit_fen, out.leaves_t));
    ins.orders[out.slot] = a.info;
    mark_changed(ins, a.info.id);
    return;
  }
  trim_hold(ins, a.info, 0);
  if (out.leaves_t.value() > 0) {
    emit(CancelEvent{a.info.id, a.info.account, a.info.member, ins.config.id, a.info.side,
                     from_remainder(out.remainder), out.leaves_t, a.info.client_order_id});
  }
}

void Core::cancel_resting(Instrument& ins, std::uint32_t slot, const OrderView& view,
                          CancelReason reason) {
  OrderInfo& info = ins.orders[slot];
  CX_ASSERT(info.id == view.id);
  trim_hold(ins, info, 0);
  emit(CancelEvent{info.id, info.account, info.member, ins.config.id, info.side, reason,
                   view.leaves_t, info.client_order_id});
  mark_changed(ins, info.id);
}

void Core::on_cancel(const Cancel& c) {
  Instrument* ins = find(c.instrument);
  const auto rej = [&](RejectReason r) {
    reject(CommandType::kCancel, r, c.account, c.member, c.instrument, c.order_id,
           c.client_order_id);
  };
  if (ins == nullptr) return rej(RejectReason::kUnknownInstrument);
  const auto view = ins->book.find(c.order_id);
  if (!view) return rej(RejectReason::kUnknownOrder);
  if (ins->orders[view->slot].account != c.account) return rej(RejectReason::kNotOwner);
  ins->book.cancel_found(*view);  // the order found above: no second lookup of its id
  cancel_resting(*ins, view->slot, *view, CancelReason::kRequested);
  for (const BookEvent& e : ins->book.events()) {
    emit(BookDeltaEvent{ins->config.id, e.side, e.price_fen, e.quantity_t});
  }
}

void Core::on_replace(const Replace& c) {
  Instrument* ins = find(c.instrument);
  const auto rej = [&](RejectReason r) {
    reject(CommandType::kReplace, r, c.account, c.member, c.instrument, c.order_id,
           c.client_order_id);
  };
  if (ins == nullptr) return rej(RejectReason::kUnknownInstrument);
  if (auto r = check_trading(*ins)) return rej(*r);
  if (!within_hours(ins->config.listed_hours)) return rej(RejectReason::kOutsideTradingHours);
  const auto view = ins->book.find(c.order_id);
  if (!view) return rej(RejectReason::kUnknownOrder);
  if (ins->orders[view->slot].account != c.account) return rej(RejectReason::kNotOwner);
  if (auto r = check_quantity(*ins, c.quantity_t, false)) return rej(*r);
  if (auto r = check_price(*ins, c.price_fen)) return rej(*r);
  if (auto st = ins->book.check_replace_found(*view, c.price_fen, c.quantity_t); !st) {
    return rej(from_book(st.error()));
  }
  Active a{ins->orders[view->slot], c.price_fen, c.quantity_t};
  if (a.info.side == Side::kBuy && c.quantity_t > view->leaves_t &&
      ledger_.holding_room(c.account, asset_of(c.instrument)) < c.quantity_t.value()) {
    return rej(RejectReason::kHoldingLimit);  // enlarging a buy is checked like a new one
  }
  const std::int64_t need = hold_need(*ins, a.info.side, a.info, c.price_fen, c.quantity_t);
  if (need > a.info.hold_amount) {  // less is trimmed after matching, like every order's hold
    const HoldId hold = order_hold(a.info.id, a.info.hold_generation);
    if (auto e = resize_owned_hold(ledger_, hold, a.info.hold_amount, need)) {
      return rej(from_ledger(*e));
    }
  }
  const bool keeps = c.price_fen == view->price_fen && c.quantity_t <= view->leaves_t;
  if (!keeps) a.info.priority_seq = seq_;  // it joins the tail of its (new) level now
  // From now on the order answers to the replace's ClOrdID (FIX); the stored record carries it,
  // so a restarted gateway finds the order under the ClOrdID the member will name next.
  a.info.client_order_id = c.client_order_id;
  emit(ReplaceAckEvent{c.order_id, a.info.account, a.info.member, c.instrument, a.info.side,
                       c.price_fen, c.quantity_t, keeps, a.info.client_order_id});
  const AddOutcome out = ins->book.replace_checked_found(*view, c.price_fen, c.quantity_t);
  CX_ASSERT(out.kept_priority == keeps);
  process_book_events(*ins, a);
  finish_active(*ins, a, out);
  mark_changed(*ins, c.order_id);
}

void Core::remove_all(Instrument& ins, CancelReason reason, const MassCancel* filter) {
  scratch_views_.clear();
  ins.book.for_each_order([&](const OrderView& v) {
    const OrderInfo& o = ins.orders[v.slot];
    if (filter != nullptr) {
      if (filter->by_account && o.account != filter->account) return;
      if (filter->by_member && o.member != filter->member) return;
    }
    scratch_views_.push_back(v);
  });
  for (const OrderView& v : scratch_views_) {
    ins.book.cancel_found(v);
    cancel_resting(ins, v.slot, v, reason);
    for (const BookEvent& e : ins.book.events()) {
      emit(BookDeltaEvent{ins.config.id, e.side, e.price_fen, e.quantity_t});
    }
  }
}

void Core::on_mass_cancel(const MassCancel& c) {
  const auto rej = [&](RejectReason r) {
    reject(CommandType::kMassCancel, r, c.account, c.member, c.instrument, OrderId(0),
           ClientOrderId{});
  };
  if (!c.by_member && !c.by_account && !c.by_instrument) return rej(RejectReason::kBadCommand);
  if (c.by_instrument) {
    Instrument* ins = find(c.instrument);
    if (ins == nullptr) return rej(RejectReason::kUnknownInstrument);
    return remove_all(*ins, CancelReason::kMassCancel, &c);
  }
  for (Instrument& ins : instruments_)
    remove_all(ins, CancelReason::kMassCancel, &c);
}

void Core::on_set_phase(const SetPhase& c) {
  const auto rej = [&](RejectReason r) {
    reject(CommandType::kSetPhase, r, AccountId(0), MemberId(0), c.instrument, OrderId(0),
           ClientOrderId{});
  };
  if (c.phase != Phase::kClosed && c.phase != Phase::kContinuous && c.phase != Phase::kHalted) {
    return rej(RejectReason::kBadCommand);
  }
  if (!c.all_instruments) {
    Instrument* ins = find(c.instrument);
    if (ins == nullptr) return rej(RejectReason::kUnknownInstrument);
    ins->phase = c.phase;
    return emit(PhaseEvent{ins->config.id, c.phase});
  }
  for (Instrument& ins : instruments_) {
    ins.phase = c.phase;
    emit(PhaseEvent{ins.config.id, c.phase});
  }
}

void Core::on_end_of_day() {
  for (Instrument& ins : instruments_) {
    remove_all(ins, CancelReason::kExpired, nullptr);
    DayStatsEvent ev;
    ev.instrument = ins.config.id;
    ev.stats = ins.stats;
    ev.reference_fen = ins.reference_fen;
    if (ins.stats.volume_t.value() > 0) {
      ev.vwap_fen = day_vwap_fen(ins.stats.turnover_fen, ins.stats.volume_t, ins.config.tick_fen);
    }
    ev.close_fen = closing_price_fen(ins.stats.turnover_fen, ins.stats.volume_t, ins.reference_fen,
                                     closing_rule(ins.config, config_.limits));
    emit(ev);
    ins.reference_fen = ev.close_fen;
    ins.band = grid_band(ins.reference_fen, ins.config, config_.limits.max_price_levels);
    CX_ASSERT(ins.book.rebase(ins.band.low_fen, ins.band.high_fen).ok());
    ins.stats = DayStats{};
    ins.phase = Phase::kClosed;
    emit(PhaseEvent{ins.config.id, Phase::kClosed});
  }
  offbook_end_of_day();
  release_resale_locks();  // the units bought today are sellable from the next trading day
  ++days_closed_;
}

}  // namespace carbonx
