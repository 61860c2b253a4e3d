#pragma once
// Bridges from the engine's instrument configuration (carbonx/engine/instrument.hpp) to what
// allocation and compliance need: the allowance instrument of each vintage and the offset
// catalogue with project attributes. Asset id = instrument id (asset_of). Pure functions.

#include <map>
#include <span>

#include "carbonx/engine/instrument.hpp"
#include "carbonx/registry/compliance/inputs.hpp"

namespace carbonx::compliance {

// vintage -> the allowance instrument's asset (for RegistryDirectory::allowance_by_vintage).
std::map<int, AssetId> allowance_vintages(std::span<const InstrumentConfig> instruments);
// Every CCER and PHCER instrument with its project attributes.
OffsetCatalogue offsets_from_instruments(std::span<const InstrumentConfig> instruments);

}  // namespace carbonx::compliance
