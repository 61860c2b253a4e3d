#include "carbonx/gateway/console/portal.hpp"

#include <iterator>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <type_traits>
#include <variant>

#include "carbonx/gateway/console/console_server.hpp"
#include "carbonx/gateway/operator_verbs.hpp"

namespace carbonx::gateway::console {

namespace {

using json = nlohmann::json;

std::string error_json(std::string_view text) {
  return json{{"ok", false}, {"error", std::string(text)}}.dump();
}

// The value of `name` in the query string of `target` ("" if absent). Only the characters a
// year, a seq or a date has are kept: anything else makes the value empty (refused later).
std::string query_param(const std::string& target, std::string_view name) {
  const auto q = target.find('?');
  if (q == std::string::npos) return "";
  std::string_view rest = std::string_view(target).substr(q + 1);
  while (!rest.empty()) {
    const auto amp = rest.find('&');
    const std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
    const auto eq = pair.find('=');
    if (eq == std::string_view::npos || pair.substr(0, eq) != name) continue;
    const std::string_view v = pair.substr(eq + 1);
    if (v.empty() || v.size() > 20 ||
        v.find_first_not_of("0123456789-") != std::string_view::npos) {
      return "";
    }
    return std::string(v);
  }
  return "";
}

// A number parameter as JSON (so the verb table checks its range), or the text as a string
// (the verb table then refuses it naming the field).
json number_or_text(const std::string& v) {
  if (v.empty() || v.size() > 18 || v.find('-') != std::string::npos) return v;
  return std::stoll(v);
}

void answer_json(const PortalIo& io, std::uint32_t status, std::string body) {
  io.reply(status, std::move(body), "application/json", "");
}

// The verb `verb` with `body`, as the console's /api/verb checks one: parsed by the verb table
// (and completed by the operator edge), the role's row, then the firm scope. A refusal is
// answered and audited here (nullopt).
std::optional<verbs::Request> admit(const Session& s, std::string_view verb, const json& body,
                                    const PortalIo& io) {
  auto parsed = parse_operator_request(*io.edge, verb, body.dump());
  if (!parsed.ok()) {
    io.audit(verb, "refused", parsed.error().json);
    answer_json(io, parsed.error().http_status, parsed.error().json);
    return std::nullopt;
  }
  std::string why;
  if (!role_may_call(s.role, verbs::meta_of(parsed.value()))) {
    why = "a " + std::string(to_string(s.role)) + " user may not call " + std::string(verb);
  } else if (!portal_scope(s, parsed.value(), &why)) {
    // why is set
  } else {
    return std::move(parsed.value());
  }
  io.audit(verb, "forbidden", why);
  answer_json(io, 403, error_json(why));
  return std::nullopt;
}

using Done = std::function<void(std::uint32_t, std::string)>;

// Admits and submits `verb`; `done` gets its answer. Busy: 503.
void run(const Session& s, std::string_view verb, const json& body, const PortalIo& io, Done done) {
  auto request = admit(s, verb, body, io);
  if (!request) return;
  if (!io.submit(std::move(*request), std::move(done))) {
    io.audit(verb, "refused", "system busy or stopping");
    answer_json(io, 503, error_json("system busy or stopping"));
  }
}

// The common ending: audit the answer, pass it on.
Done pass_on(const PortalIo& io, std::string verb) {
  return [io, verb](std::uint32_t status, std::string body) {
    io.audit(verb, status < 300 ? "ok" : "refused",
             std::to_string(status) + " " + body.substr(0, 400));
    answer_json(io, status, std::move(body));
  };
}

// POST /api/portal/surrender: the preview first, for the firm's member (the surrender is made
// as the firm's own member) and the rule's name; then the surrender itself (the registrar
// decides again, journaled); then its certificate.
void surrender(const Session& s, const json& terms, const PortalIo& io) {
  const json preview_body{{"firm_account", s.firm_account},
                          {"year", terms.value("year", json())},
                          {"legs", terms.value("legs", json())}};
  run(s, "surrender.preview", preview_body, io,
      [s, io, preview_body](std::uint32_t status, std::string body) {
        const json preview = json::parse(body, nullptr, false);
        if (status != 200 || !preview.is_object() || !preview.contains("member")) {
          return pass_on(io, "surrender.preview")(status, std::move(body));
        }
        if (preview["member"] == 0) {  // no firm registered on the account: nothing to ask
          return pass_on(io, "surrender")(409, json{{"ok", false},
                                                    {"error", preview.value("error", "")},
                                                    {"detail", preview.value("detail", "")},
                                                    {"rule", preview.value("rule", "")}}
                                                   .dump());
        }
        json surrender_body = preview_body;
        surrender_body["member"] = preview["member"];
        run(s, "surrender", surrender_body, io,
            [s, io, preview](std::uint32_t st, std::string answer) {
              json a = json::parse(answer, nullptr, false);
              if (st != 200 || !a.is_object() || !a.value("ok", false)) {
                if (a.is_object() && preview.value("detail", "") == a.value("detail", "x")) {
                  a["rule"] = preview["rule"];  // the same decision: its rule's name
                  answer = a.dump();
                }
                return pass_on(io, "surrender")(st, std::move(answer));
              }
              io.audit("surrender", "ok", "200 " + answer);
              const json cert_body{{"firm_account", s.firm_account}, {"seq", a["seq"]}};
              run(s, "surrender.certificate", cert_body, io,
                  [io, a](std::uint32_t cs, std::string cert) mutable {
                    const json c = json::parse(cert, nullptr, false);
                    if (cs == 200 && c.is_object()) a["certificate"] = c["certificate"];
                    answer_json(io, 200, a.dump());
                  });
            });
      });
}

void statement(const Session& s, const std::string& target, const PortalIo& io) {
  const json body{{"account", s.firm_account},
                  {"from", number_or_text(query_param(target, "from"))},
                  {"to", number_or_text(query_param(target, "to"))}};
  run(s, "firm.statement", body, io, [io](std::uint32_t status, std::string answer) {
    io.audit("firm.statement", status < 300 ? "ok" : "refused", std::to_string(status));
    if (status != 200) return answer_json(io, status, std::move(answer));
    const json a = json::parse(answer, nullptr, false);
    std::string csv = statement_csv(answer);
    if (csv.empty() || !a.is_object()) return answer_json(io, 500, error_json("bad statement"));
    const std::string name = "statement-" + std::to_string(a.value("account", 0)) + "-" +
                             a.value("from", "") + "-" + a.value("to", "") + ".csv";
    io.reply(200, std::move(csv), "text/csv; charset=utf-8",
             "attachment; filename=\"" + name + "\"");
  });
}

}  // namespace

bool portal_verb(const verbs::Meta& meta) noexcept {
  return meta.name == verbs::FirmOverview::kMeta.name ||
         meta.name == verbs::SurrenderPreview::kMeta.name ||
         meta.name == verbs::SurrenderCertificate::kMeta.name ||
         meta.name == verbs::FirmStatement::kMeta.name || meta.name == verbs::Surrender::kMeta.name;
}

bool portal_scope(const Session& s, const verbs::Request& request, std::string* why) {
  if (s.role != Role::kFirmOfficer) return true;
  const std::uint32_t own = s.firm_account;
  const auto account = std::visit(
      [](const auto& r) -> std::optional<std::uint32_t> {
        using T = std::decay_t<decltype(r)>;
        if constexpr (std::is_same_v<T, verbs::FirmStatement>) {
          return r.account.value();
        } else if constexpr (std::is_same_v<T, verbs::FirmOverview> ||
                             std::is_same_v<T, verbs::SurrenderPreview> ||
                             std::is_same_v<T, verbs::SurrenderCertificate> ||
                             std::is_same_v<T, verbs::Surrender>) {
          return r.firm_account.value();
        } else {
          return std::nullopt;
        }
      },
      request);
  if (own == 0 || !account || *account != own) {
    *why = "a firm_officer of account " + std::to_string(own) + " may not act for " +
           (account ? "account " + std::to_string(*account) : std::string("the exchange"));
    return false;
  }
  if (const auto* sur = std::get_if<verbs::Surrender>(&request); sur && sur->member.value() == 0) {
    *why = "a firm_officer surrenders as its firm's member, not as the operator";
    return false;
  }
  return true;
}

std::string statement_csv(std::string_view statement_json) {
  const json a = json::parse(statement_json, nullptr, false);
  if (!a.is_object() || !a.contains("rows") || !a["rows"].is_array()) return "";
  static const char* kColumns[] = {"seq",       "time",        "kind",         "symbol",
                                   "direction", "amount",      "unit",         "counterparty",
                                   "reference", "transfer_id", "holding_after"};
  std::ostringstream out;
  for (std::size_t i = 0; i < std::size(kColumns); ++i)
    out << (i ? "," : "") << kColumns[i];
  out << "\n";
  for (const json& row : a["rows"]) {
    for (std::size_t i = 0; i < std::size(kColumns); ++i) {
      const json& v = row.value(kColumns[i], json());
      std::string cell = v.is_string() ? v.get<std::string>() : v.is_null() ? "" : v.dump();
      if (cell.find_first_of(",\"\n") != std::string::npos) {
        std::string q = "\"";
        for (char c : cell)
          q += c == '"' ? std::string("\"\"") : std::string(1, c);
        cell = q + "\"";
      }
      out << (i ? "," : "") << cell;
    }
    out << "\n";
  }
  return out.str();
}

void handle_portal(const Session& s, bool post, const std::string& target, const std::string& body,
                   const PortalIo& io) {
  const std::string path = target.substr(0, target.find('?'));
  if (s.role != Role::kFirmOfficer) {
    const std::string why =
        "the firm portal is for a firm_officer, not a " + std::string(to_string(s.role)) + " user";
    io.audit(path, "forbidden", why);
    return answer_json(io, 403, error_json(why));
  }
  if (!post && path == "/api/portal/overview") {
    json b{{"firm_account", s.firm_account}};
    if (target.find("year=") != std::string::npos) {  // none: the year whose deadline is next
      b["year"] = number_or_text(query_param(target, "year"));
    }
    return run(s, "firm.overview", b, io, pass_on(io, "firm.overview"));
  }
  if (!post && path == "/api/portal/certificate") {
    const json b{{"firm_account", s.firm_account},
                 {"seq", number_or_text(query_param(target, "seq"))}};
    return run(s, "surrender.certificate", b, io, pass_on(io, "surrender.certificate"));
  }
  if (!post && path == "/api/portal/statement.csv") return statement(s, target, io);
  if (post && (path == "/api/portal/preview" || path == "/api/portal/surrender")) {
    const json terms = json::parse(body, nullptr, false);
    if (!terms.is_object()) {
      return answer_json(io, 400, error_json("the body must be {\"year\", \"legs\"}"));
    }
    if (path == "/api/portal/surrender") return surrender(s, terms, io);
    const json b{{"firm_account", s.firm_account},
                 {"year", terms.value("year", json())},
                 {"legs", terms.value("legs", json())}};
    return run(s, "surrender.preview", b, io, pass_on(io, "surrender.preview"));
  }
  answer_json(io, 404, error_json("unknown portal path"));
}

}  // namespace carbonx::gateway::console
