#include "carbonx/registry/compliance/inputs.hpp"

#include <fmt/format.h>

#include <set>

#include "../allocation/row_reader.hpp"
#include "carbonx/engine/assert.hpp"
#include "carbonx/registry/allocation/compute.hpp"
#include "carbonx/registry/allocation/table.hpp"

namespace carbonx::compliance {

using allocation::ColumnMap;
using allocation::CsvRow;
using allocation::CsvTable;
using allocation::InputError;
using allocation::InputErrorCode;
using allocation::kMaxIdLength;
using allocation::detail::RowReader;

const OffsetUnit* OffsetCatalogue::find(AssetId a) const {
  auto it = units.find(a);
  return it == units.end() ? nullptr : &it->second;
}

namespace {

// A required whole number in [lo, hi].
std::optional<std::int64_t> whole(RowReader& r, std::string_view column, std::int64_t lo,
                                  std::int64_t hi) {
  auto d = r.decimal(column, 0, Decimal::whole(lo), Decimal::whole(hi));
  if (!d) return std::nullopt;
  return allocation::round_half_up(*d);  // scale 0: exact
}

template <typename T, typename ReadRow>
Result<T, InputErrors> parse_rows(std::string_view file, std::string_view text,
                                  const std::vector<std::string_view>& cols, T out,
                                  ReadRow read_row) {
  std::vector<InputError> errors;
  const CsvTable csv = allocation::parse_csv(file, text, errors);
  const ColumnMap columns(file, csv, cols, errors);
  if (!columns.complete()) return Err{InputErrors{std::move(errors)}};
  for (const CsvRow& row : csv.rows) {
    if (!allocation::detail::field_count_ok(file, csv, row, errors)) continue;
    RowReader r(file, row, columns, errors);
    read_row(r, out);
  }
  if (!errors.empty()) return Err{InputErrors{allocation::sorted_by_line(std::move(errors))}};
  return out;
}

}  // namespace

Result<std::vector<VerifiedEmissions>, InputErrors> parse_verified_emissions(
    std::string_view file, std::string_view text) {
  std::set<std::pair<std::string, int>> seen;
  return parse_rows(file, text, {"firm", "year", "verified_emissions_t"},
                    std::vector<VerifiedEmissions>{},
                    [&](RowReader& r, std::vector<VerifiedEmissions>& out) {
                      auto firm = r.identifier("firm", kMaxIdLength);
                      auto year = whole(r, "year", allocation::kMinYear, allocation::kMaxYear);
                      auto t = whole(r, "verified_emissions_t", 0, kMaxEmissionsT);
                      if (!firm || !year || !t) return;
                      if (!seen.insert({*firm, static_cast<int>(*year)}).second) {
                        r.fail(InputErrorCode::kDuplicateKey, "firm",
                               fmt::format("firm '{}' year {} appears twice", *firm, *year));
                        return;
                      }
                      out.push_back({*firm, static_cast<int>(*year), *t, r.line()});
                    });
}

Result<std::vector<VerifiedEmissions>, InputErrors> load_verified_emissions(
    const std::string& path) {
  std::vector<InputError> errors;
  std::string text;
  if (!allocation::read_file(path, text, errors)) return Err{InputErrors{std::move(errors)}};
  return parse_verified_emissions(path, text);
}

namespace {

void read_offset(RowReader& r, OffsetCatalogue& out) {
  auto asset = whole(r, "asset_id", 1, UINT32_MAX);
  std::optional<OffsetKind> kind;
  if (auto k = r.required("kind")) {
    if (*k == "CCER" || *k == "ccer") {
      kind = OffsetKind::kCcer;
    } else if (*k == "PHCER" || *k == "phcer") {
      kind = OffsetKind::kPhcer;
    } else {
      r.fail(InputErrorCode::kUnknownValue, "kind", fmt::format("'{}' (CCER|PHCER)", *k));
    }
  }
  auto project = r.identifier("project_id", kMaxIdLength);
  auto region = r.identifier("region", kMaxIdLength);
  auto type = r.identifier("type", kMaxIdLength);
  DateInt start = 0, end = 0;
  for (auto [col, slot] : {std::pair{"crediting_start", &start}, {"crediting_end", &end}}) {
    auto v = r.required(col);
    if (v && !parse_date(*v, *slot)) {
      r.fail(InputErrorCode::kBadNumber, col, fmt::format("'{}' is not YYYY-MM-DD", *v));
    }
  }
  if (start != 0 && end != 0 && start > end) {
    r.fail(InputErrorCode::kOutOfRange, "crediting_end", "before crediting_start");
  }
  if (r.failures() != 0) return;
  const AssetId id(static_cast<std::uint32_t>(*asset));
  if (out.units.count(id) != 0) {
    r.fail(InputErrorCode::kDuplicateKey, "asset_id", fmt::format("asset {} twice", *asset));
    return;
  }
  out.units[id] = OffsetUnit{id, *kind, *project, *region, *type, start, end};
}

}  // namespace

Result<OffsetCatalogue, InputErrors> parse_offset_catalogue(std::string_view file,
                                                            std::string_view text) {
  return parse_rows(
      file, text,
      {"asset_id", "kind", "project_id", "region", "type", "crediting_start", "crediting_end"},
      OffsetCatalogue{}, read_offset);
}

Result<OffsetCatalogue, InputErrors> load_offset_catalogue(const std::string& path) {
  std::vector<InputError> errors;
  std::string text;
  if (!allocation::read_file(path, text, errors)) return Err{InputErrors{std::move(errors)}};
  return parse_offset_catalogue(path, text);
}

}  // namespace carbonx::compliance
