// OutStage: the reports of off-book trading (docs/fix/README.md "Agreement transfer", "Auction
// bids", "Repo"): agreement and repo trade capture reports to both parties' sessions, auction
// bid reports to the bidder's session only (bids are sealed), the public auction News(B) to
// every session, and the refusals of off-book requests (their texts came from the core thread).
#include "carbonx/engine/assert.hpp"
#include "carbonx/out/out_stage.hpp"
#include "fix_vocabulary.hpp"

namespace carbonx::out {
namespace {

Side other(Side s) {
  return s == Side::kSell ? Side::kBuy : Side::kSell;
}

// The word of the News line (one token: the lines are space-separated key=value pairs) and of
// the operator's auction.open / auction.list.
std::string pricing_word(AuctionPricing p) {
  return p == AuctionPricing::kUniform ? "uniform" : "pay_as_bid";
}

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

SessionIndex OutStage::session_of_account(const Applied& a, AccountId account) const {
  for (const AccountMember& m : a.account_members) {
    if (m.account == account) return session_of_member(m.member);
  }
  return kNoSession;  // the core thread names every account of the command's off-book events
}

// Off-book events of one command; true when `ev` was one (handled here).
bool OutStage::on_offbook_event(const Applied& a, const Event& ev, std::vector<Delivery>& out) {
  if (const auto* e = std::get_if<AgreementEvent>(&ev.body)) {
    on_agreement(a, *e, ev.ts, out);
    return true;
  }
  if (const auto* j = std::get_if<RejectEvent>(&ev.body)) {
    if (j->command < CommandType::kAgreementReport) return false;
    if (!a.request) return true;  // an operator command: its reply says so
    const edge::FixCommand& q = *a.request;
    CX_ASSERT(offbook_texts_used_ < a.offbook_reject_texts.size());
    const std::string& text = a.offbook_reject_texts[offbook_texts_used_++];
    if (q.kind == RequestKind::kTradeCapture) {
      reject_trade_capture(a.session, q, text, out);
    } else if (q.kind == RequestKind::kNewOrder) {
      reject_order(a.session, q, a.seq, ord_rej_reason::kOther, text, out);
    } else {
      reject_cancel(a.session, q, cxl_rej_reason::kOther, text, out);
    }
    return true;
  }
  if (const auto* b = std::get_if<AuctionBidEvent>(&ev.body)) {
    on_auction_bid(a, *b, ev.ts, out);
    return true;
  }
  if (const auto* r = std::get_if<RepoEvent>(&ev.body)) {
    on_repo_event(a, *r, ev.ts, out);
    return true;
  }
  if (const auto* e = std::get_if<AuctionEvent>(&ev.body)) {
    on_auction_event(*e, out);
    return true;
  }
  return false;
}

// One AE of an agreement as seen by the reporter or the counterparty: that party's side first.
FixReply OutStage::agreement_report(const AgreementEvent& e, bool reporter) const {
  FixReply r;
  r.kind = ReplyKind::kTradeCapture;
  r.order_id = std::to_string(e.report_id.value());
  r.cl_ord_id =
      std::string(view(reporter ? e.reporter_client_order_id : e.counterparty_client_order_id));
  if (r.cl_ord_id.empty()) r.cl_ord_id = r.order_id;
  r.symbol = symbol_of(e.instrument);
  r.side = fix_side(reporter ? e.reporter_side : other(e.reporter_side));
  r.account = std::to_string((reporter ? e.reporter : e.counterparty).value());
  r.counterparty = std::to_string((reporter ? e.counterparty : e.reporter).value());
  r.last_qty_t = e.quantity_t.value();
  r.last_px_fen = e.price_fen.value();
  r.trd_rpt_status = 0;
  return r;
}

void OutStage::on_agreement(const Applied& a, const AgreementEvent& e, TimestampNs ts,
                            std::vector<Delivery>& out) {
  const SessionIndex reporter = session_of_account(a, e.reporter);
  const SessionIndex counterparty = session_of_account(a, e.counterparty);
  auto send = [&](SessionIndex s, FixReply r) {
    if (s == kNoSession) return;
    r.transact_time_ns = ts.value();
    r.trade_date = trading_date(ts).yyyymmdd;
    Delivery d;
    d.session = s;
    d.reply = std::move(r);
    out.push_back(std::move(d));
  };
  switch (e.status) {
    case AgreementStatus::kReported: {
      FixReply ack = agreement_report(e, true);
      ack.kind = ReplyKind::kTradeCaptureAck;
      ack.trade_report_type = '0';
      send(reporter, ack);
      FixReply alleged = agreement_report(e, false);
      alleged.trade_report_type = '1';
      return send(counterparty, alleged);
    }
    case AgreementStatus::kAccepted: {
      FixReply mine = agreement_report(e, true);
      mine.trade_report_type = '2';
      mine.trade_id = std::to_string(e.trade_id.value());
      mine.fee_fen = e.reporter_fee.fee_fen.value();
      send(reporter, mine);
      FixReply theirs = agreement_report(e, false);
      theirs.trade_report_type = '2';
      theirs.trade_id = mine.trade_id;
      theirs.fee_fen = e.counterparty_fee.fee_fen.value();
      return send(counterparty, theirs);
    }
    case AgreementStatus::kDeclined:
    case AgreementStatus::kWithdrawn:
    case AgreementStatus::kExpired: {
      for (const bool is_reporter : {true, false}) {
        FixReply r = agreement_report(e, is_reporter);
        r.trade_report_type = '3';
        r.text = std::string(to_string(e.status));
        send(is_reporter ? reporter : counterparty, r);
      }
      return;
    }
  }
}

// Public: News(B) to every member session: an auction opened (its terms), cleared (the result)
// or cancelled. Bids stay sealed: no bidder or bid is named.
void OutStage::on_auction_event(const AuctionEvent& e, std::vector<Delivery>& out) {
  FixReply r;
  r.kind = ReplyKind::kNews;
  const std::string id = std::to_string(e.auction_id.value());
  r.text = "auction " + id + " " + std::string(to_string(e.status));
  r.news_lines.push_back("CxAuctionID=" + id + " Symbol=" + symbol_of(e.instrument) +
                         " Quantity=" + std::to_string(e.quantity_t.value()) +
                         " Reserve=" + gateway::format_fen(e.reserve_fen.value()) +
                         " Pricing=" + pricing_word(e.pricing));
  if (e.status == AuctionStatus::kOpened) {
    r.news_lines.push_back("StartTimeNs=" + std::to_string(e.start_ts.value()) +
                           " EndTimeNs=" + std::to_string(e.end_ts.value()));
  } else {
    r.news_lines.push_back("BidQty=" + std::to_string(e.bid_t.value()) +
                           " ClearedQty=" + std::to_string(e.cleared_t.value()) +
                           " LowPx=" + gateway::format_fen(e.low_fen.value()) +
                           " HighPx=" + gateway::format_fen(e.high_fen.value()) + " Winners=" +
                           std::to_string(e.winners) + " Bids=" + std::to_string(e.bids));
  }
  for (SessionIndex s = 0; s < sessions_; ++s) {
    Delivery d;
    d.session = s;
    d.reply = r;
    out.push_back(std::move(d));
  }
}

void OutStage::on_auction_bid(const Applied& a, const AuctionBidEvent& e, TimestampNs ts,
                              std::vector<Delivery>& out) {
  const SessionIndex s = session_of_account(a, e.account);
  if (s == kNoSession) return;
  Delivery d;
  d.session = s;
  FixReply& r = d.reply;
  r.kind = ReplyKind::kExecReport;
  r.order_id = std::to_string(e.bid_id.value());
  r.cl_ord_id = std::string(view(e.client_order_id));
  r.exec_id = next_exec_id(a.seq);
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
      if (a.request) r.orig_cl_ord_id = a.request->orig_cl_ord_id.str();
      break;
    case BidStatus::kWithdrawn:
      r.exec_type = exec_type::kCanceled;
      r.ord_status = ord_status::kCanceled;
      r.leaves_qty_t = 0;
      if (a.request) {
        r.orig_cl_ord_id = a.request->orig_cl_ord_id.str();
        r.cl_ord_id = a.request->cl_ord_id.str();
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
        rest.reply = expired_rest(r, e, next_exec_id(a.seq));
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

void OutStage::on_repo_event(const Applied& a, const RepoEvent& e, TimestampNs ts,
                             std::vector<Delivery>& out) {
  for (const bool repo_side : {true, false}) {
    const AccountId account = repo_side ? e.repo_party : e.reverse_party;
    const SessionIndex s = session_of_account(a, account);
    if (s == kNoSession) continue;
    FixReply r;
    r.kind = ReplyKind::kTradeCapture;
    r.repo = true;
    r.order_id = std::to_string(e.repo_id.value());
    r.cl_ord_id = account == e.actor && !view(e.client_order_id).empty()
                      ? std::string(view(e.client_order_id))
                      : r.order_id;
    r.symbol = symbol_of(e.instrument);
    r.side = repo_side ? FixSide::kSell : FixSide::kBuy;
    r.account = std::to_string(account.value());
    r.counterparty = std::to_string((repo_side ? e.reverse_party : e.repo_party).value());
    r.last_qty_t = e.quantity_t.value();
    // LastPx: the price of the leg this report is about (the repurchase price once bought back).
    r.last_px_fen = e.status == RepoStatus::kRepurchased ? e.repurchase_price_fen.value()
                                                         : e.start_price_fen.value();
    r.start_price_fen = e.start_price_fen.value();
    r.price2_fen = e.repurchase_price_fen.value();
    r.start_date = e.filed_date.yyyymmdd;
    r.end_date = e.end_date.yyyymmdd;
    r.transact_time_ns = ts.value();
    r.trade_date = trading_date(ts).yyyymmdd;
    r.text = std::string(to_string(e.status));
    const FeeCharge& fee = repo_side ? e.repo_party_fee : e.reverse_party_fee;
    switch (e.status) {
      case RepoStatus::kProposed:
        r.trade_report_type = account == e.actor ? '0' : '1';
        if (account == e.actor) r.kind = ReplyKind::kTradeCaptureAck;
        break;
      case RepoStatus::kOpen:
      case RepoStatus::kRepurchased:
        r.trade_report_type = '2';
        r.trade_id = std::to_string(e.trade_id.value());
        r.fee_fen = fee.fee_fen.value();
        if (fee.waiver_rule_id != 0) {
          r.text += "; fee " + gateway::format_fen(fee.waived_fen.value()) + " waived by rule " +
                    std::to_string(fee.waiver_rule_id);
        }
        break;
      case RepoStatus::kEarlyConsent:
        r.trade_report_type = '4';
        break;
      default:  // declined, expired, defaulted, resolved
        r.trade_report_type = '3';
        if (e.units_released) r.text += "; locked units released to the reverse party";
        break;
    }
    Delivery d;
    d.session = s;
    d.reply = std::move(r);
    out.push_back(std::move(d));
  }
}

}  // namespace carbonx::out
