#pragma once
// The one table of operator verbs (gateway/verbs/README.md), shared by carbonxd and cxctl.
//
// A verb is one struct in requests.hpp: its typed request (plain data, no JSON), its row of the
// table (`kMeta`: name, help, journaled, read-only query, needs approval, route) and the JSON
// fields of its body (`fields()`). `Request` is the variant of all of them; the table is derived
// from the variant, in its order, so a verb is listed exactly once.
//
//   HTTP thread (operator_api.cpp) / cxctl in-process:  parse(verb, body) -> Request  (ONCE)
//   sequencer queue:                                    OperatorRequest{ticket, Request}
//   core thread (operator_handlers.hpp):                std::visit(handlers, request)
//   cxctl:                                              Request -> to_json -> the channel
//
// parse() refuses, with one line naming the verb and the field: a body that is not a JSON
// object, an unknown field, a missing required field, a value of the wrong type (a string for a
// number, 1.5 for a whole number: never truncated, -1 for an unsigned id: never wrapped), a value
// outside the field's range, an unknown enumerator, a malformed date, and the cross-field rules
// of a few verbs (clock.advance: exactly one of to/seconds). Rules that need the exchange's state
// (a symbol that is not listed, an account that does not exist) are the core handler's.
//
// Pure functions, no I/O, any thread.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <variant>
#include <vector>

#include "carbonx/engine/result.hpp"
#include "carbonx/verbs/requests.hpp"

namespace carbonx::verbs {

// The table: one row per alternative of Request, in the variant's order.
std::span<const Meta> table() noexcept;
// The row of `name`, or nullptr if no verb has that name.
const Meta* find(std::string_view name) noexcept;
// The row of the verb `request` holds.
const Meta& meta_of(const Request& request) noexcept;
template <typename R>
constexpr std::string_view name_of() noexcept {
  return R::kMeta.name;
}

enum class BodyError : std::uint8_t {
  kUnknownVerb = 1,  // no verb of that name (HTTP 404)
  kMalformed,        // the body is not a valid request of the verb (HTTP 400)
};
std::string_view to_string(BodyError e) noexcept;

struct ParseFailure {
  BodyError code = BodyError::kMalformed;
  std::string text;  // "cash.deposit: amount_fen: a whole number is expected, got 1.5"
};

// The body of `verb` (JSON text; "" is {}) as its typed request.
Result<Request, ParseFailure> parse(std::string_view verb, std::string_view body_json);

// The request as the JSON body its verb takes (every field written; optional ones when set).
// parse(meta_of(r).name, to_json(r)) gives r back.
std::string to_json(const Request& request);

// An enumerated field's value from its name in the bodies ("investment_institution"), for
// callers building a request from text; nullopt if no enumerator has that name. Defined for
// registry::AccountKind, registry::AccountStatus and AuctionPricing.
template <typename E>
std::optional<E> enum_from(std::string_view name) noexcept;

// Calls f(Symbol&) for every symbol `request` names: in its fields, in optional fields and in
// lists of rows (surrender legs), in the fields' order. The operator edge resolves them with it,
// so a verb that names a symbol anywhere is resolved without a line of its own.
template <typename F>
void for_each_symbol(Request& request, F&& f);

// The body's fields for help texts: {"account": integer, "limit_t": integer|null, ...}, an
// optional field with a trailing '?'.
std::string body_usage(const Meta& meta);

namespace detail {
template <typename T>
inline constexpr bool kIsOptional = false;
template <typename T>
inline constexpr bool kIsOptional<std::optional<T>> = true;
template <typename T>
inline constexpr bool kIsVector = false;
template <typename T>
inline constexpr bool kIsVector<std::vector<T>> = true;

template <typename T, typename F>
void walk_symbols(T& value, F& f) {
  if constexpr (std::is_same_v<T, Symbol>) {
    f(value);
  } else if constexpr (kIsOptional<T>) {
    if (value.has_value()) walk_symbols(*value, f);
  } else if constexpr (kIsVector<T>) {
    for (auto& item : value)
      walk_symbols(item, f);
  } else if constexpr (requires { T::fields(); }) {
    std::apply([&](const auto&... field) { (walk_symbols(value.*(field.member), f), ...); },
               T::fields());
  }
}
}  // namespace detail

template <typename F>
void for_each_symbol(Request& request, F&& f) {
  std::visit([&](auto& r) { detail::walk_symbols(r, f); }, request);
}

}  // namespace carbonx::verbs
