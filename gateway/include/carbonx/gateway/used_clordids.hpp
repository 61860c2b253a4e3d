#pragma once
// UsedClOrdIds: the ClOrdIDs each FIX session has used on the current trading day (one namespace
// with its TradeReportIDs and auction bids' ClOrdIDs), and the changes since the last commit, so
// that ExchangeDriver::commit() writes them in the same Store::commit_batch as the journal
// records that used them (registry::Batch::used_ids) and a restart reads them back from the store
// (registry::Store::for_each_used_id) instead of scanning the journal.
//
// Kept per session in memory, per member in the store (a member's session index may change
// between starts). Which ids count as used is the driver's rule (exchange_driver.hpp); this class
// only remembers and records.
//
// Core thread only.

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "carbonx/engine/types.hpp"
#include "carbonx/gateway/fix_engine.hpp"
#include "carbonx/registry/store.hpp"

namespace carbonx::gateway {

class UsedClOrdIds {
 public:
  // `member_of_session[s]`: the member id of session s (every session has one).
  void set_sessions(std::vector<std::uint32_t> member_of_session);

  // True if `id` was not used by session `s` today: it is now (and recorded for the commit).
  bool insert(SessionIndex s, std::string_view id);
  bool contains(SessionIndex s, std::string_view id) const;
  // Gives `id` back (a command the core refused); recorded for the commit.
  void erase(SessionIndex s, std::string_view id);

  // The trading day the ids belong to (Date{} before the first).
  Date day() const { return day_; }
  // Starts trading day `day` (the same day again at an end of day): every id is forgotten, in
  // memory and, at the next commit, in the store. The caller then inserts the still-open ones.
  void start_day(Date day);

  // Recovery: the stored day and ids, as read from the store (nothing recorded for the commit).
  // An id of a member without a session now is left out of memory (it stays stored).
  void load_day(Date day);
  void load(std::uint32_t member, std::string_view id);
  // Recovery of a store without stored ids: everything in memory is written at the next commit.
  void rewrite_all();

  // The changes since the last commit (nullopt: none). The spans stay valid until the next
  // change or mark_committed().
  std::optional<registry::UsedIdsUpdate> pending();
  // The pending changes were committed.
  void mark_committed();

 private:
  struct Change {
    std::uint32_t member = 0;
    std::string id;
    bool erase = false;
  };
  void record(SessionIndex s, std::string_view id, bool erase);

  std::vector<std::uint32_t> member_of_session_;
  std::vector<std::unordered_set<std::string>> by_session_;
  std::vector<SessionIndex> session_of_member_;  // by member id (kNoSession: none)
  Date day_{};
  bool dirty_ = false;  // the day or the ids changed since the last commit
  bool reset_ = false;  // the next commit drops the stored ids first
  std::vector<Change> changes_;
  std::vector<registry::UsedIdChange> views_;  // pending()'s spans into changes_
};

}  // namespace carbonx::gateway
