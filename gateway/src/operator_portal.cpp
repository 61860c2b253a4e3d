// ExchangeDriver: the firm portal's verbs (core thread; operator_handlers.hpp). Reads only: a
// firm's overview (holdings, obligation, offset cap, surrenders), a surrender's preview (the
// registrar's dry run, Registrar::preview_surrender: the decision the surrender verb would get
// now, every rule listed), the certificate of an accepted surrender by its journal seq, and an
// account's movements over a period from the store. Nothing here takes a seq or changes state.
// Who may ask for which firm is the console's check (gateway/src/console/portal.cpp).
#include <algorithm>
#include <cctype>
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>

#include "carbonx/registry/allocation/compute.hpp"
#include "carbonx/registry/registrar.hpp"
#include "operator_handlers.hpp"

namespace carbonx::gateway {
namespace {

using json = nlohmann::json;
using compliance::ComplianceError;

OperatorReply error_reply(std::uint32_t status, const std::string& text) {
  return OperatorReply{status, json{{"ok", false}, {"error", text}}.dump()};
}

constexpr std::size_t kMaxStatementRows = 10'000;
constexpr std::size_t kStatementPage = 1'024;
constexpr std::size_t kMaxStatementScan = 1'000'000;  // transfers read for one statement

bool year_ok(int year) {
  return year >= allocation::kMinYear && year < allocation::kMaxYear;
}

// The registered firm on `account`: (firm id, its FirmAccount), or nullopt.
std::optional<std::pair<std::string, allocation::FirmAccount>> firm_on(
    const registry::Registrar& reg, AccountId account) {
  for (const auto& [id, f] : reg.directory().firms) {
    if (f.account == account) return std::pair{id, f};
  }
  return std::nullopt;
}

std::string date_text(std::int32_t yyyymmdd) {
  char b[16];
  std::snprintf(b, sizeof b, "%04d-%02d-%02d", yyyymmdd / 10000, yyyymmdd / 100 % 100,
                yyyymmdd % 100);
  return b;
}

// "2018-05-15 09:30:00 CST" (China Standard Time, UTC+8).
std::string cst_text(TimestampNs ts) {
  const std::int64_t s = ts.value() / 1'000'000'000 + 8 * 3600;
  const std::int64_t sod = ((s % 86'400) + 86'400) % 86'400;
  char b[40];
  std::snprintf(b, sizeof b, "%s %02d:%02d:%02d CST", date_text(trading_date(ts).yyyymmdd).c_str(),
                static_cast<int>(sod / 3600), static_cast<int>(sod / 60 % 60),
                static_cast<int>(sod % 60));
  return b;
}

// Whole tonnes of a non-negative Decimal, rounded down (the most a cap lets through).
std::int64_t floor_t(allocation::Decimal d) {
  __int128 p = 1;
  for (int i = 0; i < d.scale; ++i)
    p *= 10;
  return static_cast<std::int64_t>(d.mantissa / p);
}

// An asset's instrument and its kind for the portal: symbol, "allowance"/"ccer"/"phcer",
// vintage or project and region. Cash is "CNY".
json asset_json(const Core& core, AssetId asset) {
  if (asset == kCashAsset) return {{"symbol", "CNY"}, {"kind", "cash"}};
  const InstrumentConfig* ins = core.instrument(InstrumentId(asset.value()));
  if (ins == nullptr) return {{"symbol", std::to_string(asset.value())}, {"kind", "unknown"}};
  json j{{"symbol", ins->code}, {"kind", std::string(to_string(ins->product))}};
  if (ins->product == ProductKind::kAllowance) {
    j["vintage"] = ins->vintage;
  } else {
    j["project"] = ins->project.project_id;
    j["region"] = ins->project.region;
    j["project_type"] = ins->project.project_type;
  }
  return j;
}

json legs_json(const Core& core, const std::vector<compliance::SurrenderLeg>& legs) {
  json out = json::array();
  for (const compliance::SurrenderLeg& l : legs) {
    json j = asset_json(core, l.asset);
    j["quantity_t"] = l.quantity_t;
    out.push_back(std::move(j));
  }
  return out;
}

// The firm's standing for the year: obligation, surrendered, deadline, offset cap, in-region.
json standing_json(const compliance::Compliance& c, const compliance::FirmStanding& s,
                   TimestampNs now) {
  const compliance::JurisdictionProfile& p = c.profile();
  json cap{{"basis", std::string(compliance::to_string(p.cap_basis))},
           {"fraction", allocation::to_string(p.offset_cap)},
           {"used_t", s.offsets_t()}};
  if (s.cap_basis_t) {
    cap["basis_t"] = *s.cap_basis_t;
    cap["cap_t"] = allocation::to_string(s.offset_cap);
    cap["room_t"] = std::max<std::int64_t>(0, floor_t(s.offset_cap) - s.offsets_t());
  }
  return {{"jurisdiction", p.name},
          {"year", s.year},
          {"has_obligation", s.has_obligation},
          {"obligation_t", s.obligation_t},
          {"exempt", s.exempt},
          {"deadline", date_text(s.deadline)},
          {"extended", s.extended},
          {"on_time", c.on_time(s.year, s.firm, now)},
          {"allowances_t", s.allowances_t},
          {"offsets_t", s.offsets_t()},
          {"remaining_t", s.remaining_t()},
          {"surrenders", s.surrenders},
          {"offset_cap", std::move(cap)},
          {"in_region",
           {{"region", p.region},
            {"min_share", allocation::to_string(p.ccer_in_region_min)},
            {"ccer_t", s.ccer_t},
            {"ccer_in_region_t", s.ccer_in_region_t},
            {"phcer_t", s.phcer_t}}}};
}

}  // namespace

OperatorReply OperatorHandlers::operator()(const verbs::FirmOverview& req) {
  verbs::FirmOverview r = req;
  if (!r.year) {  // the year whose deadline is next: last year's until its deadline has passed
    const int today_year = trading_date(ts_).yyyymmdd / 10000;
    const int last = today_year - 1;
    const bool last_open =
        year_ok(last) && ts_ < compliance::day_end_exclusive_cst(
                                   d_.registrar_->compliance().profile().deadline(last));
    r.year = static_cast<std::uint16_t>(last_open ? last : today_year);
  }
  const int year = *r.year;
  if (!year_ok(year)) return error_reply(400, "year " + std::to_string(year) + " out of range");
  const auto firm = firm_on(*d_.registrar_, r.firm_account);
  if (!firm) {
    return error_reply(404,
                       "no registered firm on account " + std::to_string(r.firm_account.value()));
  }
  json holdings = json::array();
  for (const registry::BalanceDetail& b : d_.ledger_->balances_of(r.firm_account)) {
    json h = asset_json(*d_.core_, b.asset);
    h["available"] = b.available;
    h["frozen"] = b.frozen;
    holdings.push_back(std::move(h));
  }
  const compliance::Compliance& c = d_.registrar_->compliance();
  const auto standing = c.standing(year, firm->first, d_.registrar_->allocator());
  json surrenders = json::array();
  for (const compliance::SurrenderRecord& s : c.surrenders()) {
    if (s.firm != firm->first || s.year != year) continue;
    surrenders.push_back({{"number", s.number},
                          {"time", cst_text(s.ts)},
                          {"allowances_t", s.allowances_t},
                          {"offsets_t", s.offsets_t()},
                          {"legs", legs_json(*d_.core_, s.legs)}});
  }
  const registry::Account* acct = d_.ledger_->account(r.firm_account);
  return OperatorReply{
      200,
      json{{"ok", true},
           {"firm", firm->first},
           {"firm_account", r.firm_account.value()},
           {"member", firm->second.member.value()},
           {"account_status", acct == nullptr ? "unknown" : std::string(to_string(acct->status))},
           {"now", cst_text(ts_)},
           {"holdings", std::move(holdings)},
           {"compliance", standing_json(c, standing, ts_)},
           {"surrenders", std::move(surrenders)}}
          .dump()};
}

namespace {

// The surrender rules in the order the registrar checks them (compliance.cpp), each with the
// errors that name it. The three leg rules are checked leg by leg, interleaved.
struct Rule {
  const char* name;
  std::vector<ComplianceError> errors;
  bool per_leg;
};
const std::vector<Rule>& rules() {
  static const std::vector<Rule> kRules{
      {"firm",
       {ComplianceError::kBadYear, ComplianceError::kUnknownFirm, ComplianceError::kNotAuthorised},
       false},
      {"obligation", {ComplianceError::kExempt, ComplianceError::kNoVerifiedEmissions}, false},
      {"deadline", {ComplianceError::kAfterDeadline}, false},
      {"units",
       {ComplianceError::kTooManySurrenders, ComplianceError::kBadLegs,
        ComplianceError::kUnknownUnit},
       true},
      {"vintage", {ComplianceError::kVintageTooNew}, true},
      {"offset eligibility",
       {ComplianceError::kOffsetKindNotAccepted, ComplianceError::kOffsetNotEligible},
       true},
      {"remaining obligation", {ComplianceError::kExceedsObligation}, false},
      {"offset cap",
       {ComplianceError::kOffsetCapBasisMissing, ComplianceError::kOffsetCapExceeded},
       false},
      {"in-province share", {ComplianceError::kInRegionShareTooLow}, false},
      {"retirement account", {ComplianceError::kNoRetirementAccount}, false},
      {"holdings", {ComplianceError::kLedger}, false},
  };
  return kRules;
}

// What each rule checked, in numbers (shown beside "passed"), from the state before.
json rule_details(const ExchangeDriver& d, const registry::Surrender& s,
                  const compliance::FirmStanding& st) {
  const compliance::JurisdictionProfile& p = d.registrar().compliance().profile();
  std::int64_t allow = 0, ccer = 0, ccer_in = 0, phcer = 0;
  std::string holdings;
  for (const registry::SurrenderLegCmd& l : s.legs) {
    const InstrumentConfig* ins = d.core().instrument(InstrumentId(l.asset.value()));
    const std::string code = ins == nullptr ? std::to_string(l.asset.value()) : ins->code;
    const std::int64_t avail = d.ledger().balance(s.firm_account, l.asset).available;
    holdings += (holdings.empty() ? "" : "; ") + code + ": " + std::to_string(l.quantity_t) +
                " t of " + std::to_string(avail) + " t available";
    if (ins == nullptr) continue;
    if (ins->product == ProductKind::kAllowance) allow += l.quantity_t;
    if (ins->product == ProductKind::kPhcer) phcer += l.quantity_t;
    if (ins->product == ProductKind::kCcer) {
      ccer += l.quantity_t;
      if (!p.region.empty() && ins->project.region.size() == p.region.size() &&
          std::equal(p.region.begin(), p.region.end(), ins->project.region.begin(),
                     [](char a, char b) {
                       return std::tolower(static_cast<unsigned char>(a)) ==
                              std::tolower(static_cast<unsigned char>(b));
                     })) {
        ccer_in += l.quantity_t;
      }
    }
  }
  const std::int64_t offsets_after = st.offsets_t() + ccer + phcer;
  const std::string cap = st.cap_basis_t ? allocation::to_string(st.offset_cap) : "unknown";
  return {{"firm", "account " + std::to_string(s.firm_account.value()) + ", firm " + st.firm},
          {"obligation", "verified emissions " + std::to_string(st.obligation_t) + " t"},
          {"deadline", "deadline " + date_text(st.deadline) + " (end of day, CST)"},
          {"units", std::to_string(s.legs.size()) + " leg(s)"},
          {"vintage", "allowances of vintage <= " + std::to_string(s.year)},
          {"offset eligibility", "offsets accepted in " + p.name},
          {"remaining obligation", std::to_string(st.allowances_t + st.offsets_t()) + " t + " +
                                       std::to_string(allow + ccer + phcer) + " t <= obligation " +
                                       std::to_string(st.obligation_t) + " t"},
          {"offset cap", "offsets " + std::to_string(offsets_after) + " t, cap " +
                             allocation::to_string(p.offset_cap) + " x " +
                             std::string(compliance::to_string(p.cap_basis)) + " = " + cap + " t"},
          {"in-province share", "CCER from " + p.region + " " +
                                    std::to_string(st.ccer_in_region_t + ccer_in) + " t of " +
                                    std::to_string(st.ccer_t + ccer) + " t, needs " +
                                    allocation::to_string(p.ccer_in_region_min) + " of it"},
          {"retirement account", "retirement account of " + std::to_string(s.year)},
          {"holdings", holdings}};
}

}  // namespace

OperatorReply OperatorHandlers::operator()(const verbs::SurrenderPreview& r) {
  registry::Surrender s;
  s.firm_account = r.firm_account;
  s.year = r.year;
  s.member = r.member;
  for (const verbs::SurrenderLeg& leg : r.legs) {
    const InstrumentConfig* ins = instrument(leg.symbol);
    if (ins == nullptr) return unknown_symbol(leg.symbol);
    s.legs.push_back({asset_of(ins->id), leg.quantity_t});
  }
  if (const auto lim = registry::check_registry_limits(s); !lim.ok()) {
    return error_reply(
        400, "over a registry command limit: " + std::string(registry::to_string(lim.error())));
  }
  const auto decision = d_.registrar_->preview_surrender(s, ts_);
  const auto firm = firm_on(*d_.registrar_, r.firm_account);
  // Which rule refused: the compliance error's rule; a registrar refusal (no firm) is "firm".
  std::optional<std::size_t> refused_at;
  if (!decision.ok()) {
    refused_at = 0;
    if (decision.error().code == registry::RegistrarError::kCompliance) {
      const auto e = static_cast<ComplianceError>(decision.error().sub);
      for (std::size_t i = 0; i < rules().size(); ++i) {
        if (std::ranges::find(rules()[i].errors, e) != rules()[i].errors.end()) refused_at = i;
      }
    }
  }
  json details;
  if (firm && year_ok(r.year)) {
    details = rule_details(
        d_, s,
        d_.registrar_->compliance().standing(r.year, firm->first, d_.registrar_->allocator()));
  }
  json checks = json::array();
  for (std::size_t i = 0; i < rules().size(); ++i) {
    const Rule& rule = rules()[i];
    std::string status = "passed";
    std::string detail = details.is_object() ? details.value(rule.name, "") : "";
    if (refused_at && i == *refused_at) {
      status = "refused";
      detail = decision.error().detail;
    } else if (refused_at && (i > *refused_at || (rule.per_leg && rules()[*refused_at].per_leg))) {
      status = "not checked";  // after the refusal, or a leg rule beside a refused leg rule
    }
    checks.push_back({{"rule", rule.name}, {"status", status}, {"detail", detail}});
  }
  json out{{"ok", true},
           {"accepted", decision.ok()},
           {"firm", firm ? firm->first : ""},
           {"firm_account", r.firm_account.value()},
           {"member", firm ? firm->second.member.value() : 0},
           {"year", r.year},
           {"checks", std::move(checks)}};
  if (decision.ok()) {
    const compliance::SurrenderRecord& rec = decision.value();
    out["record"] = {{"number", rec.number},   {"allowances_t", rec.allowances_t},
                     {"ccer_t", rec.ccer_t},   {"ccer_in_region_t", rec.ccer_in_region_t},
                     {"phcer_t", rec.phcer_t}, {"legs", legs_json(*d_.core_, rec.legs)}};
  } else {
    out["error"] = std::string(registry::to_string(decision.error().code));
    out["detail"] = decision.error().detail;
    out["rule"] = rules()[*refused_at].name;
  }
  return OperatorReply{200, out.dump()};
}

// The journal record at `seq` (committed: a reply is released only after its batch's commit)
// must be a Surrender of this firm, and the compliance state must hold the surrender it made
// (same firm, year, time and legs): a refused surrender, another firm's or another command has
// no certificate (404).
OperatorReply OperatorHandlers::operator()(const verbs::SurrenderCertificate& r) {
  const std::string none = "no accepted surrender of account " +
                           std::to_string(r.firm_account.value()) + " at seq " +
                           std::to_string(r.seq);
  if (r.seq == 0 || r.seq > d_.store_->applied_seq().value()) return error_reply(404, none);
  std::optional<registry::Surrender> cmd;
  TimestampNs ts{0};
  registry::Digest hash{};
  const auto read = d_.store_->read_journal(Seq(r.seq), [&](const registry::JournalRecordView& v) {
    if (v.seq.value() != r.seq || !registry::is_registry_record(v.payload)) return false;
    auto c = registry::decode_registry_command(v.payload);
    if (c.ok() && std::holds_alternative<registry::Surrender>(c.value())) {
      cmd = std::get<registry::Surrender>(c.value());
      ts = v.ts;
      hash = v.hash;
    }
    return false;  // one record
  });
  if (!read.ok()) return error_reply(500, "the journal cannot be read");
  if (!cmd || cmd->firm_account != r.firm_account) return error_reply(404, none);
  const auto firm = firm_on(*d_.registrar_, r.firm_account);
  if (!firm) return error_reply(404, none);
  const compliance::SurrenderRecord* rec = nullptr;
  for (const compliance::SurrenderRecord& s : d_.registrar_->compliance().surrenders()) {
    if (s.firm != firm->first || s.year != cmd->year || s.ts != ts ||
        s.legs.size() != cmd->legs.size()) {
      continue;
    }
    bool same = true;
    for (std::size_t i = 0; i < s.legs.size(); ++i) {
      same = same && s.legs[i].asset == cmd->legs[i].asset &&
             s.legs[i].quantity_t == cmd->legs[i].quantity_t;
    }
    if (same) rec = &s;
  }
  if (rec == nullptr) return error_reply(404, none);
  const compliance::Compliance& c = d_.registrar_->compliance();
  json cert{{"firm", rec->firm},
            {"firm_account", r.firm_account.value()},
            {"by", rec->actor == compliance::ActorKind::kMember
                       ? "member " + std::to_string(rec->member.value())
                       : std::string("the operator")},
            {"jurisdiction", c.profile().name},
            {"year", rec->year},
            {"number", rec->number},
            {"seq", r.seq},
            {"time", cst_text(rec->ts)},
            {"ts_ns", rec->ts.value()},
            {"journal_hash", registry::to_hex(hash)},
            {"legs", legs_json(*d_.core_, rec->legs)},
            {"allowances_t", rec->allowances_t},
            {"ccer_t", rec->ccer_t},
            {"ccer_in_region_t", rec->ccer_in_region_t},
            {"phcer_t", rec->phcer_t},
            {"total_t", rec->allowances_t + rec->offsets_t()}};
  return OperatorReply{200, json{{"ok", true}, {"certificate", std::move(cert)}}.dump()};
}

// Committed movements only (the store's transfer log): transfers of a batch still being applied
// appear once it is committed. Each row with the account's holding of that asset after it
// (available + frozen: the sum of every transfer in and out since the account opened). At most
// kMaxStatementRows rows and kMaxStatementScan transfers read: beyond, "truncated": true.
OperatorReply OperatorHandlers::operator()(const verbs::FirmStatement& r) {
  if (d_.ledger_->account(r.account) == nullptr) {
    return error_reply(404, "no such account: " + std::to_string(r.account.value()));
  }
  std::map<std::uint32_t, std::int64_t> holding;  // by asset
  json rows = json::array();
  bool truncated = false;
  std::uint64_t pos = 0;
  std::size_t scanned = 0;
  for (;;) {
    auto page = d_.store_->statement(r.account, pos, kStatementPage);
    if (!page.ok()) return error_reply(500, "the store cannot be read");
    for (const registry::TransferRecord& t : page.value().transfers) {
      const bool out = t.debit == r.account.value();
      std::int64_t& h = holding[t.asset];
      h += out ? -t.amount : t.amount;
      if (t.debit == t.credit) h += t.amount;  // to itself: no change
      const Date day = trading_date(TimestampNs(t.ts_ns));
      if (day < r.from || r.to < day) continue;
      if (rows.size() == kMaxStatementRows) {
        truncated = true;
        break;
      }
      json a = asset_json(*d_.core_, AssetId(t.asset));
      rows.push_back({{"seq", t.seq},
                      {"time", cst_text(TimestampNs(t.ts_ns))},
                      {"kind", std::string(to_string(static_cast<TransferKind>(t.kind)))},
                      {"symbol", a.at("symbol")},
                      {"direction", out ? "out" : "in"},
                      {"amount", t.amount},
                      {"unit", t.asset == kCashAsset.value() ? "fen" : "t"},
                      {"counterparty", out ? t.credit : t.debit},
                      {"reference", t.reference},
                      {"transfer_id", t.id},
                      {"holding_after", h}});
    }
    scanned += page.value().transfers.size();
    truncated = truncated || (scanned >= kMaxStatementScan && page.value().next_pos);
    if (truncated || !page.value().next_pos) break;
    pos = *page.value().next_pos;
  }
  return OperatorReply{200, json{{"ok", true},
                                 {"account", r.account.value()},
                                 {"from", date_text(r.from.yyyymmdd)},
                                 {"to", date_text(r.to.yyyymmdd)},
                                 {"truncated", truncated},
                                 {"rows", std::move(rows)}}
                                .dump()};
}

}  // namespace carbonx::gateway
