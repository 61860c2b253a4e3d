#pragma once
// Private to the engine: the off-book command handlers, as static members of a friend of Core
// (so the shared Core class only gains one friend line). Rules: offbook.hpp.

#include <optional>

#include "carbonx/engine/core.hpp"

namespace carbonx {

struct OffBookOps {
  // One settlement between two accounts (agreement acceptance, repo legs): units seller -> buyer,
  // cash buyer -> seller, the buyer's fee, then the seller's fee out of the proceeds; linked.
  // A hold of kNoHold draws from available.
  struct PairTrade {
    InstrumentId instrument{0};
    AccountId seller{0};
    AccountId buyer{0};
    PriceFen price_fen{0};
    QuantityT quantity_t{0};
    TradingMode mode = TradingMode::kAgreement;
    TransferKind kind = TransferKind::kAgreement;
    Date filed_date{};
    HoldId seller_hold = kNoHold;
    HoldId buyer_hold = kNoHold;
    std::uint64_t reference = 0;  // the off-book id
  };
  struct PairResult {
    TradeId trade{0};
    FeeCharge seller_fee;
    FeeCharge buyer_fee;
  };
  // Changes nothing (not even the id counters) when the ledger refuses.
  static std::optional<LedgerError> settle_pair(Core& core, const PairTrade& t, PairResult& out);
  static RejectReason from_ledger(LedgerError e);
  static OffBookId next_id(Core& core);
  static void reject(Core& core, CommandType type, RejectReason reason, AccountId account,
                     MemberId member, InstrumentId instrument, OffBookId id,
                     const ClientOrderId& clid);
  // Price on the tick and inside reference +- band_bp; quantity a lot multiple >= min_t.
  static std::optional<RejectReason> check_terms(const Core::Instrument& ins, PriceFen price,
                                                 QuantityT quantity, std::uint32_t band_bp,
                                                 QuantityT min_t);
  // What the buy side of one off-book settlement holds: notional + the most its fee can be.
  static std::int64_t buyer_hold_need(const Core::Instrument& ins, TradingMode mode, PriceFen p,
                                      QuantityT q);

  static void agreement_report(Core& core, const AgreementReport& c);
  static void agreement_accept(Core& core, const AgreementAccept& c);
  static void agreement_decline(Core& core, const AgreementDecline& c);
  static void expire_agreements(Core& core);

  static void auction_open(Core& core, const AuctionOpen& c);
  static void auction_bid(Core& core, const AuctionBid& c);
  static void auction_revise(Core& core, const AuctionReviseBid& c);
  static void auction_withdraw(Core& core, const AuctionWithdrawBid& c);
  static void auction_close(Core& core, const AuctionClose& c);
  // Allocates and settles a closing auction; emits each bid's result; fills `result`.
  static void settle_auction(Core& core, const AuctionRecord& a, AuctionEvent& result);
  // One winning bid: units from the seller's hold, cash and fee from the bid's hold; fills `e`.
  static void settle_winner(Core& core, const AuctionRecord& a, const BidRecord& b,
                            QuantityT filled, PriceFen paid, AuctionBidEvent& e);

  static std::optional<RejectReason> check_filing(const Core::Instrument& ins, const RepoFile& c,
                                                  Date today);
  static void repo_file(Core& core, const RepoFile& c);
  static void repo_confirm(Core& core, const RepoConfirm& c);
  static void repo_decline(Core& core, const RepoDecline& c);
  static void repo_early(Core& core, const RepoEarlyRepurchase& c);
  static void repo_resolve(Core& core, const RepoResolveDefault& c);
  static void mature_repos(Core& core);
  // The first leg of `r` (status kProposed, id assigned or about to be): settles and locks.
  static std::optional<LedgerError> first_leg(Core& core, RepoRecord& r, PairResult& out);
  // The repurchase leg of an open repo; changes nothing when the ledger refuses.
  static std::optional<LedgerError> second_leg(Core& core, const RepoRecord& r, PairResult& out);
  static void expire_repo_proposals(Core& core);
};

}  // namespace carbonx
