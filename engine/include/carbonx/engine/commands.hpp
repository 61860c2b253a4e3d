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

#include "carbonx/engine/offbook_types.hpp"
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
  // Off-book trading (offbook.hpp). Appended: the numbers above never change.
  kAgreementReport = 7,
  kAgreementAccept = 8,
  kAgreementDecline = 9,
  kAuctionOpen = 10,
  kAuctionBid = 11,
  kAuctionReviseBid = 12,
  kAuctionWithdrawBid = 13,
  kAuctionClose = 14,
  kRepoFile = 15,
  kRepoConfirm = 16,
  kRepoDecline = 17,
  kRepoEarlyRepurchase = 18,
  kRepoMature = 19,
  kRepoResolveDefault = 20,
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

// ---- Off-book trading (see offbook.hpp for the rules, holds and events) ----

// Agreement transfer (协议转让): `account` reports a trade on its `side` with `counterparty` at
// `price_fen` for `quantity_t`. The core assigns the report id (AgreementEvent kReported) and
// holds the reporter's side (units for a sell; cash incl. the agreement fee for a buy).
struct AgreementReport {
  AccountId account{0};
  MemberId member{0};
  InstrumentId instrument{0};
  Side side = Side::kSell;  // the reporter's side
  AccountId counterparty{0};
  PriceFen price_fen{0};
  QuantityT quantity_t{0};
  ClientOrderId client_order_id{};
  friend bool operator==(const AgreementReport&, const AgreementReport&) = default;
};

// The counterparty accepts report `report_id` (settles at once) ...
struct AgreementAccept {
  AccountId account{0};  // must be the report's counterparty
  MemberId member{0};
  OffBookId report_id{0};
  ClientOrderId client_order_id{};
  friend bool operator==(const AgreementAccept&, const AgreementAccept&) = default;
};

// ... or declines it (or the reporter withdraws it).
struct AgreementDecline {
  AccountId account{0};  // the counterparty (declines) or the reporter (withdraws)
  MemberId member{0};
  OffBookId report_id{0};
  ClientOrderId client_order_id{};
  friend bool operator==(const AgreementDecline&, const AgreementDecline&) = default;
};

// One-way bidding (单向竞价) or paid allocation, opened by an operator. Bids are accepted while
// the command timestamp is in [start_ts, end_ts). The seller's units are held at once.
struct AuctionOpen {
  AccountId seller{0};  // a project owner, or the government issuance account
  InstrumentId instrument{0};
  QuantityT quantity_t{0};
  PriceFen reserve_fen{0};  // lowest acceptable bid price
  TimestampNs start_ts{0};
  TimestampNs end_ts{0};
  QuantityT min_bid_t{0};             // each bid at least this (e.g. 1,000 t)
  std::uint32_t max_share_bp = 5000;  // one bidder's bids <= quantity x bp / 10000 (e.g. 50%)
  AuctionPricing pricing = AuctionPricing::kPayAsBid;
  std::uint32_t min_fill_bp = 0;  // cancel at the close if bids < quantity x bp / 10000
  friend bool operator==(const AuctionOpen&, const AuctionOpen&) = default;
};

// A sealed bid; the core assigns the bid id (AuctionBidEvent kAccepted) and holds the cash.
struct AuctionBid {
  AccountId account{0};
  MemberId member{0};
  OffBookId auction_id{0};
  PriceFen price_fen{0};
  QuantityT quantity_t{0};
  ClientOrderId client_order_id{};
  friend bool operator==(const AuctionBid&, const AuctionBid&) = default;
};

// New price and quantity for an own bid, inside the window. Same price with less quantity keeps
// time priority; anything else takes the revision's time.
struct AuctionReviseBid {
  AccountId account{0};
  MemberId member{0};
  OffBookId auction_id{0};
  OffBookId bid_id{0};
  PriceFen price_fen{0};
  QuantityT quantity_t{0};
  ClientOrderId client_order_id{};
  friend bool operator==(const AuctionReviseBid&, const AuctionReviseBid&) = default;
};

struct AuctionWithdrawBid {
  AccountId account{0};
  MemberId member{0};
  OffBookId auction_id{0};
  OffBookId bid_id{0};
  ClientOrderId client_order_id{};
  friend bool operator==(const AuctionWithdrawBid&, const AuctionWithdrawBid&) = default;
};

// Clears and settles the auction (operator; only at or after end_ts).
struct AuctionClose {
  OffBookId auction_id{0};
  friend bool operator==(const AuctionClose&, const AuctionClose&) = default;
};

// Repo filing (回购备案). With both_confirmed (an operator filing both parties' signed agreement)
// the first leg settles at once; otherwise `filer` (one of the two parties) proposes and the other
// party confirms with RepoConfirm the same day. The filing date is the command's trading date.
struct RepoFile {
  AccountId filer{0};  // a party, or any id (an operator) when both_confirmed
  MemberId member{0};
  AccountId repo_party{0};     // 正回购方: holds the units, sells now, buys back later
  AccountId reverse_party{0};  // 逆回购方: lends the cash, holds the locked units
  InstrumentId instrument{0};
  QuantityT quantity_t{0};
  PriceFen start_price_fen{0};
  PriceFen repurchase_price_fen{0};
  Date end_date{};            // repurchase date, after the filing date
  Date surrender_deadline{};  // the repo party's compliance deadline; zero: not a covered firm
  bool both_confirmed = false;
  ClientOrderId client_order_id{};
  friend bool operator==(const RepoFile&, const RepoFile&) = default;
};

struct RepoConfirm {
  AccountId account{0};  // the party that did not file
  MemberId member{0};
  OffBookId repo_id{0};
  ClientOrderId client_order_id{};
  friend bool operator==(const RepoConfirm&, const RepoConfirm&) = default;
};

// Declines (the other party) or withdraws (the filer) a proposed repo.
struct RepoDecline {
  AccountId account{0};
  MemberId member{0};
  OffBookId repo_id{0};
  ClientOrderId client_order_id{};
  friend bool operator==(const RepoDecline&, const RepoDecline&) = default;
};

// One party's consent to repurchase an open repo before its end date; the repurchase runs when
// both have consented (or at once with both_consented: an operator holding both consents).
struct RepoEarlyRepurchase {
  AccountId account{0};
  MemberId member{0};
  OffBookId repo_id{0};
  bool both_consented = false;
  ClientOrderId client_order_id{};
  friend bool operator==(const RepoEarlyRepurchase&, const RepoEarlyRepurchase&) = default;
};

// Calendar: repurchases every open repo whose end date is on or before the command's trading date
// (EndOfDay does the same).
struct RepoMature {
  friend bool operator==(const RepoMature&, const RepoMature&) = default;
};

// Operator: closes a defaulted repo, releasing its lock to the reverse-repo party if still held.
struct RepoResolveDefault {
  OffBookId repo_id{0};
  friend bool operator==(const RepoResolveDefault&, const RepoResolveDefault&) = default;
};

using CommandBody =
    std::variant<NewOrder, Cancel, Replace, MassCancel, SetPhase, EndOfDay, AgreementReport,
                 AgreementAccept, AgreementDecline, AuctionOpen, AuctionBid, AuctionReviseBid,
                 AuctionWithdrawBid, AuctionClose, RepoFile, RepoConfirm, RepoDecline,
                 RepoEarlyRepurchase, RepoMature, RepoResolveDefault>;

struct Command {
  Seq seq{0};
  TimestampNs ts{0};
  CommandBody body;
  friend bool operator==(const Command&, const Command&) = default;
};
inline CommandType type_of(const Command& c) {  // inline: the core switches on it per command
  return static_cast<CommandType>(c.body.index() + 1);
}

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
