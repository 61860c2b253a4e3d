// Agreement transfer (协议转让): report, accept, decline/withdraw, expiry. Rules: offbook.hpp.

#include <algorithm>

#include "offbook_ops.hpp"

namespace carbonx {
namespace {

AgreementRecord* find_report(OffBookStateRecord& s, OffBookId id) {
  auto it = std::lower_bound(s.agreements.begin(), s.agreements.end(), id,
                             [](const AgreementRecord& a, OffBookId x) { return a.id < x; });
  return it != s.agreements.end() && it->id == id ? &*it : nullptr;
}

void erase_report(OffBookStateRecord& s, OffBookId id) {
  std::erase_if(s.agreements, [&](const AgreementRecord& a) { return a.id == id; });
}

AgreementEvent event_of(const AgreementRecord& a, AgreementStatus status) {
  AgreementEvent e;
  e.report_id = a.id;
  e.status = status;
  e.instrument = a.instrument;
  e.reporter = a.reporter;
  e.reporter_member = a.reporter_member;
  e.reporter_side = a.reporter_side;
  e.counterparty = a.counterparty;
  e.price_fen = a.price_fen;
  e.quantity_t = a.quantity_t;
  e.reporter_client_order_id = a.client_order_id;
  return e;
}

}  // namespace

void OffBookOps::agreement_report(Core& core, const AgreementReport& c) {
  const auto rej = [&](RejectReason r) {
    reject(core, CommandType::kAgreementReport, r, c.account, c.member, c.instrument, OffBookId(0),
           c.client_order_id);
  };
  const Core::Instrument* ins = core.find(c.instrument);
  if (ins == nullptr) return rej(RejectReason::kUnknownInstrument);
  if (c.side != Side::kBuy && c.side != Side::kSell) return rej(RejectReason::kBadCommand);
  if (c.counterparty == c.account) return rej(RejectReason::kSameAccount);
  if (auto r = core.check_trading(*ins)) return rej(*r);
  const InstrumentConfig& cfg = ins->config;
  if (!core.within_hours(cfg.agreement_hours)) return rej(RejectReason::kOutsideTradingHours);
  if (auto r = check_terms(*ins, c.price_fen, c.quantity_t, cfg.agreement_band_bp,
                           cfg.agreement_min_t)) {
    return rej(*r);
  }
  if (core.offbook_.agreements.size() >= core.config_.limits.max_open_agreements) {
    return rej(RejectReason::kTooManyOpen);
  }
  const bool sells = c.side == Side::kSell;
  const std::int64_t need =
      sells ? c.quantity_t.value()
            : buyer_hold_need(*ins, TradingMode::kAgreement, c.price_fen, c.quantity_t);
  const OffBookId id(core.offbook_.next_id);
  const AssetId asset = sells ? asset_of(c.instrument) : kCashAsset;
  if (auto st = core.ledger_.hold(agreement_hold(id), c.account, asset, need); !st) {
    if (sells && st.error() == LedgerError::kInsufficientAvailable) {
      return rej(core.units_refusal(c.account, c.instrument, c.quantity_t));
    }
    return rej(from_ledger(st.error()));
  }
  const OffBookId assigned = next_id(core);
  CX_ASSERT(assigned == id);
  const AgreementRecord a{id,     c.instrument,      c.account,   c.member,
                          c.side, c.counterparty,    c.price_fen, c.quantity_t,
                          need,   c.client_order_id, core.seq_};
  core.offbook_.agreements.push_back(a);
  core.emit(event_of(a, AgreementStatus::kReported));
}

void OffBookOps::agreement_accept(Core& core, const AgreementAccept& c) {
  AgreementRecord* a = find_report(core.offbook_, c.report_id);
  const auto rej = [&](RejectReason r) {
    reject(core, CommandType::kAgreementAccept, r, c.account, c.member,
           a == nullptr ? InstrumentId(0) : a->instrument, c.report_id, c.client_order_id);
  };
  if (a == nullptr) return rej(RejectReason::kUnknownOffBook);
  if (c.account != a->counterparty) return rej(RejectReason::kNotParty);
  const Core::Instrument* ins = core.find(a->instrument);
  CX_ASSERT(ins != nullptr);
  if (auto r = core.check_trading(*ins)) return rej(*r);
  const InstrumentConfig& cfg = ins->config;
  if (!core.within_hours(cfg.agreement_hours)) return rej(RejectReason::kOutsideTradingHours);
  if (auto r = check_terms(*ins, a->price_fen, a->quantity_t, cfg.agreement_band_bp,
                           cfg.agreement_min_t)) {
    return rej(*r);  // the reference moved since the report (not within one day)
  }
  const bool reporter_sells = a->reporter_side == Side::kSell;
  PairTrade t;
  t.instrument = a->instrument;
  t.seller = reporter_sells ? a->reporter : a->counterparty;
  t.buyer = reporter_sells ? a->counterparty : a->reporter;
  t.price_fen = a->price_fen;
  t.quantity_t = a->quantity_t;
  t.mode = TradingMode::kAgreement;
  t.kind = TransferKind::kAgreement;
  (reporter_sells ? t.seller_hold : t.buyer_hold) = agreement_hold(a->id);
  t.reference = a->id.value();
  PairResult res;
  if (auto err = settle_pair(core, t, res)) {
    if (reporter_sells || *err != LedgerError::kInsufficientAvailable) {
      return rej(from_ledger(*err));
    }
    return rej(core.units_refusal(c.account, a->instrument, a->quantity_t));  // acceptor sells
  }
  if (!cfg.same_day_resale) core.lock_purchase(*ins, t.buyer, t.quantity_t);
  if (const std::int64_t left = core.ledger_.held(agreement_hold(a->id)); left > 0) {
    CX_ASSERT(core.ledger_.release(agreement_hold(a->id), left).ok());
  }
  CX_ASSERT(core.ledger_.held(agreement_hold(a->id)) == 0);
  AgreementEvent e = event_of(*a, AgreementStatus::kAccepted);
  e.counterparty_member = c.member;
  e.trade_id = res.trade;
  e.reporter_fee = reporter_sells ? res.seller_fee : res.buyer_fee;
  e.counterparty_fee = reporter_sells ? res.buyer_fee : res.seller_fee;
  e.counterparty_client_order_id = c.client_order_id;
  erase_report(core.offbook_, c.report_id);
  core.emit(e);
}

void OffBookOps::agreement_decline(Core& core, const AgreementDecline& c) {
  AgreementRecord* a = find_report(core.offbook_, c.report_id);
  if (a == nullptr || (c.account != a->counterparty && c.account != a->reporter)) {
    return reject(core, CommandType::kAgreementDecline,
                  a == nullptr ? RejectReason::kUnknownOffBook : RejectReason::kNotParty, c.account,
                  c.member, a == nullptr ? InstrumentId(0) : a->instrument, c.report_id,
                  c.client_order_id);
  }
  CX_ASSERT(core.ledger_.release(agreement_hold(a->id), a->hold_amount).ok());
  const bool withdrawn = c.account == a->reporter;
  AgreementEvent e =
      event_of(*a, withdrawn ? AgreementStatus::kWithdrawn : AgreementStatus::kDeclined);
  if (!withdrawn) {
    e.counterparty_member = c.member;
    e.counterparty_client_order_id = c.client_order_id;
  }
  erase_report(core.offbook_, c.report_id);
  core.emit(e);
}

void OffBookOps::expire_agreements(Core& core) {
  for (const AgreementRecord& a : core.offbook_.agreements) {
    CX_ASSERT(core.ledger_.release(agreement_hold(a.id), a.hold_amount).ok());
    core.emit(event_of(a, AgreementStatus::kExpired));
  }
  core.offbook_.agreements.clear();
}

}  // namespace carbonx
