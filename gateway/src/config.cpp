#include "carbonx/gateway/config.hpp"

#include "carbonx/gateway/clock.hpp"

#include <toml++/toml.h>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace carbonx::gateway {
namespace {

using Error = Err<ConfigLoadError>;

Error error(std::string text) {
  return Error{ConfigLoadError{std::move(text)}};
}

template <typename T>
bool read_uint(const toml::table& t, const char* key, T max, T* out, std::string* problem) {
  const toml::node* n = t.get(key);
  if (n == nullptr) return true;
  const auto v = n->value<std::int64_t>();
  if (!v || *v < 0 || static_cast<std::uint64_t>(*v) > max) {
    *problem = std::string(key) + ": must be an integer from 0 to " + std::to_string(max);
    return false;
  }
  *out = static_cast<T>(*v);
  return true;
}

bool read_string(const toml::table& t, const char* key, std::string* out, std::string* problem) {
  const toml::node* n = t.get(key);
  if (n == nullptr) return true;
  const auto v = n->value<std::string>();
  if (!v) {
    *problem = std::string(key) + ": must be a string";
    return false;
  }
  *out = *v;
  return true;
}

std::string resolve(const std::string& base_dir, const std::string& path) {
  if (path.empty()) return path;
  const std::filesystem::path p(path);
  return p.is_absolute() ? p.string() : (base_dir / p).lexically_normal().string();
}

// allocation_tables = ["a.csv", ...]: paths relative to the config file.
bool read_tables(const toml::table& s, const std::string& base_dir, ServerConfig* c,
                 std::string* p) {
  const toml::node* n = s.get("allocation_tables");
  if (n == nullptr) return true;
  const auto* arr = n->as_array();
  if (arr == nullptr || arr->size() > 64) {
    *p = "allocation_tables: must be an array of at most 64 file names";
    return false;
  }
  c->allocation_table_paths.clear();
  for (const auto& item : *arr) {
    const auto v = item.value<std::string>();
    if (!v || v->empty()) {
      *p = "allocation_tables: every entry must be a non-empty string";
      return false;
    }
    c->allocation_table_paths.push_back(resolve(base_dir, *v));
  }
  return true;
}

bool parse_server(const toml::table& s, const std::string& base_dir, ServerConfig* c,
                  std::string* p) {
  std::string durability = "full_sync";
  std::string fix_store = "file";
  std::string instruments;
  std::string clock_start;
  if (!read_string(s, "data_dir", &c->data_dir, p) ||
      !read_string(s, "fix_bind", &c->fix_bind, p) ||
      !read_uint<std::uint16_t>(s, "fix_port", 65535, &c->fix_port, p) ||
      !read_uint<std::uint16_t>(s, "operator_port", 65535, &c->operator_port, p) ||
      !read_string(s, "operator_token", &c->operator_token, p) ||
      !read_string(s, "durability", &durability, p) ||
      !read_string(s, "fix_store", &fix_store, p) ||
      !read_string(s, "instruments", &instruments, p) ||
      !read_uint<std::uint32_t>(s, "max_batch", 1 << 20, &c->max_batch, p) ||
      !read_uint<std::uint32_t>(s, "queue_capacity", 1 << 24, &c->queue_capacity, p) ||
      !read_uint<std::uint32_t>(s, "throttle_msgs_per_s", 1 << 24, &c->throttle_msgs_per_s, p) ||
      !read_uint<std::uint32_t>(s, "max_sessions", 1 << 20, &c->max_sessions, p) ||
      !read_uint<std::uint32_t>(s, "cash_settlement_account", 0xfffffffe,
                                &c->cash_settlement_account, p) ||
      !read_uint<std::uint32_t>(s, "issuance_account", 0xfffffffe, &c->issuance_account, p) ||
      !read_string(s, "jurisdictions", &c->jurisdictions_path, p) ||
      !read_string(s, "jurisdiction", &c->jurisdiction, p) || !read_tables(s, base_dir, c, p) ||
      !read_string(s, "clock_start", &clock_start, p)) {
    return false;
  }
  if (s.get("clock_start") != nullptr) {
    c->clock_start_ns = parse_clock_time(clock_start);
    if (!c->clock_start_ns) {
      *p = "clock_start: must be a time like \"2017-05-08T09:30:00+08:00\" (ISO 8601 with "
           "seconds and Z or +HH:MM, years 2000-2099); \"" +
           clock_start + "\" is not";
      return false;
    }
  }
  if (durability == "full_sync") {
    c->durability = DurabilityMode::kFullSync;
  } else if (durability == "no_meta_sync") {
    c->durability = DurabilityMode::kNoMetaSync;
  } else if (durability == "no_sync") {
    c->durability = DurabilityMode::kNoSync;
  } else {
    *p = "durability: must be full_sync, no_meta_sync or no_sync";
    return false;
  }
  if (fix_store != "file" && fix_store != "memory") {
    *p = "fix_store: must be file or memory";
    return false;
  }
  c->fix_memory_store = fix_store == "memory";
  if (c->max_batch == 0 || c->queue_capacity == 0 || c->operator_token.size() < 8) {
    *p = "max_batch and queue_capacity must be > 0 and operator_token at least 8 characters";
    return false;
  }
  if (!instruments.empty()) {
    std::filesystem::path ip(instruments);
    c->instruments_path =
        ip.is_absolute() ? ip.string() : (base_dir / ip).lexically_normal().string();
  }
  c->jurisdictions_path = resolve(base_dir, c->jurisdictions_path);
  std::filesystem::path dp(c->data_dir);
  if (!dp.is_absolute()) c->data_dir = (base_dir / dp).lexically_normal().string();
  return true;
}

bool parse_schedule(const toml::table& s, ScheduleConfig* c, std::string* p) {
  if (const auto* off = s.get("utc_offset_minutes")) {
    const auto v = off->value<std::int64_t>();
    if (!v || *v < -720 || *v > 840) {
      *p = "schedule.utc_offset_minutes: must be -720..840";
      return false;
    }
    c->utc_offset_minutes = static_cast<std::int32_t>(*v);
  }
  if (const auto* arr = s.get_as<toml::array>("sessions")) {
    c->windows.clear();
    std::int32_t last_close = -1;
    for (const auto& item : *arr) {
      const auto text = item.value<std::string>();
      const std::size_t dash = text ? text->find('-') : std::string::npos;
      const std::int32_t open = dash == std::string::npos ? -1 : parse_hhmm(text->substr(0, dash));
      const std::int32_t close =
          dash == std::string::npos ? -1 : parse_hhmm(text->substr(dash + 1));
      if (open < 0 || close <= open || open <= last_close) {
        *p = "schedule.sessions: each must be \"HH:MM-HH:MM\", in order, not overlapping";
        return false;
      }
      c->windows.push_back(TradingWindow{open, close});
      last_close = close;
    }
  }
  if (const auto* eod = s.get("end_of_day")) {
    const auto text = eod->value<std::string>();
    c->end_of_day_minute = text ? parse_hhmm(*text) : -1;
    if (c->end_of_day_minute < 0 ||
        (!c->windows.empty() && c->end_of_day_minute < c->windows.back().close_minute)) {
      *p = "schedule.end_of_day: must be \"HH:MM\" after the last session closes";
      return false;
    }
  }
  if (const auto* en = s.get("enabled")) c->enabled = en->value<bool>().value_or(true);
  return true;
}

bool parse_member(const toml::table& m, MemberSeed* out, std::string* p) {
  if (!read_uint<std::uint32_t>(m, "id", 0xfffffffe, &out->id, p) ||
      !read_string(m, "comp_id", &out->comp_id, p) ||
      !read_string(m, "username", &out->username, p) ||
      !read_string(m, "password", &out->password, p)) {
    return false;
  }
  if (out->id == 0 || out->comp_id.empty() || out->comp_id.size() > 32 || out->username.empty() ||
      out->password.size() < 6) {
    *p = "member: needs id > 0, comp_id (1-32 chars), username and a password of 6+ characters";
    return false;
  }
  out->cancel_on_disconnect = m["cancel_on_disconnect"].value_or(true);
  if (const auto* accs = m.get_as<toml::array>("accounts")) {
    for (const auto& a : *accs) {
      const auto v = a.value<std::int64_t>();
      if (!v || *v <= 0 || *v > 0xfffffffe) {
        *p = "member " + out->comp_id + ": accounts: must be account ids > 0";
        return false;
      }
      out->accounts.push_back(static_cast<std::uint32_t>(*v));
    }
  }
  return true;
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
  std::string problem;
  if (const auto* s = root.get_as<toml::table>("server")) {
    if (!parse_server(*s, base_dir, &c, &problem)) return error("server." + problem);
  } else {
    c.data_dir = (std::filesystem::path(base_dir) / c.data_dir).lexically_normal().string();
  }
  if (const auto* s = root.get_as<toml::table>("schedule")) {
    if (!parse_schedule(*s, &c.schedule, &problem)) return error(problem);
  }
  if (const auto* members = root.get_as<toml::array>("member")) {
    for (const auto& node : *members) {
      const auto* t = node.as_table();
      MemberSeed m;
      if (t == nullptr || !parse_member(*t, &m, &problem)) return error(problem);
      c.members.push_back(std::move(m));
    }
  }
  return c;
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
