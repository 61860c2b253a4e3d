// carbonxd: the exchange server (FIX 4.4 acceptor, sequencer, operator API, calendar).
// Usage: carbonxd [--config FILE] [--init | --read-only | --standby] | --check-config | --help |
// --help-config.
// See gateway/README.md.
// Exit codes: 0 clean stop (SIGTERM/SIGINT) or help; 1 the configuration or the start failed;
// 2 a bad command line.
#include <sys/resource.h>

#include <CLI/CLI.hpp>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <string>

#include "carbonx/gateway/console/auth.hpp"
#include "carbonx/gateway/console/console_server.hpp"
#include "carbonx/gateway/console/users.hpp"
#include "carbonx/gateway/exchange_dir.hpp"
#include "carbonx/gateway/operator_token.hpp"
#include "carbonx/gateway/server.hpp"

namespace {

// >= 2,000 FIX sessions need descriptors beyond the usual soft limit of 1,024.
void raise_fd_limit() {
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < lim.rlim_max) {
    lim.rlim_cur = lim.rlim_max;
    setrlimit(RLIMIT_NOFILE, &lim);
  }
}

struct Options {
  std::string config_path;
  bool help_config = false;
  bool check_config = false;
  bool init = false;
  bool read_only = false;
  bool standby = false;
  // The console's users (gateway/src/console/README.md).
  std::string add_user;
  std::string role;
  std::uint32_t firm = 0;
  std::string password;
  bool replace = false;
  std::string code_of;
};

// 0: run; otherwise the process's exit code (help printed, or a bad command line explained).
int parse_command_line(int argc, char** argv, Options* o) {
  CLI::App app{
      "carbonxd: the carbonx exchange server. Members trade over FIX 4.4, operators use the "
      "operator API (HTTP+JSON on 127.0.0.1, see cxctl), timers run the trading calendar; every "
      "state change is committed to the LMDB store under the data directory before it is "
      "acknowledged. Runs until SIGTERM or SIGINT (drains, commits, logs sessions out, exits 0).",
      "carbonxd"};
  app.add_option("-c,--config", o->config_path,
                 "the TOML configuration file (default: none, every key at its default; "
                 "gateway/config/carbonxd.toml is the sample). Relative paths in it are relative "
                 "to the file")
      ->check(CLI::ExistingFile);
  app.add_flag("--help-config", o->help_config,
               "list every configuration key with its type, default and meaning, then exit");
  app.add_flag("--check-config", o->check_config,
               "read and check the configuration (--config), print the effective data "
               "directory, ports and durability, then exit: 0 if valid, 1 if not");
  auto* init = app.add_flag(
      "--init", o->init,
      "create a new exchange in the configuration's data directory, which must hold none yet (its "
      "store, with a new exchange identity, and exchange.id), then exit: 0 if created, 1 if not. "
      "A start never creates an exchange: it serves the one --init created");
  app.add_flag("--read-only", o->read_only,
               "serve the operator API's queries only, for inspecting a store that failed its "
               "start checks (journal tail, ledger invariants): every state change is refused, "
               "FIX is not served, the calendar does not run, nothing is written")
      ->excludes(init);
  app.add_flag("--standby", o->standby,
               "with [replica] in the configuration: follow the replicated log as a hot standby "
               "and never campaign (without the flag a replica campaigns at start and stands by "
               "only when another one leads or the log is ahead of its store)")
      ->excludes(init);
  auto* add_user = app.add_option(
      "--console-add-user", o->add_user,
      "add a user of the operator console to <data_dir>/console/users.json (with --role, "
      "--firm for a firm officer, --password or a generated one) and print its password and "
      "new TOTP secret, then exit. Add users while carbonxd is stopped");
  app.add_option("--role", o->role,
                 "the new user's role: operator, approver, firm_officer, "
                 "read_only")
      ->needs(add_user);
  app.add_option("--firm", o->firm, "a firm officer's firm (its registry account)")
      ->needs(add_user);
  app.add_option("--password", o->password, "the new user's password (8+ characters)")
      ->needs(add_user);
  app.add_flag("--replace", o->replace, "replace a user of that name (new password and secret)")
      ->needs(add_user);
  app.add_option("--console-code", o->code_of,
                 "print the current TOTP code of a console user (a demonstration helper: it "
                 "reads the users file), then exit");
  app.footer(
      "Exit codes: 0 clean stop or help, 1 configuration or start-up failure, 2 bad command "
      "line. Documentation: gateway/README.md, docs/operators.md, docs/fix/README.md.");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);  // --help: the help on stdout; otherwise CLI11's message
    return rc == 0 ? -1 : 2;
  }
  return 0;
}

// --console-add-user / --console-code: 0 done, 1 refused (said on stderr).
int console_users(const Options& o, const carbonx::gateway::ServerConfig& c) {
  namespace console = carbonx::gateway::console;
  std::string error;
  auto users =
      console::UserStore::open(console::users_path(c.data_dir), console::LockoutPolicy{}, &error);
  if (!users) {
    std::fprintf(stderr, "carbonxd: %s\n", error.c_str());
    return 1;
  }
  if (!o.code_of.empty()) {
    const auto u = users->find(o.code_of);
    if (!u) {
      std::fprintf(stderr, "carbonxd: no console user %s\n", o.code_of.c_str());
      return 1;
    }
    const auto key = console::base32_decode(u->totp_secret);
    std::printf("%s\n", console::totp_code(*key, std::time(nullptr)).c_str());
    return 0;
  }
  const auto role = console::parse_role(o.role);
  if (!role) {
    std::fprintf(stderr, "carbonxd: --role: operator, approver, firm_officer or read_only\n");
    return 1;
  }
  const std::string password = o.password.empty() ? console::random_hex(8) : o.password;
  const auto u = users->add(o.add_user, *role, o.firm, password,
                            carbonx::gateway::PasswordCost::of(c.password_hash), o.replace, &error);
  if (!u) {
    std::fprintf(stderr, "carbonxd: --console-add-user: %s\n", error.c_str());
    return 1;
  }
  std::printf("console user %s role %s password %s totp_secret %s\n", u->name.c_str(),
              std::string(console::to_string(u->role)).c_str(), password.c_str(),
              u->totp_secret.c_str());
  std::printf("otpauth://totp/carbonx:%s?secret=%s&issuer=carbonx&digits=6&period=30\n",
              u->name.c_str(), u->totp_secret.c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  if (const int rc = parse_command_line(argc, argv, &options); rc != 0) return rc < 0 ? 0 : rc;
  if (options.help_config) {
    std::fputs(carbonx::gateway::config_keys_help().c_str(), stdout);
    return 0;
  }
  auto config = carbonx::gateway::load_server_config(options.config_path);
  if (!config.ok()) {
    std::fprintf(stderr, "carbonxd: %s\n", config.error().message.c_str());
    return 1;
  }
  if (options.check_config) {
    const auto& c = config.value();
    std::printf(
        "configuration OK: data in %s, FIX on %s:%u, operator API on 127.0.0.1:%u, "
        "durability %s, %zu member(s) to seed\n",
        c.data_dir.c_str(), c.fix_bind.c_str(), c.fix_port, c.operator_port,
        std::string(carbonx::gateway::to_string(c.durability)).c_str(), c.members.size());
    if (c.replica) {
      std::printf("replica %s of %s on etcd %s:%u%s, lease %u s\n", c.replica->name.c_str(),
                  c.replica->prefix.c_str(), c.replica->endpoints[0].address.c_str(),
                  c.replica->endpoints[0].port,
                  c.replica->endpoints.size() > 1 ? " (and others)" : "", c.replica->lease_ttl_s);
    }
    return 0;
  }
  if (!options.add_user.empty() || !options.code_of.empty()) {
    return console_users(options, config.value());
  }
  std::string error;
  if (options.init) {
    const auto id = carbonx::gateway::init_exchange(config.value(), &error);
    if (!id) {
      std::fprintf(stderr, "carbonxd: --init: %s\n", error.c_str());
      return 1;
    }
    std::printf("carbonxd: created exchange %s in %s\n",
                carbonx::gateway::describe_identity(*id).c_str(), config.value().data_dir.c_str());
    // The operator API's token comes with the exchange (there is no default one).
    const auto token = carbonx::gateway::load_or_create_operator_token(config.value().data_dir);
    if (!token.ok()) {
      std::fprintf(stderr, "carbonxd: --init: operator token: %s\n", token.error().message.c_str());
      return 1;
    }
    std::printf("carbonxd: operator API token in %s (mode 0600)\n",
                carbonx::gateway::operator_token_path(config.value().data_dir).c_str());
    return 0;
  }
  if (options.read_only) config.value().read_only = true;
  if (options.standby) {
    if (!config.value().replica) {
      std::fprintf(stderr,
                   "carbonxd: --standby needs a [replica] table in the configuration (the etcd "
                   "endpoints, this replica's name)\n");
      return 1;
    }
    config.value().replica->standby_only = true;
  }
  raise_fd_limit();
  // A write past the file size limit (ulimit -f) is then EFBIG, which the stores report as a
  // full disk, instead of SIGXFSZ ending the process.
  std::signal(SIGXFSZ, SIG_IGN);
  auto server = carbonx::gateway::Server::create(config.value(), &error);
  if (!server) {
    std::fprintf(stderr, "carbonxd: %s\n", error.c_str());
    return 1;
  }
  if (!server->start(&error)) {
    std::fprintf(stderr, "carbonxd: %s\n", error.c_str());
    server->stop();
    return 1;
  }
  std::fprintf(stderr,
               "carbonxd: FIX on port %u, operator API on 127.0.0.1:%u, data in %s, "
               "durability %s, applied seq %llu\n",
               server->fix_port(), server->operator_port(), config.value().data_dir.c_str(),
               std::string(carbonx::gateway::to_string(config.value().durability)).c_str(),
               static_cast<unsigned long long>(server->driver().applied_seq().value()));
  std::fflush(stderr);
  server->run_until_signal();
  const auto st = server->sequencer().stats();
  std::fprintf(
      stderr, "carbonxd: %llu items in %llu batches (largest %llu); apply %.3f s, commit %.3f s\n",
      static_cast<unsigned long long>(st.applied), static_cast<unsigned long long>(st.batches),
      static_cast<unsigned long long>(st.max_batch), static_cast<double>(st.apply_ns) / 1e9,
      static_cast<double>(st.commit_ns) / 1e9);
  std::fprintf(stderr, "carbonxd: stopped cleanly at seq %llu\n",
               static_cast<unsigned long long>(server->driver().applied_seq().value()));
  return 0;
}
