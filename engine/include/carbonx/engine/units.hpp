#pragma once
// Strong types carrying their unit (STYLE.md #1). Money is integer fen (0.01 CNY), prices are fen
// per tonne, quantities are whole tonnes (1 unit = 1 tCO2e). No floating point anywhere in state.
//
// Each type has an explicit constructor, a defaulted <=>, and only the arithmetic its unit allows:
// tonnes add to tonnes; price x tonnes gives fen (checked for overflow, which aborts: it can only
// come from a configuration limit that was not enforced).

#include <compare>
#include <cstdint>
#include <functional>

#include "carbonx/engine/assert.hpp"

namespace carbonx {

// A value of Rep tagged with Tag. Tags give distinct, non-convertible types.
template <typename Tag, typename Rep>
class Strong {
 public:
  using rep = Rep;
  constexpr Strong() = default;
  constexpr explicit Strong(Rep v) noexcept : v_(v) {}
  constexpr Rep value() const noexcept { return v_; }
  friend constexpr auto operator<=>(const Strong&, const Strong&) = default;
  friend constexpr bool operator==(const Strong&, const Strong&) = default;

 private:
  Rep v_{};
};

// Additive quantities: same-unit + and -, scaling by a plain integer.
template <typename Tag>
class Additive : public Strong<Tag, std::int64_t> {
  using Base = Strong<Tag, std::int64_t>;

 public:
  using Base::Base;
  constexpr Additive() = default;
  friend constexpr Additive operator+(Additive a, Additive b) noexcept {
    return Additive(a.value() + b.value());
  }
  friend constexpr Additive operator-(Additive a, Additive b) noexcept {
    return Additive(a.value() - b.value());
  }
  constexpr Additive& operator+=(Additive o) noexcept { return *this = *this + o; }
  constexpr Additive& operator-=(Additive o) noexcept { return *this = *this - o; }
  constexpr Additive operator-() const noexcept { return Additive(-this->value()); }
  friend constexpr auto operator<=>(const Additive&, const Additive&) = default;
  friend constexpr bool operator==(const Additive&, const Additive&) = default;
};

struct QuantityTag {};
struct AmountTag {};
struct PriceTag {};

using QuantityT = Additive<QuantityTag>;  // whole tonnes of CO2e
using AmountFen = Additive<AmountTag>;    // money, fen
// Price in fen per tonne. Always > 0 for a valid order price: there is no sentinel price, a
// "click" or market-style order says so in its own field.
using PriceFen = Strong<PriceTag, std::int64_t>;

// price x quantity -> fen. Aborts on overflow (limits on price and quantity make it impossible).
constexpr AmountFen notional(PriceFen p, QuantityT q) {
  std::int64_t out = 0;
  CX_ASSERT(!__builtin_mul_overflow(p.value(), q.value(), &out));
  return AmountFen(out);
}

// Identifiers. Plain data, no arithmetic.
using AccountId = Strong<struct AccountTag, std::uint32_t>;
using InstrumentId = Strong<struct InstrumentTag, std::uint32_t>;
using OrderId = Strong<struct OrderTag, std::uint64_t>;
using TradeId = Strong<struct TradeTag, std::uint64_t>;
using MemberId = Strong<struct MemberTag, std::uint32_t>;
using Seq = Strong<struct SeqTag, std::uint64_t>;
// Nanoseconds since the Unix epoch, UTC; only ever stamped by the sequencer into a command.
using TimestampNs = Strong<struct TimestampTag, std::int64_t>;

// An asset held in the ledger: CNY cash (id 0) or the units of one instrument (its id).
using AssetId = Strong<struct AssetTag, std::uint32_t>;
inline constexpr AssetId kCashAsset{0};
constexpr AssetId asset_of(InstrumentId i) noexcept {
  return AssetId(i.value());
}

}  // namespace carbonx

template <typename Tag, typename Rep>
struct std::hash<carbonx::Strong<Tag, Rep>> {
  std::size_t operator()(const carbonx::Strong<Tag, Rep>& s) const noexcept {
    return std::hash<Rep>{}(s.value());
  }
};
template <typename Tag>
struct std::hash<carbonx::Additive<Tag>> {
  std::size_t operator()(const carbonx::Additive<Tag>& s) const noexcept {
    return std::hash<std::int64_t>{}(s.value());
  }
};
