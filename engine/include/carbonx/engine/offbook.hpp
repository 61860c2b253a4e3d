#pragma once
// Off-book trading in the Core (docs/design.md "Agreement transfer", "One-way bidding", "Repo"):
// the state records, their persistence codec and read-only queries. The command handlers are Core
// members (engine/src/offbook_*.cpp); commands are in commands.hpp, events in events.hpp.
//
// AGREEMENT TRANSFER (协议转让). AgreementReport{account, side, counterparty, price, quantity}
// is checked (instrument continuous, counterparty != reporter, quantity a lot multiple >=
// agreement_min_t, price on the tick inside reference +- agreement_band_bp) and the REPORTER'S
// side is held at once under make_hold_id(kAgreement, report id): units for a sell, cash =
// notional + F_agreement(notional) for a buy. So an acceptance can only fail on the acceptor's
// side. AgreementAccept by the counterparty re-checks the band against the current reference and
// settles in one linked post: units seller -> buyer, cash buyer -> seller, both fees
// (TradingMode::kAgreement, TransferKind::kAgreement / kFee) to the fee account, the reporter's
// legs drawn from its hold. The acceptor's shortfall rejects the accept (the report stays open).
// AgreementDecline by the counterparty declines; by the reporter withdraws. EndOfDay expires
// every open report and releases its hold.
//
// ONE-WAY BIDDING (单向竞价). AuctionOpen (operator) holds the seller's units under
// make_hold_id(kAuctionBid, auction id). AuctionBid / AuctionReviseBid / AuctionWithdrawBid are
// accepted only while the command timestamp is in [start_ts, end_ts). A bid needs price >=
// reserve (on the tick), quantity a lot multiple in [min_bid_t, quantity], and the bidder's open
// bids in this auction <= floor(quantity x max_share_bp / 10000); it holds cash = price x qty +
// F_auction(price x qty) under make_hold_id(kAuctionBid, bid id | generation << 40), one hold
// for the bid's life: a revision grows or shrinks it in place (Ledger::resize_hold; a growth the
// bidder's available cannot cover rejects the revision, nothing changed). The generation is 0;
// a bid restored from a store written before resize_hold keeps the one it has. Bids are
// sealed: only the bidder gets AuctionBidEvent. AuctionClose (at or after end_ts): if the total
// bid quantity < quantity x min_fill_bp / 10000 the auction is cancelled (every hold released);
// otherwise bids are ranked by price (high first) then time (the bid's seq), and each gets
// min(its quantity, what is left, the bidder's remaining cap) rounded down to the lot: the
// marginal bid is partly filled. Pay-as-bid: each bid pays its price; uniform: all pay the
// lowest accepted price. Each winner settles in one linked post (units from the seller's hold,
// cash and the buyer's fee from the bid's hold); the seller pays F_auction(total proceeds) once;
// unsold units and unused cash are released.
//
// REPO (回购). RepoFile checks: the two parties differ, the quantity a lot multiple >=
// repo_min_t, both prices on the tick inside reference +- repo_band_bp, the end date a valid
// date after the filing date (the command's trading date), and when surrender_deadline is set
// (the repo party is a covered firm; the engine keeps no compliance state, so the filer -- the
// gateway from the compliance module, or the operator -- supplies it) end_date < deadline.
// Unconfirmed (one party files): the filer's first-leg side is held under make_hold_id(kAgreement,
// repo id) like an agreement report; RepoConfirm by the other party settles. both_confirmed (an
// operator filing): settles at once. The FIRST LEG is an agreement-like settlement at the start
// price with normal fees (kRepoFirstLeg; repo party sells, reverse party buys; TransferKind
// kRepoFirstLeg). Then the units are LOCKED in the reverse-repo party's account: a hold
// make_hold_id(kRepoLock, repo id). The REPURCHASE (RepoMature or EndOfDay for repos whose
// end_date <= the trading date, or RepoEarlyRepurchase once both parties consented) posts, linked:
// units from the lock back to the repo party, cash repurchase price x qty repo -> reverse party,
// and both fees under TradingMode::kRepoRepurchase with FeeQuery.filed_date = the filing date,
// so the schedule's waiver {kRepoRepurchase, kBoth, effective_from 2017-05-10} zeroes them from
// that trade date on whatever the filing date; RepoEvent reports each waived fee and rule id. If
// that post fails (the repo party cannot pay, an account frozen) it is a DEFAULT: nothing moves,
// the repo is kDefaulted, and the lock is released to the reverse party at once
// (ExchangeConfig::repo_default_releases_units) or kept until an operator's RepoResolveDefault.
// An early repurchase that cannot pay is rejected instead (the repo stays open).
//
// PERSISTENCE: the whole off-book state is one OffBookStateRecord (save_offbook_state /
// restore_offbook_state on Core; encode_offbook_state / decode_offbook_state give versioned
// little-endian bytes). The holds are the ledger's own state; restoring does not touch the ledger.
// Core::take_offbook_changed() tells whether a batch changed it (then store it again).
//
// Not thread-safe, like the Core.

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "carbonx/engine/commands.hpp"
#include "carbonx/engine/ledger.hpp"
#include "carbonx/engine/offbook_types.hpp"
#include "carbonx/engine/result.hpp"
#include "carbonx/engine/types.hpp"
#include "carbonx/engine/units.hpp"

namespace carbonx {

struct AgreementRecord {
  OffBookId id{0};
  InstrumentId instrument{0};
  AccountId reporter{0};
  MemberId reporter_member{0};
  Side reporter_side = Side::kSell;
  AccountId counterparty{0};
  PriceFen price_fen{0};
  QuantityT quantity_t{0};
  std::int64_t hold_amount = 0;  // units (sell) or fen (buy) held for the reporter
  ClientOrderId client_order_id{};
  Seq report_seq{0};
  friend bool operator==(const AgreementRecord&, const AgreementRecord&) = default;
};

struct BidRecord {
  OffBookId id{0};
  AccountId account{0};
  MemberId member{0};
  PriceFen price_fen{0};
  QuantityT quantity_t{0};
  std::int64_t hold_amount = 0;  // fen
  // In its hold id: 0, unless restored from a store written before resize_hold existed.
  std::uint16_t hold_generation = 0;
  Seq priority_seq{0};  // time priority: the bid's seq, or its last priority-losing revision's
  ClientOrderId client_order_id{};
  friend bool operator==(const BidRecord&, const BidRecord&) = default;
};

struct AuctionRecord {
  OffBookId id{0};
  AuctionOpen terms;
  std::int64_t hold_amount = 0;  // the seller's units held
  std::vector<BidRecord> bids;   // in arrival order
  friend bool operator==(const AuctionRecord&, const AuctionRecord&) = default;
};

struct RepoRecord {
  OffBookId id{0};
  RepoStatus status = RepoStatus::kProposed;  // kProposed, kOpen or kDefaulted
  InstrumentId instrument{0};
  AccountId filer{0};
  MemberId filer_member{0};
  AccountId repo_party{0};
  AccountId reverse_party{0};
  QuantityT quantity_t{0};
  PriceFen start_price_fen{0};
  PriceFen repurchase_price_fen{0};
  Date filed_date{};
  Date end_date{};
  Date surrender_deadline{};
  std::int64_t hold_amount = 0;  // kProposed: the filer's hold; kOpen/kDefaulted: the lock
  bool repo_consent = false;     // early repurchase consents
  bool reverse_consent = false;
  ClientOrderId client_order_id{};
  friend bool operator==(const RepoRecord&, const RepoRecord&) = default;
};

struct OffBookStateRecord {
  std::uint64_t next_id = 1;                // the next OffBookId
  std::vector<AgreementRecord> agreements;  // by id
  std::vector<AuctionRecord> auctions;      // by id
  std::vector<RepoRecord> repos;            // by id
  friend bool operator==(const OffBookStateRecord&, const OffBookStateRecord&) = default;
};

// Ledger hold ids of off-book holds.
HoldId agreement_hold(OffBookId report_or_repo);
HoldId auction_seller_hold(OffBookId auction);
HoldId bid_hold(OffBookId bid, std::uint16_t generation);
HoldId repo_lock_hold(OffBookId repo);

// Calls fn(HoldId, AccountId, AssetId, amount) for every ledger hold the off-book state owns.
template <typename Fn>
void for_each_offbook_hold(const OffBookStateRecord& s, Fn&& fn) {
  for (const AgreementRecord& a : s.agreements) {
    fn(agreement_hold(a.id), a.reporter,
       a.reporter_side == Side::kSell ? asset_of(a.instrument) : kCashAsset, a.hold_amount);
  }
  for (const AuctionRecord& a : s.auctions) {
    fn(auction_seller_hold(a.id), a.terms.seller, asset_of(a.terms.instrument), a.hold_amount);
    for (const BidRecord& b : a.bids) {
      fn(bid_hold(b.id, b.hold_generation), b.account, kCashAsset, b.hold_amount);
    }
  }
  for (const RepoRecord& r : s.repos) {
    if (r.hold_amount == 0) continue;  // a defaulted repo whose lock was released
    if (r.status != RepoStatus::kProposed) {
      fn(repo_lock_hold(r.id), r.reverse_party, asset_of(r.instrument), r.hold_amount);
    } else if (r.filer == r.repo_party) {
      fn(agreement_hold(r.id), r.repo_party, asset_of(r.instrument), r.hold_amount);
    } else {
      fn(agreement_hold(r.id), r.reverse_party, kCashAsset, r.hold_amount);
    }
  }
}

// FNV-1a 64 over every field of every record, canonical little-endian (part of state_hash()).
std::uint64_t offbook_state_hash(const OffBookStateRecord& s);

// Queries over the state (operators' reports).
std::vector<RepoRecord> repos_in(const OffBookStateRecord& s, RepoStatus status);
// Open repos whose end date lies in [from, to], by end date then id.
std::vector<RepoRecord> repo_maturities(const OffBookStateRecord& s, Date from, Date to);

// Persistence codec: "CXOB" magic, schema version, then fixed-width little-endian fields.
inline constexpr std::uint8_t kOffBookSchemaVersion = 1;
enum class OffBookCodecError : std::uint8_t {
  kBadMagic = 1,   // not an off-book state record
  kWrongVersion,   // schema version differs
  kTruncated,      // shorter than its own counts say
  kTrailingBytes,  // longer than its content
  kBadField,       // an enum out of range
};
std::string_view to_string(OffBookCodecError e) noexcept;
std::vector<std::uint8_t> encode_offbook_state(const OffBookStateRecord& s);
Result<OffBookStateRecord, OffBookCodecError> decode_offbook_state(
    std::span<const std::uint8_t> bytes);

}  // namespace carbonx
