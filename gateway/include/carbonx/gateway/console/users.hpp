#pragma once
// The console's users (gateway/src/console/README.md): name, role, the firm of a compliance
// officer, an argon2id password hash, a TOTP secret, and the lock-out state, in
// <data_dir>/console/users.json (mode 0600; written to a temporary file, fsynced, renamed).
//
// A login needs the password and a TOTP code of the current 30 s step (one step of drift either
// way); a code is accepted once (a step at or before the last accepted one is refused). After
// max_failed failures in a row (password or code) the user is locked out for lockout_s, and a
// locked user is refused without checking anything. Each outcome is a value (LoginOutcome).
//
// Thread-safety: every method locks; login() costs one argon2id verification (run it off the
// I/O thread).

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "carbonx/gateway/members.hpp"

namespace carbonx::gateway::console {

enum class Role : std::uint8_t { kOperator = 1, kApprover, kFirmOfficer, kReadOnly };
std::string_view to_string(Role r) noexcept;
// "operator", "approver", "firm_officer", "read_only"; nullopt otherwise.
std::optional<Role> parse_role(std::string_view text) noexcept;

struct User {
  std::string name;  // 1..64 of [A-Za-z0-9._-]
  Role role = Role::kReadOnly;
  std::uint32_t firm_account = 0;  // a firm officer's firm (registry account); 0 otherwise
  std::string password_hash;       // "$argon2id$..."
  std::string totp_secret;         // base32
  std::uint32_t failed = 0;        // failures in a row
  std::int64_t locked_until_s = 0;
  std::int64_t last_totp_step = -1;
};

enum class LoginOutcome : std::uint8_t {
  kOk = 1,
  kUnknownUser,
  kBadPassword,
  kBadCode,      // not the code of this or a neighbouring step
  kReusedCode,   // the code of a step already used to log in
  kLocked,       // locked out now (this attempt was not checked)
  kLockedNow,    // this failure locked the user out
  kStoreFailed,  // the users file cannot be written: refused
};
std::string_view to_string(LoginOutcome o) noexcept;

struct LockoutPolicy {
  std::uint32_t max_failed = 5;
  std::int64_t lockout_s = 900;
};

class UserStore {
 public:
  // Opens `path` (missing: no users yet). Refused (nullptr, *error says why): a file group or
  // others may read, one that is malformed, or a user in it that is not valid.
  static std::unique_ptr<UserStore> open(const std::string& path, LockoutPolicy policy,
                                         std::string* error);

  // Adds (or, with replace, replaces) a user with a new TOTP secret and the argon2id hash of
  // `password` (8+ characters) at `cost`; persists. Returns the new user, or nullopt with *error.
  std::optional<User> add(const std::string& name, Role role, std::uint32_t firm_account,
                          const std::string& password, const PasswordCost& cost, bool replace,
                          std::string* error);

  // Checks a login at `now_s` (Unix seconds) and records its effect (failures, lock-out, the
  // code's step). `user` gets the user's entry on kOk.
  LoginOutcome login(std::string_view name, std::string_view password, std::string_view code,
                     std::int64_t now_s, User* user);

  std::optional<User> find(std::string_view name) const;
  std::vector<User> all() const;
  const std::string& path() const { return path_; }

 private:
  UserStore(std::string path, LockoutPolicy policy) : path_(std::move(path)), policy_(policy) {}
  bool save_locked(std::string* error) const;
  LoginOutcome fail_locked(User& u, LoginOutcome why, std::int64_t now_s);

  std::string path_;
  LockoutPolicy policy_;
  mutable std::mutex mutex_;
  std::vector<User> users_;
};

// A user name of 1..64 characters from [A-Za-z0-9._-].
bool valid_user_name(std::string_view name) noexcept;

}  // namespace carbonx::gateway::console
