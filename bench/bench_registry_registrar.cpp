// Registry commands through the JournalApplier (registrar.hpp, journal_applier.hpp): the cost of
// one journaled Deposit (encode, decode, apply to the ledger), and of the registrar state blob a
// batch carries when allocation/compliance changed (sample market: 52 firms, one year issued and
// trued up, emissions of two years). Figures in BENCHMARKS.md.
#include <benchmark/benchmark.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "carbonx/engine/core.hpp"
#include "carbonx/registry/allocation/facility.hpp"
#include "carbonx/registry/compliance/inputs.hpp"
#include "carbonx/registry/journal_applier.hpp"
#include "carbonx/registry/registrar.hpp"

namespace {

using namespace carbonx;
using namespace carbonx::registry;

std::string data(const std::string& name) {
  return (std::filesystem::path(CARBONX_REGISTRY_DATA_DIR) / name).string();
}
std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

InstrumentConfig allowance(std::uint32_t id, const char* code, int vintage) {
  InstrumentConfig c;
  c.id = InstrumentId(id);
  c.code = code;
  c.vintage = vintage;
  c.lot_t = QuantityT(10);
  c.min_order_t = QuantityT(10);
  c.max_order_t = QuantityT(100'000);
  c.reference_price_fen = PriceFen(2000);
  return c;
}

struct Market {
  ExchangeConfig config;
  registry::Ledger ledger;
  std::unique_ptr<Core> core;
  std::unique_ptr<Registrar> registrar;
  std::unique_ptr<JournalApplier> applier;
  std::uint64_t seq = 0;

  Market() : ledger(options()) {
    config.fee_account = AccountId(3);
    config.instruments = {allowance(1, "GDEA2017", 2017), allowance(2, "GDEA2018", 2018)};
    core = std::make_unique<Core>(config, ledger);
    RegistrarConfig rc;
    rc.government_account = AccountId(1);
    rc.instruments = config.instruments;
    auto j = compliance::load_jurisdictions(data("jurisdictions.csv"));
    auto t = allocation::load_allocation_table(data("benchmarks_national_2017_draft.csv"));
    if (!j.ok() || !t.ok()) std::abort();
    rc.jurisdiction = *j.value().find("guangdong");
    rc.tables = {t.value()};
    registrar = std::make_unique<Registrar>(rc, ledger);
    applier = std::make_unique<JournalApplier>(*core, *registrar);
  }
  static registry::Ledger::Options options() {
    registry::Ledger::Options o;
    o.cash_settlement_account = AccountId(2);
    return o;
  }
  void run(const RegistryCommand& c) {
    auto r = applier->apply_registry(Seq(++seq), TimestampNs(0), c);
    if (!r.ok() || r.value().outcome.refused) std::abort();
  }
  void open(std::uint32_t id, AccountKind kind, std::uint16_t year = 0) {
    Account a;
    a.id = AccountId(id);
    a.kind = kind;
    a.compliance_year = year;
    run(OpenAccount{a});
  }
};

void BM_JournaledDeposit(benchmark::State& state) {
  Market m;
  m.open(1, AccountKind::kGovernmentIssuance);
  m.open(2, AccountKind::kCashSettlement);
  m.open(100, AccountKind::kIndividual);
  std::uint64_t id = 1;
  for (auto _ : state) {
    auto r = m.applier->apply_registry(Seq(++m.seq), TimestampNs(0),
                                       Deposit{TransferId(id++), AccountId(100), AmountFen(5), 0});
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_JournaledDeposit);

void BM_StateBlobSampleMarket(benchmark::State& state) {
  Market m;
  m.open(1, AccountKind::kGovernmentIssuance);
  m.open(2, AccountKind::kCashSettlement);
  const std::string csv = read_text(data("sample/facilities_2017.csv"));
  auto set = allocation::parse_facilities("f", csv, m.registrar->config().tables[0]);
  if (!set.ok()) std::abort();
  std::uint32_t next = 100;
  std::set<std::string> firms;
  for (const auto& u : set.value().units)
    firms.insert(u.firm);
  for (const auto& f : firms) {
    m.open(next, AccountKind::kControlEmissionFirm);
    m.run(RegisterFirm{f, AccountId(next++), MemberId(1), "guangdong"});
  }
  m.run(AllocationIssue{2017, "national-2017-draft", csv});
  m.run(AllocationTrueUp{2017, "national-2017-draft", csv});
  for (int year : {2016, 2017}) {
    auto e = compliance::load_verified_emissions(
        data("sample/verified_emissions_" + std::to_string(year) + ".csv"));
    if (!e.ok()) std::abort();
    LoadVerifiedEmissions cmd;
    for (const auto& v : e.value())
      cmd.rows.push_back({v.firm, static_cast<std::uint16_t>(v.year), v.emissions_t});
    m.run(cmd);
  }
  std::size_t bytes = 0;
  for (auto _ : state) {
    const auto blob = m.registrar->state_blob();
    bytes = blob.size();
    benchmark::DoNotOptimize(blob.data());
  }
  state.counters["blob_bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_StateBlobSampleMarket)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
