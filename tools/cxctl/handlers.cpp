// cxctl: the handlers behind the subcommands (commands.hpp).
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "carbonx/gateway/exchange_dir.hpp"
#include "carbonx/registry/allocation/compute.hpp"
#include "carbonx/registry/allocation/issuance.hpp"
#include "carbonx/registry/allocation/report.hpp"
#include "carbonx/registry/compliance/inputs.hpp"
#include "carbonx/registry/compliance/jurisdiction.hpp"
#include "carbonx/registry/journal.hpp"
#include "carbonx/registry/ledger.hpp"
#include "carbonx/registry/store.hpp"
#include "carbonx/tools/backup.hpp"
#include "carbonx/tools/compliance_status.hpp"
#include "carbonx/tools/format.hpp"
#include "carbonx/tools/html_report.hpp"
#include "carbonx/tools/market_data.hpp"
#include "carbonx/tools/store_adapter.hpp"
#include "commands.hpp"

namespace carbonx::cxctl {
namespace {

using json = nlohmann::json;
namespace fs = std::filesystem;

// A scratch directory removed when it goes out of scope.
struct ScratchDir {
  fs::path path;
  ScratchDir() {
    path = fs::temp_directory_path() / ("cxctl-" + std::to_string(::getpid()));
    fs::remove_all(path);
  }
  ~ScratchDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

// Reads the store. While carbonxd runs the store is locked: then a consistent live copy (the
// same as `cxctl backup`) is read instead, so reports never wait for or disturb the server.
tools::StoreSnapshot snapshot(Context& ctx) {
  const std::string dir = ctx.store_dir();
  auto s = tools::read_store(dir);
  if (s.ok()) return std::move(s).value();
  if (s.error().message.find("carbonxd is running") == std::string::npos) {
    throw Failure(s.error().message);
  }
  ScratchDir scratch;
  const auto copy = tools::backup_store(dir, scratch.path.string());
  if (!copy.ok()) throw Failure(copy.error());
  auto c = tools::read_store(scratch.path.string());
  if (!c.ok()) throw Failure(c.error().message);
  return std::move(c).value();
}

// The exchange's trading date: its clock's (clock.status: wall or simulated); the local clock's
// China date if the server cannot say.
Date today_cst(Context& ctx) {
  try {
    const tools::Reply r = ctx.call_reply(verbs::ClockStatus{});
    const json j = r.ok() ? json::parse(r.body, nullptr, false) : json();
    if (j.is_object() && j.contains("trading_date") && j.at("trading_date").is_number_integer()) {
      return Date{j.at("trading_date").get<std::int32_t>()};
    }
  } catch (const std::exception&) {  // no channel: the local clock's date below
  }
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  return trading_date(
      TimestampNs(std::chrono::duration_cast<std::chrono::nanoseconds>(now).count()));
}

void emit(Context& ctx, const std::string& table, const std::string& csv, const std::string& js) {
  const std::string& f = ctx.options().format;
  std::fputs((f == "csv" ? csv : f == "json" ? js : table).c_str(), stdout);
}

tools::MarketReport market_report(Context& ctx, const std::string& date_text) {
  const tools::StoreSnapshot s = snapshot(ctx);
  std::size_t unmatched = 0;
  auto trades = tools::trades_from_transfers(s.transfers, tools::account_kinds(s), &unmatched);
  if (unmatched > 0) {
    std::fprintf(stderr, "cxctl: warning: %zu unit postings without a cash leg left out\n",
                 unmatched);
  }
  Date date = tools::last_trading_date(trades).value_or(today_cst(ctx));
  if (!date_text.empty() && !tools::parse_date_text(date_text, date)) {
    throw Failure("--date " + date_text + ": YYYY-MM-DD expected");
  }
  // The exchange's own closing rule (its close_min_volume_t), as the core applies it.
  tools::MarketReportOptions options;
  options.close_min_volume_t = ctx.exchange().limits.close_min_volume_t;
  return tools::compute_market_report(tools::instrument_infos(ctx.exchange()), std::move(trades),
                                      date, options);
}

// From the server's compliance.status (in-process: the same driver on the store).
tools::ComplianceReport server_compliance_report(Context& ctx, int year) {
  const std::string body = ctx.call(verbs::ComplianceStatus{year_of(year)});
  auto s = tools::compliance_from_status_reply(body, year);
  if (!s.ok()) throw Failure(s.error());
  if (s.value().firms.empty()) {
    std::fprintf(stderr,
                 "cxctl: note: the server has no verified emissions or exemptions for %d yet "
                 "(cxctl emissions load; or --source ledger --emissions FILE)\n",
                 year);
  }
  return tools::compute_compliance_report(year, s.value().deadline, today_cst(ctx),
                                          std::move(s.value().firms),
                                          std::move(s.value().surrenders));
}

tools::ComplianceReport compliance_report(Context& ctx, const ComplianceQuery& q) {
  if (q.source == "server") return server_compliance_report(ctx, q.year);
  if (q.source != "ledger") throw Failure("--source must be server or ledger");
  const int year = q.year;
  const std::string& accounts = q.accounts;
  std::string emissions = q.emissions;
  if (emissions.empty()) {
    emissions =
        source_path("registry/data/sample/verified_emissions_" + std::to_string(year) + ".csv");
  }
  auto rows = compliance::load_verified_emissions(emissions);
  if (!rows.ok()) throw Failure(allocation::to_string(rows.error()));
  std::map<std::string, std::int64_t> obligation;
  for (const auto& r : rows.value()) {
    if (r.year == year) obligation[r.firm] = r.emissions_t;
  }
  auto acc = tools::parse_accounts_csv(accounts, read_file(accounts));
  if (!acc.ok()) throw Failure(acc.error());
  auto profiles = compliance::load_jurisdictions(source_path("registry/data/jurisdictions.csv"));
  if (!profiles.ok()) throw Failure(allocation::to_string(profiles.error()));
  const compliance::JurisdictionProfile* p = profiles.value().find(q.jurisdiction);
  if (p == nullptr) throw Failure("unknown jurisdiction " + q.jurisdiction);
  const tools::StoreSnapshot s = snapshot(ctx);
  auto c = tools::compliance_from_store(s, ctx.exchange(), year, obligation,
                                        tools::firm_accounts(acc.value()));
  return tools::compute_compliance_report(year, Date{p->deadline(year)}, today_cst(ctx),
                                          std::move(c.firms), std::move(c.surrenders));
}

}  // namespace

namespace {
// account.open refused because the account exists: the registrar's refusal names the ledger's
// reason in "detail" ("error" is the registrar's "account operation refused").
bool already_open(const tools::Reply& reply) {
  const auto j = json::parse(reply.body, nullptr, false);
  return j.is_object() && j.value("detail", std::string()) ==
                              registry::to_string(registry::RegistryError::kDuplicateAccount);
}
}  // namespace

void cmd_init(Context& ctx, const std::string& accounts_csv) {
  auto rows = tools::parse_accounts_csv(accounts_csv, read_file(accounts_csv));
  if (!rows.ok()) throw Failure(rows.error());
  // A data directory that holds nothing of an exchange gets a new one (as `carbonxd --init`);
  // one that does is used as it is (a running server's, or refused with the reason).
  const std::string& data_dir = ctx.config().data_dir;
  if (ctx.options().mode != "server" && !gateway::holds_an_exchange(data_dir)) {
    std::string error;
    const auto id = gateway::init_exchange(ctx.config(), &error);
    if (!id) throw Failure("init: " + error);
    ctx.say("created exchange " + gateway::describe_identity(*id) + " in " + data_dir);
  }
  std::size_t opened = 0;
  std::size_t existed = 0;
  for (std::size_t i = 0; i < rows.value().size(); ++i) {
    const tools::AccountRow& r = rows.value()[i];
    verbs::AccountOpen open;
    open.id = AccountId(r.account);
    open.kind = account_kind(r.kind);
    open.member = MemberId(r.member);
    const tools::Reply reply = ctx.call_reply(open);
    if (reply.ok()) {
      ++opened;
    } else if (already_open(reply)) {
      ++existed;
    } else {
      throw Failure("account " + std::to_string(r.account) + ": " + reply.error());
    }
    ctx.progress("opening accounts", i + 1, rows.value().size());
  }
  ctx.say("store " + ctx.store_dir() + ": " + std::to_string(opened) + " accounts opened, " +
          std::to_string(existed) + " already open (" + ctx.channel().describe() + ")");
}

void cmd_report_market(Context& ctx, const std::string& date, const std::string& html_out) {
  const tools::MarketReport r = market_report(ctx, date);
  emit(ctx, tools::market_table(r), tools::market_csv(r), tools::market_json(r));
  if (!html_out.empty()) {
    write_file(html_out, tools::render_html(&r, nullptr, "carbonx market report"));
    std::fprintf(stderr, "HTML report: %s\n", html_out.c_str());
  }
}

void cmd_report_compliance(Context& ctx, const ComplianceQuery& q, const std::string& html_out) {
  const tools::ComplianceReport r = compliance_report(ctx, q);
  emit(ctx, tools::compliance_table(r), tools::compliance_csv(r), tools::compliance_json(r));
  if (!html_out.empty()) {
    write_file(html_out, tools::render_html(nullptr, &r, "carbonx compliance report"));
    std::fprintf(stderr, "HTML report: %s\n", html_out.c_str());
  }
}

void cmd_report_html(Context& ctx, const ComplianceQuery& q, const std::string& out) {
  const tools::MarketReport m = market_report(ctx, "");
  const tools::ComplianceReport c = compliance_report(ctx, q);
  write_file(out, tools::render_html(&m, &c, "carbonx market and compliance report"));
  ctx.say("HTML report: " + fs::absolute(out).string());
}

}  // namespace carbonx::cxctl
