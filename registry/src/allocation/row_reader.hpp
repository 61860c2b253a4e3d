#pragma once
// Internal: reads the fields of one CSV row by column name and records every problem with the
// file, line and field. Shared by the table, facility, emissions and catalogue loaders.

#include <algorithm>
#include <optional>

#include <fmt/format.h>
#include <string>
#include <string_view>
#include <vector>

#include "carbonx/registry/allocation/csv.hpp"
#include "carbonx/registry/allocation/decimal.hpp"

namespace carbonx::allocation::detail {

class RowReader {
 public:
  RowReader(std::string_view file, const CsvRow& row, const ColumnMap& columns,
            std::vector<InputError>& errors)
      : file_(file), row_(row), columns_(columns), errors_(errors) {}

  std::string_view text(std::string_view column) const {
    return row_.fields[columns_.index(column)];
  }
  bool empty(std::string_view column) const { return text(column).empty(); }

  void fail(InputErrorCode code, std::string_view column, std::string detail) {
    errors_.push_back(
        {code, std::string(file_), row_.line, std::string(column), std::move(detail)});
    ++failures_;
  }
  std::size_t failures() const { return failures_; }
  std::size_t line() const { return row_.line; }

  // A required non-empty field.
  std::optional<std::string_view> required(std::string_view column) {
    if (empty(column)) {
      fail(InputErrorCode::kMissingValue, column, "required");
      return std::nullopt;
    }
    return text(column);
  }

  // A required identifier ([A-Za-z0-9_.-], at most max_len characters).
  std::optional<std::string> identifier(std::string_view column, std::size_t max_len) {
    auto t = required(column);
    if (!t) return std::nullopt;
    if (!is_identifier(*t, max_len)) {
      fail(InputErrorCode::kBadIdentifier, column,
           fmt::format("'{}' must be 1..{} characters of A-Z a-z 0-9 _ . -", *t, max_len));
      return std::nullopt;
    }
    return std::string(*t);
  }

  // A required decimal in [lo, hi] (hi omitted: no upper bound) with at most max_scale places.
  std::optional<Decimal> decimal(std::string_view column, int max_scale, Decimal lo,
                                 std::optional<Decimal> hi = std::nullopt) {
    auto t = required(column);
    if (!t) return std::nullopt;
    return checked_decimal(column, *t, max_scale, lo, hi);
  }

  // As decimal(), after skipping the first `prefix_len` characters (e.g. the '>' of ">100000").
  std::optional<Decimal> decimal_after_prefix(std::string_view column, std::size_t prefix_len,
                                              int max_scale, Decimal lo) {
    auto t = required(column);
    if (!t) return std::nullopt;
    return checked_decimal(column, t->substr(std::min(prefix_len, t->size())), max_scale, lo,
                           std::nullopt);
  }

  std::optional<Decimal> checked_decimal(std::string_view column, std::string_view t, int max_scale,
                                         Decimal lo, std::optional<Decimal> hi) {
    auto parsed = parse_decimal(t, max_scale, /*allow_negative=*/true);
    if (!parsed) {
      const std::string why = parsed.error() == DecimalError::kTooManyDecimals
                                  ? fmt::format("at most {} decimal places", max_scale)
                                  : std::string(to_string(parsed.error()));
      fail(InputErrorCode::kBadNumber, column, fmt::format("'{}': {}", t, why));
      return std::nullopt;
    }
    const Decimal d = parsed.value();
    if (compare(d, lo) < 0 || (hi && compare(d, *hi) > 0)) {
      fail(InputErrorCode::kOutOfRange, column,
           fmt::format("{} is outside {}..{}", t, to_string(lo), hi ? to_string(*hi) : ""));
      return std::nullopt;
    }
    return d;
  }

  // A field that must be empty for this row.
  void must_be_empty(std::string_view column, std::string_view why) {
    if (!empty(column)) {
      fail(InputErrorCode::kUnexpectedValue, column,
           fmt::format("'{}' given, but {}", text(column), why));
    }
  }

 private:
  std::string_view file_;
  const CsvRow& row_;
  const ColumnMap& columns_;
  std::vector<InputError>& errors_;
  std::size_t failures_ = 0;
};

// Checks the field count of every row; rows with a wrong count are reported and must be skipped.
inline bool field_count_ok(std::string_view file, const CsvTable& table, const CsvRow& row,
                           std::vector<InputError>& errors) {
  if (row.fields.size() == table.header.size()) return true;
  errors.push_back(
      {InputErrorCode::kFieldCount, std::string(file), row.line, "",
       fmt::format("expected {} fields, got {}", table.header.size(), row.fields.size())});
  return false;
}

}  // namespace carbonx::allocation::detail
