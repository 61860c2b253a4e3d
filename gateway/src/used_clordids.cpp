// UsedClOrdIds: the day's used ClOrdIDs per session, with the changes for the next commit.
#include "carbonx/gateway/used_clordids.hpp"

#include "carbonx/engine/assert.hpp"

namespace carbonx::gateway {

void UsedClOrdIds::set_sessions(std::vector<std::uint32_t> member_of_session) {
  CX_ASSERT(by_session_.empty());
  member_of_session_ = std::move(member_of_session);
  by_session_.resize(member_of_session_.size());
  for (SessionIndex s = 0; s < member_of_session_.size(); ++s) {
    const std::uint32_t m = member_of_session_[s];
    if (session_of_member_.size() <= m) session_of_member_.resize(m + 1, kNoSession);
    session_of_member_[m] = s;
  }
}

void UsedClOrdIds::record(SessionIndex s, std::string_view id, bool erase) {
  CX_ASSERT(s < member_of_session_.size());
  changes_.push_back(Change{member_of_session_[s], std::string(id), erase});
  dirty_ = true;
}

bool UsedClOrdIds::insert(SessionIndex s, std::string_view id) {
  CX_ASSERT(s < by_session_.size());
  CX_ASSERT(id.size() <= registry::kUsedIdMaxBytes);
  if (!by_session_[s].emplace(id).second) return false;
  record(s, id, false);
  return true;
}

bool UsedClOrdIds::contains(SessionIndex s, std::string_view id) const {
  CX_ASSERT(s < by_session_.size());
  return by_session_[s].count(std::string(id)) != 0;
}

void UsedClOrdIds::erase(SessionIndex s, std::string_view id) {
  CX_ASSERT(s < by_session_.size());
  if (by_session_[s].erase(std::string(id)) == 0) return;
  record(s, id, true);
}

void UsedClOrdIds::start_day(Date day) {
  for (auto& ids : by_session_)
    ids.clear();
  changes_.clear();  // superseded by the reset
  day_ = day;
  reset_ = true;
  dirty_ = true;
}

void UsedClOrdIds::load_day(Date day) {
  CX_ASSERT(!dirty_);
  day_ = day;
}

void UsedClOrdIds::load(std::uint32_t member, std::string_view id) {
  if (member >= session_of_member_.size() || session_of_member_[member] == kNoSession) return;
  by_session_[session_of_member_[member]].emplace(id);
}

void UsedClOrdIds::rewrite_all() {
  changes_.clear();
  for (SessionIndex s = 0; s < by_session_.size(); ++s) {
    for (const std::string& id : by_session_[s])
      changes_.push_back(Change{member_of_session_[s], id, false});
  }
  reset_ = true;
  dirty_ = true;
}

std::optional<registry::UsedIdsUpdate> UsedClOrdIds::pending() {
  if (!dirty_) return std::nullopt;
  views_.clear();
  views_.reserve(changes_.size());
  for (const Change& c : changes_)
    views_.push_back(registry::UsedIdChange{c.member, c.id, c.erase});
  return registry::UsedIdsUpdate{reset_, day_, views_};
}

void UsedClOrdIds::mark_committed() {
  changes_.clear();
  views_.clear();
  reset_ = false;
  dirty_ = false;
}

}  // namespace carbonx::gateway
