#include "carbonx/engine/fees.hpp"

#include <algorithm>

namespace carbonx {
namespace {

std::size_t side_index(Side s) {
  CX_ASSERT(s == Side::kBuy || s == Side::kSell);
  return s == Side::kBuy ? 0 : 1;
}

std::size_t mode_index(TradingMode m) {
  const auto i = static_cast<std::size_t>(m);
  CX_ASSERT(i < kTradingModeCount);
  return i;
}

}  // namespace

void FeeSchedule::set_rate(TradingMode mode, Side side, FeeRate rate) {
  CX_ASSERT(rate.rate_ppm <= 1'000'000);
  CX_ASSERT(rate.min_fen.value() >= 0);
  rates_[mode_index(mode)][side_index(side)] = rate;
}

bool FeeSchedule::add_waiver(const FeeWaiver& w) {
  if (waiver_count_ >= kMaxWaivers || w.rule_id == 0) return false;
  for (std::size_t i = 0; i < waiver_count_; ++i) {
    if (waivers_[i].rule_id == w.rule_id) return false;
  }
  waivers_[waiver_count_++] = w;
  return true;
}

const FeeWaiver& FeeSchedule::waiver(std::size_t i) const {
  CX_ASSERT(i < waiver_count_);
  return waivers_[i];
}

std::int64_t FeeSchedule::fee_on_wide(const FeeRate& rate, std::int64_t notional_fen) {
  const __int128 scaled = static_cast<__int128>(notional_fen) * rate.rate_ppm + 500'000;
  return static_cast<std::int64_t>(scaled / 1'000'000);
}

const FeeWaiver* FeeSchedule::find_waiver(const FeeQuery& q) const {
  for (std::size_t i = 0; i < waiver_count_; ++i) {
    const FeeWaiver& w = waivers_[i];
    if (w.mode != q.mode || !contains(w.sides, q.side)) continue;
    if (q.trade_date < w.effective_from) continue;
    if (w.filed_from.yyyymmdd != 0 && q.filed_date < w.filed_from) continue;
    if (w.filed_before.yyyymmdd != 0 && !(q.filed_date < w.filed_before)) continue;
    return &w;
  }
  return nullptr;
}

}  // namespace carbonx
