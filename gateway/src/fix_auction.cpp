// ExchangeDriver: one-way bidding auction bids over FIX (docs/fix/README.md "Auction bids"):
// the requests. Their reports are the out stage's (gateway/out/src/offbook_replies.cpp).
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
void ExchangeDriver::on_auction_request(TimestampNs ts, SessionIndex s, const edge::FixCommand& q,
                                        OutBatch& out) {
  auto refuse = [&](const std::string& text) {
    if (q.kind == RequestKind::kNewOrder)
      return reject_order(s, q, ord_rej_reason::kOther, text, out);
    return reject_cancel(s, q, cxl_rej_reason::kOther, text, out);
  };
  CX_ASSERT(q.member.value() != 0);
  const AccountId account = q.account_id;
  if (account.value() == 0)
    return refuse("Account(1) " + q.account.str() + " is not an account this member may trade");
  if (q.kind != RequestKind::kCancel) {
    if (auto why = trading_refusal(q)) return refuse(*why);
  }
  const std::uint64_t id = q.auction_number;
  if (id == 0) return refuse("CxAuctionID(20011) must be the exchange's auction id (a number)");
  if (q.kind != RequestKind::kNewOrder && q.kind != RequestKind::kCancel &&
      q.kind != RequestKind::kReplace) {
    return refuse("only D, G and F may name an auction");
  }
  // A bid's ClOrdID (D, G, F) is unique per session and trading day like an order's: taken when
  // the core gets the command, given back if the core refuses a bid or revision
  // (translate_offbook_event; a withdrawal's stays used, as an order cancel's).
  if (used_clordids_.contains(s, q.cl_ord_id.view())) {
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
    used_clordids_.insert(s, q.cl_ord_id.view());
    return run(ts, AuctionWithdrawBid{account, m, auction, bid, clid}, out);
  }
  used_clordids_.insert(s, q.cl_ord_id.view());
  run(ts,
      AuctionReviseBid{account, m, auction, bid, PriceFen(q.price_fen), QuantityT(q.quantity_t),
                       clid},
      out);
}

}  // namespace carbonx::gateway
