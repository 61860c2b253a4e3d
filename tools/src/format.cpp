// Formatting helpers (format.hpp).
#include "carbonx/tools/format.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>

#include "carbonx/engine/assert.hpp"

namespace carbonx::tools {

std::string fen_to_yuan(std::int64_t fen) {
  const bool negative = fen < 0;
  const std::uint64_t abs =
      negative ? 0 - static_cast<std::uint64_t>(fen) : static_cast<std::uint64_t>(fen);
  std::string out = negative ? "-" : "";
  out += std::to_string(abs / 100);
  out += '.';
  const std::uint64_t cents = abs % 100;
  out += static_cast<char>('0' + cents / 10);
  out += static_cast<char>('0' + cents % 10);
  return out;
}

std::string grouped(std::int64_t v) {
  const std::uint64_t a = v < 0 ? 0 - static_cast<std::uint64_t>(v) : static_cast<std::uint64_t>(v);
  const std::string digits = std::to_string(a);
  std::string out;
  const std::size_t n = digits.size();
  for (std::size_t i = 0; i < n; ++i) {
    if (i > 0 && (n - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  if (v < 0) out.insert(out.begin(), '-');
  return out;
}

std::string date_text(Date d) {
  if (d.yyyymmdd == 0) return "";
  char buf[16];
  const int y = d.yyyymmdd / 10000;
  const int m = d.yyyymmdd / 100 % 100;
  const int day = d.yyyymmdd % 100;
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, m, day);
  return buf;
}

bool parse_date_text(std::string_view text, Date& out) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return false;
  int y = 0;
  int m = 0;
  int d = 0;
  const auto num = [&](std::size_t at, std::size_t len, int& v) {
    const char* b = text.data() + at;
    const auto r = std::from_chars(b, b + len, v);
    return r.ec == std::errc{} && r.ptr == b + len;
  };
  if (!num(0, 4, y) || !num(5, 2, m) || !num(8, 2, d)) return false;
  const Date candidate{y * 10000 + m * 100 + d};
  if (!is_valid_date(candidate)) return false;
  out = candidate;
  return true;
}

std::int64_t permille(std::int64_t part, std::int64_t whole) {
  if (whole == 0) return 0;
  CX_ASSERT(whole > 0);
  return (part * 1000 * 2 + whole) / (whole * 2);
}

std::string permille_text(std::int64_t pm) {
  const bool negative = pm < 0;
  const std::int64_t a = negative ? -pm : pm;
  std::string out;
  if (negative) out += '-';
  out += std::to_string(a / 10);
  out += '.';
  out += std::to_string(a % 10);
  out += '%';
  return out;
}

bool parse_yuan(std::string_view text, std::int64_t& fen) {
  const std::size_t dot = text.find('.');
  const std::string_view whole = text.substr(0, dot);
  const std::string_view frac = dot == std::string_view::npos ? "" : text.substr(dot + 1);
  if (whole.empty() || whole.size() > 13 || frac.size() > 2) return false;
  if (dot != std::string_view::npos && frac.empty()) return false;
  std::int64_t v = 0;
  for (const char c : whole) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  for (std::size_t i = 0; i < 2; ++i) {
    const char c = i < frac.size() ? frac[i] : '0';
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  fen = v;
  return true;
}

std::string csv_field(std::string_view s) {
  if (s.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(s);
  std::string out = "\"";
  for (const char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

TextTable::TextTable(std::vector<Column> columns) : columns_(std::move(columns)) {
  CX_ASSERT(!columns_.empty());
}

void TextTable::add_row(std::vector<std::string> cells) {
  CX_ASSERT(cells.size() == columns_.size());
  rows_.push_back(std::move(cells));
}

void TextTable::add_rule() {
  rows_.emplace_back();
}

std::string TextTable::render() const {
  std::vector<std::size_t> width(columns_.size());
  for (std::size_t c = 0; c < columns_.size(); ++c)
    width[c] = columns_[c].title.size();
  for (const auto& row : rows_) {
    for (std::size_t c = 0; c < row.size(); ++c)
      width[c] = std::max(width[c], row[c].size());
  }
  std::size_t total = 0;
  for (const std::size_t w : width)
    total += w + 2;
  const auto line = [&](const std::vector<std::string>& cells, const auto& cell_of) {
    std::string out;
    for (std::size_t c = 0; c < columns_.size(); ++c) {
      const std::string& s = cell_of(cells, c);
      const std::string pad(width[c] - s.size(), ' ');
      out += columns_[c].right ? pad + s : s + pad;
      if (c + 1 < columns_.size()) out += "  ";
    }
    while (!out.empty() && out.back() == ' ')
      out.pop_back();
    return out + "\n";
  };
  std::string out =
      line({}, [&](const auto&, std::size_t c) -> const std::string& { return columns_[c].title; });
  const std::string rule(total > 2 ? total - 2 : total, '-');
  out += rule + "\n";
  for (const auto& row : rows_) {
    if (row.empty()) {
      out += rule + "\n";
      continue;
    }
    out +=
        line(row, [](const auto& cells, std::size_t c) -> const std::string& { return cells[c]; });
  }
  return out;
}

}  // namespace carbonx::tools
