// FIX 4.4 application messages <-> FixRequest / FixReply. Prices and quantities are converted
// exactly (fix_types.cpp); every refusal names the field and what the member must change.
#include "translate.hpp"

#include <cstring>
#include <ctime>

namespace carbonx {
namespace gateway {
namespace {

// Tags used here (FIX 4.4 numbers, custom ones documented in docs/fix/README.md).
enum Tag : int {
  kAccount = 1,
  kAvgPx = 6,
  kClOrdID = 11,
  kCommission = 12,
  kCommType = 13,
  kCumQty = 14,
  kCurrency = 15,
  kExecID = 17,
  kLastPx = 31,
  kLastQty = 32,
  kMsgSeqNum = 34,
  kMsgType = 35,
  kOrderID = 37,
  kOrderQty = 38,
  kOrdStatus = 39,
  kOrdType = 40,
  kOrigClOrdID = 41,
  kPrice = 44,
  kRefSeqNum = 45,
  kSide = 54,
  kSymbol = 55,
  kText = 58,
  kTimeInForce = 59,
  kTransactTime = 60,
  kCxlRejReason = 102,
  kOrdRejReason = 103,
  kSecurityDesc = 107,
  kNoRelatedSym = 146,
  kExecType = 150,
  kLeavesQty = 151,
  kMDReqID = 262,
  kSubscriptionRequestType = 263,
  kMarketDepth = 264,
  kMDUpdateType = 265,
  kNoMDEntryTypes = 267,
  kNoMDEntries = 268,
  kMDEntryType = 269,
  kMDEntryPx = 270,
  kMDEntrySize = 271,
  kMDUpdateAction = 279,
  kMDReqRejReason = 281,
  kMDEntryPositionNo = 290,
  kSecurityReqID = 320,
  kSecurityResponseID = 322,
  kRefMsgType = 372,
  kBusinessRejectReason = 380,
  kCxlRejResponseTo = 434,
  kMassCancelRequestType = 530,
  kMassCancelResponse = 531,
  kMassCancelRejectReason = 532,
  kTotalAffectedOrders = 533,
  kSecurityListRequestType = 559,
  kSecurityRequestResult = 560,
  kRoundLot = 561,
  kAccountType = 581,
  kNoPositions = 702,
  kPosType = 703,
  kLongQty = 704,
  kPosReqID = 710,
  kClearingBusinessDate = 715,
  kPosMaintRptID = 721,
  kPosReqType = 724,
  kTotalNumPosReports = 727,
  kPosReqResult = 728,
  kPosReqStatus = 729,
  kOrdStatusReqID = 790,
  kTrdMatchID = 880,
  kTradeReportID = 571,
  kTradeReportRefID = 572,
  kTradeReportType = 856,
  kNoSides = 552,
  kCxAuctionID = 20011,
  kSecurityType = 167,
  kEndDate = 917,
  kEndCash = 922,
};

std::string get(const FIX::FieldMap& map, int tag) {
  return map.isSetField(tag) ? map.getField(tag) : std::string();
}

// Refusal of one inbound message: records the error for the reply built by the caller.
using Refusal = TranslateRefusal;

// Standard FIX 4.4 fields the dictionary accepts (every field FIX 4.4 defines for a supported
// message, scripts/gen-fix-dictionary.js) whose meaning carbonx does not support, so that
// ignoring them would change what the member expects: refused with a business reject naming
// them. Present with any value (allowed == nullptr), or with a value not in `allowed`. Every
// other standard field is ignored. docs/fix/README.md "Standard fields" has the same table. The
// fields carbonx acts on (Side, OrdType, TimeInForce, ...) are here too: the dictionary takes
// every value FIX 4.4 defines for them, so that a standard value carbonx lacks (TimeInForce 1,
// GTC) is a business reject naming it, not a session reject.
struct UnsupportedField {
  const char* types;  // the MsgTypes, each between spaces
  int tag;
  const char* allowed;  // the values accepted, each between spaces
  const char* text;
};
constexpr const char* kNoPeg =
    "pegged orders (PegInstructions 211, 835-838, 840) are not supported";
constexpr const char* kNoDiscretion =
    "discretion (DiscretionInstructions 388, 389, 841-844, 846) is not supported";
constexpr const char* kNoAlgo =
    "algorithmic orders (TargetStrategy 847, 848, ParticipationRate 849) are not supported";
constexpr const char* kNoSecondLeg =
    "a second leg (OrderQty2 192, Price2 640, SettlDate2 193) is not supported";
constexpr const char* kQtyInTonnes =
    "the quantity is OrderQty(38) in tonnes: CashOrderQty(152) and OrderPercent(516) are not "
    "supported";
constexpr const char* kNoDisplayQty =
    "the whole quantity is shown: MaxFloor(111) and MaxShow(210) (iceberg) are not supported";
constexpr const char* kNoGtd =
    "no good-till-date: ExpireTime(126) and ExpireDate(432) are not supported (Day orders end "
    "with the trading day)";
constexpr const char* kT0 =
    "trades settle at once: SettlType(63) must be 0 or absent and SettlDate(64) absent";
constexpr UnsupportedField kUnsupportedFields[] = {
    {" D ", 40, " 1 2 D ",
     "OrdType(40) must be 1 (market: a click at the best prices), 2 (limit) or D (previously "
     "quoted: take the listings at Price(44), where the instrument allows it)"},
    {" G ", 40, " 1 2 ", "OrdType(40) must be 1 (market: a click at the best prices) or 2 (limit)"},
    {" D G ", 59, " 0 3 4 ",
     "TimeInForce(59) must be 0 (Day), 3 (IOC) or 4 (FOK) or absent: GTC, GTD, at the opening "
     "and at the close are not supported"},
    {" D F G H ", 54, " 1 2 ", "Side(54) must be 1 (buy) or 2 (sell): no short sale or cross"},
    {" D G ", 18, nullptr, "ExecInst(18) is not supported: no execution instructions"},
    {" D G ", 110, nullptr, "MinQty(110) is not supported (TimeInForce 4 FOK fills all or none)"},
    {" D G ", 111, nullptr, kNoDisplayQty},
    {" D G ", 210, nullptr, kNoDisplayQty},
    {" D G ", 126, nullptr, kNoGtd},
    {" D G ", 432, nullptr, kNoGtd},
    {" D G ", 168, nullptr, "EffectiveTime(168) is not supported: an order is live on acceptance"},
    {" D G ", 99, nullptr, "StopPx(99) is not supported: no stop orders"},
    {" D G ", 211, nullptr, kNoPeg},
    {" D G ", 835, nullptr, kNoPeg},
    {" D G ", 836, nullptr, kNoPeg},
    {" D G ", 837, nullptr, kNoPeg},
    {" D G ", 838, nullptr, kNoPeg},
    {" D G ", 840, nullptr, kNoPeg},
    {" D G ", 388, nullptr, kNoDiscretion},
    {" D G ", 389, nullptr, kNoDiscretion},
    {" D G ", 841, nullptr, kNoDiscretion},
    {" D G ", 842, nullptr, kNoDiscretion},
    {" D G ", 843, nullptr, kNoDiscretion},
    {" D G ", 844, nullptr, kNoDiscretion},
    {" D G ", 846, nullptr, kNoDiscretion},
    {" D G ", 847, nullptr, kNoAlgo},
    {" D G ", 848, nullptr, kNoAlgo},
    {" D G ", 849, nullptr, kNoAlgo},
    {" D G ", 152, nullptr, kQtyInTonnes},
    {" D G ", 516, nullptr, kQtyInTonnes},
    {" D G ", 192, nullptr, kNoSecondLeg},
    {" D G ", 640, nullptr, kNoSecondLeg},
    {" D G ", 193, nullptr, kNoSecondLeg},
    {" D G ", 78, nullptr, "pre-allocation (NoAllocs 78) is not supported: fills go to Account(1)"},
    {" D G ", 15, " CNY ", "prices are in CNY: Currency(15) must be CNY or absent"},
    {" D G ", 63, " 0 ", kT0},
    {" D G ", 64, nullptr, kT0},
    {" D G ", 423, " 2 ", "Price(44) is CNY per tonne: PriceType(423) must be 2 or absent"},
    {" D G ", 854, " 0 ", "OrderQty(38) is in tonnes: QtyType(854) must be 0 or absent"},
    {" D G ", 544, " 1 ", "cash trading only: CashMargin(544) must be 1 or absent"},
    {" D G ", 121, " N ", "ForexReq(121)=Y is not supported: no currency conversion"},
    {" q ", 54, nullptr, "Side(54) is not supported: a mass cancel takes both sides"},
    {" V ", 266, " Y ", "aggregated price levels only: AggregatedBook(266) must be Y or absent"},
    {" q ", 530, " 1 7 ",
     "MassCancelRequestType(530) must be 1 (a security) or 7 (all orders of the session)"},
    {" x ", 559, " 0 4 ",
     "SecurityListRequestType(559) must be 0 (a Symbol) or 4 (all securities)"},
    {" x ", 263, " 0 ", "a SecurityList is a snapshot: SubscriptionRequestType(263) must be 0"},
    {" AN ", 263, " 0 ", "positions are a snapshot: SubscriptionRequestType(263) must be 0"},
    {" AN ", 725, " 0 ", "reports come on this session: ResponseTransportType(725) must be 0"},
};

// False with *r set when `m` carries a field of kUnsupportedFields for its type.
bool check_supported_fields(const std::string& type, const FIX::Message& m, Refusal* r) {
  const std::string key = " " + type + " ";
  for (const UnsupportedField& f : kUnsupportedFields) {
    if (std::strstr(f.types, key.c_str()) == nullptr || !m.isSetField(f.tag)) continue;
    if (f.allowed != nullptr) {
      const std::string value = " " + m.getField(f.tag) + " ";
      if (std::strstr(f.allowed, value.c_str()) != nullptr) continue;
    }
    *r = Refusal{true, TranslateError::kUnsupportedField, f.tag, f.text};
    return false;
  }
  return true;
}

bool check_length(const std::string& value, std::size_t limit, int tag, Refusal* r) {
  if (value.size() <= limit) return true;
  *r = Refusal{true, TranslateError::kFieldTooLong, tag};
  return false;
}

std::int64_t utc_timestamp_ns(const std::string& text) {
  // "YYYYMMDD-HH:MM:SS[.fff...]"; already validated by the dictionary. Informative only.
  if (text.size() < 17) return 0;
  std::tm tm{};
  tm.tm_year = std::stoi(text.substr(0, 4)) - 1900;
  tm.tm_mon = std::stoi(text.substr(4, 2)) - 1;
  tm.tm_mday = std::stoi(text.substr(6, 2));
  tm.tm_hour = std::stoi(text.substr(9, 2));
  tm.tm_min = std::stoi(text.substr(12, 2));
  tm.tm_sec = std::stoi(text.substr(15, 2));
  std::int64_t ns = static_cast<std::int64_t>(timegm(&tm)) * 1000000000;
  if (text.size() > 18 && text[17] == '.') {
    std::int64_t scale = 100000000;
    for (std::size_t i = 18; i < text.size() && scale > 0; ++i, scale /= 10) {
      ns += (text[i] - '0') * scale;
    }
  }
  return ns;
}

bool read_ids(const FIX::Message& m, FixRequest* q, Refusal* r) {
  q->cl_ord_id = get(m, kClOrdID);
  q->orig_cl_ord_id = get(m, kOrigClOrdID);
  q->order_id = get(m, kOrderID);
  q->account = get(m, kAccount);
  q->symbol = get(m, kSymbol);
  q->auction_id = get(m, kCxAuctionID);
  return check_length(q->auction_id, kMaxIdLength, kCxAuctionID, r) &&
         check_length(q->cl_ord_id, kMaxClOrdIdLength, kClOrdID, r) &&
         check_length(q->orig_cl_ord_id, kMaxClOrdIdLength, kOrigClOrdID, r) &&
         check_length(q->order_id, kMaxIdLength, kOrderID, r) &&
         check_length(q->account, kMaxAccountLength, kAccount, r) &&
         check_length(q->symbol, kMaxSymbolLength, kSymbol, r);
}

void read_side(const FIX::Message& m, FixRequest* q) {
  const std::string side = get(m, kSide);
  q->side = side == "2" ? FixSide::kSell : FixSide::kBuy;
  // Another FIX 4.4 Side (5 sell short, 8 cross, ...) is refused (kUnsupportedFields); the
  // reject echoes it as sent.
  q->side_sent = side.size() == 1 && side != "1" && side != "2" ? side[0] : '\0';
}

// D and G: order type, time in force, price and quantity.
bool read_order_terms(const FIX::Message& m, FixRequest* q, Refusal* r) {
  const std::string ord_type = get(m, kOrdType);
  q->ord_type = ord_type == "1"   ? FixOrdType::kClick
                : ord_type == "D" ? FixOrdType::kTake
                                  : FixOrdType::kLimit;
  const std::string tif = get(m, kTimeInForce);
  q->tif = tif == "3" ? FixTif::kIoc : tif == "4" ? FixTif::kFok : FixTif::kDay;
  if (!parse_quantity_t(get(m, kOrderQty), &q->quantity_t)) {
    *r = Refusal{true, TranslateError::kBadQuantity, kOrderQty};
    return false;
  }
  const bool has_price = m.isSetField(kPrice);
  if (q->ord_type == FixOrdType::kClick) {
    if (has_price) {
      *r = Refusal{true, TranslateError::kPriceOnClick, kPrice};
      return false;
    }
    if (!tif.empty() && q->tif != FixTif::kIoc) {
      *r = Refusal{true, TranslateError::kClickNotIoc, kTimeInForce};
      return false;
    }
    q->tif = FixTif::kIoc;
    return true;
  }
  if (!has_price) {
    *r = q->ord_type == FixOrdType::kTake
             ? Refusal{true, TranslateError::kMissingPrice, kPrice,
                       "a take (OrdType=D) needs Price(44): the level of the listings it takes"}
             : Refusal{true, TranslateError::kMissingPrice, kPrice};
    return false;
  }
  if (!parse_price_fen(get(m, kPrice), &q->price_fen)) {
    *r = Refusal{true, TranslateError::kBadPrice, kPrice};
    return false;
  }
  if (q->ord_type == FixOrdType::kTake) {  // an IOC, like the click
    if (!tif.empty() && q->tif != FixTif::kIoc) {
      *r = Refusal{true, TranslateError::kClickNotIoc, kTimeInForce,
                   "a take (OrdType=D) is immediate-or-cancel: TimeInForce(59) must be 3 or "
                   "absent"};
      return false;
    }
    q->tif = FixTif::kIoc;
  }
  return true;
}

bool read_market_data(const FIX::Message& m, FixRequest* q, Refusal* r) {
  q->request_id = get(m, kMDReqID);
  if (!check_length(q->request_id, kMaxIdLength, kMDReqID, r)) return false;
  const std::string sub = get(m, kSubscriptionRequestType);
  q->md_subscription = sub == "0"   ? MdSubscription::kSnapshot
                       : sub == "1" ? MdSubscription::kSubscribe
                                    : MdSubscription::kUnsubscribe;
  const std::string depth = get(m, kMarketDepth);
  if (depth.empty() || depth.size() > 3 || depth.find_first_not_of("0123456789") != depth.npos ||
      std::stoi(depth) > kMaxMdDepth) {
    *r = Refusal{true, TranslateError::kBadMarketDepth, kMarketDepth};
    return false;
  }
  q->md_depth = std::stoi(depth);
  q->md_incremental = get(m, kMDUpdateType) != "0";
  const std::size_t types = m.groupCount(kNoMDEntryTypes);
  for (std::size_t i = 1; i <= types; ++i) {
    const std::string t = get(m.getGroupRef(static_cast<int>(i), kNoMDEntryTypes), kMDEntryType);
    if (t != "0" && t != "1" && t != "2") {
      // Opening, closing, settlement, imbalance, ...: never published, so never left out silently.
      *r = Refusal{true, TranslateError::kNoEntryTypes, kMDEntryType,
                   "MDEntryType(269) must be 0 (bid), 1 (offer) or 2 (trade): no other entry type "
                   "is published"};
      return false;
    }
    q->md_bids = q->md_bids || t == "0";
    q->md_offers = q->md_offers || t == "1";
    q->md_trades = q->md_trades || t == "2";
  }
  if (q->md_subscription != MdSubscription::kUnsubscribe && !q->md_bids && !q->md_offers &&
      !q->md_trades) {
    *r = Refusal{true, TranslateError::kNoEntryTypes, kMDEntryType};
    return false;
  }
  const std::size_t symbols = m.groupCount(kNoRelatedSym);
  if (symbols > kMaxMdSymbols) {
    *r = Refusal{true, TranslateError::kTooManySymbols, kNoRelatedSym};
    return false;
  }
  for (std::size_t i = 1; i <= symbols; ++i) {
    std::string s = get(m.getGroupRef(static_cast<int>(i), kNoRelatedSym), kSymbol);
    if (!check_length(s, kMaxSymbolLength, kSymbol, r)) return false;
    q->md_symbols.push_back(s);
  }
  return true;
}

// The NoSides(552) entry `i` (1-based) of an AE: its Side(54) and Account(1).
struct TradeSide {
  std::string side;
  std::string account;
  std::string end_cash;  // EndCash(922), a repo's repurchase amount
};
TradeSide trade_side(const FIX::Message& m, int i) {
  const FIX::FieldMap& g = m.getGroupRef(i, kNoSides);
  return TradeSide{get(g, kSide), get(g, kAccount), get(g, kEndCash)};
}

// AE in the FIX 4.4 shape: an agreement transfer or repo submit (TradeReportType 0) with the
// reporter's side and the counterparty's in NoSides(552), or an answer (2 accept, 3 decline)
// naming the exchange's report id in TradeReportRefID, the answering account in NoSides.
bool read_trade_capture(const FIX::Message& m, FixRequest* q, Refusal* r) {
  q->kind = RequestKind::kTradeCapture;
  q->cl_ord_id = get(m, kTradeReportID);
  if (!check_length(q->cl_ord_id, kMaxClOrdIdLength, kTradeReportID, r)) return false;
  const std::string type = get(m, kTradeReportType);
  q->trade_report_type = type.size() == 1 ? type[0] : '?';
  q->transact_time_ns = utc_timestamp_ns(get(m, kTransactTime));
  q->repo = get(m, kSecurityType) == "REPO";
  // NoSides is required by the dictionary: at least one entry, each starting with Side.
  const int sides = static_cast<int>(m.groupCount(kNoSides));
  const TradeSide mine = sides >= 1 ? trade_side(m, 1) : TradeSide{};
  const TradeSide other = sides >= 2 ? trade_side(m, 2) : TradeSide{};
  for (const TradeSide* s : {&mine, &other}) {
    if (!s->side.empty() && s->side != "1" && s->side != "2") {
      *r = Refusal{true, TranslateError::kBadSides, kSide,
                   "Side(54) in NoSides(552) must be 1 (buy) or 2 (sell)"};
      return false;
    }
  }
  q->account = mine.account;
  q->side = mine.side == "2" ? FixSide::kSell : FixSide::kBuy;
  if (!check_length(q->account, kMaxAccountLength, kAccount, r)) return false;
  if (q->trade_report_type == '2' || q->trade_report_type == '3') {
    q->ref_id = get(m, kTradeReportRefID);
    if (q->ref_id.empty()) {
      *r = Refusal{true, TranslateError::kMissingField, kTradeReportRefID};
      return false;
    }
    return check_length(q->ref_id, kMaxIdLength, kTradeReportRefID, r);
  }
  if (q->trade_report_type != '0') {
    *r = Refusal{true, TranslateError::kMissingField, kTradeReportType};
    return false;
  }
  const TradeSide& theirs = other;
  if (sides != 2 || mine.account.empty() || theirs.account.empty()) {
    *r = Refusal{true, TranslateError::kBadSides, sides != 2 ? int{kNoSides} : int{kAccount}};
    return false;
  }
  if (mine.side == theirs.side) {
    *r = Refusal{true, TranslateError::kBadSides, kSide};
    return false;
  }
  q->counterparty = theirs.account;
  if (q->symbol.empty()) {
    *r = Refusal{true, TranslateError::kMissingField, kSymbol};
    return false;
  }
  if (!check_length(q->counterparty, kMaxAccountLength, kAccount, r)) return false;
  if (!parse_quantity_t(get(m, kLastQty), &q->quantity_t)) {
    *r = Refusal{true, TranslateError::kBadQuantity, kLastQty};
    return false;
  }
  if (!parse_price_fen(get(m, kLastPx), &q->price_fen) || q->price_fen > kMaxPriceFen) {
    *r = Refusal{true, TranslateError::kBadPrice, kLastPx};
    return false;
  }
  if (!q->repo) return true;
  // The repurchase: EndCash (FIX 4.4's financing amount paid back on EndDate) on the reporter's
  // side, or the counterparty's; when both carry it they must agree.
  const std::string& end_cash = mine.end_cash.empty() ? theirs.end_cash : mine.end_cash;
  std::int64_t cash_fen = 0;
  if (!parse_amount_fen(end_cash, &cash_fen) ||
      (!theirs.end_cash.empty() && theirs.end_cash != end_cash) || cash_fen % q->quantity_t != 0 ||
      cash_fen / q->quantity_t > kMaxPriceFen) {
    *r = Refusal{true, TranslateError::kBadEndCash, kEndCash};
    return false;
  }
  q->price2_fen = cash_fen / q->quantity_t;
  const std::string end = get(m, kEndDate);  // LocalMktDate, checked by the dictionary
  if (end.size() != 8) {
    *r = Refusal{true, TranslateError::kMissingField, kEndDate};
    return false;
  }
  q->end_date = std::stoi(end);
  return true;
}

// Reads a request other than D and G after its ids; false with *r set when it is refused.
bool read_other_request(const std::string& type, const FIX::Message& m, FixRequest* q, Refusal* r) {
  if (type == "F") {
    q->kind = RequestKind::kCancel;
    return true;
  }
  if (type == "H") {
    q->kind = RequestKind::kStatus;
    q->request_id = get(m, kOrdStatusReqID);
    return check_length(q->request_id, kMaxIdLength, kOrdStatusReqID, r);
  }
  if (type == "q") {
    q->kind = RequestKind::kMassCancel;
    const std::string scope = get(m, kMassCancelRequestType);
    q->mass_scope = scope == "1" ? MassCancelScope::kSecurity : MassCancelScope::kAll;
    q->mass_type_sent = scope.size() == 1 && scope != "1" && scope != "7" ? scope[0] : '\0';
    if (q->mass_scope == MassCancelScope::kSecurity && q->symbol.empty()) {
      *r = Refusal{true, TranslateError::kBadMassCancelScope, kSymbol};
      return false;
    }
    return true;
  }
  if (type == "V") {
    q->kind = RequestKind::kMarketData;
    return read_market_data(m, q, r);
  }
  if (type == "x") {
    q->kind = RequestKind::kSecurityList;
    q->request_id = get(m, kSecurityReqID);
    return check_length(q->request_id, kMaxIdLength, kSecurityReqID, r);
  }
  if (type == "AN") {
    q->kind = RequestKind::kPositions;
    q->request_id = get(m, kPosReqID);
    if (get(m, kPosReqType) != "0") {
      *r = Refusal{true, TranslateError::kBadPosReqType, kPosReqType};
      return false;
    }
    return check_length(q->request_id, kMaxIdLength, kPosReqID, r);
  }
  if (type == "AE") return read_trade_capture(m, q, r);
  *r = Refusal{true, TranslateError::kUnsupportedMessage, kMsgType};
  return false;
}

// Reads the request after its ids (read_ids); false with *r set when it is refused. The fields
// carbonx does not support are checked after the request is read (its reply echoes the request
// ids), except for an order or replace: there first, so that a stop order is refused as such,
// not for the Price it lacks.
bool read_request(const std::string& type, const FIX::Message& m, FixRequest* q, Refusal* r) {
  read_side(m, q);
  if (type == "D" || type == "G") {
    q->kind = type == "D" ? RequestKind::kNewOrder : RequestKind::kReplace;
    if (type == "D") q->transact_time_ns = utc_timestamp_ns(get(m, kTransactTime));
    return check_supported_fields(type, m, r) && read_order_terms(m, q, r);
  }
  return read_other_request(type, m, q, r) && check_supported_fields(type, m, r);
}

// The reject a refused request gets: the reply type a FIX initiator expects for that message.
FixReply refusal_reply(const std::string& type, const FixRequest& q, const Refusal& r,
                       std::int32_t seq) {
  FixReply out;
  out.text = refusal_text(r);
  out.cl_ord_id = q.cl_ord_id.substr(0, kMaxIdLength);
  out.account = q.account.substr(0, kMaxAccountLength);
  out.symbol = q.symbol.substr(0, kMaxSymbolLength);
  if (type == "D") {
    out.kind = ReplyKind::kExecReport;
    out.order_id = "NONE";
    out.exec_id = "REJ-" + std::to_string(seq);
    out.exec_type = exec_type::kRejected;
    out.ord_status = ord_status::kRejected;
    out.side = q.side;
    out.side_sent = q.side_sent;
    out.reject_code = r.error == TranslateError::kBadQuantity ? ord_rej_reason::kIncorrectQuantity
                      : r.error == TranslateError::kPriceOnClick ||
                              r.error == TranslateError::kClickNotIoc ||
                              r.error == TranslateError::kUnsupportedField
                          ? ord_rej_reason::kUnsupportedOrderCharacteristic
                          : ord_rej_reason::kOther;
    return out;
  }
  if (type == "F" || type == "G") {
    out.kind = ReplyKind::kCancelReject;
    out.order_id = q.order_id.empty() ? "NONE" : q.order_id.substr(0, kMaxIdLength);
    out.orig_cl_ord_id = q.orig_cl_ord_id.substr(0, kMaxIdLength);
    out.ord_status = ord_status::kRejected;
    out.cxl_rej_response_to = type == "F" ? '1' : '2';
    out.reject_code = cxl_rej_reason::kOther;
    return out;
  }
  if (type == "q") {
    out.kind = ReplyKind::kMassCancelReport;
    out.order_id = "NONE";
    out.mass_scope =
        r.error == TranslateError::kUnsupportedField ? q.mass_scope : MassCancelScope::kSecurity;
    out.mass_type_sent = q.mass_type_sent;
    out.mass_accepted = false;
    out.reject_code = r.error == TranslateError::kUnsupportedField
                          ? mass_cancel_reject_reason::kOther
                          : mass_cancel_reject_reason::kUnknownSecurity;
    return out;
  }
  if (type == "AE") {
    out.kind = ReplyKind::kTradeCaptureAck;
    // The ack must itself be valid FIX whatever the refused report held: TradeReportID(571) is
    // required on AR, and TradeReportType(856) is echoed only when it is a value FIX defines.
    if (out.cl_ord_id.empty()) out.cl_ord_id = "NONE";
    const char type_echo = q.trade_report_type;
    out.trade_report_type = type_echo >= '0' && type_echo <= '9' ? type_echo : '0';
    out.trd_rpt_status = 1;
    out.reject_code = trade_report_reject_reason::kOther;
    return out;
  }
  if (type == "V") {
    out.kind = ReplyKind::kMdReject;
    out.request_id = q.request_id.substr(0, kMaxIdLength);
    out.reject_code =
        r.error == TranslateError::kBadMarketDepth ? md_req_rej_reason::kUnsupportedMarketDepth
        : r.error == TranslateError::kNoEntryTypes ? md_req_rej_reason::kUnsupportedMdEntryType
        : r.error == TranslateError::kUnsupportedField
            ? md_req_rej_reason::kUnsupportedAggregatedBook
            : -1;
    return out;
  }
  out.kind = ReplyKind::kBusinessReject;
  out.ref_seq_num = seq;
  out.ref_msg_type = type;
  out.reject_code = r.error == TranslateError::kUnsupportedMessage
                        ? business_reject_reason::kUnsupportedMessageType
                        : business_reject_reason::kOther;
  return out;
}

}  // namespace

bool is_unsupported_app_message(const FIX::DataDictionary& dictionary,
                                const std::string& msg_type) {
  // The application messages the dictionary defines fields for: those read_request takes and
  // those the exchange sends (validated as the dictionary says; read_request refuses the latter
  // with 380=3 too). Every other one the dictionary lists without fields.
  static const char* const kDefined[] = {"D", "F", "G", "H", "q", "V",  "x",  "AN", "AE", "8", "9",
                                         "r", "W", "X", "Y", "y", "AO", "AP", "AR", "B",  "j"};
  if (!dictionary.isMsgType(msg_type)) return false;  // not FIX 4.4: the session's 373=11
  if (FIX::Message::isAdminMsgType(FIX::MsgType(msg_type))) return false;
  for (const char* defined : kDefined) {
    if (msg_type == defined) return false;
  }
  return true;
}

FIX::Message header_only(const FIX::Message& message) {
  FIX::Message out;
  out.getHeader() = message.getHeader();
  out.getTrailer() = message.getTrailer();
  return out;
}

DecodeOutcome translate_inbound(const FIX::Message& message) {
  DecodeOutcome outcome;
  try {
    const std::string type = message.getHeader().getField(kMsgType);
    const std::string seq_text = get(message.getHeader(), kMsgSeqNum);
    const std::int32_t seq = seq_text.empty() ? 0 : std::stoi(seq_text);
    FixRequest request;
    request.msg_seq_num = seq;
    Refusal refusal;
    const bool ids = read_ids(message, &request, &refusal);
    if (ids && read_request(type, message, &request, &refusal)) {
      outcome.status = DecodeOutcome::Status::kRequest;
      outcome.request = std::move(request);
    } else if (ids && (type == "F" || type == "G")) {
      // The core answers it, naming the order if it is live (FixRequest::refusal).
      request.kind = type == "F" ? RequestKind::kCancel : RequestKind::kReplace;
      request.refusal = refusal;
      outcome.status = DecodeOutcome::Status::kRequest;
      outcome.request = std::move(request);
    } else {
      outcome.status = DecodeOutcome::Status::kReply;
      outcome.reply = refusal_reply(type, request, refusal, seq);
    }
  } catch (const std::exception& e) {  // FIX::Exception and std::stoi both land here
    outcome.status = DecodeOutcome::Status::kSessionReject;
    outcome.reason = e.what();
  }
  return outcome;
}

}  // namespace gateway
}  // namespace carbonx
