#include "carbonx/gateway/session_edge.hpp"

namespace carbonx::gateway {

SessionEdge::SessionEdge(const std::vector<InstrumentConfig>& instruments,
                         const MemberDirectory& members, const FixEngine& fix,
                         const edge::PublishedAuthority& authority)
    : edge_(instruments), members_(members), fix_(fix), authority_(authority) {}

const Member* SessionEdge::member(SessionIndex session) {
  if (session >= fix_.session_count()) return nullptr;
  if (members_.version() != version_) {  // a member changed: ask the directory again
    version_ = members_.version();
    cache_.assign(fix_.session_count(), std::nullopt);
  }
  if (cache_.size() <= session) cache_.resize(fix_.session_count());
  std::optional<Member>& m = cache_[session];
  if (!m) m = members_.by_comp_id(fix_.member_comp_id(session));
  return m ? &*m : nullptr;
}

edge::FixCommand SessionEdge::translate(SessionIndex session, const FixRequest& q) {
  const Member* m = member(session);
  if (const std::uint64_t g = authority_.generation(); g != generation_) {
    snapshot_ = authority_.current();  // only after the core thread published a change
    generation_ = g;
  }
  edge::SessionMember who;
  if (m != nullptr)
    who = edge::SessionMember{MemberId(m->id), snapshot_->accounts_of(MemberId(m->id))};
  return edge_.translate(q, who);
}

std::optional<SessionEvent> SessionEdge::disconnected(SessionIndex session) {
  const Member* m = member(session);
  if (m == nullptr) return std::nullopt;
  return SessionEvent{SessionEvent::Kind::kDisconnected, MemberId(m->id), m->cancel_on_disconnect};
}

}  // namespace carbonx::gateway
