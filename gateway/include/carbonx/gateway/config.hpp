#pragma once
// carbonxd's configuration: one TOML file, every key optional (the defaults run `make run`).
// `carbonxd --help-config` lists every key with its type, default and meaning (config_keys()).
//
//   [server]
//   data_dir = "data"                 # LMDB store, FIX session store, gateway DB; created by
//                                     # carbonxd --init (exchange_dir.hpp), never by a start
//   fix_bind = "0.0.0.0"
//   fix_port = 9878
//   operator_port = 9879              # the operator API, always bound to 127.0.0.1
//                                     # its bearer token: <data_dir>/operator.token, made at
//                                     # --init (operator_token.hpp), never configured
//   fix_tls = false                   # FIX over TLS (tls.hpp, docs/tls.md)
//   operator_tls = false              # the operator API over TLS (cxctl verifies tls_cert)
//   console = false                   # the operator console (gateway/src/console, web/)
//   console_bind = "127.0.0.1"        # its HTTP listener (plain HTTP: keep it on loopback)
//   console_port = 9880
//   console_web_dir = ""              # the built web folder ("": web/ beside carbonxd's bin/)
//   console_max_failed_logins = 5     # failures in a row that lock a console user out ...
//   console_lockout_s = 900           # ... for this long
//   console_session_idle_s = 1800     # an unused console session ends
//   tls_cert = "tls/server.crt"       # PEM certificate (chain) for both, relative to this file
//   tls_key = "tls/server.key"        # its PEM private key (mode 0600)
//   durability = "full_sync"          # full_sync | no_meta_sync | no_sync (see registry Store)
//   fix_store = "file"                # file (resend across restarts) | memory (benchmarks)
//   password_hash = "interactive"     # members' argon2id cost: interactive | moderate |
//                                     # sensitive | minimum (tests only: no protection)
//   store_max_mb = 0                  # the LMDB store's largest size, MiB (0: 1 TiB): beyond
//                                     # it state changes are refused ("exchange storage full")
//   instruments = "instruments.toml"  # exchange config (engine format), relative to this file
//   max_batch = 4096                  # commands per group commit
//   queue_capacity = 65536            # commands waiting for the core; beyond: "system busy"
//   throttle_msgs_per_s = 2000        # per FIX session; the excess is rejected
//   max_sessions = 4096               # concurrent FIX connections (pending and logged on)
//   fix_logon_timeout_ms = 5000       # a connection without a Logon by then is closed
//   fix_max_pending_logons = 256      # connections not logged on yet (members not counted)
//   fix_max_pending_per_address = 16  # of those, from one IP address
//   cash_settlement_account = 9001    # counterpart of deposits/withdrawals (created if missing)
//   issuance_account = 9002           # government issuance account (created if missing)
//   jurisdictions = "jurisdictions.csv"   # registry compliance rules (registry/data format),
//                                     # relative to this file (default: the source tree's)
//   jurisdiction = "guangdong"        # the profile of that file this exchange applies
//   allocation_tables = ["benchmarks.csv"]  # allocation tables (registry/data format)
//   clock_start = "2017-05-08T09:30:00+08:00"   # simulated exchange clock (clock.hpp): time =
//                                     # clock_start + monotonic time since startup, continued
//                                     # across restarts, moved on by the operator's
//                                     # clock.advance; absent (default): the wall clock.
//                                     # ISO 8601 with seconds and Z or +HH:MM, years 2000-2099
//
//   [schedule]                        # the trading calendar (China Standard Time by default)
//   utc_offset_minutes = 480
//   sessions = ["09:30-11:30", "13:30-15:30"]
//   end_of_day = "15:45"
//   enabled = true                    # false: only the operator opens and closes markets
//
//   [[member]]                        # seeded into the gateway DB at first start
//   id = 1
//   comp_id = "MEMBER1"               # the member's SenderCompID
//   username = "member1"
//   password = "..."                  # stored only as a salted hash; remove after first start
//   cancel_on_disconnect = true
//   accounts = [1001, 1002]           # accounts granted to it when it is seeded (journaled
//                                     # authority.grant; later: cxctl authority grant/revoke)
//
//   [replica]                         # optional: a hot standby pair on etcd (replication.hpp,
//                                     # gateway/replica/README.md); absent: one process, as ever
//   endpoints = ["127.0.0.1:2379"]    # etcd members' client URLs as numeric address:port
//   name = "a"                        # this replica's name (1-64 of [A-Za-z0-9_.-])
//   prefix = "/carbonx/gz/"           # the exchange's keys in etcd (starts and ends with '/')
//   lease_ttl_s = 5                   # the leader's lease; the primary renews it every TTL/3
//   etcd_timeout_ms = 2000            # one etcd call, connect to last byte

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "carbonx/engine/result.hpp"

namespace carbonx::gateway {

#ifdef CARBONX_REGISTRY_DATA_DIR
inline constexpr const char* kRegistryDataDir = CARBONX_REGISTRY_DATA_DIR;
#else
inline constexpr const char* kRegistryDataDir = "registry/data";
#endif

enum class DurabilityMode : std::uint8_t { kFullSync = 1, kNoMetaSync, kNoSync };
std::string_view to_string(DurabilityMode m) noexcept;

// The cost of a member password's argon2id hash (members.hpp): libsodium's presets. interactive
// (the default: 2 passes over 64 MiB, for a logon), moderate (3 x 256 MiB), sensitive
// (4 x 1 GiB); minimum (1 pass over 8 KiB) protects nothing and is for tests that log on often.
enum class PasswordHashCost : std::uint8_t { kInteractive = 1, kModerate, kSensitive, kMinimum };
std::string_view to_string(PasswordHashCost c) noexcept;

struct TradingWindow {
  std::int32_t open_minute = 0;   // minutes after local midnight
  std::int32_t close_minute = 0;  // > open_minute
};

struct ScheduleConfig {
  std::int32_t utc_offset_minutes = 480;
  std::vector<TradingWindow> windows{{9 * 60 + 30, 11 * 60 + 30}, {13 * 60 + 30, 15 * 60 + 30}};
  std::int32_t end_of_day_minute = 15 * 60 + 45;
  bool enabled = true;
};

struct MemberSeed {
  std::uint32_t id = 0;
  std::string comp_id;
  std::string username;
  std::string password;
  bool cancel_on_disconnect = true;
  std::vector<std::uint32_t> accounts;  // granted (journaled) at the start that seeds the member
};

// One etcd member's client URL (numeric: the etcd client does no name resolution).
struct EtcdEndpoint {
  std::string address;  // IPv4 or IPv6, numeric
  std::uint16_t port = 0;
};

// [replica]: this carbonxd is one replica of an exchange whose command log is on etcd.
struct ReplicaConfig {
  std::vector<EtcdEndpoint> endpoints;  // at least one
  std::string name;                     // this replica's name (the election key's value)
  std::string prefix = "/carbonx/";     // the exchange's keys
  std::uint32_t lease_ttl_s = 5;
  std::uint32_t etcd_timeout_ms = 2000;
  // Not a key: `carbonxd --standby` (follow the log, never campaign).
  bool standby_only = false;
};

struct ServerConfig {
  std::string data_dir = "data";
  std::string fix_bind = "0.0.0.0";
  std::uint16_t fix_port = 9878;
  std::uint16_t operator_port = 9879;
  bool fix_tls = false;       // FIX connections over TLS
  bool operator_tls = false;  // the operator API over TLS
  // The operator console (gateway/console, docs/design.md "Operator console"): HTTP on
  // console_bind:console_port serving console_web_dir and the console's API.
  bool console = false;
  std::string console_bind = "127.0.0.1";
  std::uint16_t console_port = 9880;
  std::string console_web_dir;  // absolute after load_config; empty: <carbonxd's dir>/../web
  std::uint32_t console_max_failed_logins = 5;
  std::uint32_t console_lockout_s = 900;
  std::uint32_t console_session_idle_s = 1800;
  std::string tls_cert_path;  // PEM (absolute after load_config); required by either TLS key
  std::string tls_key_path;
  DurabilityMode durability = DurabilityMode::kFullSync;
  PasswordHashCost password_hash = PasswordHashCost::kInteractive;
  bool fix_memory_store = false;
  std::uint32_t store_max_mb = 0;  // 0: StoreOptions' default (1 TiB)
  // Not a configuration key: `carbonxd --read-only` (inspection of a store that failed its
  // checks at start; nothing is written, every state change is refused).
  bool read_only = false;
  std::string instruments_path;  // absolute after load_config (empty: none)
  std::uint32_t max_batch = 4096;
  std::uint32_t queue_capacity = 65536;
  std::uint32_t throttle_msgs_per_s = 2000;
  std::uint32_t max_sessions = 4096;
  std::uint32_t fix_logon_timeout_ms = 5000;
  std::uint32_t fix_max_pending_logons = 256;
  std::uint32_t fix_max_pending_per_address = 16;
  std::uint32_t cash_settlement_account = 9001;
  std::uint32_t issuance_account = 9002;
  // Registry rules; defaults: the source tree's registry/data (absolute after load_config).
  std::string jurisdictions_path = kRegistryDataDir + std::string("/jurisdictions.csv");
  std::string jurisdiction = "guangdong";
  // Which kinds of account may trade (orders, agreement reports and acceptances, auction bids):
  // bit k set for registry::AccountKind k. [server] trading_account_kinds = ["control_emission_
  // firm", "investment_institution", "individual"] (the default: all three); the national market
  // leaves individuals out. Cancels are always allowed.
  std::uint32_t trading_account_kinds = (1u << 1) | (1u << 2) | (1u << 3);
  std::vector<std::string> allocation_table_paths{
      kRegistryDataDir + std::string("/benchmarks_national_2017_draft.csv"),
      kRegistryDataDir + std::string("/benchmarks_national_2019_2020.csv")};
  // [server] clock_start as UTC ns; nullopt: the wall clock (clock.hpp).
  std::optional<std::int64_t> clock_start_ns;
  ScheduleConfig schedule;
  std::vector<MemberSeed> members;
  std::optional<ReplicaConfig> replica;  // [replica]; nullopt: a single process
};

struct ConfigLoadError {
  std::string message;  // names the key and what is wrong
};

// One configuration key, as `carbonxd --help-config` lists it. Generated from the table the parser
// reads the keys with (config.cpp), so the listing and the parser cannot differ.
struct ConfigKeyInfo {
  std::string section;        // "server", "schedule", "member" ([[member]]) or "replica"
  std::string name;           // "fix_port"
  std::string type;           // "integer 0..65535", "full_sync | no_meta_sync | no_sync", ...
  std::string default_value;  // as TOML would write it, or "(required)" / "(none: ...)"
  std::string meaning;
};
// Every key of every section, in the parser's order.
std::vector<ConfigKeyInfo> config_keys();
// The text of `carbonxd --help-config`: config_keys() by section.
std::string config_keys_help();

// Parses TOML text; `base_dir` resolves relative paths. Errors name the key. An unknown section
// or key is refused (a misspelt key would otherwise silently keep its default).
Result<ServerConfig, ConfigLoadError> parse_server_config(std::string_view toml_text,
                                                          const std::string& base_dir);
// Reads and parses a file ("" -> all defaults).
Result<ServerConfig, ConfigLoadError> load_server_config(const std::string& path);

// "09:30" -> 570; -1 if malformed.
std::int32_t parse_hhmm(std::string_view text) noexcept;

}  // namespace carbonx::gateway
