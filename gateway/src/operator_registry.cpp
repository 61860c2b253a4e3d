// ExchangeDriver: operator API verbs of the registry (core thread). Every state change is a
// registry command (registry/registry_commands.hpp) applied through the JournalApplier and
// journaled — refused or not — so replay from genesis rebuilds the same ledger and registrar.
// Status queries read the state after the commands before them (released with their batch).
#include <map>
#include <nlohmann/json.hpp>

#include "carbonx/gateway/exchange_driver.hpp"
#include "carbonx/registry/allocation/report.hpp"
#include "carbonx/registry/compliance/inputs.hpp"
#include "carbonx/registry/compliance/report.hpp"
#include "carbonx/registry/registrar.hpp"

namespace carbonx::gateway {
namespace {

using json = nlohmann::json;
using registry::RegistrarError;

json error_json(const std::string& text) {
  return json{{"ok", false}, {"error", text}};
}

std::optional<registry::AccountKind> account_kind(const std::string& s) {
  using K = registry::AccountKind;
  if (s == "control_emission_firm") return K::kControlEmissionFirm;
  if (s == "investment_institution") return K::kInvestmentInstitution;
  if (s == "individual") return K::kIndividual;
  if (s == "retirement") return K::kRetirement;
  return std::nullopt;
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

std::uint16_t year_of(const json& in, const char* key) {
  const int y = in.at(key).get<int>();
  if (y < 1 || y > 9999) throw std::invalid_argument(std::string(key) + ": 1..9999");
  return static_cast<std::uint16_t>(y);
}

// Emission rows from {"rows":[{firm,year,emissions_t}]} or {"csv_text": "<registry/data format>"}.
std::vector<registry::EmissionRow> emission_rows(const json& in) {
  std::vector<registry::EmissionRow> rows;
  if (in.contains("csv_text")) {
    auto parsed =
        compliance::parse_verified_emissions("emissions", in.at("csv_text").get<std::string>());
    if (!parsed.ok()) throw std::invalid_argument(allocation::to_string(parsed.error()));
    for (const auto& v : parsed.value())
      rows.push_back({v.firm, static_cast<std::uint16_t>(v.year), v.emissions_t});
    return rows;
  }
  for (const json& r : in.at("rows")) {
    rows.push_back({r.at("firm").get<std::string>(), year_of(r, "year"),
                    r.at("emissions_t").get<std::int64_t>()});
  }
  return rows;
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

// account.limit: {"account", "limit_t": tonnes >= 0 per instrument, or null for the kind's}.
registry::SetHoldingLimit holding_limit_of(const json& in) {
  const json& l = in.at("limit_t");
  std::int64_t limit_t = -1;  // the account kind's limit (Ledger::set_holding_limit)
  if (!l.is_null()) {
    if (!l.is_number_integer()) throw std::invalid_argument("limit_t: whole tonnes or null");
    limit_t = l.get<std::int64_t>();
    if (limit_t < 0 || limit_t > registry::kMaxCommandQuantityT) {
      throw std::invalid_argument("limit_t: 0.." + std::to_string(registry::kMaxCommandQuantityT) +
                                  " t, or null for the account kind's limit");
    }
  }
  return registry::SetHoldingLimit{AccountId(in.at("account").get<std::uint32_t>()), limit_t};
}

}  // namespace

std::optional<std::string> ExchangeDriver::registry_operator_json(TimestampNs ts,
                                                                  const std::string& v,
                                                                  const std::string& body_json,
                                                                  std::uint32_t* status) {
  const json in = body_json.empty() ? json::object() : json::parse(body_json);
  if (v == "compliance.status") {
    return compliance_status_json(registrar_->compliance(), year_of(in, "year"));
  }
  if (v == "allocation.status") {
    return "{\"ok\":true,\"issuance\":" +
           allocation::issuance_json(registrar_->allocator(), year_of(in, "year")) + "}";
  }
  std::optional<registry::RegistryCommand> cmd;
  if (v == "account.open") {
    const auto kind = account_kind(in.at("kind").get<std::string>());
    if (!kind) {
      *status = 400;
      return error_json(
                 "kind: control_emission_firm | investment_institution | individual | retirement")
          .dump();
    }
    registry::Account a;
    a.id = AccountId(in.at("id").get<std::uint32_t>());
    a.kind = *kind;
    a.member = MemberId(in.value("member", 0u));
    a.owner_entity = in.value("owner_entity", std::uint64_t{0});
    a.region_code = in.value("region_code", 0u);
    a.compliance_year = in.value("compliance_year", std::uint16_t{0});
    cmd = registry::OpenAccount{a};
  } else if (v == "account.status") {
    const std::string s = in.at("status").get<std::string>();
    const auto st = s == "active"   ? registry::AccountStatus::kActive
                    : s == "frozen" ? registry::AccountStatus::kFrozen
                    : s == "closed" ? registry::AccountStatus::kClosed
                                    : throw std::invalid_argument("status: active|frozen|closed");
    cmd = registry::SetAccountStatus{AccountId(in.at("account").get<std::uint32_t>()), st};
  } else if (v == "account.limit") {
    cmd = holding_limit_of(in);
  } else if (v == "cash.deposit" || v == "cash.withdraw") {
    const TransferId id(in.at("transfer_id").get<std::uint64_t>());
    const AccountId account(in.at("account").get<std::uint32_t>());
    const AmountFen amount(in.at("amount_fen").get<std::int64_t>());
    const std::uint64_t ref = in.value("reference", std::uint64_t{0});
    if (v == "cash.deposit") {
      cmd = registry::Deposit{id, account, amount, ref};
    } else {
      cmd = registry::Withdraw{id, account, amount, ref};
    }
  } else if (v == "units.issue") {
    const InstrumentConfig* ins = instrument_by_symbol(in.at("symbol").get<std::string>());
    if (ins == nullptr) {
      *status = 400;
      return error_json("unknown symbol").dump();
    }
    cmd = registry::IssueUnits{TransferId(in.at("transfer_id").get<std::uint64_t>()),
                               AccountId(in.at("account").get<std::uint32_t>()), asset_of(ins->id),
                               in.at("quantity_t").get<std::int64_t>(),
                               in.value("reference", std::uint64_t{0})};
  } else if (v == "firm.register") {
    cmd = registry::RegisterFirm{in.at("firm").get<std::string>(),
                                 AccountId(in.at("account").get<std::uint32_t>()),
                                 MemberId(in.value("member", 0u)), in.value("region", "")};
  } else if (v == "allocation.issue") {
    cmd = registry::AllocationIssue{year_of(in, "year"), in.at("table_id").get<std::string>(),
                                    in.at("csv_text").get<std::string>()};
  } else if (v == "allocation.trueup") {
    cmd = registry::AllocationTrueUp{year_of(in, "year"), in.at("table_id").get<std::string>(),
                                     in.at("csv_text").get<std::string>()};
  } else if (v == "emissions.load") {
    cmd = registry::LoadVerifiedEmissions{emission_rows(in)};
  } else if (v == "surrender") {
    registry::Surrender s;
    s.firm_account = AccountId(in.at("firm_account").get<std::uint32_t>());
    s.year = year_of(in, "year");
    s.member = MemberId(in.value("member", 0u));
    for (const json& leg : in.at("legs")) {
      const InstrumentConfig* ins = instrument_by_symbol(leg.at("symbol").get<std::string>());
      if (ins == nullptr) {
        *status = 400;
        return error_json("unknown symbol " + leg.at("symbol").get<std::string>()).dump();
      }
      s.legs.push_back({asset_of(ins->id), leg.at("quantity_t").get<std::int64_t>()});
    }
    cmd = std::move(s);
  } else if (v == "compliance.extension") {
    cmd = registry::RecordExtension{AccountId(in.at("firm_account").get<std::uint32_t>()),
                                    year_of(in, "year"), in.at("date").get<std::int32_t>()};
  } else if (v == "compliance.exemption") {
    cmd = registry::RecordExemption{AccountId(in.at("firm_account").get<std::uint32_t>()),
                                    year_of(in, "year")};
  } else if (v == "compliance.settle") {
    cmd = registry::SettleCompliance{year_of(in, "year")};
  } else {
    return std::nullopt;
  }
  if (const auto lim = registry::check_registry_limits(*cmd); !lim.ok()) {
    *status = 400;  // nothing applied, no seq taken
    return error_json("over a registry command limit: " +
                      std::string(registry::to_string(lim.error())))
        .dump();
  }
  const auto refused = run_registry(ts, *cmd);
  if (refused) {
    *status = http_status_of(refused->code);
    return json{{"ok", false},
                {"error", std::string(registry::to_string(refused->code))},
                {"detail", refused->detail},
                {"seq", seq_.value()}}
        .dump();
  }
  return json{{"ok", true}, {"seq", seq_.value()}}.dump();
}

}  // namespace carbonx::gateway
