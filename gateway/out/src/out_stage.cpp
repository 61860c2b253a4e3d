// OutStage: a committed batch -> ExecutionReports, cancel rejects, mass cancel reports, status
// answers and market data (the off-book reports: offbook_replies.cpp).
#include "carbonx/out/out_stage.hpp"

#include <fmt/format.h>

#include "carbonx/engine/assert.hpp"
#include "fix_vocabulary.hpp"

namespace carbonx::out {
namespace {

char status_of(std::int64_t cum_t, std::int64_t leaves_t) {
  if (leaves_t == 0 && cum_t > 0) return ord_status::kFilled;
  return cum_t > 0 ? ord_status::kPartiallyFilled : ord_status::kNew;
}

}  // namespace

OutStage::OutStage(const ExchangeConfig& exchange, SessionIndex sessions,
                   std::vector<SessionIndex> session_of_member)
    : sessions_(sessions), session_of_member_(std::move(session_of_member)) {
  for (const InstrumentConfig& i : exchange.instruments) {
    CX_ASSERT(i.id.value() != 0);
    if (symbols_.size() <= i.id.value()) symbols_.resize(i.id.value() + 1);
    symbols_[i.id.value()] = i.code;
  }
  for (const SessionIndex s : session_of_member_)
    CX_ASSERT(s == kNoSession || s < sessions_);
}

void OutStage::restore(std::span<const RestoredOrder> open_orders) {
  orders_.clear();
  md_subs_.clear();
  exec_in_command_ = 0;
  for (const RestoredOrder& o : open_orders) {
    const OpenOrderRecord& r = o.order;
    OrderMeta m;
    m.session = session_of_member(r.member);
    m.cl_ord_id = std::string(view(r.client_order_id));
    m.orig_cl_ord_id = std::string(view(o.orig_client_order_id));
    m.price_fen = r.price_fen.value();
    m.quantity_t = r.cum_t.value() + r.leaves_t.value();
    m.cum_t = r.cum_t.value();
    m.cum_notional_fen = r.cum_notional_fen.value();
    const bool fresh = orders_.emplace(r.order_id.value(), std::move(m)).second;
    CX_ASSERT(fresh);  // the store keys open orders by id
  }
}

std::size_t OutStage::subscriptions() const {
  std::size_t n = 0;
  for (const auto& [ins, subs] : md_subs_)
    n += subs.size();
  return n;
}

void OutStage::translate(const Batch& batch, std::vector<Delivery>& out) {
  if (batch.restores) restore(batch.restored);
  std::size_t item = 0;
  for (std::size_t i = 0; i < batch.steps.size(); ++i) {
    // An item's first step: its reports number from 1 again.
    while (item < batch.item_starts.size() && batch.item_starts[item] <= i) {
      if (batch.item_starts[item++] == i) exec_in_command_ = 0;
    }
    const Step& step = batch.steps[i];
    if (const auto* a = std::get_if<Applied>(&step)) {
      on_applied(*a, batch.events_of(*a), out);
    } else if (const auto* r = std::get_if<Refused>(&step)) {
      on_refused(*r, out);
    } else if (const auto* q = std::get_if<StatusQuery>(&step)) {
      on_status(*q, out);
    } else if (const auto* m = std::get_if<MdRequest>(&step)) {
      on_market_data(*m, out);
    } else if (const auto* d = std::get_if<Ready>(&step)) {
      out.push_back(d->delivery);
    }
  }
}

const std::string& OutStage::symbol_of(InstrumentId id) const {
  static const std::string kUnknown = "UNKNOWN";
  if (id.value() >= symbols_.size() || symbols_[id.value()].empty()) return kUnknown;
  return symbols_[id.value()];
}

SessionIndex OutStage::session_of_member(MemberId m) const {
  return m.value() < session_of_member_.size() ? session_of_member_[m.value()] : kNoSession;
}

std::string OutStage::next_exec_id(Seq seq) {
  return fmt::format("{}-{}", seq.value(), ++exec_in_command_);
}

void OutStage::on_applied(const Applied& a, std::span<const Event> events,
                          std::vector<Delivery>& out) {
  CX_ASSERT(a.request.has_value() == (a.session != kNoSession));
  offbook_texts_used_ = 0;
  mass_cancels_ = 0;
  for (const Event& ev : events) {
    const TimestampNs ts = ev.ts;
    if (on_offbook_event(a, ev, out)) continue;  // offbook_replies.cpp
    const std::size_t before = out.size();
    if (const auto* k = std::get_if<AckEvent>(&ev.body)) {
      on_ack(a, *k, out);
    } else if (const auto* f = std::get_if<FillEvent>(&ev.body)) {
      on_fill(a, *f, out);
    } else if (const auto* c = std::get_if<CancelEvent>(&ev.body)) {
      on_cancelled(a, *c, out);
    } else if (const auto* r = std::get_if<ReplaceAckEvent>(&ev.body)) {
      on_replaced(a, *r, out);
    } else if (const auto* j = std::get_if<RejectEvent>(&ev.body)) {
      on_rejected(a, *j, out);
    }
    for (std::size_t i = before; i < out.size(); ++i) {
      if (out[i].reply.kind == ReplyKind::kExecReport) out[i].reply.transact_time_ns = ts.value();
    }
  }
  CX_ASSERT(offbook_texts_used_ <= a.offbook_reject_texts.size());
  on_book_events(events, out);
  if (a.request && a.request->kind == RequestKind::kMassCancel) {
    // The member's OrderMassCancelRequest: answered after the ExecutionReports of its cancels.
    const edge::FixCommand& q = *a.request;
    Delivery d;
    d.session = a.session;
    FixReply& r = d.reply;
    r.kind = ReplyKind::kMassCancelReport;
    r.cl_ord_id = q.cl_ord_id.str();
    r.order_id = fmt::format("MC{}", a.seq.value());
    r.mass_scope = q.mass_scope;
    r.symbol = q.symbol.str();
    r.total_affected = mass_cancels_;
    out.push_back(std::move(d));
  }
}

void OutStage::on_ack(const Applied& a, const AckEvent& e, std::vector<Delivery>& out) {
  OrderMeta meta;
  if (a.request && a.request->kind == RequestKind::kNewOrder) {
    const edge::FixCommand& q = *a.request;
    meta = OrderMeta{a.session,   q.cl_ord_id.str(), "", q.ord_type, q.tif,
                     q.price_fen, q.quantity_t,      0,  0};
  }
  meta.price_fen = e.price_fen.value();
  orders_[e.order_id.value()] = meta;
  Delivery d;
  d.session = meta.session;
  d.reply = base_report(meta, e.order_id, e.instrument, e.side);
  d.reply.exec_id = next_exec_id(a.seq);
  d.reply.exec_type = exec_type::kNew;
  d.reply.ord_status = ord_status::kNew;
  d.reply.account = std::to_string(e.account.value());
  out.push_back(std::move(d));
}

void OutStage::on_fill(const Applied& a, const FillEvent& e, std::vector<Delivery>& out) {
  const auto it = orders_.find(e.order_id.value());
  CX_ASSERT(it != orders_.end());
  OrderMeta& m = it->second;
  m.cum_t = e.cum_t.value();
  m.cum_notional_fen += e.price_fen.value() * e.quantity_t.value();
  m.quantity_t = e.cum_t.value() + e.leaves_t.value();
  Delivery d;
  d.session = m.session;
  d.reply = base_report(m, e.order_id, e.instrument, e.side);
  d.reply.exec_id = next_exec_id(a.seq);
  d.reply.exec_type = exec_type::kTrade;
  d.reply.ord_status = status_of(m.cum_t, e.leaves_t.value());
  d.reply.leaves_qty_t = e.leaves_t.value();
  d.reply.last_qty_t = e.quantity_t.value();
  d.reply.last_px_fen = e.price_fen.value();
  d.reply.trade_id = std::to_string(e.trade_id.value());
  d.reply.fee_fen = e.fee_fen.value();
  d.reply.account = std::to_string(e.account.value());
  out.push_back(std::move(d));
  if (e.leaves_t.value() == 0) orders_.erase(it);
}

void OutStage::on_cancelled(const Applied& a, const CancelEvent& e, std::vector<Delivery>& out) {
  const auto it = orders_.find(e.order_id.value());
  CX_ASSERT(it != orders_.end());
  OrderMeta m = it->second;
  if (a.request && a.request->kind == RequestKind::kCancel &&
      e.reason == CancelReason::kRequested) {
    m.orig_cl_ord_id = m.cl_ord_id;  // the cancel request's ClOrdID answers it
    m.cl_ord_id = a.request->cl_ord_id.str();
  }
  if (e.reason == CancelReason::kMassCancel) ++mass_cancels_;
  Delivery d;
  d.session = m.session;
  d.reply = base_report(m, e.order_id, e.instrument, e.side);
  d.reply.exec_id = next_exec_id(a.seq);
  const bool expired = e.reason == CancelReason::kExpired;
  d.reply.exec_type = expired ? exec_type::kExpired : exec_type::kCanceled;
  d.reply.ord_status = expired ? ord_status::kExpired : ord_status::kCanceled;
  d.reply.leaves_qty_t = 0;
  d.reply.account = std::to_string(e.account.value());
  d.reply.text = std::string(to_string(e.reason));
  out.push_back(std::move(d));
  orders_.erase(it);
}

void OutStage::on_replaced(const Applied& a, const ReplaceAckEvent& e, std::vector<Delivery>& out) {
  const auto it = orders_.find(e.order_id.value());
  CX_ASSERT(it != orders_.end());
  CX_ASSERT(a.request.has_value());
  OrderMeta& m = it->second;
  m.orig_cl_ord_id = m.cl_ord_id;
  m.cl_ord_id = a.request->cl_ord_id.str();
  m.price_fen = e.price_fen.value();
  m.quantity_t = m.cum_t + e.quantity_t.value();
  Delivery d;
  d.session = m.session;
  d.reply = base_report(m, e.order_id, e.instrument, e.side);
  d.reply.exec_id = next_exec_id(a.seq);
  d.reply.exec_type = exec_type::kReplaced;
  d.reply.ord_status = status_of(m.cum_t, e.quantity_t.value());
  d.reply.account = std::to_string(e.account.value());
  out.push_back(std::move(d));
}

void OutStage::on_rejected(const Applied& a, const RejectEvent& e, std::vector<Delivery>& out) {
  if (!a.request) return;  // an operator, calendar or disconnect command: its own reply says so
  const edge::FixCommand& q = *a.request;
  const std::string text(to_string(e.reason));
  if (e.command == CommandType::kNewOrder) {
    std::int32_t code = ord_rej_reason::kOther;
    switch (e.reason) {
      case RejectReason::kUnknownInstrument:
        code = ord_rej_reason::kUnknownSymbol;
        break;
      case RejectReason::kMarketClosed:
      case RejectReason::kInstrumentHalted:
        code = ord_rej_reason::kExchangeClosed;
        break;
      case RejectReason::kQuantityNotLotMultiple:
      case RejectReason::kQuantityBelowMinimum:
      case RejectReason::kQuantityAboveMaximum:
        code = ord_rej_reason::kIncorrectQuantity;
        break;
      case RejectReason::kBookFull:
      case RejectReason::kLevelFull:
        code = ord_rej_reason::kOrderExceedsLimit;
        break;
      default:
        break;
    }
    return reject_order(a.session, q, a.seq, code, text, out);
  }
  if (e.command == CommandType::kCancel || e.command == CommandType::kReplace) {
    reject_cancel(a.session, q,
                  e.reason == RejectReason::kUnknownOrder ? cxl_rej_reason::kUnknownOrder
                                                          : cxl_rej_reason::kOther,
                  text, out);
    name_live_order(e.order_id, a.live_leaves_t, out.back().reply);
  }
}

// The order a refused cancel or replace named is still live: FIX wants its OrderID and its
// current OrdStatus in the OrderCancelReject, not "NONE" and Rejected.
void OutStage::name_live_order(OrderId id, std::int64_t live_leaves_t, FixReply& r) const {
  const auto meta = orders_.find(id.value());
  if (live_leaves_t < 0 || meta == orders_.end()) return;
  r.order_id = std::to_string(id.value());
  r.ord_status = status_of(meta->second.cum_t, live_leaves_t);
}

// Market data: one incremental refresh per subscription per command, with every level and trade
// the command changed.
void OutStage::on_book_events(std::span<const Event> events, std::vector<Delivery>& out) {
  if (md_subs_.empty()) return;
  std::map<std::pair<SessionIndex, std::string>, FixReply> per_request;
  for (const Event& ev : events) {
    const auto* delta = std::get_if<BookDeltaEvent>(&ev.body);
    const auto* trade = std::get_if<TradeEvent>(&ev.body);
    if (delta == nullptr && trade == nullptr) continue;
    const InstrumentId ins = delta != nullptr ? delta->instrument : trade->instrument;
    const auto subs = md_subs_.find(ins.value());
    if (subs == md_subs_.end()) continue;
    for (const Subscription& sub : subs->second) {
      MdEntry entry;
      entry.symbol = symbol_of(ins);
      if (delta != nullptr) {
        const bool bid = delta->side == Side::kBuy;
        if ((bid && !sub.bids) || (!bid && !sub.offers)) continue;
        entry.entry_type = bid ? '0' : '1';
        entry.update_action = delta->quantity_t.value() == 0 ? '2' : '1';
        entry.price_fen = delta->price_fen.value();
        entry.quantity_t = delta->quantity_t.value();
      } else {
        if (!sub.trades) continue;
        entry.entry_type = '2';
        entry.update_action = '0';
        entry.price_fen = trade->price_fen.value();
        entry.quantity_t = trade->quantity_t.value();
      }
      FixReply& r = per_request[{sub.session, sub.request_id}];
      r.kind = ReplyKind::kMdIncremental;
      r.request_id = sub.request_id;
      r.md.push_back(std::move(entry));
    }
  }
  for (auto& [key, reply] : per_request) {
    Delivery d;
    d.session = key.first;
    d.reply = std::move(reply);
    out.push_back(std::move(d));
  }
}

void OutStage::on_refused(const Refused& r, std::vector<Delivery>& out) {
  switch (r.reply) {
    case Refused::Reply::kOrder:
      return reject_order(r.session, r.request, r.seq, r.code, r.text, out);
    case Refused::Reply::kCancel:
      reject_cancel(r.session, r.request, r.code, r.text, out);
      return name_live_order(r.live_order, r.live_leaves_t, out.back().reply);
    case Refused::Reply::kTradeCapture:
      return reject_trade_capture(r.session, r.request, r.text, out);
  }
  CX_ASSERT(false);
}

void OutStage::on_status(const StatusQuery& s, std::vector<Delivery>& out) {
  const edge::FixCommand& q = s.request;
  // The id of the answer: the seq it reflects, the member and the request's MsgSeqNum. Unique
  // without a counter, so the same request on a restarted server gets the same id.
  const std::string exec_id =
      fmt::format("S{}-{}-{}", s.seq.value(), q.member.value(), q.msg_seq_num);
  Delivery d;
  d.session = s.session;
  if (!s.open) {
    FixReply& r = d.reply;
    r.kind = ReplyKind::kExecReport;
    r.order_id = q.order_id.empty() ? "NONE" : q.order_id.str();
    r.cl_ord_id = q.cl_ord_id.str();
    r.request_id = q.request_id.str();
    r.exec_id = exec_id;
    r.exec_type = exec_type::kOrderStatus;
    r.ord_status = ord_status::kRejected;
    r.symbol = q.symbol.str();
    r.side = q.side;
    r.reject_code = ord_rej_reason::kUnknownOrder;
    r.text = "unknown order: no open order of this session with ClOrdID(11) " + q.cl_ord_id.str() +
             " in " + q.symbol.str() +
             " (filled and cancelled orders are reported only as they "
             "happen)";
    out.push_back(std::move(d));
    return;
  }
  const OpenOrderRecord& open = *s.open;
  const auto it = orders_.find(open.order_id.value());
  CX_ASSERT(it != orders_.end());  // every open order has its meta
  d.reply = base_report(it->second, open.order_id, q.instrument, open.side);
  d.reply.exec_id = exec_id;
  d.reply.exec_type = exec_type::kOrderStatus;
  d.reply.ord_status = open.cum_t.value() > 0 ? ord_status::kPartiallyFilled : ord_status::kNew;
  d.reply.leaves_qty_t = open.leaves_t.value();
  d.reply.cum_qty_t = open.cum_t.value();
  d.reply.cum_notional_fen = open.cum_notional_fen.value();
  d.reply.account = std::to_string(open.account.value());
  d.reply.request_id = q.request_id.str();
  out.push_back(std::move(d));
}

void OutStage::on_market_data(const MdRequest& m, std::vector<Delivery>& out) {
  const edge::FixCommand& q = m.request;
  const SessionIndex s = m.session;
  const std::string request_id = q.request_id.str();
  const std::span<const InstrumentId> ids(q.md_instruments.data(), q.md_count);
  for (InstrumentId id : ids) {  // a new request or an unsubscribe replaces the same MDReqID
    auto& subs = md_subs_[id.value()];
    std::erase_if(
        subs, [&](const Subscription& e) { return e.session == s && e.request_id == request_id; });
  }
  if (q.md_subscription == gateway::MdSubscription::kUnsubscribe) return;
  CX_ASSERT(m.snapshots.size() == ids.size());
  for (std::size_t i = 0; i < ids.size(); ++i) {
    Delivery snapshot;
    snapshot.session = s;
    snapshot.reply = m.snapshots[i];
    out.push_back(std::move(snapshot));
    if (q.md_subscription != gateway::MdSubscription::kSubscribe) continue;
    auto& subs = md_subs_[ids[i].value()];
    if (subs.size() >= kMaxSubscriptionsPerInstrument) {
      Delivery d;
      d.session = s;
      d.reply.kind = ReplyKind::kMdReject;
      d.reply.request_id = request_id;
      d.reply.reject_code = md_req_rej_reason::kInsufficientBandwidth;
      d.reply.text = "too many market data subscriptions on " + symbol_of(ids[i]);
      out.push_back(std::move(d));
      return;
    }
    subs.push_back(Subscription{s, request_id, q.md_bids, q.md_offers, q.md_trades});
  }
}

FixReply OutStage::base_report(const OrderMeta& m, OrderId id, InstrumentId ins, Side side) const {
  FixReply r;
  r.kind = ReplyKind::kExecReport;
  r.order_id = std::to_string(id.value());
  r.cl_ord_id = m.cl_ord_id;
  r.orig_cl_ord_id = m.orig_cl_ord_id;
  r.symbol = symbol_of(ins);
  r.side = fix_side(side);
  r.ord_type = m.ord_type;
  r.tif = m.tif;
  r.price_fen = m.ord_type == FixOrdType::kClick ? 0 : m.price_fen;
  r.quantity_t = m.quantity_t;
  r.cum_qty_t = m.cum_t;
  r.cum_notional_fen = m.cum_notional_fen;
  r.leaves_qty_t = m.quantity_t - m.cum_t;
  r.transact_time_ns = 0;
  return r;
}

void OutStage::reject_order(SessionIndex s, const edge::FixCommand& q, Seq seq, std::int32_t code,
                            const std::string& text, std::vector<Delivery>& out) {
  Delivery d;
  d.session = s;
  FixReply& r = d.reply;
  r.kind = ReplyKind::kExecReport;
  r.order_id = "NONE";
  r.cl_ord_id = q.cl_ord_id.str();
  // A request refused before the core takes no seq, so the seq alone does not tell two such
  // refusals apart (two bad orders in a row both were "R<seq>-1"). The member and the request's
  // MsgSeqNum do, as for status answers; and the same request refused by a restarted server
  // gets the same id.
  r.exec_id = fmt::format("R{}-{}-{}", seq.value(), q.member.value(), q.msg_seq_num);
  r.exec_type = exec_type::kRejected;
  r.ord_status = ord_status::kRejected;
  r.account = q.account.str();
  r.symbol = q.symbol.str();
  r.side = q.side;
  r.ord_type = q.ord_type;
  r.tif = q.tif;
  r.price_fen = q.price_fen;
  r.quantity_t = q.quantity_t;
  r.reject_code = code;
  r.text = text;
  out.push_back(std::move(d));
}

void OutStage::reject_cancel(SessionIndex s, const edge::FixCommand& q, std::int32_t code,
                             const std::string& text, std::vector<Delivery>& out) {
  Delivery d;
  d.session = s;
  FixReply& r = d.reply;
  r.kind = ReplyKind::kCancelReject;
  r.order_id = q.order_id.empty() ? "NONE" : q.order_id.str();
  r.cl_ord_id = q.cl_ord_id.str();
  r.orig_cl_ord_id = q.orig_cl_ord_id.str();
  r.ord_status = ord_status::kRejected;
  r.account = q.account.str();
  r.cxl_rej_response_to = q.kind == RequestKind::kReplace ? '2' : '1';
  r.reject_code = code;
  r.text = text;
  out.push_back(std::move(d));
}

void OutStage::reject_trade_capture(SessionIndex s, const edge::FixCommand& q,
                                    const std::string& text, std::vector<Delivery>& out) {
  Delivery d;
  d.session = s;
  d.reply.kind = ReplyKind::kTradeCaptureAck;
  d.reply.cl_ord_id = q.cl_ord_id.str();
  d.reply.order_id = q.ref_id.str();
  d.reply.trade_report_type = q.trade_report_type;
  d.reply.trd_rpt_status = 1;
  d.reply.reject_code = gateway::trade_report_reject_reason::kOther;
  d.reply.account = q.account.str();
  d.reply.symbol = q.symbol.str();
  d.reply.text = text;
  out.push_back(std::move(d));
}

}  // namespace carbonx::out
