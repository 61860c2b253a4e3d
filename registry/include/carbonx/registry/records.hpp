#pragma once
// Fixed-width records of the registry, as kept in memory and written to LMDB (STYLE.md #9).
// Values are stored as the raw bytes of these structs: little-endian (checked at compile time),
// no padding (sizes asserted). Keys are big-endian so LMDB's byte order is numeric order.
// Changing a layout means a new kSchemaVersion (store.hpp) and a migration.

#include <bit>
#include <cstdint>
#include <cstring>

#include "carbonx/engine/ledger.hpp"
#include "carbonx/engine/units.hpp"

namespace carbonx::registry {

static_assert(std::endian::native == std::endian::little, "records are stored little-endian");

// One applied transfer. `pos` is its position in the ledger's total order (0, 1, 2, ...).
struct TransferRecord {
  std::uint64_t id = 0;         // TransferId
  std::uint64_t pos = 0;        // global order of application
  std::uint64_t seq = 0;        // the command that caused it (Seq)
  std::int64_t ts_ns = 0;       // the command's timestamp (TimestampNs)
  std::uint32_t debit = 0;      // AccountId
  std::uint32_t credit = 0;     // AccountId
  std::uint32_t asset = 0;      // AssetId
  std::uint8_t kind = 0;        // TransferKind
  std::uint8_t reserved[3]{};   // zero
  std::int64_t amount = 0;      // > 0, fen or tonnes
  std::uint64_t from_hold = 0;  // HoldId, 0 for none
  std::uint64_t reference = 0;  // trade, order, agreement or repo id
};
static_assert(sizeof(TransferRecord) == 72);

// An open hold (a pending transfer). Closed holds are remembered by id only.
struct HoldRecord {
  std::uint64_t id = 0;  // HoldId (kind in the top 8 bits)
  std::uint32_t account = 0;
  std::uint32_t asset = 0;
  std::int64_t amount = 0;     // frozen at creation, plus every growth (resize_hold)
  std::int64_t remaining = 0;  // still frozen, in (0, amount]
  std::uint64_t seq = 0;       // command that created it
  std::int64_t ts_ns = 0;
};
static_assert(sizeof(HoldRecord) == 48);

struct BalanceRecord {
  std::int64_t available = 0;
  std::int64_t frozen = 0;
  std::int64_t repo_locked = 0;  // part of frozen held by kRepoLock holds
};
static_assert(sizeof(BalanceRecord) == 24);

struct AccountRecord {
  std::uint32_t id = 0;
  std::uint8_t kind = 0;
  std::uint8_t status = 0;
  std::uint16_t compliance_year = 0;
  std::uint64_t owner_entity = 0;
  std::uint32_t member = 0;
  std::uint32_t region_code = 0;
  std::int64_t holding_limit_t = -1;
};
static_assert(sizeof(AccountRecord) == 32);

// Counters the ledger needs to continue after a restart (stored in the meta DB).
struct LedgerCounters {
  std::uint64_t next_pos = 0;             // transfers applied so far
  std::uint64_t max_client_transfer = 0;  // largest client transfer id seen (0: none)
  std::uint64_t max_core_transfer = 0;    // largest core transfer id seen (0: none)
  std::uint64_t max_hold[8]{};            // largest hold id seen per HoldKind (0: none)
};
static_assert(sizeof(LedgerCounters) == 88);

// Big-endian key helpers.
inline void put_be64(std::uint8_t* out, std::uint64_t v) {
  for (int i = 7; i >= 0; --i) {
    out[i] = static_cast<std::uint8_t>(v);
    v >>= 8;
  }
}
inline void put_be32(std::uint8_t* out, std::uint32_t v) {
  for (int i = 3; i >= 0; --i) {
    out[i] = static_cast<std::uint8_t>(v);
    v >>= 8;
  }
}
inline std::uint64_t get_be64(const std::uint8_t* in) {
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i)
    v = (v << 8) | in[i];
  return v;
}
inline std::uint32_t get_be32(const std::uint8_t* in) {
  std::uint32_t v = 0;
  for (int i = 0; i < 4; ++i)
    v = (v << 8) | in[i];
  return v;
}

}  // namespace carbonx::registry
