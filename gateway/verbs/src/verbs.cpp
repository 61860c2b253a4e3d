// The operator verb table: the rows come from the request structs (requests.hpp); one generic
// reader and writer walk each struct's fields() (verbs.hpp states the refusals).
#include "carbonx/verbs/verbs.hpp"

#include <array>
#include <concepts>
#include <limits>
#include <nlohmann/json.hpp>
#include <utility>

namespace carbonx::verbs {
namespace {

using json = nlohmann::json;
using Error = std::optional<std::string>;

inline constexpr std::size_t kVerbCount = std::variant_size_v<Request>;
inline constexpr std::size_t kMaxListItems = 100'000;

// The value as the operator wrote it, kept short for a one-line error.
std::string shown(const json& j) {
  std::string s = j.dump();
  if (s.size() > 40) s = s.substr(0, 37) + "...";
  return s;
}

template <typename T>
struct Codec;  // read(json, T&) -> Error, write(T) -> json, usage() -> text

template <typename T>
concept Integer = std::integral<T> && !std::same_as<T, bool>;
template <typename T>
concept HasFields = requires {
  T::fields();
};
template <typename T>
concept HasCheck = requires(const T& t) {
  { t.check() } -> std::same_as<Problem>;
};

template <Integer I>
struct Codec<I> {
  static Error read(const json& j, I& out) {
    constexpr auto lo = std::numeric_limits<I>::min();
    constexpr auto hi = std::numeric_limits<I>::max();
    const std::string range = std::to_string(lo) + ".." + std::to_string(hi);
    if (j.is_number_unsigned()) {
      const auto v = j.get<std::uint64_t>();
      if (std::cmp_greater(v, hi)) return range + " expected, got " + shown(j);
      out = static_cast<I>(v);
      return {};
    }
    if (j.is_number_integer()) {
      const auto v = j.get<std::int64_t>();
      if (std::cmp_less(v, lo) || std::cmp_greater(v, hi)) {
        return range + " expected, got " + shown(j);
      }
      out = static_cast<I>(v);
      return {};
    }
    return "a whole number is expected, got " + shown(j);
  }
  static json write(I v) { return v; }
  static std::string usage() { return "integer"; }
};

template <typename Tag, typename Rep>
struct Codec<Strong<Tag, Rep>> {
  static Error read(const json& j, Strong<Tag, Rep>& out) {
    Rep v{};
    if (Error e = Codec<Rep>::read(j, v)) return e;
    out = Strong<Tag, Rep>(v);
    return {};
  }
  static json write(Strong<Tag, Rep> v) { return v.value(); }
  static std::string usage() { return "integer"; }
};

template <typename Tag>
struct Codec<Additive<Tag>> {
  static Error read(const json& j, Additive<Tag>& out) {
    std::int64_t v = 0;
    if (Error e = Codec<std::int64_t>::read(j, v)) return e;
    out = Additive<Tag>(v);
    return {};
  }
  static json write(Additive<Tag> v) { return v.value(); }
  static std::string usage() { return "integer"; }
};

template <>
struct Codec<bool> {
  static Error read(const json& j, bool& out) {
    if (!j.is_boolean()) return "true or false expected, got " + shown(j);
    out = j.get<bool>();
    return {};
  }
  static json write(bool v) { return v; }
  static std::string usage() { return "boolean"; }
};

template <>
struct Codec<std::string> {
  static Error read(const json& j, std::string& out) {
    if (!j.is_string()) return "a string is expected, got " + shown(j);
    out = j.get<std::string>();
    return {};
  }
  static json write(const std::string& v) { return v; }
  static std::string usage() { return "string"; }
};

// A date: 20270628 or "2027-06-28" (whether it exists is the core's check).
template <>
struct Codec<Date> {
  static Error read(const json& j, Date& out) {
    if (j.is_number_integer()) return Codec<std::int32_t>::read(j, out.yyyymmdd);
    const std::string wrong = "a date like \"2027-06-28\" or 20270628 expected, got " + shown(j);
    if (!j.is_string()) return wrong;
    const std::string s = j.get<std::string>();
    if (s.size() != 10 || s[4] != '-' || s[7] != '-') return wrong;
    std::int32_t n = 0;
    for (std::size_t i = 0; i < s.size(); ++i) {
      if (i == 4 || i == 7) continue;
      if (s[i] < '0' || s[i] > '9') return wrong;
      n = n * 10 + (s[i] - '0');
    }
    out = Date{n};
    return {};
  }
  static json write(Date d) { return d.yyyymmdd; }
  static std::string usage() { return "date"; }
};

// A symbol: its text only (at most kMaxSymbolLength bytes); the operator edge resolves it.
template <>
struct Codec<Symbol> {
  static Error read(const json& j, Symbol& out) {
    const std::string wrong = "a symbol (1.." + std::to_string(kMaxSymbolLength) +
                              " characters) expected, got " + shown(j);
    if (!j.is_string()) return wrong;
    const std::string s = j.get<std::string>();
    if (s.empty() || !out.text.assign(s)) return wrong;
    out.id = InstrumentId(0);
    return {};
  }
  static json write(const Symbol& v) { return v.text.str(); }
  static std::string usage() { return "symbol"; }
};

// Enumerations named by text.
template <typename E>
struct EnumNames;
template <>
struct EnumNames<registry::AccountKind> {
  using K = registry::AccountKind;
  static constexpr std::array<std::pair<std::string_view, K>, 4> kNames{
      {{"control_emission_firm", K::kControlEmissionFirm},
       {"investment_institution", K::kInvestmentInstitution},
       {"individual", K::kIndividual},
       {"retirement", K::kRetirement}}};
};
template <>
struct EnumNames<registry::AccountStatus> {
  using S = registry::AccountStatus;
  static constexpr std::array<std::pair<std::string_view, S>, 3> kNames{
      {{"active", S::kActive}, {"frozen", S::kFrozen}, {"closed", S::kClosed}}};
};
template <>
struct EnumNames<AuctionPricing> {
  static constexpr std::array<std::pair<std::string_view, AuctionPricing>, 2> kNames{
      {{"pay_as_bid", AuctionPricing::kPayAsBid}, {"uniform", AuctionPricing::kUniform}}};
};

template <typename E>
requires std::is_enum_v<E>
struct Codec<E> {
  static Error read(const json& j, E& out) {
    if (j.is_string()) {
      for (const auto& [name, value] : EnumNames<E>::kNames) {
        if (j.get<std::string>() == name) {
          out = value;
          return {};
        }
      }
    }
    return "one of " + usage() + " expected, got " + shown(j);
  }
  static json write(E v) {
    for (const auto& [name, value] : EnumNames<E>::kNames) {
      if (value == v) return std::string(name);
    }
    CX_ASSERT(false && "an enumerator without a name in the verb table");
    return nullptr;
  }
  static std::string usage() {
    std::string out;
    for (const auto& [name, value] : EnumNames<E>::kNames) {
      if (!out.empty()) out += '|';
      out.append(name);
    }
    return out;
  }
};

template <typename T>
struct Codec<std::optional<T>> {  // null: not given
  static Error read(const json& j, std::optional<T>& out) {
    if (j.is_null()) {
      out.reset();
      return {};
    }
    T v{};
    if (Error e = Codec<T>::read(j, v)) return e;
    out = std::move(v);
    return {};
  }
  static json write(const std::optional<T>& v) { return v ? Codec<T>::write(*v) : json(nullptr); }
  static std::string usage() { return Codec<T>::usage() + "|null"; }
};

template <typename T>
struct Codec<std::vector<T>> {
  static Error read(const json& j, std::vector<T>& out) {
    if (!j.is_array()) return "a list is expected, got " + shown(j);
    if (j.size() > kMaxListItems) return "at most " + std::to_string(kMaxListItems) + " items";
    out.clear();
    out.reserve(j.size());
    for (std::size_t i = 0; i < j.size(); ++i) {
      T v{};
      if (Error e = Codec<T>::read(j[i], v)) return "[" + std::to_string(i) + "]: " + *e;
      out.push_back(std::move(v));
    }
    return {};
  }
  static json write(const std::vector<T>& v) {
    json out = json::array();
    for (const T& x : v)
      out.push_back(Codec<T>::write(x));
    return out;
  }
  static std::string usage() { return "[" + Codec<T>::usage() + ", ...]"; }
};

// An integer field's value for its range check (nullopt: not an integer, or not given).
template <typename T>
std::optional<std::int64_t> as_integer(const T& v) {
  if constexpr (Integer<T>) {
    return static_cast<std::int64_t>(v);
  } else if constexpr (
      requires { v.value(); } && !requires { v.has_value(); }) {
    return static_cast<std::int64_t>(v.value());
  } else if constexpr (requires { v.has_value(); }) {
    return v.has_value() ? as_integer(*v) : std::nullopt;
  } else {
    return std::nullopt;
  }
}

template <typename S, typename B, typename T>
Error read_field(const json& j, S& out, const Field<B, T>& f) {
  const std::string name(f.name);
  const auto it = j.find(name);
  if (it == j.end()) return f.required ? Error(name + ": missing (required)") : Error{};
  T& value = out.*(f.member);
  if (Error e = Codec<T>::read(*it, value)) return name + ": " + *e;
  if (f.bounded) {
    const auto v = as_integer(value);
    if (v && (*v < f.min || *v > f.max)) {
      return name + ": " + std::to_string(f.min) + ".." + std::to_string(f.max) +
             " expected, got " + std::to_string(*v);
    }
  }
  return {};
}

template <typename S>
Error read_object(const json& j, S& out) {
  if (!j.is_object()) return "a JSON object is expected, got " + shown(j);
  constexpr auto fields = S::fields();
  for (auto it = j.begin(); it != j.end(); ++it) {
    bool known = false;
    std::apply([&](const auto&... f) { ((known = known || f.name == it.key()), ...); }, fields);
    if (!known) return it.key() + ": unknown field";
  }
  Error err;
  std::apply([&](const auto&... f) { ((err = err ? err : read_field(j, out, f)), ...); }, fields);
  if constexpr (HasCheck<S>) {
    if (!err) err = out.check();
  }
  return err;
}

template <typename S>
json write_object(const S& s) {
  json out = json::object();
  std::apply(
      [&](const auto&... f) {
        (
            [&] {
              const auto& v = s.*(f.member);
              if constexpr (requires { v.has_value(); }) {
                if (!v.has_value() && !f.required) return;
              }
              out[std::string(f.name)] = Codec<std::remove_cvref_t<decltype(v)>>::write(v);
            }(),
            ...);
      },
      S::fields());
  return out;
}

template <typename S>
std::string object_usage() {
  std::string out;
  std::apply(
      [&](const auto&... f) {
        ((out +=
          (out.empty() ? "\"" : ", \"") + std::string(f.name) + (f.required ? "" : "?") +
          "\": " + Codec<std::remove_cvref_t<decltype(std::declval<S>().*(f.member))>>::usage()),
         ...);
      },
      S::fields());
  return "{" + out + "}";
}

template <HasFields S>
struct Codec<S> {
  static Error read(const json& j, S& out) { return read_object(j, out); }
  static json write(const S& v) { return write_object(v); }
  static std::string usage() { return object_usage<S>(); }
};

template <std::size_t I>
Result<Request, ParseFailure> parse_as(const json& j) {
  using R = std::variant_alternative_t<I, Request>;
  R r{};
  if (Error e = read_object(j, r)) {
    return Err{ParseFailure{BodyError::kMalformed, std::string(R::kMeta.name) + ": " + *e}};
  }
  return Request(std::in_place_index<I>, std::move(r));
}

template <std::size_t I>
std::string usage_of() {
  return object_usage<std::variant_alternative_t<I, Request>>();
}

template <std::size_t... I>
constexpr std::array<Meta, sizeof...(I)> make_table(std::index_sequence<I...>) {
  return {std::variant_alternative_t<I, Request>::kMeta...};
}
using Parser = Result<Request, ParseFailure> (*)(const json&);
template <std::size_t... I>
constexpr std::array<Parser, sizeof...(I)> make_parsers(std::index_sequence<I...>) {
  return {&parse_as<I>...};
}
using Usage = std::string (*)();
template <std::size_t... I>
constexpr std::array<Usage, sizeof...(I)> make_usages(std::index_sequence<I...>) {
  return {&usage_of<I>...};
}

constexpr auto kTable = make_table(std::make_index_sequence<kVerbCount>{});
constexpr auto kParsers = make_parsers(std::make_index_sequence<kVerbCount>{});
constexpr auto kUsages = make_usages(std::make_index_sequence<kVerbCount>{});

std::optional<std::size_t> index_of(std::string_view name) {
  for (std::size_t i = 0; i < kTable.size(); ++i) {
    if (kTable[i].name == name) return i;
  }
  return std::nullopt;
}

}  // namespace

Problem ClockAdvance::check() const {
  if (to.has_value() == seconds.has_value()) {
    return "give exactly one of \"to\" (a time like 2017-05-12T15:00:00+08:00) or \"seconds\" "
           "(> 0)";
  }
  return std::nullopt;
}

Problem EmissionsLoad::check() const {
  if (rows.has_value() == csv_text.has_value()) {
    return "give exactly one of \"rows\" or \"csv_text\"";
  }
  return std::nullopt;
}

Problem AuctionOpen::check() const {
  if (end_ts.has_value() == duration_s.has_value()) {
    return "give exactly one of \"end_ts\" (ns) or \"duration_s\"";
  }
  return std::nullopt;
}

std::span<const Meta> table() noexcept {
  return kTable;
}

const Meta* find(std::string_view name) noexcept {
  const auto i = index_of(name);
  return i ? &kTable[*i] : nullptr;
}

const Meta& meta_of(const Request& request) noexcept {
  return kTable[request.index()];
}

std::string_view to_string(BodyError e) noexcept {
  switch (e) {
    case BodyError::kUnknownVerb:
      return "unknown verb";
    case BodyError::kMalformed:
      return "malformed request body";
  }
  return "?";
}

Result<Request, ParseFailure> parse(std::string_view verb, std::string_view body_json) {
  const auto i = index_of(verb);
  if (!i) return Err{ParseFailure{BodyError::kUnknownVerb, "unknown verb " + std::string(verb)}};
  const bool blank = body_json.find_first_not_of(" \t\r\n") == std::string_view::npos;
  const json j = blank ? json::object() : json::parse(body_json, nullptr, false);
  if (j.is_discarded()) {
    return Err{ParseFailure{BodyError::kMalformed, std::string(verb) + ": the body is not JSON"}};
  }
  return kParsers[*i](j);
}

std::string to_json(const Request& request) {
  return std::visit([](const auto& r) { return write_object(r).dump(); }, request);
}

template <typename E>
std::optional<E> enum_from(std::string_view name) noexcept {
  for (const auto& [n, value] : EnumNames<E>::kNames) {
    if (n == name) return value;
  }
  return std::nullopt;
}
template std::optional<registry::AccountKind> enum_from(std::string_view) noexcept;
template std::optional<registry::AccountStatus> enum_from(std::string_view) noexcept;
template std::optional<AuctionPricing> enum_from(std::string_view) noexcept;

std::string body_usage(const Meta& meta) {
  const auto i = index_of(meta.name);
  CX_ASSERT(i.has_value());
  return kUsages[*i]();
}

}  // namespace carbonx::verbs
