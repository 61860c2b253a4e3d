#pragma once
// The core's state as records, in one field order each: the open order, an instrument's day
// state, the core's counters. The same field list (the *_fields templates below) is walked by
// the persistence codec (versioned, fixed-width little-endian bytes for registry::Store's
// open-order table and state blob; STYLE.md #9: magic, schema version, sizes checked on read)
// and by Core::state_hash(), so what is stored and what is compared cannot drift apart. The
// off-book state does the same in offbook_codec.cpp.
//
// A visitor V has `operator()(T&)` for each field: an integer, an enum (one byte), a Strong id
// or quantity (its representation's width), and `bytes(ClientOrderId&)`. R is the record, const
// when writing or hashing.

#include <cstdint>
#include <span>
#include <string_view>
#include <type_traits>
#include <vector>

#include "carbonx/engine/core.hpp"
#include "carbonx/engine/offbook.hpp"
#include "carbonx/engine/result.hpp"

namespace carbonx {

inline constexpr std::uint32_t kOpenOrderMagic = 0x4f4f5843;  // "CXOO"
inline constexpr std::uint32_t kCoreStateMagic = 0x53435843;  // "CXCS"
// The core state record. Version 2 appends the same-day resale locks (next_lock_n, a count,
// resale_lock_fields each); the encoder writes version 1 while there are none and the counter
// is 1, so an exchange that never locks stores the bytes it stored before.
inline constexpr std::uint16_t kRecordVersion = 2;
inline constexpr std::size_t kMaxResaleLockRecords = std::size_t{1} << 24;
// The open-order record: the core's OpenOrderRecord (open_order_fields), then what the gateway's
// FIX bookkeeping needs of the order after a restart. Version 3 appends OrigClOrdID (16 bytes:
// the ClOrdID the order had before its last replace, zeros when never replaced; every later
// ExecutionReport of the order carries it). Version 2 (109 bytes) has no OrigClOrdID; version 1
// (101 bytes) has no priority_seq either. Both still decode: priority_seq = entry_seq (exact for
// an order never replaced to a worse place; a store written by version 1 had already lost the
// others' places, restored in order-id order), OrigClOrdID empty (a store written before
// version 3 had lost it). The OrigClOrdID is not core state: the state hash leaves it out.
inline constexpr std::uint16_t kOpenOrderVersion = 3;
inline constexpr std::size_t kOpenOrderBytes = 125;
inline constexpr std::size_t kOpenOrderBytesV2 = 109;
inline constexpr std::size_t kOpenOrderBytesV1 = 101;
inline constexpr std::size_t kMaxInstrumentRecords = 4096;

// The fields after the magic and version, in their stored order.
template <typename V, typename R>
void open_order_fields(V& v, R& r, std::uint16_t version = kOpenOrderVersion) {
  v(r.order_id);
  v(r.instrument);
  v(r.account);
  v(r.member);
  v(r.side);
  v(r.price_fen);
  v(r.leaves_t);
  v(r.cum_t);
  v(r.cum_notional_fen);
  v(r.hold_amount);
  v(r.hold_generation);
  v.bytes(r.client_order_id);
  v(r.entry_seq);
  v(r.entry_ts);
  if (version >= 2) v(r.priority_seq);
}

template <typename V, typename R>
void instrument_state_fields(V& v, R& r) {
  v(r.instrument);
  v(r.phase);
  v(r.reference_fen);
  v(r.stats.trade_count);
  v(r.stats.open_fen);
  v(r.stats.high_fen);
  v(r.stats.low_fen);
  v(r.stats.last_fen);
  v(r.stats.volume_t);
  v(r.stats.turnover_fen);
}

template <typename V, typename R>
void resale_lock_fields(V& v, R& r) {
  v(r.account);
  v(r.instrument);
  v(r.lock_n);
  v(r.amount);
}

// The core state record's counters (its instruments follow, each instrument_state_fields).
template <typename V, typename R>
void core_counter_fields(V& v, R& r) {
  v(r.next_order_id);
  v(r.next_trade_id);
  v(r.next_transfer_n);
  v(r.days_closed);
  v(r.last_seq);
}

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
// ("CXOF" magic, u32 byte count, encode_offbook_state bytes: agreement reports, auctions with
// their bids, repos). A blob without the section (written before off-book trading) decodes with
// an empty off-book state. Errors: kWrongMagic (not an off-book section), kWrongSize (count
// disagrees with the bytes or above kMaxOffBookSectionBytes), kBadField (the off-book codec
// refused the section).
inline constexpr std::uint32_t kOffBookSectionMagic = 0x464f5843;  // "CXOF"
inline constexpr std::size_t kMaxOffBookSectionBytes = std::size_t{1} << 30;
struct ExchangeStateRecord {
  CoreStateRecord core;
  OffBookStateRecord offbook;
};
std::vector<std::uint8_t> encode_exchange_state(const CoreStateRecord& core,
                                                const OffBookStateRecord& offbook);
Result<ExchangeStateRecord, RecordError> decode_exchange_state(std::span<const std::uint8_t> bytes);

// FNV-1a 64 over the fields' little-endian bytes, at the widths the codec stores them: the state
// hash's visitor (Core::state_hash).
class FieldHasher {
 public:
  template <typename T>
  void operator()(const T& x) {
    if constexpr (std::is_enum_v<T>) {
      static_assert(sizeof(T) == 1);
      put(static_cast<std::uint8_t>(x), 1);
    } else if constexpr (requires { typename T::rep; }) {
      put(static_cast<std::uint64_t>(x.value()), sizeof(typename T::rep));
    } else {
      static_assert(std::is_integral_v<T>);
      put(static_cast<std::uint64_t>(x), sizeof(T));
    }
  }
  void bytes(const ClientOrderId& id) {
    for (char c : id)
      byte(static_cast<std::uint8_t>(c));
  }
  std::uint64_t value() const { return h_; }

 private:
  void put(std::uint64_t v, std::size_t width) {
    for (std::size_t i = 0; i < width; ++i)
      byte(static_cast<std::uint8_t>(v >> (8 * i)));
  }
  void byte(std::uint8_t b) {
    h_ ^= b;
    h_ *= 0x0000'0100'0000'01B3ULL;
  }
  std::uint64_t h_ = 0xCBF2'9CE4'8422'2325ULL;
};

}  // namespace carbonx
