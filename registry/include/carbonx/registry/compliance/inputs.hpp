#pragma once
// Compliance input files, checked line by line like the allocation files (allocation/csv.hpp):
//
// Verified emissions, header `firm,year,verified_emissions_t`: one row per firm and year, whole
// tonnes >= 0 (at most kMaxEmissionsT), year 2000..2255; (firm, year) unique.
//
// Offset units, header `asset_id,kind,project_id,region,type,crediting_start,crediting_end`: one
// row per offset instrument held in the registry: its ledger asset id (the engine instrument id),
// CCER or PHCER, the project's id, region (province), type, and crediting period (YYYY-MM-DD,
// start <= end). Allowance instruments are not listed here: their vintages come from the
// RegistryDirectory (allocation/issuance.hpp).
// Plain functions, thread-safe.

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "carbonx/engine/result.hpp"
#include "carbonx/engine/units.hpp"
#include "carbonx/registry/compliance/jurisdiction.hpp"

namespace carbonx::compliance {

inline constexpr std::int64_t kMaxEmissionsT = 1'000'000'000'000;

struct VerifiedEmissions {
  std::string firm;
  int year = 0;
  std::int64_t emissions_t = 0;
  std::size_t line = 0;
};

struct OffsetUnit {
  AssetId asset;
  OffsetKind kind = OffsetKind::kCcer;
  std::string project_id;
  std::string region;
  std::string type;
  DateInt crediting_start = 0;
  DateInt crediting_end = 0;
};

struct OffsetCatalogue {
  std::map<AssetId, OffsetUnit> units;
  const OffsetUnit* find(AssetId a) const;
};

Result<std::vector<VerifiedEmissions>, InputErrors> parse_verified_emissions(std::string_view file,
                                                                             std::string_view text);
Result<std::vector<VerifiedEmissions>, InputErrors> load_verified_emissions(
    const std::string& path);

Result<OffsetCatalogue, InputErrors> parse_offset_catalogue(std::string_view file,
                                                            std::string_view text);
Result<OffsetCatalogue, InputErrors> load_offset_catalogue(const std::string& path);

}  // namespace carbonx::compliance
