// ExchangeDriver: one-way bidding auction bids over FIX (docs/fix/README.md "Auction bids").
//
//   NewOrderSingle (D) with CxAuctionID(20011)           -> AuctionBid
//   OrderCancelReplaceRequest (G), OrigClOrdID = the bid -> AuctionReviseBid
//   OrderCancelRequest (F), OrigClOrdID = the bid        -> AuctionWithdrawBid
//
// Bids are sealed: every report goes to the bidder's session only (ExecutionReport, OrderID =
// the exchange's bid id, CxAuctionID echoed): new, replaced, canceled (withdrawn), and at the
// close trade (filled: LastQty, LastPx = the price paid, TrdMatchID, Commission; the marginal
// bid: a partial fill then an expired report for the rest) or expired (unfilled). A refusal is
// an ExecutionReport rejected (D) or OrderCancelReject (F, G) with the reason in Text(58). The
// public result: News(B) to every session (fix_offbook.cpp) and the operator's auction.close reply.

#include "carbonx/gateway/exchange_driver.hpp"

namespace carbonx::gateway {
namespace {

// The second report of a marginal bid (after its partial fill `fill`): the rest expired.
FixReply expired_rest(const FixReply& fill, const AuctionBidEvent& e, std::string exec_id) {
  FixReply r = fill;
  r.exec_id = std::move(exec_id);
  r.exec_type = exec_type::kExpired;
  r.ord_status = ord_status::kExpired;
  r.leaves_qty_t = 0;
  r.last_qty_t = 0;
  r.last_px_fen = 0;
  r.trade_id.clear();
  r.fee_fen = -1;  // not sent
  r.text = "marginal bid: " + std::to_string(e.filled_t.value()) + " of " +
           std::to_string(e.quantity_t.value()) +
           " t allocated, the rest not allocated at the auction's close";
  return r;
}

}  // namespace

void ExchangeDriver::on_auction_request(TimestampNs ts, SessionIndex s, const edge::FixCommand& q,
                                        std::vector<Delivery>& out) {
  auto refuse = [&](const std::string& text) {
    if (q.kind == RequestKind::kNewOrder)
      return reject_order(s, q, ord_rej_reason::kOther, text, out);
    return reject_cancel(s, q, cxl_rej_reason::kOther, text, out);
  };
  CX_ASSERT(q.member.value() != 0);
  const AccountId account = q.account_id;
  if (account.value() == 0)
    return refuse("Account(1) " + q.account.str() + " is not an account this member may trade");
  const std::uint64_t id = q.auction_number;
  if (id == 0) return refuse("CxAuctionID(20011) must be the exchange's auction id (a number)");
  if (q.kind != RequestKind::kNewOrder && q.kind != RequestKind::kCancel &&
      q.kind != RequestKind::kReplace) {
    return refuse("only D, G and F may name an auction");
  }
  // A bid's ClOrdID (D, G) is unique per session and trading day like an order's: taken when
  // the core gets the command, given back if the core refuses it (translate_offbook_event).
  const bool names_new_id = q.kind != RequestKind::kCancel;
  if (names_new_id && used_clordids_.contains(s, q.cl_ord_id.view())) {
    return refuse("duplicate ClOrdID(11) " + q.cl_ord_id.str() +
                  ": already used by this session today");
  }
  const MemberId m = q.member;
  const OffBookId auction(id);
  const ClientOrderId clid = make_client_order_id(q.cl_ord_id.view());
  pending_ = Pending{};
  pending_.request = &q;
  pending_.session = s;
  if (q.kind == RequestKind::kNewOrder) {
    used_clordids_.insert(s, q.cl_ord_id.view());
    return run(
        ts, AuctionBid{account, m, auction, PriceFen(q.price_fen), QuantityT(q.quantity_t), clid},
        out);
  }
  // The bid named by OrigClOrdID (this account's, in this auction).
  OffBookId bid{0};
  for (const AuctionRecord& a : core_->offbook().auctions) {
    if (a.id != auction) continue;
    for (const BidRecord& b : a.bids) {
      if (b.account == account && view(b.client_order_id) == q.orig_cl_ord_id.view()) bid = b.id;
    }
  }
  if (bid.value() == 0) {
    return refuse("no open bid " + q.orig_cl_ord_id.str() + " of this account in auction " +
                  q.auction_id.str());
  }
  if (q.kind == RequestKind::kCancel) {
    return run(ts, AuctionWithdrawBid{account, m, auction, bid, clid}, out);
  }
  used_clordids_.insert(s, q.cl_ord_id.view());
  run(ts,
      AuctionReviseBid{account, m, auction, bid, PriceFen(q.price_fen), QuantityT(q.quantity_t),
                       clid},
      out);
}

void ExchangeDriver::on_auction_bid(const AuctionBidEvent& e, TimestampNs ts,
                                    std::vector<Delivery>& out) {
  const SessionIndex s = session_of_account(e.account);
  if (s == kNoSession) return;
  Delivery d;
  d.session = s;
  FixReply& r = d.reply;
  r.kind = ReplyKind::kExecReport;
  r.order_id = std::to_string(e.bid_id.value());
  r.cl_ord_id = std::string(view(e.client_order_id));
  r.exec_id = next_exec_id();
  r.account = std::to_string(e.account.value());
  r.symbol = symbol_of(e.instrument);
  r.side = FixSide::kBuy;
  r.price_fen = e.price_fen.value();
  r.quantity_t = e.quantity_t.value();
  r.leaves_qty_t = e.quantity_t.value();
  r.auction_id = std::to_string(e.auction_id.value());
  r.transact_time_ns = ts.value();
  switch (e.status) {
    case BidStatus::kAccepted:
      r.exec_type = exec_type::kNew;
      r.ord_status = ord_status::kNew;
      break;
    case BidStatus::kRevised:
      r.exec_type = exec_type::kReplaced;
      r.ord_status = ord_status::kNew;
      if (pending_.request != nullptr) r.orig_cl_ord_id = pending_.request->orig_cl_ord_id.str();
      break;
    case BidStatus::kWithdrawn:
      r.exec_type = exec_type::kCanceled;
      r.ord_status = ord_status::kCanceled;
      r.leaves_qty_t = 0;
      if (pending_.request != nullptr) {
        r.orig_cl_ord_id = pending_.request->orig_cl_ord_id.str();
        r.cl_ord_id = pending_.request->cl_ord_id.str();
      }
      break;
    case BidStatus::kFilled:
      r.exec_type = exec_type::kTrade;
      r.ord_status = ord_status::kFilled;
      r.leaves_qty_t = 0;
      r.last_qty_t = e.filled_t.value();
      r.last_px_fen = e.paid_fen.value();
      r.cum_qty_t = e.filled_t.value();
      r.cum_notional_fen = e.paid_fen.value() * e.filled_t.value();
      r.trade_id = std::to_string(e.trade_id.value());
      r.fee_fen = e.fee.fee_fen.value();
      if (e.filled_t < e.quantity_t) {
        // The marginal bid: a partial fill, then the rest expires (two reports, as FIX's order
        // states want: CumQty < OrderQty is never "filled").
        r.ord_status = ord_status::kPartiallyFilled;
        r.leaves_qty_t = e.quantity_t.value() - e.filled_t.value();
        Delivery rest = d;
        rest.reply = expired_rest(r, e, next_exec_id());
        out.push_back(std::move(d));
        out.push_back(std::move(rest));
        return;
      }
      break;
    case BidStatus::kUnfilled:
      r.exec_type = exec_type::kExpired;
      r.ord_status = ord_status::kExpired;
      r.leaves_qty_t = 0;
      r.text = "not allocated at the auction's close";
      break;
  }
  out.push_back(std::move(d));
}

}  // namespace carbonx::gateway
