// What the core thread allocates per order on carbonxd's path (issue #11): under the sequencer
// the driver applies each request, records the batch for the out stage, commits it and hands the
// batch over (ExchangeDriver::apply, commit, take_out_batch); the out stage's replies are made on
// another thread. Counted per thread (carbonx::counting_new replaces the global operator new of
// this test binary): only this thread's allocations while a batch is measured, so the figure is
// exact and the same on every run (what the sender thread allocates is not the core's).
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "../exchange_path.hpp"
#include "carbonx/out/out_stage.hpp"
#include "carbonx/testing/allocations.hpp"

namespace carbonx::gateway {
namespace {

using testing::Exchange;
namespace fs = std::filesystem;

class CoreAllocationsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("cx_core_alloc_" + std::to_string(::getpid()));
    fs::remove_all(root_);
  }
  void TearDown() override { fs::remove_all(root_); }

  fs::path root_;
  ExchangeClock clock_{parse_clock_time("2017-06-05T09:30:00+08:00").value(), ""};
};

// Batches of 64 orders that rest and fill in turn (the load tools' shape): after a warm-up, the
// allocations the core thread makes stay within a fixed budget, each one named below.
TEST_F(CoreAllocationsTest, TheCoreThreadAllocatesAFixedBudgetPerOrder) {
  const ExchangeConfig exchange = testing::sample_exchange();
  Exchange x(root_, exchange, clock_);
  std::uint64_t ticket = 0;
  std::vector<Delivery> replies;
  auto op = [&](const std::string& verb, const std::string& body) {
    x.driver().apply(TimestampNs(clock_.now_ns()), x.operator_inbound(++ticket, verb, body),
                     replies);
    ASSERT_TRUE(x.driver().commit().ok());
  };
  for (int a = 1001; a <= 1004; ++a) {
    const std::string id = std::to_string(a);
    op("account.open", "{\"id\":" + id + ",\"kind\":\"control_emission_firm\",\"member\":" +
                           std::to_string(1 + (a - 1001) / 2) + "}");
    op("cash.deposit",
       "{\"transfer_id\":" + id + ",\"account\":" + id + ",\"amount_fen\":100000000000}");
    op("units.issue", "{\"transfer_id\":" + std::to_string(a * 10) + ",\"account\":" + id +
                          ",\"symbol\":\"GDEA2017\",\"quantity_t\":50000000}");
  }
  op("market.open", "{}");
  out::OutStage* out_stage = x.driver().defer_replies();

  std::int32_t seq_num[2] = {0, 0};
  int clid = 0;
  auto order = [&](std::size_t member, FixSide side) {
    FixRequest q;
    q.kind = RequestKind::kNewOrder;
    q.msg_seq_num = ++seq_num[member];
    q.symbol = "GDEA2017";
    q.account = std::to_string(1001 + 2 * member);
    q.cl_ord_id = std::to_string(++clid);
    q.side = side;
    q.price_fen = 1420;
    q.quantity_t = 10;
    return x.fix_inbound(x.session(member), q);
  };
  constexpr int kBatch = 64;
  constexpr int kWarmup = 40;
  constexpr int kMeasured = 40;
  std::uint64_t counted = 0;
  OutBatch spare;  // the last delivered batch, handed back as the sequencer does
  for (int b = 0; b < kWarmup + kMeasured; ++b) {
    std::vector<Inbound> batch;
    for (int i = 0; i < kBatch; ++i)  // member 0 sells, member 1's buy fills it
      batch.push_back(order(i % 2, i % 2 == 0 ? FixSide::kSell : FixSide::kBuy));
    std::optional<carbonx::testing::ThreadAllocations> allocations;
    if (b >= kWarmup) allocations.emplace();
    for (const Inbound& in : batch)
      x.driver().apply(TimestampNs(clock_.now_ns()), in, replies);
    const bool committed = x.driver().commit().ok();
    OutBatch taken = x.driver().take_out_batch(std::move(spare));
    if (allocations) counted += allocations->count();
    allocations.reset();
    ASSERT_TRUE(committed);
    replies.clear();
    out_stage->translate(taken, replies);
    ASSERT_EQ(replies.size(), static_cast<std::size_t>(kBatch + kBatch))  // acks, then fills
        << "batch " << b;
    taken.clear();
    spare = std::move(taken);
  }
  const double per_order = static_cast<double>(counted) / (kMeasured * kBatch);
  std::printf("core thread: %.2f allocations per order (%llu in %d batches of %d)\n", per_order,
              static_cast<unsigned long long>(counted), kMeasured, kBatch);
  // Per order: one hash node in each of the core thread's open-order indices (by OrderId, by
  // session and ClOrdID) and one in the trading day's used ClOrdIDs. Per batch: the state
  // record encoded at commit (about 40). Recording the out stage's batch takes none (it took
  // one per command and regrew its vectors every batch: 4.75 per order at 31cd565).
  EXPECT_LE(counted, static_cast<std::uint64_t>(3 * kMeasured * kBatch + 48 * kMeasured));
}

}  // namespace
}  // namespace carbonx::gateway
