#include "carbonx/engine/instrument.hpp"

#include <toml++/toml.h>
#include <algorithm>
#include <map>
#include <optional>
#include <set>

namespace carbonx {

std::string_view to_string(ProductKind p) noexcept {
  switch (p) {
    case ProductKind::kAllowance:
      return "allowance";
    case ProductKind::kCcer:
      return "ccer";
    case ProductKind::kPhcer:
      return "phcer";
  }
  return "unknown product";
}

Band band_around(PriceFen reference_fen, std::uint32_t band_bp, PriceFen tick_fen) {
  CX_ASSERT(reference_fen.value() > 0);
  CX_ASSERT(tick_fen.value() > 0);
  CX_ASSERT(band_bp < 10'000);
  const std::int64_t ref = reference_fen.value();
  const std::int64_t tick = tick_fen.value();
  const std::int64_t low_raw = (ref * (10'000 - band_bp) + 9'999) / 10'000;  // ceil
  const std::int64_t high_raw = ref * (10'000 + band_bp) / 10'000;           // floor
  std::int64_t low = (low_raw + tick - 1) / tick * tick;
  const std::int64_t high = high_raw / tick * tick;
  if (low < tick) low = tick;
  CX_ASSERT(low <= ref && ref <= high);
  return Band{PriceFen(low), PriceFen(high)};
}

Band grid_band(PriceFen ref, const InstrumentConfig& c, std::uint32_t max_levels) {
  Band b = band_around(ref, c.band_bp, c.tick_fen);
  const std::int64_t tick = c.tick_fen.value();
  if ((b.high_fen.value() - b.low_fen.value()) / tick + 1 <= max_levels) return b;
  const std::int64_t half = (static_cast<std::int64_t>(max_levels) - 1) / 2;
  b.low_fen = PriceFen(std::max(tick, ref.value() - half * tick));
  b.high_fen = PriceFen(ref.value() + half * tick);
  return b;
}

namespace {

using Fail = Err<ConfigError>;

Fail fail(std::string_view where, std::string_view field, std::string_view what) {
  std::string msg(where);
  msg += ": ";
  msg += field;
  msg += ": ";
  msg += what;
  return Fail{ConfigError{std::move(msg)}};
}

// Built with append: GCC 12 warns falsely (-Wrestrict) on chained string operator+.
std::string instrument_where(const std::string& code, std::int64_t id) {
  std::string w("instrument ");
  if (code.empty()) {
    w.append("#").append(std::to_string(id));
  } else {
    w.append(code);
  }
  return w;
}

std::string where_of(const InstrumentConfig& ins) {
  return instrument_where(ins.code, ins.id.value());
}

Result<bool, ConfigError> validate_offbook(const InstrumentConfig& ins, const std::string& w) {
  if (ins.agreement_band_bp == 0 || ins.agreement_band_bp >= 10'000) {
    return fail(w, "agreement_band_bp", "must be 1..9999");
  }
  if (ins.repo_band_bp == 0 || ins.repo_band_bp >= 10'000) {
    return fail(w, "repo_band_bp", "must be 1..9999");
  }
  const std::int64_t lot = ins.lot_t.value();
  if (ins.agreement_min_t.value() <= 0 || ins.agreement_min_t.value() % lot != 0) {
    return fail(w, "agreement_min_t", "must be a positive multiple of lot_t");
  }
  if (ins.repo_min_t.value() <= 0 || ins.repo_min_t.value() % lot != 0) {
    return fail(w, "repo_min_t", "must be a positive multiple of lot_t");
  }
  return true;
}

Result<bool, ConfigError> validate_hours(const std::vector<HoursWindow>& hours,
                                         std::string_view key, const std::string& w) {
  if (hours.size() > kMaxHoursWindows) return fail(w, key, "at most 4 windows");
  int last_close = -1;
  for (const HoursWindow& h : hours) {
    if (h.close_minute > 24 * 60 || h.open_minute >= h.close_minute ||
        static_cast<int>(h.open_minute) < last_close) {
      return fail(w, key, "windows \"HH:MM-HH:MM\" in order, not overlapping, within the day");
    }
    last_close = h.close_minute;
  }
  return true;
}

}  // namespace

Result<bool, ConfigError> validate_instrument(const InstrumentConfig& ins, const CoreLimits& lim) {
  const std::string w = where_of(ins);
  if (ins.id.value() == 0 || ins.id.value() > 65'535) {
    return fail(w, "id", "must be 1..65535 (asset 0 is cash)");
  }
  if (ins.code.empty() || ins.code.size() > 15) return fail(w, "code", "1 to 15 characters");
  if (ins.product == ProductKind::kAllowance) {
    if (ins.vintage < 2000 || ins.vintage > 2100) return fail(w, "vintage", "2000..2100 needed");
  } else {
    if (ins.project.project_id.empty()) return fail(w, "project_id", "required for offsets");
    if (ins.project.region.empty()) return fail(w, "region", "required for offsets");
    if (ins.project.project_type.empty()) return fail(w, "project_type", "required for offsets");
    if (!is_valid_date(ins.project.crediting_start)) return fail(w, "crediting_start", "no date");
    if (!is_valid_date(ins.project.crediting_end)) return fail(w, "crediting_end", "no date");
    if (ins.project.crediting_end < ins.project.crediting_start) {
      return fail(w, "crediting_end", "before crediting_start");
    }
  }
  if (ins.tick_fen.value() <= 0) return fail(w, "tick_fen", "must be > 0");
  if (ins.lot_t.value() <= 0) return fail(w, "lot_t", "must be > 0");
  if (ins.min_order_t.value() <= 0 || ins.min_order_t.value() % ins.lot_t.value() != 0) {
    return fail(w, "min_order_t", "must be a positive multiple of lot_t");
  }
  if (ins.max_order_t < ins.min_order_t || ins.max_order_t.value() % ins.lot_t.value() != 0) {
    return fail(w, "max_order_t", "must be a multiple of lot_t and >= min_order_t");
  }
  if (ins.max_order_t.value() > 1'000'000'000) return fail(w, "max_order_t", "over 1e9 t");
  if (ins.reference_price_fen.value() <= 0 ||
      ins.reference_price_fen.value() % ins.tick_fen.value() != 0) {
    return fail(w, "reference_price_fen", "must be > 0 and on the tick");
  }
  if (ins.reference_price_fen.value() > 100'000'000) {
    return fail(w, "reference_price_fen", "over 1,000,000 CNY per tonne");
  }
  if (ins.band_bp == 0 || ins.band_bp >= 10'000) return fail(w, "band_bp", "must be 1..9999");
  if (auto ok = validate_offbook(ins, w); !ok) return ok;
  if (auto ok = validate_hours(ins.listed_hours, "listed_hours", w); !ok) return ok;
  if (auto ok = validate_hours(ins.agreement_hours, "agreement_hours", w); !ok) return ok;
  if (ins.take_levels > 64) return fail(w, "take_levels", "must be 0..64");
  const Band band = band_around(ins.reference_price_fen, ins.band_bp, ins.tick_fen);
  const std::int64_t levels = (band.high_fen.value() - band.low_fen.value()) / ins.tick_fen.value();
  // The band moves with the reference price; allow it to double before the level array is full.
  if (2 * levels + 1 > static_cast<std::int64_t>(lim.max_price_levels)) {
    return fail(w, "band_bp", "band too wide for max_price_levels (needs room to double)");
  }
  return true;
}

namespace {

template <typename T>
std::optional<T> get(const toml::table& t, std::string_view key) {
  return t[key].value<T>();
}

Result<Date, ConfigError> get_date(const toml::table& t, std::string_view where,
                                   std::string_view key, bool required) {
  const toml::node* n = t.get(key);
  if (n == nullptr) {
    if (required) return fail(where, key, "missing");
    return Date{};
  }
  const auto* d = n->as_date();
  if (d == nullptr) return fail(where, key, "must be a TOML date (2017-05-10)");
  const toml::date v = d->get();
  Date out{static_cast<std::int32_t>(v.year * 10000 + v.month * 100 + v.day)};
  if (!is_valid_date(out)) return fail(where, key, "not a valid date");
  return out;
}

Result<TradingMode, ConfigError> parse_mode(std::string_view where, std::string_view s) {
  for (std::size_t i = 0; i < kTradingModeCount; ++i) {
    const auto m = static_cast<TradingMode>(i);
    if (to_string(m) == s) return m;
  }
  return fail(where, "mode", "listed|agreement|auction|repo_first_leg|repo_repurchase");
}

Result<SideSet, ConfigError> parse_sides(std::string_view where, std::string_view key,
                                         std::string_view s) {
  if (s == "buy") return SideSet::kBuy;
  if (s == "sell") return SideSet::kSell;
  if (s == "both") return SideSet::kBoth;
  return fail(where, key, "buy|sell|both");
}

Result<bool, ConfigError> parse_rate(const toml::table& r, const std::string& where,
                                     FeeSchedule& fs) {
  auto mode = parse_mode(where, get<std::string>(r, "mode").value_or(""));
  if (!mode) return Fail{mode.error()};
  auto sides = parse_sides(where, "side", get<std::string>(r, "side").value_or(""));
  if (!sides) return Fail{sides.error()};
  const auto ppm = get<std::int64_t>(r, "rate_ppm");
  if (!ppm || *ppm < 0 || *ppm > 1'000'000) return fail(where, "rate_ppm", "0..1000000 needed");
  const auto min_fen = get<std::int64_t>(r, "min_fen").value_or(0);
  if (min_fen < 0) return fail(where, "min_fen", "must be >= 0");
  const FeeRate rate{static_cast<std::uint32_t>(*ppm), AmountFen(min_fen)};
  if (contains(sides.value(), Side::kBuy)) fs.set_rate(mode.value(), Side::kBuy, rate);
  if (contains(sides.value(), Side::kSell)) fs.set_rate(mode.value(), Side::kSell, rate);
  return true;
}

Result<bool, ConfigError> parse_waiver(const toml::table& r, const std::string& where,
                                       FeeSchedule& fs) {
  FeeWaiver w;
  const auto id = get<std::int64_t>(r, "id");
  if (!id || *id <= 0 || *id > 0xFFFF'FFFF) return fail(where, "waiver id", "must be > 0");
  w.rule_id = static_cast<std::uint32_t>(*id);
  auto mode = parse_mode(where, get<std::string>(r, "mode").value_or(""));
  if (!mode) return Fail{mode.error()};
  w.mode = mode.value();
  auto sides = parse_sides(where, "sides", get<std::string>(r, "sides").value_or(""));
  if (!sides) return Fail{sides.error()};
  w.sides = sides.value();
  auto from = get_date(r, where, "effective_from", true);
  if (!from) return Fail{from.error()};
  w.effective_from = from.value();
  auto ff = get_date(r, where, "filed_from", false);
  if (!ff) return Fail{ff.error()};
  w.filed_from = ff.value();
  auto fb = get_date(r, where, "filed_before", false);
  if (!fb) return Fail{fb.error()};
  w.filed_before = fb.value();
  if (!fs.add_waiver(w)) return fail(where, "waivers", "duplicate id or more than 8 waivers");
  return true;
}

Result<bool, ConfigError> parse_schedules(const toml::table& root,
                                          std::map<std::string, FeeSchedule>& out) {
  const toml::array* arr = root["fee_schedule"].as_array();
  if (arr == nullptr) return true;
  for (const toml::node& n : *arr) {
    const toml::table* t = n.as_table();
    if (t == nullptr) return fail("fee_schedule", "entry", "must be a table");
    const auto name = get<std::string>(*t, "name");
    if (!name || name->empty()) return fail("fee_schedule", "name", "missing");
    const std::string where = std::string("fee_schedule ").append(*name);
    if (out.contains(*name)) return fail(where, "name", "duplicate");
    FeeSchedule fs;
    if (const toml::array* rates = (*t)["rates"].as_array()) {
      for (const toml::node& r : *rates) {
        if (!r.is_table()) return fail(where, "rates", "entries must be tables");
        if (auto ok = parse_rate(*r.as_table(), where, fs); !ok) return ok;
      }
    }
    if (const toml::array* waivers = (*t)["waivers"].as_array()) {
      for (const toml::node& r : *waivers) {
        if (!r.is_table()) return fail(where, "waivers", "entries must be tables");
        if (auto ok = parse_waiver(*r.as_table(), where, fs); !ok) return ok;
      }
    }
    out.emplace(*name, fs);
  }
  return true;
}

Result<bool, ConfigError> parse_limits(const toml::table& ex, CoreLimits& lim) {
  struct Field {
    std::string_view key;
    std::uint32_t* target;
  };
  const Field fields[] = {
      {"max_instruments", &lim.max_instruments},
      {"max_orders_per_book", &lim.max_orders_per_book},
      {"max_orders_per_level", &lim.max_orders_per_level},
      {"max_price_levels", &lim.max_price_levels},
      {"max_fills_per_order", &lim.max_fills_per_order},
      {"outbox_capacity", &lim.outbox_capacity},
      {"max_open_agreements", &lim.max_open_agreements},
      {"max_open_auctions", &lim.max_open_auctions},
      {"max_bids_per_auction", &lim.max_bids_per_auction},
      {"max_repos", &lim.max_repos},
  };
  for (const Field& f : fields) {
    if (const toml::node* n = ex.get(f.key)) {
      const auto v = n->value<std::int64_t>();
      if (!v || *v <= 0 || *v > 100'000'000) return fail("exchange", f.key, "1..100000000");
      *f.target = static_cast<std::uint32_t>(*v);
    }
  }
  if (const toml::node* n = ex.get("close_min_volume_t")) {
    const auto v = n->value<std::int64_t>();
    if (!v || *v < 0) return fail("exchange", "close_min_volume_t", "must be >= 0");
    lim.close_min_volume_t = QuantityT(*v);
  }
  return true;
}

Result<bool, ConfigError> parse_product(const toml::table& t, const std::string& w,
                                        InstrumentConfig& ins) {
  const std::string product = get<std::string>(t, "product").value_or("");
  if (product == "allowance") {
    ins.product = ProductKind::kAllowance;
    ins.vintage = static_cast<std::int32_t>(get<std::int64_t>(t, "vintage").value_or(0));
    return true;
  }
  if (product == "ccer") {
    ins.product = ProductKind::kCcer;
  } else if (product == "phcer") {
    ins.product = ProductKind::kPhcer;
  } else {
    return fail(w, "product", "allowance|ccer|phcer");
  }
  ins.project.project_id = get<std::string>(t, "project_id").value_or("");
  ins.project.region = get<std::string>(t, "region").value_or("");
  ins.project.project_type = get<std::string>(t, "project_type").value_or("");
  auto start = get_date(t, w, "crediting_start", true);
  if (!start) return Fail{start.error()};
  auto end = get_date(t, w, "crediting_end", true);
  if (!end) return Fail{end.error()};
  ins.project.crediting_start = start.value();
  ins.project.crediting_end = end.value();
  return true;
}

// Optional off-book fields; validate_instrument checks their ranges.
Result<bool, ConfigError> parse_offbook_fields(const toml::table& t, const std::string& w,
                                               InstrumentConfig& ins) {
  for (std::string_view key : {"agreement_band_bp", "repo_band_bp"}) {
    const toml::node* n = t.get(key);
    if (n == nullptr) continue;
    const auto v = n->value<std::int64_t>();
    if (!v || *v <= 0 || *v >= 10'000) return fail(w, key, "must be 1..9999");
    (key == "repo_band_bp" ? ins.repo_band_bp : ins.agreement_band_bp) =
        static_cast<std::uint32_t>(*v);
  }
  for (std::string_view key : {"agreement_min_t", "repo_min_t"}) {
    const toml::node* n = t.get(key);
    if (n == nullptr) continue;
    const auto v = n->value<std::int64_t>();
    if (!v || *v <= 0 || *v > 1'000'000'000) return fail(w, key, "must be 1..1000000000");
    (key == "repo_min_t" ? ins.repo_min_t : ins.agreement_min_t) = QuantityT(*v);
  }
  return true;
}

// "HH:MM" -> minutes after midnight (24:00 allowed as an end), -1 when malformed.
int parse_minute(std::string_view t) {
  if (t.size() != 5 || t[2] != ':') return -1;
  for (std::size_t i : {0, 1, 3, 4}) {
    if (t[i] < '0' || t[i] > '9') return -1;
  }
  const int h = (t[0] - '0') * 10 + (t[1] - '0');
  const int m = (t[3] - '0') * 10 + (t[4] - '0');
  if (m > 59 || h > 24 || (h == 24 && m != 0)) return -1;
  return h * 60 + m;
}

Result<bool, ConfigError> parse_hours(const toml::table& t, const std::string& w,
                                      std::string_view key, std::vector<HoursWindow>& out) {
  const toml::node* n = t.get(key);
  if (n == nullptr) return true;
  const toml::array* arr = n->as_array();
  if (arr == nullptr) return fail(w, key, "an array of \"HH:MM-HH:MM\" strings");
  for (const toml::node& e : *arr) {
    const auto text = e.value<std::string>();
    const std::size_t dash = text ? text->find('-') : std::string::npos;
    const int open = dash == std::string::npos ? -1 : parse_minute(text->substr(0, dash));
    const int close = dash == std::string::npos ? -1 : parse_minute(text->substr(dash + 1));
    if (open < 0 || close < 0) return fail(w, key, "each window \"HH:MM-HH:MM\"");
    out.push_back(HoursWindow{static_cast<std::uint16_t>(open), static_cast<std::uint16_t>(close)});
  }
  return true;
}

// Optional market-rule fields; validate_instrument checks their ranges.
Result<bool, ConfigError> parse_rule_fields(const toml::table& t, const std::string& w,
                                            InstrumentConfig& ins) {
  if (auto ok = parse_hours(t, w, "listed_hours", ins.listed_hours); !ok) return ok;
  if (auto ok = parse_hours(t, w, "agreement_hours", ins.agreement_hours); !ok) return ok;
  if (const toml::node* n = t.get("take_levels")) {
    const auto v = n->value<std::int64_t>();
    if (!v || *v < 0 || *v > 64) return fail(w, "take_levels", "must be 0..64");
    ins.take_levels = static_cast<std::uint32_t>(*v);
  }
  if (const toml::node* n = t.get("same_day_resale")) {
    const auto v = n->value<bool>();
    if (!v) return fail(w, "same_day_resale", "must be true or false");
    ins.same_day_resale = *v;
  }
  return true;
}

Result<bool, ConfigError> parse_int_fields(const toml::table& t, const std::string& w,
                                           InstrumentConfig& ins) {
  const auto need = [&](std::string_view key) -> std::optional<std::int64_t> {
    return get<std::int64_t>(t, key);
  };
  const auto tick = need("tick_fen");
  const auto lot = need("lot_t");
  const auto min_q = need("min_order_t");
  const auto max_q = need("max_order_t");
  const auto ref = need("reference_price_fen");
  if (!tick) return fail(w, "tick_fen", "missing or not an integer");
  if (!lot) return fail(w, "lot_t", "missing or not an integer");
  if (!min_q) return fail(w, "min_order_t", "missing or not an integer");
  if (!max_q) return fail(w, "max_order_t", "missing or not an integer");
  if (!ref) return fail(w, "reference_price_fen", "missing or not an integer");
  ins.tick_fen = PriceFen(*tick);
  ins.lot_t = QuantityT(*lot);
  ins.min_order_t = QuantityT(*min_q);
  ins.max_order_t = QuantityT(*max_q);
  ins.reference_price_fen = PriceFen(*ref);
  const std::int64_t band = get<std::int64_t>(t, "band_bp").value_or(1000);
  if (band <= 0 || band >= 10'000) return fail(w, "band_bp", "must be 1..9999");
  ins.band_bp = static_cast<std::uint32_t>(band);
  if (auto ok = parse_offbook_fields(t, w, ins); !ok) return ok;
  return parse_rule_fields(t, w, ins);
}

Result<bool, ConfigError> parse_stp(const toml::table& t, const std::string& w,
                                    InstrumentConfig& ins) {
  const std::string stp = get<std::string>(t, "stp").value_or("cancel_incoming");
  if (stp == "cancel_incoming") {
    ins.stp = StpMode::kCancelIncoming;
  } else if (stp == "cancel_resting") {
    ins.stp = StpMode::kCancelResting;
  } else if (stp == "cancel_both") {
    ins.stp = StpMode::kCancelBoth;
  } else {
    return fail(w, "stp", "cancel_incoming|cancel_resting|cancel_both");
  }
  return true;
}

Result<InstrumentConfig, ConfigError> parse_instrument(
    const toml::table& t, const std::map<std::string, FeeSchedule>& schedules,
    const CoreLimits& lim) {
  InstrumentConfig ins;
  ins.code = get<std::string>(t, "code").value_or("");
  const std::int64_t id = get<std::int64_t>(t, "id").value_or(0);
  const std::string w = instrument_where(ins.code, id);
  if (id <= 0 || id > 65'535) return fail(w, "id", "missing or not 1..65535");
  ins.id = InstrumentId(static_cast<std::uint32_t>(id));
  if (auto ok = parse_product(t, w, ins); !ok) return Fail{ok.error()};
  if (auto ok = parse_int_fields(t, w, ins); !ok) return Fail{ok.error()};
  if (auto ok = parse_stp(t, w, ins); !ok) return Fail{ok.error()};
  const auto sched = get<std::string>(t, "fee_schedule");
  if (sched) {
    auto it = schedules.find(*sched);
    if (it == schedules.end())
      return fail(w, "fee_schedule", std::string("no schedule named ").append(*sched));
    ins.fees = it->second;
  }
  if (auto ok = validate_instrument(ins, lim); !ok) return Fail{ok.error()};
  return ins;
}

Result<ExchangeConfig, ConfigError> parse_root(const toml::table& root) {
  ExchangeConfig cfg;
  const toml::table* ex = root["exchange"].as_table();
  if (ex == nullptr) return fail("exchange", "section", "missing [exchange]");
  const auto fee_account = get<std::int64_t>(*ex, "fee_account");
  if (!fee_account || *fee_account < 0 || *fee_account > 0xFFFF'FFFF) {
    return fail("exchange", "fee_account", "missing or not an account id");
  }
  cfg.fee_account = AccountId(static_cast<std::uint32_t>(*fee_account));
  const std::string repo_default = get<std::string>(*ex, "repo_default").value_or("release");
  if (repo_default != "release" && repo_default != "keep_locked") {
    return fail("exchange", "repo_default", "release|keep_locked");
  }
  cfg.repo_default_releases_units = repo_default == "release";
  if (auto ok = parse_limits(*ex, cfg.limits); !ok) return Fail{ok.error()};
  std::map<std::string, FeeSchedule> schedules;
  if (auto ok = parse_schedules(root, schedules); !ok) return Fail{ok.error()};
  const toml::array* arr = root["instrument"].as_array();
  if (arr == nullptr || arr->empty()) return fail("instrument", "section", "no [[instrument]]");
  std::set<std::uint32_t> ids;
  std::set<std::string> codes;
  for (const toml::node& n : *arr) {
    if (!n.is_table()) return fail("instrument", "entry", "must be a table");
    auto ins = parse_instrument(*n.as_table(), schedules, cfg.limits);
    if (!ins) return Fail{ins.error()};
    const std::string w = instrument_where(ins.value().code, 0);
    if (!ids.insert(ins.value().id.value()).second) return fail(w, "id", "duplicate");
    if (!codes.insert(ins.value().code).second) return fail(w, "code", "duplicate");
    cfg.instruments.push_back(std::move(ins).value());
  }
  if (cfg.instruments.size() > cfg.limits.max_instruments) {
    return fail("exchange", "max_instruments", "more instruments than the limit");
  }
  std::sort(cfg.instruments.begin(), cfg.instruments.end(),
            [](const auto& a, const auto& b) { return a.id < b.id; });
  return cfg;
}

}  // namespace

Result<ExchangeConfig, ConfigError> parse_exchange_config(std::string_view toml_text) {
  toml::table root;
  try {
    root = toml::parse(toml_text);
  } catch (const toml::parse_error& e) {
    std::string msg = "toml: line " + std::to_string(e.source().begin.line) + ": ";
    msg += e.description();
    return Fail{ConfigError{std::move(msg)}};
  }
  return parse_root(root);
}

}  // namespace carbonx
