#include "carbonx/registry/allocation/issuance.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "carbonx/engine/assert.hpp"

namespace carbonx::allocation {

const FirmAccount* RegistryDirectory::firm(std::string_view id) const {
  auto it = firms.find(id);
  return it == firms.end() ? nullptr : &it->second;
}

std::optional<AssetId> RegistryDirectory::allowance(int vintage) const {
  auto it = allowance_by_vintage.find(vintage);
  if (it == allowance_by_vintage.end()) return std::nullopt;
  return it->second;
}

std::optional<AccountId> RegistryDirectory::retirement(int year) const {
  auto it = retirement_by_year.find(year);
  if (it == retirement_by_year.end()) return std::nullopt;
  return it->second;
}

TransferId allocation_transfer_id(std::uint8_t domain, int year, AccountId firm, Purpose purpose,
                                  std::uint32_t seq) {
  CX_ASSERT(domain < 0x80);
  CX_ASSERT(year >= kMinYear && year <= kMaxYear);
  CX_ASSERT(static_cast<std::uint8_t>(purpose) < 16);
  CX_ASSERT(seq < (1u << 12));
  const std::uint64_t id = (std::uint64_t{domain} << 56) |
                           (std::uint64_t{static_cast<std::uint8_t>(purpose)} << 52) |
                           (static_cast<std::uint64_t>(year - kMinYear) << 44) |
                           (std::uint64_t{firm.value()} << 12) | seq;
  const TransferId t(id);
  CX_ASSERT(is_client_transfer_id(t));
  return t;
}

struct Allocator::Plan {
  IssuanceRecord record;
  std::vector<Posting> postings;
};

namespace {

Posting make_posting(TransferId id, AccountId debit, AccountId credit, AssetId asset,
                     std::int64_t amount, TransferKind kind, int year) {
  CX_ASSERT(amount > 0);
  Posting p;
  p.id = id;
  p.debit = debit;
  p.credit = credit;
  p.asset = asset;
  p.amount = amount;
  p.kind = kind;
  p.reference = static_cast<std::uint64_t>(year);
  return p;
}

// Checks the run's year, the vintage's instrument and every firm's account before anything else.
Result<AssetId, AllocationFailure> check_run(const AllocationRun& run, Stage stage,
                                             const RegistryDirectory& dir) {
  CX_ASSERT(run.stage == stage);
  if (run.year < kMinYear || run.year > kMaxYear) {
    return Err{AllocationFailure{AllocationError::kBadYear, std::to_string(run.year)}};
  }
  const auto asset = dir.allowance(run.year);
  if (!asset) {
    return Err{
        AllocationFailure{AllocationError::kNoAllowanceAsset, fmt::format("vintage {}", run.year)}};
  }
  std::string missing;
  for (const FirmAllocation& f : run.firms) {
    if (dir.firm(f.firm) == nullptr) missing += (missing.empty() ? "" : ", ") + f.firm;
  }
  if (!missing.empty()) return Err{AllocationFailure{AllocationError::kUnknownFirm, missing}};
  return *asset;
}

}  // namespace

void Allocator::plan_deductions(Plan& plan, const RegistryDirectory& dir, const FirmAccount& firm,
                                AssetId asset, Purpose penalty, Purpose debt) const {
  IssuanceRecord& r = plan.record;
  const FirmDebt owed = this->debt(r.firm);
  r.penalty_deducted_t = std::min(owed.penalty_t, r.issued_t);
  r.debt_deducted_t = std::min(owed.true_up_t, r.issued_t - r.penalty_deducted_t);
  if (r.penalty_deducted_t > 0) {
    plan.postings.push_back(
        make_posting(allocation_transfer_id(kAllocationDomain, r.year, firm.account, penalty),
                     firm.account, dir.government_account, asset, r.penalty_deducted_t,
                     TransferKind::kPenaltyDeduction, r.year));
  }
  if (r.debt_deducted_t > 0) {
    plan.postings.push_back(make_posting(
        allocation_transfer_id(kAllocationDomain, r.year, firm.account, debt), firm.account,
        dir.government_account, asset, r.debt_deducted_t, TransferKind::kTrueUp, r.year));
  }
}

Result<IssueSummary, AllocationFailure> Allocator::issue_pre_allocation(
    const AllocationRun& pre, const RegistryDirectory& dir, Ledger& ledger, TimestampNs ts) {
  auto asset = check_run(pre, Stage::kPre, dir);
  if (!asset) return Err{asset.error()};
  for (const IssuanceRecord& r : records_) {
    if (r.year == pre.year && r.table_id != pre.table_id) {
      return Err{AllocationFailure{AllocationError::kTableMismatch,
                                   fmt::format("year {} is allocated under {}, not {}", pre.year,
                                               r.table_id, pre.table_id)}};
    }
  }
  std::vector<Plan> plans;
  std::size_t skipped = 0;
  for (const FirmAllocation& f : pre.firms) {
    if (const IssuanceRecord* done = find(pre.year, f.firm, Stage::kPre)) {
      if (done->computed_t == f.allocation_t && done->table_id == pre.table_id) {
        ++skipped;
        continue;
      }
      return Err{AllocationFailure{
          AllocationError::kAlreadyIssuedDifferently,
          fmt::format("firm {} year {}: issued {} t under {}, now {} t under {}", f.firm, pre.year,
                      done->computed_t, done->table_id, f.allocation_t, pre.table_id)}};
    }
    const FirmAccount& firm = *dir.firm(f.firm);
    Plan plan;
    IssuanceRecord& r = plan.record;
    r = IssuanceRecord{
        pre.year, f.firm, Stage::kPre, pre.table_id, f.allocation_t, f.allocation_t, 0, 0,
        0,        0,      ts};
    if (r.issued_t > 0) {
      plan.postings.push_back(make_posting(
          allocation_transfer_id(kAllocationDomain, pre.year, firm.account, Purpose::kPreIssue),
          dir.government_account, firm.account, asset.value(), r.issued_t, TransferKind::kIssuance,
          pre.year));
      plan_deductions(plan, dir, firm, asset.value(), Purpose::kPreDeductPenalty,
                      Purpose::kPreDeductDebt);
    }
    plans.push_back(std::move(plan));
  }
  auto summary = apply(plans, ledger);
  if (summary) summary.value().firms_skipped = skipped;
  return summary;
}

Result<IssueSummary, AllocationFailure> Allocator::issue_true_up(const AllocationRun& final_run,
                                                                 const RegistryDirectory& dir,
                                                                 Ledger& ledger, TimestampNs ts) {
  auto asset = check_run(final_run, Stage::kFinal, dir);
  if (!asset) return Err{asset.error()};
  const int year = final_run.year;
  bool any_pre = false;
  for (const IssuanceRecord& r : records_) {
    if (r.year != year || r.stage != Stage::kPre) continue;
    any_pre = true;
    if (r.table_id != final_run.table_id) {
      return Err{AllocationFailure{AllocationError::kTableMismatch,
                                   fmt::format("year {} was pre-allocated under {}, not {}", year,
                                               r.table_id, final_run.table_id)}};
    }
    if (final_run.find_firm(r.firm) == nullptr) {
      return Err{AllocationFailure{
          AllocationError::kNotVerified,
          fmt::format("firm {} was pre-allocated for {} but has no final data", r.firm, year)}};
    }
  }
  if (!any_pre) {
    return Err{AllocationFailure{AllocationError::kNotPreAllocated, std::to_string(year)}};
  }
  std::vector<Plan> plans;
  std::size_t skipped = 0;
  for (const FirmAllocation& f : final_run.firms) {
    if (const IssuanceRecord* done = find(year, f.firm, Stage::kFinal)) {
      if (done->computed_t == f.allocation_t) {
        ++skipped;
        continue;
      }
      return Err{AllocationFailure{AllocationError::kAlreadyTrueUpped,
                                   fmt::format("firm {} year {}: trued up to {} t, now {} t",
                                               f.firm, year, done->computed_t, f.allocation_t)}};
    }
    const FirmAccount& firm = *dir.firm(f.firm);
    const std::int64_t pre_t = initial_allocation(year, f.firm).value_or(0);
    const std::int64_t diff = f.allocation_t - pre_t;
    Plan plan;
    IssuanceRecord& r = plan.record;
    r = IssuanceRecord{year, f.firm, Stage::kFinal, final_run.table_id, f.allocation_t, 0, 0, 0, 0,
                       0,    ts};
    if (diff > 0) {
      r.issued_t = diff;
      plan.postings.push_back(make_posting(
          allocation_transfer_id(kAllocationDomain, year, firm.account, Purpose::kTrueUpIssue),
          dir.government_account, firm.account, asset.value(), diff, TransferKind::kTrueUp, year));
      plan_deductions(plan, dir, firm, asset.value(), Purpose::kTrueUpDeductPenalty,
                      Purpose::kTrueUpDeductDebt);
    } else if (diff < 0) {
      const std::int64_t available = ledger.balance(firm.account, asset.value()).available;
      r.taken_back_t = std::clamp<std::int64_t>(available, 0, -diff);
      r.owed_added_t = -diff - r.taken_back_t;
      if (r.taken_back_t > 0) {
        plan.postings.push_back(make_posting(
            allocation_transfer_id(kAllocationDomain, year, firm.account, Purpose::kTrueUpTakeBack),
            firm.account, dir.government_account, asset.value(), r.taken_back_t,
            TransferKind::kTrueUp, year));
      }
    }
    plans.push_back(std::move(plan));
  }
  auto summary = apply(plans, ledger);
  if (summary) summary.value().firms_skipped = skipped;
  return summary;
}

// Posts every plan's postings as one linked group, then records them; all or nothing.
Result<IssueSummary, AllocationFailure> Allocator::apply(std::vector<Plan>& plans, Ledger& ledger) {
  std::vector<Posting> all;
  for (const Plan& p : plans)
    all.insert(all.end(), p.postings.begin(), p.postings.end());
  if (!all.empty()) {
    auto st = ledger.post(all);
    if (!st) {
      return Err{AllocationFailure{AllocationError::kLedger, std::string(to_string(st.error()))}};
    }
  }
  IssueSummary s;
  s.postings = all.size();
  for (Plan& p : plans) {
    IssuanceRecord& r = p.record;
    FirmDebt& d = debts_[r.firm];
    CX_ASSERT(r.penalty_deducted_t <= d.penalty_t);
    CX_ASSERT(r.debt_deducted_t <= d.true_up_t);
    d.penalty_t -= r.penalty_deducted_t;
    d.true_up_t -= r.debt_deducted_t - r.owed_added_t;
    CX_ASSERT(d.penalty_t >= 0 && d.true_up_t >= 0);
    s.issued_t += r.issued_t;
    s.deducted_t += r.penalty_deducted_t + r.debt_deducted_t;
    s.taken_back_t += r.taken_back_t;
    s.owed_added_t += r.owed_added_t;
    ++s.firms_issued;
    index_[Key{r.year, r.firm, r.stage}] = records_.size();
    records_.push_back(std::move(r));
  }
  return s;
}

void Allocator::add_penalty_debt(std::string_view firm, std::int64_t t) {
  CX_ASSERT(t > 0);
  auto it = debts_.find(firm);
  if (it == debts_.end()) it = debts_.emplace(std::string(firm), FirmDebt{}).first;
  it->second.penalty_t += t;
}

const IssuanceRecord* Allocator::find(int year, std::string_view firm, Stage stage) const {
  auto it = index_.find(Key{year, std::string(firm), stage});
  return it == index_.end() ? nullptr : &records_[it->second];
}

FirmDebt Allocator::debt(std::string_view firm) const {
  auto it = debts_.find(firm);
  return it == debts_.end() ? FirmDebt{} : it->second;
}

std::optional<std::int64_t> Allocator::initial_allocation(int year, std::string_view firm) const {
  const IssuanceRecord* r = find(year, firm, Stage::kPre);
  if (r == nullptr) return std::nullopt;
  return r->computed_t;
}

}  // namespace carbonx::allocation
