// ExchangeDriver: operator API verbs that read or change exchange state (core thread). Market
// phases and the end of day are core commands (journaled); account, cash, issuance, allocation and
// compliance changes are journaled registry commands (operator_registry.cpp).
#include <cstdio>
#include <nlohmann/json.hpp>

#include "carbonx/gateway/exchange_driver.hpp"

namespace carbonx::gateway {
namespace {

using json = nlohmann::json;

json error_json(const std::string& text) {
  return json{{"ok", false}, {"error", text}};
}

}  // namespace

void ExchangeDriver::on_operator(TimestampNs ts, const OperatorRequest& r,
                                 std::vector<Delivery>& out) {
  pending_ = Pending{};
  std::uint32_t status = 200;
  std::string body = operator_json(ts, r, &status, out);
  Delivery d;
  d.ticket = r.ticket;
  d.http_status = status;
  d.json = std::move(body);
  out.push_back(std::move(d));
}

std::string ExchangeDriver::operator_json(TimestampNs ts, const OperatorRequest& r,
                                          std::uint32_t* status, std::vector<Delivery>& out) {
  json in;
  try {
    in = r.body_json.empty() ? json::object() : json::parse(r.body_json);
  } catch (const std::exception&) {
    *status = 400;
    return error_json("body is not JSON").dump();
  }
  try {
    const std::string& v = r.verb;
    if (v == "market.open" || v == "market.close" || v == "market.halt" || v == "market.resume") {
      SetPhase sp;
      sp.phase = v == "market.halt"    ? Phase::kHalted
                 : v == "market.close" ? Phase::kClosed
                                       : Phase::kContinuous;
      sp.all_instruments = !in.contains("symbol");
      if (!sp.all_instruments) {
        const InstrumentConfig* ins = instrument_by_symbol(in.at("symbol").get<std::string>());
        if (ins == nullptr) {
          *status = 404;
          return error_json("unknown symbol").dump();
        }
        sp.instrument = ins->id;
      }
      run(ts, sp, out);  // FIX reports the command causes go out too
      return json{{"ok", true}, {"seq", seq_.value()}}.dump();
    }
    if (v == "day.end") {
      on_calendar(ts, CalendarEvent{CalendarEvent::Kind::kEndOfDay}, out);
      return json{{"ok", true}, {"seq", seq_.value()}}.dump();
    }
    if (auto reply = clock_operator_json(v, r.body_json, status)) return *reply;
    // Registry verbs (operator_registry.cpp): journaled registry commands and status queries.
    if (auto reply = registry_operator_json(ts, v, r.body_json, status)) return *reply;
    if (v == "query.balances") {
      const AccountId account(in.at("account").get<std::uint32_t>());
      if (ledger_->account(account) == nullptr) {
        *status = 404;
        return error_json("unknown account").dump();
      }
      json rows = json::array();
      for (const auto& b : ledger_->balances_of(account)) {
        const InstrumentConfig* ins =
            b.asset == kCashAsset ? nullptr : core_->instrument(InstrumentId(b.asset.value()));
        rows.push_back({{"asset", b.asset == kCashAsset ? "CNY"
                                  : ins                 ? ins->code
                                                        : "?"},
                        {"available", b.available},
                        {"frozen", b.frozen}});
      }
      // The account's own holding limit per instrument, t (-1: its kind's limit applies).
      return json{{"ok", true},
                  {"balances", rows},
                  {"holding_limit_t", ledger_->account(account)->holding_limit_t}}
          .dump();
    }
    if (v == "query.book") {
      const InstrumentConfig* ins = instrument_by_symbol(in.at("symbol").get<std::string>());
      if (ins == nullptr) {
        *status = 404;
        return error_json("unknown symbol").dump();
      }
      std::vector<Delivery> snap;
      md_snapshot(kNoSession, "", ins->id, in.value("depth", 10), true, true, snap);
      json levels = json::array();
      for (const MdEntry& e : snap.front().reply.md) {
        levels.push_back({{"side", e.entry_type == '0' ? "bid" : "ask"},
                          {"price_fen", e.price_fen},
                          {"quantity_t", e.quantity_t}});
      }
      return json{{"ok", true},
                  {"phase", std::string(to_string(core_->phase(ins->id)))},
                  {"orders", core_->book(ins->id).order_count()},
                  {"levels", levels}}
          .dump();
    }
    if (v == "query.status") {
      const auto problems = ledger_->verify();
      return json{{"ok", true},
                  {"applied_seq", seq_.value()},
                  {"core_state_hash", core_->state_hash()},
                  {"ledger_state_hash", registry::to_hex(ledger_->state_hash())},
                  {"registrar_state_hash", registry::to_hex(registrar_->state_hash())},
                  {"ledger_invariants_ok", problems.empty()},
                  {"ledger_problems", problems},
                  {"clock", clock_->describe()},
                  {"clock_now", format_clock_time(clock_->now_ns())}}
          .dump();
    }
  } catch (const json::exception& e) {
    *status = 400;
    return error_json(std::string("bad request body: ") + e.what()).dump();
  } catch (const std::invalid_argument& e) {
    *status = 400;
    return error_json(std::string("bad request body: ") + e.what()).dump();
  }
  if (r.verb.rfind("auction.", 0) == 0 || r.verb.rfind("repo.", 0) == 0 ||
      r.verb.rfind("agreement.", 0) == 0) {
    return offbook_operator_json(ts, r.verb, r.body_json, status, out);
  }
  *status = 404;
  return error_json("unknown verb " + r.verb).dump();
}

// clock.status {}: the exchange clock's mode and time. clock.advance {"to": "2017-05-12T15:00:00
// +08:00"} or {"seconds": 86400}: moves a simulated clock forward (never back), persisted in
// <data_dir>/gateway/clock and logged; calendar events skipped by the jump are not replayed.
std::optional<std::string> ExchangeDriver::clock_operator_json(const std::string& verb,
                                                               const std::string& body_json,
                                                               std::uint32_t* status) {
  if (verb != "clock.status" && verb != "clock.advance") return std::nullopt;
  const std::int64_t before = clock_->now_ns();
  auto state = [&](std::int64_t now) {
    return json{{"ok", true},
                {"mode", clock_->simulated() ? "simulated" : "wall"},
                {"clock", clock_->describe()},
                {"now", format_clock_time(now)},
                {"now_ns", now},
                {"trading_date", trading_date(TimestampNs(now)).yyyymmdd}};
  };
  if (verb == "clock.status") return state(before).dump();
  const json in = body_json.empty() ? json::object() : json::parse(body_json);
  std::int64_t target = 0;
  if (in.contains("to") == in.contains("seconds")) {
    *status = 400;
    return error_json(
               "clock.advance: give exactly one of \"to\" (a time like "
               "2017-05-12T15:00:00+08:00) or \"seconds\" (> 0)")
        .dump();
  }
  if (in.contains("to")) {
    const auto t = parse_clock_time(in.at("to").get<std::string>());
    if (!t) {
      *status = 400;
      return error_json(
                 "clock.advance: \"to\" must be a time like 2017-05-12T15:00:00+08:00 "
                 "(ISO 8601 with seconds and Z or +HH:MM, years 2000-2099)")
          .dump();
    }
    target = *t;
  } else {
    const std::int64_t seconds = in.at("seconds").get<std::int64_t>();
    if (seconds <= 0 || seconds > ExchangeClock::kMaxAdvanceNs / 1'000'000'000) {
      *status = 400;
      return error_json("clock.advance: \"seconds\" must be 1 to 316224000").dump();
    }
    target = before + seconds * 1'000'000'000;
  }
  if (const auto st = clock_->advance_to(target); !st.ok()) {
    *status = st.error() == ClockError::kPersist ? 500 : 409;
    return json{{"ok", false},
                {"error", "clock.advance refused: " + std::string(to_string(st.error()))},
                {"now", format_clock_time(clock_->now_ns())}}
        .dump();
  }
  std::fprintf(stderr, "carbonxd: exchange clock advanced by the operator from %s to %s\n",
               format_clock_time(before).c_str(), format_clock_time(target).c_str());
  std::fflush(stderr);
  json reply = state(clock_->now_ns());
  reply["from"] = format_clock_time(before);
  return reply.dump();
}

}  // namespace carbonx::gateway
