// The daily market report (market_report.hpp): computation.
#include <algorithm>
#include <map>

#include "carbonx/engine/assert.hpp"
#include "carbonx/engine/closing_price.hpp"
#include "carbonx/tools/market_report.hpp"

namespace carbonx::tools {

std::string_view to_string(TradeMode m) noexcept {
  switch (m) {
    case TradeMode::kListed:
      return "listed";
    case TradeMode::kAgreement:
      return "agreement";
    case TradeMode::kAuction:
      return "auction";
    case TradeMode::kRepo:
      return "repo";
  }
  return "?";
}

std::string_view to_string(ParticipantType p) noexcept {
  switch (p) {
    case ParticipantType::kControlFirm:
      return "control_firms";
    case ParticipantType::kInstitution:
      return "institutions";
    case ParticipantType::kIndividual:
      return "individuals";
    case ParticipantType::kOther:
      return "other";
  }
  return "?";
}

namespace {

void add_trade(Breakdown& b, const TradeRow& t) {
  b.total.add(t.quantity_t, t.notional_fen);
  b.by_mode[static_cast<std::size_t>(t.mode)].add(t.quantity_t, t.notional_fen);
  b.by_participant[static_cast<std::size_t>(t.buyer)].add(t.quantity_t, t.notional_fen);
  b.by_participant[static_cast<std::size_t>(t.seller)].add(t.quantity_t, t.notional_fen);
}

// One instrument's trades of one day, in log order: prices, flows.
InstrumentDay day_of(const InstrumentInfo& ins, Date date, PriceFen reference,
                     const std::vector<const TradeRow*>& trades, QuantityT close_min_volume) {
  InstrumentDay d;
  d.code = ins.code;
  d.instrument = ins.id;
  d.date = date;
  d.reference_fen = reference;
  for (const TradeRow* t : trades) {
    add_trade(d.day, *t);
    if (t->mode != TradeMode::kListed) continue;
    const PriceFen price(t->notional_fen.value() / t->quantity_t.value());
    if (!d.open_fen) d.open_fen = price;
    d.high_fen = d.high_fen ? std::max(*d.high_fen, price) : price;
    d.low_fen = d.low_fen ? std::min(*d.low_fen, price) : price;
    d.last_fen = price;
  }
  const Flows& listed = d.day.by_mode[static_cast<std::size_t>(TradeMode::kListed)];
  // The engine's rule (closing_price.hpp): the report shows the close the core computed.
  if (listed.volume_t.value() > 0) {
    d.vwap_fen = day_vwap_fen(listed.turnover_fen, listed.volume_t, ins.tick_fen);
  }
  d.close_fen = closing_price_fen(listed.turnover_fen, listed.volume_t, reference,
                                  ClosingRule{ins.tick_fen, close_min_volume});
  return d;
}

void check_inputs(const std::vector<InstrumentInfo>& instruments,
                  const std::vector<TradeRow>& trades) {
  for (const InstrumentInfo& i : instruments)
    CX_ASSERT(i.reference_price_fen.value() > 0);
  for (const TradeRow& t : trades) {
    CX_ASSERT(t.quantity_t.value() > 0);
    CX_ASSERT(t.notional_fen.value() > 0);
  }
}

}  // namespace

std::optional<Date> last_trading_date(const std::vector<TradeRow>& trades) {
  std::optional<Date> last;
  for (const TradeRow& t : trades) {
    if (!last || *last < t.date) last = t.date;
  }
  return last;
}

MarketReport compute_market_report(const std::vector<InstrumentInfo>& instruments,
                                   std::vector<TradeRow> trades, Date date,
                                   const MarketReportOptions& options) {
  check_inputs(instruments, trades);
  std::stable_sort(trades.begin(), trades.end(), [](const TradeRow& a, const TradeRow& b) {
    return a.date != b.date ? a.date < b.date : a.order < b.order;
  });
  MarketReport r;
  r.date = date;
  // Trading days: every date with a trade of a reported instrument, up to `date`.
  std::map<std::int32_t, std::map<std::uint32_t, std::vector<const TradeRow*>>> by_day;
  for (const TradeRow& t : trades) {
    if (date < t.date) continue;
    const bool known = std::any_of(instruments.begin(), instruments.end(),
                                   [&](const InstrumentInfo& i) { return i.id == t.instrument; });
    if (known) by_day[t.date.yyyymmdd][t.instrument.value()].push_back(&t);
  }
  if (!by_day.empty()) r.first_date = Date{by_day.begin()->first};
  const std::vector<const TradeRow*> none;
  for (const InstrumentInfo& ins : instruments) {
    PriceFen reference = ins.reference_price_fen;
    Breakdown cumulative;
    InstrumentDay today;
    bool have_today = false;
    for (const auto& [yyyymmdd, per_instrument] : by_day) {
      const auto it = per_instrument.find(ins.id.value());
      const auto& list = it == per_instrument.end() ? none : it->second;
      InstrumentDay d = day_of(ins, Date{yyyymmdd}, reference, list, options.close_min_volume_t);
      for (const TradeRow* t : list)
        add_trade(cumulative, *t);
      r.history.push_back(DailyPoint{ins.code, d.date, d.close_fen, d.day.total.volume_t,
                                     d.day.total.turnover_fen});
      reference = d.close_fen;
      if (d.date == date) {
        today = std::move(d);
        have_today = true;
      }
    }
    if (!have_today) today = day_of(ins, date, reference, none, options.close_min_volume_t);
    today.cumulative = cumulative;
    r.instruments.push_back(std::move(today));
  }
  std::stable_sort(r.history.begin(), r.history.end(),
                   [](const DailyPoint& a, const DailyPoint& b) { return a.date < b.date; });
  for (const auto& [yyyymmdd, per_instrument] : by_day) {
    for (const auto& [id, list] : per_instrument) {
      for (const TradeRow* t : list) {
        add_trade(r.cumulative_total, *t);
        if (yyyymmdd == date.yyyymmdd) add_trade(r.day_total, *t);
      }
    }
  }
  return r;
}

}  // namespace carbonx::tools
