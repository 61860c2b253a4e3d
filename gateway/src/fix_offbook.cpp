// ExchangeDriver: agreement transfers over FIX (docs/fix/README.md "Agreement transfer").
//
//   reporter  AE TradeReportType=0 (submit; NoSides: the reporter's side and account, then the
//             counterparty's)  -> AgreementReport
//             <- AR TrdRptStatus=0 (accepted for the counterparty) or 1 (refused, Text = reason)
//   counterparty <- AE TradeReportType=1 (alleged), SecondaryTradeReportID = the exchange's id
//   counterparty AE TradeReportType=2 (accept) / 3 (decline), TradeReportRefID = that id
//             -> AgreementAccept / AgreementDecline (the reporter's decline withdraws)
//   both      <- AE TradeReportType=2 with TrdMatchID and Commission (settled), or =3 (declined,
//                withdrawn, expired at end of day; Text says which)
//
// Also here: the texts that explain the refusal of an off-book request (auction bids:
// fix_auction.cpp, repos: fix_repo.cpp). The reports themselves are the out stage's
// (gateway/out/src/offbook_replies.cpp).

#include "carbonx/gateway/exchange_driver.hpp"
#include "carbonx/gateway/fix_engine.hpp"
#include "offbook_fix_detail.hpp"

namespace carbonx::gateway {
namespace {

std::string percent(std::uint32_t bp) {
  return format_fen(bp) + "%";  // basis points as a percentage with two decimals
}

// "outside the agreement band 9.94..18.46 (reference 14.20 +-30.00%)"
std::string band_text(const Core& core, const InstrumentConfig& ins, std::uint32_t band_bp,
                      const char* what) {
  const PriceFen ref = core.reference_price(ins.id);
  const Band b = band_around(ref, band_bp, ins.tick_fen);
  return std::string("outside the ") + what + " band " + format_fen(b.low_fen.value()) + ".." +
         format_fen(b.high_fen.value()) + " (reference " + format_fen(ref.value()) + " +-" +
         percent(band_bp) + ")";
}

const AgreementRecord* find_agreement(const Core& core, std::uint64_t id) {
  for (const AgreementRecord& a : core.offbook().agreements) {
    if (a.id.value() == id) return &a;
  }
  return nullptr;
}

const AuctionRecord* find_auction(const Core& core, const std::string& id) {
  for (const AuctionRecord& a : core.offbook().auctions) {
    if (std::to_string(a.id.value()) == id) return &a;
  }
  return nullptr;
}

// What a refused command asked for: its price(s) and quantity (an accept: the report's).
struct Asked {
  std::int64_t price_fen = 0;
  std::int64_t price2_fen = 0;  // a repo's repurchase price
  std::int64_t quantity_t = 0;
};

// Price and quantity refusals of agreements and repos (tick, band, minimum size).
std::string terms_text(const Core& core, const InstrumentConfig& ins, const RejectEvent& j,
                       const Asked& a) {
  const bool repo = j.command == CommandType::kRepoFile;
  switch (j.reason) {
    case RejectReason::kPriceNotOnTick: {
      const bool start_ok = a.price_fen % ins.tick_fen.value() == 0;
      return "price " + format_fen(repo && start_ok ? a.price2_fen : a.price_fen) +
             " is not a multiple of the tick " + format_fen(ins.tick_fen.value()) + " of " +
             ins.code;
    }
    case RejectReason::kPriceOutsideBand: {
      if (!repo) {
        return "price " + format_fen(a.price_fen) + " " +
               band_text(core, ins, ins.agreement_band_bp, "agreement");
      }
      const Band b = band_around(core.reference_price(ins.id), ins.repo_band_bp, ins.tick_fen);
      const bool start_ok = a.price_fen >= b.low_fen.value() && a.price_fen <= b.high_fen.value();
      return std::string(start_ok ? "repurchase price " : "start price ") +
             format_fen(start_ok ? a.price2_fen : a.price_fen) + " " +
             band_text(core, ins, ins.repo_band_bp, "repo");
    }
    case RejectReason::kQuantityBelowMinimum:
      return "quantity " + std::to_string(a.quantity_t) + " t below the " +
             (repo ? "repo minimum " + std::to_string(ins.repo_min_t.value())
                   : "agreement minimum " + std::to_string(ins.agreement_min_t.value())) +
             " t";
    default:
      return std::string(to_string(j.reason));
  }
}

// Refusals of bids and their revisions, with the auction's numbers.
std::string bid_text(const Core& core, const InstrumentConfig& ins, const RejectEvent& j,
                     const edge::FixCommand& q) {
  const std::string reason(to_string(j.reason));
  const AuctionRecord* a = find_auction(core, q.auction_id.str());
  if (a == nullptr) return reason;
  const AuctionOpen& t = a->terms;
  switch (j.reason) {
    case RejectReason::kPriceNotOnTick:
      return "price " + format_fen(q.price_fen) + " is not a multiple of the tick " +
             format_fen(ins.tick_fen.value()) + " of " + ins.code;
    case RejectReason::kBelowReserve:
      return "bid price " + format_fen(q.price_fen) + " below the reserve price " +
             format_fen(t.reserve_fen.value()) + " of auction " + q.auction_id.str();
    case RejectReason::kQuantityBelowMinimum:
      return "quantity " + std::to_string(q.quantity_t) + " t below the auction's minimum bid " +
             std::to_string(t.min_bid_t.value()) + " t";
    case RejectReason::kAboveBidderCap: {
      const std::int64_t lot = ins.lot_t.value();
      const auto cap = static_cast<std::int64_t>(static_cast<__int128>(t.quantity_t.value()) *
                                                 t.max_share_bp / 10'000 / lot * lot);
      std::int64_t total = q.quantity_t;  // a revision replaces the bid named by OrigClOrdID
      for (const BidRecord& b : a->bids) {
        if (b.account == j.account && view(b.client_order_id) != q.orig_cl_ord_id.view()) {
          total += b.quantity_t.value();
        }
      }
      return "bids of account " + std::to_string(j.account.value()) + " would total " +
             std::to_string(total) + " t, above the per-bidder cap " + std::to_string(cap) +
             " t (" + percent(t.max_share_bp) + " of " + std::to_string(t.quantity_t.value()) +
             " t)";
    }
    case RejectReason::kOutsideWindow:
      return reason + " of auction " + q.auction_id.str() +
             " (StartTimeNs=" + std::to_string(t.start_ts.value()) +
             " EndTimeNs=" + std::to_string(t.end_ts.value()) + ")";
    default:
      return reason;
  }
}

// The refusal text of an off-book command: the engine's reason, made specific with the numbers
// that decided it (the band's bounds, the tick, the minimum, the reserve, the bidder's cap, the
// window). The engine decided; this only explains, from the state the engine used.
std::string reject_text(const Core& core, const RejectEvent& j, const edge::FixCommand& q) {
  const InstrumentConfig* ins = core.instrument(j.instrument);
  if (ins == nullptr) return std::string(to_string(j.reason));
  switch (j.command) {
    case CommandType::kAgreementReport:
    case CommandType::kRepoFile:
      return terms_text(core, *ins, j, Asked{q.price_fen, q.price2_fen, q.quantity_t});
    case CommandType::kAgreementAccept: {
      const AgreementRecord* a = find_agreement(core, j.order_id.value());
      if (a == nullptr) break;
      return terms_text(core, *ins, j, Asked{a->price_fen.value(), 0, a->quantity_t.value()});
    }
    case CommandType::kAuctionBid:
    case CommandType::kAuctionReviseBid:
    case CommandType::kAuctionWithdrawBid:
      return bid_text(core, *ins, j, q);
    default:
      break;
  }
  return std::string(to_string(j.reason));
}

}  // namespace

void ExchangeDriver::reject_trade_capture(SessionIndex s, const edge::FixCommand& q,
                                          const std::string& text, OutBatch& out) {
  out.steps.emplace_back(
      carbonx::out::Refused{carbonx::out::Refused::Reply::kTradeCapture, seq_, s, q, 0, text});
}

void ExchangeDriver::on_trade_capture(TimestampNs ts, SessionIndex s, const edge::FixCommand& q,
                                      OutBatch& out) {
  CX_ASSERT(q.member.value() != 0);
  const AccountId account = q.account_id;
  if (account.value() == 0) {
    return reject_trade_capture(s, q,
                                "Account(1) " + q.account.str() +
                                    " is not an account this member may " +
                                    "trade (accounts are registry account numbers)",
                                out);
  }
  if (auto why = trading_refusal(q)) return reject_trade_capture(s, q, *why, out);
  // TradeReportID is unique per session and trading day, like ClOrdID (one namespace): a
  // resubmission is refused and changes nothing. It is taken when the core gets the command and
  // given back if the core refuses it (translate_offbook_event).
  if (used_clordids_.contains(s, q.cl_ord_id.view())) {
    return reject_trade_capture(s, q,
                                "duplicate TradeReportID(571) " + q.cl_ord_id.str() +
                                    ": already used by this session today",
                                out);
  }
  pending_ = Pending{};
  pending_.request = &q;
  pending_.session = s;
  const MemberId m = q.member;
  if (q.repo) return on_repo_capture(ts, s, q, account, m, out);  // fix_repo.cpp
  if (q.trade_report_type == '2' || q.trade_report_type == '3') {
    if (q.ref_number == 0) {
      return reject_trade_capture(
          s, q, "TradeReportRefID(572) must be the exchange's report id (a number)", out);
    }
    const ClientOrderId clid = make_client_order_id(q.cl_ord_id.view());
    used_clordids_.insert(s, q.cl_ord_id.view());
    if (q.trade_report_type == '2') {
      return run(ts, AgreementAccept{account, m, OffBookId(q.ref_number), clid}, out);
    }
    return run(ts, AgreementDecline{account, m, OffBookId(q.ref_number), clid}, out);
  }
  if (q.instrument.value() == 0) {
    return reject_trade_capture(s, q, "unknown Symbol(55) " + q.symbol.str(), out);
  }
  if (q.counterparty_number == 0) {
    return reject_trade_capture(
        s, q,
        "the counterparty's Account(1) (the second NoSides(552) entry) must be a registry "
        "account number",
        out);
  }
  AgreementReport r;
  r.account = account;
  r.member = m;
  r.instrument = q.instrument;
  r.side = q.side == FixSide::kSell ? Side::kSell : Side::kBuy;
  r.counterparty = AccountId(q.counterparty_number);
  r.price_fen = PriceFen(q.price_fen);
  r.quantity_t = QuantityT(q.quantity_t);
  r.client_order_id = make_client_order_id(q.cl_ord_id.view());
  used_clordids_.insert(s, q.cl_ord_id.view());
  run(ts, r, out);
}

std::string ExchangeDriver::offbook_reject_text(const RejectEvent& j,
                                                const edge::FixCommand& q) const {
  std::string text = reject_text(*core_, j, q);
  if (j.reason == RejectReason::kAfterSurrenderDeadline && q.repo) {
    // The deadline the gateway put in the filing (fix_repo.cpp), named.
    const std::uint32_t party =
        q.side == FixSide::kSell ? q.account_id.value() : q.counterparty_number;
    if (const auto d = offbook_detail::next_surrender_deadline(*registrar_, AccountId(party),
                                                               trading_date(now_))) {
      text = "repo end date " + std::to_string(q.end_date) + " is not before the surrender " +
             "deadline " + std::to_string(d->deadline.yyyymmdd) + " of firm " + d->firm +
             " (the repo party)";
    }
  }
  return text;
}

}  // namespace carbonx::gateway
