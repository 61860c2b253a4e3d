#include "carbonx/registry/compliance/instruments.hpp"

#include "carbonx/engine/assert.hpp"

namespace carbonx::compliance {

std::map<int, AssetId> allowance_vintages(std::span<const InstrumentConfig> instruments) {
  std::map<int, AssetId> out;
  for (const InstrumentConfig& i : instruments) {
    if (i.product != ProductKind::kAllowance) continue;
    CX_ASSERT(out.count(i.vintage) == 0);  // the engine's config has one allowance per vintage
    out[i.vintage] = asset_of(i.id);
  }
  return out;
}

OffsetCatalogue offsets_from_instruments(std::span<const InstrumentConfig> instruments) {
  OffsetCatalogue out;
  for (const InstrumentConfig& i : instruments) {
    if (i.product == ProductKind::kAllowance) continue;
    OffsetUnit u;
    u.asset = asset_of(i.id);
    u.kind = i.product == ProductKind::kCcer ? OffsetKind::kCcer : OffsetKind::kPhcer;
    u.project_id = i.project.project_id;
    u.region = i.project.region;
    u.type = i.project.project_type;
    u.crediting_start = i.project.crediting_start.yyyymmdd;
    u.crediting_end = i.project.crediting_end.yyyymmdd;
    out.units[u.asset] = u;
  }
  return out;
}

}  // namespace carbonx::compliance
