#pragma once
// The operator verbs at the gateway's edge (the table: gateway/verbs/, carbonx::verbs). The
// operator API's HTTP thread, and cxctl's in-process channel, parse a verb's body ONCE into its
// typed request, the operator edge completes it (edge::OperatorEdge: symbols -> instrument ids,
// files -> rows); only that typed value crosses the sequencer's queue (OperatorRequest), and the
// core thread dispatches it through the table's handlers (src/operator_handlers.hpp).
//
// Replies are JSON objects: {"ok": true, ...} or {"ok": false, "error": "...", ...} with an HTTP
// status (200; 400 bad request; 404 unknown verb, symbol or account; 409 refused by the state;
// 500 the clock's file could not be written).
//
// Thread-safety: parse_operator_request() any thread; apply_member_verb() on the thread that owns
// the MemberDirectory's writes (the operator API's I/O thread, or cxctl's one thread).

#include <cstdint>
#include <string>
#include <string_view>

#include "carbonx/edge/operator_edge.hpp"
#include "carbonx/engine/result.hpp"
#include "carbonx/gateway/members.hpp"
#include "carbonx/verbs/verbs.hpp"

namespace carbonx::gateway {

struct OperatorReply {
  std::uint32_t http_status = 200;
  std::string json;
};

// The body of `verb` as its typed request, completed by the operator edge (symbols resolved,
// files parsed: carbonx/edge/operator_edge.hpp), or the reply refusing it, which changes nothing:
// 404 {"ok": false, "error": "unknown verb <verb>"}, 400 {"ok": false, "error": "bad request
// body: <verb>: <field>: <problem>"}, or the edge's 404 (an unknown symbol) or 400 (a file that
// does not parse, an unknown allocation table).
Result<verbs::Request, OperatorReply> parse_operator_request(const edge::OperatorEdge& edge,
                                                             std::string_view verb,
                                                             std::string_view body_json);

// A verb of verbs::Route::kMembers (member.list, member.add, member.set_password) applied to the
// gateway's members file; not exchange state, not journaled (a new member's FIX session exists
// from the next start, and member.add's accounts are granted, journaled, at that start).
// Precondition: the request's route is kMembers.
OperatorReply apply_member_verb(MemberDirectory& members, const verbs::Request& request);

}  // namespace carbonx::gateway
