#include "carbonx/gateway/console/users.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "carbonx/engine/assert.hpp"
#include "carbonx/gateway/console/auth.hpp"

namespace carbonx::gateway::console {

using json = nlohmann::json;

std::string_view to_string(Role r) noexcept {
  switch (r) {
    case Role::kOperator:
      return "operator";
    case Role::kApprover:
      return "approver";
    case Role::kFirmOfficer:
      return "firm_officer";
    case Role::kReadOnly:
      return "read_only";
  }
  return "unknown";
}

std::optional<Role> parse_role(std::string_view text) noexcept {
  for (const Role r : {Role::kOperator, Role::kApprover, Role::kFirmOfficer, Role::kReadOnly}) {
    if (text == to_string(r)) return r;
  }
  return std::nullopt;
}

std::string_view to_string(LoginOutcome o) noexcept {
  switch (o) {
    case LoginOutcome::kOk:
      return "ok";
    case LoginOutcome::kUnknownUser:
      return "unknown user";
    case LoginOutcome::kBadPassword:
      return "wrong password";
    case LoginOutcome::kBadCode:
      return "wrong one-time code";
    case LoginOutcome::kReusedCode:
      return "one-time code already used";
    case LoginOutcome::kLocked:
      return "locked out";
    case LoginOutcome::kLockedNow:
      return "locked out after too many failures";
    case LoginOutcome::kStoreFailed:
      return "the users file cannot be written";
  }
  return "unknown";
}

bool valid_user_name(std::string_view name) noexcept {
  if (name.empty() || name.size() > 64) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-';
  });
}

namespace {

json to_json(const User& u) {
  return json{{"name", u.name},
              {"role", std::string(to_string(u.role))},
              {"firm_account", u.firm_account},
              {"password_hash", u.password_hash},
              {"totp_secret", u.totp_secret},
              {"failed", u.failed},
              {"locked_until_s", u.locked_until_s},
              {"last_totp_step", u.last_totp_step}};
}

// One user of the file; nullopt with *error naming what is wrong.
std::optional<User> from_json(const json& j, std::string* error) {
  User u;
  try {
    u.name = j.at("name").get<std::string>();
    const auto role = parse_role(j.at("role").get<std::string>());
    u.firm_account = j.at("firm_account").get<std::uint32_t>();
    u.password_hash = j.at("password_hash").get<std::string>();
    u.totp_secret = j.at("totp_secret").get<std::string>();
    u.failed = j.at("failed").get<std::uint32_t>();
    u.locked_until_s = j.at("locked_until_s").get<std::int64_t>();
    u.last_totp_step = j.at("last_totp_step").get<std::int64_t>();
    if (!role) {
      *error = "user " + u.name + ": unknown role";
      return std::nullopt;
    }
    u.role = *role;
  } catch (const json::exception& e) {
    *error = std::string("a user entry is malformed: ") + e.what();
    return std::nullopt;
  }
  if (!valid_user_name(u.name) || u.password_hash.rfind("$argon2id$", 0) != 0 ||
      !base32_decode(u.totp_secret) || u.totp_secret.empty() ||
      (u.role == Role::kFirmOfficer) != (u.firm_account != 0)) {
    *error = "user " + u.name + ": invalid entry (name, argon2id hash, base32 secret, firm)";
    return std::nullopt;
  }
  return u;
}

}  // namespace

std::unique_ptr<UserStore> UserStore::open(const std::string& path, LockoutPolicy policy,
                                           std::string* error) {
  CX_ASSERT(policy.max_failed > 0);
  std::unique_ptr<UserStore> s(new UserStore(path, policy));
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return s;  // no users yet
  if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
    *error = path + " may be read by group or others: chmod 600 it";
    return nullptr;
  }
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  const json j = json::parse(text.str(), nullptr, false);
  if (!in || j.is_discarded() || !j.is_object() || !j.contains("users") || !j["users"].is_array()) {
    *error = path + " is not a users file ({\"users\": [...]})";
    return nullptr;
  }
  for (const json& e : j["users"]) {
    auto u = from_json(e, error);
    if (!u) {
      *error = path + ": " + *error;
      return nullptr;
    }
    s->users_.push_back(std::move(*u));
  }
  return s;
}

bool UserStore::save_locked(std::string* error) const {
  json users = json::array();
  for (const User& u : users_)
    users.push_back(to_json(u));
  const std::string text = json{{"version", 1}, {"users", users}}.dump(1) + "\n";
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(path_).parent_path(), ec);
  const std::string tmp = path_ + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  bool ok = fd >= 0;
  if (ok) ok = ::fchmod(fd, 0600) == 0;
  if (ok) ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  if (ok) ok = ::fsync(fd) == 0;
  if (fd >= 0) ok = ::close(fd) == 0 && ok;
  if (ok) ok = ::rename(tmp.c_str(), path_.c_str()) == 0;
  if (!ok && error != nullptr) *error = "cannot write " + path_;
  return ok;
}

std::optional<User> UserStore::add(const std::string& name, Role role, std::uint32_t firm_account,
                                   const std::string& password, const PasswordCost& cost,
                                   bool replace, std::string* error) {
  if (!valid_user_name(name)) {
    *error = "a user name is 1-64 characters of A-Z a-z 0-9 . _ -";
    return std::nullopt;
  }
  if ((role == Role::kFirmOfficer) != (firm_account != 0)) {
    *error = "a firm officer needs --firm (the firm's account), and only a firm officer has one";
    return std::nullopt;
  }
  if (password.size() < 8) {
    *error = "a console password has 8 characters at least";
    return std::nullopt;
  }
  User u;
  u.name = name;
  u.role = role;
  u.firm_account = firm_account;
  u.password_hash = hash_password(password, cost);
  u.totp_secret = new_totp_secret();
  std::lock_guard lock(mutex_);
  const auto it =
      std::find_if(users_.begin(), users_.end(), [&](const User& x) { return x.name == name; });
  if (it != users_.end() && !replace) {
    *error = "user " + name + " exists";
    return std::nullopt;
  }
  const auto before = users_;
  if (it != users_.end()) {
    *it = u;
  } else {
    users_.push_back(u);
  }
  if (!save_locked(error)) {
    users_ = before;  // nothing changes
    return std::nullopt;
  }
  return u;
}

LoginOutcome UserStore::fail_locked(User& u, LoginOutcome why, std::int64_t now_s) {
  ++u.failed;
  if (u.failed >= policy_.max_failed) {
    u.failed = 0;
    u.locked_until_s = now_s + policy_.lockout_s;
    why = LoginOutcome::kLockedNow;
  }
  save_locked(nullptr);  // a failure counts even when it cannot be written: refused either way
  return why;
}

LoginOutcome UserStore::login(std::string_view name, std::string_view password,
                              std::string_view code, std::int64_t now_s, User* user) {
  std::lock_guard lock(mutex_);
  const auto it =
      std::find_if(users_.begin(), users_.end(), [&](const User& x) { return x.name == name; });
  if (it == users_.end()) {
    // As long as a known user's check, so the answer's time does not tell who exists.
    if (!users_.empty()) (void)verify_password(users_.front().password_hash, password);
    return LoginOutcome::kUnknownUser;
  }
  User& u = *it;
  if (u.locked_until_s > now_s) return LoginOutcome::kLocked;
  if (!verify_password(u.password_hash, password)) {
    return fail_locked(u, LoginOutcome::kBadPassword, now_s);
  }
  const auto key = base32_decode(u.totp_secret);
  CX_ASSERT(key.has_value());  // checked when read or made
  const auto step = totp_match(*key, code, now_s);
  if (!step) return fail_locked(u, LoginOutcome::kBadCode, now_s);
  if (*step <= u.last_totp_step) return fail_locked(u, LoginOutcome::kReusedCode, now_s);
  const User before = u;
  u.failed = 0;
  u.last_totp_step = *step;
  if (!save_locked(nullptr)) {
    u = before;
    return LoginOutcome::kStoreFailed;
  }
  *user = u;
  return LoginOutcome::kOk;
}

std::optional<User> UserStore::find(std::string_view name) const {
  std::lock_guard lock(mutex_);
  for (const User& u : users_) {
    if (u.name == name) return u;
  }
  return std::nullopt;
}

std::vector<User> UserStore::all() const {
  std::lock_guard lock(mutex_);
  return users_;
}

}  // namespace carbonx::gateway::console
