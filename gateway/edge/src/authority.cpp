#include "carbonx/edge/authority.hpp"

#include <algorithm>

#include "carbonx/engine/assert.hpp"

namespace carbonx::edge {

AuthoritySnapshot::AuthoritySnapshot(std::span<const std::pair<MemberId, AccountId>> pairs) {
  accounts_.reserve(pairs.size());
  for (std::size_t i = 0; i < pairs.size(); ++i) {
    const auto [member, account] = pairs[i];
    CX_ASSERT(member.value() != 0);
    CX_ASSERT(account.value() != 0);
    CX_ASSERT(i == 0 || pairs[i - 1] < pairs[i]);  // strictly ascending: no duplicate
    if (members_.empty() || members_.back() != member.value()) {
      members_.push_back(member.value());
      begin_.push_back(accounts_.size());
    }
    accounts_.push_back(account.value());
  }
  begin_.push_back(accounts_.size());
  CX_ASSERT(begin_.size() == members_.size() + 1);
}

std::span<const std::uint32_t> AuthoritySnapshot::accounts_of(MemberId member) const {
  const auto it = std::lower_bound(members_.begin(), members_.end(), member.value());
  if (it == members_.end() || *it != member.value()) return {};
  const auto i = static_cast<std::size_t>(it - members_.begin());
  return std::span<const std::uint32_t>(accounts_).subspan(begin_[i], begin_[i + 1] - begin_[i]);
}

bool AuthoritySnapshot::may_act(MemberId member, AccountId account) const {
  const auto accounts = accounts_of(member);
  return std::binary_search(accounts.begin(), accounts.end(), account.value());
}

PublishedAuthority::PublishedAuthority() : snapshot_(std::make_shared<const AuthoritySnapshot>()) {}

void PublishedAuthority::publish(std::shared_ptr<const AuthoritySnapshot> snapshot) {
  CX_ASSERT(snapshot != nullptr);
  {
    std::lock_guard lock(mutex_);
    snapshot_ = std::move(snapshot);
  }
  generation_.fetch_add(1, std::memory_order_acq_rel);  // after the swap: a reader that sees
                                                        // the new generation gets the new one
}

std::shared_ptr<const AuthoritySnapshot> PublishedAuthority::current() const {
  std::lock_guard lock(mutex_);
  return snapshot_;
}

}  // namespace carbonx::edge
