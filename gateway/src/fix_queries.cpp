// ExchangeDriver: FIX queries (order status, market data, security list, positions). They read
// the state after every command before them and leave with their batch.
#include <fmt/format.h>

#include <span>

#include "carbonx/gateway/exchange_driver.hpp"
#include "carbonx/gateway/fix_engine.hpp"

namespace carbonx::gateway {

// The id of a query's answer (an order status ExecID, a SecurityResponseID, a PosMaintRptID):
// the seq the answer reflects, the member and the request's MsgSeqNum. Unique without a counter,
// so a restart does not hand out an id a member has already seen, and the same request on a
// restarted server is answered with the same id as on one that never stopped.
std::string ExchangeDriver::query_id(char kind, const edge::FixCommand& q) const {
  return fmt::format("{}{}-{}-{}", kind, seq_.value(), q.member.value(), q.msg_seq_num);
}

void ExchangeDriver::on_status(SessionIndex s, const edge::FixCommand& q,
                               std::vector<Delivery>& out) {
  const auto id = find_order(s, q);
  std::optional<OpenOrderRecord> open;
  if (id && q.instrument.value() != 0) open = core_->find_open_order(q.instrument, *id);
  Delivery d;
  d.session = s;
  if (!open) {
    FixReply& r = d.reply;
    r.kind = ReplyKind::kExecReport;
    r.order_id = q.order_id.empty() ? "NONE" : q.order_id.str();
    r.cl_ord_id = q.cl_ord_id.str();
    r.request_id = q.request_id.str();
    r.exec_id = query_id('S', q);
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
  const OrderMeta& m = orders_.at(id->value());
  d.reply = base_report(m, *id, q.instrument, open->side);
  d.reply.exec_id = query_id('S', q);
  d.reply.exec_type = exec_type::kOrderStatus;
  d.reply.ord_status = open->cum_t.value() > 0 ? ord_status::kPartiallyFilled : ord_status::kNew;
  d.reply.leaves_qty_t = open->leaves_t.value();
  d.reply.cum_qty_t = open->cum_t.value();
  d.reply.cum_notional_fen = open->cum_notional_fen.value();
  d.reply.account = std::to_string(open->account.value());
  d.reply.request_id = q.request_id.str();
  out.push_back(std::move(d));
}

void ExchangeDriver::md_snapshot(SessionIndex s, const std::string& request_id, InstrumentId id,
                                 int depth, bool bids, bool offers,
                                 std::vector<Delivery>& out) const {
  const OrderBook& book = core_->book(id);
  const std::int64_t tick = book.config().tick_fen.value();
  Delivery d;
  d.session = s;
  d.reply.kind = ReplyKind::kMdSnapshot;
  d.reply.request_id = request_id;
  d.reply.symbol = symbol_of(id);
  const int limit = depth == 0 ? kMaxMdDepth : depth;
  auto walk = [&](Side side, std::optional<PriceFen> best, std::int64_t step, char type) {
    if (!best) return;
    int levels = 0;
    for (std::int64_t p = best->value();
         p >= book.low_fen().value() && p <= book.high_fen().value() && levels < limit; p += step) {
      const QuantityT q = book.level_quantity(side, PriceFen(p));
      if (q.value() == 0) continue;
      ++levels;
      d.reply.md.push_back(MdEntry{type, '0', "", p, q.value(), levels});
    }
  };
  if (bids) walk(Side::kBuy, book.best_bid(), -tick, '0');
  if (offers) walk(Side::kSell, book.best_ask(), tick, '1');
  out.push_back(std::move(d));
}

void ExchangeDriver::on_market_data(SessionIndex s, const edge::FixCommand& q,
                                    std::vector<Delivery>& out) {
  auto reject = [&](int code, const std::string& text) {
    Delivery d;
    d.session = s;
    d.reply.kind = ReplyKind::kMdReject;
    d.reply.request_id = q.request_id.str();
    d.reply.reject_code = code;
    d.reply.text = text;
    out.push_back(std::move(d));
  };
  if (!q.md_unknown_symbol.empty()) {
    return reject(md_req_rej_reason::kUnknownSymbol,
                  "unknown Symbol(55) " + q.md_unknown_symbol.str());
  }
  const std::string request_id = q.request_id.str();
  const std::span<const InstrumentId> ids(q.md_instruments.data(), q.md_count);
  for (InstrumentId id : ids) {  // a new request or an unsubscribe replaces the same MDReqID
    auto& subs = md_subs_[id.value()];
    std::erase_if(subs, [&](const MdSubscriptionEntry& e) {
      return e.session == s && e.request_id == request_id;
    });
  }
  if (q.md_subscription == MdSubscription::kUnsubscribe) return;
  for (InstrumentId id : ids) {
    md_snapshot(s, request_id, id, q.md_depth, q.md_bids, q.md_offers, out);
    if (q.md_subscription != MdSubscription::kSubscribe) continue;
    auto& subs = md_subs_[id.value()];
    if (subs.size() >= kMaxSubscriptionsPerInstrument) {
      return reject(md_req_rej_reason::kInsufficientBandwidth,
                    "too many market data subscriptions on " + symbol_of(id));
    }
    subs.push_back(MdSubscriptionEntry{s, request_id, q.md_bids, q.md_offers, q.md_trades});
  }
}

void ExchangeDriver::on_security_list(SessionIndex s, const edge::FixCommand& q,
                                      std::vector<Delivery>& out) {
  Delivery d;
  d.session = s;
  d.reply.kind = ReplyKind::kSecurityList;
  d.reply.request_id = q.request_id.str();
  d.reply.response_id = query_id('L', q);
  for (const InstrumentConfig& i : core_->config().instruments) {
    if (!q.symbol.empty() && q.symbol != i.code) continue;
    std::string desc = std::string(to_string(i.product));
    if (i.product == ProductKind::kAllowance) desc += " vintage " + std::to_string(i.vintage);
    if (i.product != ProductKind::kAllowance) desc += " project " + i.project.project_id;
    d.reply.securities.push_back(SecurityEntry{i.code, desc, i.tick_fen.value(), i.lot_t.value()});
  }
  d.reply.result_code = d.reply.securities.empty() ? 2 : 0;
  out.push_back(std::move(d));
}

void ExchangeDriver::on_positions(SessionIndex s, const edge::FixCommand& q,
                                  std::vector<Delivery>& out) {
  CX_ASSERT(q.member.value() != 0);
  Delivery ack;
  ack.session = s;
  ack.reply.kind = ReplyKind::kPositionsAck;
  ack.reply.request_id = q.request_id.str();
  ack.reply.account = q.account.str();
  ack.reply.response_id = query_id('P', q);
  const AccountId account = q.account_id;
  if (account.value() == 0) {
    ack.reply.result_code = 3;
    ack.reply.text = "Account(1) " + q.account.str() + " is not an account of this member";
    out.push_back(std::move(ack));
    return;
  }
  std::vector<Delivery> reports;
  for (const registry::BalanceDetail& b : ledger_->balances_of(account)) {
    std::string symbol = "CNY";
    std::int64_t settl_price_fen = 100;  // 1 CNY is 1.00 CNY
    if (b.asset != kCashAsset) {
      const InstrumentConfig* ins = core_->instrument(InstrumentId(b.asset.value()));
      if (ins == nullptr) continue;
      symbol = ins->code;
      settl_price_fen = core_->reference_price(ins->id).value();
    }
    if (!q.symbol.empty() && q.symbol != symbol) continue;
    if (reports.size() >= kMaxPositionReports) break;
    Delivery d;
    d.session = s;
    d.reply.kind = ReplyKind::kPositionReport;
    d.reply.request_id = ack.reply.request_id;
    d.reply.response_id = ack.reply.response_id + "-" + std::to_string(reports.size() + 1);
    d.reply.account = ack.reply.account;
    d.reply.symbol = symbol;
    d.reply.available = b.available;
    d.reply.frozen = b.frozen;
    d.reply.settl_price_fen = settl_price_fen;
    d.reply.business_date = std::to_string(trading_date(now_).yyyymmdd);
    reports.push_back(std::move(d));
  }
  ack.reply.total_reports = static_cast<std::int32_t>(reports.size());
  ack.reply.result_code = reports.empty() ? 2 : 0;
  for (auto& r : reports)
    r.reply.total_reports = ack.reply.total_reports;
  out.push_back(std::move(ack));
  for (auto& r : reports)
    out.push_back(std::move(r));
}

}  // namespace carbonx::gateway
