#pragma once
// cxctl's subcommands: each registers its CLI11 options and, when chosen, stores the action that
// run() performs after parsing (so every failure goes through main()'s one-line error).

#include <CLI/CLI.hpp>
#include <functional>
#include <string>
#include <vector>

#include "context.hpp"

namespace carbonx::cxctl {

class Commands {
 public:
  Commands(CLI::App& app, Context& ctx, Options& options);
  void run();

 private:
  using Action = std::function<void()>;
  CLI::App* add(CLI::App& parent, const std::string& name, const std::string& help, Action action);

  void add_setup(CLI::App& app);
  void add_funds(CLI::App& app);
  void add_market(CLI::App& app);
  void add_simulate(CLI::App& app);
  void add_instruments(CLI::App& app);
  void add_allocation(CLI::App& app);
  void add_compliance(CLI::App& app);
  void add_offbook(CLI::App& app);
  void add_reports(CLI::App& app);
  void add_journal(CLI::App& app);
  void add_cluster(CLI::App& app);  // cluster.cpp
  void add_verbs(CLI::App& app);

  Context& ctx_;
  Options& options_;
  Action action_;
};

// A --symbol value: at most verbs::kMaxSymbolLength bytes. cxctl refuses a longer one naming it
// (held in a request's fixed-width symbol it would reach the server empty).
CLI::Validator symbol_text();
// The same check for a symbol read from a longer argument (a --leg's SYMBOL:TONNES): the error
// names the option and the symbol, or "" when it fits.
std::string symbol_error(const std::string& option, const std::string& symbol);

// A verb's one-line help, from the verb table (carbonx::verbs), for the subcommand calling it.
template <typename R>
std::string help_of() {
  return std::string(R::kMeta.help);
}
// `cxctl verb list`: the table as text (or JSON with --format json).
void print_verb_table(Context& ctx);
// A year for a verb's body; Failure unless 1..9999.
std::uint16_t year_of(int year);
// An account kind by its name in the verb bodies; Failure naming the kinds.
registry::AccountKind account_kind(const std::string& name);

// What a compliance report is built from. "server" (the default): the server's
// compliance.status verb (the registrar's state: obligations, surrenders, exemptions, extensions,
// settlement and penalties). "ledger": the year's retirement account in the store and a
// verified-emissions CSV (no penalties or extensions: they are not in the ledger).
struct ComplianceQuery {
  int year = 2017;
  std::string source = "server";           // server | ledger
  std::string emissions;                   // ledger: the CSV ("" = the sample's of the year)
  std::string accounts;                    // ledger: accounts CSV (firm -> account)
  std::string jurisdiction = "guangdong";  // ledger: the deadline's profile
};

// Handlers (commands_*.cpp).
void cmd_init(Context& ctx, const std::string& accounts_csv);
void cmd_report_market(Context& ctx, const std::string& date, const std::string& html_out);
void cmd_report_compliance(Context& ctx, const ComplianceQuery& q, const std::string& html_out);
void cmd_report_html(Context& ctx, const ComplianceQuery& q, const std::string& out);
void cmd_allocation_compute(Context& ctx, const std::string& facilities, const std::string& table,
                            int year, const std::string& stage);
void cmd_allocation_issue(Context& ctx, const std::string& facilities, const std::string& table,
                          int year, const std::string& accounts_csv, bool dry_run);
void cmd_journal_verify(Context& ctx);
// The registry account of the retirement of compliance year `year` that cxctl opens.
std::uint32_t retirement_account(int year);
void cmd_backup(Context& ctx, const std::string& to);

// Shared paths of the sample data in the source tree.
std::string source_path(const std::string& relative);

}  // namespace carbonx::cxctl
