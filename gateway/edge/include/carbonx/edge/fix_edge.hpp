#pragma once
// FixEdge: turns a translated FIX request (FixRequest: the FIX adapter's neutral struct, with
// variable-length strings) into the fixed-size FixCommand the sequencer carries, on the session's
// own thread. It knows the exchange's instruments (fixed at start) and is told the session's
// member and the accounts that member may trade; it keeps no other state, so one FixEdge serves
// every I/O thread (const, thread-safe).

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "carbonx/edge/fix_command.hpp"
#include "carbonx/engine/instrument.hpp"

namespace carbonx::edge {

// The member behind a session, as the edge needs it: who, and for which accounts it may act.
struct SessionMember {
  MemberId id{0};
  std::span<const std::uint32_t> accounts;  // registry account numbers this member may trade
};

class FixEdge {
 public:
  explicit FixEdge(const std::vector<InstrumentConfig>& instruments);

  // The instrument of `symbol`, or 0.
  InstrumentId instrument_of(std::string_view symbol) const;

  // `q` as a FixCommand of `member`'s session (member.id 0: the session has no member; then no
  // account is tradable).
  FixCommand translate(const gateway::FixRequest& q, const SessionMember& member) const;

 private:
  std::unordered_map<std::string, InstrumentId> by_symbol_;
};

// "123" -> 123; 0 if `text` is empty, not all digits, or does not fit.
std::uint64_t parse_id_number(std::string_view text) noexcept;

}  // namespace carbonx::edge
