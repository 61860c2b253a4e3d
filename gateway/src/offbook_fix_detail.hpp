#pragma once
// Private to the gateway's off-book translation (fix_offbook.cpp, fix_repo.cpp,
// operator_offbook.cpp): the surrender deadline a repo filing carries (docs/design.md "Repo": a
// compliance firm's repo must end before its surrender deadline). The engine keeps no compliance
// state, so the gateway looks the deadline up in the registrar and puts it in the RepoFile
// command (journaled with it: a replay does not look it up again).
#include <optional>
#include <string>

#include "carbonx/engine/types.hpp"
#include "carbonx/registry/registrar.hpp"

namespace carbonx::gateway::offbook_detail {

struct FirmDeadline {
  std::string firm;  // the registry's firm id
  Date deadline{};   // yyyymmdd, with the firm's extension if any
};

// The covered firm holding `account` (a firm registered with firm.register) and its next
// surrender deadline on or after `today`: the deadline of compliance year Y lies in Y + 1, so it
// is year(today) - 1's, or once that has passed, year(today)'s. nullopt: not a covered firm.
inline std::optional<FirmDeadline> next_surrender_deadline(const registry::Registrar& registrar,
                                                           AccountId account, Date today) {
  for (const auto& [firm, entry] : registrar.directory().firms) {
    if (entry.account != account) continue;
    const int year = today.yyyymmdd / 10'000;
    std::int32_t d = registrar.compliance().deadline(year - 1, firm);
    if (today.yyyymmdd > d) d = registrar.compliance().deadline(year, firm);
    return FirmDeadline{firm, Date{d}};
  }
  return std::nullopt;
}

}  // namespace carbonx::gateway::offbook_detail
