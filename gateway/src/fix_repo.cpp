// ExchangeDriver: repo filings over FIX (docs/fix/README.md "Repo"): TradeCaptureReport (AE)
// with SecurityType(167)=REPO.
//
//   filer     AE 856=0, NoSides: the filer's 54 = 2 (the repo party: sells now, buys back) or 1
//             (the reverse party) and 1 account, then the other party's; 32 quantity, 31 start
//             price, 922 EndCash the repurchase amount (repurchase price x quantity), 917
//             EndDate -> RepoFile (unconfirmed; with the repo party's next surrender deadline
//             from the registrar when it is a covered firm)
//   other     AE 856=2 / 3, 572 = the repo id, on a proposed repo -> RepoConfirm / RepoDecline
//   either    AE 856=2, 572 = the repo id, on an open repo        -> RepoEarlyRepurchase (consent)
//
// Every step of a repo (RepoEvent) is reported to both parties' sessions as an AE with 167=REPO,
// 818 = the repo id, StartDate/EndDate, each side's StartCash/EndCash: 856=1 proposed (alleged to
// the other party; the filer gets an AR), 856=2 first leg settled / repurchased (TrdMatchID, LastPx
// = that leg's price, Commission = that party's fee; a waived fee is named in Text with its rule
// id), 856=3 declined / expired / defaulted / resolved, 856=4 an early repurchase consent waiting
// for the other party.

#include "carbonx/gateway/exchange_driver.hpp"
#include "offbook_fix_detail.hpp"

namespace carbonx::gateway {

void ExchangeDriver::on_repo_capture(TimestampNs ts, SessionIndex s, const edge::FixCommand& q,
                                     AccountId account, MemberId member,
                                     std::vector<Delivery>& out) {
  if (q.trade_report_type == '2' || q.trade_report_type == '3') {
    const std::uint64_t id = q.ref_number;
    if (id == 0) {
      return reject_trade_capture(s, q, "TradeReportRefID(572) must be the repo id (a number)",
                                  out);
    }
    const ClientOrderId clid = make_client_order_id(q.cl_ord_id.view());
    used_clordids_.insert(s, q.cl_ord_id.view());  // checked unused by on_trade_capture
    bool open = false;
    for (const RepoRecord& r : core_->offbook().repos) {
      if (r.id.value() == id) open = r.status == RepoStatus::kOpen;
    }
    if (q.trade_report_type == '3') {
      return run(ts, RepoDecline{account, member, OffBookId(id), clid}, out);
    }
    if (open) return run(ts, RepoEarlyRepurchase{account, member, OffBookId(id), false, clid}, out);
    return run(ts, RepoConfirm{account, member, OffBookId(id), clid}, out);
  }
  if (q.instrument.value() == 0)
    return reject_trade_capture(s, q, "unknown Symbol(55) " + q.symbol.str(), out);
  const std::uint32_t other = q.counterparty_number;
  if (other == 0) {
    return reject_trade_capture(
        s, q,
        "the counterparty's Account(1) (the second NoSides(552) entry) must be a registry "
        "account number",
        out);
  }
  RepoFile f;
  f.filer = account;
  f.member = member;
  f.repo_party = q.side == FixSide::kSell ? account : AccountId(other);
  f.reverse_party = q.side == FixSide::kSell ? AccountId(other) : account;
  f.instrument = q.instrument;
  f.quantity_t = QuantityT(q.quantity_t);
  f.start_price_fen = PriceFen(q.price_fen);
  f.repurchase_price_fen = PriceFen(q.price2_fen);
  f.end_date = Date{q.end_date};
  // A covered firm's repo must end before its surrender deadline: the registrar knows it.
  if (const auto d =
          offbook_detail::next_surrender_deadline(*registrar_, f.repo_party, trading_date(ts))) {
    f.surrender_deadline = d->deadline;
  }
  f.client_order_id = make_client_order_id(q.cl_ord_id.view());
  used_clordids_.insert(s, q.cl_ord_id.view());
  run(ts, f, out);
}

void ExchangeDriver::on_repo_event(const RepoEvent& e, TimestampNs ts, std::vector<Delivery>& out) {
  for (const bool repo_side : {true, false}) {
    const AccountId account = repo_side ? e.repo_party : e.reverse_party;
    const SessionIndex s = session_of_account(account);
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
          r.text += "; fee " + format_fen(fee.waived_fen.value()) + " waived by rule " +
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

}  // namespace carbonx::gateway
