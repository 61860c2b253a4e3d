// ExchangeDriver: the operator verb table's core-side dispatch (operator_handlers.hpp) and the
// handlers of market phases, the end of day, the exchange clock and the queries (core thread).
// Market phases and the end of day are core commands (journaled); account, cash, issuance,
// allocation and compliance changes are journaled registry commands (operator_registry.cpp).
#include <cstdio>
#include <nlohmann/json.hpp>

#include "operator_handlers.hpp"

namespace carbonx::gateway {
namespace {

using json = nlohmann::json;

OperatorReply error_reply(std::uint32_t status, const std::string& text) {
  return OperatorReply{status, json{{"ok", false}, {"error", text}}.dump()};
}

static_assert(verbs::kMaxAdvanceS * 1'000'000'000 == ExchangeClock::kMaxAdvanceNs,
              "clock.advance's range in the verb table is the clock's");

}  // namespace

void ExchangeDriver::on_operator(TimestampNs ts, const OperatorRequest& r, OutBatch& out) {
  pending_ = Pending{};
  OperatorReply reply = std::visit(OperatorHandlers{*this, ts, out}, r.request);
  Delivery d;
  d.ticket = r.ticket;
  d.http_status = reply.http_status;
  d.json = std::move(reply.json);
  out.ready(std::move(d));
}

const InstrumentConfig* OperatorHandlers::instrument(const verbs::Symbol& s) const {
  return s.id.value() == 0 ? nullptr : d_.core_->instrument(s.id);
}

OperatorReply OperatorHandlers::unknown_symbol(const verbs::Symbol& s) {
  return error_reply(404, "unknown symbol " + s.text.str());
}

OperatorReply OperatorHandlers::not_admitted(std::string_view verb) {
  return error_reply(400, std::string(verb) + ": not completed by the operator edge");
}

OperatorReply OperatorHandlers::set_phase(Phase phase, const verbs::SymbolOrAll& r) {
  SetPhase sp;
  sp.phase = phase;
  sp.all_instruments = !r.symbol.has_value();
  if (r.symbol) {
    const InstrumentConfig* ins = instrument(*r.symbol);
    if (ins == nullptr) return unknown_symbol(*r.symbol);
    sp.instrument = ins->id;
  }
  d_.run(ts_, sp, out_);  // FIX reports the command causes go out too
  return OperatorReply{200, json{{"ok", true}, {"seq", d_.seq_.value()}}.dump()};
}

OperatorReply OperatorHandlers::operator()(const verbs::MarketOpen& r) {
  return set_phase(Phase::kContinuous, r);
}
OperatorReply OperatorHandlers::operator()(const verbs::MarketResume& r) {
  return set_phase(Phase::kContinuous, r);
}
OperatorReply OperatorHandlers::operator()(const verbs::MarketClose& r) {
  return set_phase(Phase::kClosed, r);
}
OperatorReply OperatorHandlers::operator()(const verbs::MarketHalt& r) {
  return set_phase(Phase::kHalted, r);
}

OperatorReply OperatorHandlers::operator()(const verbs::DayEnd&) {
  d_.on_calendar(ts_, CalendarEvent{CalendarEvent::Kind::kEndOfDay}, out_);
  return OperatorReply{200, json{{"ok", true}, {"seq", d_.seq_.value()}}.dump()};
}

namespace {
json clock_state(const ExchangeClock& clock, std::int64_t now) {
  return json{{"ok", true},
              {"mode", clock.simulated() ? "simulated" : "wall"},
              {"clock", clock.describe()},
              {"now", format_clock_time(now)},
              {"now_ns", now},
              {"trading_date", trading_date(TimestampNs(now)).yyyymmdd}};
}
}  // namespace

// clock.status: the exchange clock's mode and time.
OperatorReply OperatorHandlers::operator()(const verbs::ClockStatus&) {
  return OperatorReply{200, clock_state(*d_.clock_, d_.clock_->now_ns()).dump()};
}

// clock.advance: moves a simulated clock forward (never back), persisted in
// <data_dir>/gateway/clock and logged; calendar events skipped by the jump are not replayed.
// The table checked that exactly one of "to" and "seconds" (1..kMaxAdvanceS) is given.
OperatorReply OperatorHandlers::operator()(const verbs::ClockAdvance& r) {
  ExchangeClock& clock = *d_.clock_;
  const std::int64_t before = clock.now_ns();
  std::int64_t target = 0;
  if (r.to) {
    const auto t = parse_clock_time(*r.to);
    if (!t) {
      return error_reply(400,
                         "clock.advance: \"to\" must be a time like 2017-05-12T15:00:00+08:00 "
                         "(ISO 8601 with seconds and Z or +HH:MM, years 2000-2099)");
    }
    target = *t;
  } else {
    CX_ASSERT(r.seconds.has_value());
    target = before + *r.seconds * 1'000'000'000;
  }
  if (const auto st = clock.advance_to(target); !st.ok()) {
    return OperatorReply{
        st.error() == ClockError::kPersist ? 500u : 409u,
        json{{"ok", false},
             {"error", "clock.advance refused: " + std::string(to_string(st.error()))},
             {"now", format_clock_time(clock.now_ns())}}
            .dump()};
  }
  std::fprintf(stderr, "carbonxd: exchange clock advanced by the operator from %s to %s\n",
               format_clock_time(before).c_str(), format_clock_time(target).c_str());
  std::fflush(stderr);
  json reply = clock_state(clock, clock.now_ns());
  reply["from"] = format_clock_time(before);
  return OperatorReply{200, reply.dump()};
}

OperatorReply OperatorHandlers::operator()(const verbs::QueryBalances& r) {
  const registry::Account* account = d_.ledger_->account(r.account);
  if (account == nullptr) return error_reply(404, "unknown account");
  json rows = json::array();
  for (const auto& b : d_.ledger_->balances_of(r.account)) {
    const InstrumentConfig* ins =
        b.asset == kCashAsset ? nullptr : d_.core_->instrument(InstrumentId(b.asset.value()));
    rows.push_back({{"asset", b.asset == kCashAsset ? "CNY"
                              : ins                 ? ins->code
                                                    : "?"},
                    {"available", b.available},
                    {"frozen", b.frozen}});
  }
  // The account's own holding limit per instrument, t (-1: its kind's limit applies).
  return OperatorReply{
      200,
      json{{"ok", true}, {"balances", rows}, {"holding_limit_t", account->holding_limit_t}}.dump()};
}

OperatorReply OperatorHandlers::operator()(const verbs::QueryBook& r) {
  const InstrumentConfig* ins = instrument(r.symbol);
  if (ins == nullptr) return unknown_symbol(r.symbol);
  const FixReply snap = d_.md_snapshot("", ins->id, r.depth, true, true);
  json levels = json::array();
  for (const MdEntry& e : snap.md) {
    levels.push_back({{"side", e.entry_type == '0' ? "bid" : "ask"},
                      {"price_fen", e.price_fen},
                      {"quantity_t", e.quantity_t}});
  }
  return OperatorReply{200, json{{"ok", true},
                                 {"phase", std::string(to_string(d_.core_->phase(ins->id)))},
                                 {"orders", d_.core_->book(ins->id).order_count()},
                                 {"levels", levels}}
                                .dump()};
}

OperatorReply OperatorHandlers::operator()(const verbs::QueryStatus&) {
  const auto problems = d_.ledger_->verify();
  json reply =
      json{{"ok", true},
           {"applied_seq", d_.seq_.value()},
           {"core_state_hash", d_.core_->state_hash()},
           {"ledger_state_hash", registry::to_hex(d_.ledger_->state_hash())},
           {"registrar_state_hash", registry::to_hex(d_.registrar_->state_hash())},
           {"ledger_invariants_ok", problems.empty()},
           {"ledger_problems", problems},
           {"clock", d_.clock_->describe()},
           {"clock_now", format_clock_time(d_.clock_->now_ns())},
           {"exchange_id", d_.store_->identity() ? d_.store_->identity()->id_hex() : std::string()},
           {"read_only", d_.config_.read_only},
           {"accepting_changes", d_.refusal().empty()},
           {"alarms", d_.alarms()},
           {"fix_garbled_messages", d_.fix_->garbled_total()}};
  if (d_.replication_ != nullptr) {  // [replica]: this replica's role (cxctl cluster status)
    const ReplicaStatus r = d_.replication_->status();
    reply["replica"] = json{{"name", r.name},
                            {"role", std::string(to_string(r.role))},
                            {"prefix", d_.replication_->config().prefix},
                            {"leader", r.leader},
                            {"log_seq", r.log_seq},
                            {"problem", r.problem},
                            {"promotions", r.promotions},
                            {"rejoins", r.rejoins}};
  }
  return OperatorReply{200, reply.dump()};
}

// Member verbs are the edge's (operator_api.cpp answers them without the sequencer); a driver
// fed one directly (tests, cxctl in-process) applies it to the same members file.
OperatorReply OperatorHandlers::operator()(const verbs::MemberList& r) {
  return apply_member_verb(*d_.members_, verbs::Request{r});
}
OperatorReply OperatorHandlers::operator()(const verbs::MemberAdd& r) {
  return apply_member_verb(*d_.members_, verbs::Request{r});
}
OperatorReply OperatorHandlers::operator()(const verbs::MemberSetPassword& r) {
  return apply_member_verb(*d_.members_, verbs::Request{r});
}

}  // namespace carbonx::gateway
