#pragma once
// Events: what the core appends to its outbox while applying a command. Plain data, each stamped
// with the seq and timestamp of the command that caused it. The caller drains the outbox after the
// batch is durable (docs/design.md "The spine"); the core never calls out.

#include <cstdint>
#include <string_view>
#include <variant>

#include "carbonx/engine/commands.hpp"
#include "carbonx/engine/fees.hpp"
#include "carbonx/engine/offbook_types.hpp"
#include "carbonx/engine/types.hpp"
#include "carbonx/engine/units.hpp"

namespace carbonx {

enum class RejectReason : std::uint8_t {
  kUnknownInstrument = 1,
  kMarketClosed,            // phase closed
  kInstrumentHalted,        // phase halted
  kQuantityNotLotMultiple,  // <= 0 or not a multiple of the lot
  kQuantityBelowMinimum,
  kQuantityAboveMaximum,
  kPriceNotOnTick,
  kPriceOutsideBand,
  kPriceNotAllowed,    // a click carries no price
  kBadTimeInForce,     // a click must be IOC
  kNoOppositeOrders,   // a click with nothing to take
  kUnknownOrder,       // cancel/replace of an order not open in that instrument
  kNotOwner,           // cancel/replace by another account
  kSelfTrade,          // would first meet an order of the same account (cancel-incoming)
  kFokNotFillable,     // fill-or-kill cannot fill in full
  kBookFull,           // max_orders_per_book
  kLevelFull,          // max_orders_per_level
  kInsufficientFunds,  // the ledger refused the hold (cash incl. max fee, or units)
  kAccountNotUsable,   // the ledger does not know the account or it is frozen
  kBadCommand,         // malformed: enum out of range, mass cancel without filter
  // Off-book trading (appended). RejectEvent.order_id carries the off-book id targeted.
  kUnknownOffBook,          // no open agreement report / auction / bid / repo with that id
  kNotParty,                // the account is not the party the command needs
  kSameAccount,             // counterparty, bidder or reverse-repo party equal to the other side
  kOutsideWindow,           // a bid, revision or withdrawal outside [start, end); close before end
  kBelowReserve,            // bid price below the auction's reserve
  kAboveBidderCap,          // the bidder's bids would exceed the per-bidder share
  kAuctionFull,             // max_bids_per_auction reached
  kTooManyOpen,             // max open agreement reports / auctions / repos reached
  kBadDate,                 // repo end date invalid or not after the filing date
  kAfterSurrenderDeadline,  // a covered firm's repo must end before its surrender deadline
  kWrongState,              // e.g. confirming an open repo, repurchasing a proposed one
  kHoldingLimit,            // the ledger's holding limit of the receiving account
  // Market rules as configuration (appended).
  kOutsideTradingHours,  // the command's time is outside the instrument's hours for its mode
  kNotAmongBestLevels,   // a click's price is not one of the best take_levels opposite levels
  kBoughtToday,          // a sell needs units bought today (same-day resale is off)
};
std::string_view to_string(RejectReason r) noexcept;

enum class CancelReason : std::uint8_t {
  kRequested = 1,  // Cancel command
  kIocRemainder,   // IOC / click remainder
  kSelfTrade,      // self-trade prevention (incoming remainder or resting order)
  kFillLimit,      // max_fills_per_order reached; remainder cancelled
  kExpired,        // Day order at end of day
  kMassCancel,
};
std::string_view to_string(CancelReason r) noexcept;

struct AckEvent {
  OrderId order_id{0};
  AccountId account{0};
  MemberId member{0};
  InstrumentId instrument{0};
  Side side = Side::kBuy;
  OrderType type = OrderType::kLimit;
  TimeInForce tif = TimeInForce::kDay;
  PriceFen price_fen{0};  // effective limit (a click's resolved price)
  QuantityT quantity_t{0};
  ClientOrderId client_order_id{};
  friend bool operator==(const AckEvent&, const AckEvent&) = default;
};

struct RejectEvent {
  CommandType command = CommandType::kNewOrder;
  RejectReason reason = RejectReason::kBadCommand;
  AccountId account{0};
  MemberId member{0};
  InstrumentId instrument{0};
  OrderId order_id{0};  // cancel/replace target, 0 for a new order
  ClientOrderId client_order_id{};
  friend bool operator==(const RejectEvent&, const RejectEvent&) = default;
};

struct FillEvent {
  OrderId order_id{0};
  TradeId trade_id{0};
  AccountId account{0};
  MemberId member{0};
  InstrumentId instrument{0};
  Side side = Side::kBuy;
  bool aggressor = false;  // true for the incoming order
  PriceFen price_fen{0};   // the resting order's price
  QuantityT quantity_t{0};
  QuantityT leaves_t{0};    // open after this fill
  QuantityT cum_t{0};       // filled so far, this fill included
  AmountFen fee_fen{0};     // charged to this side for this fill
  AmountFen waived_fen{0};  // fee a waiver removed (0 if none)
  std::uint32_t waiver_rule_id = 0;
  OrderId counter_order_id{0};
  ClientOrderId client_order_id{};
  friend bool operator==(const FillEvent&, const FillEvent&) = default;
};

struct CancelEvent {
  OrderId order_id{0};
  AccountId account{0};
  MemberId member{0};
  InstrumentId instrument{0};
  Side side = Side::kBuy;
  CancelReason reason = CancelReason::kRequested;
  QuantityT cancelled_t{0};
  ClientOrderId client_order_id{};
  friend bool operator==(const CancelEvent&, const CancelEvent&) = default;
};

struct ReplaceAckEvent {
  OrderId order_id{0};
  AccountId account{0};
  MemberId member{0};
  InstrumentId instrument{0};
  Side side = Side::kBuy;
  PriceFen price_fen{0};
  QuantityT quantity_t{0};  // the new open quantity requested
  bool kept_priority = false;
  ClientOrderId client_order_id{};
  friend bool operator==(const ReplaceAckEvent&, const ReplaceAckEvent&) = default;
};

// L2: the aggregate resting quantity at a price level is now quantity_t (0 = level gone).
struct BookDeltaEvent {
  InstrumentId instrument{0};
  Side side = Side::kBuy;
  PriceFen price_fen{0};
  QuantityT quantity_t{0};
  friend bool operator==(const BookDeltaEvent&, const BookDeltaEvent&) = default;
};

struct TradeEvent {
  InstrumentId instrument{0};
  TradeId trade_id{0};
  PriceFen price_fen{0};
  QuantityT quantity_t{0};
  OrderId buy_order_id{0};
  OrderId sell_order_id{0};
  Side aggressor_side = Side::kBuy;
  friend bool operator==(const TradeEvent&, const TradeEvent&) = default;
};

// One instrument's listed-trading day. Prices are meaningful only when trade_count > 0.
struct DayStats {
  std::uint32_t trade_count = 0;
  PriceFen open_fen{0};
  PriceFen high_fen{0};
  PriceFen low_fen{0};
  PriceFen last_fen{0};
  QuantityT volume_t{0};
  AmountFen turnover_fen{0};
  friend bool operator==(const DayStats&, const DayStats&) = default;
};

struct DayStatsEvent {
  InstrumentId instrument{0};
  DayStats stats;
  PriceFen reference_fen{0};  // the day's opening reference price
  PriceFen vwap_fen{0};       // turnover / volume rounded half up to the tick; 0 without trades
  PriceFen close_fen{0};      // VWAP when volume > close_min_volume_t, else the reference
  friend bool operator==(const DayStatsEvent&, const DayStatsEvent&) = default;
};

struct PhaseEvent {
  InstrumentId instrument{0};
  Phase phase = Phase::kClosed;
  friend bool operator==(const PhaseEvent&, const PhaseEvent&) = default;
};

// ---- Off-book trading (offbook.hpp). ----

// Every step of an agreement report, for both parties (the gateway sends the reporter its
// TradeCaptureReportAck and the counterparty the alleged report, then final reports to both).
// Fees and the trade id are set only for kAccepted.
struct AgreementEvent {
  OffBookId report_id{0};
  AgreementStatus status = AgreementStatus::kReported;
  InstrumentId instrument{0};
  AccountId reporter{0};
  MemberId reporter_member{0};
  Side reporter_side = Side::kSell;
  AccountId counterparty{0};
  MemberId counterparty_member{0};  // known once the counterparty answered
  PriceFen price_fen{0};
  QuantityT quantity_t{0};
  TradeId trade_id{0};
  FeeCharge reporter_fee;
  FeeCharge counterparty_fee;
  ClientOrderId reporter_client_order_id{};
  ClientOrderId counterparty_client_order_id{};
  friend bool operator==(const AgreementEvent&, const AgreementEvent&) = default;
};

// Public: an auction opened, cleared or was cancelled. Result fields are set at the close:
// cleared_t, the lowest and highest price paid, the number of winning accounts and of bids,
// the seller's proceeds and fee.
struct AuctionEvent {
  OffBookId auction_id{0};
  AuctionStatus status = AuctionStatus::kOpened;
  InstrumentId instrument{0};
  AccountId seller{0};
  QuantityT quantity_t{0};
  PriceFen reserve_fen{0};
  TimestampNs start_ts{0};
  TimestampNs end_ts{0};
  AuctionPricing pricing = AuctionPricing::kPayAsBid;
  QuantityT bid_t{0};  // total bid quantity at the close
  QuantityT cleared_t{0};
  PriceFen low_fen{0};
  PriceFen high_fen{0};
  std::uint32_t winners = 0;
  std::uint32_t bids = 0;
  AmountFen proceeds_fen{0};
  FeeCharge seller_fee;
  friend bool operator==(const AuctionEvent&, const AuctionEvent&) = default;
};

// Private, to the bidder: a bid's steps and its result (sealed: no book data is published).
// For kFilled: filled_t, the price paid per tonne (pay-as-bid: the bid's; uniform: the clearing
// price), the fee and the trade id.
struct AuctionBidEvent {
  OffBookId auction_id{0};
  OffBookId bid_id{0};
  BidStatus status = BidStatus::kAccepted;
  AccountId account{0};
  MemberId member{0};
  InstrumentId instrument{0};
  PriceFen price_fen{0};  // the bid's price
  QuantityT quantity_t{0};
  QuantityT filled_t{0};
  PriceFen paid_fen{0};
  TradeId trade_id{0};
  FeeCharge fee;
  ClientOrderId client_order_id{};
  friend bool operator==(const AuctionBidEvent&, const AuctionBidEvent&) = default;
};

// Every step of a repo, for both parties and the operators. trade_id and the fees are those of
// the leg that settled (kOpen: first leg; kRepurchased: second leg, with waivers reported per
// side). units_released tells, for kDefaulted / kResolved, whether the lock was released.
struct RepoEvent {
  OffBookId repo_id{0};
  RepoStatus status = RepoStatus::kProposed;
  InstrumentId instrument{0};
  AccountId repo_party{0};
  AccountId reverse_party{0};
  AccountId actor{0};  // the account whose command caused the step (0: operator / calendar)
  MemberId actor_member{0};
  QuantityT quantity_t{0};
  PriceFen start_price_fen{0};
  PriceFen repurchase_price_fen{0};
  Date filed_date{};
  Date end_date{};
  TradeId trade_id{0};
  FeeCharge repo_party_fee;
  FeeCharge reverse_party_fee;
  bool early = false;
  bool units_released = false;
  ClientOrderId client_order_id{};
  friend bool operator==(const RepoEvent&, const RepoEvent&) = default;
};

using EventBody = std::variant<AckEvent, RejectEvent, FillEvent, CancelEvent, ReplaceAckEvent,
                               BookDeltaEvent, TradeEvent, DayStatsEvent, PhaseEvent,
                               AgreementEvent, AuctionEvent, AuctionBidEvent, RepoEvent>;

struct Event {
  Seq seq{0};
  TimestampNs ts{0};
  EventBody body;
  friend bool operator==(const Event&, const Event&) = default;
};

}  // namespace carbonx
