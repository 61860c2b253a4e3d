// The closing-price rule (closing_price.hpp).
#include "carbonx/engine/closing_price.hpp"

#include <algorithm>

#include "carbonx/engine/assert.hpp"

namespace carbonx {

ClosingRule closing_rule(const InstrumentConfig& instrument, const CoreLimits& limits) {
  return ClosingRule{instrument.tick_fen, limits.close_min_volume_t};
}

PriceFen day_vwap_fen(AmountFen turnover_fen, QuantityT volume_t, PriceFen tick_fen) {
  CX_ASSERT(volume_t.value() > 0);
  CX_ASSERT(turnover_fen.value() >= 0);
  CX_ASSERT(tick_fen.value() > 0);
  // Half up on the tick grid: ticks = round(turnover / (volume x tick)), in 128 bits.
  const __int128 unit = static_cast<__int128>(volume_t.value()) * tick_fen.value();
  const __int128 ticks = (2 * static_cast<__int128>(turnover_fen.value()) + unit) / (2 * unit);
  return PriceFen(std::max<std::int64_t>(static_cast<std::int64_t>(ticks), 1) * tick_fen.value());
}

PriceFen closing_price_fen(AmountFen turnover_fen, QuantityT volume_t, PriceFen reference_fen,
                           const ClosingRule& rule) {
  CX_ASSERT(reference_fen.value() > 0);
  CX_ASSERT(volume_t.value() >= 0);
  CX_ASSERT(rule.close_min_volume_t.value() >= 0);
  if (volume_t.value() == 0 || volume_t <= rule.close_min_volume_t) return reference_fen;
  return day_vwap_fen(turnover_fen, volume_t, rule.tick_fen);
}

}  // namespace carbonx
