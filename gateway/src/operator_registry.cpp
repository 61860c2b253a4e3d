// ExchangeDriver: the registry's operator verbs (core thread; operator_handlers.hpp). Every state
// change is a registry command (registry/registry_commands.hpp) applied through the JournalApplier
// and journaled — refused or not — so replay from genesis rebuilds the same ledger and registrar.
// Status queries read the state after the commands before them (released with their batch).
#include <map>
#include <nlohmann/json.hpp>

#include "carbonx/registry/allocation/report.hpp"
#include "carbonx/registry/compliance/inputs.hpp"
#include "carbonx/registry/compliance/report.hpp"
#include "carbonx/registry/registrar.hpp"
#include "operator_handlers.hpp"

namespace carbonx::gateway {
namespace {

using json = nlohmann::json;
using registry::RegistrarError;

OperatorReply error_reply(std::uint32_t status, const std::string& text) {
  return OperatorReply{status, json{{"ok", false}, {"error", text}}.dump()};
}

// A refusal of the request itself (bad input) is 400; one of the state (conflict) is 409.
std::uint32_t http_status_of(RegistrarError e) {
  switch (e) {
    case RegistrarError::kBadTransferId:
    case RegistrarError::kBadAmount:
    case RegistrarError::kUnknownAsset:
    case RegistrarError::kBadEmissions:
    case RegistrarError::kBadDate:
    case RegistrarError::kBadFirmId:
    case RegistrarError::kUnknownTable:
    case RegistrarError::kBadFacilities:
      return 400;
    default:
      return 409;
  }
}

// compliance.status: compliance::status_json (per firm obligation, surrendered, shortfall,
// status, settlement and penalty) with each firm's deadline (an operator's extension included)
// and what was surrendered for the year per trading day (all firms; for the progress chart).
std::string compliance_status_json(const compliance::Compliance& c, std::uint16_t year) {
  json st = json::parse(compliance::status_json(c, year));
  const compliance::DateInt normal = c.profile().deadline(year);
  for (json& f : st.at("firms")) {
    const compliance::DateInt d = c.deadline(year, f.at("firm").get<std::string>());
    f["deadline"] = d;
    f["extended"] = d != normal;
  }
  std::map<std::int32_t, std::pair<std::int64_t, std::int64_t>> per_day;
  for (const compliance::SurrenderRecord& s : c.surrenders()) {
    if (s.year != year) continue;
    auto& day = per_day[trading_date(s.ts).yyyymmdd];
    day.first += s.allowances_t;
    day.second += s.offsets_t();
  }
  json days = json::array();
  for (const auto& [date, t] : per_day)
    days.push_back({{"date", date}, {"allowances_t", t.first}, {"offsets_t", t.second}});
  st["surrenders"] = std::move(days);
  return json{{"ok", true}, {"status", std::move(st)}}.dump();
}

}  // namespace

static_assert(verbs::kMaxQuantityT == registry::kMaxCommandQuantityT,
              "account.limit's range in the verb table is the registry's");

OperatorReply OperatorHandlers::registry_command(const registry::RegistryCommand& cmd) {
  if (const auto lim = registry::check_registry_limits(cmd); !lim.ok()) {
    return error_reply(
        400,  // nothing applied, no seq taken
        "over a registry command limit: " + std::string(registry::to_string(lim.error())));
  }
  const auto refused = d_.run_registry(ts_, cmd);
  if (refused) {
    return OperatorReply{http_status_of(refused->code),
                         json{{"ok", false},
                              {"error", std::string(registry::to_string(refused->code))},
                              {"detail", refused->detail},
                              {"seq", d_.seq_.value()}}
                             .dump()};
  }
  return OperatorReply{200, json{{"ok", true}, {"seq", d_.seq_.value()}}.dump()};
}

OperatorReply OperatorHandlers::operator()(const verbs::ComplianceStatus& r) {
  return OperatorReply{200, compliance_status_json(d_.registrar_->compliance(), r.year)};
}

OperatorReply OperatorHandlers::operator()(const verbs::AllocationStatus& r) {
  return OperatorReply{200, "{\"ok\":true,\"issuance\":" +
                                allocation::issuance_json(d_.registrar_->allocator(), r.year) +
                                "}"};
}

OperatorReply OperatorHandlers::operator()(const verbs::AccountOpen& r) {
  registry::Account a;
  a.id = r.id;
  a.kind = r.kind;
  a.member = r.member;
  a.owner_entity = r.owner_entity;
  a.region_code = r.region_code;
  a.compliance_year = r.compliance_year;
  return registry_command(registry::OpenAccount{a});
}

OperatorReply OperatorHandlers::operator()(const verbs::AccountSetStatus& r) {
  return registry_command(registry::SetAccountStatus{r.account, r.status});
}

// account.limit: tonnes >= 0 per instrument (the table checked the range), or null: -1, the
// account kind's limit (Ledger::set_holding_limit).
OperatorReply OperatorHandlers::operator()(const verbs::AccountLimit& r) {
  return registry_command(registry::SetHoldingLimit{r.account, r.limit_t.value_or(-1)});
}

OperatorReply OperatorHandlers::operator()(const verbs::CashDeposit& r) {
  return registry_command(registry::Deposit{r.transfer_id, r.account, r.amount_fen, r.reference});
}

OperatorReply OperatorHandlers::operator()(const verbs::CashWithdraw& r) {
  return registry_command(registry::Withdraw{r.transfer_id, r.account, r.amount_fen, r.reference});
}

OperatorReply OperatorHandlers::operator()(const verbs::UnitsIssue& r) {
  const InstrumentConfig* ins = instrument(r.symbol);
  if (ins == nullptr) return unknown_symbol(r.symbol);
  return registry_command(
      registry::IssueUnits{r.transfer_id, r.account, asset_of(ins->id), r.quantity_t, r.reference});
}

OperatorReply OperatorHandlers::operator()(const verbs::FirmRegister& r) {
  return registry_command(registry::RegisterFirm{r.firm, r.account, r.member, r.region});
}

OperatorReply OperatorHandlers::operator()(const verbs::AllocationIssue& r) {
  return registry_command(registry::AllocationIssue{r.year, r.table_id, r.csv_text});
}

OperatorReply OperatorHandlers::operator()(const verbs::AllocationTrueUp& r) {
  return registry_command(registry::AllocationTrueUp{r.year, r.table_id, r.csv_text});
}

// Emission rows: as given, or parsed from "csv_text" by the operator edge.
OperatorReply OperatorHandlers::operator()(const verbs::EmissionsLoad& r) {
  if (!r.rows) return not_admitted(verbs::EmissionsLoad::kMeta.name);
  std::vector<registry::EmissionRow> rows;
  rows.reserve(r.rows->size());
  for (const verbs::EmissionRow& row : *r.rows)
    rows.push_back({row.firm, row.year, row.emissions_t});
  return registry_command(registry::LoadVerifiedEmissions{std::move(rows)});
}

OperatorReply OperatorHandlers::operator()(const verbs::Surrender& r) {
  registry::Surrender s;
  s.firm_account = r.firm_account;
  s.year = r.year;
  s.member = r.member;
  for (const verbs::SurrenderLeg& leg : r.legs) {
    const InstrumentConfig* ins = instrument(leg.symbol);
    if (ins == nullptr) return unknown_symbol(leg.symbol);
    s.legs.push_back({asset_of(ins->id), leg.quantity_t});
  }
  return registry_command(s);
}

OperatorReply OperatorHandlers::operator()(const verbs::ComplianceExtension& r) {
  return registry_command(registry::RecordExtension{r.firm_account, r.year, r.date});
}

OperatorReply OperatorHandlers::operator()(const verbs::ComplianceExemption& r) {
  return registry_command(registry::RecordExemption{r.firm_account, r.year});
}

OperatorReply OperatorHandlers::operator()(const verbs::ComplianceSettle& r) {
  return registry_command(registry::SettleCompliance{r.year});
}

// Member authority: a member the gateway does not know, or an account that is not open, is
// refused here (404, nothing journaled); the registrar refuses a grant held already or a revoke
// of none (409, journaled as refused). The edge sees the change once its batch is committed.
OperatorReply OperatorHandlers::operator()(const verbs::AuthorityGrant& r) {
  if (!d_.members_->by_id(r.member.value())) {
    return error_reply(404, "no such member: " + std::to_string(r.member.value()));
  }
  if (d_.ledger_->account(r.account) == nullptr) {
    return error_reply(404, "no such account: " + std::to_string(r.account.value()));
  }
  return registry_command(registry::GrantAuthority{r.member, r.account});
}

OperatorReply OperatorHandlers::operator()(const verbs::AuthorityRevoke& r) {
  if (!d_.members_->by_id(r.member.value())) {
    return error_reply(404, "no such member: " + std::to_string(r.member.value()));
  }
  return registry_command(registry::RevokeAuthority{r.member, r.account});
}

OperatorReply OperatorHandlers::operator()(const verbs::AuthorityList& r) {
  json pairs = json::array();
  for (const auto& [member, account] : d_.registrar_->authority()) {
    if (r.member && *r.member != member) continue;
    if (r.account && *r.account != account) continue;
    pairs.push_back({{"member", member.value()}, {"account", account.value()}});
  }
  return OperatorReply{200, json{{"ok", true}, {"authority", std::move(pairs)}}.dump()};
}

}  // namespace carbonx::gateway
