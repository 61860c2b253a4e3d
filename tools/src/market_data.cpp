// The demonstration market's account list (market_data.hpp).
#include "carbonx/tools/market_data.hpp"

#include <charconv>
#include <set>

namespace carbonx::tools {
namespace {

std::vector<std::string> split(std::string_view line) {
  std::vector<std::string> out(1);
  for (const char c : line) {
    if (c == ',') {
      out.emplace_back();
    } else if (c != '\r') {
      out.back() += c;
    }
  }
  return out;
}

bool to_u32(const std::string& s, std::uint32_t& v) {
  const auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  return r.ec == std::errc{} && r.ptr == s.data() + s.size();
}

}  // namespace

Result<std::vector<AccountRow>, std::string> parse_accounts_csv(std::string_view file,
                                                                std::string_view text) {
  std::vector<AccountRow> rows;
  std::set<std::uint32_t> ids;
  std::set<std::string> firms;
  bool header = false;
  std::size_t line_no = 0;
  while (!text.empty()) {
    const std::size_t nl = text.find('\n');
    const std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? "" : text.substr(nl + 1);
    ++line_no;
    if (line.empty() || line[0] == '#') continue;
    const auto f = split(line);
    const std::string at = std::string(file) + ":" + std::to_string(line_no) + ": ";
    if (!header) {
      if (f != std::vector<std::string>{"account", "kind", "member", "name"}) {
        return Err(at + "header must be account,kind,member,name");
      }
      header = true;
      continue;
    }
    if (f.size() != 4) return Err(at + "4 fields expected, got " + std::to_string(f.size()));
    AccountRow r;
    if (!to_u32(f[0], r.account) || r.account == 0) return Err(at + "account: not an id > 0");
    if (!ids.insert(r.account).second) return Err(at + "account: duplicate " + f[0]);
    r.kind = f[1];
    if (r.kind != "control_emission_firm" && r.kind != "investment_institution" &&
        r.kind != "individual") {
      return Err(at + "kind: control_emission_firm | investment_institution | individual");
    }
    if (!to_u32(f[2], r.member)) return Err(at + "member: not a member id");
    r.name = f[3];
    if (r.name.empty()) return Err(at + "name: empty");
    if (r.kind == "control_emission_firm" && !firms.insert(r.name).second) {
      return Err(at + "name: firm " + r.name + " listed twice");
    }
    rows.push_back(std::move(r));
  }
  if (!header) return Err(std::string(file) + ": no header");
  return rows;
}

std::map<std::string, std::uint32_t> firm_accounts(const std::vector<AccountRow>& rows) {
  std::map<std::string, std::uint32_t> out;
  for (const AccountRow& r : rows) {
    if (r.kind == "control_emission_firm") out[r.name] = r.account;
  }
  return out;
}

}  // namespace carbonx::tools
