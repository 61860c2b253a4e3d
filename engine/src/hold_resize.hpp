#pragma once
// Private to the engine: how an order or a bid changes the size of its one ledger hold (a listed
// replace, an auction bid revision). One protocol for both, so the two cannot drift apart again.

#include <cstdint>
#include <optional>

#include "carbonx/engine/ledger.hpp"

namespace carbonx {

// Sets the hold `id`, which holds `held` today, to `need` (> 0), in place (Ledger::resize_hold).
// An order or bid keeps one hold id for its whole life, whatever its size: no new id is minted,
// so the durable ledger never has to prove an id unused by reading its store, and a hold's id
// never rises above the owner ids that follow (which would put every later new order's id below
// the ledger's watermark). On success `held` = need. A refusal (the growth is more than the
// account has available, or the account is not usable) changes nothing and is returned.
inline std::optional<LedgerError> resize_owned_hold(Ledger& ledger, HoldId id, std::int64_t& held,
                                                    std::int64_t need) {
  CX_ASSERT(need > 0 && held > 0);
  if (need == held) return std::nullopt;
  if (auto st = ledger.resize_hold(id, need); !st) return st.error();
  held = need;
  return std::nullopt;
}

}  // namespace carbonx
