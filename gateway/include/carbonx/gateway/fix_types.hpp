#pragma once
// The neutral FIX vocabulary of the gateway: what the members' FIX messages mean, as plain C++
// structs, with no QuickFIX type in sight. The QuickFIX adapter (compiled as C++14, see
// gateway/README.md) translates between these structs and FIX 4.4 messages; the rest of the
// gateway (C++20) never sees QuickFIX.
//
// This header must stay valid C++14: it is included by both sides of the adapter boundary.
//
// Units: prices are integer fen per tonne (`*_fen`), quantities whole tonnes (`*_t`), times
// nanoseconds since the Unix epoch UTC (`*_ns`). Decimal text exists only inside the adapter.

#include <cstdint>
#include <string>
#include <vector>

namespace carbonx {
namespace gateway {

enum class FixSide : std::uint8_t { kBuy = 1, kSell = 2 };
// kClick is FIX OrdType=1 (Market): an IOC that takes the best opposite price. kTake is
// OrdType=D (Previously quoted) with Price(44): an IOC that takes the listings resting at that
// price of the other side (the core's click naming a level, where the instrument's take_levels
// allows it: the national market's listed agreement).
enum class FixOrdType : std::uint8_t { kLimit = 1, kClick = 2, kTake = 3 };
enum class FixTif : std::uint8_t { kDay = 1, kIoc = 2, kFok = 3 };

enum class RequestKind : std::uint8_t {
  kNewOrder = 1,  // D NewOrderSingle
  kCancel,        // F OrderCancelRequest
  kReplace,       // G OrderCancelReplaceRequest
  kStatus,        // H OrderStatusRequest
  kMassCancel,    // q OrderMassCancelRequest
  kMarketData,    // V MarketDataRequest
  kSecurityList,  // x SecurityListRequest
  kPositions,     // AN RequestForPositions
  kTradeCapture,  // AE TradeCaptureReport: agreement transfer submit / accept / decline
};
const char* to_string(RequestKind k);

enum class MassCancelScope : std::uint8_t { kSecurity = 1, kAll = 7 };
enum class MdSubscription : std::uint8_t { kSnapshot = 0, kSubscribe = 1, kUnsubscribe = 2 };

// Limits on what a request may carry (STYLE.md #4). Checked by the translation.
constexpr std::size_t kMaxClOrdIdLength = 16;      // ClOrdID, OrigClOrdID (the core keeps 16)
constexpr std::size_t kMaxIdLength = 40;           // OrderID, MDReqID, PosReqID, ...
constexpr std::size_t kMaxSymbolLength = 16;       // instrument symbols (e.g. GDEA2017)
constexpr std::size_t kMaxAccountLength = 24;      // registry account names
constexpr std::size_t kMaxMdSymbols = 64;          // symbols per MarketDataRequest
constexpr std::int32_t kMaxMdDepth = 50;           // levels per side in market data
constexpr std::int64_t kMaxPriceFen = 100000000;   // 1,000,000.00 CNY per tonne
constexpr std::int64_t kMaxQuantityT = 100000000;  // 100 Mt per order

// Why the translation refused an inbound message. The adapter turns each into the matching FIX
// reply (ExecutionReport rejected, OrderCancelReject, BusinessMessageReject, ...).
enum class TranslateError : std::uint8_t {
  kBadPrice = 1,        // not a decimal, not a whole number of fen, <= 0 or above kMaxPriceFen
  kBadQuantity,         // not a whole number of tonnes, <= 0 or above kMaxQuantityT
  kMissingPrice,        // a limit order without Price(44)
  kPriceOnClick,        // Price(44) on a click (OrdType=1)
  kClickNotIoc,         // a click with TimeInForce other than IOC
  kFieldTooLong,        // an id, symbol or account above its limit
  kMissingField,        // a conditionally required field is missing
  kBadMassCancelScope,  // MassCancelRequestType=1 without Symbol
  kBadMarketDepth,      // negative or above kMaxMdDepth
  kTooManySymbols,      // more than kMaxMdSymbols
  kNoEntryTypes,        // MarketDataRequest without a supported MDEntryType
  kBadPosReqType,       // PosReqType other than 0
  kUnsupportedMessage,  // a message type carbonx does not handle
  kBadSides,            // an AE submit without two NoSides entries of opposite Side
  kBadEndCash,          // a repo's EndCash not a whole number of fen per tonne (or missing)
  kUnsupportedField,    // a FIX 4.4 field whose meaning carbonx does not support (docs/fix)
};
const char* to_string(TranslateError e);

// A cancel or replace the FIX translation refused (an unsupported field, a price off the tick,
// ...). It still travels to the core: FIX 4.4 wants the OrderCancelReject to carry the named
// order's OrderID and current OrdStatus when it is live, which only the core knows. Plain data:
// `text` is static (or nullptr: to_string(error) and the tag).
struct TranslateRefusal {
  bool refused = false;
  TranslateError error = TranslateError::kMissingField;
  std::int32_t tag = 0;
  const char* text = nullptr;
};
// The reply's Text(58) for a refusal.
std::string refusal_text(const TranslateRefusal& r);

// One inbound application request. A flat struct: which fields are meaningful depends on `kind`
// (documented per field). Strings are already checked against the limits above.
struct FixRequest {
  RequestKind kind = RequestKind::kNewOrder;
  std::int32_t msg_seq_num = 0;  // MsgSeqNum(34) of the message, for rejects
  std::string cl_ord_id;         // D F G H q: ClOrdID(11)
  std::string orig_cl_ord_id;    // F G: OrigClOrdID(41)
  std::string order_id;          // F G H: OrderID(37), optional ("" if absent)
  std::string account;           // D (required) F G H q AN: Account(1)
  std::string symbol;            // D F G H, q for kSecurity, x optional, AN optional
  FixSide side = FixSide::kBuy;  // D F G H
  char side_sent = '\0';         // D F G H: Side(54) as sent when not 1 or 2 (refused), else '\0'
  FixOrdType ord_type = FixOrdType::kLimit;  // D G
  FixTif tif = FixTif::kDay;                 // D G (a click is always kIoc)
  std::int64_t price_fen = 0;                // D G limit orders: > 0, exact
  std::int64_t quantity_t = 0;               // D G: > 0; F: 0 if absent
  std::int64_t transact_time_ns = 0;         // member's TransactTime(60), informative only
  TranslateRefusal refusal;  // F G: refused by the translation, answered by the core
  MassCancelScope mass_scope = MassCancelScope::kAll;  // q
  char mass_type_sent = '\0';  // q: MassCancelRequestType(530) as sent when not 1 or 7 (refused)
  std::string request_id;      // V MDReqID, x SecurityReqID, AN PosReqID, H OrdStatusReqID
  MdSubscription md_subscription = MdSubscription::kSnapshot;  // V
  std::int32_t md_depth = 0;            // V: levels per side, 0 = full book (capped at kMaxMdDepth)
  bool md_incremental = true;           // V: MDUpdateType 1 (else full refresh on every change)
  bool md_bids = false;                 // V: MDEntryType 0 requested
  bool md_offers = false;               // V: MDEntryType 1 requested
  bool md_trades = false;               // V: MDEntryType 2 requested
  std::vector<std::string> md_symbols;  // V: 1..kMaxMdSymbols symbols
  // AE, in the FIX 4.4 shape: cl_ord_id = TradeReportID(571), price_fen = LastPx(31),
  // quantity_t = LastQty(32); side and account = the first NoSides(552) entry's Side(54) and
  // Account(1) (the reporter's on a submit, the answering party's on an accept or decline).
  char trade_report_type = '0';  // TradeReportType(856): '0' submit, '2' accept, '3' decline
  std::string counterparty;      // submit: the second NoSides entry's Account(1)
  std::string ref_id;            // accept/decline: TradeReportRefID(572), the exchange's id
  std::string auction_id;        // D F G: CxAuctionID(20011): a bid in that auction
  bool repo = false;             // AE: SecurityType(167)=REPO (a repo filing or answer)
  std::int64_t price2_fen = 0;   // AE repo submit: the repurchase price, EndCash(922) / LastQty
  std::int32_t end_date = 0;     // AE repo submit: EndDate(917), yyyymmdd
};

enum class ReplyKind : std::uint8_t {
  kExecReport = 1,    // 8
  kCancelReject,      // 9
  kMassCancelReport,  // r
  kBusinessReject,    // j
  kMdSnapshot,        // W
  kMdIncremental,     // X
  kMdReject,          // Y
  kSecurityList,      // y
  kPositionsAck,      // AO
  kPositionReport,    // AP
  kTradeCapture,      // AE (agreement transfer: alleged, final, declined reports)
  kTradeCaptureAck,   // AR
  kNews,              // B (public auction announcements and results)
};

// The FIX 4.4 reason codes a reply's reject_code carries, by name (the values of the FIX 4.4
// specification for each field). Code that rejects names the reason; a bare number is a defect.
namespace ord_rej_reason {  // OrdRejReason(103), in ExecutionReport
constexpr std::int32_t kBrokerOption = 0;
constexpr std::int32_t kUnknownSymbol = 1;
constexpr std::int32_t kExchangeClosed = 2;
constexpr std::int32_t kOrderExceedsLimit = 3;
constexpr std::int32_t kUnknownOrder = 5;
constexpr std::int32_t kDuplicateOrder = 6;
constexpr std::int32_t kUnsupportedOrderCharacteristic = 11;
constexpr std::int32_t kIncorrectQuantity = 13;
constexpr std::int32_t kUnknownAccount = 15;
constexpr std::int32_t kOther = 99;
}  // namespace ord_rej_reason
namespace cxl_rej_reason {  // CxlRejReason(102), in OrderCancelReject
constexpr std::int32_t kUnknownOrder = 1;
constexpr std::int32_t kDuplicateClOrdId = 6;
constexpr std::int32_t kOther = 99;
}  // namespace cxl_rej_reason
namespace mass_cancel_reject_reason {  // MassCancelRejectReason(532)
constexpr std::int32_t kUnknownSecurity = 1;
constexpr std::int32_t kOther = 99;
}  // namespace mass_cancel_reject_reason
namespace business_reject_reason {  // BusinessRejectReason(380)
constexpr std::int32_t kOther = 0;
constexpr std::int32_t kUnsupportedMessageType = 3;
constexpr std::int32_t kApplicationNotAvailable = 4;
// Not in FIX 4.4's list (0-7): the code later FIX versions give "throttle limit exceeded".
constexpr std::int32_t kThrottleLimitExceeded = 8;
}  // namespace business_reject_reason
namespace md_req_rej_reason {  // MDReqRejReason(281), in MarketDataRequestReject
constexpr std::int32_t kUnknownSymbol = 0;
constexpr std::int32_t kInsufficientBandwidth = 2;
constexpr std::int32_t kUnsupportedMarketDepth = 5;
constexpr std::int32_t kUnsupportedMdEntryType = 8;
constexpr std::int32_t kUnsupportedAggregatedBook = 7;
}  // namespace md_req_rej_reason
namespace trade_report_reject_reason {  // TradeReportRejectReason(751), in AR
constexpr std::int32_t kOther = 99;
}  // namespace trade_report_reject_reason

// ExecType(150) / OrdStatus(39) values used by carbonx, as their FIX characters.
namespace exec_type {
constexpr char kNew = '0';
constexpr char kCanceled = '4';
constexpr char kReplaced = '5';
constexpr char kRejected = '8';
constexpr char kExpired = 'C';
constexpr char kTrade = 'F';
constexpr char kOrderStatus = 'I';
}  // namespace exec_type
namespace ord_status {
constexpr char kNew = '0';
constexpr char kPartiallyFilled = '1';
constexpr char kFilled = '2';
constexpr char kCanceled = '4';
constexpr char kReplaced = '5';
constexpr char kRejected = '8';
constexpr char kExpired = 'C';
}  // namespace ord_status

struct MdEntry {
  char entry_type = '0';     // MDEntryType(269): '0' bid, '1' offer, '2' trade
  char update_action = '0';  // MDUpdateAction(279), X only: '0' new, '1' change, '2' delete
  std::string symbol;        // X only
  std::int64_t price_fen = 0;
  std::int64_t quantity_t = 0;   // 0 on a delete
  std::int32_t position_no = 0;  // MDEntryPositionNo(290): level 1..N, 0 = not sent
};

struct SecurityEntry {
  std::string symbol;
  std::string description;
  std::int64_t tick_fen = 1;
  std::int64_t lot_t = 1;
};

// One outbound application message. Flat, like FixRequest; meaning depends on `kind`.
struct FixReply {
  ReplyKind kind = ReplyKind::kExecReport;
  std::string order_id;        // 8 9 r
  std::string cl_ord_id;       // 8 9 r
  std::string orig_cl_ord_id;  // 8 (replace/cancel) 9
  std::string exec_id;         // 8
  std::string account;         // 8 9 AO AP
  std::string symbol;          // 8 r W AP
  std::string text;            // any: Text(58), the reason a member's operator can act on
  std::string request_id;      // 8 OrdStatusReqID, W X Y MDReqID, y SecurityReqID, AO AP PosReqID
  std::string response_id;     // y SecurityResponseID, AO AP PosMaintRptID
  char exec_type = exec_type::kNew;    // 8
  char ord_status = ord_status::kNew;  // 8 9
  FixSide side = FixSide::kBuy;        // 8
  char side_sent = '\0';  // 8: a refused order's Side(54) as sent when not 1 or 2 (else `side`)
  FixOrdType ord_type = FixOrdType::kLimit;  // 8
  FixTif tif = FixTif::kDay;                 // 8
  std::int64_t price_fen = 0;                // 8: 0 = not sent (clicks)
  std::int64_t quantity_t = 0;               // 8 OrderQty
  std::int64_t last_qty_t = 0;               // 8 trade: LastQty
  std::int64_t last_px_fen = 0;              // 8 trade: LastPx
  std::int64_t leaves_qty_t = 0;             // 8
  std::int64_t cum_qty_t = 0;                // 8
  std::int64_t cum_notional_fen = 0;  // 8: AvgPx = cum_notional_fen / cum_qty_t (exact decimal)
  std::int64_t fee_fen = -1;          // 8 trade: Commission(12), -1 = not sent
  std::string trade_id;               // 8 trade: SecondaryExecID(527); AE: TrdMatchID(880)
  std::int64_t transact_time_ns = 0;  // 8: TransactTime(60), the sequencer's stamp
  std::int32_t reject_code = -1;      // 8 OrdRejReason, 9 CxlRejReason, r MassCancelRejectReason,
                                      // j BusinessRejectReason, Y MDReqRejReason; -1 = not sent
  char cxl_rej_response_to = '1';     // 9: '1' cancel, '2' replace
  MassCancelScope mass_scope = MassCancelScope::kAll;  // r
  char mass_type_sent = '\0';             // r: a refused request's 530 as sent when not 1 or 7
  bool mass_accepted = true;              // r: MassCancelResponse != 0
  std::int32_t total_affected = 0;        // r
  std::int32_t ref_seq_num = 0;           // j
  std::string ref_msg_type;               // j
  std::vector<MdEntry> md;                // W X
  std::vector<SecurityEntry> securities;  // y
  std::int32_t result_code = 0;           // y SecurityRequestResult, AO AP PosReqResult
  std::int32_t total_reports = 0;         // AO AP TotalNumPosReports
  // AP: NoPositions(702) entries PosType(703) TOT = available + frozen, TQ = available, DLV =
  // frozen, each in LongQty(704): tonnes, or fen when the symbol is CNY.
  std::int64_t available = 0;
  std::int64_t frozen = 0;
  // AP: SettlPrice(730) and PriorSettlPrice(734), which FIX 4.4 requires: the instrument's
  // reference price (the previous close), 100 fen (1.00) for CNY.
  std::int64_t settl_price_fen = 0;
  std::string business_date;  // AP: ClearingBusinessDate(715), YYYYMMDD
  // AE AR, in the FIX 4.4 shape: cl_ord_id = TradeReportID(571), order_id =
  // SecondaryTradeReportID(818) (the exchange's report id; also each side's OrderID(37) in AE),
  // last_qty_t/last_px_fen = LastQty/LastPx, trade_id = TrdMatchID, reject_code =
  // TradeReportRejectReason(751) (AR). AE's NoSides(552): first the receiver's side (side,
  // account, fee_fen = Commission(12), text = Text(58), the repo's StartCash/EndCash), then the
  // other party's (the opposite side, `counterparty`).
  char trade_report_type = '0';      // AE AR: TradeReportType(856)
  std::int32_t trd_rpt_status = 0;   // AR: TrdRptStatus(939): 0 accepted, 1 rejected
  std::string counterparty;          // AE: the second NoSides entry's Account(1)
  std::int32_t trade_date = 0;       // AE: TradeDate(75), the trading date, yyyymmdd
  std::string auction_id;            // 8: CxAuctionID(20011) on auction bid reports
  bool repo = false;                 // AE AR: SecurityType(167)=REPO, AE with the fields below
  std::int64_t start_price_fen = 0;  // AE repo: StartCash(921) = this x LastQty
  std::int64_t price2_fen = 0;       // AE repo: the repurchase price, EndCash(922) = this x LastQty
  std::int32_t start_date = 0;       // AE repo: StartDate(916), the filing date, yyyymmdd
  std::int32_t end_date = 0;         // AE repo: EndDate(917), yyyymmdd
  std::vector<std::string> news_lines;  // B: LinesOfText(33) entries; text = Headline(148)
};

// Exact decimal <-> fen, for the edge. A price text is [digits][.digits]: at most 2 decimals that
// are not zero ("12.30", "12.300" and "12.3" are 1230 fen; "12.305" is refused), no sign, no
// exponent, no spaces; returns false (and leaves *out unchanged) on anything else, including
// overflow and 0.
bool parse_price_fen(const std::string& text, std::int64_t* out);
// An amount text (AMT, e.g. EndCash) in fen: like a price, without the price's upper bound
// (at most 10^16 fen, the largest price times the largest quantity).
bool parse_amount_fen(const std::string& text, std::int64_t* out);
// A quantity text is a whole number of tonnes: "100", "100.0" and "100.00" are 100; "100.5" and
// "0" are refused.
bool parse_quantity_t(const std::string& text, std::int64_t* out);
// 1230 -> "12.30"; negative values get a leading '-'.
std::string format_fen(std::int64_t fen);
// numerator / denominator as an exact decimal with at most `max_decimals` digits, truncated
// (used for AvgPx). denominator > 0.
std::string format_ratio(std::int64_t numerator, std::int64_t denominator, int max_decimals);

}  // namespace gateway
}  // namespace carbonx
