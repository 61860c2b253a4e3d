// carbonxd's start-up against the length of the journal (issue 11: <= 1 s with 10 M records).
//
// Builds (once; reused while it matches) a store with N journal records written directly through
// registry::Store::commit_batch in batches of 100,000 with no_sync durability: NewOrder commands
// of 50 members spread over trading days of `--per-day` records each (the last day holds the
// remainder), each day closed by an EndOfDay command except the last, and each day's ClOrdIDs
// kept as used ids (Batch::used_ids, reset at each new day, as the server commits them). Then it
// measures, `--runs` times, what carbonxd does at start on that store: open the store and
// recover an ExchangeDriver (ExchangeDriver::create in full_sync mode: ledger, registrar, core
// state, open orders, the day's used ClOrdIDs, the last stamp). Members' directory and the FIX
// engine are set up before the clock starts (they do not depend on the journal).
//
// A plain program (not a Google Benchmark: one measurement needs a multi-gigabyte fixture);
// `--benchmark_*` arguments from scripts/bench.sh are ignored, and there it runs with 1 M records
// unless CX_STARTUP_RECORDS is set.
//
//   build/bin/bench_gateway_startup --records 10000000 [--per-day 100000] [--runs 5]
//                                   [--dir /tmp/cx_bench_startup] [--fresh]
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "carbonx/engine/commands.hpp"
#include "carbonx/engine/instrument.hpp"
#include "carbonx/gateway/exchange_driver.hpp"
#include "carbonx/gateway/fix_engine.hpp"
#include "carbonx/gateway/members.hpp"
#include "carbonx/registry/ledger.hpp"
#include "carbonx/registry/store.hpp"

namespace {

using namespace carbonx;
using namespace carbonx::gateway;

constexpr std::uint32_t kMembers = 50;
constexpr std::size_t kBatchRecords = 100'000;
constexpr std::int64_t kDayNs = 24LL * 3600 * 1'000'000'000;
// Monday 2 January 2017, 09:30 China Standard Time (01:30 UTC).
constexpr std::int64_t kFirstDayNs = 1'483'320'600'000'000'000;

struct Options {
  std::uint64_t records = 10'000'000;
  std::uint64_t per_day = 100'000;
  int runs = 5;
  std::string dir = "/tmp/cx_bench_startup";
  bool fresh = false;
};

const char kInstruments[] = R"([exchange]
fee_account = 9000
[[fee_schedule]]
name = "flat"
rates = [ { mode = "listed", side = "both", rate_ppm = 5000, min_fen = 0 } ]
[[instrument]]
id = 1
code = "GDEA2017"
product = "allowance"
vintage = 2017
tick_fen = 1
lot_t = 1
min_order_t = 1
max_order_t = 1000000
reference_price_fen = 1420
fee_schedule = "flat"
)";

// "<prefix><n>" (built by appending: GCC 12's -Wrestrict misfires on "literal" + std::string).
std::string numbered(char prefix, std::uint64_t n) {
  std::string out(1, prefix);
  out += std::to_string(n);
  return out;
}

std::string comp_id(std::uint32_t member) {
  return numbered('M', member);
}

// The stamp of record `i` (0-based): day i / per_day, 1 us apart within the day.
TimestampNs stamp_of(std::uint64_t i, const Options& o) {
  const auto day = static_cast<std::int64_t>(i / o.per_day);
  const auto in_day = static_cast<std::int64_t>(i % o.per_day);
  return TimestampNs(kFirstDayNs + day * kDayNs + in_day * 1000);
}

bool last_of_a_closed_day(std::uint64_t i, const Options& o) {
  return (i + 1) % o.per_day == 0 && i + 1 < o.records;
}

CommandBody body_of(std::uint64_t i, const Options& o) {
  if (last_of_a_closed_day(i, o)) return EndOfDay{};
  NewOrder n;
  n.member = MemberId(1 + static_cast<std::uint32_t>(i % kMembers));
  n.account = AccountId(1000 + n.member.value());
  n.instrument = InstrumentId(1);
  n.side = i % 2 == 0 ? Side::kBuy : Side::kSell;
  n.price_fen = PriceFen(1400 + static_cast<std::int64_t>(i % 40));
  n.quantity_t = QuantityT(10);
  n.client_order_id = make_client_order_id(numbered('O', i));
  return n;
}

// Writes the fixture: o.records journal records (see the file comment). A batch never spans two
// days; each carries its NewOrders' ClOrdIDs as used ids, the first of a day with a reset, as the
// server's commits do.
bool build_store(const Options& o) {
  std::filesystem::remove_all(o.dir);
  std::filesystem::create_directories(o.dir + "/data");
  registry::StoreOptions so;
  so.durability = registry::Durability::kNoSync;
  so.initial_map_bytes = std::size_t{4} << 30;
  std::string detail;
  auto store = registry::Store::open(o.dir + "/data/store", so, &detail);
  if (!store.ok()) {
    std::fprintf(stderr, "cannot create the store: %s\n", detail.c_str());
    return false;
  }
  registry::Ledger ledger;
  std::vector<CommandRecord> records;
  std::vector<registry::JournalEntry> entries;
  std::vector<std::string> ids;
  std::vector<registry::UsedIdChange> changes;
  for (std::uint64_t first = 0; first < o.records;) {
    const std::uint64_t day_end = (first / o.per_day + 1) * o.per_day;
    const std::uint64_t end = std::min({o.records, first + kBatchRecords, day_end});
    records.clear();
    entries.clear();
    ids.clear();
    changes.clear();
    for (std::uint64_t i = first; i < end; ++i) {
      records.push_back(encode(Command{Seq(i + 1), stamp_of(i, o), body_of(i, o)}));
      if (!last_of_a_closed_day(i, o)) ids.push_back(numbered('O', i));
    }
    for (std::uint64_t i = first; i < end; ++i) {
      entries.push_back(registry::JournalEntry{Seq(i + 1), stamp_of(i, o), records[i - first]});
      if (!last_of_a_closed_day(i, o)) {
        const auto member = 1 + static_cast<std::uint32_t>(i % kMembers);
        changes.push_back(registry::UsedIdChange{member, ids[changes.size()], false});
      }
    }
    registry::Batch batch;
    batch.journal = entries;
    batch.used_ids =
        registry::UsedIdsUpdate{first % o.per_day == 0, trading_date(stamp_of(first, o)), changes};
    if (const auto st = store.value()->commit_batch(batch, ledger); !st.ok()) {
      std::fprintf(stderr, "commit failed: %s\n", store.value()->last_error_detail().c_str());
      return false;
    }
    first = end;
  }
  return true;
}

bool fixture_matches(const Options& o) {
  if (o.fresh || !std::filesystem::exists(o.dir + "/data/store/data.mdb")) return false;
  auto store = registry::Store::open(o.dir + "/data/store");
  return store.ok() && store.value()->applied_seq().value() == o.records;
}

struct NullHandler : FixEngineHandler {
  std::string authenticate(SessionIndex, const std::string&, const std::string&) override {
    return "";
  }
  void on_logon(SessionIndex) override {}
  void on_logout(SessionIndex) override {}
  void on_request(SessionIndex, const FixRequest&) override {}
};

// One start: ExchangeDriver::create on the fixture, timed. Returns seconds (< 0: failed).
double measure_start(const Options& o, const ExchangeConfig& exchange) {
  ServerConfig c;
  c.data_dir = o.dir + "/data";
  c.durability = DurabilityMode::kFullSync;
  for (std::uint32_t m = 1; m <= kMembers; ++m) {
    c.members.push_back(MemberSeed{m, comp_id(m), comp_id(m), "bench-pass", false, {1000 + m}});
  }
  std::string detail;
  auto members =
      MemberDirectory::open(o.dir + "/data/gateway", &detail, PasswordHashCost::kMinimum);
  if (!members.ok()) {
    std::fprintf(stderr, "members: %s\n", detail.c_str());
    return -1;
  }
  std::vector<MemberSeed> seeds;  // seeded at the first start only, as carbonxd does
  for (const MemberSeed& m : c.members) {
    if (!members.value()->by_id(m.id)) seeds.push_back(m);
  }
  if (!seeds.empty() && !members.value()->add_all(seeds).ok()) return -1;
  NullHandler handler;
  FixEngineConfig fc;
  fc.dictionary_path = CARBONX_FIX_DICTIONARY;
  fc.memory_store = true;
  std::string error;
  auto fix = FixEngine::create(fc, &handler, &error);
  if (!fix) return -1;
  for (const MemberSeed& m : c.members)
    fix->add_session(m.comp_id);
  // The simulated clock stands on the last day, as a server restarted that day would.
  ExchangeClock clock(stamp_of(o.records - 1, o).value(), "");
  const auto t0 = std::chrono::steady_clock::now();
  edge::PublishedAuthority authority;
  auto driver =
      ExchangeDriver::create(c, exchange, *members.value(), *fix, authority, &error, &clock);
  const auto t1 = std::chrono::steady_clock::now();
  if (!driver) {
    std::fprintf(stderr, "recovery failed: %s\n", error.c_str());
    return -1;
  }
  return std::chrono::duration<double>(t1 - t0).count();
}

bool parse_args(int argc, char** argv, Options* o) {
  if (const char* env = std::getenv("CX_STARTUP_RECORDS")) o->records = std::stoull(env);
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    auto next = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (a.starts_with("--benchmark_")) {
      if (std::getenv("CX_STARTUP_RECORDS") == nullptr) o->records = 1'000'000;
    } else if (a == "--records") {
      o->records = std::stoull(next());
    } else if (a == "--per-day") {
      o->per_day = std::stoull(next());
    } else if (a == "--runs") {
      o->runs = std::stoi(next());
    } else if (a == "--dir") {
      o->dir = next();
    } else if (a == "--fresh") {
      o->fresh = true;
    } else {
      std::fprintf(stderr,
                   "usage: bench_gateway_startup [--records N] [--per-day N] [--runs N] "
                   "[--dir DIR] [--fresh]\n");
      return false;
    }
  }
  return o->records > 0 && o->per_day > 1 && o->runs > 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  if (!parse_args(argc, argv, &o)) return 2;
  auto exchange = parse_exchange_config(kInstruments);
  if (!exchange.ok()) return 1;
  const auto b0 = std::chrono::steady_clock::now();
  if (!fixture_matches(o)) {
    std::printf("building %llu journal records in %s ...\n",
                static_cast<unsigned long long>(o.records), o.dir.c_str());
    std::fflush(stdout);
    if (!build_store(o)) return 1;
    std::printf("built in %.1f s\n",
                std::chrono::duration<double>(std::chrono::steady_clock::now() - b0).count());
  }
  std::vector<double> runs;
  for (int r = 0; r < o.runs; ++r) {
    const double s = measure_start(o, exchange.value());
    if (s < 0) return 1;
    runs.push_back(s);
    std::printf("start %d: %.3f s\n", r + 1, s);
  }
  std::sort(runs.begin(), runs.end());
  std::printf("records %llu, per day %llu: start-up median %.3f s, min %.3f s, max %.3f s\n",
              static_cast<unsigned long long>(o.records),
              static_cast<unsigned long long>(o.per_day), runs[runs.size() / 2], runs.front(),
              runs.back());
  return 0;
}
