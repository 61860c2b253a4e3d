// The operator verbs at the gateway's edge (operator_verbs.hpp): the one parse of a body into
// its typed request, and the member verbs, which change the gateway's members file (credentials,
// not exchange state) and so never go through the sequencer. A member's authority over accounts
// is exchange state: authority.* verbs, journaled on the core thread (operator_registry.cpp).
#include <nlohmann/json.hpp>

#include "carbonx/gateway/operator_verbs.hpp"

namespace carbonx::gateway {
namespace {

using json = nlohmann::json;

OperatorReply members_reply(const Status<MemberError>& st) {
  if (!st.ok()) {
    return OperatorReply{409,
                         json{{"ok", false}, {"error", std::string(to_string(st.error()))}}.dump()};
  }
  return OperatorReply{200, json{{"ok", true}}.dump()};
}

}  // namespace

Result<verbs::Request, OperatorReply> parse_operator_request(const edge::OperatorEdge& edge,
                                                             std::string_view verb,
                                                             std::string_view body_json) {
  auto parsed = verbs::parse(verb, body_json);
  if (parsed.ok()) {
    verbs::Request request = std::move(parsed).value();
    if (auto refused = edge.admit(request)) {
      return Err{OperatorReply{refused->http_status,
                               json{{"ok", false}, {"error", std::move(refused->error)}}.dump()}};
    }
    return request;
  }
  const verbs::ParseFailure f = parsed.error();
  if (f.code == verbs::BodyError::kUnknownVerb) {
    return Err{OperatorReply{404, json{{"ok", false}, {"error", f.text}}.dump()}};
  }
  return Err{
      OperatorReply{400, json{{"ok", false}, {"error", "bad request body: " + f.text}}.dump()}};
}

OperatorReply apply_member_verb(MemberDirectory& members, const verbs::Request& request) {
  CX_ASSERT(verbs::meta_of(request).route == verbs::Route::kMembers);
  if (std::holds_alternative<verbs::MemberList>(request)) {
    json out = json::array();
    for (const Member& m : members.all()) {
      out.push_back({{"id", m.id},
                     {"comp_id", m.comp_id},
                     {"username", m.username},
                     {"cancel_on_disconnect", m.cancel_on_disconnect},
                     {"grant_at_start", m.grant_at_start}});
    }
    return OperatorReply{200, json{{"ok", true}, {"members", out}}.dump()};
  }
  if (const auto* a = std::get_if<verbs::MemberAdd>(&request)) {
    MemberSeed s;
    s.id = a->id;
    s.comp_id = a->comp_id;
    s.username = a->username;
    s.password = a->password;
    s.cancel_on_disconnect = a->cancel_on_disconnect;
    s.accounts = a->accounts;
    return members_reply(members.add(s));
  }
  const auto& p = std::get<verbs::MemberSetPassword>(request);
  return members_reply(members.set_password(p.id, p.password));
}

}  // namespace carbonx::gateway
