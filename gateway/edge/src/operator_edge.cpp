// OperatorEdge (operator_edge.hpp): operator requests completed from the fixed configuration
// before they cross the sequencer's queue.
#include "carbonx/edge/operator_edge.hpp"

#include <type_traits>
#include <utility>
#include <variant>

#include "carbonx/registry/allocation/facility.hpp"
#include "carbonx/registry/compliance/inputs.hpp"

namespace carbonx::edge {

OperatorEdge::OperatorEdge(const registry::RegistrarConfig& config)
    : symbols_(config.instruments), tables_(config.tables) {}

std::optional<OperatorRefusal> OperatorEdge::admit(verbs::Request& request) const {
  std::optional<OperatorRefusal> refusal;
  verbs::for_each_symbol(request, [&](verbs::Symbol& s) {
    if (refusal) return;
    s.id = symbols_.instrument_of(s.text.view());
    if (s.id.value() == 0) refusal = OperatorRefusal{404, "unknown symbol " + s.text.str()};
  });
  if (refusal) return refusal;

  return std::visit(
      [&](auto& r) -> std::optional<OperatorRefusal> {
        using R = std::remove_cvref_t<decltype(r)>;
        const std::string file = std::string(R::kMeta.name) + " csv_text";
        if constexpr (std::is_same_v<R, verbs::EmissionsLoad>) {
          if (!r.csv_text) return std::nullopt;
          auto parsed = compliance::parse_verified_emissions(file, *r.csv_text);
          if (!parsed.ok()) return OperatorRefusal{400, allocation::to_string(parsed.error())};
          std::vector<verbs::EmissionRow> rows;
          rows.reserve(parsed.value().size());
          for (const compliance::VerifiedEmissions& v : parsed.value())
            rows.push_back({v.firm, static_cast<std::uint16_t>(v.year), v.emissions_t});
          r.rows = std::move(rows);
          r.csv_text.reset();
        } else if constexpr (std::is_base_of_v<verbs::AllocationTerms, R>) {
          const allocation::AllocationTable* table = nullptr;
          for (const allocation::AllocationTable& t : tables_) {
            if (t.table_id == r.table_id) table = &t;
          }
          if (table == nullptr) {
            return OperatorRefusal{400, "unknown allocation table " + r.table_id};
          }
          auto parsed = allocation::parse_facilities(file, r.csv_text, *table);
          if (!parsed.ok()) return OperatorRefusal{400, allocation::to_string(parsed.error())};
        }
        return std::nullopt;
      },
      request);
}

}  // namespace carbonx::edge
