#include "carbonx/surveillance/monitor.hpp"

#include <fmt/format.h>

#include <variant>

namespace carbonx::surveillance {

std::string_view to_string(AlertKind k) noexcept {
  switch (k) {
    case AlertKind::kOrderAtBandEdge:
      return "order_at_band_edge";
    case AlertKind::kTradeAtBandEdge:
      return "trade_at_band_edge";
    case AlertKind::kSelfTradeAttempt:
      return "self_trade_attempt";
    case AlertKind::kWashTrade:
      return "wash_trade";
    case AlertKind::kHoldingLimit:
      return "holding_limit";
    case AlertKind::kLargeAgreement:
      return "large_agreement";
  }
  return "unknown";
}

namespace {

std::string fen_text(std::int64_t fen) {
  return fmt::format("{}{}.{:02}", fen < 0 ? "-" : "", (fen < 0 ? -fen : fen) / 100,
                     (fen < 0 ? -fen : fen) % 100);
}

const char* edge_name(const Band& band, PriceFen price) {
  if (price == band.high_fen) return "upper";
  if (price == band.low_fen) return "lower";
  return nullptr;
}

}  // namespace

Monitor::Monitor(const ExchangeConfig& config, Rules rules)
    : max_levels_(config.limits.max_price_levels), rules_(rules) {
  for (const InstrumentConfig& ic : config.instruments) {
    Instrument& ins = instruments_[ic.id.value()];
    ins.config = ic;
    ins.band = grid_band(ic.reference_price_fen, ic, max_levels_);
  }
}

void Monitor::set_band(InstrumentId instrument, Band band) {
  if (Instrument* ins = find(instrument)) ins->band = band;
}

Monitor::Instrument* Monitor::find(InstrumentId id) {
  const auto it = instruments_.find(id.value());
  return it == instruments_.end() ? nullptr : &it->second;
}

void Monitor::on_events(std::span<const Event> events, std::vector<Alert>& out) {
  std::size_t command_begin = 0;
  for (std::size_t i = 0; i < events.size(); ++i) {
    const Event& ev = events[i];
    // The fills of one command are consecutive events with its seq: pair them at its end.
    if (i > 0 && ev.seq != events[i - 1].seq) {
      check_fills(events, command_begin, i, out);
      command_begin = i;
    }
    const auto alert = [&](AlertKind kind, std::uint32_t instrument, std::int64_t price,
                           std::int64_t qty, std::vector<AlertParty> parties, std::string detail) {
      out.push_back(Alert{kind, ev.seq.value(), ev.ts.value(), instrument, price, qty,
                          std::move(parties), std::move(detail)});
    };
    if (const auto* a = std::get_if<AckEvent>(&ev.body)) {
      Instrument* ins = find(a->instrument);
      if (ins == nullptr || a->type != OrderType::kLimit) continue;
      if (const char* edge = edge_name(ins->band, a->price_fen)) {
        alert(AlertKind::kOrderAtBandEdge, a->instrument.value(), a->price_fen.value(),
              a->quantity_t.value(),
              {{a->order_id.value(), a->account.value(), a->member.value(), a->side}},
              fmt::format("{} {} t of {} at {}, the band's {} edge",
                          a->side == Side::kBuy ? "buy" : "sell", a->quantity_t.value(),
                          ins->config.code, fen_text(a->price_fen.value()), edge));
      }
    } else if (const auto* r = std::get_if<ReplaceAckEvent>(&ev.body)) {
      Instrument* ins = find(r->instrument);
      if (ins == nullptr) continue;
      if (const char* edge = edge_name(ins->band, r->price_fen)) {
        alert(AlertKind::kOrderAtBandEdge, r->instrument.value(), r->price_fen.value(),
              r->quantity_t.value(),
              {{r->order_id.value(), r->account.value(), r->member.value(), r->side}},
              fmt::format("order {} of {} replaced to {}, the band's {} edge", r->order_id.value(),
                          ins->config.code, fen_text(r->price_fen.value()), edge));
      }
    } else if (const auto* t = std::get_if<TradeEvent>(&ev.body)) {
      Instrument* ins = find(t->instrument);
      if (ins == nullptr) continue;
      if (const char* edge = edge_name(ins->band, t->price_fen)) {
        alert(AlertKind::kTradeAtBandEdge, t->instrument.value(), t->price_fen.value(),
              t->quantity_t.value(),
              {{t->buy_order_id.value(), 0, 0, Side::kBuy},
               {t->sell_order_id.value(), 0, 0, Side::kSell}},
              fmt::format("trade {} of {}: {} t at {}, the band's {} edge", t->trade_id.value(),
                          ins->config.code, t->quantity_t.value(), fen_text(t->price_fen.value()),
                          edge));
      }
    } else if (const auto* rej = std::get_if<RejectEvent>(&ev.body)) {
      if (rej->reason == RejectReason::kSelfTrade) {
        alert(AlertKind::kSelfTradeAttempt, rej->instrument.value(), 0, 0,
              {{rej->order_id.value(), rej->account.value(), rej->member.value(), Side::kBuy}},
              fmt::format("an order of account {} (member {}) would have traded with its own "
                          "resting order: refused",
                          rej->account.value(), rej->member.value()));
      } else if (rej->reason == RejectReason::kHoldingLimit) {
        alert(AlertKind::kHoldingLimit, rej->instrument.value(), 0, 0,
              {{rej->order_id.value(), rej->account.value(), rej->member.value(), Side::kBuy}},
              fmt::format("account {} (member {}) tried to hold more than its limit: refused",
                          rej->account.value(), rej->member.value()));
      }
    } else if (const auto* c = std::get_if<CancelEvent>(&ev.body)) {
      if (c->reason != CancelReason::kSelfTrade) continue;
      alert(AlertKind::kSelfTradeAttempt, c->instrument.value(), 0, c->cancelled_t.value(),
            {{c->order_id.value(), c->account.value(), c->member.value(), c->side}},
            fmt::format("order {} of account {} (member {}) met its own account's order: {} t "
                        "cancelled",
                        c->order_id.value(), c->account.value(), c->member.value(),
                        c->cancelled_t.value()));
    } else if (const auto* g = std::get_if<AgreementEvent>(&ev.body)) {
      if (g->status != AgreementStatus::kAccepted || g->quantity_t < rules_.large_agreement_t)
        continue;
      const Instrument* ins = find(g->instrument);
      const Side other = g->reporter_side == Side::kBuy ? Side::kSell : Side::kBuy;
      alert(
          AlertKind::kLargeAgreement, g->instrument.value(), g->price_fen.value(),
          g->quantity_t.value(),
          {{g->report_id.value(), g->reporter.value(), g->reporter_member.value(),
            g->reporter_side},
           {g->report_id.value(), g->counterparty.value(), g->counterparty_member.value(), other}},
          fmt::format("agreement {}: {} t of {} at {} between accounts {} and {} (at least {} t)",
                      g->report_id.value(), g->quantity_t.value(),
                      ins != nullptr ? ins->config.code : std::string("?"),
                      fen_text(g->price_fen.value()), g->reporter.value(), g->counterparty.value(),
                      rules_.large_agreement_t.value()));
    } else if (const auto* d = std::get_if<DayStatsEvent>(&ev.body)) {
      Instrument* ins = find(d->instrument);
      if (ins == nullptr || d->close_fen.value() <= 0) continue;
      ins->band = grid_band(d->close_fen, ins->config, max_levels_);
    }
  }
  if (!events.empty()) check_fills(events, command_begin, events.size(), out);
}

// A wash trade: the two fills of one trade belong to two accounts of the same member (one account
// cannot trade with itself: self-trade prevention; a covered firm has one registry account). The
// resting side's fills of the command are indexed by trade id first (a sweep has up to
// max_fills_per_order of them).
void Monitor::check_fills(std::span<const Event> events, std::size_t begin, std::size_t end,
                          std::vector<Alert>& out) {
  resting_.clear();
  for (std::size_t i = begin; i < end; ++i) {
    const auto* f = std::get_if<FillEvent>(&events[i].body);
    if (f != nullptr && !f->aggressor) resting_.emplace(f->trade_id.value(), i);
  }
  if (resting_.empty()) return;
  for (std::size_t i = begin; i < end; ++i) {
    const auto* a = std::get_if<FillEvent>(&events[i].body);
    if (a == nullptr || !a->aggressor) continue;
    const auto it = resting_.find(a->trade_id.value());
    if (it == resting_.end()) continue;
    const auto& b = std::get<FillEvent>(events[it->second].body);
    if (a->account == b.account || a->member != b.member) continue;
    const Instrument* ins = find(a->instrument);
    out.push_back(
        Alert{AlertKind::kWashTrade,
              events[i].seq.value(),
              events[i].ts.value(),
              a->instrument.value(),
              a->price_fen.value(),
              a->quantity_t.value(),
              {{a->order_id.value(), a->account.value(), a->member.value(), a->side},
               {b.order_id.value(), b.account.value(), b.member.value(), b.side}},
              fmt::format("trade {} of {}: {} t at {} between accounts {} and {} of member {}",
                          a->trade_id.value(), ins != nullptr ? ins->config.code : std::string("?"),
                          a->quantity_t.value(), fen_text(a->price_fen.value()), a->account.value(),
                          b.account.value(), a->member.value())});
  }
}

}  // namespace carbonx::surveillance
