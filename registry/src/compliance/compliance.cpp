#include "carbonx/registry/compliance/compliance.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <set>

#include "carbonx/engine/assert.hpp"
#include "carbonx/registry/allocation/compute.hpp"

namespace carbonx::compliance {

using allocation::add;
using allocation::compare;
using allocation::mul;

std::string_view to_string(ComplianceError e) noexcept {
  switch (e) {
    case ComplianceError::kBadYear:
      return "year out of range";
    case ComplianceError::kUnknownFirm:
      return "firm has no registry account";
    case ComplianceError::kNotAuthorised:
      return "member may not act for this firm";
    case ComplianceError::kNoVerifiedEmissions:
      return "no verified emissions for the firm and year";
    case ComplianceError::kEmissionsConflict:
      return "verified emissions already recorded with another value";
    case ComplianceError::kExempt:
      return "firm is exempt for the year";
    case ComplianceError::kAfterDeadline:
      return "after the surrender deadline";
    case ComplianceError::kBadLegs:
      return "bad surrender legs";
    case ComplianceError::kTooManySurrenders:
      return "too many surrenders for the firm and year";
    case ComplianceError::kUnknownUnit:
      return "not an allowance or a listed offset unit";
    case ComplianceError::kVintageTooNew:
      return "allowance vintage after the compliance year";
    case ComplianceError::kOffsetKindNotAccepted:
      return "offset kind not accepted in this jurisdiction";
    case ComplianceError::kOffsetNotEligible:
      return "offset project not eligible";
    case ComplianceError::kOffsetCapBasisMissing:
      return "offset cap basis unknown";
    case ComplianceError::kOffsetCapExceeded:
      return "offset cap exceeded";
    case ComplianceError::kInRegionShareTooLow:
      return "share of in-region CCER too low";
    case ComplianceError::kExceedsObligation:
      return "surrender exceeds the remaining obligation";
    case ComplianceError::kNoRetirementAccount:
      return "no retirement account for the year";
    case ComplianceError::kLedger:
      return "ledger refused the surrender";
    case ComplianceError::kBeforeDeadline:
      return "settlement before the deadline has passed";
    case ComplianceError::kBadState:
      return "unreadable compliance state";
  }
  return "unknown compliance error";
}

std::string_view to_string(FirmState s) noexcept {
  switch (s) {
    case FirmState::kCompliant:
      return "compliant";
    case FirmState::kShort:
      return "short";
    case FirmState::kExempt:
      return "exempt";
  }
  return "unknown";
}

namespace {

Err<ComplianceFailure> fail(ComplianceError code, std::string detail) {
  return Err{ComplianceFailure{code, std::move(detail)}};
}

bool year_ok(int year) {
  return year >= allocation::kMinYear && year < allocation::kMaxYear;
}

// Regions and project types compare without case ("Guangdong" in the engine's instrument file,
// "guangdong" in a profile).
bool same(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

// True when `list` is empty (no restriction) or holds `v`.
bool allowed(const std::vector<std::string>& list, const std::string& v) {
  if (list.empty()) return true;
  return std::any_of(list.begin(), list.end(), [&](const std::string& x) { return same(x, v); });
}

}  // namespace

Compliance::Compliance(JurisdictionProfile profile) : profile_(std::move(profile)) {
  CX_ASSERT(profile_.deadline_month >= 1 && profile_.deadline_month <= 12);
  CX_ASSERT(profile_.deadline_day >= 1 && profile_.deadline_day <= 31);
}

Status<ComplianceFailure> Compliance::record_emissions(const std::vector<VerifiedEmissions>& rows) {
  for (const VerifiedEmissions& v : rows) {
    if (!year_ok(v.year)) return fail(ComplianceError::kBadYear, std::to_string(v.year));
    CX_ASSERT(v.emissions_t >= 0);
    auto it = emissions_.find({v.year, v.firm});
    if (it != emissions_.end() && it->second != v.emissions_t) {
      return fail(ComplianceError::kEmissionsConflict,
                  fmt::format("firm {} year {}: recorded {} t, now {} t", v.firm, v.year,
                              it->second, v.emissions_t));
    }
  }
  for (const VerifiedEmissions& v : rows)
    emissions_[{v.year, v.firm}] = v.emissions_t;
  return {};
}

Status<ComplianceFailure> Compliance::record_extension(int year, std::string_view firm,
                                                       DateInt date) {
  if (!year_ok(year)) return fail(ComplianceError::kBadYear, std::to_string(year));
  if (!is_date(date)) {
    return fail(ComplianceError::kBadYear,
                fmt::format("extension to {} is no date (yyyymmdd, years {}..{})", date,
                            kMinDateYear, kMaxDateYear));
  }
  if (date <= profile_.deadline(year)) {
    return fail(
        ComplianceError::kBadYear,
        fmt::format("extension to {} is not after the deadline {}", date, profile_.deadline(year)));
  }
  extensions_[{year, std::string(firm)}] = date;
  return {};
}

Status<ComplianceFailure> Compliance::record_exemption(int year, std::string_view firm) {
  if (!year_ok(year)) return fail(ComplianceError::kBadYear, std::to_string(year));
  exempt_[{year, std::string(firm)}] = true;
  return {};
}

DateInt Compliance::deadline(int year, std::string_view firm) const {
  auto it = extensions_.find({year, std::string(firm)});
  return it != extensions_.end() ? it->second : profile_.deadline(year);
}

bool Compliance::on_time(int year, std::string_view firm, TimestampNs ts) const {
  return ts < day_end_exclusive_cst(deadline(year, firm));
}

// Checks every leg (quantity, unit, vintage, offset kind and eligibility) and sums it into `rec`.
Status<ComplianceFailure> Compliance::check_legs(const SurrenderRequest& req,
                                                 const RegistryDirectory& dir,
                                                 const OffsetCatalogue& offsets,
                                                 SurrenderRecord& rec) const {
  if (req.legs.empty() || req.legs.size() > kMaxSurrenderLegs) {
    return fail(ComplianceError::kBadLegs,
                fmt::format("{} legs (1..{})", req.legs.size(), kMaxSurrenderLegs));
  }
  std::set<AssetId> seen;
  for (const SurrenderLeg& leg : req.legs) {
    if (leg.quantity_t <= 0 || leg.quantity_t > kMaxSurrenderQuantityT) {
      return fail(ComplianceError::kBadLegs, fmt::format("quantity {} t", leg.quantity_t));
    }
    if (!seen.insert(leg.asset).second) {
      return fail(ComplianceError::kBadLegs, fmt::format("asset {} twice", leg.asset.value()));
    }
    std::optional<int> vintage;
    for (const auto& [v, asset] : dir.allowance_by_vintage) {
      if (asset == leg.asset) vintage = v;
    }
    if (vintage) {
      if (*vintage > req.year) {
        return fail(ComplianceError::kVintageTooNew,
                    fmt::format("vintage {} for compliance year {}", *vintage, req.year));
      }
      rec.allowances_t += leg.quantity_t;
      continue;
    }
    const OffsetUnit* u = offsets.find(leg.asset);
    if (u == nullptr) return fail(ComplianceError::kUnknownUnit, std::to_string(leg.asset.value()));
    const bool accepted =
        u->kind == OffsetKind::kCcer ? profile_.accepts_ccer : profile_.accepts_phcer;
    if (!accepted) {
      return fail(
          ComplianceError::kOffsetKindNotAccepted,
          fmt::format("{} (project {}) in {}", to_string(u->kind), u->project_id, profile_.name));
    }
    if (!allowed(profile_.eligible_types, u->type) ||
        !allowed(profile_.eligible_regions, u->region) ||
        (profile_.crediting_from != 0 && u->crediting_start < profile_.crediting_from) ||
        (profile_.crediting_to != 0 && u->crediting_end > profile_.crediting_to)) {
      return fail(ComplianceError::kOffsetNotEligible,
                  fmt::format("project {}: type {}, region {}, crediting {}..{}", u->project_id,
                              u->type, u->region, u->crediting_start, u->crediting_end));
    }
    if (u->kind == OffsetKind::kPhcer) {
      rec.phcer_t += leg.quantity_t;
    } else {
      rec.ccer_t += leg.quantity_t;
      if (!profile_.region.empty() && same(u->region, profile_.region)) {
        rec.ccer_in_region_t += leg.quantity_t;
      }
    }
  }
  return {};
}

// The offset cap and the in-region share, on the firm's totals after the surrender.
Status<ComplianceFailure> Compliance::check_offsets(const SurrenderRequest& req,
                                                    const Allocator& allocator,
                                                    const Totals& after) const {
  const std::int64_t offsets_t = after.ccer_t + after.phcer_t;
  if (offsets_t > 0) {
    std::optional<std::int64_t> basis;
    if (profile_.cap_basis == CapBasis::kPriorYearEmissions) {
      auto it = emissions_.find({req.year - 1, req.firm});
      if (it != emissions_.end()) basis = it->second;
    } else if (profile_.cap_basis == CapBasis::kInitialAllocation) {
      basis = allocator.initial_allocation(req.year, req.firm);
    } else {
      basis = emissions_.at({req.year, req.firm});
    }
    if (!basis) {
      return fail(
          ComplianceError::kOffsetCapBasisMissing,
          fmt::format("{} of firm {} for {}", to_string(profile_.cap_basis), req.firm, req.year));
    }
    const Decimal cap = mul(profile_.offset_cap, Decimal::whole(*basis));
    if (compare(Decimal::whole(offsets_t), cap) > 0) {
      return fail(ComplianceError::kOffsetCapExceeded,
                  fmt::format("offsets {} t > {} x {} {} t = {} t", offsets_t,
                              allocation::to_string(profile_.offset_cap),
                              to_string(profile_.cap_basis), *basis, allocation::to_string(cap)));
    }
  }
  if (after.ccer_t > 0) {
    const Decimal need = mul(profile_.ccer_in_region_min, Decimal::whole(after.ccer_t));
    if (compare(Decimal::whole(after.ccer_in_region_t), need) < 0) {
      return fail(ComplianceError::kInRegionShareTooLow,
                  fmt::format("CCER from {} {} t of {} t, needs {} x {} = {} t", profile_.region,
                              after.ccer_in_region_t, after.ccer_t,
                              allocation::to_string(profile_.ccer_in_region_min), after.ccer_t,
                              allocation::to_string(need)));
    }
  }
  return {};
}

Result<SurrenderRecord, ComplianceFailure> Compliance::surrender(const SurrenderRequest& req,
                                                                 const RegistryDirectory& dir,
                                                                 const OffsetCatalogue& offsets,
                                                                 const Allocator& allocator,
                                                                 Ledger& ledger, TimestampNs ts) {
  if (!year_ok(req.year)) return fail(ComplianceError::kBadYear, std::to_string(req.year));
  const allocation::FirmAccount* firm = dir.firm(req.firm);
  if (firm == nullptr) return fail(ComplianceError::kUnknownFirm, req.firm);
  if (req.actor.kind == ActorKind::kMember && req.actor.member != firm->member) {
    return fail(ComplianceError::kNotAuthorised,
                fmt::format("member {} for firm {}", req.actor.member.value(), req.firm));
  }
  const Key key{req.year, req.firm};
  if (exempt_.count(key) != 0) return fail(ComplianceError::kExempt, req.firm);
  auto obligation = emissions_.find(key);
  if (obligation == emissions_.end()) {
    return fail(ComplianceError::kNoVerifiedEmissions, fmt::format("{} {}", req.firm, req.year));
  }
  if (!on_time(req.year, req.firm, ts)) {
    return fail(ComplianceError::kAfterDeadline,
                fmt::format("deadline {} (end of day, CST)", deadline(req.year, req.firm)));
  }
  const Totals before = totals_.count(key) != 0 ? totals_.at(key) : Totals{};
  if (before.surrenders >= kMaxSurrendersPerFirmYear) {
    return fail(ComplianceError::kTooManySurrenders, req.firm);
  }
  SurrenderRecord rec{
      req.year, req.firm, before.surrenders, req.actor.kind, req.actor.member, req.legs, 0, 0, 0,
      0,        ts};
  if (auto st = check_legs(req, dir, offsets, rec); !st) return Err{st.error()};
  Totals after = before;
  after.allowances_t += rec.allowances_t;
  after.ccer_t += rec.ccer_t;
  after.ccer_in_region_t += rec.ccer_in_region_t;
  after.phcer_t += rec.phcer_t;
  if (after.total() > obligation->second) {
    return fail(ComplianceError::kExceedsObligation,
                fmt::format("{} t surrendered + {} t > obligation {} t", before.total(),
                            after.total() - before.total(), obligation->second));
  }
  if (auto st = check_offsets(req, allocator, after); !st) return Err{st.error()};
  const auto retirement = dir.retirement(req.year);
  if (!retirement) return fail(ComplianceError::kNoRetirementAccount, std::to_string(req.year));
  std::vector<Posting> postings;
  for (std::size_t i = 0; i < req.legs.size(); ++i) {
    Posting p;
    p.id = allocation::allocation_transfer_id(allocation::kComplianceDomain, req.year,
                                              firm->account, allocation::Purpose::kSurrender,
                                              rec.number * 16 + static_cast<std::uint32_t>(i));
    p.debit = firm->account;
    p.credit = *retirement;
    p.asset = req.legs[i].asset;
    p.amount = req.legs[i].quantity_t;
    p.kind = TransferKind::kSurrender;
    p.reference = static_cast<std::uint64_t>(req.year);
    postings.push_back(p);
  }
  if (auto st = ledger.post(postings); !st) {
    return fail(ComplianceError::kLedger, std::string(to_string(st.error())));
  }
  after.surrenders = before.surrenders + 1;
  totals_[key] = after;
  surrenders_.push_back(rec);
  return rec;
}

std::vector<FirmStatus> Compliance::status(int year) const {
  std::set<std::string> firms;
  for (const auto& [key, t] : emissions_) {
    if (key.first == year) firms.insert(key.second);
  }
  for (const auto& [key, e] : exempt_) {
    if (key.first == year) firms.insert(key.second);
  }
  std::vector<FirmStatus> out;
  out.reserve(firms.size());
  for (const std::string& firm : firms) {
    const Key key{year, firm};
    FirmStatus s;
    s.firm = firm;
    s.year = year;
    auto e = emissions_.find(key);
    s.obligation_t = e == emissions_.end() ? 0 : e->second;
    auto t = totals_.find(key);
    if (t != totals_.end()) {
      s.allowances_t = t->second.allowances_t;
      s.offsets_t = t->second.ccer_t + t->second.phcer_t;
    }
    s.shortfall_t = std::max<std::int64_t>(0, s.obligation_t - s.allowances_t - s.offsets_t);
    s.state = exempt_.count(key) != 0 ? FirmState::kExempt
              : s.shortfall_t == 0    ? FirmState::kCompliant
                                      : FirmState::kShort;
    auto settled = settled_.find(key);
    s.settled = settled != settled_.end();
    if (s.settled && settled->second != SIZE_MAX) {
      s.penalty_t = penalties_[settled->second].deduction_t;
      s.fine_fen = penalties_[settled->second].fine_fen;
    }
    out.push_back(std::move(s));
  }
  return out;
}

Result<SettlementSummary, ComplianceFailure> Compliance::settle(int year, TimestampNs ts,
                                                                Allocator& allocator) {
  if (!year_ok(year)) return fail(ComplianceError::kBadYear, std::to_string(year));
  if (ts < day_end_exclusive_cst(profile_.deadline(year))) {
    return fail(ComplianceError::kBeforeDeadline,
                fmt::format("deadline {} has not passed", profile_.deadline(year)));
  }
  SettlementSummary sum;
  for (const FirmStatus& s : status(year)) {
    const Key key{year, s.firm};
    if (settled_.count(key) != 0) continue;
    if (on_time(year, s.firm, ts) && s.state != FirmState::kExempt) {
      ++sum.pending;  // an extension still running
      continue;
    }
    ++sum.settled;
    if (s.state != FirmState::kShort) {
      settled_[key] = SIZE_MAX;
      continue;
    }
    Penalty p{
        year, s.firm, s.shortfall_t, s.shortfall_t * profile_.penalty_multiplier, profile_.fine_fen,
        ts};
    if (p.deduction_t > 0) allocator.add_penalty_debt(s.firm, p.deduction_t);
    settled_[key] = penalties_.size();
    penalties_.push_back(p);
    ++sum.penalised;
    sum.deduction_t += p.deduction_t;
    sum.fines_fen += p.fine_fen;
  }
  return sum;
}

}  // namespace carbonx::compliance
