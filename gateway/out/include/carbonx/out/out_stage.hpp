#pragma once
// OutStage: the last of the five stages (docs/design.md, gateway/out/README.md). It turns a
// committed batch (batch.hpp: the core's events and the per-command context, in apply order)
// into the members' FIX replies: ExecutionReports, OrderCancelRejects, MassCancelReports,
// trade capture reports of agreements and repos, auction bid reports and News, market data
// increments. It owns what those replies need beyond the events:
//
//   OrderMeta by OrderId  ClOrdID, OrigClOrdID, OrdType, TimeInForce, price, OrderQty, CumQty,
//                         filled notional of each open order (restored from the store's
//                         open-order records at start)
//   session of member     which FIX session a member's reports go to (fixed at start)
//   subscriptions         market data subscriptions by instrument (lost at a restart: a member
//                         subscribes again after its logon)
//   the ExecID counter    "<seq>-<n>", n restarting at each item's first step
//
// It decides nothing: every outcome was decided by the core thread, and every text that
// explains a refusal from the exchange's state came with the batch. Given the same batches
// after the same restore, it produces the same replies.
//
// Thread-safety: one thread at a time (carbonxd: the sequencer's sender thread, or the core
// thread when it delivers a batch itself; never both at once, batches in commit order).

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "carbonx/engine/instrument.hpp"
#include "carbonx/out/batch.hpp"

namespace carbonx::out {

class OutStage {
 public:
  static constexpr std::size_t kMaxSubscriptionsPerInstrument = 8192;

  // `exchange`: the instruments (their symbols). `sessions`: the number of FIX sessions (News
  // goes to all). `session_of_member`: each member's session by MemberId (kNoSession: none).
  OutStage(const ExchangeConfig& exchange, SessionIndex sessions,
           std::vector<SessionIndex> session_of_member);

  // Forgets every order and subscription and takes the orders open in the store: their
  // reports continue (a resting order is a Day limit order: OrdType and TimeInForce are not
  // stored).
  void restore(std::span<const RestoredOrder> open_orders);

  // Appends the replies of `batch`, a committed one, to `out`, in the batch's order.
  void translate(const Batch& batch, std::vector<Delivery>& out);

  std::size_t open_orders() const { return orders_.size(); }
  std::size_t subscriptions() const;

 private:
  struct OrderMeta {
    SessionIndex session = kNoSession;
    std::string cl_ord_id;
    std::string orig_cl_ord_id;
    gateway::FixOrdType ord_type = gateway::FixOrdType::kLimit;
    gateway::FixTif tif = gateway::FixTif::kDay;
    std::int64_t price_fen = 0;
    std::int64_t quantity_t = 0;
    std::int64_t cum_t = 0;
    std::int64_t cum_notional_fen = 0;
  };
  struct Subscription {
    SessionIndex session = kNoSession;
    std::string request_id;
    bool bids = false;
    bool offers = false;
    bool trades = false;
  };

  void on_applied(const Applied& a, std::span<const Event> events, std::vector<Delivery>& out);
  void on_ack(const Applied& a, const AckEvent& e, std::vector<Delivery>& out);
  void on_fill(const Applied& a, const FillEvent& e, std::vector<Delivery>& out);
  void on_cancelled(const Applied& a, const CancelEvent& e, std::vector<Delivery>& out);
  void on_replaced(const Applied& a, const ReplaceAckEvent& e, std::vector<Delivery>& out);
  void on_rejected(const Applied& a, const RejectEvent& e, std::vector<Delivery>& out);
  void on_book_events(std::span<const Event> events, std::vector<Delivery>& out);
  void on_refused(const Refused& r, std::vector<Delivery>& out);
  void on_status(const StatusQuery& q, std::vector<Delivery>& out);
  void on_market_data(const MdRequest& m, std::vector<Delivery>& out);
  // Off-book (offbook_replies.cpp): true when `ev` was an off-book event (handled there).
  bool on_offbook_event(const Applied& a, const Event& ev, std::vector<Delivery>& out);
  void on_agreement(const Applied& a, const AgreementEvent& e, TimestampNs ts,
                    std::vector<Delivery>& out);
  FixReply agreement_report(const AgreementEvent& e, bool reporter) const;
  void on_auction_event(const AuctionEvent& e, std::vector<Delivery>& out);
  void on_auction_bid(const Applied& a, const AuctionBidEvent& e, TimestampNs ts,
                      std::vector<Delivery>& out);
  void on_repo_event(const Applied& a, const RepoEvent& e, TimestampNs ts,
                     std::vector<Delivery>& out);

  const std::string& symbol_of(InstrumentId id) const;
  SessionIndex session_of_member(MemberId m) const;
  SessionIndex session_of_account(const Applied& a, AccountId account) const;
  FixReply base_report(const OrderMeta& m, OrderId id, InstrumentId ins, Side side) const;
  std::string next_exec_id(Seq seq);
  // code: an ord_rej_reason:: / cxl_rej_reason:: value (fix_types.hpp).
  void reject_order(SessionIndex s, const edge::FixCommand& q, Seq seq, std::int32_t code,
                    const std::string& text, std::vector<Delivery>& out);
  void reject_cancel(SessionIndex s, const edge::FixCommand& q, std::int32_t code,
                     const std::string& text, std::vector<Delivery>& out);
  void reject_trade_capture(SessionIndex s, const edge::FixCommand& q, const std::string& text,
                            std::vector<Delivery>& out);
  // An OrderCancelReject of a live order: its OrderID and current OrdStatus.
  void name_live_order(OrderId id, std::int64_t live_leaves_t, FixReply& r) const;

  std::vector<std::string> symbols_;  // by InstrumentId
  SessionIndex sessions_ = 0;
  std::vector<SessionIndex> session_of_member_;                           // by MemberId
  std::unordered_map<std::uint64_t, OrderMeta> orders_;                   // by OrderId
  std::unordered_map<std::uint32_t, std::vector<Subscription>> md_subs_;  // by instrument
  std::uint32_t exec_in_command_ = 0;
  // The command being translated: its off-book refusal texts used so far, its mass cancels.
  std::size_t offbook_texts_used_ = 0;
  std::int32_t mass_cancels_ = 0;
};

}  // namespace carbonx::out
