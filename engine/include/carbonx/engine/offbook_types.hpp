#pragma once
// Small enums and the id type of off-book trading (docs/design.md "Agreement transfer", "One-way
// bidding", "Repo"), shared by commands, events and the off-book state (offbook.hpp).

#include <cstdint>
#include <string_view>

#include "carbonx/engine/units.hpp"

namespace carbonx {

// One id space for every off-book object the core creates: agreement reports, auctions, auction
// bids and repos. Assigned by the core from one counter, so ids never collide across kinds (the
// ledger hold ids rely on it) and stay below 2^40 (bid holds carry a generation above that).
using OffBookId = Strong<struct OffBookTag, std::uint64_t>;
inline constexpr std::uint64_t kOffBookIdLimit = std::uint64_t{1} << 40;

// How the winners of a one-way bidding auction pay.
enum class AuctionPricing : std::uint8_t {
  kPayAsBid = 1,  // each accepted bid pays its own price
  kUniform = 2,   // every accepted bid pays the lowest accepted price
};
std::string_view to_string(AuctionPricing p) noexcept;

// Lifecycle steps reported by AgreementEvent.
enum class AgreementStatus : std::uint8_t {
  kReported = 1,  // the report is open: to the reporter (ack) and the counterparty (alleged)
  kAccepted,      // the counterparty accepted: settled, final report to both
  kDeclined,      // the counterparty declined
  kWithdrawn,     // the reporter withdrew it before an answer
  kExpired,       // unanswered at end of day
};
std::string_view to_string(AgreementStatus s) noexcept;

// Lifecycle steps reported by AuctionEvent (public).
enum class AuctionStatus : std::uint8_t {
  kOpened = 1,  // announced; the seller's units are held
  kCleared,     // closed and settled (cleared quantity may be less than offered)
  kCancelled,   // closed with too few bids (the cancellation rule): nothing sold
};
std::string_view to_string(AuctionStatus s) noexcept;

// Lifecycle steps reported by AuctionBidEvent (private, to the bidder only: bids are sealed).
enum class BidStatus : std::uint8_t {
  kAccepted = 1,  // a new bid, cash held
  kRevised,       // new price and/or quantity
  kWithdrawn,     // by the bidder inside the window
  kFilled,        // the close allocated filled_t > 0 (possibly less than bid: marginal bid)
  kUnfilled,      // the close allocated nothing (outbid, or the auction was cancelled)
};
std::string_view to_string(BidStatus s) noexcept;

// Repo states kept in the off-book state, and the steps RepoEvent reports.
enum class RepoStatus : std::uint8_t {
  kProposed = 1,  // filed by one party, awaiting the other's confirmation (same day)
  kOpen,          // first leg settled, units locked with the reverse-repo party
  kDefaulted,     // the repo party could not pay the repurchase: nothing settled
  // Steps only (never stored):
  kRepurchased,   // second leg settled, the repo is closed
  kDeclined,      // the other party declined (or the filer withdrew) a proposal
  kExpired,       // a proposal unconfirmed at end of day
  kEarlyConsent,  // one party consented to an early repurchase; waiting for the other
  kResolved,      // an operator closed a defaulted repo (releasing the lock if still held)
};
std::string_view to_string(RepoStatus s) noexcept;

}  // namespace carbonx
