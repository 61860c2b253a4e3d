// The out stage alone: batches of events and context in, FIX replies out.
#include "carbonx/out/out_stage.hpp"

#include <gtest/gtest.h>

#include <string>
#include <type_traits>
#include <variant>
#include <vector>

namespace carbonx::out {
namespace {

using gateway::FixOrdType;
using gateway::FixTif;
using gateway::ReplyKind;
using gateway::RequestKind;
namespace exec_type = gateway::exec_type;
namespace ord_status = gateway::ord_status;

constexpr InstrumentId kIns{1};
constexpr AccountId kBuyer{1001};
constexpr AccountId kSeller{1003};
constexpr MemberId kMemberA{1};  // session 0
constexpr MemberId kMemberB{2};  // session 1
constexpr std::int64_t kTs = 1'496'626'200'000'000'000;

ExchangeConfig exchange() {
  ExchangeConfig x;
  InstrumentConfig i;
  i.id = kIns;
  i.code = "GDEA2017";
  x.instruments.push_back(i);
  return x;
}

OutStage make_stage() {
  return OutStage(exchange(), 2, {kNoSession, 0, 1});
}

edge::FixCommand request(RequestKind kind, MemberId member, const std::string& cl_ord_id) {
  edge::FixCommand q;
  q.kind = kind;
  q.member = member;
  q.cl_ord_id.assign(cl_ord_id);
  q.symbol.assign("GDEA2017");
  q.instrument = kIns;
  return q;
}

Event event(Seq seq, EventBody body) {
  return Event{seq, TimestampNs(kTs + static_cast<std::int64_t>(seq.value())), std::move(body)};
}

// A batch as the driver records it, written as a list: ResetExecIds where an item starts
// (Batch::begin_item), a command with its own events (Batch::applied puts them in the batch's
// flat vector), the other steps as they are.
struct ResetExecIds {};
struct TestApplied : Applied {
  std::vector<Event> events;
};
using TestStep = std::variant<ResetExecIds, TestApplied, Refused, StatusQuery, MdRequest, Ready>;

// A limit sell order of member B: Day, 100 t at 14.30, acknowledged at `seq` as order `id`.
TestApplied sell_order(Seq seq, OrderId id, const std::string& cl_ord_id, FixTif tif) {
  edge::FixCommand q = request(RequestKind::kNewOrder, kMemberB, cl_ord_id);
  q.side = gateway::FixSide::kSell;
  q.tif = tif;
  q.price_fen = 1430;
  q.quantity_t = 100;
  TestApplied a;
  a.seq = seq;
  a.request = q;
  a.session = 1;
  AckEvent ack;
  ack.order_id = id;
  ack.account = kSeller;
  ack.member = kMemberB;
  ack.instrument = kIns;
  ack.side = Side::kSell;
  ack.price_fen = PriceFen(1430);
  ack.quantity_t = QuantityT(100);
  a.events.push_back(event(seq, ack));
  return a;
}

// An operator's command (no FIX request) that fills `qty` of the resting sell `id`.
TestApplied fill_of(Seq seq, OrderId id, std::int64_t qty, std::int64_t cum_before) {
  TestApplied a;
  a.seq = seq;
  FillEvent f;
  f.order_id = id;
  f.trade_id = TradeId(seq.value());
  f.account = kSeller;
  f.member = kMemberB;
  f.instrument = kIns;
  f.side = Side::kSell;
  f.price_fen = PriceFen(1430);
  f.quantity_t = QuantityT(qty);
  f.cum_t = QuantityT(cum_before + qty);
  f.leaves_t = QuantityT(100 - cum_before - qty);
  f.fee_fen = AmountFen(qty * 7);
  a.events.push_back(event(seq, f));
  return a;
}

std::vector<Delivery> run(OutStage& stage, const std::vector<TestStep>& steps) {
  Batch b;
  for (const TestStep& step : steps) {
    if (std::holds_alternative<ResetExecIds>(step)) {
      b.begin_item();
    } else if (const auto* a = std::get_if<TestApplied>(&step)) {
      b.applied(static_cast<const Applied&>(*a), a->events);
    } else {
      std::visit(
          [&](const auto& x) {
            using T = std::decay_t<decltype(x)>;
            if constexpr (!std::is_same_v<T, ResetExecIds> && !std::is_same_v<T, TestApplied>) {
              b.steps.emplace_back(x);
            }
          },
          step);
    }
  }
  std::vector<Delivery> out;
  stage.translate(b, out);
  return out;
}

// Every field of a reply that reaches the wire, as one line (for whole-reply comparisons).
std::string line(const Delivery& d) {
  const FixReply& r = d.reply;
  return std::to_string(d.session) + " " + std::to_string(static_cast<int>(r.kind)) + " " +
         r.order_id + " " + r.cl_ord_id + " " + r.orig_cl_ord_id + " " + r.exec_id + " " +
         r.exec_type + r.ord_status + " " + r.symbol + " " + std::to_string(r.price_fen) + " " +
         std::to_string(r.quantity_t) + " " + std::to_string(r.cum_qty_t) + " " +
         std::to_string(r.leaves_qty_t) + " " + std::to_string(r.cum_notional_fen) + " " +
         std::to_string(r.last_qty_t) + " " + std::to_string(r.last_px_fen) + " " +
         std::to_string(r.fee_fen) + " " + r.account + " " + r.text + " " +
         std::to_string(r.transact_time_ns) + " " + std::to_string(static_cast<int>(r.tif)) + " " +
         std::to_string(static_cast<int>(r.ord_type));
}

TEST(OutStage, AckAndFillsBecomeExecutionReportsOfTheRequestsSession) {
  OutStage stage = make_stage();
  auto out = run(stage, {ResetExecIds{}, sell_order(Seq(7), OrderId(42), "S1", FixTif::kDay)});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].session, 1u);
  EXPECT_EQ(out[0].reply.kind, ReplyKind::kExecReport);
  EXPECT_EQ(out[0].reply.order_id, "42");
  EXPECT_EQ(out[0].reply.cl_ord_id, "S1");
  EXPECT_EQ(out[0].reply.exec_id, "7-1");
  EXPECT_EQ(out[0].reply.exec_type, exec_type::kNew);
  EXPECT_EQ(out[0].reply.leaves_qty_t, 100);
  EXPECT_EQ(out[0].reply.account, "1003");
  EXPECT_EQ(out[0].reply.transact_time_ns, kTs + 7);
  EXPECT_EQ(stage.open_orders(), 1u);

  // Two fills in one command (no reset between): ExecIDs continue, the order is forgotten when
  // nothing is left.
  TestApplied two = fill_of(Seq(8), OrderId(42), 30, 0);
  two.events.push_back(fill_of(Seq(8), OrderId(42), 70, 30).events.front());
  out = run(stage, {ResetExecIds{}, two});
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].reply.exec_id, "8-1");
  EXPECT_EQ(out[0].reply.ord_status, ord_status::kPartiallyFilled);
  EXPECT_EQ(out[0].reply.cum_qty_t, 30);
  EXPECT_EQ(out[0].reply.fee_fen, 210);
  EXPECT_EQ(out[1].reply.exec_id, "8-2");
  EXPECT_EQ(out[1].reply.ord_status, ord_status::kFilled);
  EXPECT_EQ(out[1].reply.cum_qty_t, 100);
  EXPECT_EQ(out[1].reply.cum_notional_fen, 100 * 1430);
  EXPECT_EQ(out[1].reply.leaves_qty_t, 0);
  EXPECT_EQ(stage.open_orders(), 0u);
}

TEST(OutStage, ACancelIsAnsweredWithTheCancelRequestsClOrdId) {
  OutStage stage = make_stage();
  run(stage, {sell_order(Seq(1), OrderId(5), "S1", FixTif::kDay)});
  TestApplied cancel;
  cancel.seq = Seq(2);
  cancel.request = request(RequestKind::kCancel, kMemberB, "C1");
  cancel.session = 1;
  CancelEvent c;
  c.order_id = OrderId(5);
  c.account = kSeller;
  c.instrument = kIns;
  c.side = Side::kSell;
  c.reason = CancelReason::kRequested;
  cancel.events.push_back(event(Seq(2), c));
  const auto out = run(stage, {ResetExecIds{}, cancel});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].reply.cl_ord_id, "C1");
  EXPECT_EQ(out[0].reply.orig_cl_ord_id, "S1");
  EXPECT_EQ(out[0].reply.exec_type, exec_type::kCanceled);
  EXPECT_EQ(out[0].reply.exec_id, "2-1");
  EXPECT_EQ(stage.open_orders(), 0u);
}

// Two requests refused before the core in a row (each its own item, the counter reset before
// each as the driver does) take no seq: their ExecIDs differ by the member and MsgSeqNum, and
// do not depend on what came before (a restarted server gives the same ones).
TEST(OutStage, RefusalsHaveDistinctExecIdsAndMassCancelIsReportedAfterItsCancels) {
  OutStage stage = make_stage();
  Refused r;
  r.reply = Refused::Reply::kOrder;
  r.seq = Seq(9);
  r.session = 0;
  r.request = request(RequestKind::kNewOrder, kMemberA, "B1");
  r.code = gateway::ord_rej_reason::kDuplicateOrder;
  r.text = "duplicate";
  r.request.msg_seq_num = 41;
  Refused again = r;
  again.request.msg_seq_num = 42;
  Refused other = r;
  other.request.member = kMemberB;
  TestApplied mass;
  mass.seq = Seq(10);
  mass.request = request(RequestKind::kMassCancel, kMemberB, "M1");
  mass.session = 1;
  for (const std::uint64_t id : {3, 4}) {
    run(stage, {sell_order(Seq(id), OrderId(id), "S" + std::to_string(id), FixTif::kDay)});
    CancelEvent c;
    c.order_id = OrderId(id);
    c.instrument = kIns;
    c.reason = CancelReason::kMassCancel;
    mass.events.push_back(event(Seq(10), c));
  }
  const auto out = run(stage, {ResetExecIds{}, r, ResetExecIds{}, again, ResetExecIds{}, other,
                               ResetExecIds{}, mass});
  ASSERT_EQ(out.size(), 6u);
  EXPECT_EQ(out[0].reply.exec_id, "R9-" + std::to_string(kMemberA.value()) + "-41");
  EXPECT_EQ(out[1].reply.exec_id, "R9-" + std::to_string(kMemberA.value()) + "-42");
  EXPECT_EQ(out[2].reply.exec_id, "R9-" + std::to_string(kMemberB.value()) + "-41");
  EXPECT_EQ(out[0].reply.ord_status, ord_status::kRejected);
  EXPECT_EQ(out[0].reply.text, "duplicate");
  EXPECT_EQ(out[3].reply.exec_id, "10-1");
  EXPECT_EQ(out[4].reply.exec_id, "10-2");
  EXPECT_EQ(out[5].reply.kind, ReplyKind::kMassCancelReport);
  EXPECT_EQ(out[5].reply.order_id, "MC10");
  EXPECT_EQ(out[5].reply.total_affected, 2);
}

TEST(OutStage, SubscriptionsGetOneIncrementPerCommandUntilUnsubscribed) {
  OutStage stage = make_stage();
  MdRequest md;
  md.session = 0;
  md.request = request(RequestKind::kMarketData, kMemberA, "");
  md.request.request_id.assign("MD1");
  md.request.md_subscription = gateway::MdSubscription::kSubscribe;
  md.request.md_offers = true;
  md.request.md_trades = true;
  md.request.md_count = 1;
  md.request.md_instruments[0] = kIns;
  FixReply snapshot;
  snapshot.kind = ReplyKind::kMdSnapshot;
  snapshot.request_id = "MD1";
  md.snapshots.push_back(snapshot);
  TestApplied sell = sell_order(Seq(2), OrderId(2), "S2", FixTif::kDay);
  sell.events.push_back(
      event(Seq(2), BookDeltaEvent{kIns, Side::kSell, PriceFen(1430), QuantityT(100)}));
  sell.events.push_back(event(Seq(2), BookDeltaEvent{kIns, Side::kBuy, PriceFen(1420),
                                                     QuantityT(5)}));  // bids: not asked for
  const auto out = run(stage, {md, sell});
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0].reply.kind, ReplyKind::kMdSnapshot);
  EXPECT_EQ(out[1].reply.kind, ReplyKind::kExecReport);
  EXPECT_EQ(out[2].session, 0u);
  EXPECT_EQ(out[2].reply.kind, ReplyKind::kMdIncremental);
  ASSERT_EQ(out[2].reply.md.size(), 1u);
  EXPECT_EQ(out[2].reply.md[0].entry_type, '1');
  EXPECT_EQ(out[2].reply.md[0].price_fen, 1430);
  EXPECT_EQ(out[2].reply.md[0].symbol, "GDEA2017");
  EXPECT_EQ(stage.subscriptions(), 1u);

  md.request.md_subscription = gateway::MdSubscription::kUnsubscribe;
  md.snapshots.clear();
  TestApplied more = fill_of(Seq(3), OrderId(2), 10, 0);
  more.events.push_back(
      event(Seq(3), BookDeltaEvent{kIns, Side::kSell, PriceFen(1430), QuantityT(90)}));
  const auto after = run(stage, {md, more});
  ASSERT_EQ(after.size(), 1u);  // the fill only
  EXPECT_EQ(after[0].reply.kind, ReplyKind::kExecReport);
  EXPECT_EQ(stage.subscriptions(), 0u);
}

TEST(OutStage, AgreementReportsGoToTheSessionsOfTheAccountsHolders) {
  OutStage stage = make_stage();
  TestApplied a;
  a.seq = Seq(4);
  AgreementEvent e;
  e.report_id = OffBookId(77);
  e.status = AgreementStatus::kReported;
  e.reporter = kBuyer;
  e.counterparty = kSeller;
  e.reporter_side = Side::kBuy;
  e.instrument = kIns;
  e.price_fen = PriceFen(1500);
  e.quantity_t = QuantityT(1000);
  a.events.push_back(event(Seq(4), e));
  a.account_members = {{kBuyer, kMemberA}, {kSeller, kMemberB}};
  const auto out = run(stage, {a});
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].session, 0u);
  EXPECT_EQ(out[0].reply.kind, ReplyKind::kTradeCaptureAck);
  EXPECT_EQ(out[0].reply.account, "1001");
  EXPECT_EQ(out[0].reply.counterparty, "1003");
  EXPECT_EQ(out[1].session, 1u);
  EXPECT_EQ(out[1].reply.kind, ReplyKind::kTradeCapture);
  EXPECT_EQ(out[1].reply.trade_report_type, '1');
  EXPECT_EQ(out[1].reply.side, gateway::FixSide::kSell);

  a.account_members = {{kBuyer, kMemberA}, {kSeller, MemberId(0)}};  // no session for 1003
  const auto one = run(stage, {a});
  ASSERT_EQ(one.size(), 1u);
  EXPECT_EQ(one[0].session, 0u);
}

// A stage restored from the store's open-order records continues the orders' reports as the
// stage that saw them entered does (a Day limit order: OrdType and TimeInForce are the
// restored defaults; a replaced order's OrigClOrdID comes with its record).
TEST(OutStage, RestoredFromOpenOrdersGivesTheSameRepliesAsWithoutRestart) {
  OutStage steady = make_stage();
  TestApplied replace;
  replace.seq = Seq(4);
  replace.request = request(RequestKind::kReplace, kMemberB, "R12");
  replace.session = 1;
  ReplaceAckEvent moved;
  moved.order_id = OrderId(12);
  moved.account = kSeller;
  moved.instrument = kIns;
  moved.side = Side::kSell;
  moved.price_fen = PriceFen(1430);
  moved.quantity_t = QuantityT(100);
  replace.events.push_back(event(Seq(4), moved));
  run(steady, {sell_order(Seq(1), OrderId(11), "S11", FixTif::kDay),
               sell_order(Seq(2), OrderId(12), "S12", FixTif::kDay),
               fill_of(Seq(3), OrderId(11), 40, 0), replace});

  OpenOrderRecord r11;
  r11.order_id = OrderId(11);
  r11.instrument = kIns;
  r11.account = kSeller;
  r11.member = kMemberB;
  r11.side = Side::kSell;
  r11.price_fen = PriceFen(1430);
  r11.leaves_t = QuantityT(60);
  r11.cum_t = QuantityT(40);
  r11.cum_notional_fen = AmountFen(40 * 1430);
  r11.client_order_id = make_client_order_id("S11");
  OpenOrderRecord r12 = r11;
  r12.order_id = OrderId(12);
  r12.leaves_t = QuantityT(100);
  r12.cum_t = QuantityT(0);
  r12.cum_notional_fen = AmountFen(0);
  r12.client_order_id = make_client_order_id("R12");
  OutStage restarted = make_stage();
  const std::vector<RestoredOrder> records{{r11, {}}, {r12, make_client_order_id("S12")}};
  restarted.restore(records);
  EXPECT_EQ(restarted.open_orders(), steady.open_orders());

  StatusQuery status11;
  status11.seq = Seq(5);
  status11.session = 1;
  status11.request = request(RequestKind::kStatus, kMemberB, "S11");
  status11.open = r11;
  StatusQuery status12 = status11;
  status12.request = request(RequestKind::kStatus, kMemberB, "R12");
  status12.open = r12;
  TestApplied cancel;
  cancel.seq = Seq(6);
  cancel.request = request(RequestKind::kCancel, kMemberB, "C12");
  cancel.request->orig_cl_ord_id.assign("R12");
  cancel.session = 1;
  CancelEvent c;
  c.order_id = OrderId(12);
  c.account = kSeller;
  c.instrument = kIns;
  c.side = Side::kSell;
  cancel.events.push_back(event(Seq(6), c));
  const std::vector<TestStep> after{ResetExecIds{}, status11,
                                    ResetExecIds{}, status12,
                                    ResetExecIds{}, fill_of(Seq(5), OrderId(11), 60, 40),
                                    ResetExecIds{}, cancel};
  const auto a = run(steady, after);
  const auto b = run(restarted, after);
  ASSERT_EQ(a.size(), 4u);
  ASSERT_EQ(b.size(), a.size());
  for (std::size_t i = 0; i < a.size(); ++i)
    EXPECT_EQ(line(a[i]), line(b[i])) << i;
  EXPECT_EQ(a[0].reply.exec_type, exec_type::kOrderStatus);
  EXPECT_EQ(a[0].reply.cl_ord_id, "S11");
  EXPECT_EQ(a[1].reply.cl_ord_id, "R12");
  EXPECT_EQ(a[1].reply.orig_cl_ord_id, "S12");
  EXPECT_EQ(a[2].reply.cum_notional_fen, 100 * 1430);
  EXPECT_EQ(a[3].reply.cl_ord_id, "C12");
  EXPECT_EQ(a[3].reply.orig_cl_ord_id, "R12");
  EXPECT_EQ(steady.open_orders(), 0u);
  EXPECT_EQ(restarted.open_orders(), 0u);
}

}  // namespace
}  // namespace carbonx::out
