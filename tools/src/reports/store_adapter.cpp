// Adapters from the store and the compliance state to the report rows (store_adapter.hpp).
#include "carbonx/tools/store_adapter.hpp"

#include <algorithm>
#include <filesystem>
#include <set>
#include <tuple>

#include "carbonx/registry/ledger.hpp"
#include "carbonx/registry/store.hpp"

namespace carbonx::tools {
namespace {

using registry::TransferRecord;

std::optional<TradeMode> mode_of(TransferKind k) {
  switch (k) {
    case TransferKind::kTrade:
      return TradeMode::kListed;
    case TransferKind::kAgreement:
      return TradeMode::kAgreement;
    case TransferKind::kAuction:
      return TradeMode::kAuction;
    case TransferKind::kRepoFirstLeg:
    case TransferKind::kRepoRepurchase:
      return TradeMode::kRepo;
    default:
      return std::nullopt;
  }
}

}  // namespace

ParticipantType participant_of(registry::AccountKind k) noexcept {
  switch (k) {
    case registry::AccountKind::kControlEmissionFirm:
      return ParticipantType::kControlFirm;
    case registry::AccountKind::kInvestmentInstitution:
      return ParticipantType::kInstitution;
    case registry::AccountKind::kIndividual:
      return ParticipantType::kIndividual;
    default:
      return ParticipantType::kOther;
  }
}

std::vector<TradeRow> trades_from_transfers(
    const std::vector<TransferRecord>& transfers,
    const std::map<std::uint32_t, registry::AccountKind>& kinds, std::size_t* unmatched) {
  // Cash legs by (kind, reference, payer, payee), in log order; each is used once.
  using Key = std::tuple<std::uint8_t, std::uint64_t, std::uint32_t, std::uint32_t>;
  std::map<Key, std::vector<const TransferRecord*>> cash;
  std::vector<const TransferRecord*> units;
  std::vector<const TransferRecord*> sorted;
  for (const TransferRecord& t : transfers)
    sorted.push_back(&t);
  std::sort(sorted.begin(), sorted.end(),
            [](const TransferRecord* a, const TransferRecord* b) { return a->pos < b->pos; });
  for (const TransferRecord* t : sorted) {
    if (!mode_of(static_cast<TransferKind>(t->kind))) continue;
    if (t->asset == kCashAsset.value()) {
      cash[Key{t->kind, t->reference, t->debit, t->credit}].push_back(t);
    } else {
      units.push_back(t);
    }
  }
  const auto type_of = [&](std::uint32_t account) {
    const auto it = kinds.find(account);
    return it == kinds.end() ? ParticipantType::kOther : participant_of(it->second);
  };
  std::map<Key, std::size_t> used;
  std::vector<TradeRow> out;
  std::size_t missing = 0;
  for (const TransferRecord* u : units) {
    // Units go seller (debit) -> buyer (credit); the cash goes buyer -> seller.
    const Key key{u->kind, u->reference, u->credit, u->debit};
    const auto it = cash.find(key);
    std::size_t& next = used[key];
    if (it == cash.end() || next >= it->second.size()) {
      ++missing;
      continue;
    }
    const TransferRecord* c = it->second[next++];
    TradeRow row;
    row.date = trading_date(TimestampNs(u->ts_ns));
    row.instrument = InstrumentId(u->asset);
    row.mode = *mode_of(static_cast<TransferKind>(u->kind));
    row.quantity_t = QuantityT(u->amount);
    row.notional_fen = AmountFen(c->amount);
    row.buyer = type_of(u->credit);
    row.seller = type_of(u->debit);
    row.order = u->pos;
    out.push_back(row);
  }
  if (unmatched != nullptr) *unmatched = missing;
  return out;
}

std::vector<InstrumentInfo> instrument_infos(const ExchangeConfig& config) {
  std::vector<InstrumentInfo> out;
  for (const InstrumentConfig& i : config.instruments) {
    out.push_back(InstrumentInfo{i.id, i.code, i.reference_price_fen, i.tick_fen});
  }
  return out;
}

Result<StoreSnapshot, ReadError> read_store(const std::string& store_dir, std::size_t page) {
  std::error_code ec;
  if (!std::filesystem::is_directory(store_dir, ec)) {
    return Err(ReadError{"no store in " + store_dir + " (initialise one with `cxctl init`)"});
  }
  std::string detail;
  registry::StoreOptions options;  // a report reads: never creates, never writes
  options.mode = registry::OpenMode::kOpenExisting;
  options.read_only = true;
  auto opened = registry::Store::open(store_dir, options, &detail);
  if (!opened.ok()) {
    const bool locked = opened.error() == registry::StoreError::kLocked;
    return Err(ReadError{"cannot open the store in " + store_dir + ": " +
                         std::string(registry::to_string(opened.error())) +
                         (detail.empty() ? "" : " (" + detail + ")") +
                         (locked ? "; carbonxd is running: ask it through the operator API" : "")});
  }
  registry::Store& store = *opened.value();
  registry::Ledger ledger;
  const auto rec = store.load(ledger);
  if (!rec.ok()) {
    return Err(ReadError{"cannot load the store in " + store_dir + ": " +
                         std::string(registry::to_string(rec.error()))});
  }
  StoreSnapshot s;
  s.applied_seq = rec.value().applied_seq.value();
  s.accounts = ledger.accounts();
  std::set<std::uint64_t> seen;
  for (const registry::Account& a : s.accounts) {
    std::uint64_t from = 0;
    for (;;) {
      auto st = store.statement(a.id, from, page);
      if (!st.ok()) {
        return Err(ReadError{"cannot read the statement of account " +
                             std::to_string(a.id.value()) + ": " +
                             std::string(registry::to_string(st.error()))});
      }
      for (const TransferRecord& t : st.value().transfers) {
        if (seen.insert(t.pos).second) s.transfers.push_back(t);
      }
      if (!st.value().next_pos) break;
      from = *st.value().next_pos;
    }
  }
  std::sort(s.transfers.begin(), s.transfers.end(),
            [](const TransferRecord& a, const TransferRecord& b) { return a.pos < b.pos; });
  return s;
}

std::map<std::uint32_t, registry::AccountKind> account_kinds(const StoreSnapshot& s) {
  std::map<std::uint32_t, registry::AccountKind> out;
  for (const registry::Account& a : s.accounts)
    out[a.id.value()] = a.kind;
  return out;
}

StoreCompliance compliance_from_store(const StoreSnapshot& s, const ExchangeConfig& config,
                                      int year,
                                      const std::map<std::string, std::int64_t>& emissions,
                                      const std::map<std::string, std::uint32_t>& firm_accounts) {
  std::set<std::uint32_t> retirement;
  for (const registry::Account& a : s.accounts) {
    if (a.kind == registry::AccountKind::kRetirement && a.compliance_year == year) {
      retirement.insert(a.id.value());
    }
  }
  std::map<std::uint32_t, bool> is_allowance;
  for (const InstrumentConfig& i : config.instruments) {
    is_allowance[i.id.value()] = i.product == ProductKind::kAllowance;
  }
  std::map<std::uint32_t, FirmRow> by_account;
  StoreCompliance out;
  for (const auto& [firm, account] : firm_accounts) {
    const auto e = emissions.find(firm);
    if (e == emissions.end()) continue;
    FirmRow& row = by_account[account];
    row.firm = firm;
    row.obligation_t = e->second;
  }
  for (const TransferRecord& t : s.transfers) {
    if (static_cast<TransferKind>(t.kind) != TransferKind::kSurrender) continue;
    if (retirement.count(t.credit) == 0) continue;
    const bool allowance = is_allowance[t.asset];
    SurrenderPoint p{trading_date(TimestampNs(t.ts_ns)), allowance ? t.amount : 0,
                     allowance ? 0 : t.amount};
    out.surrenders.push_back(p);
    const auto it = by_account.find(t.debit);
    if (it == by_account.end()) continue;
    (allowance ? it->second.allowances_t : it->second.offsets_t) += t.amount;
  }
  for (auto& [account, row] : by_account)
    out.firms.push_back(std::move(row));
  return out;
}

StoreCompliance compliance_from_state(const compliance::Compliance& c, int year) {
  StoreCompliance out;
  for (const compliance::FirmStatus& f : c.status(year)) {
    FirmRow row;
    row.firm = f.firm;
    row.obligation_t = f.obligation_t;
    row.allowances_t = f.allowances_t;
    row.offsets_t = f.offsets_t;
    row.exempt = f.state == compliance::FirmState::kExempt;
    row.settled = f.settled;
    row.penalty_t = f.penalty_t;
    row.fine_fen = f.fine_fen;
    out.firms.push_back(std::move(row));
  }
  for (const compliance::SurrenderRecord& s : c.surrenders()) {
    if (s.year != year) continue;
    out.surrenders.push_back(SurrenderPoint{trading_date(s.ts), s.allowances_t, s.offsets_t()});
  }
  return out;
}

}  // namespace carbonx::tools
