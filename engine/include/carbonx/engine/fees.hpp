#pragma once
// The fee schedule (手续费 / 经手费): data, per instrument, per trading mode and side.
//
// THE ROUNDING RULE (the only one): for one side of one order (or one off-book trade), the fee on a
// cumulative notional of x fen is
//     F(x) = 0                                              if x == 0
//          = max(min_fen, floor((x * rate_ppm + 500'000) / 1'000'000))   otherwise
// i.e. rate in parts per million of notional, rounded half up to whole fen, then the minimum.
// A listed order filled in several pieces pays F on its *cumulative* filled notional: each fill
// charges F(before + fill) - F(before), so rounding and the minimum apply once per order side, not
// once per fill, and the buyer's hold of price x quantity + F(price x quantity) always covers
// every fill. A fill's fee is capped at the fill's notional, so a seller never pays more than the
// fill's proceeds. Off-book trades (one settlement) pay F(notional).
//
// Waivers zero the fee for a class of trades (the repo repurchase leg: docs/design.md "Repo"). The
// fee that would have been charged and the waiving rule's id are reported with the fill.

#include <array>
#include <cstdint>
#include <string_view>

#include "carbonx/engine/assert.hpp"
#include "carbonx/engine/types.hpp"
#include "carbonx/engine/units.hpp"

namespace carbonx {

// One side's rate: parts per million of notional, with a minimum per order side in fen.
struct FeeRate {
  std::uint32_t rate_ppm = 0;  // 0..1'000'000 (100%)
  AmountFen min_fen{0};        // >= 0
  friend constexpr bool operator==(const FeeRate&, const FeeRate&) = default;
};

// Which sides a waiver covers.
enum class SideSet : std::uint8_t { kBuy = 1, kSell = 2, kBoth = 3 };
constexpr bool contains(SideSet set, Side side) noexcept {
  return (static_cast<std::uint8_t>(set) & static_cast<std::uint8_t>(side)) != 0;
}

// Waives the fee of `sides` for trades of `mode` dated on or after `effective_from`, optionally
// only for contracts filed inside [filed_from, filed_before) (a zero date = unbounded). The repo
// waiver of docs/design.md is {mode: kRepoRepurchase, sides: kBoth, effective_from: 2017-05-10}: it
// applies to repos filed before or after the policy date alike.
struct FeeWaiver {
  std::uint32_t rule_id = 0;  // > 0, reported in the fill
  TradingMode mode = TradingMode::kRepoRepurchase;
  SideSet sides = SideSet::kBoth;
  Date effective_from{};
  Date filed_from{};    // 0: no lower bound on the filing date
  Date filed_before{};  // 0: no upper bound on the filing date
};

// What a fee query needs to know about the trade.
struct FeeQuery {
  TradingMode mode = TradingMode::kListed;
  Side side = Side::kBuy;
  Date trade_date{};
  Date filed_date{};  // filing date of the contract (repo); zero when not applicable
};

struct FeeCharge {
  AmountFen fee_fen{0};              // to charge now (0 when waived)
  AmountFen waived_fen{0};           // the fee a waiver removed (0 when none applied)
  std::uint32_t waiver_rule_id = 0;  // 0: no waiver applied
  friend constexpr bool operator==(const FeeCharge&, const FeeCharge&) = default;
};

class FeeSchedule {
 public:
  static constexpr std::size_t kMaxWaivers = 8;  // named limit, checked by add_waiver

  void set_rate(TradingMode mode, Side side, FeeRate rate);
  const FeeRate& rate(TradingMode mode, Side side) const {
    const auto m = static_cast<std::size_t>(mode);
    CX_ASSERT(m < kTradingModeCount && (side == Side::kBuy || side == Side::kSell));
    return rates_[m][side == Side::kBuy ? 0 : 1];
  }
  // Returns false (nothing changed) when kMaxWaivers are already present or rule_id is 0 or used.
  bool add_waiver(const FeeWaiver& w);
  std::size_t waiver_count() const { return waiver_count_; }
  const FeeWaiver& waiver(std::size_t i) const;

  // F(x) for the given rate (see the rounding rule above). x >= 0.
  static AmountFen fee_on(const FeeRate& rate, AmountFen notional_fen) {
    const std::int64_t x = notional_fen.value();
    CX_ASSERT(x >= 0);
    if (x == 0) return AmountFen(0);
    // Below 9 x 10^12 fen, x * rate_ppm + 500,000 fits 64 bits (rate_ppm <= 10^6), and a 64-bit
    // division by the constant is a multiply; above, the 128-bit division (a library call).
    const std::int64_t fee =
        x < kNarrowNotionalFen
            ? static_cast<std::int64_t>((static_cast<std::uint64_t>(x) * rate.rate_ppm + 500'000) /
                                        1'000'000)
            : fee_on_wide(rate, x);
    return AmountFen(fee > rate.min_fen.value() ? fee : rate.min_fen.value());
  }
  // The fee of one fill of `fill_fen` after `before_fen` of the same order side already filled:
  // min(fill, F(before + fill) - F(before)), or zero with the waived amount when a waiver applies.
  FeeCharge charge(const FeeQuery& q, AmountFen before_fen, AmountFen fill_fen) const {
    CX_ASSERT(fill_fen.value() > 0);
    const FeeRate& r = rate(q.mode, q.side);
    const AmountFen increment = fee_on(r, before_fen + fill_fen) - fee_on(r, before_fen);
    CX_ASSERT(increment.value() >= 0);
    const AmountFen fee = increment < fill_fen ? increment : fill_fen;
    FeeCharge out;
    const FeeWaiver* w = waiver_count_ == 0 ? nullptr : find_waiver(q);
    if (w != nullptr) {
      out.waived_fen = fee;
      out.waiver_rule_id = w->rule_id;
    } else {
      out.fee_fen = fee;
    }
    return out;
  }
  // The most the remaining `open_fen` of an order side can still be charged: F(before + open) -
  // F(before). What a buy order holds on top of its notional.
  AmountFen max_fee(TradingMode mode, Side side, AmountFen before_fen, AmountFen open_fen) const {
    const FeeRate& r = rate(mode, side);
    return fee_on(r, before_fen + open_fen) - fee_on(r, before_fen);
  }
  // The waiver applying to q, or nullptr.
  const FeeWaiver* find_waiver(const FeeQuery& q) const;

 private:
  static constexpr std::int64_t kNarrowNotionalFen = 9'000'000'000'000;
  static std::int64_t fee_on_wide(const FeeRate& rate, std::int64_t notional_fen);

  std::array<std::array<FeeRate, 2>, kTradingModeCount> rates_{};
  std::array<FeeWaiver, kMaxWaivers> waivers_{};
  std::size_t waiver_count_ = 0;
};

}  // namespace carbonx
