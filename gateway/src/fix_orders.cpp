// ExchangeDriver: FIX order requests -> core commands (their replies: the out stage).
#include <fmt/format.h>

#include "carbonx/gateway/exchange_driver.hpp"
#include "carbonx/gateway/fix_engine.hpp"

namespace carbonx::gateway {
namespace {

Side to_core(FixSide s) {
  return s == FixSide::kSell ? Side::kSell : Side::kBuy;
}
TimeInForce to_core(FixTif t) {
  return t == FixTif::kIoc   ? TimeInForce::kIoc
         : t == FixTif::kFok ? TimeInForce::kFok
                             : TimeInForce::kDay;
}

}  // namespace

std::optional<std::string> ExchangeDriver::trading_refusal(const edge::FixCommand& q) const {
  const registry::Account* a = ledger_->account(q.account_id);
  if (a == nullptr) return std::nullopt;
  const auto kind = static_cast<std::uint32_t>(a->kind);
  const bool trader = a->kind == registry::AccountKind::kControlEmissionFirm ||
                      a->kind == registry::AccountKind::kInvestmentInstitution ||
                      a->kind == registry::AccountKind::kIndividual;
  if (!trader || ((config_.trading_account_kinds >> kind) & 1u) != 0) return std::nullopt;
  return fmt::format(
      "Account(1) {} is an account of kind {}, which may not trade on this exchange "
      "([server] trading_account_kinds)",
      q.account.str(), registry::to_string(a->kind));
}

const std::string& ExchangeDriver::symbol_of(InstrumentId id) const {
  static const std::string kUnknown = "UNKNOWN";
  const InstrumentConfig* i = core_->instrument(id);
  return i == nullptr ? kUnknown : i->code;
}

std::optional<OrderId> ExchangeDriver::find_order(SessionIndex s, const edge::FixCommand& q) const {
  if (!q.order_id.empty()) {
    const auto it = open_orders_.find(q.order_number);
    if (it != open_orders_.end() && it->second.session == s) return OrderId(q.order_number);
    return std::nullopt;
  }
  const auto clid = q.kind == RequestKind::kStatus ? q.cl_ord_id.str() : q.orig_cl_ord_id.str();
  const auto it = open_by_clordid_[s].find(clid);
  if (it == open_by_clordid_[s].end()) return std::nullopt;
  return OrderId(it->second);
}

void ExchangeDriver::reject_order(SessionIndex s, const edge::FixCommand& q, std::int32_t code,
                                  const std::string& text, OutBatch& out) {
  out.steps.emplace_back(
      carbonx::out::Refused{carbonx::out::Refused::Reply::kOrder, seq_, s, q, code, text});
}

void ExchangeDriver::reject_cancel(SessionIndex s, const edge::FixCommand& q, std::int32_t code,
                                   const std::string& text, OutBatch& out,
                                   const OpenOrderRecord* live) {
  carbonx::out::Refused r{carbonx::out::Refused::Reply::kCancel, seq_, s, q, code, text};
  if (live != nullptr) {
    r.live_order = live->order_id;
    r.live_leaves_t = live->leaves_t.value();
  }
  out.steps.emplace_back(std::move(r));
}

void ExchangeDriver::on_new_order(TimestampNs ts, SessionIndex s, const edge::FixCommand& q,
                                  OutBatch& out) {
  CX_ASSERT(q.member.value() != 0);
  if (q.account_id.value() == 0) {
    return reject_order(s, q, ord_rej_reason::kUnknownAccount,
                        "Account(1) " + q.account.str() +
                            " is not an account this member "
                            "may trade (accounts are registry account numbers)",
                        out);
  }
  if (q.instrument.value() == 0) {
    return reject_order(s, q, ord_rej_reason::kUnknownSymbol,
                        "unknown Symbol(55) " + q.symbol.str() + " (see SecurityList)", out);
  }
  if (auto why = trading_refusal(q)) return reject_order(s, q, ord_rej_reason::kOther, *why, out);
  if (!used_clordids_.insert(s, q.cl_ord_id.view())) {
    return reject_order(s, q, ord_rej_reason::kDuplicateOrder,
                        "duplicate ClOrdID(11) " + q.cl_ord_id.str() +
                            ": ClOrdID must be unique per session and trading day",
                        out);
  }
  NewOrder c;
  c.account = q.account_id;
  c.member = q.member;
  c.instrument = q.instrument;
  c.side = to_core(q.side);
  // A take (OrdType=D) is the core's click naming a level: its Price(44).
  c.type = q.ord_type == FixOrdType::kLimit ? OrderType::kLimit : OrderType::kClick;
  c.tif = to_core(q.tif);
  c.price_fen = PriceFen(q.ord_type == FixOrdType::kClick ? 0 : q.price_fen);
  c.quantity_t = QuantityT(q.quantity_t);
  c.client_order_id = make_client_order_id(q.cl_ord_id.view());
  pending_ = Pending{};
  pending_.request = &q;
  pending_.session = s;
  run(ts, c, out);
  pending_ = Pending{};
}

// A cancel or replace the FIX translation refused (an unsupported field, a price off the tick):
// answered here, not on the FIX thread, because FIX 4.4 wants the OrderCancelReject to carry the
// named order's OrderID and current OrdStatus when it is live. Nothing changes; the ClOrdID is
// not taken (as for any message refused before it is understood).
void ExchangeDriver::on_translation_refused(SessionIndex s, const edge::FixCommand& q,
                                            OutBatch& out) {
  CX_ASSERT(q.refusal.refused);
  CX_ASSERT(q.kind == RequestKind::kCancel || q.kind == RequestKind::kReplace);
  std::optional<OpenOrderRecord> open;
  if (q.auction_id.empty() && q.instrument.value() != 0) {
    if (const auto id = find_order(s, q)) open = core_->find_open_order(q.instrument, *id);
  }
  reject_cancel(s, q, cxl_rej_reason::kOther, gateway::refusal_text(q.refusal), out,
                open ? &*open : nullptr);
}

void ExchangeDriver::on_cancel_or_replace(TimestampNs ts, SessionIndex s, const edge::FixCommand& q,
                                          OutBatch& out) {
  CX_ASSERT(q.member.value() != 0);
  const auto id = find_order(s, q);
  if (!id) {
    return reject_cancel(s, q, cxl_rej_reason::kUnknownOrder,
                         "unknown order: no open order of this session with "
                         "OrigClOrdID(41) " +
                             q.orig_cl_ord_id.str() +
                             (q.order_id.empty() ? "" : " / OrderID(37) " + q.order_id.str()),
                         out);
  }
  CX_ASSERT(open_orders_.contains(id->value()));
  if (q.instrument.value() == 0) {
    return reject_cancel(s, q, cxl_rej_reason::kOther, "unknown Symbol(55) " + q.symbol.str(), out);
  }
  const auto open = core_->find_open_order(q.instrument, *id);
  if (!open)
    return reject_cancel(s, q, cxl_rej_reason::kUnknownOrder,
                         "order is not open in " + q.symbol.str(), out);
  // A cancel's ClOrdID, like a replace's, is a new id of the session's day (FIX 4.4: unique
  // per session); it stays used when the core refuses the request.
  if (!used_clordids_.insert(s, q.cl_ord_id.view())) {
    return reject_cancel(s, q, cxl_rej_reason::kDuplicateClOrdId,
                         "duplicate ClOrdID(11) " + q.cl_ord_id.str(), out, &*open);
  }
  pending_ = Pending{};
  pending_.request = &q;
  pending_.session = s;
  if (q.kind == RequestKind::kCancel) {
    run(ts,
        Cancel{open->account, q.member, q.instrument, *id,
               make_client_order_id(q.cl_ord_id.view())},
        out);
  } else {
    // FIX OrderQty is the new total; the core takes the new open quantity (leaves).
    const std::int64_t leaves = q.quantity_t - open->cum_t.value();
    if (leaves <= 0) {
      pending_ = Pending{};
      return reject_cancel(s, q, cxl_rej_reason::kOther,
                           "OrderQty(38) " + std::to_string(q.quantity_t) +
                               " is not above the quantity already filled (" +
                               std::to_string(open->cum_t.value()) + ")",
                           out, &*open);
    }
    run(ts,
        Replace{open->account, q.member, q.instrument, *id, PriceFen(q.price_fen),
                QuantityT(leaves), make_client_order_id(q.cl_ord_id.view())},
        out);
  }
  pending_ = Pending{};
}

void ExchangeDriver::on_mass_cancel(TimestampNs ts, SessionIndex s, const edge::FixCommand& q,
                                    OutBatch& out) {
  CX_ASSERT(q.member.value() != 0);
  auto refuse = [&](std::int32_t code, std::string text) {
    Delivery d;
    d.session = s;
    FixReply& r = d.reply;
    r.kind = ReplyKind::kMassCancelReport;
    r.cl_ord_id = q.cl_ord_id.str();
    r.order_id = fmt::format("MC{}", seq_.value() + 1);
    r.mass_scope = q.mass_scope;
    r.symbol = q.symbol.str();
    r.mass_accepted = false;
    r.reject_code = code;
    r.text = std::move(text);
    out.ready(std::move(d));
  };
  MassCancel mc;
  mc.by_member = true;
  mc.member = q.member;
  if (q.mass_scope == MassCancelScope::kSecurity) {
    if (q.instrument.value() == 0) {
      return refuse(mass_cancel_reject_reason::kUnknownSecurity,
                    "unknown Symbol(55) " + q.symbol.str());
    }
    mc.by_instrument = true;
    mc.instrument = q.instrument;
  }
  if (!q.account.empty()) {
    if (q.account_id.value() == 0) {
      return refuse(mass_cancel_reject_reason::kOther,
                    "Account(1) " + q.account.str() + " is not an account this member may trade");
    }
    mc.by_account = true;
    mc.account = q.account_id;
  }
  if (!used_clordids_.insert(s, q.cl_ord_id.view())) {
    return refuse(mass_cancel_reject_reason::kOther,
                  "duplicate ClOrdID(11) " + q.cl_ord_id.str() +
                      ": ClOrdID must be unique per session and trading day");
  }
  pending_ = Pending{};
  pending_.request = &q;
  pending_.session = s;
  run(ts, mc, out);  // the out stage reports the cancels, then the MassCancelReport
  pending_ = Pending{};
}

void ExchangeDriver::forget_order(OrderId id) {
  const auto it = open_orders_.find(id.value());
  if (it == open_orders_.end()) return;
  if (it->second.session != kNoSession) {
    auto& open = open_by_clordid_[it->second.session];
    const auto o = open.find(it->second.cl_ord_id);
    if (o != open.end() && o->second == id.value()) open.erase(o);
  }
  open_orders_.erase(it);
}

}  // namespace carbonx::gateway
