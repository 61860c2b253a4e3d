// cxctl: the operator command line of carbonx. See tools/README.md and docs/operators.md.
//
// Every state change is an operator verb sent to carbonxd's operator API, or — with no server
// running — applied in-process by the same ExchangeDriver on the store (context.hpp). Reports
// and checks read the store directly (read transactions only).
#include <CLI/CLI.hpp>
#include <csignal>
#include <cstdio>

#include "commands.hpp"
#include "context.hpp"

int main(int argc, char** argv) {
  using namespace carbonx::cxctl;
  CLI::App app{
      "cxctl: operate a carbonx exchange (setup, allocation, compliance, market, "
      "reports, journal, backup)"};
  app.require_subcommand(1);
  Options options;
  app.add_option("-c,--config", options.config_path,
                 "carbonxd configuration (default: $CARBONX_CONFIG, else "
                 "gateway/config/carbonxd.toml)");
  app.add_option("--token-file", options.token_file,
                 "the operator API's bearer token (default: <data_dir>/operator.token, made by "
                 "carbonxd --init with the exchange)");
  app.add_option("--tls-ca", options.tls_ca_file,
                 "with operator_tls: the CA certificates (PEM) to verify the server with "
                 "(default: [server] tls_cert, the server's own certificate)");
  app.add_option("--mode", options.mode,
                 "auto (the server if it answers, else in-process), server, in-process")
      ->check(CLI::IsMember({"auto", "server", "in-process"}));
  app.add_option("-f,--format", options.format, "output of reports: table, csv, json")
      ->check(CLI::IsMember({"table", "csv", "json"}));
  app.add_flag("-q,--quiet", options.quiet, "print only errors and requested output");
  // In-process mode writes the store: a write past the file size limit (ulimit -f) is then an
  // error cxctl reports ("exchange storage full"), not a SIGXFSZ that ends it mid-command.
  std::signal(SIGXFSZ, SIG_IGN);
  Context ctx(options);
  // The context reads `options` through a pointer refreshed after parsing.
  Commands commands(app, ctx, options);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);  // prints --help, or CLI11's message
    return rc == 0 ? 0 : 2;      // bad usage is exit 2 (context.hpp)
  }
  try {
    commands.run();
  } catch (const Failure& f) {
    std::fprintf(stderr, "cxctl: %s\n", f.what());
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "cxctl: unexpected error: %s\n", e.what());
    return 1;
  }
  return 0;
}
