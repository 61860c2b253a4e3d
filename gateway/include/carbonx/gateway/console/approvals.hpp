#pragma once
// Four-eyes approvals (gateway/src/console/README.md "Four eyes"). A console operator's call of a
// verb whose row says `needs_approval` does not become a command: it becomes a pending request
// (id, verb, the body as the verb table writes it back, requester, time). Another user allowed to
// decide (an approver, or an operator other than the requester) approves it, and only then is it
// executed, once, through the verb table; or rejects it; a request left pending for expiry_s
// expires. Both identities and the command's answer (its status and journal seq) are kept with
// the request and written to the audit log.
//
// The requests are kept in <data_dir>/console/approvals.json (mode 0600, refused at start if
// group or others may read it; written to a temporary file, fsynced, renamed, the folder
// fsynced), so a pending request survives a restart. The decision is persisted before the
// command is submitted: a second approve of the same request (a double click, a second
// approver) finds it decided and is refused, so a request is executed at most once; a request
// approved but not answered when carbonxd stopped is marked so at the next start (its command
// may or may not be in the journal: `answered` with status 0 says so), never executed again.
//
// Thread-safety: every method locks (the console's I/O thread decides; the sender thread
// records the command's answer).

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "carbonx/gateway/console/users.hpp"

namespace carbonx::gateway::console {

enum class ApprovalState : std::uint8_t { kPending = 1, kApproved, kRejected, kExpired };
std::string_view to_string(ApprovalState s) noexcept;
std::optional<ApprovalState> parse_approval_state(std::string_view text) noexcept;

struct Approval {
  std::uint64_t id = 0;   // 1, 2, ... in the order requested; never reused
  std::string verb;       // a verb of the table with needs_approval
  std::string body;       // its JSON body as verbs::to_json wrote it
  std::string requester;  // the console user who asked
  std::int64_t requested_ms = 0;
  ApprovalState state = ApprovalState::kPending;
  std::string decider;          // who approved or rejected ("" while pending, and when expired)
  std::int64_t decided_ms = 0;  // when approved, rejected or found expired
  // An approved request's command: its HTTP status and answer (0: carbonxd stopped before the
  // answer), and the journal seq the answer names (0: none, e.g. clock.advance).
  bool answered = false;
  std::uint32_t http_status = 0;
  std::string answer;
  std::uint64_t seq = 0;
};

// Whether a role may approve or reject (approver, operator) and see the requests (all but a
// firm officer). Whoever decides, an approval by the requester is refused.
bool role_may_decide(Role role) noexcept;
bool role_may_view_approvals(Role role) noexcept;

// An approval as the console's API answers it: {"id", "verb", "body" (an object), "requester",
// "requested_at", "state", "decider", "decided_at", "answered", "http_status", "answer", "seq"}.
std::string approval_json(const Approval& a);

// A refused decision: the HTTP status (403 own request, 404 unknown id, 409 not pending or
// expired, 500 the file cannot be written) and one sentence.
struct ApprovalRefusal {
  std::uint32_t http_status = 409;
  std::string text;
};

class ApprovalStore {
 public:
  static constexpr std::size_t kMaxPending = 256;   // more requests are refused (429)
  static constexpr std::size_t kMaxDecided = 1000;  // decided requests kept (oldest dropped)
  static constexpr std::int64_t kDefaultExpiryS = 24 * 3600;

  // Opens `path` (missing: none yet). Refused (nullptr, *error says why): a file group or others
  // may read, or one that is malformed. Approved requests without an answer are marked answered
  // with status 0 (carbonxd stopped before their answer) and the file rewritten.
  static std::unique_ptr<ApprovalStore> open(const std::string& path, std::int64_t expiry_s,
                                             std::string* error);

  // A new pending request, persisted; or a refusal (429 too many pending, 500 not written;
  // nothing changes).
  std::optional<Approval> request(std::string verb, std::string body, std::string requester,
                                  std::int64_t now_ms, ApprovalRefusal* refusal);

  // pending -> approved by `approver`, persisted before the caller submits the command. Refused,
  // changing nothing: an unknown id (404), the requester's own request (403), one not pending
  // (409: says who decided it), one pending longer than expiry_s (409; it becomes expired).
  std::optional<Approval> approve(std::uint64_t id, std::string_view approver, std::int64_t now_ms,
                                  ApprovalRefusal* refusal);
  // pending -> rejected by `user` (the requester too: a withdrawal). Refused as approve() is,
  // except that the requester may.
  std::optional<Approval> reject(std::uint64_t id, std::string_view user, std::int64_t now_ms,
                                 ApprovalRefusal* refusal);
  // An approved request whose command could not be submitted (the system is busy or stopping)
  // is pending again.
  void unapprove(std::uint64_t id);
  // The command's answer to an approved request; the seq is read from the answer's "seq".
  std::optional<Approval> answered(std::uint64_t id, std::uint32_t http_status, std::string answer);

  // Every kept request, newest first; pending ones older than expiry_s become expired first.
  std::vector<Approval> list(std::int64_t now_ms);
  std::optional<Approval> find(std::uint64_t id) const;
  const std::string& path() const { return path_; }

 private:
  ApprovalStore(std::string path, std::int64_t expiry_s)
      : path_(std::move(path)), expiry_ms_(expiry_s * 1000) {}
  bool save_locked() const;
  bool expire_locked(std::int64_t now_ms);  // true if one expired
  Approval* find_locked(std::uint64_t id);
  std::optional<Approval> decide(std::uint64_t id, std::string_view user, std::int64_t now_ms,
                                 bool approve, ApprovalRefusal* refusal);

  std::string path_;
  std::int64_t expiry_ms_;
  mutable std::mutex mutex_;
  std::uint64_t next_id_ = 1;
  std::vector<Approval> approvals_;  // in id order
};

// <data_dir>/console/approvals.json.
std::string approvals_path(const std::string& data_dir);

}  // namespace carbonx::gateway::console
