// ExchangeDriver: the core's events of one command -> FIX replies (released after commit).
#include <map>

#include "carbonx/gateway/exchange_driver.hpp"

namespace carbonx::gateway {
namespace {

char status_of(std::int64_t cum_t, std::int64_t leaves_t) {
  if (leaves_t == 0 && cum_t > 0) return ord_status::kFilled;
  return cum_t > 0 ? ord_status::kPartiallyFilled : ord_status::kNew;
}

}  // namespace

void ExchangeDriver::translate_events(std::vector<Delivery>& out) {
  for (const Event& ev : core_->events()) {
    const TimestampNs ts = ev.ts;
    if (translate_offbook_event(ev, out)) continue;  // fix_offbook.cpp
    const std::size_t before = out.size();
    if (const auto* a = std::get_if<AckEvent>(&ev.body)) {
      OrderMeta meta = pending_.meta;
      meta.price_fen = a->price_fen.value();
      orders_[a->order_id.value()] = meta;
      if (meta.session != kNoSession) {
        open_by_clordid_[meta.session][meta.cl_ord_id] = a->order_id.value();
      }
      Delivery d;
      d.session = meta.session;
      d.reply = base_report(meta, a->order_id, a->instrument, a->side);
      d.reply.exec_id = next_exec_id();
      d.reply.exec_type = exec_type::kNew;
      d.reply.ord_status = ord_status::kNew;
      d.reply.account = std::to_string(a->account.value());
      out.push_back(std::move(d));
    } else if (const auto* f = std::get_if<FillEvent>(&ev.body)) {
      on_fill(*f, out);
    } else if (const auto* c = std::get_if<CancelEvent>(&ev.body)) {
      on_cancelled(*c, out);
    } else if (const auto* r = std::get_if<ReplaceAckEvent>(&ev.body)) {
      on_replaced(*r, out);
    } else if (const auto* j = std::get_if<RejectEvent>(&ev.body)) {
      on_rejected(*j, out);
    }
    for (std::size_t i = before; i < out.size(); ++i) {
      if (out[i].reply.kind == ReplyKind::kExecReport) out[i].reply.transact_time_ns = ts.value();
    }
  }
  on_book_events(out);
}

void ExchangeDriver::on_fill(const FillEvent& e, std::vector<Delivery>& out) {
  const auto it = orders_.find(e.order_id.value());
  CX_ASSERT(it != orders_.end());
  OrderMeta& m = it->second;
  m.cum_t = e.cum_t.value();
  m.cum_notional_fen += e.price_fen.value() * e.quantity_t.value();
  m.quantity_t = e.cum_t.value() + e.leaves_t.value();
  Delivery d;
  d.session = m.session;
  d.reply = base_report(m, e.order_id, e.instrument, e.side);
  d.reply.exec_id = next_exec_id();
  d.reply.exec_type = exec_type::kTrade;
  d.reply.ord_status = status_of(m.cum_t, e.leaves_t.value());
  d.reply.leaves_qty_t = e.leaves_t.value();
  d.reply.last_qty_t = e.quantity_t.value();
  d.reply.last_px_fen = e.price_fen.value();
  d.reply.trade_id = std::to_string(e.trade_id.value());
  d.reply.fee_fen = e.fee_fen.value();
  d.reply.account = std::to_string(e.account.value());
  out.push_back(std::move(d));
  if (e.leaves_t.value() == 0) forget_order(e.order_id);
}

void ExchangeDriver::on_cancelled(const CancelEvent& e, std::vector<Delivery>& out) {
  const auto it = orders_.find(e.order_id.value());
  CX_ASSERT(it != orders_.end());
  OrderMeta m = it->second;
  if (pending_.request != nullptr && pending_.request->kind == RequestKind::kCancel &&
      e.reason == CancelReason::kRequested) {
    m.orig_cl_ord_id = m.cl_ord_id;  // the cancel request's ClOrdID answers it
    m.cl_ord_id = pending_.request->cl_ord_id.str();
  }
  if (e.reason == CancelReason::kMassCancel) ++pending_.cancels;
  Delivery d;
  d.session = m.session;
  d.reply = base_report(m, e.order_id, e.instrument, e.side);
  d.reply.exec_id = next_exec_id();
  const bool expired = e.reason == CancelReason::kExpired;
  d.reply.exec_type = expired ? exec_type::kExpired : exec_type::kCanceled;
  d.reply.ord_status = expired ? ord_status::kExpired : ord_status::kCanceled;
  d.reply.leaves_qty_t = 0;
  d.reply.account = std::to_string(e.account.value());
  d.reply.text = std::string(to_string(e.reason));
  out.push_back(std::move(d));
  forget_order(e.order_id);
}

void ExchangeDriver::on_replaced(const ReplaceAckEvent& e, std::vector<Delivery>& out) {
  const auto it = orders_.find(e.order_id.value());
  CX_ASSERT(it != orders_.end());
  CX_ASSERT(pending_.request != nullptr);
  OrderMeta& m = it->second;
  auto& open = open_by_clordid_[m.session];
  open.erase(m.cl_ord_id);
  m.orig_cl_ord_id = m.cl_ord_id;
  m.cl_ord_id = pending_.request->cl_ord_id.str();
  m.price_fen = e.price_fen.value();
  m.quantity_t = m.cum_t + e.quantity_t.value();
  open[m.cl_ord_id] = e.order_id.value();
  Delivery d;
  d.session = m.session;
  d.reply = base_report(m, e.order_id, e.instrument, e.side);
  d.reply.exec_id = next_exec_id();
  d.reply.exec_type = exec_type::kReplaced;
  d.reply.ord_status = status_of(m.cum_t, e.quantity_t.value());
  d.reply.account = std::to_string(e.account.value());
  out.push_back(std::move(d));
}

void ExchangeDriver::on_rejected(const RejectEvent& e, std::vector<Delivery>& out) {
  if (pending_.request == nullptr) {  // an operator, calendar or disconnect command: its own
    pending_.rejected = true;         // reply (if any) says so; no FIX session asked
    return;
  }
  const edge::FixCommand& q = *pending_.request;
  const std::string text(to_string(e.reason));
  if (e.command == CommandType::kNewOrder) {
    used_clordids_.erase(pending_.session, q.cl_ord_id.view());  // a rejected order may be re-sent
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
    return reject_order(pending_.session, q, code, text, out);
  }
  if (e.command == CommandType::kCancel || e.command == CommandType::kReplace) {
    reject_cancel(pending_.session, q,
                  e.reason == RejectReason::kUnknownOrder ? cxl_rej_reason::kUnknownOrder
                                                          : cxl_rej_reason::kOther,
                  text, out);
    // The order the member asked about is still live: FIX wants its OrderID and its current
    // OrdStatus in the OrderCancelReject, not "NONE" and Rejected.
    const auto live = core_->find_open_order(e.instrument, e.order_id);
    const auto meta = orders_.find(e.order_id.value());
    if (live && meta != orders_.end()) {
      out.back().reply.order_id = std::to_string(e.order_id.value());
      out.back().reply.ord_status = status_of(meta->second.cum_t, live->leaves_t.value());
    }
    return;
  }
  pending_.rejected = true;
}

// Market data: one incremental refresh per subscription per command, with every level and trade
// the command changed.
void ExchangeDriver::on_book_events(std::vector<Delivery>& out) {
  if (md_subs_.empty()) return;
  std::map<std::pair<SessionIndex, std::string>, FixReply> per_request;
  for (const Event& ev : core_->events()) {
    const auto* delta = std::get_if<BookDeltaEvent>(&ev.body);
    const auto* trade = std::get_if<TradeEvent>(&ev.body);
    if (delta == nullptr && trade == nullptr) continue;
    const InstrumentId ins = delta != nullptr ? delta->instrument : trade->instrument;
    const auto subs = md_subs_.find(ins.value());
    if (subs == md_subs_.end()) continue;
    for (const MdSubscriptionEntry& sub : subs->second) {
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

}  // namespace carbonx::gateway
