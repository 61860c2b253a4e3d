// FixReply -> FIX 4.4 application message body. Repeating groups are written in the dictionary's
// field order so that any FIX 4.4 initiator (not only QuickFIX) reads them as docs/fix says.
#include <quickfix/Group.h>

#include "reply_text.hpp"
#include "translate.hpp"

namespace carbonx {
namespace gateway {
namespace {

void set(FIX::FieldMap* m, int tag, const std::string& value) {
  if (!value.empty()) m->setField(tag, value);
}
void set_int(FIX::FieldMap* m, int tag, std::int64_t value) {
  m->setField(tag, std::to_string(value));
}
void set_char(FIX::FieldMap* m, int tag, char value) {
  m->setField(tag, std::string(1, value));
}
// The same three for the direct text writer (reply_text.hpp): no FieldBase, no allocation.
void set(ReplyText* m, int tag, const std::string& value) {
  if (!value.empty()) m->set(tag, value);
}
void set_int(ReplyText* m, int tag, std::int64_t value) {
  m->set_int(tag, value);
}
void set_char(ReplyText* m, int tag, char value) {
  m->set(tag, &value, 1);
}

char side_char(FixSide s) {
  return s == FixSide::kSell ? '2' : '1';
}
char tif_char(FixTif t) {
  return t == FixTif::kIoc ? '3' : t == FixTif::kFok ? '4' : '0';
}

// "YYYYMMDD-HH:MM:SS.ffffff" (UTC, microseconds).
std::string utc_timestamp(std::int64_t ns) {
  char buf[kUtcTimestampMax];
  return std::string(buf, write_utc_timestamp(ns, 6, buf));
}

void set_fen(FIX::FieldMap* m, int tag, std::int64_t fen) {
  m->setField(tag, format_fen(fen));
}
void set_fen(ReplyText* m, int tag, std::int64_t fen) {
  m->set_fen(tag, fen);
}
void set_utc(FIX::FieldMap* m, int tag, std::int64_t ns) {
  m->setField(tag, utc_timestamp(ns));
}
void set_utc(ReplyText* m, int tag, std::int64_t ns) {
  m->set_utc(tag, ns);
}

template <class M>
void exec_report(const FixReply& r, M* m) {
  set(m, 37, r.order_id);
  set(m, 11, r.cl_ord_id);
  set(m, 41, r.orig_cl_ord_id);
  set(m, 790, r.request_id);
  set(m, 17, r.exec_id);
  set_char(m, 150, r.exec_type);
  set_char(m, 39, r.ord_status);
  if (r.reject_code >= 0) set_int(m, 103, r.reject_code);
  set(m, 1, r.account);
  set(m, 55, r.symbol.empty() ? std::string("NONE") : r.symbol);
  set_char(m, 54, r.side_sent != '\0' ? r.side_sent : side_char(r.side));
  if (r.quantity_t > 0) set_int(m, 38, r.quantity_t);
  if (r.exec_type != exec_type::kRejected || r.quantity_t > 0) {
    set_char(m, 40,
             r.ord_type == FixOrdType::kClick  ? '1'
             : r.ord_type == FixOrdType::kTake ? 'D'
                                               : '2');
    set_char(m, 59, tif_char(r.tif));
  }
  if (r.price_fen > 0) set_fen(m, 44, r.price_fen);
  if (r.last_qty_t > 0) {
    set_int(m, 32, r.last_qty_t);
    set_fen(m, 31, r.last_px_fen);
    // The trade id, the same on both sides' fills. FIX 4.4 has no TrdMatchID(880) on an
    // ExecutionReport (FIX 5.0 added it), and a stock FIX 4.4 engine that validates refuses a
    // fill carrying it (373=2): SecondaryExecID is FIX 4.4's field for the executing system's id.
    set(m, 527, r.trade_id);
  }
  set_int(m, 151, r.leaves_qty_t);
  set_int(m, 14, r.cum_qty_t);
  set(m, 6, r.cum_qty_t > 0 ? format_ratio(r.cum_notional_fen, r.cum_qty_t * 100, 6) : "0");
  if (r.fee_fen >= 0) {
    set_fen(m, 12, r.fee_fen);
    set_char(m, 13, '3');
  }
  if (r.transact_time_ns > 0) set_utc(m, 60, r.transact_time_ns);
  set(m, 20011, r.auction_id);
  set(m, 58, r.text);
}

void md_entries(const FixReply& r, bool incremental, FIX::Message* m) {
  static const int kSnapshotOrder[] = {269, 270, 271, 273, 290, 0};
  static const int kIncrementalOrder[] = {279, 269, 55, 270, 271, 273, 290, 0};
  for (const MdEntry& e : r.md) {
    FIX::Group g(268, incremental ? 279 : 269, incremental ? kIncrementalOrder : kSnapshotOrder);
    if (incremental) set_char(&g, 279, e.update_action);
    set_char(&g, 269, e.entry_type);
    if (incremental) set(&g, 55, e.symbol);
    if (e.price_fen > 0) set(&g, 270, format_fen(e.price_fen));
    if (e.update_action != '2' || !incremental) set_int(&g, 271, e.quantity_t);
    if (e.position_no > 0) set_int(&g, 290, e.position_no);
    m->addGroup(g);
  }
  if (r.md.empty()) set_int(m, 268, 0);
}

void security_list(const FixReply& r, FIX::Message* m) {
  static const int kOrder[] = {55, 107, 870, 15, 561, 0};
  static const int kAttribOrder[] = {871, 872, 0};
  set(m, 320, r.request_id);
  set(m, 322, r.response_id);
  set_int(m, 560, r.result_code);
  for (const SecurityEntry& s : r.securities) {
    FIX::Group g(146, 55, kOrder);
    set(&g, 55, s.symbol);
    set(&g, 107, s.description);
    set(&g, 15, "CNY");
    set_int(&g, 561, s.lot_t);
    // The tick. FIX 4.4 has no tick field (FIX 5.0's MinPriceIncrement(969) is no FIX 4.4 tag,
    // and any tag a stock engine does not know inside this group ends the group for it: it
    // loses every later instrument). So it is an instrument attribute, InstrAttribType 99
    // (text), "MinPriceIncrement=<CNY>": FIX 4.4 fields a stock engine keeps.
    FIX::Group attrib(870, 871, kAttribOrder);
    set_int(&attrib, 871, 99);
    set(&attrib, 872, "MinPriceIncrement=" + format_fen(s.tick_fen));
    g.addGroup(attrib);
    m->addGroup(g);
  }
}

// One PositionReport per asset. FIX 4.4 has no custom quantity here: the total, the available
// and the frozen part are PositionQty entries, each a PosType with its LongQty.
void position_report(const FixReply& r, FIX::Message* m) {
  static const int kOrder[] = {703, 704, 0};
  set(m, 721, r.response_id);
  set(m, 710, r.request_id);
  set_int(m, 727, r.total_reports);
  set_int(m, 728, r.result_code);
  set(m, 715, r.business_date);
  set(m, 1, r.account);
  set_int(m, 581, 1);
  set(m, 55, r.symbol);
  set_fen(m, 730, r.settl_price_fen);
  set_char(m, 731, '1');
  set_fen(m, 734, r.settl_price_fen);
  const std::pair<const char*, std::int64_t> entries[] = {
      {"TOT", r.available + r.frozen}, {"TQ", r.available}, {"DLV", r.frozen}};
  for (const auto& e : entries) {
    FIX::Group g(702, 703, kOrder);
    set(&g, 703, e.first);
    set_int(&g, 704, e.second);
    m->addGroup(g);
  }
  set(m, 58, r.text);
}

// AR (TradeCaptureReportAck): the exchange's answer to a member's AE, as FIX 4.4 defines it
// (ExecType is required there: 0 accepted, 8 rejected). No group: written as text directly.
template <class M>
void trade_capture_ack(const FixReply& r, M* m) {
  set(m, 571, r.cl_ord_id);
  set(m, 818, r.order_id);
  set_char(m, 487, '0');
  set_char(m, 856, r.trade_report_type);
  set_char(m, 150, r.trd_rpt_status == 0 ? exec_type::kNew : exec_type::kRejected);
  set_int(m, 939, r.trd_rpt_status);
  if (r.reject_code >= 0) set_int(m, 751, r.reject_code);
  set(m, 55, r.symbol);
  if (r.repo) set(m, 167, "REPO");
  set(m, 1, r.account);
  set(m, 58, r.text);
}

// AE (TradeCaptureReport) of an agreement transfer or a repo to one party, in the FIX 4.4 shape:
// the fields FIX 4.4 requires (PreviouslyReported, LastQty, LastPx, TradeDate, TransactTime,
// NoSides with Side and OrderID in each entry), the receiver's side first with its account,
// commission and text, the other party's second. A repo: SecurityType REPO, the financing
// details StartDate/EndDate, and each side's StartCash/EndCash (the two legs' amounts).
void trade_capture_report(const FixReply& r, FIX::Message* m) {
  static const int kSideOrder[] = {54, 37, 1, 12, 13, 921, 922, 58, 0};
  set(m, 571, r.cl_ord_id);
  set(m, 818, r.order_id);
  set_char(m, 487, '0');
  set_char(m, 856, r.trade_report_type);
  if (!r.repo) set_char(m, 828, '1');  // TrdType: block trade (an agreement transfer)
  set(m, 880, r.trade_id);
  set_char(m, 570, 'N');
  set(m, 55, r.symbol);
  if (r.repo) {
    set(m, 167, "REPO");
    if (r.start_date > 0) set_int(m, 916, r.start_date);
    if (r.end_date > 0) set_int(m, 917, r.end_date);
  }
  set_int(m, 32, r.last_qty_t);
  set_fen(m, 31, r.last_px_fen);
  if (r.trade_date > 0) set_int(m, 75, r.trade_date);
  set_utc(m, 60, r.transact_time_ns);
  for (const bool mine : {true, false}) {
    FIX::Group g(552, 54, kSideOrder);
    const FixSide side =
        mine == (r.side == FixSide::kBuy) ? FixSide::kBuy : FixSide::kSell;  // theirs: opposite
    set_char(&g, 54, side_char(side));
    set(&g, 37, r.order_id.empty() ? std::string("NONE") : r.order_id);
    set(&g, 1, mine ? r.account : r.counterparty);
    if (mine && r.fee_fen >= 0) {
      set_fen(&g, 12, r.fee_fen);
      set_char(&g, 13, '3');
    }
    if (r.repo && r.start_price_fen > 0) set_fen(&g, 921, r.start_price_fen * r.last_qty_t);
    if (r.repo && r.price2_fen > 0) set_fen(&g, 922, r.price2_fen * r.last_qty_t);
    if (mine) set(&g, 58, r.text);
    m->addGroup(g);
  }
}

// The fields of a reply without repeating groups (reply_is_flat), into a FieldMap or a ReplyText.
template <class M>
void flat_body(const FixReply& r, M* m) {
  switch (r.kind) {
    case ReplyKind::kExecReport:
      return exec_report(r, m);
    case ReplyKind::kCancelReject:
      set(m, 37, r.order_id);
      set(m, 11, r.cl_ord_id);
      set(m, 41, r.orig_cl_ord_id);
      set_char(m, 39, r.ord_status);
      set(m, 1, r.account);
      set_char(m, 434, r.cxl_rej_response_to);
      if (r.reject_code >= 0) set_int(m, 102, r.reject_code);
      return set(m, 58, r.text);
    case ReplyKind::kMassCancelReport:
      set(m, 11, r.cl_ord_id);
      set(m, 37, r.order_id);
      set_char(m, 530,
               r.mass_type_sent != '\0'                     ? r.mass_type_sent
               : r.mass_scope == MassCancelScope::kSecurity ? '1'
                                                            : '7');
      set_char(m, 531,
               !r.mass_accepted                             ? '0'
               : r.mass_scope == MassCancelScope::kSecurity ? '1'
                                                            : '7');
      if (!r.mass_accepted && r.reject_code >= 0) set_int(m, 532, r.reject_code);
      set_int(m, 533, r.total_affected);
      set(m, 55, r.symbol);
      return set(m, 58, r.text);
    case ReplyKind::kBusinessReject:
      if (r.ref_seq_num > 0) set_int(m, 45, r.ref_seq_num);
      set(m, 372, r.ref_msg_type);
      set(m, 379, r.request_id);
      set_int(m, 380, r.reject_code < 0 ? 0 : r.reject_code);
      return set(m, 58, r.text);
    case ReplyKind::kMdReject:
      set(m, 262, r.request_id);
      if (r.reject_code >= 0) set_char(m, 281, static_cast<char>('0' + r.reject_code));
      return set(m, 58, r.text);
    case ReplyKind::kPositionsAck:
      set(m, 721, r.response_id);
      set(m, 710, r.request_id);
      set_int(m, 727, r.total_reports);
      set_int(m, 728, r.result_code);
      set_int(m, 729, r.result_code == 0 ? 0 : 2);
      set(m, 1, r.account);
      set_int(m, 581, 1);
      return set(m, 58, r.text);
    case ReplyKind::kTradeCaptureAck:
      return trade_capture_ack(r, m);
    case ReplyKind::kTradeCapture:
    case ReplyKind::kMdSnapshot:
    case ReplyKind::kMdIncremental:
    case ReplyKind::kSecurityList:
    case ReplyKind::kPositionReport:
    case ReplyKind::kNews:
      return;  // repeating groups: body() below
  }
}

void body(const FixReply& r, FIX::Message* m) {
  switch (r.kind) {
    case ReplyKind::kMdSnapshot:
      set(m, 262, r.request_id);
      set(m, 55, r.symbol);
      return md_entries(r, false, m);
    case ReplyKind::kMdIncremental:
      set(m, 262, r.request_id);
      return md_entries(r, true, m);
    case ReplyKind::kSecurityList:
      return security_list(r, m);
    case ReplyKind::kPositionReport:
      return position_report(r, m);
    case ReplyKind::kTradeCapture:
      return trade_capture_report(r, m);
    case ReplyKind::kNews: {
      static const int kOrder[] = {58, 0};
      set(m, 148, r.text);
      for (const std::string& line : r.news_lines) {
        FIX::Group g(33, 58, kOrder);
        set(&g, 58, line);
        m->addGroup(g);
      }
      if (r.news_lines.empty()) set_int(m, 33, 0);
      return;
    }
    default:
      return flat_body(r, m);
  }
}

}  // namespace

const char* reply_msg_type(ReplyKind k) {
  switch (k) {
    case ReplyKind::kExecReport:
      return "8";
    case ReplyKind::kCancelReject:
      return "9";
    case ReplyKind::kMassCancelReport:
      return "r";
    case ReplyKind::kBusinessReject:
      return "j";
    case ReplyKind::kMdSnapshot:
      return "W";
    case ReplyKind::kMdIncremental:
      return "X";
    case ReplyKind::kMdReject:
      return "Y";
    case ReplyKind::kSecurityList:
      return "y";
    case ReplyKind::kPositionsAck:
      return "AO";
    case ReplyKind::kPositionReport:
      return "AP";
    case ReplyKind::kTradeCapture:
      return "AE";
    case ReplyKind::kTradeCaptureAck:
      return "AR";
    case ReplyKind::kNews:
      return "B";
  }
  return "j";
}

bool reply_is_flat(ReplyKind kind) {
  return kind != ReplyKind::kMdSnapshot && kind != ReplyKind::kMdIncremental &&
         kind != ReplyKind::kSecurityList && kind != ReplyKind::kPositionReport &&
         kind != ReplyKind::kTradeCapture && kind != ReplyKind::kNews;
}

void fill_reply_text(const FixReply& reply, ReplyText* out) {
  out->clear();
  flat_body(reply, out);
}

void build_reply(const FixReply& reply, FIX::Message* out) {
  out->getHeader().setField(8, "FIX.4.4");
  out->getHeader().setField(35, reply_msg_type(reply.kind));
  body(reply, out);
}

}  // namespace gateway
}  // namespace carbonx
