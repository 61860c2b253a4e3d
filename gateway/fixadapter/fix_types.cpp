// Exact decimal conversion at the edge (STYLE.md #2): never through floating point.
#include "carbonx/gateway/fix_types.hpp"

#include <limits>

namespace carbonx {
namespace gateway {
namespace {

constexpr std::int64_t kInt64Max = std::numeric_limits<std::int64_t>::max();

// Parses "[digits][.digits]" into whole units and `scale` decimal digits of fraction (value in
// 10^-scale units). Digits after the first `scale` fraction digits must be zeros.
bool parse_scaled(const std::string& text, int scale, std::int64_t* out) {
  if (text.empty() || text.size() > 32) return false;
  std::int64_t value = 0;
  bool seen_digit = false;
  bool seen_point = false;
  int fraction_digits = 0;
  for (char c : text) {
    if (c == '.') {
      if (seen_point) return false;
      seen_point = true;
      continue;
    }
    if (c < '0' || c > '9') return false;
    seen_digit = true;
    const int digit = c - '0';
    if (seen_point && fraction_digits >= scale) {
      if (digit != 0) return false;  // finer than the unit: refuse, never round
      continue;
    }
    if (seen_point) ++fraction_digits;
    if (value > (kInt64Max - digit) / 10) return false;
    value = value * 10 + digit;
  }
  if (!seen_digit) return false;
  for (; fraction_digits < scale; ++fraction_digits) {
    if (value > kInt64Max / 10) return false;
    value *= 10;
  }
  *out = value;
  return true;
}

}  // namespace

bool parse_price_fen(const std::string& text, std::int64_t* out) {
  std::int64_t fen = 0;
  if (!parse_scaled(text, 2, &fen)) return false;
  if (fen <= 0 || fen > kMaxPriceFen) return false;
  *out = fen;
  return true;
}

bool parse_amount_fen(const std::string& text, std::int64_t* out) {
  std::int64_t fen = 0;
  if (!parse_scaled(text, 2, &fen)) return false;
  if (fen <= 0 || fen > kMaxPriceFen * kMaxQuantityT) return false;
  *out = fen;
  return true;
}

bool parse_quantity_t(const std::string& text, std::int64_t* out) {
  std::int64_t tonnes = 0;
  if (!parse_scaled(text, 0, &tonnes)) return false;
  if (tonnes <= 0 || tonnes > kMaxQuantityT) return false;
  *out = tonnes;
  return true;
}

std::string format_fen(std::int64_t fen) {
  std::string sign;
  std::uint64_t magnitude = static_cast<std::uint64_t>(fen);
  if (fen < 0) {
    sign = "-";
    magnitude = 0 - magnitude;
  }
  std::string cents = std::to_string(magnitude % 100);
  if (cents.size() < 2) cents.insert(0, "0");
  return sign + std::to_string(magnitude / 100) + "." + cents;
}

std::string format_ratio(std::int64_t numerator, std::int64_t denominator, int max_decimals) {
  if (denominator <= 0 || numerator < 0) return "0";
  std::string out = std::to_string(numerator / denominator);
  std::int64_t remainder = numerator % denominator;
  if (remainder == 0 || max_decimals <= 0) return out;
  out += '.';
  for (int i = 0; i < max_decimals && remainder != 0; ++i) {
    // remainder < denominator <= int64 max / 10 for every denominator carbonx uses (qty x 100).
    remainder *= 10;
    out += static_cast<char>('0' + remainder / denominator);
    remainder %= denominator;
  }
  return out;
}

const char* to_string(RequestKind k) {
  switch (k) {
    case RequestKind::kNewOrder:
      return "NewOrderSingle";
    case RequestKind::kCancel:
      return "OrderCancelRequest";
    case RequestKind::kReplace:
      return "OrderCancelReplaceRequest";
    case RequestKind::kStatus:
      return "OrderStatusRequest";
    case RequestKind::kMassCancel:
      return "OrderMassCancelRequest";
    case RequestKind::kMarketData:
      return "MarketDataRequest";
    case RequestKind::kSecurityList:
      return "SecurityListRequest";
    case RequestKind::kPositions:
      return "RequestForPositions";
    case RequestKind::kTradeCapture:
      return "TradeCaptureReport";
  }
  return "unknown request";
}

std::string refusal_text(const TranslateRefusal& r) {
  if (r.text != nullptr) return r.text;
  return std::string(to_string(r.error)) + " (tag " + std::to_string(r.tag) + ")";
}

const char* to_string(TranslateError e) {
  switch (e) {
    case TranslateError::kBadPrice:
      return "Price(44) must be a positive decimal with at most 2 decimals (whole fen) and at "
             "most 1000000.00";
    case TranslateError::kBadQuantity:
      return "OrderQty(38) must be a positive whole number of tonnes, at most 100000000";
    case TranslateError::kMissingPrice:
      return "a limit order (OrdType=2) needs Price(44)";
    case TranslateError::kPriceOnClick:
      return "a click order (OrdType=1) takes the best opposite price and must not carry Price(44)";
    case TranslateError::kClickNotIoc:
      return "a click order (OrdType=1) is immediate-or-cancel: TimeInForce(59) must be 3 or "
             "absent";
    case TranslateError::kFieldTooLong:
      return "an id, symbol or account is longer than allowed (ClOrdID 16, other ids 40, "
             "symbols 16, accounts 24)";
    case TranslateError::kMissingField:
      return "a conditionally required field is missing";
    case TranslateError::kBadMassCancelScope:
      return "MassCancelRequestType=1 (by security) needs Symbol(55)";
    case TranslateError::kBadMarketDepth:
      return "MarketDepth(264) must be 0 (full book) to 50";
    case TranslateError::kTooManySymbols:
      return "at most 64 symbols per MarketDataRequest";
    case TranslateError::kNoEntryTypes:
      return "MarketDataRequest needs MDEntryType 0 (bid), 1 (offer) or 2 (trade)";
    case TranslateError::kBadPosReqType:
      return "only PosReqType(724)=0 (positions) is supported";
    case TranslateError::kUnsupportedMessage:
      return "message type not supported by carbonx (see docs/fix)";
    case TranslateError::kBadSides:
      return "a TradeCaptureReport submit has two NoSides(552) entries, each with Side(54) and "
             "Account(1): the reporter's first, the counterparty's (the opposite Side) second";
    case TranslateError::kBadEndCash:
      return "a repo's EndCash(922) is the repurchase amount in CNY: a whole number of fen per "
             "tonne of LastQty(32), at most 1000000.00 per tonne";
    case TranslateError::kUnsupportedField:
      return "a FIX 4.4 field whose meaning carbonx does not support (see docs/fix)";
  }
  return "unknown translation error";
}

}  // namespace gateway
}  // namespace carbonx
