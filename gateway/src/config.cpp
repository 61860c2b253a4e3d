#include "carbonx/gateway/config.hpp"

#include "carbonx/gateway/clock.hpp"

#include <toml++/toml.h>
#include <algorithm>
#include <boost/asio/ip/address.hpp>
#include <cctype>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace carbonx::gateway {
namespace {

using Error = Err<ConfigLoadError>;

Error error(std::string text) {
  return Error{ConfigLoadError{std::move(text)}};
}

// ---------------------------------------------------------------------------------------------
// The key table: every configuration key, with the reader the parser uses for it and the text
// carbonxd --help-config shows (config_keys()). A key not in the table is refused.

struct Ctx {
  std::string base_dir;  // relative paths are resolved against it
  std::string problem;   // "key: what is wrong" (the caller adds the section)
};

// One key of a section whose values land in a T (ServerConfig, ScheduleConfig, MemberSeed).
template <typename T>
struct KeySpec {
  const char* name;
  const char* type;
  const char* meaning;
  // Reads the key's node into `out`; false: ctx.problem names the key and what is wrong.
  bool (*read)(const toml::node& n, const char* key, T& out, Ctx& ctx);
  std::string (*show)(const T& defaults);  // the default, as TOML would write it
};

std::string_view type_name(toml::node_type t) {
  switch (t) {
    case toml::node_type::table:
      return "table";
    case toml::node_type::array:
      return "array";
    case toml::node_type::string:
      return "string";
    case toml::node_type::integer:
      return "integer";
    case toml::node_type::floating_point:
      return "floating-point number";
    case toml::node_type::boolean:
      return "boolean";
    default:
      return "date or time";
  }
}

std::string quoted(const std::string& s) {
  return "\"" + s + "\"";
}

std::string resolve(const std::string& base_dir, const std::string& path) {
  if (path.empty()) return path;
  const std::filesystem::path p(path);
  return p.is_absolute() ? p.string() : (base_dir / p).lexically_normal().string();
}

std::string minute_text(std::int32_t minute) {
  char text[24];
  std::snprintf(text, sizeof text, "%02d:%02d", minute / 60, minute % 60);
  return text;
}

template <typename U>
bool get_uint(const toml::node& n, const char* key, std::uint64_t min, std::uint64_t max, U* out,
              Ctx& ctx) {
  const auto v = n.value_exact<std::int64_t>();  // an integer, never a float or a string
  if (!v || *v < 0 || static_cast<std::uint64_t>(*v) < min ||
      static_cast<std::uint64_t>(*v) > max) {
    ctx.problem = std::string(key) + ": must be an integer from " + std::to_string(min) + " to " +
                  std::to_string(max);
    return false;
  }
  *out = static_cast<U>(*v);
  return true;
}

bool get_string(const toml::node& n, const char* key, std::string* out, Ctx& ctx) {
  const auto v = n.value_exact<std::string>();
  if (!v) {
    ctx.problem = std::string(key) + ": must be a string";
    return false;
  }
  *out = *v;
  return true;
}

bool get_bool(const toml::node& n, const char* key, bool* out, Ctx& ctx) {
  const auto v = n.value_exact<bool>();
  if (!v) {
    ctx.problem = std::string(key) + ": must be true or false";
    return false;
  }
  *out = *v;
  return true;
}

// A key read into a field as is: an unsigned integer up to Max, a string or a bool.
template <auto Field, std::uint64_t Max, std::uint64_t Min = 0>
bool uint_key(const toml::node& n, const char* key, auto& out, Ctx& ctx) {
  return get_uint(n, key, Min, Max, &(out.*Field), ctx);
}
template <auto Field>
std::string show_number(const auto& d) {
  return std::to_string(d.*Field);
}
template <auto Field>
bool string_key(const toml::node& n, const char* key, auto& out, Ctx& ctx) {
  return get_string(n, key, &(out.*Field), ctx);
}
template <auto Field>
std::string show_string(const auto& d) {
  return quoted(d.*Field);
}
template <auto Field>
bool bool_key(const toml::node& n, const char* key, auto& out, Ctx& ctx) {
  return get_bool(n, key, &(out.*Field), ctx);
}
template <auto Field>
std::string show_bool(const auto& d) {
  return d.*Field ? "true" : "false";
}

bool read_durability(const toml::node& n, const char*, ServerConfig& c, Ctx& ctx) {
  std::string v;
  if (!get_string(n, "durability", &v, ctx)) return false;
  for (const auto m :
       {DurabilityMode::kFullSync, DurabilityMode::kNoMetaSync, DurabilityMode::kNoSync}) {
    if (v == to_string(m)) {
      c.durability = m;
      return true;
    }
  }
  ctx.problem = "durability: must be full_sync, no_meta_sync or no_sync";
  return false;
}

bool read_password_hash(const toml::node& n, const char*, ServerConfig& c, Ctx& ctx) {
  std::string v;
  if (!get_string(n, "password_hash", &v, ctx)) return false;
  for (const auto p : {PasswordHashCost::kInteractive, PasswordHashCost::kModerate,
                       PasswordHashCost::kSensitive, PasswordHashCost::kMinimum}) {
    if (v == to_string(p)) {
      c.password_hash = p;
      return true;
    }
  }
  ctx.problem = "password_hash: must be interactive, moderate, sensitive or minimum";
  return false;
}

bool read_fix_store(const toml::node& n, const char*, ServerConfig& c, Ctx& ctx) {
  std::string v;
  if (!get_string(n, "fix_store", &v, ctx)) return false;
  if (v != "file" && v != "memory") {
    ctx.problem = "fix_store: must be file or memory";
    return false;
  }
  c.fix_memory_store = v == "memory";
  return true;
}

bool read_instruments(const toml::node& n, const char*, ServerConfig& c, Ctx& ctx) {
  std::string v;
  if (!get_string(n, "instruments", &v, ctx)) return false;
  c.instruments_path = resolve(ctx.base_dir, v);
  return true;
}

// allocation_tables = ["a.csv", ...]: paths relative to the config file.
bool read_tables(const toml::node& n, const char*, ServerConfig& c, Ctx& ctx) {
  const auto* arr = n.as_array();
  if (arr == nullptr || arr->size() > 64) {
    ctx.problem = "allocation_tables: must be an array of at most 64 file names";
    return false;
  }
  c.allocation_table_paths.clear();
  for (const auto& item : *arr) {
    const auto v = item.value_exact<std::string>();
    if (!v || v->empty()) {
      ctx.problem = "allocation_tables: every entry must be a non-empty string";
      return false;
    }
    c.allocation_table_paths.push_back(resolve(ctx.base_dir, *v));
  }
  return true;
}

// The account kinds that may trade, by their accounts.csv names.
constexpr std::pair<const char*, std::uint32_t> kTradingKinds[] = {
    {"control_emission_firm", 1}, {"investment_institution", 2}, {"individual", 3}};

bool read_trading_kinds(const toml::node& n, const char*, ServerConfig& c, Ctx& ctx) {
  const auto* arr = n.as_array();
  ctx.problem =
      "trading_account_kinds: an array of \"control_emission_firm\", "
      "\"investment_institution\", \"individual\"";
  if (arr == nullptr) return false;
  std::uint32_t mask = 0;
  for (const auto& item : *arr) {
    const auto v = item.value_exact<std::string>();
    const auto* k = std::find_if(std::begin(kTradingKinds), std::end(kTradingKinds),
                                 [&](const auto& p) { return v && *v == p.first; });
    if (k == std::end(kTradingKinds)) return false;
    mask |= 1u << k->second;
  }
  ctx.problem.clear();
  c.trading_account_kinds = mask;
  return true;
}

std::string show_trading_kinds(const ServerConfig& c) {
  std::string out = "[";
  for (const auto& [name, kind] : kTradingKinds) {
    if ((c.trading_account_kinds & (1u << kind)) == 0) continue;
    out += std::string(out.size() > 1 ? ", " : "") + "\"" + name + "\"";
  }
  return out + "]";
}

bool read_console_web_dir(const toml::node& n, const char*, ServerConfig& c, Ctx& ctx) {
  std::string v;
  if (!get_string(n, "console_web_dir", &v, ctx)) return false;
  c.console_web_dir = resolve(ctx.base_dir, v);  // "" stays "": beside the binary
  return true;
}

bool read_clock_start(const toml::node& n, const char*, ServerConfig& c, Ctx& ctx) {
  std::string v;
  if (!get_string(n, "clock_start", &v, ctx)) return false;
  c.clock_start_ns = parse_clock_time(v);
  if (!c.clock_start_ns) {
    ctx.problem =
        "clock_start: must be a time like \"2017-05-08T09:30:00+08:00\" (ISO 8601 with "
        "seconds and Z or +HH:MM, years 2000-2099); \"" +
        v + "\" is not";
    return false;
  }
  return true;
}

std::string show_tables(const ServerConfig& d) {
  std::string out = "[";
  for (std::size_t i = 0; i < d.allocation_table_paths.size(); ++i) {
    out += (i == 0 ? "" : ", ") + quoted(d.allocation_table_paths[i]);
  }
  return out + "]";
}

const KeySpec<ServerConfig> kServerKeys[] = {
    {"data_dir", "string (path)",
     "data directory: LMDB store, FIX session store, gateway DB (created by carbonxd --init; "
     "relative to the configuration file)",
     string_key<&ServerConfig::data_dir>, show_string<&ServerConfig::data_dir>},
    {"fix_bind", "string (address)", "address the FIX acceptor listens on",
     string_key<&ServerConfig::fix_bind>, show_string<&ServerConfig::fix_bind>},
    {"fix_port", "integer 0..65535", "FIX 4.4 acceptor port (0: any free port)",
     uint_key<&ServerConfig::fix_port, 65535>, show_number<&ServerConfig::fix_port>},
    {"operator_port", "integer 0..65535",
     "operator API port (HTTP+JSON, always bound to 127.0.0.1; 0: any free port)",
     uint_key<&ServerConfig::operator_port, 65535>, show_number<&ServerConfig::operator_port>},
    {"fix_tls", "boolean",
     "FIX over TLS (tls_cert, tls_key): every connection to fix_port must be TLS; false: "
     "plaintext TCP",
     bool_key<&ServerConfig::fix_tls>, show_bool<&ServerConfig::fix_tls>},
    {"operator_tls", "boolean",
     "the operator API over TLS (HTTPS, tls_cert, tls_key); cxctl then connects with TLS and "
     "verifies the server against tls_cert (or its --tls-ca)",
     bool_key<&ServerConfig::operator_tls>, show_bool<&ServerConfig::operator_tls>},
    {"console", "boolean",
     "serve the operator console (web pages, live books, market control; users in "
     "<data_dir>/console/users.json, carbonxd --console-add-user)",
     bool_key<&ServerConfig::console>, show_bool<&ServerConfig::console>},
    {"console_bind", "string (address)",
     "address the console listens on (plain HTTP: keep it on loopback or behind a TLS proxy)",
     string_key<&ServerConfig::console_bind>, show_string<&ServerConfig::console_bind>},
    {"console_port", "integer 0..65535", "the console's HTTP port (0: any free port)",
     uint_key<&ServerConfig::console_port, 65535>, show_number<&ServerConfig::console_port>},
    {"console_web_dir", "string (path)",
     "the built web folder the console serves (vite build; relative to this file; empty: "
     "web/ beside carbonxd's bin/ folder)",
     read_console_web_dir, show_string<&ServerConfig::console_web_dir>},
    {"console_max_failed_logins", "integer 1..1000",
     "failed console logins in a row that lock a user out for console_lockout_s",
     uint_key<&ServerConfig::console_max_failed_logins, 1000, 1>,
     show_number<&ServerConfig::console_max_failed_logins>},
    {"console_lockout_s", "integer 1..31536000",
     "how long a locked-out console user is refused, seconds",
     uint_key<&ServerConfig::console_lockout_s, 31536000, 1>,
     show_number<&ServerConfig::console_lockout_s>},
    {"console_session_idle_s", "integer 60..86400",
     "a console session unused this long is ended, seconds",
     uint_key<&ServerConfig::console_session_idle_s, 86400, 60>,
     show_number<&ServerConfig::console_session_idle_s>},
    {"tls_cert", "string (path)",
     "the server's certificate (chain), PEM, for fix_tls and operator_tls (relative to this file)",
     string_key<&ServerConfig::tls_cert_path>,
     [](const ServerConfig&) { return std::string("(none)"); }},
    {"tls_key", "string (path)",
     "the private key of tls_cert, PEM, unencrypted (relative to this file; keep it mode 0600)",
     string_key<&ServerConfig::tls_key_path>,
     [](const ServerConfig&) { return std::string("(none)"); }},
    {"durability", "full_sync | no_meta_sync | no_sync",
     "when a commit is on disk: fsync per group commit; no fsync of the meta page; no fsync "
     "(benchmarks only: a system crash may corrupt the store)",
     read_durability,
     [](const ServerConfig& d) { return quoted(std::string(to_string(d.durability))); }},
    {"password_hash", "interactive | moderate | sensitive | minimum",
     "the cost of a member password's argon2id hash (libsodium's presets: 2 x 64 MiB, 3 x 256 "
     "MiB, 4 x 1 GiB); minimum (1 x 8 KiB) protects nothing: tests that log on often only. An "
     "entry of another cost is rehashed at the member's next logon",
     read_password_hash,
     [](const ServerConfig& d) { return quoted(std::string(to_string(d.password_hash))); }},
    {"store_max_mb", "integer 0..16777216",
     "the most the LMDB store may grow to, MiB (0: 1 TiB); at it, state changes are refused as "
     "\"exchange storage full\" until restarted with more",
     uint_key<&ServerConfig::store_max_mb, 1 << 24>, show_number<&ServerConfig::store_max_mb>},
    {"fix_store", "file | memory",
     "FIX session store: files (resend across restarts) or memory (benchmarks only)",
     read_fix_store,
     [](const ServerConfig& d) { return quoted(d.fix_memory_store ? "memory" : "file"); }},
    {"instruments", "string (path)",
     "exchange configuration: instruments, fees (engine format; relative to this file)",
     read_instruments, [](const ServerConfig&) { return std::string("(none: no instruments)"); }},
    {"max_batch", "integer 1..1048576", "commands per group commit",
     uint_key<&ServerConfig::max_batch, 1 << 20>, show_number<&ServerConfig::max_batch>},
    {"queue_capacity", "integer 1..16777216",
     "commands waiting for the core; beyond it a request is refused as \"system busy\"",
     uint_key<&ServerConfig::queue_capacity, 1 << 24>, show_number<&ServerConfig::queue_capacity>},
    {"throttle_msgs_per_s", "integer 0..16777216",
     "messages per second per FIX session; the excess is rejected",
     uint_key<&ServerConfig::throttle_msgs_per_s, 1 << 24>,
     show_number<&ServerConfig::throttle_msgs_per_s>},
    {"max_sessions", "integer 0..1048576",
     "concurrent FIX connections, logged on or not (lowered at start to what the descriptor "
     "limit allows)",
     uint_key<&ServerConfig::max_sessions, 1 << 20>, show_number<&ServerConfig::max_sessions>},
    {"fix_logon_timeout_ms", "integer 100..600000",
     "a new FIX connection whose Logon has not arrived within this time is closed",
     uint_key<&ServerConfig::fix_logon_timeout_ms, 600000, 100>,
     show_number<&ServerConfig::fix_logon_timeout_ms>},
    {"fix_max_pending_logons", "integer 1..1048576",
     "FIX connections not logged on yet, at most; beyond it the oldest without a Logon is closed "
     "(members' sessions are not counted)",
     uint_key<&ServerConfig::fix_max_pending_logons, 1 << 20, 1>,
     show_number<&ServerConfig::fix_max_pending_logons>},
    {"fix_max_pending_per_address", "integer 1..1048576",
     "FIX connections not logged on yet from one IP address, at most (as above)",
     uint_key<&ServerConfig::fix_max_pending_per_address, 1 << 20, 1>,
     show_number<&ServerConfig::fix_max_pending_per_address>},
    {"cash_settlement_account", "integer 0..4294967294",
     "registry account on the other side of deposits and withdrawals (opened if missing)",
     uint_key<&ServerConfig::cash_settlement_account, 0xfffffffe>,
     show_number<&ServerConfig::cash_settlement_account>},
    {"issuance_account", "integer 0..4294967294", "government issuance account (opened if missing)",
     uint_key<&ServerConfig::issuance_account, 0xfffffffe>,
     show_number<&ServerConfig::issuance_account>},
    {"jurisdictions", "string (path)",
     "compliance rules per jurisdiction (registry/data format; relative to this file)",
     string_key<&ServerConfig::jurisdictions_path>, show_string<&ServerConfig::jurisdictions_path>},
    {"jurisdiction", "string", "the profile of the jurisdictions file this exchange applies",
     string_key<&ServerConfig::jurisdiction>, show_string<&ServerConfig::jurisdiction>},
    {"trading_account_kinds", "array of strings",
     "the account kinds that may trade: control_emission_firm, investment_institution, "
     "individual (all three by default; orders of another kind's account are refused)",
     read_trading_kinds, show_trading_kinds},
    {"allocation_tables", "array of strings (paths, at most 64)",
     "allocation benchmark tables (registry/data format; relative to this file)", read_tables,
     show_tables},
    {"clock_start", "string (ISO 8601 time, e.g. \"2017-05-08T09:30:00+08:00\")",
     "a simulated exchange clock starting at this time (continued across restarts, moved on by "
     "clock.advance); absent: the wall clock",
     read_clock_start, [](const ServerConfig&) { return std::string("(none: the wall clock)"); }},
};

bool read_utc_offset(const toml::node& n, const char*, ScheduleConfig& c, Ctx& ctx) {
  const auto v = n.value_exact<std::int64_t>();
  if (!v || *v < -720 || *v > 840) {
    ctx.problem = "utc_offset_minutes: must be -720..840";
    return false;
  }
  c.utc_offset_minutes = static_cast<std::int32_t>(*v);
  return true;
}

bool read_sessions(const toml::node& n, const char*, ScheduleConfig& c, Ctx& ctx) {
  const auto* arr = n.as_array();
  if (arr == nullptr) {
    ctx.problem =
        "sessions: must be an array of \"HH:MM-HH:MM\" strings, e.g. [\"09:30-11:30\", "
        "\"13:30-15:30\"] (one window is [\"09:30-11:30\"])";
    return false;
  }
  c.windows.clear();
  std::int32_t last_close = -1;
  for (std::size_t i = 0; arr != nullptr && i <= arr->size(); ++i) {
    if (i == arr->size()) return true;
    const auto text = (*arr)[i].value_exact<std::string>();
    const std::size_t dash = text ? text->find('-') : std::string::npos;
    const std::int32_t open = dash == std::string::npos ? -1 : parse_hhmm(text->substr(0, dash));
    const std::int32_t close = dash == std::string::npos ? -1 : parse_hhmm(text->substr(dash + 1));
    if (open < 0 || close <= open || open <= last_close) break;
    c.windows.push_back(TradingWindow{open, close});
    last_close = close;
  }
  ctx.problem = "sessions: each must be \"HH:MM-HH:MM\", in order, not overlapping";
  return false;
}

bool read_end_of_day(const toml::node& n, const char*, ScheduleConfig& c, Ctx& ctx) {
  const auto text = n.value_exact<std::string>();
  if (!text) {
    ctx.problem = "end_of_day: must be a string \"HH:MM\"";
    return false;
  }
  c.end_of_day_minute = parse_hhmm(*text);
  return true;  // checked against the sessions once both are read (parse_schedule)
}

const KeySpec<ScheduleConfig> kScheduleKeys[] = {
    {"utc_offset_minutes", "integer -720..840",
     "the calendar's time zone as minutes east of UTC (480: China Standard Time)", read_utc_offset,
     show_number<&ScheduleConfig::utc_offset_minutes>},
    {"sessions", "array of \"HH:MM-HH:MM\"",
     "continuous trading windows on weekdays, local time, in order, not overlapping", read_sessions,
     [](const ScheduleConfig& d) {
       std::string out = "[";
       for (std::size_t i = 0; i < d.windows.size(); ++i) {
         out += std::string(i == 0 ? "" : ", ") + "\"" + minute_text(d.windows[i].open_minute) +
                "-" + minute_text(d.windows[i].close_minute) + "\"";
       }
       return out + "]";
     }},
    {"end_of_day", "string \"HH:MM\"",
     "the end of the trading day (day orders expire, ClOrdIDs free), after the last session",
     read_end_of_day,
     [](const ScheduleConfig& d) { return quoted(minute_text(d.end_of_day_minute)); }},
    {"enabled", "boolean", "false: only the operator opens and closes the markets",
     bool_key<&ScheduleConfig::enabled>, show_bool<&ScheduleConfig::enabled>},
};

bool read_accounts(const toml::node& n, const char*, MemberSeed& m, Ctx& ctx) {
  const auto* accs = n.as_array();
  ctx.problem = "accounts: must be an array of account ids > 0";
  if (accs == nullptr) return false;
  for (const auto& a : *accs) {
    const auto v = a.value_exact<std::int64_t>();
    if (!v || *v <= 0 || *v > 0xfffffffe) return false;
    m.accounts.push_back(static_cast<std::uint32_t>(*v));
  }
  ctx.problem.clear();
  return true;
}

std::string required(const MemberSeed&) {
  return "(required)";
}

const KeySpec<MemberSeed> kMemberKeys[] = {
    {"id", "integer 1..4294967294", "the member's id", uint_key<&MemberSeed::id, 0xfffffffe>,
     required},
    {"comp_id", "string (1-32 characters)", "the member's FIX SenderCompID",
     string_key<&MemberSeed::comp_id>, required},
    {"username", "string", "the FIX Logon Username(553)", string_key<&MemberSeed::username>,
     required},
    {"password", "string (6+ characters)",
     "the FIX Logon Password(554); stored only as a salted hash (remove it after the first start)",
     string_key<&MemberSeed::password>, required},
    {"cancel_on_disconnect", "boolean", "cancel the member's open orders when its session drops",
     bool_key<&MemberSeed::cancel_on_disconnect>, show_bool<&MemberSeed::cancel_on_disconnect>},
    {"accounts", "array of integers",
     "accounts granted to this member (journaled) when it is seeded", read_accounts,
     [](const MemberSeed&) { return std::string("[]"); }},
};

bool read_endpoints(const toml::node& n, const char*, ReplicaConfig& r, Ctx& ctx) {
  const auto* list = n.as_array();
  ctx.problem = "endpoints: must be an array of \"address:port\" strings (numeric addresses)";
  if (list == nullptr || list->empty()) return false;
  r.endpoints.clear();
  for (const auto& item : *list) {
    const auto text = item.value_exact<std::string>();
    if (!text) return false;
    const auto colon = text->rfind(':');
    if (colon == std::string::npos || colon == 0) return false;
    std::string address = text->substr(0, colon);
    if (address.size() > 2 && address.front() == '[' && address.back() == ']') {
      address = address.substr(1, address.size() - 2);  // [::1]:2379
    }
    boost::system::error_code ec;
    boost::asio::ip::make_address(address, ec);
    const std::string port_text = text->substr(colon + 1);
    std::uint32_t port = 0;
    const auto [end, perr] =
        std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec || perr != std::errc{} || end != port_text.data() + port_text.size() || port == 0 ||
        port > 65535) {
      ctx.problem = "endpoints: \"" + *text +
                    "\" is not a numeric address:port (e.g. \"127.0.0.1:2379\"; the etcd "
                    "client resolves no names)";
      return false;
    }
    r.endpoints.push_back(EtcdEndpoint{address, static_cast<std::uint16_t>(port)});
  }
  ctx.problem.clear();
  return true;
}

bool read_replica_name(const toml::node& n, const char*, ReplicaConfig& r, Ctx& ctx) {
  if (!get_string(n, "name", &r.name, ctx)) return false;
  const bool ok =
      !r.name.empty() && r.name.size() <= 64 &&
      std::all_of(r.name.begin(), r.name.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
      });
  if (!ok) ctx.problem = "name: must be 1-64 characters of A-Z a-z 0-9 _ - .";
  return ok;
}

bool read_prefix(const toml::node& n, const char*, ReplicaConfig& r, Ctx& ctx) {
  if (!get_string(n, "prefix", &r.prefix, ctx)) return false;
  const bool ok = r.prefix.size() >= 2 && r.prefix.size() <= 200 && r.prefix.front() == '/' &&
                  r.prefix.back() == '/';
  if (!ok) ctx.problem = "prefix: must start and end with '/' (e.g. \"/carbonx/gz/\")";
  return ok;
}

// [replica]: every default is "when the table is given" (the table's absence is the default:
// one process), hence the parentheses: a file of every listed default has no [replica].
const KeySpec<ReplicaConfig> kReplicaKeys[] = {
    {"endpoints", "array of \"address:port\"",
     "the etcd cluster's client URLs, numeric (e.g. [\"127.0.0.1:2379\", \"127.0.0.1:2381\"]); "
     "a call goes to the next when one is unreachable",
     read_endpoints, [](const ReplicaConfig&) { return std::string("(required)"); }},
    {"name", "string (1-64 of A-Z a-z 0-9 _ - .)",
     "this replica's name: the election key's value when it leads, its applied seq's key",
     read_replica_name, [](const ReplicaConfig&) { return std::string("(required)"); }},
    {"prefix", "string (\"/.../\")", "the exchange's keys in etcd (one exchange per prefix)",
     read_prefix, [](const ReplicaConfig& d) { return "(" + quoted(d.prefix) + ")"; }},
    {"lease_ttl_s", "integer 1..60",
     "the leader's lease: a primary that has not renewed it for this long is deposed",
     uint_key<&ReplicaConfig::lease_ttl_s, 60, 1>,
     [](const ReplicaConfig& d) { return "(" + std::to_string(d.lease_ttl_s) + ")"; }},
    {"etcd_timeout_ms", "integer 100..60000",
     "one etcd call, from connect to the answer's last byte; an append past it is ambiguous "
     "(resolved by reading the log)",
     uint_key<&ReplicaConfig::etcd_timeout_ms, 60000, 100>,
     [](const ReplicaConfig& d) { return "(" + std::to_string(d.etcd_timeout_ms) + ")"; }},
};

// Reads every key of `t` through `keys`; an unknown key is refused.
template <typename T, std::size_t N>
bool read_keys(const toml::table& t, const KeySpec<T> (&keys)[N], T& out, Ctx& ctx) {
  for (const auto& [name, node] : t) {
    const KeySpec<T>* spec = nullptr;
    for (const KeySpec<T>& k : keys) {
      if (name.str() == k.name) spec = &k;
    }
    if (spec == nullptr && name.str() == "operator_token") {
      ctx.problem =
          "operator_token: no longer a configuration key: the operator API's token is made with "
          "the exchange in <data_dir>/operator.token (mode 0600), where cxctl reads it; "
          "`cxctl token rotate` replaces it";
      return false;
    }
    if (spec == nullptr) {
      ctx.problem = std::string(name.str()) + ": unknown key (carbonxd --help-config lists them)";
      return false;
    }
    if (!spec->read(node, spec->name, out, ctx)) return false;
  }
  return true;
}

bool parse_server(const toml::table& s, ServerConfig* c, Ctx& ctx) {
  if (!read_keys(s, kServerKeys, *c, ctx)) return false;
  c->tls_cert_path = resolve(ctx.base_dir, c->tls_cert_path);
  c->tls_key_path = resolve(ctx.base_dir, c->tls_key_path);
  if ((c->fix_tls || c->operator_tls) && (c->tls_cert_path.empty() || c->tls_key_path.empty())) {
    ctx.problem = std::string(c->fix_tls ? "fix_tls" : "operator_tls") +
                  ": TLS needs tls_cert and tls_key (PEM files; docs/tls.md makes them)";
    return false;
  }
  if (c->max_batch == 0 || c->queue_capacity == 0) {
    ctx.problem = "max_batch and queue_capacity must be > 0";
    return false;
  }
  return true;
}

bool parse_schedule(const toml::table& s, ScheduleConfig* c, Ctx& ctx) {
  if (!read_keys(s, kScheduleKeys, *c, ctx)) return false;
  if (c->end_of_day_minute < 0 ||
      (!c->windows.empty() && c->end_of_day_minute < c->windows.back().close_minute)) {
    ctx.problem = "end_of_day: must be \"HH:MM\" after the last session closes";
    return false;
  }
  return true;
}

bool parse_member(const toml::table& m, MemberSeed* out, Ctx& ctx) {
  if (!read_keys(m, kMemberKeys, *out, ctx)) return false;
  if (out->id == 0 || out->comp_id.empty() || out->comp_id.size() > 32 || out->username.empty() ||
      out->password.size() < 6) {
    ctx.problem = "needs id > 0, comp_id (1-32 chars), username and a password of 6+ characters";
    return false;
  }
  return true;
}

bool parse_replica(const toml::table& t, ReplicaConfig* r, Ctx& ctx) {
  if (!read_keys(t, kReplicaKeys, *r, ctx)) return false;
  if (r->endpoints.empty()) {
    ctx.problem = "endpoints: required (the etcd members' \"address:port\")";
    return false;
  }
  if (r->name.empty()) {
    ctx.problem = "name: required (this replica's name, different on each replica)";
    return false;
  }
  return true;
}

template <typename T, std::size_t N>
void list_keys(const char* section, const KeySpec<T> (&keys)[N], const T& defaults,
               std::vector<ConfigKeyInfo>& out) {
  for (const KeySpec<T>& k : keys) {
    out.push_back(ConfigKeyInfo{section, k.name, k.type, k.show(defaults), k.meaning});
  }
}

}  // namespace

std::string_view to_string(DurabilityMode m) noexcept {
  switch (m) {
    case DurabilityMode::kFullSync:
      return "full_sync";
    case DurabilityMode::kNoMetaSync:
      return "no_meta_sync";
    case DurabilityMode::kNoSync:
      return "no_sync";
  }
  return "unknown";
}

std::string_view to_string(PasswordHashCost c) noexcept {
  switch (c) {
    case PasswordHashCost::kInteractive:
      return "interactive";
    case PasswordHashCost::kModerate:
      return "moderate";
    case PasswordHashCost::kSensitive:
      return "sensitive";
    case PasswordHashCost::kMinimum:
      return "minimum";
  }
  return "unknown";
}

std::int32_t parse_hhmm(std::string_view t) noexcept {
  if (t.size() != 5 || t[2] != ':') return -1;
  for (std::size_t i : {0u, 1u, 3u, 4u}) {
    if (t[i] < '0' || t[i] > '9') return -1;
  }
  const int h = (t[0] - '0') * 10 + (t[1] - '0');
  const int m = (t[3] - '0') * 10 + (t[4] - '0');
  if (h > 23 || m > 59) return -1;
  return h * 60 + m;
}

Result<ServerConfig, ConfigLoadError> parse_server_config(std::string_view toml_text,
                                                          const std::string& base_dir) {
  toml::table root;
  try {
    root = toml::parse(toml_text);
  } catch (const toml::parse_error& e) {
    return error(std::string("configuration is not valid TOML: ") + std::string(e.description()));
  }
  ServerConfig c;
  Ctx ctx{base_dir, ""};
  for (const auto& [name, node] : root) {
    const std::string section(name.str());
    if (section == "server" && node.is_table()) {
      if (!parse_server(*node.as_table(), &c, ctx)) return error("server." + ctx.problem);
    } else if (section == "schedule" && node.is_table()) {
      if (!parse_schedule(*node.as_table(), &c.schedule, ctx)) {
        return error("schedule." + ctx.problem);
      }
    } else if (section == "member" && node.is_array()) {
      for (const auto& item : *node.as_array()) {
        MemberSeed m;
        if (!item.is_table()) return error("member: must be a [[member]] table");
        if (!parse_member(*item.as_table(), &m, ctx)) return error("member " + ctx.problem);
        c.members.push_back(std::move(m));
      }
    } else if (section == "replica" && node.is_table()) {
      ReplicaConfig r;
      if (!parse_replica(*node.as_table(), &r, ctx)) return error("replica." + ctx.problem);
      c.replica = std::move(r);
    } else if (section == "server" || section == "schedule" || section == "replica") {
      return error(section + ": must be a table ([" + section + "]), not a " +
                   std::string(type_name(node.type())));
    } else if (section == "member") {
      return error("member: must be an array of tables ([[member]] per member), not a " +
                   std::string(type_name(node.type())));
    } else {
      return error(section +
                   ": unknown section (expected [server], [schedule], [[member]] and [replica]; "
                   "carbonxd --help-config lists every key)");
    }
  }
  c.data_dir = resolve(base_dir, c.data_dir);
  c.jurisdictions_path = resolve(base_dir, c.jurisdictions_path);
  return c;
}

std::vector<ConfigKeyInfo> config_keys() {
  std::vector<ConfigKeyInfo> out;
  list_keys("server", kServerKeys, ServerConfig{}, out);
  list_keys("schedule", kScheduleKeys, ScheduleConfig{}, out);
  MemberSeed member;
  list_keys("member", kMemberKeys, member, out);
  list_keys("replica", kReplicaKeys, ReplicaConfig{}, out);
  return out;
}

std::string config_keys_help() {
  std::string out =
      "carbonxd configuration (TOML, --config FILE): every key is optional unless marked "
      "(required);\nrelative paths are relative to the configuration file.\n";
  std::string section;
  for (const ConfigKeyInfo& k : config_keys()) {
    if (k.section != section) {
      section = k.section;
      out += section == "member" ? "\n[[member]]   (one per member; seeded into the gateway DB at "
                                   "first start)\n"
             : section == "replica"
                 ? "\n[replica]   (optional: a replica of a hot standby pair on etcd; "
                   "absent: one process)\n"
                 : "\n[" + section + "]\n";
    }
    out += "  " + k.name + " = " + k.default_value + "\n      " + k.type + ": " + k.meaning + "\n";
  }
  return out;
}

Result<ServerConfig, ConfigLoadError> load_server_config(const std::string& path) {
  if (path.empty()) return parse_server_config("", std::filesystem::current_path().string());
  std::ifstream in(path);
  if (!in) return error("cannot read configuration file " + path);
  std::stringstream text;
  text << in.rdbuf();
  const auto base = std::filesystem::absolute(path).parent_path().string();
  return parse_server_config(text.str(), base);
}

}  // namespace carbonx::gateway
