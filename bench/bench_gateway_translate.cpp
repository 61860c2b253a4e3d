// The FIX edge of the gateway: decoding a NewOrderSingle (QuickFIX parse + dictionary validation +
// translation with exact decimals) and encoding an ExecutionReport, per message, and the exact
// price parser alone.
#include <benchmark/benchmark.h>

#include "carbonx/gateway/fix_codec.hpp"
#include "carbonx/gateway/fix_wire.hpp"

namespace {

using carbonx::gateway::FixCodec;

std::unique_ptr<FixCodec> make_codec() {
  std::string error;
  auto codec = FixCodec::create(CARBONX_FIX_DICTIONARY, &error);
  if (!codec) throw std::runtime_error(error);
  return codec;
}

void BM_DecodeNewOrderSingle(benchmark::State& state) {
  const auto codec = make_codec();
  namespace wire = carbonx::gateway::wire;
  const std::string nos = wire::encode("D", "MEMBER1", "CARBONX", 2,
                                       {{11, "ORD-1"},
                                        {1, "1001"},
                                        {55, "GDEA2017"},
                                        {54, "1"},
                                        {60, "20260105-01:30:00.123"},
                                        {38, "100"},
                                        {40, "2"},
                                        {44, "14.20"},
                                        {59, "0"}},
                                       "20260105-01:30:00.123");
  for (auto _ : state) {
    auto out = codec->decode(nos);
    benchmark::DoNotOptimize(out);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_DecodeNewOrderSingle);

carbonx::gateway::FixReply fill_report() {
  carbonx::gateway::FixReply r;
  r.kind = carbonx::gateway::ReplyKind::kExecReport;
  r.order_id = std::string("1001");
  r.cl_ord_id = std::string("ORD-1");
  r.exec_id = std::string("77-1");
  r.account = std::string("1001");
  r.symbol = std::string("GDEA2017");
  r.exec_type = 'F';
  r.ord_status = '1';
  r.price_fen = 1420;
  r.quantity_t = 100;
  r.last_qty_t = 30;
  r.last_px_fen = 1420;
  r.leaves_qty_t = 70;
  r.cum_qty_t = 30;
  r.cum_notional_fen = 42600;
  r.fee_fen = 213;
  r.trade_id = std::string("9");
  r.transact_time_ns = 1767576600123456000;
  return r;
}

// The text written directly (what a live session sends for an ExecutionReport).
void BM_EncodeExecutionReport(benchmark::State& state) {
  const auto codec = make_codec();
  const carbonx::gateway::FixReply r = fill_report();
  for (auto _ : state) {
    auto fix = codec->encode(r, "CARBONX", "MEMBER1", 7, "20260105-01:30:00.123");
    benchmark::DoNotOptimize(fix);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_EncodeExecutionReport);

// The same message through QuickFIX's FieldMap and Message::toString (before this round).
void BM_EncodeExecutionReportQuickFix(benchmark::State& state) {
  const auto codec = make_codec();
  const carbonx::gateway::FixReply r = fill_report();
  for (auto _ : state) {
    auto fix = codec->encode_reference(r, "CARBONX", "MEMBER1", 7, "20260105-01:30:00.123");
    benchmark::DoNotOptimize(fix);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_EncodeExecutionReportQuickFix);

void BM_ParsePriceFen(benchmark::State& state) {
  const std::string prices[] = {"14.20", "1420", "14.2", "999999.99", "0.01", "14.200"};
  std::int64_t fen = 0;
  std::size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(carbonx::gateway::parse_price_fen(prices[i++ % 6], &fen));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ParsePriceFen);

}  // namespace

BENCHMARK_MAIN();
