#pragma once
// The firm portal (gateway/src/console/README.md "Firm portal"): what a covered firm's
// compliance officer (Role::kFirmOfficer, bound to its firm's registry account in users.json)
// sees and does in the console. Every request becomes verbs of the verb table, built here from
// the session's firm account (never from the page) and checked like any console verb
// (role_may_call, then portal_scope), so a firm officer reaches its own firm's data only:
//
//   GET  /api/portal/overview?year=Y        firm.overview: holdings, obligation, offset cap,
//                                           in-province share, surrenders of the year
//   POST /api/portal/preview {year, legs}   surrender.preview: the registrar's decision now,
//                                           every rule listed, nothing changed
//   POST /api/portal/surrender {year, legs} surrender (journaled, the firm's own member as the
//                                           actor), then surrender.certificate of its seq
//   GET  /api/portal/certificate?seq=N      surrender.certificate
//   GET  /api/portal/statement.csv?from=YYYY-MM-DD&to=YYYY-MM-DD
//                                           firm.statement as CSV (a download)
//
// A refusal names the rule (409 {"error", "detail", "rule"}); a request for another firm or a
// verb the role may not call is 403, audited. Thread-safety: the server's I/O thread only.

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "carbonx/gateway/console/sessions.hpp"
#include "carbonx/verbs/verbs.hpp"

namespace carbonx::edge {
class OperatorEdge;
}

namespace carbonx::gateway::console {

// The verbs of the portal: the ones a firm officer may call (for its own firm only).
bool portal_verb(const verbs::Meta& meta) noexcept;

// Whether session `s` may make `request` beyond its role: a firm officer only for its own firm's
// account (and a surrender only as the firm's member, not as the operator); every other role
// passes. On false *why says what was refused.
bool portal_scope(const Session& s, const verbs::Request& request, std::string* why);

// The statement rows of a firm.statement answer as CSV (header line first); "" if malformed.
std::string statement_csv(std::string_view statement_json);

// What the portal needs of the console for one request.
struct PortalIo {
  const edge::OperatorEdge* edge = nullptr;
  // Runs a typed request through the sequencer; done(http_status, json) on the I/O thread.
  // False (done never called) when the system is busy or stopping.
  std::function<bool(verbs::Request, std::function<void(std::uint32_t, std::string)>)> submit;
  // The answer: status, body, content type, Content-Disposition ("" for none).
  std::function<void(std::uint32_t, std::string, std::string, std::string)> reply;
  // One audit line of the session's user: action, outcome, detail.
  std::function<void(std::string_view, std::string_view, std::string_view)> audit;
};

// Handles one /api/portal/ request of session `s` (`target` with its query string).
void handle_portal(const Session& s, bool post, const std::string& target, const std::string& body,
                   const PortalIo& io);

}  // namespace carbonx::gateway::console
