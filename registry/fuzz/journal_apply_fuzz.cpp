// libFuzzer target for the JournalApplier (journal_applier.hpp), the one applier of journal
// records at recovery and replay: arbitrary records applied to a small exchange (a Core and a
// Registrar over one registry Ledger) after a fixed genesis (accounts opened, cash deposited,
// units issued, the market open, orders resting). The input is a list of records, each
// [u16 little-endian length][payload]; record i gets seq genesis + i and a timestamp a second
// after the previous. An engine command that decodes is applied as it is (its seq differs from
// the record's: refused) and again under the record's seq. Every record is either refused with a
// JournalApplyError, changing nothing (the core's, ledger's and registrar's state hashes stay), or
// applied, and then the ledger's invariants hold (Ledger::verify: every asset sums to zero,
// holds equal frozen balances, no balance below what its kind allows). At the end the records
// applied, replayed into a second exchange from the same genesis, give the same three hashes.
// Seeds: lists of records of both families made by the encoders (engine/fuzz/fuzz_seeds.hpp).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "carbonx/engine/commands.hpp"
#include "carbonx/engine/core.hpp"
#include "carbonx/registry/journal_applier.hpp"
#include "carbonx/registry/ledger.hpp"
#include "carbonx/registry/registrar.hpp"
#include "carbonx/registry/registry_commands.hpp"
#include "fuzz_seeds.hpp"

namespace {

using namespace carbonx;
using namespace carbonx::registry;

constexpr AccountId kGov{1};
constexpr AccountId kSettle{2};
constexpr AccountId kFee{3};
constexpr AccountId kRetire{9'017};
constexpr AccountId kFirm{100};
constexpr AccountId kInvestor{101};
constexpr AccountId kOther{102};
constexpr InstrumentId kGdea{1};
constexpr InstrumentId kCcer{2001};
constexpr std::int64_t kStartNs = 1'514'851'200LL * 1'000'000'000;  // 2018-01-02 00:00 UTC

void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "journal_apply_fuzz: %s\n", what);
    std::abort();
  }
}

InstrumentConfig instrument(InstrumentId id, const char* code, ProductKind product) {
  InstrumentConfig c;
  c.id = id;
  c.code = code;
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

const ExchangeConfig& exchange_config() {
  static const ExchangeConfig cfg = [] {
    ExchangeConfig c;
    c.fee_account = kFee;
    c.limits.max_orders_per_book = 256;
    c.limits.max_orders_per_level = 16;
    c.limits.max_price_levels = 1024;
    c.limits.max_fills_per_order = 16;
    c.limits.outbox_capacity = 1024;
    auto gdea = instrument(kGdea, "GDEA2017", ProductKind::kAllowance);
    gdea.vintage = 2017;
    auto ccer = instrument(kCcer, "CCERGDWIND1", ProductKind::kCcer);
    ccer.project = {"CCER-GD-WIND-001", "guangdong", "wind", Date{20140101}, Date{20201231}};
    c.instruments = {gdea, ccer};
    return c;
  }();
  return cfg;
}

RegistrarConfig registrar_config() {
  RegistrarConfig rc;
  rc.government_account = kGov;
  rc.instruments = exchange_config().instruments;
  rc.jurisdiction.name = "guangdong";  // the deadline (June 20) and the penalty; no tables
  rc.jurisdiction.deadline_month = 6;
  rc.jurisdiction.deadline_day = 20;
  rc.jurisdiction.accepts_ccer = true;
  rc.jurisdiction.region = "guangdong";
  rc.jurisdiction.penalty_multiplier = 2;
  rc.jurisdiction.fine_fen = AmountFen(5'000'000);
  return rc;
}

registry::Ledger::Options ledger_options() {
  registry::Ledger::Options o;
  o.cash_settlement_account = kSettle;
  return o;
}

// One record of the journal: its payload (its seq and timestamp are the applier's).
using Payload = std::vector<std::uint8_t>;

Account account(AccountId id, AccountKind kind, std::uint16_t year = 0) {
  Account a;
  a.id = id;
  a.kind = kind;
  a.compliance_year = year;
  a.member = MemberId(1);
  return a;
}

Payload engine(const CommandBody& body) {
  const CommandRecord r = encode(Command{Seq(1), TimestampNs(0), body});  // seq set when applied
  return Payload(r.begin(), r.end());
}

NewOrder order(AccountId a, Side side, std::int64_t price, std::int64_t qty, const char* clid) {
  NewOrder o;
  o.account = a;
  o.member = MemberId(1);
  o.instrument = kGdea;
  o.side = side;
  o.price_fen = PriceFen(price);
  o.quantity_t = QuantityT(qty);
  o.client_order_id = make_client_order_id(clid);
  return o;
}

// The genesis every input starts from.
const std::vector<Payload>& genesis() {
  static const std::vector<Payload> records = [] {
    std::vector<Payload> g;
    const auto reg = [&](const RegistryCommand& c) { g.push_back(encode_registry_command(c)); };
    for (const Account& a :
         {account(kGov, AccountKind::kGovernmentIssuance),
          account(kSettle, AccountKind::kCashSettlement), account(kFee, AccountKind::kExchangeFee),
          account(kRetire, AccountKind::kRetirement, 2017),
          account(kFirm, AccountKind::kControlEmissionFirm),
          account(kInvestor, AccountKind::kInvestmentInstitution),
          account(kOther, AccountKind::kIndividual)})
      reg(OpenAccount{a});
    std::uint64_t transfer = 1;
    for (AccountId a : {kFirm, kInvestor, kOther}) {
      reg(Deposit{TransferId(transfer++), a, AmountFen(100'000'000), 0});
      reg(IssueUnits{TransferId(transfer++), a, asset_of(kGdea), 50'000, 0});
      reg(IssueUnits{TransferId(transfer++), a, asset_of(kCcer), 5'000, 0});
    }
    reg(RegisterFirm{"F-001", kFirm, MemberId(1), "guangdong"});
    g.push_back(engine(SetPhase{true, InstrumentId(0), Phase::kContinuous}));
    g.push_back(engine(order(kInvestor, Side::kSell, 2'010, 100, "G1")));
    g.push_back(engine(order(kOther, Side::kBuy, 1'990, 200, "G2")));
    return g;
  }();
  return records;
}

// Splits the input into payloads: [u16 LE length][bytes], a short last one taking what is left.
std::vector<Payload> split(std::span<const std::uint8_t> in) {
  std::vector<Payload> out;
  std::size_t i = 0;
  while (i + 2 <= in.size() && out.size() < 64) {
    const std::size_t n = std::size_t{in[i]} | std::size_t{in[i + 1]} << 8;
    i += 2;
    const std::size_t take = std::min(n, in.size() - i);
    out.emplace_back(in.begin() + static_cast<std::ptrdiff_t>(i),
                     in.begin() + static_cast<std::ptrdiff_t>(i + take));
    i += take;
  }
  return out;
}

void append(std::vector<std::uint8_t>& to, const Payload& p) {
  to.push_back(static_cast<std::uint8_t>(p.size() & 0xff));
  to.push_back(static_cast<std::uint8_t>(p.size() >> 8));
  to.insert(to.end(), p.begin(), p.end());
}

struct Hashes {
  std::uint64_t core = 0;
  Digest ledger{};
  Digest registrar{};
  friend bool operator==(const Hashes&, const Hashes&) = default;
};

class Exchange {
 public:
  Exchange()
      : ledger_(ledger_options()),
        core_(exchange_config(), ledger_),
        registrar_(registrar_config(), ledger_),
        applier_(core_, registrar_) {
    for (const Payload& p : genesis()) {
      const std::optional<Payload> engine_record = with_next_seq(p);
      check(apply(engine_record ? *engine_record : p).ok(), "the genesis is refused");
    }
    check(ledger_.verify().empty(), "the genesis breaks the ledger's invariants");
  }

  // Applies `payload` as the next record; an engine command is given the record's seq first.
  Result<AppliedRecord, JournalApplyFailure> apply(std::span<const std::uint8_t> payload) {
    const Seq seq(applier_.last_seq().value() + 1);
    const TimestampNs ts(kStartNs + static_cast<std::int64_t>(seq.value()) * 1'000'000'000);
    auto out = applier_.apply_record(seq, ts, payload);
    core_.clear_events();
    return out;
  }
  // An engine record under the seq it would need (a copy with the record's seq), if it decodes.
  std::optional<Payload> with_next_seq(std::span<const std::uint8_t> payload) const {
    if (is_registry_record(payload)) return std::nullopt;
    auto cmd = decode(payload);
    if (!cmd.ok()) return std::nullopt;
    Command c = cmd.value();
    c.seq = Seq(applier_.last_seq().value() + 1);
    const CommandRecord r = encode(c);
    return Payload(r.begin(), r.end());
  }
  Hashes hashes() const {
    return {core_.state_hash(), ledger_.state_hash(), registrar_.state_hash()};
  }
  const registry::Ledger& ledger() const { return ledger_; }

 private:
  registry::Ledger ledger_;
  Core core_;
  Registrar registrar_;
  JournalApplier applier_;
};

// Applies one record, checking what a refusal and an application promise; true if applied.
bool apply_checked(Exchange& x, std::span<const std::uint8_t> payload) {
  const Hashes before = x.hashes();
  const auto r = x.apply(payload);
  if (!r.ok()) {
    check(x.hashes() == before, "a refused record changed the exchange");
    return false;
  }
  const auto problems = x.ledger().verify();
  if (!problems.empty()) {
    std::fprintf(stderr, "journal_apply_fuzz: %s\n", problems.front().c_str());
    check(false, "an applied record broke the ledger's invariants");
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  std::vector<std::uint8_t> trading;
  append(trading, engine(order(kFirm, Side::kBuy, 2'010, 50, "S1")));
  append(trading, engine(Replace{kOther, MemberId(1), kGdea, OrderId(2), PriceFen(2'010),
                                 QuantityT(100), make_client_order_id("S2")}));
  append(trading,
         engine(Cancel{kInvestor, MemberId(1), kGdea, OrderId(1), make_client_order_id("S3")}));
  append(trading, engine(MassCancel{false, true, false, MemberId(0), kOther, InstrumentId(0)}));
  append(trading,
         engine(AgreementReport{kInvestor, MemberId(1), kGdea, Side::kSell, kFirm, PriceFen(2'000),
                                QuantityT(10), make_client_order_id("S4")}));
  append(trading, engine(EndOfDay{}));
  fuzz::write_seed("trading", trading);

  std::vector<std::uint8_t> registry;
  append(registry, encode_registry_command(Withdraw{TransferId(50), kOther, AmountFen(1'000), 0}));
  append(registry, encode_registry_command(SetAccountStatus{kOther, AccountStatus::kFrozen}));
  append(registry, encode_registry_command(SetAccountStatus{kInvestor, AccountStatus::kFrozen}));
  append(registry, encode_registry_command(SetHoldingLimit{kFirm, 10}));
  append(registry,
         encode_registry_command(LoadVerifiedEmissions{{EmissionRow{"F-001", 2017, 30'000}}}));
  Surrender s{kFirm, 2017, MemberId(1), {}};
  s.legs.push_back(SurrenderLegCmd{asset_of(kGdea), 20'000});
  s.legs.push_back(SurrenderLegCmd{asset_of(kCcer), 1'000});
  append(registry, encode_registry_command(s));
  append(registry, encode_registry_command(SettleCompliance{2017}));
  fuzz::write_seed("registry", registry);

  std::vector<std::uint8_t> mixed;
  append(mixed, engine(order(kFirm, Side::kSell, 1'990, 30, "M1")));
  append(mixed, encode_registry_command(SetAccountStatus{kFirm, AccountStatus::kFrozen}));
  append(mixed, encode_registry_command(SetAccountStatus{kOther, AccountStatus::kClosed}));
  append(mixed, engine(order(kInvestor, Side::kBuy, 2'010, 20, "M2")));
  fuzz::write_seed("mixed", mixed);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Exchange live;
  std::vector<Payload> applied;
  for (const Payload& p : split(std::span<const std::uint8_t>(data, size))) {
    if (apply_checked(live, p)) applied.push_back(p);
    if (const auto fixed = live.with_next_seq(p)) {
      if (apply_checked(live, *fixed)) applied.push_back(*fixed);
    }
  }
  // Replay: the same records from the same genesis give the same state.
  Exchange replay;
  for (const Payload& p : applied)
    check(replay.apply(p).ok(), "a record applied live is refused on replay");
  check(replay.hashes() == live.hashes(), "the replay differs from the live exchange");
  return 0;
}
