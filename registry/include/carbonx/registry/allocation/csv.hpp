#pragma once
// A small CSV reader for the allocation and compliance input files, and the error record every
// loader returns. Format (documented for users in registry/data/README.md):
//   - one record per line; '\n' or "\r\n" line ends; blank lines and lines starting with '#' are
//     skipped (comments); the first other line is the header;
//   - fields separated by ','; surrounding spaces of an unquoted field are trimmed;
//   - a field may be quoted with '"' (RFC 4180: "" inside is one quote) to hold ',' or spaces;
//     a quoted field must end on the same line (no multi-line fields).
// Every error names the file, the 1-based line and, where it applies, the field (column name).
// Limits: kMaxCsvLineBytes per line, kMaxCsvFields per line, kMaxCsvRows data rows.
// Plain functions, thread-safe.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace carbonx::allocation {

inline constexpr std::size_t kMaxCsvLineBytes = 4096;
inline constexpr std::size_t kMaxCsvFields = 64;
inline constexpr std::size_t kMaxCsvRows = 1'000'000;

// Why an input line was refused. Shared by every loader of allocation and compliance data.
enum class InputErrorCode : std::uint8_t {
  kUnreadableFile = 1,  // the file could not be opened or read
  kCsvSyntax,           // unterminated or stray quote
  kLineTooLong,         // over kMaxCsvLineBytes
  kTooManyRows,         // over kMaxCsvRows data rows (or a loader's own limit)
  kMissingHeader,       // no header line
  kMissingColumn,       // a required column is absent from the header
  kUnknownColumn,       // a header column nobody reads (a typo would silently drop data)
  kDuplicateColumn,     // a column named twice in the header
  kFieldCount,          // a row with another number of fields than the header
  kMissingValue,        // a required field is empty
  kUnexpectedValue,     // a field that does not apply to this row is filled in
  kBadNumber,           // not a decimal number, or too many decimal places
  kOutOfRange,          // a number outside its allowed range (negative output, ratio > 1, ...)
  kUnknownSector,       // a sector the allocation table does not list
  kUnknownClass,        // a unit class the table does not list for the sector
  kUnknownValue,        // any other value outside its enumeration (fuel, cooling, method, ...)
  kMismatch,            // two fields that contradict each other (fuel vs class)
  kDuplicateKey,        // a duplicate unit, firm-year, table entry ...
  kBadIdentifier,       // an id with characters outside [A-Za-z0-9_.-] or too long
  kIncomplete,          // the file as a whole lacks something (a table without a table_id ...)
};
std::string_view to_string(InputErrorCode e) noexcept;

struct InputError {
  InputErrorCode code = InputErrorCode::kCsvSyntax;
  std::string file;
  std::size_t line = 0;  // 1-based; 0 when the error concerns the whole file
  std::string field;     // column name, empty when the error concerns the whole line
  std::string detail;    // what was found and what was expected
};
// "facilities_2017.csv:12: field 'heat_ratio': out of range: 1.2 is outside 0..1"
std::string to_string(const InputError& e);

// All errors of one load; a load that has any error loads nothing.
struct InputErrors {
  std::vector<InputError> errors;
};
std::string to_string(const InputErrors& e);
// Orders errors by line (stable: a line's errors keep their column order); file-wide errors last.
std::vector<InputError> sorted_by_line(std::vector<InputError> errors);

struct CsvRow {
  std::size_t line = 0;
  std::vector<std::string> fields;
};

struct CsvTable {
  std::size_t header_line = 0;
  std::vector<std::string> header;
  std::vector<CsvRow> rows;
};

// Parses `text` (the content of `file`, used for messages). Syntax errors are appended to
// `errors`; a line with a syntax error is skipped, the rest is still read so every error is seen.
CsvTable parse_csv(std::string_view file, std::string_view text, std::vector<InputError>& errors);

// Maps required and optional column names to their index in a header. Unknown, duplicate and
// missing columns are reported to `errors`.
class ColumnMap {
 public:
  ColumnMap(std::string_view file, const CsvTable& table,
            const std::vector<std::string_view>& columns, std::vector<InputError>& errors);
  // Index of a column (it is one of the `columns` given, and the header had it).
  std::size_t index(std::string_view column) const;
  bool complete() const { return complete_; }

 private:
  std::vector<std::string_view> columns_;
  std::vector<std::size_t> index_;
  bool complete_ = true;
};

// Reads a whole file into `out`. False (and an error in `errors`) if it cannot be read.
bool read_file(const std::string& path, std::string& out, std::vector<InputError>& errors);

// True for a non-empty id of at most `max_len` characters from [A-Za-z0-9_.-].
bool is_identifier(std::string_view s, std::size_t max_len);

}  // namespace carbonx::allocation
