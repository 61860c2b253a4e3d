#pragma once
// Formatting helpers of the reports: money and dates as text (integers only, no floating point),
// a terminal table with aligned columns, CSV field quoting. Pure functions, thread-safe.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "carbonx/engine/types.hpp"

namespace carbonx::tools {

// 142050 -> "1420.50"; -5 -> "-0.05". Fen as yuan with two decimals, no grouping (CSV-safe).
std::string fen_to_yuan(std::int64_t fen);
// 1234567 -> "1,234,567" (terminal tables).
std::string grouped(std::int64_t v);
// Date{20170601} -> "2017-06-01"; Date{0} -> "".
std::string date_text(Date d);
// "2017-06-01" -> Date; false when not a real date.
bool parse_date_text(std::string_view text, Date& out);
// Permille of part over whole, rounded half up; 0 when whole is 0.
std::int64_t permille(std::int64_t part, std::int64_t whole);
// 125 -> "12.5%".
std::string permille_text(std::int64_t pm);

// "1234.5" / "1234.50" / "1234" -> fen (123450); false for a negative, malformed or more than
// two decimals (never rounds) or beyond 10^15 fen.
bool parse_yuan(std::string_view text, std::int64_t& fen);

// Quotes a CSV field when it holds a comma, quote or line break.
std::string csv_field(std::string_view s);

// A terminal table: columns are left-aligned for text, right-aligned when `right` is set.
class TextTable {
 public:
  struct Column {
    std::string title;
    bool right = true;
  };
  explicit TextTable(std::vector<Column> columns);
  void add_row(std::vector<std::string> cells);  // precondition: one cell per column
  void add_rule();                               // a horizontal line before the next row
  std::string render() const;

 private:
  std::vector<Column> columns_;
  std::vector<std::vector<std::string>> rows_;  // an empty row is a rule
};

}  // namespace carbonx::tools
