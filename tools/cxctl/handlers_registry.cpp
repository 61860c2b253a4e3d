// cxctl: allocation, journal and backup handlers (commands.hpp).
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "carbonx/gateway/exchange_driver.hpp"
#include "carbonx/registry/allocation/compute.hpp"
#include "carbonx/registry/allocation/issuance.hpp"
#include "carbonx/registry/allocation/report.hpp"
#include "carbonx/registry/journal.hpp"
#include "carbonx/registry/journal_applier.hpp"
#include "carbonx/registry/ledger.hpp"
#include "carbonx/registry/registrar.hpp"
#include "carbonx/registry/store.hpp"
#include "carbonx/tools/backup.hpp"
#include "carbonx/tools/format.hpp"
#include "carbonx/tools/market_data.hpp"
#include "commands.hpp"

namespace carbonx::cxctl {
namespace {

using json = nlohmann::json;

struct Computed {
  allocation::AllocationTable table;
  allocation::FacilitySet facilities;
};

// Loads the table and the facilities (validated line by line: one bad line, nothing computed).
std::unique_ptr<Computed> load_inputs(const std::string& facilities, const std::string& table) {
  auto t = allocation::load_allocation_table(table);
  if (!t.ok()) throw Failure(allocation::to_string(t.error()));
  auto out = std::make_unique<Computed>();
  out->table = std::move(t).value();
  auto f = allocation::load_facilities(facilities, out->table);
  if (!f.ok()) throw Failure(allocation::to_string(f.error()));
  out->facilities = std::move(f).value();
  return out;
}

// Replays the store's journal from genesis (registry::replay_exchange: engine and registry
// records through the one JournalApplier) and compares the ledger and registrar hashes with the
// store's committed state, and the Core hash with the server's (query.status) when it is at the
// same seq. Throws on any difference.
void verify_replay(Context& ctx, registry::Store& store, registry::Ledger& ledger,
                   std::span<const std::uint8_t> registrar_state, std::string* core_note) {
  std::string error;
  const auto rc = gateway::make_registrar_config(ctx.config(), ctx.exchange(), &error);
  if (!rc) throw Failure(error);
  registry::Registrar stored(*rc, ledger);
  if (!stored.restore(registrar_state).ok())
    throw Failure("the stored registrar state is unreadable");
  registry::Ledger::Options lo;
  lo.cash_settlement_account = AccountId(ctx.config().cash_settlement_account);
  registry::Ledger scratch(lo);
  const registry::ExchangeReplay r = registry::replay_exchange(store, ctx.exchange(), *rc, scratch);
  std::printf("replay from genesis: %llu records (%llu registry, %llu refused as live), %s\n",
              static_cast<unsigned long long>(r.records),
              static_cast<unsigned long long>(r.registry_records),
              static_cast<unsigned long long>(r.registry_refused), r.ok ? "ok" : "FAILED");
  if (!r.ok) {
    throw Failure("replay stopped at record " +
                  std::to_string(r.first_bad_seq ? r.first_bad_seq->value() : 0) + ": " +
                  r.problem);
  }
  const bool ledger_same = r.ledger_hash == ledger.state_hash();
  const bool registrar_same = r.registrar_hash == stored.state_hash();
  std::printf("  ledger hash    %s %s\n", registry::to_hex(r.ledger_hash).c_str(),
              ledger_same ? "= stored" : "!= STORED");
  std::printf("  registrar hash %s %s\n", registry::to_hex(r.registrar_hash).c_str(),
              registrar_same ? "= stored" : "!= STORED");
  std::printf("  core hash      %llu %s\n", static_cast<unsigned long long>(r.core_hash),
              core_note->c_str());
  *core_note = std::to_string(r.core_hash) + "@" + std::to_string(r.last_seq.value());
  if (!ledger_same || !registrar_same) throw Failure("replay from genesis differs from the store");
}

allocation::AllocationRun compute(const Computed& in, int year, allocation::Stage stage) {
  auto run = allocation::compute_allocation(in.facilities, in.table, year, stage);
  if (!run.ok()) {
    throw Failure("allocation: " + std::string(allocation::to_string(run.error().code)) + ": " +
                  run.error().detail);
  }
  return std::move(run).value();
}

}  // namespace

std::uint32_t retirement_account(int year) {
  return 8'000'000 + static_cast<std::uint32_t>(year);
}

void cmd_allocation_compute(Context& ctx, const std::string& facilities, const std::string& table,
                            int year, const std::string& stage) {
  const auto in = load_inputs(facilities, table);
  const auto run =
      compute(*in, year, stage == "final" ? allocation::Stage::kFinal : allocation::Stage::kPre);
  const std::string& f = ctx.options().format;
  const std::string text = f == "csv"    ? allocation::breakdown_csv(run)
                           : f == "json" ? allocation::breakdown_json(run)
                                         : allocation::breakdown_table(run);
  std::fputs(text.c_str(), stdout);
}

// Pre-allocation through the server's journaled allocation.issue verb: the firms of the accounts
// CSV are registered (firm.register, once), the year's retirement account opened, then the
// server recomputes and issues the allocation from the facility text (a second run is refused by
// the server as already issued, and issues nothing).
void cmd_allocation_issue(Context& ctx, const std::string& facilities, const std::string& table,
                          int year, const std::string& accounts_csv, bool dry_run) {
  const auto in = load_inputs(facilities, table);
  const auto run = compute(*in, year, allocation::Stage::kPre);
  auto rows = tools::parse_accounts_csv(accounts_csv, read_file(accounts_csv));
  if (!rows.ok()) throw Failure(rows.error());
  const auto accounts = tools::firm_accounts(rows.value());
  std::string symbol;
  for (const InstrumentConfig& i : ctx.exchange().instruments) {
    if (i.product == ProductKind::kAllowance && i.vintage == year) symbol = i.code;
  }
  if (symbol.empty()) throw Failure("no allowance instrument of vintage " + std::to_string(year));
  for (const allocation::FirmAllocation& f : run.firms) {  // every firm checked before issuing
    if (accounts.count(f.firm) == 0) throw Failure("firm " + f.firm + " has no account");
  }
  if (dry_run) {
    for (const allocation::FirmAllocation& f : run.firms) {
      std::printf("%s account %u: %s t %s\n", f.firm.c_str(), accounts.at(f.firm),
                  tools::grouped(f.allocation_t).c_str(), symbol.c_str());
    }
    ctx.say("would issue " + tools::grouped(run.total_t) + " t of " + symbol + " to " +
            std::to_string(run.firms.size()) + " firms");
    return;
  }
  for (const tools::AccountRow& r : rows.value()) {
    if (r.kind != "control_emission_firm") continue;
    const tools::Reply reply = ctx.call_reply(verbs::FirmRegister{
        r.name, AccountId(r.account), MemberId(r.member), ctx.config().jurisdiction});
    if (!reply.ok() && reply.body.find("registered otherwise") == std::string::npos) {
      throw Failure("firm.register " + r.name + " refused: " + reply.error());
    }
  }
  verbs::AccountOpen retirement;
  retirement.id = AccountId(retirement_account(year));
  retirement.kind = registry::AccountKind::kRetirement;
  retirement.compliance_year = year_of(year);
  (void)ctx.call_reply(retirement);  // refused if it exists already
  const tools::Reply reply = ctx.call_reply(
      verbs::AllocationIssue{{year_of(year), in->table.table_id, read_file(facilities)}});
  if (!reply.ok()) {
    ctx.say("allocation.issue refused: " + reply.error() + " (" + reply.body + ")");
    if (reply.body.find("already") == std::string::npos) throw Failure("allocation not issued");
    return;
  }
  ctx.say("allocation " + std::to_string(year) + " issued by the server: computed " +
          tools::grouped(run.total_t) + " t of " + symbol + " for " +
          std::to_string(run.firms.size()) + " firms, less any penalty deductions");
}

void cmd_journal_verify(Context& ctx) {
  std::string dir = ctx.store_dir();
  std::string detail;
  registry::StoreOptions options;  // never creates a store, writes nothing
  options.mode = registry::OpenMode::kOpenExisting;
  options.read_only = true;
  auto store = registry::Store::open(dir, options, &detail);
  // While carbonxd runs the store is locked: verify a consistent live copy of it instead.
  const std::filesystem::path copy =
      std::filesystem::temp_directory_path() / ("cxctl-verify-" + std::to_string(::getpid()));
  struct Cleanup {
    std::filesystem::path p;
    ~Cleanup() {
      std::error_code ec;
      std::filesystem::remove_all(p, ec);
    }
  } cleanup{copy};
  if (!store.ok() && store.error() == registry::StoreError::kLocked) {
    std::filesystem::remove_all(copy);
    const auto b = tools::backup_store(dir, copy.string());
    if (!b.ok()) throw Failure(b.error());
    ctx.say("carbonxd is running: verifying a consistent live copy of " + dir);
    dir = copy.string();
    store = registry::Store::open(dir, options, &detail);
  }
  if (!store.ok()) {
    throw Failure("cannot open " + dir + ": " + std::string(registry::to_string(store.error())) +
                  (detail.empty() ? "" : " (" + detail + ")"));
  }
  const registry::JournalCheck check = registry::verify_journal(*store.value());
  registry::Ledger ledger;
  const auto loaded = store.value()->load(ledger);
  if (!loaded.ok()) throw Failure("cannot load " + dir);
  const auto problems = ledger.verify();
  std::printf("journal: %llu records, last seq %llu, chain %s\n",
              static_cast<unsigned long long>(check.records),
              static_cast<unsigned long long>(check.last_seq.value()),
              check.ok ? "intact" : "BROKEN");
  std::printf("ledger: %zu accounts, %llu transfers, invariants %s, state hash %s\n",
              ledger.account_count(), static_cast<unsigned long long>(ledger.transfers_applied()),
              problems.empty() ? "hold" : "VIOLATED",
              registry::to_hex(ledger.state_hash()).c_str());
  for (const std::string& p : problems)
    std::printf("  %s\n", p.c_str());
  if (!check.ok) {
    throw Failure("journal record " +
                  std::to_string(check.first_bad_seq ? check.first_bad_seq->value() : 0) + ": " +
                  check.problem);
  }
  if (!problems.empty()) throw Failure("ledger invariants violated");
  std::string core = "(compared with the server below)";
  verify_replay(ctx, *store.value(), ledger, loaded.value().registry_state, &core);
  store.value().reset();  // the in-process channel opens the store itself
  const std::size_t at = core.find('@');
  const json status = json::parse(ctx.call(verbs::QueryStatus{}));
  const std::string live_seq = std::to_string(status.at("applied_seq").get<std::uint64_t>());
  const std::string live_core = std::to_string(status.at("core_state_hash").get<std::uint64_t>());
  if (live_seq != core.substr(at + 1)) {
    std::printf("core: the server is at seq %s, the replay at %s: core hash not compared\n",
                live_seq.c_str(), core.substr(at + 1).c_str());
    return;
  }
  std::printf("core: replay %s, server %s (seq %s): %s\n", core.substr(0, at).c_str(),
              live_core.c_str(), live_seq.c_str(),
              live_core == core.substr(0, at) ? "equal" : "DIFFERENT");
  if (live_core != core.substr(0, at)) throw Failure("core hash differs after replay");
}

void cmd_backup(Context& ctx, const std::string& to) {
  ctx.say("copying " + ctx.store_dir() + " ...");
  const auto r = tools::backup_store(ctx.store_dir(), to);
  if (!r.ok()) throw Failure(r.error());
  ctx.say("backup: " + r.value().file + " (" +
          tools::grouped(static_cast<std::int64_t>(r.value().bytes)) +
          " bytes), a consistent copy of one commit");
}

}  // namespace carbonx::cxctl
