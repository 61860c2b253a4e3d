#pragma once
// On-disk forms of the core's persistence hooks (engine/core.hpp): OpenOrderRecord and
// CoreStateRecord as versioned, fixed-width little-endian bytes for registry::Store's open-order
// table and state blob (STYLE.md #9: magic, schema version, sizes checked on read).
//
// Lives in the gateway because the gateway is what hands the core's state to the store; the
// engine may take it over unchanged.

#include <cstdint>
#include <span>
#include <vector>

#include "carbonx/engine/core.hpp"
#include "carbonx/engine/result.hpp"

namespace carbonx::gateway {

inline constexpr std::uint32_t kOpenOrderMagic = 0x4f4f5843;  // "CXOO"
inline constexpr std::uint32_t kCoreStateMagic = 0x53435843;  // "CXCS"
inline constexpr std::uint16_t kRecordVersion = 1;            // the core state record
// The open-order record: the core's OpenOrderRecord, then what the gateway's FIX bookkeeping
// needs of the order after a restart. Version 3 appends OrigClOrdID (16 bytes: the ClOrdID the
// order had before its last replace, zeros when never replaced; every later ExecutionReport of
// the order carries it). Version 2 (109 bytes) has no OrigClOrdID; version 1 (101 bytes) has no
// priority_seq either. Both still decode: priority_seq = entry_seq (exact for an order never
// replaced to a worse place; a store written by version 1 had already lost the others' places,
// restored in order-id order), OrigClOrdID empty (a store written before version 3 had lost it).
inline constexpr std::uint16_t kOpenOrderVersion = 3;
inline constexpr std::size_t kOpenOrderBytes = 125;
inline constexpr std::size_t kOpenOrderBytesV2 = 109;
inline constexpr std::size_t kOpenOrderBytesV1 = 101;
inline constexpr std::size_t kMaxInstrumentRecords = 4096;

enum class RecordError : std::uint8_t { kWrongSize = 1, kWrongMagic, kWrongVersion, kBadField };
std::string_view to_string(RecordError e) noexcept;

// An open order as the store keeps it: the core's record and the order's OrigClOrdID.
struct StoredOpenOrder {
  OpenOrderRecord order;
  ClientOrderId orig_client_order_id{};  // zeros: never replaced (or a record before version 3)
  friend bool operator==(const StoredOpenOrder&, const StoredOpenOrder&) = default;
};
std::vector<std::uint8_t> encode_open_order(const OpenOrderRecord& r,
                                            const ClientOrderId& orig_client_order_id = {});
Result<StoredOpenOrder, RecordError> decode_open_order(std::span<const std::uint8_t> bytes);

std::vector<std::uint8_t> encode_core_state(const CoreStateRecord& r);
Result<CoreStateRecord, RecordError> decode_core_state(std::span<const std::uint8_t> bytes);

// The store's core state blob: the CoreStateRecord bytes above, then the off-book section
// ("CXOF" magic, u32 byte count, engine's encode_offbook_state bytes: agreement reports,
// auctions with their bids, repos). A blob without the section (written before off-book trading)
// decodes with an empty off-book state. Errors: kWrongMagic (not an off-book section),
// kWrongSize (count disagrees with the bytes or above kMaxOffBookSectionBytes), kBadField (the
// engine's codec refused the section).
inline constexpr std::uint32_t kOffBookSectionMagic = 0x464f5843;  // "CXOF"
inline constexpr std::size_t kMaxOffBookSectionBytes = std::size_t{1} << 30;
struct ExchangeStateRecord {
  CoreStateRecord core;
  OffBookStateRecord offbook;
};
std::vector<std::uint8_t> encode_exchange_state(const CoreStateRecord& core,
                                                const OffBookStateRecord& offbook);
Result<ExchangeStateRecord, RecordError> decode_exchange_state(std::span<const std::uint8_t> bytes);

}  // namespace carbonx::gateway
