#include "carbonx/registry/registrar.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <utility>

#include "carbonx/engine/assert.hpp"
#include "carbonx/registry/allocation/compute.hpp"
#include "carbonx/registry/allocation/facility.hpp"
#include "carbonx/registry/compliance/instruments.hpp"

namespace carbonx::registry {

std::string_view to_string(RegistrarError e) noexcept {
  switch (e) {
    case RegistrarError::kAccount:
      return "account operation refused";
    case RegistrarError::kTransfer:
      return "posting refused";
    case RegistrarError::kBadTransferId:
      return "not a usable client transfer id";
    case RegistrarError::kBadAmount:
      return "amount must be > 0";
    case RegistrarError::kUnknownAsset:
      return "no such instrument";
    case RegistrarError::kBadEmissions:
      return "verified emissions out of range";
    case RegistrarError::kUnknownAccount:
      return "no such account";
    case RegistrarError::kBadDate:
      return "not a calendar date";
    case RegistrarError::kOpenHolds:
      return "the account has open holds (orders)";
    case RegistrarError::kNotFirmAccount:
      return "not a control emission firm account";
    case RegistrarError::kFirmConflict:
      return "firm or account registered otherwise";
    case RegistrarError::kBadFirmId:
      return "bad firm id";
    case RegistrarError::kUnknownFirm:
      return "no firm registered on the account";
    case RegistrarError::kUnknownTable:
      return "no such allocation table";
    case RegistrarError::kBadFacilities:
      return "facility data does not parse";
    case RegistrarError::kAllocation:
      return "allocation refused";
    case RegistrarError::kCompliance:
      return "compliance refused";
    case RegistrarError::kBadState:
      return "unreadable registrar state";
    case RegistrarError::kBadAuthority:
      return "authority needs a member and an account (not 0)";
    case RegistrarError::kAuthorityHeld:
      return "the member already has authority over the account";
    case RegistrarError::kNoAuthority:
      return "the member has no authority over the account";
  }
  return "unknown";
}

namespace {

using Failed = Status<RegistrarFailure>;
constexpr std::string_view kStateSchema = "carbonx.registrar.state";
constexpr int kStateVersion = 2;     // 2: with "authority"
constexpr int kStateVersionMin = 1;  // 1: before authority was journaled (none)

Err<RegistrarFailure> fail(RegistrarError code, std::string detail, std::uint8_t sub = 0) {
  return Err(RegistrarFailure{code, sub, std::move(detail)});
}
Err<RegistrarFailure> from(const RegistryError e) {
  return fail(RegistrarError::kAccount, std::string(to_string(e)), static_cast<std::uint8_t>(e));
}
Err<RegistrarFailure> from(const LedgerError e) {
  return fail(RegistrarError::kTransfer, std::string(to_string(e)), static_cast<std::uint8_t>(e));
}
Err<RegistrarFailure> from(const allocation::AllocationFailure& f) {
  return fail(RegistrarError::kAllocation,
              std::string(to_string(f.code)) + (f.detail.empty() ? "" : ": " + f.detail),
              static_cast<std::uint8_t>(f.code));
}
Err<RegistrarFailure> from(const compliance::ComplianceFailure& f) {
  return fail(RegistrarError::kCompliance,
              std::string(to_string(f.code)) + (f.detail.empty() ? "" : ": " + f.detail),
              static_cast<std::uint8_t>(f.code));
}

// Client ids only, and never in the id domains allocation and compliance derive theirs from.
bool usable_client_id(TransferId id) {
  if (!is_client_transfer_id(id) || id.value() == 0) return false;
  const auto domain = static_cast<std::uint8_t>((id.value() >> 56) & 0x7F);
  return domain != allocation::kAllocationDomain && domain != allocation::kComplianceDomain;
}

}  // namespace

Registrar::Registrar(RegistrarConfig config, Ledger& ledger)
    : config_(std::move(config)), ledger_(ledger), compliance_(config_.jurisdiction) {
  for (std::size_t i = 0; i < config_.tables.size(); ++i) {
    for (std::size_t j = i + 1; j < config_.tables.size(); ++j)
      CX_ASSERT(config_.tables[i].table_id != config_.tables[j].table_id);
  }
  offsets_ = compliance::offsets_from_instruments(config_.instruments);
  directory_.government_account = config_.government_account;
  directory_.allowance_by_vintage = compliance::allowance_vintages(config_.instruments);
  refresh_retirement();
}

void Registrar::refresh_retirement() {
  directory_.retirement_by_year.clear();
  for (const Account& a : ledger_.accounts()) {
    if (a.kind == AccountKind::kRetirement && a.status != AccountStatus::kClosed)
      directory_.retirement_by_year.emplace(a.compliance_year, a.id);
  }
}

Status<RegistrarFailure> Registrar::apply(Seq seq, TimestampNs ts, const RegistryCommand& cmd) {
  seq_ = seq;
  ts_ = ts;
  ledger_.begin_command(seq, ts);
  auto st = std::visit([&](const auto& c) { return on(c); }, cmd);
  return st;
}

Status<RegistrarFailure> Registrar::on(const OpenAccount& c) {
  if (auto st = ledger_.open_account(c.account); !st) return from(st.error());
  if (c.account.kind == AccountKind::kRetirement) refresh_retirement();
  return {};
}

Status<RegistrarFailure> Registrar::on(const SetAccountStatus& c) {
  if (c.status == AccountStatus::kFrozen) {
    for (const BalanceDetail& b : ledger_.balances_of(c.account)) {
      if (b.frozen != 0) {
        return fail(RegistrarError::kOpenHolds,
                    fmt::format("account {} has {} frozen in asset {}", c.account.value(), b.frozen,
                                b.asset.value()));
      }
    }
  }
  if (auto st = ledger_.set_status(c.account, c.status); !st) return from(st.error());
  if (const Account* a = ledger_.account(c.account); a && a->kind == AccountKind::kRetirement)
    refresh_retirement();
  return {};
}

Status<RegistrarFailure> Registrar::on(const SetHoldingLimit& c) {
  if (auto st = ledger_.set_holding_limit(c.account, c.limit_t); !st) return from(st.error());
  return {};
}

Status<RegistrarFailure> Registrar::on(const Deposit& c) {
  if (!usable_client_id(c.transfer))
    return fail(RegistrarError::kBadTransferId, std::to_string(c.transfer.value()));
  if (auto st = check_amount(ledger_.options().cash_settlement_account, c.account, kCashAsset,
                             c.amount_fen.value(), kMaxCommandAmountFen);
      !st)
    return st;
  auto st = ledger_.deposit(c.transfer, c.account, c.amount_fen, c.reference);
  if (!st) return from(st.error());
  return {};
}

Status<RegistrarFailure> Registrar::on(const Withdraw& c) {
  if (!usable_client_id(c.transfer))
    return fail(RegistrarError::kBadTransferId, std::to_string(c.transfer.value()));
  if (auto st = check_amount(c.account, ledger_.options().cash_settlement_account, kCashAsset,
                             c.amount_fen.value(), kMaxCommandAmountFen);
      !st)
    return st;
  auto st = ledger_.withdraw(c.transfer, c.account, c.amount_fen, c.reference);
  if (!st) return from(st.error());
  return {};
}

Status<RegistrarFailure> Registrar::on(const IssueUnits& c) {
  if (!usable_client_id(c.transfer))
    return fail(RegistrarError::kBadTransferId, std::to_string(c.transfer.value()));
  if (auto st = check_amount(config_.government_account, c.account, c.asset, c.quantity_t,
                             kMaxCommandQuantityT);
      !st)
    return st;
  bool known = false;
  for (const InstrumentConfig& i : config_.instruments)
    known = known || asset_of(i.id) == c.asset;
  if (!known) return fail(RegistrarError::kUnknownAsset, std::to_string(c.asset.value()));
  const Posting p{c.transfer, config_.government_account, c.account,  c.asset, c.quantity_t,
                  kNoHold,    TransferKind::kIssuance,    c.reference};
  if (auto st = ledger_.post(std::span(&p, 1)); !st) return from(st.error());
  return {};
}

Status<RegistrarFailure> Registrar::on(const RegisterFirm& c) {
  if (c.firm.empty()) return fail(RegistrarError::kBadFirmId, "empty");
  const Account* a = ledger_.account(c.account);
  if (a == nullptr) return fail(RegistrarError::kUnknownAccount, std::to_string(c.account.value()));
  if (a->kind != AccountKind::kControlEmissionFirm)
    return fail(RegistrarError::kNotFirmAccount, std::to_string(c.account.value()));
  const allocation::FirmAccount want{c.account, c.member, c.region};
  if (const auto* f = directory_.firm(c.firm)) {
    if (f->account == want.account && f->member == want.member && f->region == want.region)
      return {};  // the same registration again
    return fail(RegistrarError::kFirmConflict, "firm " + c.firm + " is registered otherwise");
  }
  if (firm_by_account_.contains(c.account)) {
    return fail(RegistrarError::kFirmConflict, "account " + std::to_string(c.account.value()) +
                                                   " belongs to firm " +
                                                   firm_by_account_.at(c.account));
  }
  directory_.firms.emplace(c.firm, want);
  firm_by_account_.emplace(c.account, c.firm);
  dirty_ = true;
  return {};
}

Status<RegistrarFailure> Registrar::allocate(int year, const std::string& table_id,
                                             const std::string& csv, allocation::Stage stage) {
  const allocation::AllocationTable* table = nullptr;
  for (const auto& t : config_.tables) {
    if (t.table_id == table_id) table = &t;
  }
  if (table == nullptr) return fail(RegistrarError::kUnknownTable, table_id);
  auto set = allocation::parse_facilities("journal", csv, *table);
  if (!set.ok()) return fail(RegistrarError::kBadFacilities, to_string(set.error()));
  auto run = allocation::compute_allocation(set.value(), *table, year, stage);
  if (!run.ok()) return from(run.error());
  auto issued = stage == allocation::Stage::kPre
                    ? allocator_.issue_pre_allocation(run.value(), directory_, ledger_, ts_)
                    : allocator_.issue_true_up(run.value(), directory_, ledger_, ts_);
  if (!issued.ok()) return from(issued.error());
  dirty_ = true;
  return {};
}

Status<RegistrarFailure> Registrar::on(const AllocationIssue& c) {
  return allocate(c.year, c.table_id, c.facilities_csv, allocation::Stage::kPre);
}

Status<RegistrarFailure> Registrar::on(const AllocationTrueUp& c) {
  return allocate(c.year, c.table_id, c.facilities_csv, allocation::Stage::kFinal);
}

Status<RegistrarFailure> Registrar::on(const LoadVerifiedEmissions& c) {
  std::vector<compliance::VerifiedEmissions> rows;
  rows.reserve(c.rows.size());
  for (std::size_t i = 0; i < c.rows.size(); ++i) {
    const EmissionRow& r = c.rows[i];
    if (r.emissions_t < 0 || r.emissions_t > compliance::kMaxEmissionsT) {
      return fail(RegistrarError::kBadEmissions,
                  fmt::format("row {} firm {}: {} t", i + 1, r.firm, r.emissions_t));
    }
    rows.push_back({r.firm, r.year, r.emissions_t, i + 1});
  }
  if (auto st = compliance_.record_emissions(rows); !st) return from(st.error());
  dirty_ = true;
  return {};
}

Status<RegistrarFailure> Registrar::check_amount(AccountId debit, AccountId credit, AssetId asset,
                                                 std::int64_t amount, std::int64_t limit) const {
  if (amount <= 0 || amount > limit)
    return fail(RegistrarError::kBadAmount, fmt::format("{} not in 1..{}", amount, limit));
  const BalanceView d = ledger_.balance(debit, asset);
  const BalanceView c = ledger_.balance(credit, asset);
  std::int64_t out = 0;
  if (__builtin_sub_overflow(d.available, amount, &out) ||
      __builtin_add_overflow(c.available, amount, &out) ||
      __builtin_add_overflow(out, c.frozen, &out))
    return fail(RegistrarError::kBadAmount, fmt::format("{} would overflow a balance", amount));
  return {};
}

Result<std::string, RegistrarFailure> Registrar::firm_of(AccountId account) const {
  auto it = firm_by_account_.find(account);
  if (it == firm_by_account_.end())
    return fail(RegistrarError::kUnknownFirm, std::to_string(account.value()));
  return it->second;
}

Status<RegistrarFailure> Registrar::on(const Surrender& c) {
  auto firm = firm_of(c.firm_account);
  if (!firm.ok()) return Err(firm.error());
  compliance::SurrenderRequest req;
  req.year = c.year;
  req.firm = firm.value();
  req.actor =
      c.member.value() == 0 ? compliance::Actor::op() : compliance::Actor::member_of(c.member);
  for (const SurrenderLegCmd& l : c.legs)
    req.legs.push_back({l.asset, l.quantity_t});
  refresh_retirement();
  auto r = compliance_.surrender(req, directory_, offsets_, allocator_, ledger_, ts_);
  if (!r.ok()) return from(r.error());
  dirty_ = true;
  return {};
}

Status<RegistrarFailure> Registrar::on(const RecordExtension& c) {
  const std::int32_t d = c.date_yyyymmdd;
  if (!compliance::is_date(d)) {
    return fail(RegistrarError::kBadDate,
                fmt::format("{} (yyyymmdd, years {}..{})", d, compliance::kMinDateYear,
                            compliance::kMaxDateYear));
  }
  auto firm = firm_of(c.firm_account);
  if (!firm.ok()) return Err(firm.error());
  auto st = compliance_.record_extension(c.year, firm.value(), c.date_yyyymmdd);
  if (!st) return from(st.error());
  dirty_ = true;
  return {};
}

Status<RegistrarFailure> Registrar::on(const RecordExemption& c) {
  auto firm = firm_of(c.firm_account);
  if (!firm.ok()) return Err(firm.error());
  if (auto st = compliance_.record_exemption(c.year, firm.value()); !st) return from(st.error());
  dirty_ = true;
  return {};
}

Status<RegistrarFailure> Registrar::on(const SettleCompliance& c) {
  auto r = compliance_.settle(c.year, ts_, allocator_);
  if (!r.ok()) return from(r.error());
  dirty_ = true;
  return {};
}

Status<RegistrarFailure> Registrar::on(const GrantAuthority& c) {
  if (c.member.value() == 0 || c.account.value() == 0)
    return fail(RegistrarError::kBadAuthority,
                fmt::format("member {} account {}", c.member.value(), c.account.value()));
  if (!authority_.emplace(c.member, c.account).second) {
    return fail(RegistrarError::kAuthorityHeld,
                fmt::format("member {} account {}", c.member.value(), c.account.value()));
  }
  authority_by_account_.emplace(c.account, c.member);
  ++authority_version_;
  dirty_ = true;
  return {};
}

Status<RegistrarFailure> Registrar::on(const RevokeAuthority& c) {
  if (c.member.value() == 0 || c.account.value() == 0)
    return fail(RegistrarError::kBadAuthority,
                fmt::format("member {} account {}", c.member.value(), c.account.value()));
  if (authority_.erase({c.member, c.account}) == 0) {
    return fail(RegistrarError::kNoAuthority,
                fmt::format("member {} account {}", c.member.value(), c.account.value()));
  }
  authority_by_account_.erase({c.account, c.member});
  ++authority_version_;
  dirty_ = true;
  return {};
}

std::vector<MemberId> Registrar::members_of(AccountId account) const {
  std::vector<MemberId> out;
  for (auto it = authority_by_account_.lower_bound({account, MemberId(0)});
       it != authority_by_account_.end() && it->first == account; ++it)
    out.push_back(it->second);
  return out;
}

std::vector<std::uint8_t> Registrar::state_blob() const {
  nlohmann::json firms = nlohmann::json::array();
  for (const auto& [id, f] : directory_.firms) {
    firms.push_back({{"firm", id},
                     {"account", f.account.value()},
                     {"member", f.member.value()},
                     {"region", f.region}});
  }
  nlohmann::json authority = nlohmann::json::array();  // [member, account], ascending
  for (const auto& [member, account] : authority_)
    authority.push_back({member.value(), account.value()});
  const nlohmann::json j = {{"schema", kStateSchema},
                            {"version", kStateVersion},
                            {"firms", std::move(firms)},
                            {"authority", std::move(authority)},
                            {"allocation", allocator_.serialize()},
                            {"compliance", compliance_.serialize()}};
  const std::string text = j.dump();
  return {text.begin(), text.end()};
}

Digest Registrar::state_hash() const {
  const auto blob = state_blob();
  return Sha256::of(std::span<const std::uint8_t>(blob));
}

Status<RegistrarFailure> Registrar::restore(std::span<const std::uint8_t> blob) {
  if (blob.empty()) {
    allocator_ = allocation::Allocator{};
    compliance_ = compliance::Compliance(config_.jurisdiction);
    directory_.firms.clear();
    firm_by_account_.clear();
    authority_.clear();
    authority_by_account_.clear();
    ++authority_version_;
    refresh_retirement();
    dirty_ = false;
    return {};
  }
  const auto j = nlohmann::json::parse(blob.begin(), blob.end(), nullptr, false);
  const int version = j.is_object() ? j.value("version", 0) : 0;
  if (j.is_discarded() || !j.is_object() || j.value("schema", "") != kStateSchema ||
      version < kStateVersionMin || version > kStateVersion || !j.contains("firms") ||
      !j["firms"].is_array() || !j.contains("allocation") || !j["allocation"].is_string() ||
      !j.contains("compliance") || !j["compliance"].is_string() ||
      (version >= 2 && (!j.contains("authority") || !j["authority"].is_array())))
    return fail(RegistrarError::kBadState, "not a carbonx.registrar.state version 1-2 record");
  AuthorityPairs authority;
  if (version >= 2) {
    for (const auto& p : j["authority"]) {
      if (!p.is_array() || p.size() != 2 || !p[0].is_number_unsigned() ||
          !p[1].is_number_unsigned() || p[0].get<std::uint64_t>() == 0 ||
          p[0].get<std::uint64_t>() > UINT32_MAX || p[1].get<std::uint64_t>() == 0 ||
          p[1].get<std::uint64_t>() > UINT32_MAX)
        return fail(RegistrarError::kBadState, "malformed authority entry");
      if (!authority
               .emplace(MemberId(p[0].get<std::uint32_t>()), AccountId(p[1].get<std::uint32_t>()))
               .second)
        return fail(RegistrarError::kBadState, "authority listed twice");
    }
  }
  std::map<std::string, allocation::FirmAccount, std::less<>> firms;
  std::map<AccountId, std::string> by_account;
  for (const auto& f : j["firms"]) {
    if (!f.is_object() || !f.contains("firm") || !f["firm"].is_string() || !f.contains("account") ||
        !f["account"].is_number_unsigned() || !f.contains("member") ||
        !f["member"].is_number_unsigned() || !f.contains("region") || !f["region"].is_string())
      return fail(RegistrarError::kBadState, "malformed firm entry");
    const auto account = AccountId(f["account"].get<std::uint32_t>());
    const auto firm = f["firm"].get<std::string>();
    if (!firms
             .emplace(firm,
                      allocation::FirmAccount{account, MemberId(f["member"].get<std::uint32_t>()),
                                              f["region"].get<std::string>()})
             .second ||
        !by_account.emplace(account, firm).second)
      return fail(RegistrarError::kBadState, "firm registered twice: " + firm);
  }
  auto alloc = allocation::Allocator::restore(j["allocation"].get<std::string>());
  if (!alloc.ok()) return fail(RegistrarError::kBadState, "allocation: " + alloc.error().detail);
  auto comp =
      compliance::Compliance::restore(config_.jurisdiction, j["compliance"].get<std::string>());
  if (!comp.ok()) return fail(RegistrarError::kBadState, "compliance: " + comp.error().detail);
  allocator_ = std::move(alloc.value());
  compliance_ = std::move(comp.value());
  directory_.firms = std::move(firms);
  firm_by_account_ = std::move(by_account);
  authority_ = std::move(authority);
  authority_by_account_.clear();
  for (const auto& [member, account] : authority_)
    authority_by_account_.emplace(account, member);
  ++authority_version_;
  refresh_retirement();
  dirty_ = false;
  return {};
}

}  // namespace carbonx::registry
