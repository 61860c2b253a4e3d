// ExchangeDriver: operator verbs of off-book trading (engine/offbook.hpp): auctions, repo filings
// by the operator (both parties' confirmations held), repo maturity, and reports of the open
// agreement reports, auctions and repos. Commands are journaled like every core command; a
// command the core refuses answers 409 with the engine's reason text and changes nothing.
#include <nlohmann/json.hpp>

#include "offbook_fix_detail.hpp"
#include "operator_handlers.hpp"

namespace carbonx::gateway {
namespace {

using json = nlohmann::json;

json fee_json(const FeeCharge& f) {
  return json{{"fee_fen", f.fee_fen.value()},
              {"waived_fen", f.waived_fen.value()},
              {"waiver_rule_id", f.waiver_rule_id}};
}

json repo_record_json(const RepoRecord& r) {
  return json{{"repo_id", r.id.value()},
              {"status", std::string(to_string(r.status))},
              {"instrument", r.instrument.value()},
              {"repo_party", r.repo_party.value()},
              {"reverse_party", r.reverse_party.value()},
              {"quantity_t", r.quantity_t.value()},
              {"start_price_fen", r.start_price_fen.value()},
              {"repurchase_price_fen", r.repurchase_price_fen.value()},
              {"filed_date", r.filed_date.yyyymmdd},
              {"end_date", r.end_date.yyyymmdd},
              {"locked_t", r.status == RepoStatus::kProposed ? 0 : r.hold_amount}};
}

json event_json(const Event& ev) {
  if (const auto* a = std::get_if<AuctionEvent>(&ev.body)) {
    return json{{"event", "auction"},
                {"auction_id", a->auction_id.value()},
                {"status", std::string(to_string(a->status))},
                {"bid_t", a->bid_t.value()},
                {"cleared_t", a->cleared_t.value()},
                {"low_fen", a->low_fen.value()},
                {"high_fen", a->high_fen.value()},
                {"winners", a->winners},
                {"bids", a->bids},
                {"proceeds_fen", a->proceeds_fen.value()},
                {"seller_fee", fee_json(a->seller_fee)}};
  }
  if (const auto* b = std::get_if<AuctionBidEvent>(&ev.body)) {
    return json{{"event", "bid"},
                {"auction_id", b->auction_id.value()},
                {"bid_id", b->bid_id.value()},
                {"status", std::string(to_string(b->status))},
                {"account", b->account.value()},
                {"price_fen", b->price_fen.value()},
                {"quantity_t", b->quantity_t.value()},
                {"filled_t", b->filled_t.value()},
                {"paid_fen", b->paid_fen.value()},
                {"trade_id", b->trade_id.value()},
                {"fee", fee_json(b->fee)}};
  }
  if (const auto* r = std::get_if<RepoEvent>(&ev.body)) {
    return json{{"event", "repo"},
                {"repo_id", r->repo_id.value()},
                {"status", std::string(to_string(r->status))},
                {"repo_party", r->repo_party.value()},
                {"reverse_party", r->reverse_party.value()},
                {"quantity_t", r->quantity_t.value()},
                {"trade_id", r->trade_id.value()},
                {"repo_party_fee", fee_json(r->repo_party_fee)},
                {"reverse_party_fee", fee_json(r->reverse_party_fee)},
                {"early", r->early},
                {"units_released", r->units_released}};
  }
  if (const auto* g = std::get_if<AgreementEvent>(&ev.body)) {
    return json{{"event", "agreement"},
                {"report_id", g->report_id.value()},
                {"status", std::string(to_string(g->status))}};
  }
  if (const auto* j = std::get_if<RejectEvent>(&ev.body)) {
    return json{{"event", "reject"}, {"reason", std::string(to_string(j->reason))}};
  }
  return json{};
}

OperatorReply error_reply(std::uint32_t status, const std::string& text) {
  return OperatorReply{status, json{{"ok", false}, {"error", text}}.dump()};
}

}  // namespace

// Runs one operator command and returns its events (the FIX sessions concerned get theirs too).
std::vector<Event> ExchangeDriver::run_operator_command(TimestampNs ts, CommandBody body,
                                                        OutBatch& out) {
  seq_ = Seq(seq_.value() + 1);
  const Command cmd{seq_, ts, std::move(body)};
  auto rec = applier_->apply_engine(cmd);  // the one applier (journal_applier.hpp)
  CX_ASSERT(rec.ok());
  journal_records_.push_back(rec.value());
  journal_stamps_.push_back(ts);
  state_changed_ = true;
  std::vector<Event> events(core_->events().begin(), core_->events().end());
  record_applied(out);
  core_->clear_events();
  return events;
}

// The command's events, or 409 with the engine's reason (the command changed nothing).
OperatorReply OperatorHandlers::offbook_command(CommandBody body) {
  const std::vector<Event> events = d_.run_operator_command(ts_, std::move(body), out_);
  json rows = json::array();
  for (const Event& ev : events) {
    if (const auto* j = std::get_if<RejectEvent>(&ev.body)) {
      return error_reply(409, std::string(to_string(j->reason)));
    }
    json e = event_json(ev);
    if (!e.is_null()) rows.push_back(std::move(e));
  }
  return OperatorReply{200, json{{"ok", true}, {"seq", d_.seq_.value()}, {"events", rows}}.dump()};
}

// auction.open: end_ts, or start_ts (default: the command's stamp) + duration_s.
OperatorReply OperatorHandlers::operator()(const verbs::AuctionOpen& r) {
  const InstrumentConfig* ins = instrument(r.symbol);
  if (ins == nullptr) return unknown_symbol(r.symbol);
  AuctionOpen a;
  a.seller = r.seller;
  a.instrument = ins->id;
  a.quantity_t = r.quantity_t;
  a.reserve_fen = r.reserve_fen;
  a.start_ts = r.start_ts.value_or(ts_);
  a.end_ts =
      r.end_ts ? *r.end_ts : TimestampNs(a.start_ts.value() + r.duration_s.value() * 1'000'000'000);
  a.min_bid_t = r.min_bid_t;
  a.max_share_bp = r.max_share_bp;
  a.pricing = r.pricing;
  a.min_fill_bp = r.min_fill_bp;
  return offbook_command(a);
}

OperatorReply OperatorHandlers::operator()(const verbs::AuctionClose& r) {
  return offbook_command(AuctionClose{r.auction_id});
}

// repo.file: both parties' signed agreement filed by the operator; the surrender deadline is
// the one given, else the repo party's own (a covered firm's, from the registrar).
OperatorReply OperatorHandlers::operator()(const verbs::RepoFile& r) {
  const InstrumentConfig* ins = instrument(r.symbol);
  if (ins == nullptr) return unknown_symbol(r.symbol);
  RepoFile f;
  f.repo_party = r.repo_party;
  f.reverse_party = r.reverse_party;
  f.filer = f.repo_party;
  f.instrument = ins->id;
  f.quantity_t = r.quantity_t;
  f.start_price_fen = r.start_price_fen;
  f.repurchase_price_fen = r.repurchase_price_fen;
  f.end_date = r.end_date;
  if (r.surrender_deadline) {
    f.surrender_deadline = *r.surrender_deadline;
  } else if (const auto d = offbook_detail::next_surrender_deadline(*d_.registrar_, f.repo_party,
                                                                    trading_date(ts_))) {
    f.surrender_deadline = d->deadline;
  }
  f.both_confirmed = true;
  return offbook_command(f);
}

// repo.mature: every open repo whose end date has come, or with repo_id an early repurchase
// with both parties' consents held.
OperatorReply OperatorHandlers::operator()(const verbs::RepoMature& r) {
  if (r.repo_id) {
    RepoEarlyRepurchase e;
    e.repo_id = *r.repo_id;
    e.both_consented = true;
    return offbook_command(e);
  }
  return offbook_command(RepoMature{});
}

OperatorReply OperatorHandlers::operator()(const verbs::RepoResolveDefault& r) {
  return offbook_command(RepoResolveDefault{r.repo_id});
}

OperatorReply OperatorHandlers::operator()(const verbs::AuctionList&) {
  json rows = json::array();
  for (const AuctionRecord& a : d_.core_->offbook().auctions) {
    std::int64_t bid_t = 0;
    for (const BidRecord& b : a.bids)
      bid_t += b.quantity_t.value();
    rows.push_back(
        {{"auction_id", a.id.value()},
         {"symbol", d_.symbol_of(a.terms.instrument)},
         {"seller", a.terms.seller.value()},
         {"quantity_t", a.terms.quantity_t.value()},
         {"reserve_fen", a.terms.reserve_fen.value()},
         {"start_ts", a.terms.start_ts.value()},
         {"end_ts", a.terms.end_ts.value()},
         {"pricing", a.terms.pricing == AuctionPricing::kUniform ? "uniform" : "pay_as_bid"},
         {"bids", a.bids.size()},
         {"bid_t", bid_t}});
  }
  return OperatorReply{200, json{{"ok", true}, {"auctions", rows}}.dump()};
}

OperatorReply OperatorHandlers::operator()(const verbs::RepoList& r) {
  const OffBookStateRecord& s = d_.core_->offbook();
  json open = json::array(), proposed = json::array(), defaulted = json::array();
  json maturities = json::array();
  for (const RepoRecord& x : repos_in(s, RepoStatus::kOpen))
    open.push_back(repo_record_json(x));
  for (const RepoRecord& x : repos_in(s, RepoStatus::kProposed))
    proposed.push_back(repo_record_json(x));
  for (const RepoRecord& x : repos_in(s, RepoStatus::kDefaulted))
    defaulted.push_back(repo_record_json(x));
  for (const RepoRecord& x :
       repo_maturities(s, r.from.value_or(Date{0}), r.to.value_or(Date{29991231})))
    maturities.push_back(repo_record_json(x));
  return OperatorReply{200, json{{"ok", true},
                                 {"open", open},
                                 {"proposed", proposed},
                                 {"defaulted", defaulted},
                                 {"maturities", maturities}}
                                .dump()};
}

OperatorReply OperatorHandlers::operator()(const verbs::AgreementList&) {
  json rows = json::array();
  for (const AgreementRecord& a : d_.core_->offbook().agreements) {
    rows.push_back({{"report_id", a.id.value()},
                    {"symbol", d_.symbol_of(a.instrument)},
                    {"reporter", a.reporter.value()},
                    {"side", a.reporter_side == Side::kBuy ? "buy" : "sell"},
                    {"counterparty", a.counterparty.value()},
                    {"price_fen", a.price_fen.value()},
                    {"quantity_t", a.quantity_t.value()},
                    {"client_order_id", std::string(view(a.client_order_id))}});
  }
  return OperatorReply{200, json{{"ok", true}, {"agreements", rows}}.dump()};
}

}  // namespace carbonx::gateway
