#pragma once
// The day's closing price of an instrument: the one rule, owned by the engine. The core applies it
// at EndOfDay (the close becomes the next day's reference price); the market report (tools/)
// calls the same functions over the day's listed trades, so both always agree.
//
//   VWAP  = listed turnover / listed volume, rounded half up to the instrument's tick grid, at
//           least one tick;
//   close = the VWAP when the day's listed volume exceeds close_min_volume_t, else the reference
//           price of the day.
//
// Only listed (order book) trades count: agreement transfers, auctions and repos do not.

#include "carbonx/engine/instrument.hpp"
#include "carbonx/engine/units.hpp"

namespace carbonx {

struct ClosingRule {
  PriceFen tick_fen{1};               // > 0: the VWAP is rounded to this grid
  QuantityT close_min_volume_t{100};  // >= 0: the VWAP closes only above this volume
};

// The rule of one configured instrument: its tick, the exchange's close_min_volume_t.
ClosingRule closing_rule(const InstrumentConfig& instrument, const CoreLimits& limits);

// Preconditions (asserted): volume_t > 0, turnover_fen >= 0, rule.tick_fen > 0.
PriceFen day_vwap_fen(AmountFen turnover_fen, QuantityT volume_t, PriceFen tick_fen);

// The close of a day with `volume_t` listed tonnes traded for `turnover_fen` (both 0 on a day
// without listed trades) and `reference_fen` as the day's reference. reference_fen > 0.
PriceFen closing_price_fen(AmountFen turnover_fen, QuantityT volume_t, PriceFen reference_fen,
                           const ClosingRule& rule);

}  // namespace carbonx
