#pragma once
// Test support for the Registrar and JournalApplier tests: the demonstration market's
// configuration (sample facilities, Guangdong rules, GDEA2017/2018 and one CCER) and a small live
// exchange that applies engine and registry commands through the JournalApplier and commits them
// to a Store, as the server does.
#include <gtest/gtest.h>

#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "allocation_test_support.hpp"
#include "carbonx/engine/commands.hpp"
#include "carbonx/engine/core.hpp"
#include "carbonx/registry/compliance/inputs.hpp"
#include "carbonx/registry/journal_applier.hpp"
#include "carbonx/registry/registrar.hpp"
#include "carbonx/registry/store.hpp"

namespace carbonx::registry::registrar_testing {

inline constexpr AccountId kGov{1};
inline constexpr AccountId kSettle{2};
inline constexpr AccountId kFee{3};
inline constexpr AccountId kRetire2017{9'017};
inline constexpr AccountId kRetire2018{9'018};
inline constexpr AccountId kInvestor{50};
inline constexpr InstrumentId kGdea2017{1};
inline constexpr InstrumentId kGdea2018{2};
inline constexpr InstrumentId kCcer{2001};
inline constexpr std::uint32_t kFirstFirm = 100;

inline std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

inline std::string sample_facilities() {
  return read_text(allocation::testing::data_path("sample/facilities_2017.csv"));
}

// Firm ids of the sample facility file, sorted (the order accounts are opened in).
inline std::vector<std::string> sample_firms() {
  auto set =
      allocation::parse_facilities("f", sample_facilities(), allocation::testing::table_2017());
  EXPECT_TRUE(set.ok());
  std::vector<std::string> firms;
  if (!set.ok()) return firms;
  for (const auto& u : set.value().units)
    firms.push_back(u.firm);
  std::sort(firms.begin(), firms.end());
  firms.erase(std::unique(firms.begin(), firms.end()), firms.end());
  return firms;
}

inline InstrumentConfig instrument(InstrumentId id, std::string code, ProductKind product) {
  InstrumentConfig c;
  c.id = id;
  c.code = std::move(code);
  c.product = product;
  c.tick_fen = PriceFen(1);
  c.lot_t = QuantityT(10);
  c.min_order_t = QuantityT(10);
  c.max_order_t = QuantityT(1'000'000);
  c.reference_price_fen = PriceFen(2000);
  c.fees.set_rate(TradingMode::kListed, Side::kBuy, FeeRate{500, AmountFen(100)});
  c.fees.set_rate(TradingMode::kListed, Side::kSell, FeeRate{500, AmountFen(100)});
  return c;
}

inline ExchangeConfig exchange_config() {
  ExchangeConfig cfg;
  cfg.fee_account = kFee;
  cfg.limits.max_orders_per_book = 4096;
  cfg.limits.max_orders_per_level = 256;
  cfg.limits.max_price_levels = 1024;
  cfg.limits.max_fills_per_order = 64;
  cfg.limits.outbox_capacity = 4096;
  auto a17 = instrument(kGdea2017, "GDEA2017", ProductKind::kAllowance);
  a17.vintage = 2017;
  auto a18 = instrument(kGdea2018, "GDEA2018", ProductKind::kAllowance);
  a18.vintage = 2018;
  auto ccer = instrument(kCcer, "CCERGDWIND1", ProductKind::kCcer);
  ccer.project = {"CCER-GD-WIND-001", "guangdong", "wind", Date{20140101}, Date{20201231}};
  cfg.instruments = {a17, a18, ccer};
  return cfg;
}

inline RegistrarConfig registrar_config() {
  RegistrarConfig rc;
  rc.government_account = kGov;
  rc.instruments = exchange_config().instruments;
  auto j = compliance::load_jurisdictions(allocation::testing::data_path("jurisdictions.csv"));
  EXPECT_TRUE(j.ok());
  if (j.ok() && j.value().find("guangdong") != nullptr)
    rc.jurisdiction = *j.value().find("guangdong");
  rc.tables = {allocation::testing::table_2017()};
  return rc;
}

inline Ledger::Options ledger_options() {
  Ledger::Options o;
  o.cash_settlement_account = kSettle;
  return o;
}

inline std::vector<EmissionRow> sample_emissions(int year) {
  auto e = compliance::load_verified_emissions(
      allocation::testing::data_path("sample/verified_emissions_" + std::to_string(year) + ".csv"));
  EXPECT_TRUE(e.ok());
  std::vector<EmissionRow> rows;
  if (!e.ok()) return rows;
  for (const auto& v : e.value())
    rows.push_back({v.firm, static_cast<std::uint16_t>(v.year), v.emissions_t});
  return rows;
}

// UTC nanoseconds of yyyy-mm-dd 00:00 UTC (days from civil, Howard Hinnant's algorithm).
inline TimestampNs utc(int y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  const std::int64_t days = std::int64_t{era} * 146097 + doe - 719468;
  return TimestampNs(days * 86'400 * 1'000'000'000LL);
}

// A live exchange: one Core and one Registrar over one Ledger, every command applied through the
// JournalApplier and journaled into the Store, committed every `commit_every` records with the
// registrar's state when it changed.
class LiveExchange {
 public:
  // recover: load the ledger from the store and restore the registrar's state from it, as a
  // server restart does (the core is not restored: use no engine commands with it).
  explicit LiveExchange(const std::string& dir, std::size_t commit_every = 16, bool recover = false)
      : store_(std::move(Store::open(dir)).value()),
        ledger_(ledger_options()),
        core_(exchange_config(), ledger_),
        registrar_(registrar_config(), ledger_),
        applier_(core_, registrar_),
        commit_every_(commit_every) {
    if (!recover) return;
    auto rec = store_->load(ledger_);
    EXPECT_TRUE(rec.ok());
    if (!rec.ok()) return;
    EXPECT_TRUE(registrar_.restore(rec.value().registry_state).ok());
    seq_ = rec.value().applied_seq.value();
  }

  void set_time(TimestampNs ts) { now_ = ts; }
  // Applies a registry command; returns its refusal if the Registrar refused it.
  std::optional<RegistrarFailure> reg(const RegistryCommand& c) {
    const Seq seq = next();
    auto r = applier_.apply_registry(seq, now_, c);
    EXPECT_TRUE(r.ok());
    if (!r.ok()) return std::nullopt;
    journal(seq, std::move(r.value().payload));
    return r.value().outcome.refused;
  }
  void eng(const CommandBody& body) {
    const Seq seq = next();
    const Command cmd{seq, now_, body};
    std::vector<std::uint8_t> payload;
    if (seq.value() % 2 == 0) {  // both live paths: the hot-path apply_engine and apply_record
      auto r = applier_.apply_engine(cmd);
      EXPECT_TRUE(r.ok());
      if (r.ok()) payload.assign(r.value().begin(), r.value().end());
    } else {
      const CommandRecord rec = encode(cmd);
      payload.assign(rec.begin(), rec.end());
      EXPECT_TRUE(applier_.apply_record(seq, now_, payload).ok());
    }
    core_.clear_events();
    journal(seq, std::move(payload));
  }
  void commit() {
    if (payloads_.empty()) return;
    std::vector<JournalEntry> entries;
    for (std::size_t i = 0; i < payloads_.size(); ++i)
      entries.push_back(JournalEntry{seqs_[i], times_[i], payloads_[i]});
    Batch b;
    b.journal = entries;
    std::vector<std::uint8_t> state;
    if (registrar_.dirty()) {
      state = registrar_.state_blob();
      b.registry_state = std::span<const std::uint8_t>(state);
    }
    ASSERT_TRUE(store_->commit_batch(b, ledger_).ok()) << store_->last_error_detail();
    registrar_.mark_committed();
    payloads_.clear();
    seqs_.clear();
    times_.clear();
  }
  Seq seq() const { return Seq(seq_); }

  Store& store() { return *store_; }
  Ledger& ledger() { return ledger_; }
  Core& core() { return core_; }
  Registrar& registrar() { return registrar_; }

 private:
  Seq next() {
    now_ = TimestampNs(now_.value() + 1'000);  // strictly increasing within a day
    return Seq(++seq_);
  }
  void journal(Seq seq, std::vector<std::uint8_t> payload) {
    payloads_.push_back(std::move(payload));
    seqs_.push_back(seq);
    times_.push_back(now_);
    if (payloads_.size() >= commit_every_) commit();
  }

  std::unique_ptr<Store> store_;
  Ledger ledger_;
  Core core_;
  Registrar registrar_;
  JournalApplier applier_;
  std::size_t commit_every_;
  std::uint64_t seq_ = 0;
  TimestampNs now_{0};
  std::vector<std::vector<std::uint8_t>> payloads_;
  std::vector<Seq> seqs_;
  std::vector<TimestampNs> times_;
};

}  // namespace carbonx::registry::registrar_testing
