#pragma once
// Compliance for one jurisdiction (docs/design.md "Compliance"): verified emissions set each
// covered firm's obligation for year Y; the firm (its member) or an operator surrenders allowances
// of vintage <= Y and eligible offsets (1 t offset = 1 t allowance) to the retirement account of Y
// before the deadline; after it, settlement records each shortfall's penalty, which the
// allocation deducts at the firm's next issuance (Allocator::add_penalty_debt).
//
// Surrender rules, each refused with its own ComplianceError (nothing changes on a refusal):
//   - the deadline: the whole deadline day counts, in China Standard Time (UTC+8): a surrender at
//     23:59:59.999999999 CST of 20 June is on time, one at 00:00:00 CST of 21 June is late;
//     an operator's extension (record_extension) replaces the deadline date for one firm-year;
//   - allowances count only up to vintage Y; offsets only of the kinds the profile accepts, and
//     (if the profile lists them) only eligible project types, regions and crediting periods;
//   - the offset cap: offsets surrendered for Y in total <= cap x basis (prior-year verified
//     emissions, the year's initial allocation, or the year's verified emissions), exactly;
//   - the in-region rule: after the surrender, CCER from projects in the profile's region >=
//     ccer_in_region_min x all CCER surrendered for Y (so surrender in-region CCER first or in the
//     same request);
//   - nothing beyond the remaining obligation is taken (surplus allowances stay bankable).
// Transfers: one linked group per surrender (all legs or none), TransferKind::kSurrender, firm ->
// retirement account of Y, ids allocation_transfer_id(kComplianceDomain, Y, firm account,
// Purpose::kSurrender, surrender number x 16 + leg).
//
// Time enters only as the TimestampNs argument. The caller has called ledger.begin_command().
// Not thread-safe.

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "carbonx/engine/ledger.hpp"
#include "carbonx/engine/result.hpp"
#include "carbonx/engine/units.hpp"
#include "carbonx/registry/allocation/issuance.hpp"
#include "carbonx/registry/compliance/inputs.hpp"
#include "carbonx/registry/compliance/jurisdiction.hpp"

namespace carbonx::compliance {

using allocation::Allocator;
using allocation::RegistryDirectory;

inline constexpr std::size_t kMaxSurrenderLegs = 16;
inline constexpr std::uint32_t kMaxSurrendersPerFirmYear = 256;
inline constexpr std::int64_t kMaxSurrenderQuantityT = 1'000'000'000'000;

enum class ComplianceError : std::uint8_t {
  kBadYear = 1,            // year outside 2000..2255
  kUnknownFirm,            // no registry account for the firm
  kNotAuthorised,          // a member acting for a firm that is not its own
  kNoVerifiedEmissions,    // no obligation recorded for the firm and year
  kEmissionsConflict,      // verified emissions already recorded with another value
  kExempt,                 // the firm is exempt for the year
  kAfterDeadline,          // past the (possibly extended) deadline
  kBadLegs,                // no legs, too many, a quantity <= 0 or too large, an asset twice
  kTooManySurrenders,      // over kMaxSurrendersPerFirmYear for the firm and year
  kUnknownUnit,            // neither an allowance vintage nor a listed offset
  kVintageTooNew,          // allowance of a vintage after the compliance year
  kOffsetKindNotAccepted,  // CCER/PHCER not accepted by the jurisdiction
  kOffsetNotEligible,      // project type, region or crediting period not eligible
  kOffsetCapBasisMissing,  // the cap's basis (prior-year emissions, initial allocation) unknown
  kOffsetCapExceeded,      // offsets above the cap
  kInRegionShareTooLow,    // CCER from in-region projects below the minimum share
  kExceedsObligation,      // more than the remaining obligation
  kNoRetirementAccount,    // no retirement account for the year
  kLedger,                 // the ledger refused (e.g. insufficient available units)
  kBeforeDeadline,         // settlement asked for before the deadline has passed
  kBadState,               // a serialised state that cannot be read
};
std::string_view to_string(ComplianceError e) noexcept;

struct ComplianceFailure {
  ComplianceError code = ComplianceError::kBadYear;
  std::string detail;  // the rule's numbers: "offsets 1200 t > cap 10% x 10000 t"
};

enum class ActorKind : std::uint8_t { kOperator = 1, kMember };
struct Actor {
  ActorKind kind = ActorKind::kOperator;
  MemberId member{0};
  static Actor op() { return Actor{ActorKind::kOperator, MemberId(0)}; }
  static Actor member_of(MemberId m) { return Actor{ActorKind::kMember, m}; }
};

struct SurrenderLeg {
  AssetId asset;
  std::int64_t quantity_t = 0;
};

struct SurrenderRequest {
  int year = 0;
  std::string firm;
  Actor actor;
  std::vector<SurrenderLeg> legs;
};

struct SurrenderRecord {
  int year = 0;
  std::string firm;
  std::uint32_t number = 0;  // 0, 1, ... per firm and year
  ActorKind actor = ActorKind::kOperator;
  MemberId member{0};
  std::vector<SurrenderLeg> legs;
  std::int64_t allowances_t = 0;
  std::int64_t ccer_t = 0;
  std::int64_t ccer_in_region_t = 0;
  std::int64_t phcer_t = 0;
  TimestampNs ts{0};
  std::int64_t offsets_t() const { return ccer_t + phcer_t; }
};

enum class FirmState : std::uint8_t { kCompliant = 1, kShort, kExempt };
std::string_view to_string(FirmState s) noexcept;

struct FirmStatus {
  std::string firm;
  int year = 0;
  std::int64_t obligation_t = 0;
  std::int64_t allowances_t = 0;
  std::int64_t offsets_t = 0;
  std::int64_t shortfall_t = 0;
  FirmState state = FirmState::kShort;
  bool settled = false;
  std::int64_t penalty_t = 0;  // recorded at settlement
  AmountFen fine_fen{0};
};

struct Penalty {
  int year = 0;
  std::string firm;
  std::int64_t shortfall_t = 0;
  std::int64_t deduction_t = 0;  // multiplier x shortfall, deducted at the next issuance
  AmountFen fine_fen{0};
  TimestampNs ts{0};
};

// Where a firm stands for a year as the surrender rules see it, before its next surrender (the
// firm portal's overview; Compliance::standing). Read from the state, nothing recomputed later.
struct FirmStanding {
  std::string firm;
  int year = 0;
  bool has_obligation = false;  // verified emissions recorded for (year, firm)
  std::int64_t obligation_t = 0;
  bool exempt = false;
  DateInt deadline = 0;  // with an operator's extension
  bool extended = false;
  std::int64_t allowances_t = 0;  // surrendered for the year so far
  std::int64_t ccer_t = 0;
  std::int64_t ccer_in_region_t = 0;
  std::int64_t phcer_t = 0;
  std::uint32_t surrenders = 0;
  // The offset cap: nullopt when its basis is unknown (kOffsetCapBasisMissing at a surrender
  // with offsets). offset_cap = profile offset_cap x basis, exactly (a Decimal, tonnes).
  std::optional<std::int64_t> cap_basis_t;
  Decimal offset_cap;
  std::int64_t offsets_t() const { return ccer_t + phcer_t; }
  std::int64_t remaining_t() const {
    return std::max<std::int64_t>(0, obligation_t - allowances_t - ccer_t - phcer_t);
  }
};

struct SettlementSummary {
  std::size_t settled = 0;  // firms settled by this call
  std::size_t pending = 0;  // firms whose extended deadline has not passed yet
  std::size_t penalised = 0;
  std::int64_t deduction_t = 0;
  AmountFen fines_fen{0};
};

class Compliance {
 public:
  explicit Compliance(JurisdictionProfile profile);

  const JurisdictionProfile& profile() const { return profile_; }

  // Records verified emissions (all rows or none). The same value again is a no-op; another value
  // for a recorded firm-year is kEmissionsConflict.
  Status<ComplianceFailure> record_emissions(const std::vector<VerifiedEmissions>& rows);
  // An operator moves a firm's deadline for `year` to `date` (yyyymmdd, after the normal one).
  Status<ComplianceFailure> record_extension(int year, std::string_view firm, DateInt date);
  // An operator exempts a firm from the year's obligation (closure, merger ...).
  Status<ComplianceFailure> record_exemption(int year, std::string_view firm);

  // The firm's deadline date for `year` (with its extension) and whether `ts` is on time.
  DateInt deadline(int year, std::string_view firm) const;
  bool on_time(int year, std::string_view firm, TimestampNs ts) const;

  Result<SurrenderRecord, ComplianceFailure> surrender(const SurrenderRequest& request,
                                                       const RegistryDirectory& dir,
                                                       const OffsetCatalogue& offsets,
                                                       const Allocator& allocator, Ledger& ledger,
                                                       TimestampNs ts);

  // Status of every firm with verified emissions (or an exemption) for `year`, by firm id.
  std::vector<FirmStatus> status(int year) const;
  // One firm's standing for `year` (any firm id: an unknown one has no obligation).
  FirmStanding standing(int year, std::string_view firm, const Allocator& allocator) const;

  // After the deadline: records the penalty of every short firm of `year` not yet settled whose
  // (extended) deadline has passed, and adds the deduction to the firm's debts in `allocator`.
  // Settling again settles only firms not settled before. Error: kBeforeDeadline.
  Result<SettlementSummary, ComplianceFailure> settle(int year, TimestampNs ts,
                                                      Allocator& allocator);

  const std::vector<SurrenderRecord>& surrenders() const { return surrenders_; }
  const std::vector<Penalty>& penalties() const { return penalties_; }

  // Versioned JSON record (schema "carbonx.compliance.state", version 1) of the whole state
  // except the profile (configuration); restore() reads it back exactly.
  std::string serialize() const;
  static Result<Compliance, ComplianceFailure> restore(JurisdictionProfile profile,
                                                       std::string_view json);
  bool operator==(const Compliance& o) const { return serialize() == o.serialize(); }

 private:
  using Key = std::pair<int, std::string>;  // (year, firm)
  struct Totals {
    std::int64_t allowances_t = 0;
    std::int64_t ccer_t = 0;
    std::int64_t ccer_in_region_t = 0;
    std::int64_t phcer_t = 0;
    std::uint32_t surrenders = 0;
    std::int64_t total() const { return allowances_t + ccer_t + phcer_t; }
  };
  Status<ComplianceFailure> check_legs(const SurrenderRequest& req, const RegistryDirectory& dir,
                                       const OffsetCatalogue& offsets, SurrenderRecord& rec) const;
  Status<ComplianceFailure> check_offsets(const SurrenderRequest& req, const Allocator& allocator,
                                          const Totals& after) const;

  JurisdictionProfile profile_;
  std::map<Key, std::int64_t> emissions_;
  std::map<Key, DateInt> extensions_;
  std::map<Key, bool> exempt_;
  std::map<Key, Totals> totals_;
  std::map<Key, std::size_t> settled_;  // -> index in penalties_, or SIZE_MAX if no penalty
  std::vector<SurrenderRecord> surrenders_;
  std::vector<Penalty> penalties_;
};

}  // namespace carbonx::compliance
