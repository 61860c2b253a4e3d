// One-way bidding auction (单向竞价 / paid allocation): open, sealed bids, revise, withdraw,
// close with clearing by price then time. Rules: offbook.hpp.

#include <algorithm>

#include "dvp.hpp"
#include "hold_resize.hpp"
#include "offbook_ops.hpp"

namespace carbonx {
namespace {

AuctionRecord* find_auction(OffBookStateRecord& s, OffBookId id) {
  auto it = std::lower_bound(s.auctions.begin(), s.auctions.end(), id,
                             [](const AuctionRecord& a, OffBookId x) { return a.id < x; });
  return it != s.auctions.end() && it->id == id ? &*it : nullptr;
}

BidRecord* find_bid(AuctionRecord& a, OffBookId id) {
  auto it =
      std::find_if(a.bids.begin(), a.bids.end(), [&](const BidRecord& b) { return b.id == id; });
  return it == a.bids.end() ? nullptr : &*it;
}

// The most one bidder may bid (and win): quantity x max_share_bp / 10000, down to the lot.
QuantityT bidder_cap(const AuctionOpen& t, QuantityT lot) {
  const std::int64_t raw = static_cast<std::int64_t>(static_cast<__int128>(t.quantity_t.value()) *
                                                     t.max_share_bp / 10'000);
  return QuantityT(raw / lot.value() * lot.value());
}

bool in_window(const AuctionOpen& t, TimestampNs ts) {
  return ts >= t.start_ts && ts < t.end_ts;
}

AuctionBidEvent bid_event(const AuctionRecord& a, const BidRecord& b, BidStatus status) {
  AuctionBidEvent e;
  e.auction_id = a.id;
  e.bid_id = b.id;
  e.status = status;
  e.account = b.account;
  e.member = b.member;
  e.instrument = a.terms.instrument;
  e.price_fen = b.price_fen;
  e.quantity_t = b.quantity_t;
  e.client_order_id = b.client_order_id;
  return e;
}

AuctionEvent auction_event(const AuctionRecord& a, AuctionStatus status) {
  const AuctionOpen& t = a.terms;
  AuctionEvent e;
  e.auction_id = a.id;
  e.status = status;
  e.instrument = t.instrument;
  e.seller = t.seller;
  e.quantity_t = t.quantity_t;
  e.reserve_fen = t.reserve_fen;
  e.start_ts = t.start_ts;
  e.end_ts = t.end_ts;
  e.pricing = t.pricing;
  e.bids = static_cast<std::uint32_t>(a.bids.size());
  return e;
}

std::optional<RejectReason> check_open(const InstrumentConfig& cfg, const AuctionOpen& c) {
  const std::int64_t lot = cfg.lot_t.value();
  const bool pricing_ok =
      c.pricing == AuctionPricing::kPayAsBid || c.pricing == AuctionPricing::kUniform;
  if (!pricing_ok || c.max_share_bp == 0 || c.max_share_bp > 10'000 || c.min_fill_bp > 10'000 ||
      c.end_ts <= c.start_ts) {
    return RejectReason::kBadCommand;
  }
  if (c.quantity_t.value() <= 0 || c.quantity_t.value() % lot != 0) {
    return RejectReason::kQuantityNotLotMultiple;
  }
  if (c.quantity_t.value() > 1'000'000'000) return RejectReason::kQuantityAboveMaximum;
  if (c.min_bid_t.value() <= 0 || c.min_bid_t.value() % lot != 0) {
    return RejectReason::kQuantityNotLotMultiple;
  }
  if (c.min_bid_t > c.quantity_t || c.min_bid_t > bidder_cap(c, cfg.lot_t)) {
    return RejectReason::kQuantityAboveMaximum;  // no bid could ever be valid
  }
  if (c.reserve_fen.value() <= 0 || c.reserve_fen.value() % cfg.tick_fen.value() != 0) {
    return RejectReason::kPriceNotOnTick;
  }
  if (c.reserve_fen.value() > 100'000'000) return RejectReason::kPriceOutsideBand;
  return std::nullopt;
}

// A bid's own checks; `except` is the bid being revised (left out of the bidder's total).
std::optional<RejectReason> check_bid(const InstrumentConfig& cfg, const AuctionRecord& a,
                                      AccountId account, PriceFen price, QuantityT qty,
                                      OffBookId except) {
  const AuctionOpen& t = a.terms;
  if (price.value() <= 0 || price.value() % cfg.tick_fen.value() != 0) {
    return RejectReason::kPriceNotOnTick;
  }
  if (price < t.reserve_fen) return RejectReason::kBelowReserve;
  if (price.value() > 100'000'000) return RejectReason::kPriceOutsideBand;
  if (qty.value() <= 0 || qty.value() % cfg.lot_t.value() != 0) {
    return RejectReason::kQuantityNotLotMultiple;
  }
  if (qty < t.min_bid_t) return RejectReason::kQuantityBelowMinimum;
  if (qty > t.quantity_t) return RejectReason::kQuantityAboveMaximum;
  QuantityT mine = qty;
  for (const BidRecord& b : a.bids) {
    if (b.account == account && b.id != except) mine += b.quantity_t;
  }
  if (mine > bidder_cap(t, cfg.lot_t)) return RejectReason::kAboveBidderCap;
  return std::nullopt;
}

}  // namespace

void OffBookOps::auction_open(Core& core, const AuctionOpen& c) {
  const auto rej = [&](RejectReason r) {
    reject(core, CommandType::kAuctionOpen, r, c.seller, MemberId(0), c.instrument, OffBookId(0),
           ClientOrderId{});
  };
  const Core::Instrument* ins = core.find(c.instrument);
  if (ins == nullptr) return rej(RejectReason::kUnknownInstrument);
  if (auto r = check_open(ins->config, c)) return rej(*r);
  if (core.offbook_.auctions.size() >= core.config_.limits.max_open_auctions) {
    return rej(RejectReason::kTooManyOpen);
  }
  const OffBookId id(core.offbook_.next_id);
  const HoldId hold = auction_seller_hold(id);
  if (auto st = core.ledger_.hold(hold, c.seller, asset_of(c.instrument), c.quantity_t.value());
      !st) {
    return rej(from_ledger(st.error()));
  }
  const OffBookId assigned = next_id(core);
  CX_ASSERT(assigned == id);
  core.offbook_.auctions.push_back(AuctionRecord{id, c, c.quantity_t.value(), {}});
  core.emit(auction_event(core.offbook_.auctions.back(), AuctionStatus::kOpened));
}

void OffBookOps::auction_bid(Core& core, const AuctionBid& c) {
  AuctionRecord* a = find_auction(core.offbook_, c.auction_id);
  const auto rej = [&](RejectReason r) {
    reject(core, CommandType::kAuctionBid, r, c.account, c.member,
           a == nullptr ? InstrumentId(0) : a->terms.instrument, c.auction_id, c.client_order_id);
  };
  if (a == nullptr) return rej(RejectReason::kUnknownOffBook);
  if (c.account == a->terms.seller) return rej(RejectReason::kSameAccount);
  if (!in_window(a->terms, core.ts_)) return rej(RejectReason::kOutsideWindow);
  const Core::Instrument* ins = core.find(a->terms.instrument);
  if (auto r = check_bid(ins->config, *a, c.account, c.price_fen, c.quantity_t, OffBookId(0))) {
    return rej(*r);
  }
  if (a->bids.size() >= core.config_.limits.max_bids_per_auction) {
    return rej(RejectReason::kAuctionFull);
  }
  const std::int64_t need = buyer_hold_need(*ins, TradingMode::kAuction, c.price_fen, c.quantity_t);
  const OffBookId id(core.offbook_.next_id);
  if (auto st = core.ledger_.hold(bid_hold(id, 0), c.account, kCashAsset, need); !st) {
    return rej(from_ledger(st.error()));
  }
  const OffBookId assigned = next_id(core);
  CX_ASSERT(assigned == id);
  a->bids.push_back(BidRecord{id, c.account, c.member, c.price_fen, c.quantity_t, need, 0,
                              core.seq_, c.client_order_id});
  core.emit(bid_event(*a, a->bids.back(), BidStatus::kAccepted));
}

void OffBookOps::auction_revise(Core& core, const AuctionReviseBid& c) {
  AuctionRecord* a = find_auction(core.offbook_, c.auction_id);
  BidRecord* b = a == nullptr ? nullptr : find_bid(*a, c.bid_id);
  const auto rej = [&](RejectReason r) {
    reject(core, CommandType::kAuctionReviseBid, r, c.account, c.member,
           a == nullptr ? InstrumentId(0) : a->terms.instrument, c.bid_id, c.client_order_id);
  };
  if (b == nullptr) return rej(RejectReason::kUnknownOffBook);
  if (b->account != c.account) return rej(RejectReason::kNotOwner);
  if (!in_window(a->terms, core.ts_)) return rej(RejectReason::kOutsideWindow);
  const Core::Instrument* ins = core.find(a->terms.instrument);
  if (auto r = check_bid(ins->config, *a, c.account, c.price_fen, c.quantity_t, b->id))
    return rej(*r);
  const std::int64_t need = buyer_hold_need(*ins, TradingMode::kAuction, c.price_fen, c.quantity_t);
  // The bid's one hold grows or shrinks in place (the same protocol as a listed replace).
  if (auto e = resize_owned_hold(core.ledger_, bid_hold(b->id, b->hold_generation), b->hold_amount,
                                 need)) {
    return rej(from_ledger(*e));
  }
  const bool keeps = c.price_fen == b->price_fen && c.quantity_t <= b->quantity_t;
  b->price_fen = c.price_fen;
  b->quantity_t = c.quantity_t;
  b->client_order_id = c.client_order_id;
  if (!keeps) b->priority_seq = core.seq_;
  core.emit(bid_event(*a, *b, BidStatus::kRevised));
}

void OffBookOps::auction_withdraw(Core& core, const AuctionWithdrawBid& c) {
  AuctionRecord* a = find_auction(core.offbook_, c.auction_id);
  BidRecord* b = a == nullptr ? nullptr : find_bid(*a, c.bid_id);
  const auto rej = [&](RejectReason r) {
    reject(core, CommandType::kAuctionWithdrawBid, r, c.account, c.member,
           a == nullptr ? InstrumentId(0) : a->terms.instrument, c.bid_id, c.client_order_id);
  };
  if (b == nullptr) return rej(RejectReason::kUnknownOffBook);
  if (b->account != c.account) return rej(RejectReason::kNotOwner);
  if (!in_window(a->terms, core.ts_)) return rej(RejectReason::kOutsideWindow);
  CX_ASSERT(core.ledger_.release(bid_hold(b->id, b->hold_generation), b->hold_amount).ok());
  AuctionBidEvent e = bid_event(*a, *b, BidStatus::kWithdrawn);
  e.client_order_id = c.client_order_id;
  const OffBookId gone = b->id;
  std::erase_if(a->bids, [&](const BidRecord& x) { return x.id == gone; });
  core.emit(e);
}

namespace {

struct Allocation {
  std::size_t bid = 0;  // index into AuctionRecord::bids
  QuantityT filled_t{0};
};

// Ranks bids by price (high first) then time, and gives each what is left, within its bidder's
// cap, down to the lot. Returns the allocations of bids that got something, in rank order.
std::vector<Allocation> allocate(const AuctionRecord& a, QuantityT lot) {
  std::vector<std::size_t> order(a.bids.size());
  for (std::size_t i = 0; i < order.size(); ++i)
    order[i] = i;
  std::sort(order.begin(), order.end(), [&](std::size_t x, std::size_t y) {
    const BidRecord& bx = a.bids[x];
    const BidRecord& by = a.bids[y];
    if (bx.price_fen != by.price_fen) return bx.price_fen > by.price_fen;
    if (bx.priority_seq != by.priority_seq) return bx.priority_seq < by.priority_seq;
    return bx.id < by.id;
  });
  const QuantityT cap = bidder_cap(a.terms, lot);
  std::vector<std::pair<AccountId, QuantityT>> won;  // per bidder
  std::vector<Allocation> out;
  QuantityT left = a.terms.quantity_t;
  for (std::size_t i : order) {
    if (left.value() == 0) break;
    const BidRecord& b = a.bids[i];
    auto it =
        std::find_if(won.begin(), won.end(), [&](const auto& w) { return w.first == b.account; });
    if (it == won.end()) it = won.insert(won.end(), {b.account, QuantityT(0)});
    QuantityT take = std::min({b.quantity_t, left, cap - it->second});
    take = QuantityT(take.value() / lot.value() * lot.value());
    if (take.value() <= 0) continue;
    it->second += take;
    left -= take;
    out.push_back(Allocation{i, take});
  }
  return out;
}

}  // namespace

void OffBookOps::settle_winner(Core& core, const AuctionRecord& a, const BidRecord& b,
                               QuantityT filled, PriceFen paid, AuctionBidEvent& e) {
  const AmountFen n = notional(paid, filled);
  const FeeSchedule& fees = core.find(a.terms.instrument)->config.fees;
  e.fee = fees.charge(FeeQuery{TradingMode::kAuction, Side::kBuy, core.trade_date_, Date{}},
                      AmountFen(0), n);
  e.trade_id = TradeId(core.next_trade_id_++);
  // The holds cover it: the seller's units, and price x qty + F(price x qty) at the bid price.
  // The auction's seller pays no fee here.
  const DvpPostings p = dvp_postings(
      Dvp{a.terms.seller, b.account, asset_of(a.terms.instrument), filled.value(), n.value(),
          auction_seller_hold(a.id), bid_hold(b.id, b.hold_generation), TransferKind::kAuction,
          e.fee.fee_fen.value(), 0, core.config_.fee_account, a.id.value()},
      core.next_transfer_n_);
  CX_ASSERT(core.ledger_.post(p.span()).ok());
  if (const Core::Instrument* ins = core.find(a.terms.instrument); !ins->config.same_day_resale) {
    core.lock_purchase(*ins, b.account, filled);
  }
  core.next_transfer_n_ += p.count;
  e.filled_t = filled;
  e.paid_fen = paid;
}

void OffBookOps::settle_auction(Core& core, const AuctionRecord& a, AuctionEvent& result) {
  const Core::Instrument* ins = core.find(a.terms.instrument);
  CX_ASSERT(ins != nullptr);
  const std::vector<Allocation> alloc = allocate(a, ins->config.lot_t);
  std::vector<QuantityT> filled(a.bids.size(), QuantityT(0));
  for (const Allocation& x : alloc)
    filled[x.bid] = x.filled_t;
  // The lowest accepted price: the last allocation in rank order.
  const PriceFen clearing = alloc.empty() ? PriceFen(0) : a.bids[alloc.back().bid].price_fen;
  const FeeSchedule& fees = ins->config.fees;
  const AccountId seller = a.terms.seller;
  std::vector<AccountId> winners;
  for (std::size_t i = 0; i < a.bids.size(); ++i) {
    const BidRecord& b = a.bids[i];
    AuctionBidEvent e =
        bid_event(a, b, filled[i].value() > 0 ? BidStatus::kFilled : BidStatus::kUnfilled);
    if (filled[i].value() > 0) {
      const PriceFen paid = a.terms.pricing == AuctionPricing::kUniform ? clearing : b.price_fen;
      const AmountFen n = notional(paid, filled[i]);
      settle_winner(core, a, b, filled[i], paid, e);
      result.cleared_t += filled[i];
      result.proceeds_fen += n;
      result.low_fen = result.low_fen.value() == 0 ? paid : std::min(result.low_fen, paid);
      result.high_fen = std::max(result.high_fen, paid);
      if (std::find(winners.begin(), winners.end(), b.account) == winners.end()) {
        winners.push_back(b.account);
      }
    }
    core.emit(e);
  }
  result.winners = static_cast<std::uint32_t>(winners.size());
  result.seller_fee =
      fees.charge(FeeQuery{TradingMode::kAuction, Side::kSell, core.trade_date_, Date{}},
                  AmountFen(0), result.proceeds_fen);
  if (result.seller_fee.fee_fen.value() > 0) {
    const Posting fee{
        core_transfer_id(core.next_transfer_n_++), seller,  core.config_.fee_account, kCashAsset,
        result.seller_fee.fee_fen.value(),         kNoHold, TransferKind::kFee,       a.id.value()};
    CX_ASSERT(core.ledger_.post(std::span<const Posting>(&fee, 1)).ok());
  }
}

void OffBookOps::auction_close(Core& core, const AuctionClose& c) {
  AuctionRecord* a = find_auction(core.offbook_, c.auction_id);
  const auto rej = [&](RejectReason r) {
    reject(core, CommandType::kAuctionClose, r, AccountId(0), MemberId(0),
           a == nullptr ? InstrumentId(0) : a->terms.instrument, c.auction_id, ClientOrderId{});
  };
  if (a == nullptr) return rej(RejectReason::kUnknownOffBook);
  if (core.ts_ < a->terms.end_ts) return rej(RejectReason::kOutsideWindow);
  QuantityT total{0};
  for (const BidRecord& b : a->bids)
    total += b.quantity_t;
  const __int128 needed = static_cast<__int128>(a->terms.quantity_t.value()) * a->terms.min_fill_bp;
  const bool cancelled =
      static_cast<__int128>(total.value()) * 10'000 < needed || total.value() == 0;
  AuctionEvent result =
      auction_event(*a, cancelled ? AuctionStatus::kCancelled : AuctionStatus::kCleared);
  result.bid_t = total;
  if (!cancelled) settle_auction(core, *a, result);
  for (const BidRecord& b : a->bids) {
    if (const std::int64_t left = core.ledger_.held(bid_hold(b.id, b.hold_generation)); left > 0) {
      CX_ASSERT(core.ledger_.release(bid_hold(b.id, b.hold_generation), left).ok());
    }
    if (cancelled) core.emit(bid_event(*a, b, BidStatus::kUnfilled));
  }
  if (const std::int64_t left = core.ledger_.held(auction_seller_hold(a->id)); left > 0) {
    CX_ASSERT(core.ledger_.release(auction_seller_hold(a->id), left).ok());
  }
  const OffBookId gone = a->id;
  std::erase_if(core.offbook_.auctions, [&](const AuctionRecord& x) { return x.id == gone; });
  core.emit(result);
}

}  // namespace carbonx
