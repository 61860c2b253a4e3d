#include "carbonx/registry/allocation/csv.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "carbonx/engine/assert.hpp"

namespace carbonx::allocation {

std::string_view to_string(InputErrorCode e) noexcept {
  switch (e) {
    case InputErrorCode::kUnreadableFile:
      return "file cannot be read";
    case InputErrorCode::kCsvSyntax:
      return "CSV syntax error";
    case InputErrorCode::kLineTooLong:
      return "line too long";
    case InputErrorCode::kTooManyRows:
      return "too many rows";
    case InputErrorCode::kMissingHeader:
      return "missing header line";
    case InputErrorCode::kMissingColumn:
      return "missing column";
    case InputErrorCode::kUnknownColumn:
      return "unknown column";
    case InputErrorCode::kDuplicateColumn:
      return "duplicate column";
    case InputErrorCode::kFieldCount:
      return "wrong number of fields";
    case InputErrorCode::kMissingValue:
      return "missing value";
    case InputErrorCode::kUnexpectedValue:
      return "value not allowed here";
    case InputErrorCode::kBadNumber:
      return "bad number";
    case InputErrorCode::kOutOfRange:
      return "out of range";
    case InputErrorCode::kUnknownSector:
      return "unknown sector";
    case InputErrorCode::kUnknownClass:
      return "unknown class";
    case InputErrorCode::kUnknownValue:
      return "unknown value";
    case InputErrorCode::kMismatch:
      return "contradicting fields";
    case InputErrorCode::kDuplicateKey:
      return "duplicate";
    case InputErrorCode::kBadIdentifier:
      return "bad identifier";
    case InputErrorCode::kIncomplete:
      return "incomplete file";
  }
  return "unknown input error";
}

std::string to_string(const InputError& e) {
  std::ostringstream out;
  out << e.file;
  if (e.line != 0) out << ':' << e.line;
  out << ": ";
  if (!e.field.empty()) out << "field '" << e.field << "': ";
  out << to_string(e.code);
  if (!e.detail.empty()) out << ": " << e.detail;
  return out.str();
}

std::string to_string(const InputErrors& e) {
  std::string out;
  for (const auto& err : e.errors)
    out += to_string(err) + "\n";
  return out;
}

std::vector<InputError> sorted_by_line(std::vector<InputError> errors) {
  std::stable_sort(errors.begin(), errors.end(), [](const InputError& a, const InputError& b) {
    const std::size_t la = a.line == 0 ? SIZE_MAX : a.line;
    const std::size_t lb = b.line == 0 ? SIZE_MAX : b.line;
    return la < lb;
  });
  return errors;
}

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

// Splits one line into fields; false on a quote error (detail in `why`).
bool split_line(std::string_view line, std::vector<std::string>& out, std::string& why) {
  out.clear();
  std::size_t i = 0;
  while (true) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t'))
      ++i;
    std::string field;
    if (i < line.size() && line[i] == '"') {
      ++i;
      bool closed = false;
      while (i < line.size()) {
        if (line[i] == '"') {
          if (i + 1 < line.size() && line[i + 1] == '"') {
            field.push_back('"');
            i += 2;
            continue;
          }
          closed = true;
          ++i;
          break;
        }
        field.push_back(line[i++]);
      }
      if (!closed) {
        why = "unterminated quoted field";
        return false;
      }
      while (i < line.size() && (line[i] == ' ' || line[i] == '\t'))
        ++i;
      if (i < line.size() && line[i] != ',') {
        why = "text after a closing quote";
        return false;
      }
    } else {
      const std::size_t end = line.find(',', i);
      const std::string_view raw =
          line.substr(i, end == std::string_view::npos ? std::string_view::npos : end - i);
      if (raw.find('"') != std::string_view::npos) {
        why = "quote inside an unquoted field";
        return false;
      }
      field = std::string(trim(raw));
      i = end == std::string_view::npos ? line.size() : end;
    }
    out.push_back(std::move(field));
    if (i >= line.size()) return true;
    CX_ASSERT(line[i] == ',');
    ++i;
  }
}

}  // namespace

CsvTable parse_csv(std::string_view file, std::string_view text, std::vector<InputError>& errors) {
  CsvTable table;
  std::size_t line_no = 0;
  std::size_t pos = 0;
  std::vector<std::string> fields;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (trim(line).empty() || trim(line).front() == '#') continue;
    if (line.size() > kMaxCsvLineBytes) {
      errors.push_back({InputErrorCode::kLineTooLong, std::string(file), line_no, "",
                        fmt::format("over {} bytes", kMaxCsvLineBytes)});
      continue;
    }
    std::string why;
    if (!split_line(line, fields, why)) {
      errors.push_back({InputErrorCode::kCsvSyntax, std::string(file), line_no, "", why});
      continue;
    }
    if (fields.size() > kMaxCsvFields) {
      errors.push_back({InputErrorCode::kFieldCount, std::string(file), line_no, "",
                        fmt::format("over {} fields", kMaxCsvFields)});
      continue;
    }
    if (table.header_line == 0) {
      table.header_line = line_no;
      table.header = fields;
      continue;
    }
    if (table.rows.size() >= kMaxCsvRows) {
      errors.push_back({InputErrorCode::kTooManyRows, std::string(file), line_no, "",
                        fmt::format("over {} rows", kMaxCsvRows)});
      break;
    }
    table.rows.push_back(CsvRow{line_no, fields});
  }
  if (table.header_line == 0) {
    errors.push_back({InputErrorCode::kMissingHeader, std::string(file), 0, "", "file is empty"});
  }
  return table;
}

ColumnMap::ColumnMap(std::string_view file, const CsvTable& table,
                     const std::vector<std::string_view>& columns, std::vector<InputError>& errors)
    : columns_(columns), index_(columns.size(), SIZE_MAX) {
  for (std::size_t h = 0; h < table.header.size(); ++h) {
    const std::string& name = table.header[h];
    bool known = false;
    for (std::size_t c = 0; c < columns_.size(); ++c) {
      if (columns_[c] != name) continue;
      known = true;
      if (index_[c] != SIZE_MAX) {
        errors.push_back({InputErrorCode::kDuplicateColumn, std::string(file), table.header_line,
                          name, "column appears twice in the header"});
        complete_ = false;
      }
      index_[c] = h;
    }
    if (!known) {
      errors.push_back({InputErrorCode::kUnknownColumn, std::string(file), table.header_line, name,
                        "not a column of this file"});
      complete_ = false;
    }
  }
  if (table.header_line == 0) {
    complete_ = false;
    return;
  }
  for (std::size_t c = 0; c < columns_.size(); ++c) {
    if (index_[c] != SIZE_MAX) continue;
    errors.push_back({InputErrorCode::kMissingColumn, std::string(file), table.header_line,
                      std::string(columns_[c]), "the header lacks this column"});
    complete_ = false;
  }
}

std::size_t ColumnMap::index(std::string_view column) const {
  for (std::size_t c = 0; c < columns_.size(); ++c) {
    if (columns_[c] == column) {
      CX_ASSERT(index_[c] != SIZE_MAX);
      return index_[c];
    }
  }
  CX_ASSERT(false && "column not declared");
  return 0;
}

bool read_file(const std::string& path, std::string& out, std::vector<InputError>& errors) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    errors.push_back({InputErrorCode::kUnreadableFile, path, 0, "", "cannot open"});
    return false;
  }
  std::ostringstream buf;
  buf << in.rdbuf();
  if (in.bad()) {
    errors.push_back({InputErrorCode::kUnreadableFile, path, 0, "", "read failed"});
    return false;
  }
  out = buf.str();
  return true;
}

bool is_identifier(std::string_view s, std::size_t max_len) {
  if (s.empty() || s.size() > max_len) return false;
  for (char c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '.' || c == '-';
    if (!ok) return false;
  }
  return true;
}

}  // namespace carbonx::allocation
