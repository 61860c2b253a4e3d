#pragma once
// Console sessions (gateway/src/console/README.md): a logged-in user's session is a random 256-bit
// id in an HttpOnly, SameSite=Strict cookie, and a second random token (CSRF) that the page reads
// from the login answer and sends back in the X-CSRF-Token header of every state-changing
// request. A session unused for idle_s ends; at most max_sessions live at once (the least
// recently used ends first). Thread-safety: every method locks.

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "carbonx/gateway/console/users.hpp"

namespace carbonx::gateway::console {

inline constexpr std::string_view kSessionCookie = "cx_session";
inline constexpr std::string_view kCsrfHeader = "X-CSRF-Token";

struct Session {
  std::string id;    // 64 hex digits
  std::string csrf;  // 64 hex digits
  std::string user;
  Role role = Role::kReadOnly;
  std::uint32_t firm_account = 0;
  std::int64_t last_used_s = 0;
};

class SessionTable {
 public:
  SessionTable(std::int64_t idle_s, std::size_t max_sessions);
  Session create(const User& user, std::int64_t now_s);
  // The live session `id` (its last use moved to now_s); nullopt if unknown or idle too long.
  std::optional<Session> find(std::string_view id, std::int64_t now_s);
  void end(std::string_view id);
  std::size_t size() const;

 private:
  std::int64_t idle_s_;
  std::size_t max_sessions_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Session> by_id_;
};

// The Set-Cookie value of a new session (a browser-session cookie: the server ends the session
// when it is idle, the browser forgets the cookie when it closes) / of its end (expired at once).
std::string session_cookie(const Session& s);
std::string ended_session_cookie();
// The value of cookie `name` in a Cookie header ("a=1; b=2"); empty if absent.
std::string cookie_value(std::string_view header, std::string_view name);
// True if `header` (the X-CSRF-Token sent) is the session's CSRF token.
bool csrf_matches(const Session& s, std::string_view header) noexcept;

}  // namespace carbonx::gateway::console
