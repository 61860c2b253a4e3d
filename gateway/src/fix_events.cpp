// ExchangeDriver: the core's events of one command -> a step for the out stage (gateway/out),
// and what the core thread itself must know of them before the next command: which ClOrdIDs
// name open orders, which ids a refusal gives back. The replies are the out stage's.
#include "carbonx/gateway/exchange_driver.hpp"

namespace carbonx::gateway {

void ExchangeDriver::record_applied(OutBatch& out) {
  carbonx::out::Applied a;
  a.seq = seq_;
  if (pending_.request != nullptr) {
    a.request = *pending_.request;
    a.session = pending_.session;
  }
  const std::span<const Event> events = core_->events();
  for (const Event& ev : events)
    note_event(ev, a);
  out.applied(std::move(a), events);
}

// The member whose session gets the notices of `account` (agreements, bids, repos): the first
// member the registrar's authority lets act for it that has a FIX session (the lowest member
// id when several may), or 0.
MemberId ExchangeDriver::member_of_account(AccountId account) const {
  for (const MemberId member : registrar_->members_of(account)) {
    const std::uint32_t m = member.value();
    if (m < session_of_member_.size() && session_of_member_[m] != kNoSession) return member;
  }
  return MemberId(0);
}

void ExchangeDriver::note_event(const Event& ev, carbonx::out::Applied& a) {
  const edge::FixCommand* q = pending_.request;
  if (const auto* k = std::get_if<AckEvent>(&ev.body)) {
    OpenOrderKey key;
    if (q != nullptr && q->kind == RequestKind::kNewOrder) {
      key = OpenOrderKey{pending_.session, q->cl_ord_id.str(), ""};
    }
    if (key.session != kNoSession) {
      open_by_clordid_[key.session][key.cl_ord_id] = k->order_id.value();
    }
    open_orders_[k->order_id.value()] = std::move(key);
  } else if (const auto* f = std::get_if<FillEvent>(&ev.body)) {
    if (f->leaves_t.value() == 0) forget_order(f->order_id);
  } else if (const auto* c = std::get_if<CancelEvent>(&ev.body)) {
    forget_order(c->order_id);
  } else if (const auto* r = std::get_if<ReplaceAckEvent>(&ev.body)) {
    const auto it = open_orders_.find(r->order_id.value());
    CX_ASSERT(it != open_orders_.end());
    CX_ASSERT(q != nullptr);  // only a member's replace request replaces an order
    auto& open = open_by_clordid_[it->second.session];
    open.erase(it->second.cl_ord_id);
    it->second.orig_cl_ord_id = std::move(it->second.cl_ord_id);
    it->second.cl_ord_id = q->cl_ord_id.str();
    open[it->second.cl_ord_id] = r->order_id.value();
  } else if (const auto* j = std::get_if<RejectEvent>(&ev.body)) {
    if (q == nullptr) return;  // an operator, calendar or disconnect command
    if (j->command >= CommandType::kAgreementReport) {
      a.offbook_reject_texts.push_back(offbook_reject_text(*j, *q));
      // A refused report or bid changed nothing: its TradeReportID / ClOrdID may be sent again.
      if (q->kind != RequestKind::kCancel) {
        used_clordids_.erase(pending_.session, q->cl_ord_id.view());
      }
    } else if (j->command == CommandType::kNewOrder) {
      used_clordids_.erase(pending_.session, q->cl_ord_id.view());  // may be re-sent
    } else if (j->command == CommandType::kCancel || j->command == CommandType::kReplace) {
      if (const auto live = core_->find_open_order(j->instrument, j->order_id)) {
        a.live_leaves_t = live->leaves_t.value();
      }
    }
  } else if (const auto* g = std::get_if<AgreementEvent>(&ev.body)) {
    a.account_members.push_back({g->reporter, member_of_account(g->reporter)});
    a.account_members.push_back({g->counterparty, member_of_account(g->counterparty)});
  } else if (const auto* b = std::get_if<AuctionBidEvent>(&ev.body)) {
    a.account_members.push_back({b->account, member_of_account(b->account)});
  } else if (const auto* p = std::get_if<RepoEvent>(&ev.body)) {
    a.account_members.push_back({p->repo_party, member_of_account(p->repo_party)});
    a.account_members.push_back({p->reverse_party, member_of_account(p->reverse_party)});
  }
}

}  // namespace carbonx::gateway
