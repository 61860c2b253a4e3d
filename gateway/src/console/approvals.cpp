#include "carbonx/gateway/console/approvals.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "carbonx/engine/assert.hpp"

namespace carbonx::gateway::console {

using json = nlohmann::json;

std::string_view to_string(ApprovalState s) noexcept {
  switch (s) {
    case ApprovalState::kPending:
      return "pending";
    case ApprovalState::kApproved:
      return "approved";
    case ApprovalState::kRejected:
      return "rejected";
    case ApprovalState::kExpired:
      return "expired";
  }
  return "unknown";
}

std::optional<ApprovalState> parse_approval_state(std::string_view text) noexcept {
  for (const ApprovalState s : {ApprovalState::kPending, ApprovalState::kApproved,
                                ApprovalState::kRejected, ApprovalState::kExpired}) {
    if (text == to_string(s)) return s;
  }
  return std::nullopt;
}

bool role_may_decide(Role role) noexcept {
  return role == Role::kApprover || role == Role::kOperator;
}

bool role_may_view_approvals(Role role) noexcept {
  return role != Role::kFirmOfficer;
}

std::string approvals_path(const std::string& data_dir) {
  return (std::filesystem::path(data_dir) / "console" / "approvals.json").string();
}

namespace {

std::string iso_ms(std::int64_t unix_ms) {
  if (unix_ms == 0) return "";
  const std::time_t secs = static_cast<std::time_t>(unix_ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char ts[96];
  std::snprintf(ts, sizeof ts, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(unix_ms % 1000));
  return ts;
}

json to_file_json(const Approval& a) {
  return json{{"id", a.id},
              {"verb", a.verb},
              {"body", a.body},
              {"requester", a.requester},
              {"requested_ms", a.requested_ms},
              {"state", std::string(to_string(a.state))},
              {"decider", a.decider},
              {"decided_ms", a.decided_ms},
              {"answered", a.answered},
              {"http_status", a.http_status},
              {"answer", a.answer},
              {"seq", a.seq}};
}

std::optional<Approval> from_file_json(const json& j, std::string* error) {
  Approval a;
  try {
    a.id = j.at("id").get<std::uint64_t>();
    a.verb = j.at("verb").get<std::string>();
    a.body = j.at("body").get<std::string>();
    a.requester = j.at("requester").get<std::string>();
    a.requested_ms = j.at("requested_ms").get<std::int64_t>();
    const auto state = parse_approval_state(j.at("state").get<std::string>());
    a.decider = j.at("decider").get<std::string>();
    a.decided_ms = j.at("decided_ms").get<std::int64_t>();
    a.answered = j.at("answered").get<bool>();
    a.http_status = j.at("http_status").get<std::uint32_t>();
    a.answer = j.at("answer").get<std::string>();
    a.seq = j.at("seq").get<std::uint64_t>();
    if (!state) {
      *error = "request " + std::to_string(a.id) + ": unknown state";
      return std::nullopt;
    }
    a.state = *state;
  } catch (const json::exception& e) {
    *error = std::string("a request entry is malformed: ") + e.what();
    return std::nullopt;
  }
  if (a.id == 0 || a.verb.empty() || !valid_user_name(a.requester)) {
    *error = "request " + std::to_string(a.id) + ": invalid entry (id, verb, requester)";
    return std::nullopt;
  }
  return a;
}

// The journal seq an answer names ({"ok": true, "seq": N}); 0 if none.
std::uint64_t seq_of(const std::string& answer) {
  const json j = json::parse(answer, nullptr, false);
  if (j.is_object() && j.contains("seq") && j["seq"].is_number_unsigned()) {
    return j["seq"].get<std::uint64_t>();
  }
  return 0;
}

bool write_file_atomically(const std::string& path, const std::string& text) {
  const std::filesystem::path p(path);
  std::error_code ec;
  std::filesystem::create_directories(p.parent_path(), ec);
  const std::string tmp = path + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  bool ok = fd >= 0;
  if (ok) ok = ::fchmod(fd, 0600) == 0;
  if (ok) ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  if (ok) ok = ::fsync(fd) == 0;
  if (fd >= 0) ok = ::close(fd) == 0 && ok;
  if (ok) ok = ::rename(tmp.c_str(), path.c_str()) == 0;
  if (ok) {  // the rename itself reaches the disk
    const int dir = ::open(p.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    ok = dir >= 0 && ::fsync(dir) == 0;
    if (dir >= 0) ::close(dir);
  }
  return ok;
}

}  // namespace

std::string approval_json(const Approval& a) {
  json body = json::parse(a.body, nullptr, false);
  if (body.is_discarded()) body = a.body;
  json answer = json::parse(a.answer, nullptr, false);
  if (answer.is_discarded()) answer = a.answer;
  return json{{"id", a.id},
              {"verb", a.verb},
              {"body", body},
              {"requester", a.requester},
              {"requested_at", iso_ms(a.requested_ms)},
              {"state", std::string(to_string(a.state))},
              {"decider", a.decider},
              {"decided_at", iso_ms(a.decided_ms)},
              {"answered", a.answered},
              {"http_status", a.http_status},
              {"answer", a.answered ? answer : json()},
              {"seq", a.seq}}
      .dump(-1, ' ', false, json::error_handler_t::replace);
}

std::unique_ptr<ApprovalStore> ApprovalStore::open(const std::string& path, std::int64_t expiry_s,
                                                   std::string* error) {
  CX_ASSERT(expiry_s > 0);
  std::unique_ptr<ApprovalStore> s(new ApprovalStore(path, expiry_s));
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return s;  // none yet
  if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
    *error = path + " may be read by group or others: chmod 600 it";
    return nullptr;
  }
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  const json j = json::parse(text.str(), nullptr, false);
  if (!in || j.is_discarded() || !j.is_object() || !j.contains("approvals") ||
      !j["approvals"].is_array() || !j.contains("next_id") || !j["next_id"].is_number_unsigned()) {
    *error = path + " is not an approvals file ({\"next_id\", \"approvals\": [...]})";
    return nullptr;
  }
  s->next_id_ = j["next_id"].get<std::uint64_t>();
  bool interrupted = false;
  for (const json& e : j["approvals"]) {
    auto a = from_file_json(e, error);
    if (!a) {
      *error = path + ": " + *error;
      return nullptr;
    }
    if (a->id >= s->next_id_ || (!s->approvals_.empty() && a->id <= s->approvals_.back().id)) {
      *error = path + ": request ids out of order or past next_id";
      return nullptr;
    }
    if (a->state == ApprovalState::kApproved && !a->answered) {
      a->answered = true;  // never executed again: its command may or may not be journaled
      a->http_status = 0;
      a->answer = "carbonxd stopped before the command's answer: see the journal";
      interrupted = true;
    }
    s->approvals_.push_back(std::move(*a));
  }
  if (interrupted && !s->save_locked()) {
    *error = "cannot write " + path;
    return nullptr;
  }
  return s;
}

bool ApprovalStore::save_locked() const {
  json list = json::array();
  for (const Approval& a : approvals_)
    list.push_back(to_file_json(a));
  const std::string text = json{{"version", 1}, {"next_id", next_id_}, {"approvals", list}}.dump(
                               1, ' ', false, json::error_handler_t::replace) +
                           "\n";
  return write_file_atomically(path_, text);
}

bool ApprovalStore::expire_locked(std::int64_t now_ms) {
  bool any = false;
  for (Approval& a : approvals_) {
    if (a.state == ApprovalState::kPending && now_ms - a.requested_ms >= expiry_ms_) {
      a.state = ApprovalState::kExpired;
      a.decided_ms = now_ms;
      any = true;
    }
  }
  return any;
}

Approval* ApprovalStore::find_locked(std::uint64_t id) {
  const auto it = std::find_if(approvals_.begin(), approvals_.end(),
                               [id](const Approval& a) { return a.id == id; });
  return it == approvals_.end() ? nullptr : &*it;
}

std::optional<Approval> ApprovalStore::request(std::string verb, std::string body,
                                               std::string requester, std::int64_t now_ms,
                                               ApprovalRefusal* refusal) {
  CX_ASSERT(!verb.empty());
  std::lock_guard lock(mutex_);
  if (expire_locked(now_ms)) (void)save_locked();
  const auto pending = std::count_if(approvals_.begin(), approvals_.end(), [](const Approval& a) {
    return a.state == ApprovalState::kPending;
  });
  if (static_cast<std::size_t>(pending) >= kMaxPending) {
    *refusal = {429, "too many requests wait for approval (" + std::to_string(kMaxPending) +
                         "): approve or reject some first"};
    return std::nullopt;
  }
  const auto before = approvals_;
  const std::uint64_t next_before = next_id_;
  Approval a;
  a.id = next_id_++;
  a.verb = std::move(verb);
  a.body = std::move(body);
  a.requester = std::move(requester);
  a.requested_ms = now_ms;
  approvals_.push_back(a);
  // Decided requests beyond kMaxDecided go, oldest first.
  std::size_t decided = 0;
  for (const Approval& x : approvals_)
    decided += x.state != ApprovalState::kPending;
  for (auto it = approvals_.begin(); decided > kMaxDecided && it != approvals_.end();) {
    if (it->state != ApprovalState::kPending) {
      it = approvals_.erase(it);
      --decided;
    } else {
      ++it;
    }
  }
  if (!save_locked()) {
    approvals_ = before;  // nothing changes
    next_id_ = next_before;
    *refusal = {500, "cannot write " + path_ + ": the request was not recorded"};
    return std::nullopt;
  }
  return a;
}

std::optional<Approval> ApprovalStore::decide(std::uint64_t id, std::string_view user,
                                              std::int64_t now_ms, bool approve,
                                              ApprovalRefusal* refusal) {
  std::lock_guard lock(mutex_);
  if (expire_locked(now_ms)) (void)save_locked();
  Approval* a = find_locked(id);
  if (a == nullptr) {
    *refusal = {404, "no request " + std::to_string(id) + " waits for approval"};
    return std::nullopt;
  }
  const std::string what = "request " + std::to_string(id) + " (" + a->verb + ")";
  if (a->state != ApprovalState::kPending) {
    std::string text = what + " is " + std::string(to_string(a->state));
    if (!a->decider.empty()) text += " already, by " + a->decider;
    *refusal = {409, text + ": nothing was done"};
    return std::nullopt;
  }
  if (approve && a->requester == user) {
    *refusal = {403,
                what + " is " + a->requester + "'s own: a second user must approve it (four eyes)"};
    return std::nullopt;
  }
  const Approval before = *a;
  a->state = approve ? ApprovalState::kApproved : ApprovalState::kRejected;
  a->decider = std::string(user);
  a->decided_ms = now_ms;
  if (!save_locked()) {
    *a = before;
    *refusal = {500, "cannot write " + path_ + ": nothing was done"};
    return std::nullopt;
  }
  return *a;
}

std::optional<Approval> ApprovalStore::approve(std::uint64_t id, std::string_view approver,
                                               std::int64_t now_ms, ApprovalRefusal* refusal) {
  return decide(id, approver, now_ms, true, refusal);
}

std::optional<Approval> ApprovalStore::reject(std::uint64_t id, std::string_view user,
                                              std::int64_t now_ms, ApprovalRefusal* refusal) {
  return decide(id, user, now_ms, false, refusal);
}

void ApprovalStore::unapprove(std::uint64_t id) {
  std::lock_guard lock(mutex_);
  Approval* a = find_locked(id);
  CX_ASSERT(a != nullptr);
  CX_ASSERT(a->state == ApprovalState::kApproved && !a->answered);
  a->state = ApprovalState::kPending;
  a->decider.clear();
  a->decided_ms = 0;
  (void)save_locked();
}

std::optional<Approval> ApprovalStore::answered(std::uint64_t id, std::uint32_t http_status,
                                                std::string answer) {
  std::lock_guard lock(mutex_);
  Approval* a = find_locked(id);
  if (a == nullptr) return std::nullopt;
  CX_ASSERT(a->state == ApprovalState::kApproved);
  CX_ASSERT(!a->answered);
  a->answered = true;
  a->http_status = http_status;
  a->seq = seq_of(answer);
  a->answer = std::move(answer);
  (void)save_locked();  // the audit log has the answer too
  return *a;
}

std::vector<Approval> ApprovalStore::list(std::int64_t now_ms) {
  std::lock_guard lock(mutex_);
  if (expire_locked(now_ms)) (void)save_locked();
  return std::vector<Approval>(approvals_.rbegin(), approvals_.rend());
}

std::optional<Approval> ApprovalStore::find(std::uint64_t id) const {
  std::lock_guard lock(mutex_);
  for (const Approval& a : approvals_) {
    if (a.id == id) return a;
  }
  return std::nullopt;
}

}  // namespace carbonx::gateway::console
