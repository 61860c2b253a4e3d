#pragma once
// SessionEdge: the edge stage of the FIX sessions (gateway/edge/README.md). It knows which member
// is behind each session (from the member directory, refreshed when it changes) and which
// accounts that member may act for (the authority the core thread published after its last
// commit that changed it: edge/authority.hpp), and hands every translated FIX request to
// edge::FixEdge with both, so what goes to the sequencer is a fixed-size FixCommand with the
// symbol, the account (and the member's authority over it), the member and the ids resolved.
// carbonxd's FIX I/O thread owns one; tests that drive the ExchangeDriver directly use one the
// same way.
//
// Per request: one atomic load of the authority's generation (the snapshot is taken again only
// after a publish) and of the member directory's version; no lock.
//
// Not thread-safe: one thread (the FIX I/O thread) uses it.

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "carbonx/edge/authority.hpp"
#include "carbonx/edge/fix_edge.hpp"
#include "carbonx/gateway/fix_engine.hpp"
#include "carbonx/gateway/members.hpp"
#include "carbonx/gateway/sequencer.hpp"

namespace carbonx::gateway {

class SessionEdge {
 public:
  // `members`, `fix` and `authority` outlive the edge.
  SessionEdge(const std::vector<InstrumentConfig>& instruments, const MemberDirectory& members,
              const FixEngine& fix, const edge::PublishedAuthority& authority);

  // The member behind `session` (nullptr: no member has its CompID).
  const Member* member(SessionIndex session);
  // `q`, received on `session`, as the item the sequencer carries.
  edge::FixCommand translate(SessionIndex session, const FixRequest& q);
  // The session went away: the event the core needs (its member and whether it asked for its
  // orders to be cancelled), or nullopt if the session has no member.
  std::optional<SessionEvent> disconnected(SessionIndex session);

 private:
  edge::FixEdge edge_;
  const MemberDirectory& members_;
  const FixEngine& fix_;
  const edge::PublishedAuthority& authority_;
  std::shared_ptr<const edge::AuthoritySnapshot> snapshot_;  // the one of generation_
  std::uint64_t generation_ = ~std::uint64_t{0};
  std::vector<std::optional<Member>> cache_;  // by session
  std::uint64_t version_ = ~std::uint64_t{0};
};

}  // namespace carbonx::gateway
