#pragma once
// The out stage's input (gateway/out/README.md): what the core thread did with one batch, as
// plain data, in apply order. The core thread records it while it applies the batch; the out
// stage (out_stage.hpp) turns it into the members' replies only after the batch was committed.
// Nothing here points into the core: events are copies, the FIX request is the edge's
// fixed-size command, texts are strings.
//
// The batch is recorded on the core thread for every command, so recording it allocates nothing
// per command once its vectors have grown to a batch's size: every Applied's events lie in one
// flat vector (Applied holds its range), the start of each item is an index (no step of its
// own), and the driver hands the next batch vectors of the last one's capacity.
//
// Items: each item the driver applies (a FIX request, an operator verb, a calendar or session
// event) numbers its own reports: the ExecID counter starts again at its first step.
//
// What each step is for:
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
#include <span>
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
  // The core's events of this command, in order: Batch::events[first_event, +event_count).
  std::uint32_t first_event = 0;
  std::uint32_t event_count = 0;
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

using Step = std::variant<Applied, Refused, StatusQuery, MdRequest, Ready>;

// An order open in the store: its record and its OrigClOrdID (the ClOrdID before its last
// replace; zeros if never replaced). The out stage's reports of it continue (OutStage::restore).
struct RestoredOrder {
  OpenOrderRecord order;
  ClientOrderId orig_client_order_id{};
};

// One batch's steps. Core thread while it is recorded; then handed over whole.
struct Batch {
  std::vector<Step> steps;
  std::vector<Event> events;  // every Applied's events, in apply order
  std::vector<std::uint32_t>
      item_starts;  // each item's first step (ascending; repeats: empty items)
  // A standby promoted to primary (gateway replication): the out stage takes the store's open
  // orders before this batch's steps, in commit order like everything else.
  bool restores = false;
  std::vector<RestoredOrder> restored;

  bool empty() const { return steps.empty() && !restores; }
  void clear() {
    steps.clear();
    events.clear();
    item_starts.clear();
    restores = false;
    restored.clear();
  }
  // A new item starts: its first step is the next one recorded.
  void begin_item() { item_starts.push_back(static_cast<std::uint32_t>(steps.size())); }
  // A core command: `a` with `ev`, its events (copied into the batch's flat vector).
  void applied(Applied a, std::span<const Event> ev) {
    a.first_event = static_cast<std::uint32_t>(events.size());
    a.event_count = static_cast<std::uint32_t>(ev.size());
    events.insert(events.end(), ev.begin(), ev.end());
    steps.emplace_back(std::move(a));
  }
  std::span<const Event> events_of(const Applied& a) const {
    return std::span<const Event>(events).subspan(a.first_event, a.event_count);
  }
  void ready(Delivery d) { steps.emplace_back(Ready{std::move(d)}); }
  // An empty batch whose vectors have this one's capacity: the next batch records without
  // growing them again (one allocation each per batch, none per command).
  Batch empty_like() const {
    Batch b;
    b.steps.reserve(steps.capacity());
    b.events.reserve(events.capacity());
    b.item_starts.reserve(item_starts.capacity());
    return b;
  }
};

}  // namespace carbonx::out
