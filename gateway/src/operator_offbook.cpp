// ExchangeDriver: operator verbs of off-book trading (engine/offbook.hpp): auctions, repo filings
// by the operator (both parties' confirmations held), repo maturity, and reports of the open
// agreement reports, auctions and repos. Commands are journaled like every core command; a
// command the core refuses answers 409 with the engine's reason text and changes nothing.
#include <nlohmann/json.hpp>

#include "carbonx/gateway/exchange_driver.hpp"
#include "offbook_fix_detail.hpp"

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

// "2026-11-21" or 20261121 -> Date (validity is checked by the core).
Date date_of(const json& v) {
  if (v.is_number_integer()) return Date{v.get<std::int32_t>()};
  const std::string s = v.get<std::string>();
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return Date{0};
  std::int32_t n = 0;
  for (const char c : s) {
    if (c == '-') continue;
    if (c < '0' || c > '9') return Date{0};
    n = n * 10 + (c - '0');
  }
  return Date{n};
}

AuctionPricing pricing_of(const std::string& s) {
  if (s == "uniform") return AuctionPricing::kUniform;
  if (s != "pay_as_bid") throw std::invalid_argument("pricing: pay_as_bid | uniform");
  return AuctionPricing::kPayAsBid;
}

// The auction.open body (gateway/README.md) as the core command.
AuctionOpen auction_open_of(const json& in, TimestampNs ts, InstrumentId instrument) {
  AuctionOpen a;
  a.seller = AccountId(in.at("seller").get<std::uint32_t>());
  a.instrument = instrument;
  a.quantity_t = QuantityT(in.at("quantity_t").get<std::int64_t>());
  a.reserve_fen = PriceFen(in.at("reserve_fen").get<std::int64_t>());
  a.start_ts = TimestampNs(in.value("start_ts", ts.value()));
  a.end_ts = in.contains("end_ts")
                 ? TimestampNs(in.at("end_ts").get<std::int64_t>())
                 : TimestampNs(a.start_ts.value() +
                               in.at("duration_s").get<std::int64_t>() * 1'000'000'000);
  a.min_bid_t = QuantityT(in.value("min_bid_t", std::int64_t{0}));
  a.max_share_bp = in.value("max_share_bp", 5000u);
  a.pricing = pricing_of(in.value("pricing", std::string("pay_as_bid")));
  a.min_fill_bp = in.value("min_fill_bp", 0u);
  return a;
}

}  // namespace

// Runs one operator command and returns its events (the FIX sessions concerned get theirs too).
std::vector<Event> ExchangeDriver::run_operator_command(TimestampNs ts, CommandBody body,
                                                        std::vector<Delivery>& out) {
  seq_ = Seq(seq_.value() + 1);
  const Command cmd{seq_, ts, std::move(body)};
  auto rec = applier_->apply_engine(cmd);  // the one applier (journal_applier.hpp)
  CX_ASSERT(rec.ok());
  journal_records_.push_back(rec.value());
  journal_stamps_.push_back(ts);
  state_changed_ = true;
  std::vector<Event> events(core_->events().begin(), core_->events().end());
  translate_events(out);
  core_->clear_events();
  return events;
}

std::string ExchangeDriver::offbook_operator_json(TimestampNs ts, const std::string& verb,
                                                  const std::string& body_json,
                                                  std::uint32_t* status,
                                                  std::vector<Delivery>& out) {
  const json in = body_json.empty() ? json::object() : json::parse(body_json);
  auto answer = [&](const std::vector<Event>& events) {
    json rows = json::array();
    for (const Event& ev : events) {
      if (const auto* j = std::get_if<RejectEvent>(&ev.body)) {
        *status = 409;
        return json{{"ok", false}, {"error", std::string(to_string(j->reason))}}.dump();
      }
      json e = event_json(ev);
      if (!e.is_null()) rows.push_back(std::move(e));
    }
    return json{{"ok", true}, {"seq", seq_.value()}, {"events", rows}}.dump();
  };
  auto symbol = [&](const char* key) -> InstrumentId {
    const InstrumentConfig* ins = instrument_by_symbol(in.at(key).get<std::string>());
    if (ins == nullptr) throw std::invalid_argument("unknown symbol");
    return ins->id;
  };
  try {
    if (verb == "auction.open") {
      return answer(run_operator_command(ts, auction_open_of(in, ts, symbol("symbol")), out));
    }
    if (verb == "auction.close") {
      return answer(run_operator_command(
          ts, AuctionClose{OffBookId(in.at("auction_id").get<std::uint64_t>())}, out));
    }
    if (verb == "repo.file") {
      RepoFile f;
      f.repo_party = AccountId(in.at("repo_party").get<std::uint32_t>());
      f.reverse_party = AccountId(in.at("reverse_party").get<std::uint32_t>());
      f.filer = f.repo_party;
      f.instrument = symbol("symbol");
      f.quantity_t = QuantityT(in.at("quantity_t").get<std::int64_t>());
      f.start_price_fen = PriceFen(in.at("start_price_fen").get<std::int64_t>());
      f.repurchase_price_fen = PriceFen(in.at("repurchase_price_fen").get<std::int64_t>());
      f.end_date = date_of(in.at("end_date"));
      if (in.contains("surrender_deadline")) {
        f.surrender_deadline = date_of(in.at("surrender_deadline"));
      } else if (const auto d = offbook_detail::next_surrender_deadline(*registrar_, f.repo_party,
                                                                        trading_date(ts))) {
        f.surrender_deadline = d->deadline;  // a covered firm's, from the registrar
      }
      f.both_confirmed = true;  // the operator files both parties' signed agreement
      return answer(run_operator_command(ts, f, out));
    }
    if (verb == "repo.mature") {
      if (in.contains("repo_id")) {  // early repurchase with both parties' consents held
        RepoEarlyRepurchase e;
        e.repo_id = OffBookId(in.at("repo_id").get<std::uint64_t>());
        e.both_consented = true;
        return answer(run_operator_command(ts, e, out));
      }
      return answer(run_operator_command(ts, RepoMature{}, out));
    }
    if (verb == "repo.resolve_default") {
      return answer(run_operator_command(
          ts, RepoResolveDefault{OffBookId(in.at("repo_id").get<std::uint64_t>())}, out));
    }
    return offbook_report_json(verb, in.dump(), status);
  } catch (const json::exception& e) {
    *status = 400;
    return json{{"ok", false}, {"error", std::string("bad request body: ") + e.what()}}.dump();
  } catch (const std::invalid_argument& e) {
    *status = 400;
    return json{{"ok", false}, {"error", e.what()}}.dump();
  }
}

// Read-only reports: auction.list, repo.list, agreement.list.
std::string ExchangeDriver::offbook_report_json(const std::string& verb,
                                                const std::string& body_json,
                                                std::uint32_t* status) const {
  const json in = json::parse(body_json);
  const OffBookStateRecord& s = core_->offbook();
  if (verb == "auction.list") {
    json rows = json::array();
    for (const AuctionRecord& a : s.auctions) {
      std::int64_t bid_t = 0;
      for (const BidRecord& b : a.bids)
        bid_t += b.quantity_t.value();
      rows.push_back(
          {{"auction_id", a.id.value()},
           {"symbol", symbol_of(a.terms.instrument)},
           {"seller", a.terms.seller.value()},
           {"quantity_t", a.terms.quantity_t.value()},
           {"reserve_fen", a.terms.reserve_fen.value()},
           {"start_ts", a.terms.start_ts.value()},
           {"end_ts", a.terms.end_ts.value()},
           {"pricing", a.terms.pricing == AuctionPricing::kUniform ? "uniform" : "pay_as_bid"},
           {"bids", a.bids.size()},
           {"bid_t", bid_t}});
    }
    return json{{"ok", true}, {"auctions", rows}}.dump();
  }
  if (verb == "repo.list") {
    json open = json::array(), proposed = json::array(), defaulted = json::array();
    json maturities = json::array();
    for (const RepoRecord& r : repos_in(s, RepoStatus::kOpen))
      open.push_back(repo_record_json(r));
    for (const RepoRecord& r : repos_in(s, RepoStatus::kProposed))
      proposed.push_back(repo_record_json(r));
    for (const RepoRecord& r : repos_in(s, RepoStatus::kDefaulted))
      defaulted.push_back(repo_record_json(r));
    const Date from = in.contains("from") ? date_of(in.at("from")) : Date{0};
    const Date to = in.contains("to") ? date_of(in.at("to")) : Date{29991231};
    for (const RepoRecord& r : repo_maturities(s, from, to))
      maturities.push_back(repo_record_json(r));
    return json{{"ok", true},
                {"open", open},
                {"proposed", proposed},
                {"defaulted", defaulted},
                {"maturities", maturities}}
        .dump();
  }
  if (verb == "agreement.list") {
    json rows = json::array();
    for (const AgreementRecord& a : s.agreements) {
      rows.push_back({{"report_id", a.id.value()},
                      {"symbol", symbol_of(a.instrument)},
                      {"reporter", a.reporter.value()},
                      {"side", a.reporter_side == Side::kBuy ? "buy" : "sell"},
                      {"counterparty", a.counterparty.value()},
                      {"price_fen", a.price_fen.value()},
                      {"quantity_t", a.quantity_t.value()},
                      {"client_order_id", std::string(view(a.client_order_id))}});
    }
    return json{{"ok", true}, {"agreements", rows}}.dump();
  }
  *status = 404;
  return json{{"ok", false}, {"error", "unknown verb " + verb}}.dump();
}

}  // namespace carbonx::gateway
