// Allocation and compliance at market scale (issue 4): allocation + issuance for 10,000
// facilities, and a compliance status for 10,000 firms. Figures in BENCHMARKS.md.
#include <benchmark/benchmark.h>

#include <filesystem>
#include <random>
#include <string>

#include "carbonx/engine/in_memory_ledger.hpp"
#include "carbonx/registry/allocation/compute.hpp"
#include "carbonx/registry/allocation/issuance.hpp"
#include "carbonx/registry/allocation/report.hpp"
#include "carbonx/registry/compliance/compliance.hpp"
#include "carbonx/registry/compliance/report.hpp"

namespace {

using namespace carbonx;
using namespace carbonx::allocation;

constexpr int kFacilities = 10'000;

// Concatenation by appends (GCC 12 warns falsely on `"literal" + std::string` chains).
template <typename... A>
std::string cat(const A&... parts) {
  std::string out;
  (out.append(std::string_view(parts)), ...);
  return out;
}
std::string num(std::uint64_t v) {
  return std::to_string(v);
}
constexpr int kFirms = 10'000;

const AllocationTable& table() {
  static const AllocationTable t = [] {
    const auto path =
        std::filesystem::path(CARBONX_REGISTRY_DATA_DIR) / "benchmarks_national_2017_draft.csv";
    auto r = load_allocation_table(path.string());
    if (!r) std::abort();
    return r.value();
  }();
  return t;
}

// 10,000 facilities of 5,000 firms: power (all classes, heat, air cooling, CFB), cement with
// co-processing, aluminium, heat-only and generic units. Fixed seed.
std::string facilities_csv() {
  static const char* const power[] = {"usc_1000mw",     "usc_600mw",           "sc_600mw",
                                      "sc_300mw",       "subcritical_600mw",   "subcritical_300mw",
                                      "hp_below_300mw", "cfb_igcc_300mw_plus", "gas_f_class"};
  std::mt19937_64 rng(4);
  std::string out =
      "firm,unit,sector,class,fuel,cooling,heat_ratio,calorific_kcal_per_kg,base_output,"
      "base_heat_gj,base_waste_t,actual_output,actual_heat_gj,actual_waste_t,intensity,"
      "hist_emissions_t,decline_factor\n";
  for (int i = 0; i < kFacilities; ++i) {
    const std::string firm = cat("F", num(i / 2));
    const std::string unit = cat("U", num(i % 2));
    const std::string out_t = num(500'000 + rng() % 4'000'000);
    const std::string act_t = num(500'000 + rng() % 4'000'000);
    switch (i % 5) {
      case 0:
      case 1: {
        const std::string cls = power[rng() % 9];
        const bool gas = cls == "gas_f_class";
        const bool cfb = cls == "cfb_igcc_300mw_plus";
        out += cat(firm, ",", unit, ",power,", cls, gas ? ",gas," : ",coal,",
                   rng() % 5 == 0 ? "air," : "water,", "0.", num(rng() % 30), ",",
                   cfb ? "2800" : "", ",", out_t, ",120000.5,,", act_t, ",130000,,,,\n");
        break;
      }
      case 2:
        out += cat(firm, ",", unit, ",cement,clinker,,,,,", out_t, ",,", num(rng() % 150'000), ",",
                   act_t, ",,40000,,,\n");
        break;
      case 3:
        out += firm + "," + unit + ",aluminium,liquid_aluminium,,,,," + out_t.substr(0, 6) + ",,," +
               act_t.substr(0, 6) + ",,,,,\n";
        break;
      default:
        out += cat(firm, ",", unit, ",other,intensity,,,,,", out_t, ",,,", act_t,
                   ",,,1.234567,,0.98\n");
        break;
    }
  }
  return out;
}

void BM_ParseFacilities10k(benchmark::State& state) {
  const std::string csv = facilities_csv();
  for (auto _ : state) {
    auto set = parse_facilities("bench.csv", csv, table());
    if (!set) state.SkipWithError("parse failed");
    benchmark::DoNotOptimize(set);
  }
  state.SetItemsProcessed(state.iterations() * kFacilities);
}
BENCHMARK(BM_ParseFacilities10k)->Unit(benchmark::kMillisecond);

void BM_ComputeAllocation10k(benchmark::State& state) {
  const FacilitySet set = parse_facilities("bench.csv", facilities_csv(), table()).value();
  for (auto _ : state) {
    auto run = compute_allocation(set, table(), 2017, Stage::kFinal);
    benchmark::DoNotOptimize(run);
  }
  state.SetItemsProcessed(state.iterations() * kFacilities);
}
BENCHMARK(BM_ComputeAllocation10k)->Unit(benchmark::kMillisecond);

// The whole job: parse + validate the file, pre-allocate, issue into the ledger, compute the final
// allocation and issue the true-up (ledger accounts opened outside the timing).
void BM_AllocateAndIssue10k(benchmark::State& state) {
  const std::string csv = facilities_csv();
  RegistryDirectory dir;
  dir.government_account = AccountId(0);
  dir.allowance_by_vintage[2017] = AssetId(1);
  for (int f = 0; f < kFacilities / 2; ++f) {
    dir.firms[cat("F", num(f))] = FirmAccount{AccountId(100 + f), MemberId(f + 1), "guangdong"};
  }
  std::size_t postings = 0;
  for (auto _ : state) {
    state.PauseTiming();
    InMemoryLedger ledger;
    for (const auto& [name, firm] : dir.firms)
      ledger.open_account(firm.account);
    ledger.begin_command(Seq(1), TimestampNs(0));
    Allocator alloc;
    state.ResumeTiming();
    const FacilitySet set = parse_facilities("bench.csv", csv, table()).value();
    const AllocationRun pre = compute_allocation(set, table(), 2017, Stage::kPre).value();
    auto issued = alloc.issue_pre_allocation(pre, dir, ledger, TimestampNs(0));
    const AllocationRun fin = compute_allocation(set, table(), 2017, Stage::kFinal).value();
    auto trued = alloc.issue_true_up(fin, dir, ledger, TimestampNs(0));
    if (!issued || !trued) state.SkipWithError("issuance failed");
    postings = issued.value().postings + trued.value().postings;
  }
  state.counters["postings"] = static_cast<double>(postings);
  state.SetItemsProcessed(state.iterations() * kFacilities);
}
BENCHMARK(BM_AllocateAndIssue10k)->Unit(benchmark::kMillisecond);

void BM_BreakdownCsv10k(benchmark::State& state) {
  const FacilitySet set = parse_facilities("bench.csv", facilities_csv(), table()).value();
  const AllocationRun run = compute_allocation(set, table(), 2017, Stage::kFinal).value();
  for (auto _ : state)
    benchmark::DoNotOptimize(breakdown_csv(run));
  state.SetItemsProcessed(state.iterations() * kFacilities);
}
BENCHMARK(BM_BreakdownCsv10k)->Unit(benchmark::kMillisecond);

// 10,000 firms with verified emissions, each of which surrendered allowances (some short).
struct Market {
  InMemoryLedger ledger;
  RegistryDirectory dir;
  Allocator alloc;
  compliance::OffsetCatalogue offsets;
  std::unique_ptr<compliance::Compliance> comp;
  std::vector<compliance::VerifiedEmissions> rows;

  Market() {
    compliance::JurisdictionProfile p;
    p.name = "guangdong";
    p.deadline_month = 6;
    p.deadline_day = 20;
    p.offset_cap = Decimal::of(10, 2);
    p.penalty_multiplier = 2;
    comp = std::make_unique<compliance::Compliance>(p);
    dir.government_account = AccountId(0);
    dir.allowance_by_vintage[2017] = AssetId(1);
    dir.retirement_by_year[2017] = AccountId(99);
    ledger.open_account(AccountId(99));
    std::mt19937_64 rng(7);
    for (int f = 0; f < kFirms; ++f) {
      const std::string firm = cat("F", num(f));
      dir.firms[firm] = FirmAccount{AccountId(100 + f), MemberId(f + 1), "guangdong"};
      CX_ASSERT(ledger.open_account(AccountId(100 + f)));
      CX_ASSERT(ledger.deposit(AccountId(100 + f), AssetId(1), 2'000'000).ok());
      rows.push_back({firm, 2017, static_cast<std::int64_t>(100'000 + rng() % 1'000'000), 0});
    }
    CX_ASSERT(comp->record_emissions(rows).ok());
  }

  void surrender_all() {
    ledger.begin_command(Seq(2), TimestampNs(0));
    for (const auto& r : rows) {
      auto s = comp->surrender({2017,
                                r.firm,
                                compliance::Actor::op(),
                                {{AssetId(1), r.emissions_t * 9 / 10 + (r.emissions_t % 2)}}},
                               dir, offsets, alloc, ledger, TimestampNs(0));
      if (!s) std::abort();
    }
  }
};

void BM_Surrender10kFirms(benchmark::State& state) {
  for (auto _ : state) {
    state.PauseTiming();
    auto m = std::make_unique<Market>();
    state.ResumeTiming();
    m->surrender_all();
    state.PauseTiming();
    m.reset();
    state.ResumeTiming();
  }
  state.SetItemsProcessed(state.iterations() * kFirms);
}
BENCHMARK(BM_Surrender10kFirms)->Unit(benchmark::kMillisecond);

void BM_ComplianceStatus10kFirms(benchmark::State& state) {
  Market m;
  m.surrender_all();
  for (auto _ : state)
    benchmark::DoNotOptimize(m.comp->status(2017));
  state.SetItemsProcessed(state.iterations() * kFirms);
}
BENCHMARK(BM_ComplianceStatus10kFirms)->Unit(benchmark::kMillisecond);

void BM_ComplianceStatusTable10kFirms(benchmark::State& state) {
  Market m;
  m.surrender_all();
  for (auto _ : state)
    benchmark::DoNotOptimize(compliance::status_table(*m.comp, 2017));
  state.SetItemsProcessed(state.iterations() * kFirms);
}
BENCHMARK(BM_ComplianceStatusTable10kFirms)->Unit(benchmark::kMillisecond);

void BM_Settle10kFirms(benchmark::State& state) {
  for (auto _ : state) {
    state.PauseTiming();
    auto m = std::make_unique<Market>();
    m->surrender_all();
    state.ResumeTiming();
    auto s = m->comp->settle(2017, compliance::day_end_exclusive_cst(20180620), m->alloc);
    if (!s) state.SkipWithError("settle failed");
    state.PauseTiming();
    m.reset();
    state.ResumeTiming();
  }
  state.SetItemsProcessed(state.iterations() * kFirms);
}
BENCHMARK(BM_Settle10kFirms)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
