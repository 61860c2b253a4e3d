#pragma once
// Exact decimals for allocation arithmetic (docs/design.md "Allocation": exact arithmetic, rounded
// once). A Decimal is mantissa / 10^scale with a 128-bit mantissa; products add scales, sums align
// them, nothing is ever rounded until round_half_up() turns a final value into whole tonnes.
//
// Inputs are parsed from text ("0.8066", "1.05", "3000000.5") with a per-field maximum number of
// decimal places; more places are an error, never rounded (STYLE.md #2). Overflow of the 128-bit
// mantissa is a programmer error (the input limits make it impossible) and aborts.
// Plain values, thread-safe.

#include <cstdint>
#include <string>
#include <string_view>

#include "carbonx/engine/result.hpp"

namespace carbonx::allocation {

// The largest scale a Decimal may carry (10^36 still fits in 128 bits).
inline constexpr int kMaxDecimalScale = 36;
// The largest integer part a parsed field may have (10^12: a million times any real output).
inline constexpr std::int64_t kMaxParsedIntegerPart = 1'000'000'000'000;

struct Decimal {
  __int128 mantissa = 0;
  int scale = 0;  // 0..kMaxDecimalScale

  static Decimal whole(std::int64_t v) { return Decimal{v, 0}; }
  // An exact decimal from a mantissa and scale: of(105, 2) is 1.05.
  static Decimal of(std::int64_t mantissa, int scale) { return Decimal{mantissa, scale}; }
};

Decimal mul(Decimal a, Decimal b);
Decimal add(Decimal a, Decimal b);
Decimal sub(Decimal a, Decimal b);
// <0, 0, >0 as a is less than, equal to, greater than b (exactly).
int compare(Decimal a, Decimal b);
inline bool operator==(Decimal a, Decimal b) {
  return compare(a, b) == 0;
}

// Rounds to a whole number, halves away from zero (for the non-negative allocation values this is
// "half up": 0.5 t -> 1 t, 0.4999 t -> 0 t). The one rounding step of the allocation.
std::int64_t round_half_up(Decimal d);

// Exact text: "0.8066", "-1.5", "12". Trailing zeros of the fraction are trimmed.
std::string to_string(Decimal d);

enum class DecimalError : std::uint8_t {
  kEmpty = 1,        // no text
  kNotANumber,       // not digits with at most one '.' (and a leading '-' where allowed)
  kNegative,         // a '-' where only non-negative values are allowed
  kTooManyDecimals,  // more decimal places than the field allows
  kTooLarge,         // integer part above kMaxParsedIntegerPart
};
std::string_view to_string(DecimalError e) noexcept;

// Parses plain decimal text (no exponent, no thousands separators, no '+').
Result<Decimal, DecimalError> parse_decimal(std::string_view text, int max_scale,
                                            bool allow_negative = false);

}  // namespace carbonx::allocation
