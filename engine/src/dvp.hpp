#pragma once
// Private to the engine: the postings of one delivery-versus-payment settlement. A listed fill, an
// agreement transfer, a repo leg and an auction winner all settle the same way: units from the
// seller to the buyer, cash from the buyer to the seller, each side's handling fee to the
// exchange's fee account. One definition, so the four cannot drift apart (they were copied before).

#include <cstddef>
#include <cstdint>
#include <span>

#include "carbonx/engine/ledger.hpp"

namespace carbonx {

// One settlement. Fees of zero (a waived or exempt side, a repurchase leg) post nothing.
struct Dvp {
  AccountId seller;
  AccountId buyer;
  AssetId units;                // the instrument's asset
  std::int64_t quantity_t = 0;  // > 0
  std::int64_t notional_fen = 0;
  HoldId seller_hold = kNoHold;  // the units come from here (kNoHold: from available)
  HoldId buyer_hold = kNoHold;   // the cash and the buyer's fee come from here
  TransferKind kind = TransferKind::kTrade;
  std::int64_t buyer_fee_fen = 0;
  std::int64_t seller_fee_fen = 0;  // always from the seller's available cash
  AccountId fee_account;
  std::uint64_t reference = 0;  // the trade, agreement, repo or auction behind it
};

// At most four postings, in this order: units, cash, buyer's fee, seller's fee. Transfer ids are
// core_transfer_id(first_transfer_n), +1, ... for the postings present; `count` says how many the
// caller's transfer counter advances by once the ledger has accepted them.
struct DvpPostings {
  Posting posting[4];
  std::size_t count = 0;
  std::span<const Posting> span() const { return {posting, count}; }
};

inline DvpPostings dvp_postings(const Dvp& d, std::uint64_t first_transfer_n) {
  DvpPostings out;
  const auto add = [&](AccountId from, AccountId to, AssetId asset, std::int64_t amount,
                       HoldId hold, TransferKind kind) {
    out.posting[out.count] = Posting{core_transfer_id(first_transfer_n + out.count),
                                     from,
                                     to,
                                     asset,
                                     amount,
                                     hold,
                                     kind,
                                     d.reference};
    ++out.count;
  };
  add(d.seller, d.buyer, d.units, d.quantity_t, d.seller_hold, d.kind);
  add(d.buyer, d.seller, kCashAsset, d.notional_fen, d.buyer_hold, d.kind);
  if (d.buyer_fee_fen > 0) {
    add(d.buyer, d.fee_account, kCashAsset, d.buyer_fee_fen, d.buyer_hold, TransferKind::kFee);
  }
  if (d.seller_fee_fen > 0) {
    add(d.seller, d.fee_account, kCashAsset, d.seller_fee_fen, kNoHold, TransferKind::kFee);
  }
  return out;
}

}  // namespace carbonx
