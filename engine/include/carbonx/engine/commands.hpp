#pragma once
// Commands: what the sequencer feeds the core. Fixed-size plain data; each carries its sequence
// number and timestamp (the core never reads a clock). Every field is in its unit's strong type.
//
// Journal codec: encode() writes a Command into a fixed-size CommandRecord (kCommandRecordSize
// bytes, little-endian, fixed offsets, byte 0 = kCommandSchemaVersion, byte 1 = the command type);
// decode() reads it back and validates version, type and every enum, so a corrupt or foreign
// record is an error value, never undefined behaviour. decode(encode(c)) == c for every command.

#include <array>
#include <cstdint>
#include <span>
#include <string_view>
#include <variant>

#include "carbonx/engine/result.hpp"
#include "carbonx/engine/types.hpp"
#include "carbonx/engine/units.hpp"

namespace carbonx {

// The member's own id for an order (FIX ClOrdID): up to 16 bytes, NUL-padded.
using ClientOrderId = std::array<char, 16>;
// Copies at most 16 characters of `s` (longer input is a caller error: the gateway rejects it).
ClientOrderId make_client_order_id(std::string_view s);
std::string_view view(const ClientOrderId& id);

enum class CommandType : std::uint8_t {
  kNewOrder = 1,
  kCancel = 2,
  kReplace = 3,
  kMassCancel = 4,
  kSetPhase = 5,
  kEndOfDay = 6,
};
std::string_view to_string(CommandType t) noexcept;

struct NewOrder {
  AccountId account{0};
  MemberId member{0};
  InstrumentId instrument{0};
  Side side = Side::kBuy;
  OrderType type = OrderType::kLimit;  // kClick: IOC at the best opposite price, price_fen = 0
  TimeInForce tif = TimeInForce::kDay;
  PriceFen price_fen{0};  // limit price, on the tick, inside the band; 0 for a click
  QuantityT quantity_t{0};
  ClientOrderId client_order_id{};
  friend bool operator==(const NewOrder&, const NewOrder&) = default;
};

struct Cancel {
  AccountId account{0};  // must own the order
  MemberId member{0};
  InstrumentId instrument{0};
  OrderId order_id{0};
  ClientOrderId client_order_id{};
  friend bool operator==(const Cancel&, const Cancel&) = default;
};

// New limit price and new *open* quantity (leaves). Same price with less quantity keeps time
// priority; anything else loses it (and a crossing price trades at once).
struct Replace {
  AccountId account{0};
  MemberId member{0};
  InstrumentId instrument{0};
  OrderId order_id{0};
  PriceFen price_fen{0};
  QuantityT quantity_t{0};
  ClientOrderId client_order_id{};
  friend bool operator==(const Replace&, const Replace&) = default;
};

// Cancels every open order matching all the filters that are set (at least one must be).
struct MassCancel {
  bool by_member = false;
  bool by_account = false;
  bool by_instrument = false;
  MemberId member{0};
  AccountId account{0};
  InstrumentId instrument{0};
  friend bool operator==(const MassCancel&, const MassCancel&) = default;
};

struct SetPhase {
  bool all_instruments = false;  // else only `instrument`
  InstrumentId instrument{0};
  Phase phase = Phase::kClosed;
  friend bool operator==(const SetPhase&, const SetPhase&) = default;
};

// Expires Day orders, computes the day's statistics and the next reference price, closes.
struct EndOfDay {
  friend bool operator==(const EndOfDay&, const EndOfDay&) = default;
};

using CommandBody = std::variant<NewOrder, Cancel, Replace, MassCancel, SetPhase, EndOfDay>;

struct Command {
  Seq seq{0};
  TimestampNs ts{0};
  CommandBody body;
  friend bool operator==(const Command&, const Command&) = default;
};
CommandType type_of(const Command& c);

inline constexpr std::uint8_t kCommandSchemaVersion = 1;
inline constexpr std::size_t kCommandRecordSize = 96;
using CommandRecord = std::array<std::uint8_t, kCommandRecordSize>;

enum class CodecError : std::uint8_t {
  kWrongSize = 1,  // not kCommandRecordSize bytes
  kWrongVersion,   // schema version byte differs
  kUnknownType,    // command type byte unknown
  kBadField,       // an enum or flag out of range
};
std::string_view to_string(CodecError e) noexcept;

CommandRecord encode(const Command& c);
Result<Command, CodecError> decode(std::span<const std::uint8_t> bytes);

}  // namespace carbonx
