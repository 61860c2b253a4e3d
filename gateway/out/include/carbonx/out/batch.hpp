#pragma once
// The out stage's input (gateway/out/README.md): what the core thread did with one batch, as
// plain data, in apply order. The core thread records it while it applies the batch; the out
// stage (out_stage.hpp) turns it into the members' replies only after the batch was committed.
// Nothing here points into the core: events are copies, the FIX request is the edge's
// fixed-size command, texts are strings.
//
// What each step is for:
//   ResetExecIds  the ExecID counter starts again: each item the driver applies (a FIX request,
//                 an operator verb, a calendar or session event) numbers its own reports
//   Applied       one core command: its events, the FIX request behind it (ClOrdID,
//                 OrigClOrdID, request ids) and what only the core thread could know
//   Refused       a FIX request refused before the core (no command, no seq)
//   StatusQuery   an OrderStatusRequest and the order's open record, if it is open
//   MdRequest     a MarketDataRequest: the snapshots (read from the books on the core thread);
//                 the out stage keeps the subscriptions
//   Ready         a reply made on the core thread from its state (operator replies, query
//                 answers), delivered in its place

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "carbonx/edge/fix_command.hpp"
#include "carbonx/engine/core.hpp"
#include "carbonx/engine/events.hpp"
#include "carbonx/gateway/fix_engine.hpp"
#include "carbonx/gateway/fix_types.hpp"

namespace carbonx::out {

using gateway::FixReply;
using gateway::kNoSession;
using gateway::SessionIndex;

// Something to send once its batch is durable.
struct Delivery {
  SessionIndex session = kNoSession;  // a FIX reply to this session ...
  FixReply reply;
  std::uint64_t ticket = 0;  // ... or an operator reply to this HTTP exchange (session unset)
  std::uint32_t http_status = 200;
  std::string json;
};

struct ResetExecIds {};

// The member whose session gets an account's off-book notices: the first member the registrar's
// authority lets act for the account that has a FIX session (looked up on the core thread).
struct AccountMember {
  AccountId account{0};
  MemberId member{0};  // 0: none (the notice goes to no session)
};

struct Applied {
  Seq seq{0};  // the command's (ExecIDs are "<seq>-<n>")
  // The FIX request behind the command and its session; none for operator, calendar and
  // session-event commands (their own replies, if any, are Ready steps).
  std::optional<edge::FixCommand> request;
  SessionIndex session = kNoSession;
  std::vector<Event> events;  // the core's events of this command, in order
  // A refused cancel or replace of an order that is still open: its open quantity (FIX wants
  // the order's OrderID and OrdStatus in the OrderCancelReject). -1: not open.
  std::int64_t live_leaves_t = -1;
  // Each refused off-book command's explanation, in event order: the engine's reason with the
  // numbers that decided it (band, tick, minimum, reserve, cap, window, surrender deadline),
  // made on the core thread from the state the engine used.
  std::vector<std::string> offbook_reject_texts;
  // For each account the off-book events name, the member whose session gets its reports.
  std::vector<AccountMember> account_members;
};

struct Refused {
  enum class Reply : std::uint8_t { kOrder = 1, kCancel, kTradeCapture };
  Reply reply = Reply::kOrder;
  Seq seq{0};  // the last applied seq (an order reject's ExecID: "R<seq>-<member>-<MsgSeqNum>")
  SessionIndex session = kNoSession;
  edge::FixCommand request;
  std::int32_t code = 0;  // ord_rej_reason:: / cxl_rej_reason:: (unused for a trade capture)
  std::string text;
  // A refused cancel or replace of an order that is still open (e.g. a replace with a duplicate
  // ClOrdID): the order and its open quantity, for the OrderCancelReject's OrderID and OrdStatus.
  // live_leaves_t -1: no open order.
  OrderId live_order{0};
  std::int64_t live_leaves_t = -1;
};

struct StatusQuery {
  Seq seq{0};  // the seq the answer reflects (its ExecID)
  SessionIndex session = kNoSession;
  edge::FixCommand request;
  std::optional<OpenOrderRecord> open;  // the order the request names, if it is open
};

struct MdRequest {
  SessionIndex session = kNoSession;
  edge::FixCommand request;         // its instruments resolved (no unknown symbol)
  std::vector<FixReply> snapshots;  // one per instrument of the request; none to unsubscribe
};

struct Ready {
  Delivery delivery;
};

using Step = std::variant<ResetExecIds, Applied, Refused, StatusQuery, MdRequest, Ready>;

// One batch's steps. Core thread while it is recorded; then handed over whole.
struct Batch {
  std::vector<Step> steps;

  bool empty() const { return steps.empty(); }
  void clear() { steps.clear(); }
  void ready(Delivery d) { steps.emplace_back(Ready{std::move(d)}); }
};

}  // namespace carbonx::out
