// ExchangeDriver: repo filings over FIX (docs/fix/README.md "Repo"): TradeCaptureReport (AE)
// with SecurityType(167)=REPO. The requests are here; the reports of every step are the out
// stage's (gateway/out/src/offbook_replies.cpp).
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
                                     AccountId account, MemberId member, OutBatch& out) {
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

}  // namespace carbonx::gateway
