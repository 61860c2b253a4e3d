// cxctl: allocation, compliance, reports, journal and backup subcommands (commands.hpp).
#include <unistd.h>

#include <charconv>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "carbonx/gateway/operator_token.hpp"
#include "carbonx/registry/allocation/compute.hpp"
#include "carbonx/registry/allocation/issuance.hpp"
#include "carbonx/registry/allocation/report.hpp"
#include "carbonx/registry/compliance/inputs.hpp"
#include "carbonx/registry/compliance/jurisdiction.hpp"
#include "carbonx/registry/journal.hpp"
#include "carbonx/registry/ledger.hpp"
#include "carbonx/registry/store.hpp"
#include "carbonx/tools/backup.hpp"
#include "carbonx/tools/format.hpp"
#include "carbonx/tools/html_report.hpp"
#include "carbonx/tools/market_data.hpp"
#include "carbonx/tools/store_adapter.hpp"
#include "commands.hpp"

namespace carbonx::cxctl {

using json = nlohmann::json;

void Commands::add_instruments(CLI::App& app) {
  CLI::App* ins = add(app, "instruments", "the instruments of the server's configuration", nullptr);
  add(*ins, "list", "code, product, tick, lot, reference price, band, fees", [this] {
    tools::TextTable t({{"id", true},
                        {"code", false},
                        {"product", false},
                        {"vintage/project", false},
                        {"tick CNY", true},
                        {"lot t", true},
                        {"reference", true},
                        {"band", true},
                        {"max order t", true}});
    for (const InstrumentConfig& i : ctx_.exchange().instruments) {
      t.add_row({std::to_string(i.id.value()), i.code, std::string(to_string(i.product)),
                 i.product == ProductKind::kAllowance
                     ? std::to_string(i.vintage)
                     : i.project.project_id + " (" + i.project.region + ")",
                 tools::fen_to_yuan(i.tick_fen.value()), std::to_string(i.lot_t.value()),
                 tools::fen_to_yuan(i.reference_price_fen.value()),
                 "+-" + tools::permille_text(i.band_bp / 10),  // basis points -> permille
                 tools::grouped(i.max_order_t.value())});
    }
    std::fputs(t.render().c_str(), stdout);
  });
}

namespace {
// The server's issuance records of a year (allocation.status) as a table, CSV or the JSON reply.
void print_issuance(Context& ctx, int year) {
  const std::string body = ctx.call(verbs::AllocationStatus{year_of(year)});
  const std::string& f = ctx.options().format;
  if (f == "json") {
    std::printf("%s\n", body.c_str());
    return;
  }
  const json records = json::parse(body).at("issuance").at("records");
  static constexpr const char* kFields[] = {"computed_t",      "issued_t",     "penalty_deducted_t",
                                            "debt_deducted_t", "taken_back_t", "owed_added_t",
                                            "net_t",           "still_owed_t"};
  tools::TextTable t({{"firm", false},
                      {"stage", false},
                      {"computed t", true},
                      {"issued t", true},
                      {"penalty deducted t", true},
                      {"debt deducted t", true},
                      {"taken back t", true},
                      {"owed added t", true},
                      {"net t", true},
                      {"still owed t", true}});
  std::string csv =
      "firm,year,stage,computed_t,issued_t,penalty_deducted_t,debt_deducted_t,"
      "taken_back_t,owed_added_t,net_t,still_owed_t\n";
  for (const json& r : records) {
    std::vector<std::string> cells{r.at("firm").get<std::string>(),
                                   r.at("stage").get<std::string>()};
    csv += tools::csv_field(cells[0]) + "," + std::to_string(year) + "," + cells[1];
    for (const char* k : kFields) {
      cells.push_back(tools::grouped(r.at(k).get<std::int64_t>()));
      csv += "," + std::to_string(r.at(k).get<std::int64_t>());
    }
    t.add_row(std::move(cells));
    csv += "\n";
  }
  if (f == "csv") {
    std::fputs(csv.c_str(), stdout);
    return;
  }
  std::printf("Issuance of %d (the server's records; penalties deducted at issuance)\n", year);
  std::fputs(t.render().c_str(), stdout);
}
}  // namespace

void Commands::add_allocation(CLI::App& app) {
  CLI::App* alloc = add(app, "allocation", "free allocation: compute, issue, true-up", nullptr);
  static std::string facilities = source_path("registry/data/sample/facilities_2017.csv");
  static std::string table = source_path("registry/data/benchmarks_national_2017_draft.csv");
  static std::string accounts = source_path("tools/data/market/accounts.csv");
  static int year = 2017;
  static std::string stage = "pre";
  static bool dry_run = false;
  const auto common = [&](CLI::App* c) {
    c->add_option("--facilities", facilities, "facility data CSV");
    c->add_option("--table", table, "benchmark table CSV");
    c->add_option("--year", year, "allocation year (the allowance vintage)");
  };
  CLI::App* compute = add(*alloc, "compute", "compute the allocation with its full breakdown",
                          [this] { cmd_allocation_compute(ctx_, facilities, table, year, stage); });
  common(compute);
  compute->add_option("--stage", stage, "pre (base-year output) or final (verified output)")
      ->check(CLI::IsMember({"pre", "final"}));
  CLI::App* issue =
      add(*alloc, "issue", "issue each firm's pre-allocation as its opening balance (idempotent)",
          [this] { cmd_allocation_issue(ctx_, facilities, table, year, accounts, dry_run); });
  common(issue);
  issue->add_option("--accounts", accounts, "accounts CSV (firm -> account)");
  issue->add_flag("--dry-run", dry_run, "print what would be issued, change nothing");
  CLI::App* trueup = add(*alloc, "true-up", help_of<verbs::AllocationTrueUp>(), [this] {
    auto t = allocation::load_allocation_table(table);
    if (!t.ok()) throw Failure(allocation::to_string(t.error()));
    ctx_.call(verbs::AllocationTrueUp{{year_of(year), t.value().table_id, read_file(facilities)}});
    ctx_.say("true-up of " + std::to_string(year) + " recorded");
  });
  common(trueup);
  add(*alloc, "status",
      "the server's issuance records of a year: issued, penalty and debt deducted, still owed",
      [this] { print_issuance(ctx_, year); })
      ->add_option("--year", year, "allocation year");
}

namespace {
// The firm's registry account from the market's accounts CSV.
std::uint32_t firm_account(const std::string& firm) {
  const std::string path = source_path("tools/data/market/accounts.csv");
  auto rows = tools::parse_accounts_csv(path, read_file(path));
  if (!rows.ok()) throw Failure(rows.error());
  const auto accounts = tools::firm_accounts(rows.value());
  const auto it = accounts.find(firm);
  if (it == accounts.end()) throw Failure("firm " + firm + " has no account in " + path);
  return it->second;
}
}  // namespace

namespace {
// The options of a compliance report (compliance status, report compliance, report html).
void add_source_options(CLI::App* c, ComplianceQuery& q) {
  c->add_option("--year", q.year, "compliance year");
  c->add_option("--source", q.source,
                "server: the server's compliance state (penalties, extensions; default); "
                "ledger: the retirement account and a verified-emissions CSV")
      ->check(CLI::IsMember({"server", "ledger"}));
  c->add_option("--emissions", q.emissions,
                "--source ledger: verified emissions CSV (default: the sample's)");
  c->add_option("--accounts", q.accounts, "--source ledger: accounts CSV (firm -> account)");
  c->add_option("--jurisdiction", q.jurisdiction,
                "--source ledger: profile in registry/data/jurisdictions.csv");
}
}  // namespace

void Commands::add_compliance(CLI::App& app) {
  static int year = 2017;
  static ComplianceQuery query{2017, "server", "", source_path("tools/data/market/accounts.csv"),
                               "guangdong"};
  static std::string html;
  CLI::App* em = add(app, "emissions", "verified emissions", nullptr);
  static std::string file;
  add(*em, "load", "check a verified-emissions CSV and record it",
      [this] {
        auto rows = compliance::load_verified_emissions(file);
        if (!rows.ok()) throw Failure(allocation::to_string(rows.error()));
        verbs::EmissionsLoad load;
        load.rows.emplace();
        for (const auto& r : rows.value())
          load.rows->push_back({r.firm, year_of(r.year), r.emissions_t});
        ctx_.say(file + ": " + std::to_string(rows.value().size()) + " rows, valid");
        ctx_.call(load);
      })
      ->add_option("--file", file, "CSV firm,year,verified_emissions_t")
      ->required();

  static std::string firm;
  static std::vector<std::string> legs;
  static std::uint32_t member = 0;
  CLI::App* sur = add(app, "surrender", help_of<verbs::Surrender>(), [this] {
    verbs::Surrender body;
    body.firm_account = AccountId(firm_account(firm));
    body.year = year_of(year);
    body.member = MemberId(member);
    for (const std::string& leg : legs) {
      const auto colon = leg.find(':');
      if (colon == std::string::npos) throw Failure("--leg " + leg + ": SYMBOL:TONNES expected");
      std::int64_t t = 0;
      const std::string q = leg.substr(colon + 1);
      const auto r = std::from_chars(q.data(), q.data() + q.size(), t);
      if (r.ec != std::errc{} || r.ptr != q.data() + q.size() || t <= 0) {
        throw Failure("--leg " + leg + ": the tonnes must be a whole number > 0");
      }
      const std::string symbol = leg.substr(0, colon);
      if (const std::string e = symbol_error("--leg " + leg, symbol); !e.empty()) throw Failure(e);
      body.legs.push_back({symbol, t});
    }
    ctx_.call(body);
    ctx_.say("surrendered for " + firm + " (" + std::to_string(year) + ")" +
             (member == 0 ? " by the operator" : " by member " + std::to_string(member)));
  });
  sur->add_option("--year", year, "compliance year")->required();
  sur->add_option("--firm", firm, "firm id")->required();
  sur->add_option("--leg", legs, "SYMBOL:TONNES, repeatable (allowances and offsets)")->required();
  sur->add_option("--member", member,
                  "the member acting for the firm (must be the firm's own member; default: the "
                  "operator)")
      ->check(CLI::Range(1u, 0xFFFFFFFFu));

  CLI::App* comp = add(app, "compliance", "compliance status and settlement", nullptr);
  CLI::App* status = add(*comp, "status",
                         "per firm: obligation, surrendered, shortfall, status, penalty, deadline",
                         [this] { cmd_report_compliance(ctx_, query, html); });
  add_source_options(status, query);
  status->add_option("--html", html, "also write the HTML report to this file");
  static int date = 0;
  CLI::App* ext = add(*comp, "extension", help_of<verbs::ComplianceExtension>(), [this] {
    ctx_.call(verbs::ComplianceExtension{AccountId(firm_account(firm)), year_of(year), date});
  });
  ext->add_option("--year", year, "compliance year")->required();
  ext->add_option("--firm", firm, "firm id")->required();
  ext->add_option("--date", date, "new deadline, yyyymmdd")->required();
  CLI::App* ex = add(*comp, "exemption", help_of<verbs::ComplianceExemption>(), [this] {
    ctx_.call(verbs::ComplianceExemption{AccountId(firm_account(firm)), year_of(year)});
  });
  ex->add_option("--year", year, "compliance year")->required();
  ex->add_option("--firm", firm, "firm id")->required();
  add(*comp, "settle", help_of<verbs::ComplianceSettle>(),
      [this] { ctx_.call(verbs::ComplianceSettle{year_of(year)}); })
      ->add_option("--year", year, "compliance year")
      ->required();
}

void Commands::add_reports(CLI::App& app) {
  CLI::App* rep =
      add(app, "report", "market and compliance reports (table, CSV, JSON, HTML)", nullptr);
  static std::string date;
  static std::string html;
  static ComplianceQuery query{2017, "server", "", source_path("tools/data/market/accounts.csv"),
                               "guangdong"};
  CLI::App* market = add(*rep, "market", "the daily market report",
                         [this] { cmd_report_market(ctx_, date, html); });
  market->add_option("--date", date, "YYYY-MM-DD (default: the last trading day)");
  market->add_option("--html", html, "also write the HTML report to this file");
  CLI::App* comp = add(*rep, "compliance", "the compliance report (= compliance status)",
                       [this] { cmd_report_compliance(ctx_, query, html); });
  add_source_options(comp, query);
  comp->add_option("--html", html, "also write the HTML report to this file");
  static std::string out = "carbonx-report.html";
  CLI::App* page = add(*rep, "html", "one HTML page: market and compliance, with charts",
                       [this] { cmd_report_html(ctx_, query, out); });
  page->add_option("--out", out, "output file");
  add_source_options(page, query);
}

void Commands::add_journal(CLI::App& app) {
  CLI::App* j = add(app, "journal", "the hash-chained command journal", nullptr);
  add(*j, "verify", "recompute the hash chain and check the ledger invariants",
      [this] { cmd_journal_verify(ctx_); });
  add(*j, "replay", "replay the journal from genesis into a scratch store", [] {
    throw Failure(
        "journal replay: not a separate command: `journal verify` replays the journal from "
        "genesis and compares the Core, ledger and registrar hashes");
  });
  add(app, "verify", "the ledger invariants and the journal chain (= journal verify)",
      [this] { cmd_journal_verify(ctx_); });
  CLI::App* token = add(app, "token", "the operator API's bearer token", nullptr);
  add(*token, "rotate",
      "write a new random operator token into <data_dir>/operator.token (mode 0600); a running "
      "carbonxd refuses the old one from its next request",
      [this] {
        const std::string& dir = ctx_.config().data_dir;
        auto rotated = gateway::rotate_operator_token(dir);
        if (!rotated.ok()) throw Failure("token rotate: " + rotated.error().message);
        ctx_.say("a new operator token is in " + gateway::operator_token_path(dir) +
                 " (cxctl reads it from there; give it to other clients from there)");
      });
  static std::string to;
  add(app, "backup", "a consistent copy of the store, safe while carbonxd runs",
      [this] { cmd_backup(ctx_, to); })
      ->add_option("--to", to, "destination directory (new or empty)")
      ->required();
}

}  // namespace carbonx::cxctl
