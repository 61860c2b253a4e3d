#include "carbonx/gateway/console/sessions.hpp"

#include <algorithm>

#include "carbonx/engine/assert.hpp"
#include "carbonx/gateway/console/auth.hpp"

namespace carbonx::gateway::console {

SessionTable::SessionTable(std::int64_t idle_s, std::size_t max_sessions)
    : idle_s_(idle_s), max_sessions_(max_sessions) {
  CX_ASSERT(idle_s > 0);
  CX_ASSERT(max_sessions > 0);
}

Session SessionTable::create(const User& user, std::int64_t now_s) {
  Session s{random_hex(32), random_hex(32), user.name, user.role, user.firm_account, now_s};
  std::lock_guard lock(mutex_);
  if (by_id_.size() >= max_sessions_) {
    const auto oldest = std::min_element(by_id_.begin(), by_id_.end(), [](auto& a, auto& b) {
      return a.second.last_used_s < b.second.last_used_s;
    });
    by_id_.erase(oldest);
  }
  const bool inserted = by_id_.emplace(s.id, s).second;
  CX_ASSERT(inserted);  // 256 random bits
  return s;
}

std::optional<Session> SessionTable::find(std::string_view id, std::int64_t now_s) {
  std::lock_guard lock(mutex_);
  const auto it = by_id_.find(std::string(id));
  if (it == by_id_.end()) return std::nullopt;
  if (now_s - it->second.last_used_s > idle_s_) {
    by_id_.erase(it);
    return std::nullopt;
  }
  it->second.last_used_s = now_s;
  return it->second;
}

void SessionTable::end(std::string_view id) {
  std::lock_guard lock(mutex_);
  by_id_.erase(std::string(id));
}

std::size_t SessionTable::size() const {
  std::lock_guard lock(mutex_);
  return by_id_.size();
}

std::string session_cookie(const Session& s) {
  std::string c(kSessionCookie);
  c += "=" + s.id + "; Path=/; HttpOnly; SameSite=Strict";
  return c;
}

std::string ended_session_cookie() {
  std::string c(kSessionCookie);
  c += "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0";
  return c;
}

std::string cookie_value(std::string_view header, std::string_view name) {
  while (!header.empty()) {
    const auto end = header.find(';');
    std::string_view item = header.substr(0, end);
    header = end == std::string_view::npos ? std::string_view{} : header.substr(end + 1);
    while (!item.empty() && item.front() == ' ')
      item.remove_prefix(1);
    const auto eq = item.find('=');
    if (eq != std::string_view::npos && item.substr(0, eq) == name) {
      return std::string(item.substr(eq + 1));
    }
  }
  return {};
}

bool csrf_matches(const Session& s, std::string_view header) noexcept {
  return !s.csrf.empty() && constant_time_equal(s.csrf, header);
}

}  // namespace carbonx::gateway::console
