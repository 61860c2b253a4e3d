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

// The order's report comes from the out stage (it keeps ClOrdID, OrdType, TimeInForce); the
// core thread says whether the order is open and where it stands.
void ExchangeDriver::on_status(SessionIndex s, const edge::FixCommand& q, OutBatch& out) {
  const auto id = find_order(s, q);
  carbonx::out::StatusQuery status{seq_, s, q, std::nullopt};
  if (id && q.instrument.value() != 0) status.open = core_->find_open_order(q.instrument, *id);
  out.steps.emplace_back(std::move(status));
}

FixReply ExchangeDriver::md_snapshot(const std::string& request_id, InstrumentId id, int depth,
                                     bool bids, bool offers) const {
  const OrderBook& book = core_->book(id);
  const std::int64_t tick = book.config().tick_fen.value();
  FixReply reply;
  reply.kind = ReplyKind::kMdSnapshot;
  reply.request_id = request_id;
  reply.symbol = symbol_of(id);
  const int limit = depth == 0 ? kMaxMdDepth : depth;
  auto walk = [&](Side side, std::optional<PriceFen> best, std::int64_t step, char type) {
    if (!best) return;
    int levels = 0;
    for (std::int64_t p = best->value();
         p >= book.low_fen().value() && p <= book.high_fen().value() && levels < limit; p += step) {
      const QuantityT q = book.level_quantity(side, PriceFen(p));
      if (q.value() == 0) continue;
      ++levels;
      reply.md.push_back(MdEntry{type, '0', "", p, q.value(), levels});
    }
  };
  if (bids) walk(Side::kBuy, book.best_bid(), -tick, '0');
  if (offers) walk(Side::kSell, book.best_ask(), tick, '1');
  return reply;
}

// The snapshots are read from the books here; the subscriptions are the out stage's.
void ExchangeDriver::on_market_data(SessionIndex s, const edge::FixCommand& q, OutBatch& out) {
  if (!q.md_unknown_symbol.empty()) {
    Delivery d;
    d.session = s;
    d.reply.kind = ReplyKind::kMdReject;
    d.reply.request_id = q.request_id.str();
    d.reply.reject_code = md_req_rej_reason::kUnknownSymbol;
    d.reply.text = "unknown Symbol(55) " + q.md_unknown_symbol.str();
    out.ready(std::move(d));
    return;
  }
  carbonx::out::MdRequest md{s, q, {}};
  if (q.md_subscription != MdSubscription::kUnsubscribe) {
    const std::string request_id = q.request_id.str();
    for (std::size_t i = 0; i < q.md_count; ++i) {
      md.snapshots.push_back(
          md_snapshot(request_id, q.md_instruments[i], q.md_depth, q.md_bids, q.md_offers));
    }
  }
  out.steps.emplace_back(std::move(md));
}

void ExchangeDriver::on_security_list(SessionIndex s, const edge::FixCommand& q, OutBatch& out) {
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
  out.ready(std::move(d));
}

void ExchangeDriver::on_positions(SessionIndex s, const edge::FixCommand& q, OutBatch& out) {
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
    out.ready(std::move(ack));
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
  out.ready(std::move(ack));
  for (auto& r : reports)
    out.ready(std::move(r));
}

}  // namespace carbonx::gateway
