#pragma once
// Member authority as the edge reads it: which accounts each member may act for.
//
// The authority itself is exchange state: granted and revoked only by journaled registry commands
// (registry::GrantAuthority / RevokeAuthority, applied by the Registrar on the core thread,
// replayed by `cxctl journal verify`, part of the registrar's state hash). After each commit that
// changed it, the core thread builds an AuthoritySnapshot of the committed pairs and publishes it
// here; the FIX edge (SessionEdge, one per FIX I/O thread) reads it.
//
//   core thread:    commit ok -> publish(make_shared<const AuthoritySnapshot>(pairs))
//   FIX I/O thread: generation() (one atomic load per request); only when it moved: current()
//
// A snapshot is immutable and shared: a reader keeps the one it took for as long as it uses it
// (shared_ptr), so a publish never invalidates what a reader holds.
//
// Thread-safety: publish() from one thread (the core thread); generation() and current() from
// any thread. current() takes a short lock (only when the generation moved, i.e. after an
// operator's grant or revoke: never per request on the hot path).

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <utility>
#include <vector>

#include "carbonx/engine/units.hpp"

namespace carbonx::edge {

class AuthoritySnapshot {
 public:
  AuthoritySnapshot() = default;
  // `pairs`: (member, account), strictly ascending (the registrar's order). Precondition checked.
  explicit AuthoritySnapshot(std::span<const std::pair<MemberId, AccountId>> pairs);

  // The accounts `member` may act for, ascending (empty if none).
  std::span<const std::uint32_t> accounts_of(MemberId member) const;
  bool may_act(MemberId member, AccountId account) const;
  std::size_t size() const { return accounts_.size(); }

 private:
  std::vector<std::uint32_t> members_;  // distinct members, ascending
  std::vector<std::size_t> begin_;      // members_[i]'s accounts: accounts_[begin_[i]..begin_[i+1])
  std::vector<std::uint32_t> accounts_;
};

class PublishedAuthority {
 public:
  PublishedAuthority();

  // Core thread: the committed authority from now on.
  void publish(std::shared_ptr<const AuthoritySnapshot> snapshot);
  // Any thread: changes with every publish (one atomic load).
  std::uint64_t generation() const { return generation_.load(std::memory_order_acquire); }
  // Any thread: the latest snapshot (never null).
  std::shared_ptr<const AuthoritySnapshot> current() const;

 private:
  mutable std::mutex mutex_;
  std::shared_ptr<const AuthoritySnapshot> snapshot_;
  std::atomic<std::uint64_t> generation_{0};
};

}  // namespace carbonx::edge
