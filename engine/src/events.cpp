#include "carbonx/engine/events.hpp"

namespace carbonx {

std::string_view to_string(RejectReason r) noexcept {
  switch (r) {
    case RejectReason::kUnknownInstrument:
      return "unknown instrument";
    case RejectReason::kMarketClosed:
      return "market not open";
    case RejectReason::kInstrumentHalted:
      return "instrument halted";
    case RejectReason::kQuantityNotLotMultiple:
      return "quantity not a positive multiple of the lot";
    case RejectReason::kQuantityBelowMinimum:
      return "quantity below the minimum order";
    case RejectReason::kQuantityAboveMaximum:
      return "quantity above the maximum order";
    case RejectReason::kPriceNotOnTick:
      return "price not on the tick";
    case RejectReason::kPriceOutsideBand:
      return "price outside the band";
    case RejectReason::kPriceNotAllowed:
      return "a click carries no price";
    case RejectReason::kBadTimeInForce:
      return "time in force not allowed (a click is IOC)";
    case RejectReason::kNoOppositeOrders:
      return "no opposite orders to take";
    case RejectReason::kUnknownOrder:
      return "unknown order";
    case RejectReason::kNotOwner:
      return "order belongs to another account";
    case RejectReason::kSelfTrade:
      return "would trade with an order of the same account";
    case RejectReason::kFokNotFillable:
      return "fill-or-kill cannot fill in full";
    case RejectReason::kBookFull:
      return "book full";
    case RejectReason::kLevelFull:
      return "price level full";
    case RejectReason::kInsufficientFunds:
      return "insufficient funds or units";
    case RejectReason::kAccountNotUsable:
      return "account unknown or frozen";
    case RejectReason::kBadCommand:
      return "malformed command";
    case RejectReason::kUnknownOffBook:
      return "unknown agreement report, auction, bid or repo";
    case RejectReason::kNotParty:
      return "account is not the party this command needs";
    case RejectReason::kSameAccount:
      return "both sides are the same account";
    case RejectReason::kOutsideWindow:
      return "outside the auction's bidding window";
    case RejectReason::kBelowReserve:
      return "bid price below the reserve price";
    case RejectReason::kAboveBidderCap:
      return "bids would exceed the maximum share per bidder";
    case RejectReason::kAuctionFull:
      return "auction has the maximum number of bids";
    case RejectReason::kTooManyOpen:
      return "too many open off-book contracts";
    case RejectReason::kBadDate:
      return "repo end date invalid or not after the filing date";
    case RejectReason::kAfterSurrenderDeadline:
      return "repo would end on or after the surrender deadline";
    case RejectReason::kWrongState:
      return "not allowed in the contract's current state";
    case RejectReason::kHoldingLimit:
      return "receiving account would exceed its holding limit";
    case RejectReason::kOutsideTradingHours:
      return "outside the instrument's trading hours";
    case RejectReason::kNotAmongBestLevels:
      return "price is not one of the best levels a click may take";
    case RejectReason::kBoughtToday:
      return "units bought today may be sold from the next trading day";
  }
  return "unknown reject reason";
}

std::string_view to_string(CancelReason r) noexcept {
  switch (r) {
    case CancelReason::kRequested:
      return "cancelled on request";
    case CancelReason::kIocRemainder:
      return "immediate-or-cancel remainder";
    case CancelReason::kSelfTrade:
      return "self-trade prevention";
    case CancelReason::kFillLimit:
      return "fill limit per order reached";
    case CancelReason::kExpired:
      return "expired at end of day";
    case CancelReason::kMassCancel:
      return "mass cancel";
  }
  return "unknown cancel reason";
}

}  // namespace carbonx
