// Off-book trading: shared helpers of the handlers, dispatch, the state hash, restore, queries.

#include <algorithm>

#include "dvp.hpp"
#include "offbook_ops.hpp"

namespace carbonx {

std::string_view to_string(AuctionPricing p) noexcept {
  switch (p) {
    case AuctionPricing::kPayAsBid:
      return "pay as bid";
    case AuctionPricing::kUniform:
      return "uniform";
  }
  return "unknown pricing";
}

std::string_view to_string(AgreementStatus s) noexcept {
  switch (s) {
    case AgreementStatus::kReported:
      return "reported";
    case AgreementStatus::kAccepted:
      return "accepted";
    case AgreementStatus::kDeclined:
      return "declined";
    case AgreementStatus::kWithdrawn:
      return "withdrawn";
    case AgreementStatus::kExpired:
      return "expired";
  }
  return "unknown agreement status";
}

std::string_view to_string(AuctionStatus s) noexcept {
  switch (s) {
    case AuctionStatus::kOpened:
      return "opened";
    case AuctionStatus::kCleared:
      return "cleared";
    case AuctionStatus::kCancelled:
      return "cancelled";
  }
  return "unknown auction status";
}

std::string_view to_string(BidStatus s) noexcept {
  switch (s) {
    case BidStatus::kAccepted:
      return "accepted";
    case BidStatus::kRevised:
      return "revised";
    case BidStatus::kWithdrawn:
      return "withdrawn";
    case BidStatus::kFilled:
      return "filled";
    case BidStatus::kUnfilled:
      return "unfilled";
  }
  return "unknown bid status";
}

std::string_view to_string(RepoStatus s) noexcept {
  switch (s) {
    case RepoStatus::kProposed:
      return "proposed";
    case RepoStatus::kOpen:
      return "open";
    case RepoStatus::kDefaulted:
      return "defaulted";
    case RepoStatus::kRepurchased:
      return "repurchased";
    case RepoStatus::kDeclined:
      return "declined";
    case RepoStatus::kExpired:
      return "expired";
    case RepoStatus::kEarlyConsent:
      return "early repurchase consent";
    case RepoStatus::kResolved:
      return "resolved";
  }
  return "unknown repo status";
}

HoldId agreement_hold(OffBookId id) {
  CX_ASSERT(id.value() > 0 && id.value() < kOffBookIdLimit);
  return make_hold_id(HoldKind::kAgreement, id.value());
}
HoldId auction_seller_hold(OffBookId id) {
  CX_ASSERT(id.value() > 0 && id.value() < kOffBookIdLimit);
  return make_hold_id(HoldKind::kAuctionBid, id.value());
}
HoldId bid_hold(OffBookId id, std::uint16_t generation) {
  CX_ASSERT(id.value() > 0 && id.value() < kOffBookIdLimit);
  return make_hold_id(HoldKind::kAuctionBid, id.value() | (std::uint64_t{generation} << 40));
}
HoldId repo_lock_hold(OffBookId id) {
  CX_ASSERT(id.value() > 0 && id.value() < kOffBookIdLimit);
  return make_hold_id(HoldKind::kRepoLock, id.value());
}

// ---- helpers of the handlers ----

RejectReason OffBookOps::from_ledger(LedgerError e) {
  switch (e) {
    case LedgerError::kInsufficientAvailable:
      return RejectReason::kInsufficientFunds;
    case LedgerError::kUnknownAccount:
    case LedgerError::kAccountNotActive:
      return RejectReason::kAccountNotUsable;
    case LedgerError::kHoldingLimit:
      return RejectReason::kHoldingLimit;
    default:
      break;
  }
  CX_ASSERT(false && "ledger error the off-book checks exclude");
  return RejectReason::kBadCommand;
}

OffBookId OffBookOps::next_id(Core& core) {
  CX_ASSERT(core.offbook_.next_id < kOffBookIdLimit);
  return OffBookId(core.offbook_.next_id++);
}

void OffBookOps::reject(Core& core, CommandType type, RejectReason reason, AccountId account,
                        MemberId member, InstrumentId instrument, OffBookId id,
                        const ClientOrderId& clid) {
  core.reject(type, reason, account, member, instrument, OrderId(id.value()), clid);
}

std::optional<RejectReason> OffBookOps::check_terms(const Core::Instrument& ins, PriceFen price,
                                                    QuantityT quantity, std::uint32_t band_bp,
                                                    QuantityT min_t) {
  const InstrumentConfig& c = ins.config;
  if (quantity.value() <= 0 || quantity.value() % c.lot_t.value() != 0) {
    return RejectReason::kQuantityNotLotMultiple;
  }
  if (quantity < min_t) return RejectReason::kQuantityBelowMinimum;
  if (quantity.value() > 1'000'000'000) return RejectReason::kQuantityAboveMaximum;
  if (price.value() <= 0 || price.value() % c.tick_fen.value() != 0) {
    return RejectReason::kPriceNotOnTick;
  }
  const Band band = band_around(ins.reference_fen, band_bp, c.tick_fen);
  if (price < band.low_fen || price > band.high_fen) return RejectReason::kPriceOutsideBand;
  return std::nullopt;
}

std::int64_t OffBookOps::buyer_hold_need(const Core::Instrument& ins, TradingMode mode, PriceFen p,
                                         QuantityT q) {
  const AmountFen n = notional(p, q);
  return (n + ins.config.fees.max_fee(mode, Side::kBuy, AmountFen(0), n)).value();
}

std::optional<LedgerError> OffBookOps::settle_pair(Core& core, const PairTrade& t,
                                                   PairResult& out) {
  const Core::Instrument* ins = core.find(t.instrument);
  CX_ASSERT(ins != nullptr);
  CX_ASSERT(t.seller != t.buyer);
  const AmountFen n = notional(t.price_fen, t.quantity_t);
  const FeeSchedule& fees = ins->config.fees;
  const Date today = core.trade_date_;
  out.buyer_fee = fees.charge(FeeQuery{t.mode, Side::kBuy, today, t.filed_date}, AmountFen(0), n);
  out.seller_fee = fees.charge(FeeQuery{t.mode, Side::kSell, today, t.filed_date}, AmountFen(0), n);
  out.trade = TradeId(core.next_trade_id_);
  const DvpPostings p =
      dvp_postings(Dvp{t.seller, t.buyer, asset_of(t.instrument), t.quantity_t.value(), n.value(),
                       t.seller_hold, t.buyer_hold, t.kind, out.buyer_fee.fee_fen.value(),
                       out.seller_fee.fee_fen.value(), core.config_.fee_account, t.reference},
                   core.next_transfer_n_);
  if (auto st = core.ledger_.post(p.span()); !st) return st.error();
  core.next_transfer_n_ += p.count;
  ++core.next_trade_id_;
  return std::nullopt;
}

// ---- dispatch ----

// Every change of the off-book state emits an off-book event (a reject changes nothing), so the
// events tell whether to store the state again: no O(state) comparison per command.
namespace {
bool emitted_offbook_event(const std::vector<Event>& events, std::size_t from) {
  for (std::size_t i = from; i < events.size(); ++i) {
    const EventBody& b = events[i].body;
    if (std::holds_alternative<AgreementEvent>(b) || std::holds_alternative<AuctionEvent>(b) ||
        std::holds_alternative<AuctionBidEvent>(b) || std::holds_alternative<RepoEvent>(b)) {
      return true;
    }
  }
  return false;
}
}  // namespace

void Core::apply_offbook(const Command& cmd) {
  const std::size_t events_before = events_.size();
  std::visit(
      [&](const auto& c) {
        using T = std::decay_t<decltype(c)>;
        if constexpr (std::is_same_v<T, AgreementReport>) OffBookOps::agreement_report(*this, c);
        if constexpr (std::is_same_v<T, AgreementAccept>) OffBookOps::agreement_accept(*this, c);
        if constexpr (std::is_same_v<T, AgreementDecline>) OffBookOps::agreement_decline(*this, c);
        if constexpr (std::is_same_v<T, AuctionOpen>) OffBookOps::auction_open(*this, c);
        if constexpr (std::is_same_v<T, AuctionBid>) OffBookOps::auction_bid(*this, c);
        if constexpr (std::is_same_v<T, AuctionReviseBid>) OffBookOps::auction_revise(*this, c);
        if constexpr (std::is_same_v<T, AuctionWithdrawBid>) {
          OffBookOps::auction_withdraw(*this, c);
        }
        if constexpr (std::is_same_v<T, AuctionClose>) OffBookOps::auction_close(*this, c);
        if constexpr (std::is_same_v<T, RepoFile>) OffBookOps::repo_file(*this, c);
        if constexpr (std::is_same_v<T, RepoConfirm>) OffBookOps::repo_confirm(*this, c);
        if constexpr (std::is_same_v<T, RepoDecline>) OffBookOps::repo_decline(*this, c);
        if constexpr (std::is_same_v<T, RepoEarlyRepurchase>) OffBookOps::repo_early(*this, c);
        if constexpr (std::is_same_v<T, RepoMature>) OffBookOps::mature_repos(*this);
        if constexpr (std::is_same_v<T, RepoResolveDefault>) OffBookOps::repo_resolve(*this, c);
      },
      cmd.body);
  if (emitted_offbook_event(events_, events_before)) offbook_changed_ = true;
}

void Core::offbook_end_of_day() {
  const std::size_t events_before = events_.size();
  OffBookOps::expire_agreements(*this);
  OffBookOps::expire_repo_proposals(*this);
  OffBookOps::mature_repos(*this);
  if (emitted_offbook_event(events_, events_before)) offbook_changed_ = true;
}

bool Core::take_offbook_changed() {
  const bool changed = offbook_changed_;
  offbook_changed_ = false;
  return changed;
}

// ---- restore ----

namespace {

bool valid_id(OffBookId id, std::uint64_t next) {
  return id.value() > 0 && id.value() < next;
}

template <typename T>
bool sorted_unique(const std::vector<T>& v) {
  return std::adjacent_find(v.begin(), v.end(),
                            [](const T& a, const T& b) { return !(a.id < b.id); }) == v.end();
}

}  // namespace

Status<CoreError> Core::restore_offbook_state(const OffBookStateRecord& s) {
  const auto bad = Err{CoreError::kBadOffBookRecord};
  if (!offbook_.agreements.empty() || !offbook_.auctions.empty() || !offbook_.repos.empty()) {
    return Err{CoreError::kNotEmpty};
  }
  if (s.next_id == 0 || s.next_id > kOffBookIdLimit) return bad;
  if (!sorted_unique(s.agreements) || !sorted_unique(s.auctions) || !sorted_unique(s.repos)) {
    return bad;
  }
  for (const AgreementRecord& a : s.agreements) {
    if (!valid_id(a.id, s.next_id) || find(a.instrument) == nullptr || a.hold_amount <= 0) {
      return bad;
    }
  }
  for (const AuctionRecord& a : s.auctions) {
    if (!valid_id(a.id, s.next_id) || find(a.terms.instrument) == nullptr || a.hold_amount <= 0 ||
        a.bids.size() > config_.limits.max_bids_per_auction) {
      return bad;
    }
    if (!sorted_unique(a.bids)) return bad;
    for (const BidRecord& b : a.bids) {
      if (!valid_id(b.id, s.next_id) || b.hold_amount <= 0) return bad;
    }
  }
  for (const RepoRecord& r : s.repos) {
    const bool status_ok = r.status == RepoStatus::kProposed || r.status == RepoStatus::kOpen ||
                           r.status == RepoStatus::kDefaulted;
    const bool hold_ok =
        r.status == RepoStatus::kDefaulted ? r.hold_amount >= 0 : r.hold_amount > 0;
    if (!valid_id(r.id, s.next_id) || find(r.instrument) == nullptr || !status_ok || !hold_ok) {
      return bad;
    }
  }
  offbook_ = s;
  return {};
}

// ---- queries ----

std::vector<RepoRecord> repos_in(const OffBookStateRecord& s, RepoStatus status) {
  std::vector<RepoRecord> out;
  for (const RepoRecord& r : s.repos) {
    if (r.status == status) out.push_back(r);
  }
  return out;
}

std::vector<RepoRecord> repo_maturities(const OffBookStateRecord& s, Date from, Date to) {
  std::vector<RepoRecord> out;
  for (const RepoRecord& r : s.repos) {
    if (r.status == RepoStatus::kOpen && r.end_date >= from && r.end_date <= to) out.push_back(r);
  }
  std::stable_sort(out.begin(), out.end(), [](const RepoRecord& a, const RepoRecord& b) {
    return a.end_date < b.end_date;
  });
  return out;
}

}  // namespace carbonx
