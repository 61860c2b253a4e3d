#include "carbonx/registry/allocation/decimal.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "carbonx/engine/assert.hpp"

namespace carbonx::allocation {
namespace {

__int128 pow10(int n) {
  CX_ASSERT(n >= 0);
  CX_ASSERT(n <= kMaxDecimalScale + 1);
  __int128 r = 1;
  for (int i = 0; i < n; ++i)
    r *= 10;
  return r;
}

__int128 checked_mul(__int128 a, __int128 b) {
  __int128 out = 0;
  CX_ASSERT(!__builtin_mul_overflow(a, b, &out));
  return out;
}

__int128 checked_add(__int128 a, __int128 b) {
  __int128 out = 0;
  CX_ASSERT(!__builtin_add_overflow(a, b, &out));
  return out;
}

// Both operands brought to the larger scale.
void align(Decimal& a, Decimal& b) {
  if (a.scale < b.scale) {
    a.mantissa = checked_mul(a.mantissa, pow10(b.scale - a.scale));
    a.scale = b.scale;
  } else if (b.scale < a.scale) {
    b.mantissa = checked_mul(b.mantissa, pow10(a.scale - b.scale));
    b.scale = a.scale;
  }
}

}  // namespace

Decimal mul(Decimal a, Decimal b) {
  CX_ASSERT(a.scale >= 0 && b.scale >= 0);
  CX_ASSERT(a.scale + b.scale <= kMaxDecimalScale);
  Decimal out{checked_mul(a.mantissa, b.mantissa), a.scale + b.scale};
  // Trailing zeros carry no value; dropping them keeps later products small.
  while (out.scale > 0 && out.mantissa % 10 == 0) {
    out.mantissa /= 10;
    --out.scale;
  }
  return out;
}

Decimal add(Decimal a, Decimal b) {
  align(a, b);
  return Decimal{checked_add(a.mantissa, b.mantissa), a.scale};
}

Decimal sub(Decimal a, Decimal b) {
  b.mantissa = -b.mantissa;
  return add(a, b);
}

int compare(Decimal a, Decimal b) {
  align(a, b);
  if (a.mantissa < b.mantissa) return -1;
  return a.mantissa > b.mantissa ? 1 : 0;
}

std::int64_t round_half_up(Decimal d) {
  CX_ASSERT(d.scale >= 0 && d.scale <= kMaxDecimalScale);
  const bool negative = d.mantissa < 0;
  const __int128 magnitude = negative ? -d.mantissa : d.mantissa;
  __int128 whole = magnitude;
  if (d.scale > 0) {
    const __int128 unit = pow10(d.scale);
    whole = magnitude / unit;
    const __int128 rest = magnitude % unit;
    if (rest * 2 >= unit) ++whole;  // rest < unit <= 10^36, so rest * 2 cannot overflow
  }
  CX_ASSERT(whole <= INT64_MAX);
  const auto out = static_cast<std::int64_t>(whole);
  return negative ? -out : out;
}

std::string to_string(Decimal d) {
  const bool negative = d.mantissa < 0;
  __int128 m = negative ? -d.mantissa : d.mantissa;
  std::string digits;
  do {
    digits.push_back(static_cast<char>('0' + static_cast<int>(m % 10)));
    m /= 10;
  } while (m != 0);
  while (static_cast<int>(digits.size()) <= d.scale)
    digits.push_back('0');
  std::reverse(digits.begin(), digits.end());
  std::string out = negative ? "-" : "";
  const std::size_t int_len = digits.size() - static_cast<std::size_t>(d.scale);
  out.append(digits, 0, int_len);
  std::string frac = digits.substr(int_len);
  while (!frac.empty() && frac.back() == '0')
    frac.pop_back();
  if (!frac.empty()) out += fmt::format(".{}", frac);
  return out;
}

std::string_view to_string(DecimalError e) noexcept {
  switch (e) {
    case DecimalError::kEmpty:
      return "empty value";
    case DecimalError::kNotANumber:
      return "not a decimal number";
    case DecimalError::kNegative:
      return "negative value not allowed";
    case DecimalError::kTooManyDecimals:
      return "too many decimal places";
    case DecimalError::kTooLarge:
      return "value too large";
  }
  return "unknown decimal error";
}

Result<Decimal, DecimalError> parse_decimal(std::string_view text, int max_scale,
                                            bool allow_negative) {
  CX_ASSERT(max_scale >= 0 && max_scale <= 18);
  if (text.empty()) return Err{DecimalError::kEmpty};
  bool negative = false;
  if (text.front() == '-') {
    negative = true;
    text.remove_prefix(1);
  }
  const std::size_t dot = text.find('.');
  const std::string_view int_part = text.substr(0, dot);
  const std::string_view frac_part =
      dot == std::string_view::npos ? std::string_view{} : text.substr(dot + 1);
  const bool digits_only = std::all_of(text.begin(), text.end(),
                                       [](char c) { return (c >= '0' && c <= '9') || c == '.'; });
  if (!digits_only || int_part.empty() || std::count(text.begin(), text.end(), '.') > 1 ||
      (dot != std::string_view::npos && frac_part.empty())) {
    return Err{DecimalError::kNotANumber};
  }
  if (negative && !allow_negative) return Err{DecimalError::kNegative};
  if (static_cast<int>(frac_part.size()) > max_scale) return Err{DecimalError::kTooManyDecimals};
  __int128 int_value = 0;
  for (char c : int_part) {
    int_value = int_value * 10 + (c - '0');
    if (int_value > kMaxParsedIntegerPart) return Err{DecimalError::kTooLarge};
  }
  __int128 m = int_value;
  for (char c : frac_part)
    m = m * 10 + (c - '0');
  return Decimal{negative ? -m : m, static_cast<int>(frac_part.size())};
}

}  // namespace carbonx::allocation
