#pragma once
// FixCommand: a member's FIX application message as the edge hands it to the sequencer — one
// fixed size, plain data, every name already resolved on the session's own thread:
//
//   Symbol(55)      -> InstrumentId      (0: not a symbol of this exchange)
//   Account(1)      -> AccountId         (0: absent, not a number, or not an account the
//                                         session's member may trade: the member's authority)
//   the session     -> MemberId          (its logon's member)
//   OrderID(37), TradeReportRefID(572), CxAuctionID(20011), CxCounterpartyAccount(20010)
//                   -> numbers           (0: absent or not a number)
//   ClOrdID(11) and the other identifiers -> FixedText (their lengths were checked by the FIX
//                                         translation, fix_types.hpp's limits)
//   prices and quantities were made integer fen and tonnes by the FIX translation (exact).
//
// The texts stay beside the ids because the replies echo what the member sent (an unknown
// symbol is named in the reject). Which check refuses first is the core's business (it keeps
// the order the FIX rules and the tests expect); the edge only resolves. See
// gateway/edge/README.md.

#include <array>
#include <cstdint>
#include <type_traits>

#include "carbonx/base/fixed_text.hpp"
#include "carbonx/engine/units.hpp"
#include "carbonx/gateway/fix_types.hpp"

namespace carbonx::edge {

using gateway::FixOrdType;
using gateway::FixSide;
using gateway::FixTif;
using gateway::MassCancelScope;
using gateway::MdSubscription;
using gateway::RequestKind;

using ClOrdIdText = FixedText<gateway::kMaxClOrdIdLength>;
using IdText = FixedText<gateway::kMaxIdLength>;
using AccountText = FixedText<gateway::kMaxAccountLength>;
using SymbolText = FixedText<gateway::kMaxSymbolLength>;

struct FixCommand {
  RequestKind kind = RequestKind::kNewOrder;
  std::int32_t msg_seq_num = 0;  // MsgSeqNum(34), for rejects
  MemberId member{0};            // the session's member (0: the session has none)

  ClOrdIdText cl_ord_id;           // D F G H q AE: ClOrdID(11) / TradeReportID(571)
  ClOrdIdText orig_cl_ord_id;      // F G: OrigClOrdID(41)
  IdText order_id;                 // F G H: OrderID(37) as sent ("" if absent)
  std::uint64_t order_number = 0;  // ... as a number (0: absent or not a number)

  AccountText account;      // Account(1) as sent
  AccountId account_id{0};  // an account the member may trade, else 0

  SymbolText symbol;           // Symbol(55) as sent
  InstrumentId instrument{0};  // its instrument, else 0

  FixSide side = FixSide::kBuy;
  FixOrdType ord_type = FixOrdType::kLimit;
  FixTif tif = FixTif::kDay;
  std::int64_t price_fen = 0;
  std::int64_t quantity_t = 0;
  std::int64_t transact_time_ns = 0;
  MassCancelScope mass_scope = MassCancelScope::kAll;
  gateway::TranslateRefusal refusal;  // F G: refused by the FIX translation (the core replies)

  IdText request_id;  // V MDReqID, x SecurityReqID, AN PosReqID, H OrdStatusReqID
  MdSubscription md_subscription = MdSubscription::kSnapshot;
  std::int32_t md_depth = 0;
  bool md_incremental = true;
  bool md_bids = false;
  bool md_offers = false;
  bool md_trades = false;
  // V: the requested symbols' instruments, in request order. If one is not a symbol of this
  // exchange, md_unknown_symbol names the first such and md_instruments holds those before it.
  std::uint8_t md_count = 0;
  std::array<InstrumentId, gateway::kMaxMdSymbols> md_instruments{};
  SymbolText md_unknown_symbol;

  // AE: agreement transfers and repos.
  char trade_report_type = '0';
  AccountText counterparty;               // CxCounterpartyAccount(20010) as sent
  std::uint32_t counterparty_number = 0;  // ... as a registry account number (0: not one)
  IdText ref_id;                          // TradeReportRefID(572) as sent
  std::uint64_t ref_number = 0;           // ... as a number (0: absent or not a number)
  IdText auction_id;                      // D F G: CxAuctionID(20011) as sent
  std::uint64_t auction_number = 0;       // ... as a number (0: absent or not a number)
  bool repo = false;
  std::int64_t price2_fen = 0;
  std::int32_t end_date = 0;
};

static_assert(std::is_trivially_copyable_v<FixCommand>,
              "a command crossing the queue is plain data: no allocation, one size");

}  // namespace carbonx::edge
