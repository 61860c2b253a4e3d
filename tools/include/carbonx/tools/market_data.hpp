#pragma once
// The demonstration market's account list (tools/data/market/accounts.csv), read and checked:
// header `account,kind,member,name`, '#' comment lines, one account per row; kind is
// control_emission_firm | investment_institution | individual; account ids unique and > 0;
// for firms `name` is the firm id used by allocation and compliance (unique).
// Errors name the file, line and field. Plain functions, thread-safe.

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "carbonx/engine/result.hpp"

namespace carbonx::tools {

struct AccountRow {
  std::uint32_t account = 0;
  std::string kind;
  std::uint32_t member = 0;
  std::string name;
};

Result<std::vector<AccountRow>, std::string> parse_accounts_csv(std::string_view file,
                                                                std::string_view text);
// Firm id -> account, for the control_emission_firm rows.
std::map<std::string, std::uint32_t> firm_accounts(const std::vector<AccountRow>& rows);

}  // namespace carbonx::tools
