// Sequencer with a fake driver and sink, fed from several threads: every item is applied once in
// its submitter's order, every reply is delivered once, after its batch's commit returned,
// batches in commit order and never two deliveries at once (the core thread delivers some
// batches itself, the sender thread the others). Stamps: from the exchange clock (wall or
// simulated), never decreasing, never before the driver's last journaled stamp.
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

#include "carbonx/gateway/sequencer.hpp"

namespace carbonx::gateway {
namespace {

constexpr int kThreads = 3;
constexpr int kItemsPerThread = 20000;

// Each item is a FixCommand whose msg_seq_num encodes (thread, n); its reply carries the number
// of the batch it was applied in (exec_id) and the same encoding (cl_ord_id).
class FakeDriver : public CoreDriver {
 public:
  void apply(TimestampNs, const Inbound& in, std::vector<Delivery>& out) override {
    const auto& q = std::get<edge::FixCommand>(in.item);
    applied.push_back(q.msg_seq_num);
    seq_ = Seq(seq_.value() + 1);
    Delivery d;
    d.session = in.session;
    d.reply.cl_ord_id = std::to_string(q.msg_seq_num);
    d.reply.exec_id = std::to_string(batch_);
    out.push_back(std::move(d));
  }
  Status<CommitError> commit() override {
    committed_batches.store(batch_ + 1, std::memory_order_release);
    ++batch_;
    return {};
  }
  Seq applied_seq() const override { return seq_; }

  std::vector<std::int32_t> applied;  // core thread only
  std::atomic<std::uint64_t> committed_batches{0};

 private:
  Seq seq_{0};
  std::uint64_t batch_ = 0;
};

class CheckingSink : public DeliverySink {
 public:
  explicit CheckingSink(const FakeDriver& driver) : driver_(driver) {}
  void deliver(std::vector<Delivery>& batch) override {
    if (inside_.exchange(true)) concurrent = true;
    for (const Delivery& d : batch) {
      const std::uint64_t b = std::stoull(d.reply.exec_id);
      if (b + 1 > driver_.committed_batches.load(std::memory_order_acquire)) early = true;
      if (b < last_batch_) out_of_order = true;
      last_batch_ = b;
      delivered.push_back(std::stoi(d.reply.cl_ord_id));
    }
    inside_.store(false);
  }

  std::vector<std::int32_t> delivered;
  bool concurrent = false;
  bool early = false;
  bool out_of_order = false;

 private:
  const FakeDriver& driver_;
  std::atomic<bool> inside_{false};
  std::uint64_t last_batch_ = 0;
};

std::int32_t encode_item(int thread, int n) {
  return thread * kItemsPerThread + n;
}

TEST(SequencerTest, AppliesAndDeliversEveryItemOnceInOrderAfterItsCommit) {
  FakeDriver driver;
  CheckingSink sink(driver);
  Sequencer sequencer(driver, sink, SequencerLimits{64, 1u << 20});
  sequencer.start();
  std::vector<std::thread> submitters;
  for (int t = 0; t < kThreads; ++t) {
    submitters.emplace_back([&sequencer, t] {
      for (int n = 0; n < kItemsPerThread; ++n) {
        Inbound in;
        in.session = static_cast<SessionIndex>(t);
        edge::FixCommand q;
        q.msg_seq_num = encode_item(t, n);
        in.item = q;
        ASSERT_TRUE(sequencer.submit(std::move(in)));
        if (n % 997 == 0) std::this_thread::yield();  // let some batches close small
      }
    });
  }
  for (auto& s : submitters)
    s.join();
  sequencer.stop();

  const SequencerStats stats = sequencer.stats();
  EXPECT_EQ(stats.applied, static_cast<std::uint64_t>(kThreads * kItemsPerThread));
  EXPECT_EQ(stats.last_seq, static_cast<std::uint64_t>(kThreads * kItemsPerThread));
  EXPECT_LE(stats.max_batch, 64u);
  EXPECT_EQ(driver.applied.size(), static_cast<std::size_t>(kThreads * kItemsPerThread));
  // Delivered exactly what was applied, in the same order (batches in commit order).
  EXPECT_EQ(sink.delivered, driver.applied);
  EXPECT_FALSE(sink.concurrent);
  EXPECT_FALSE(sink.early);
  EXPECT_FALSE(sink.out_of_order);
  // Each submitter's items were applied in its order.
  std::vector<int> next(kThreads, 0);
  for (const std::int32_t v : driver.applied) {
    const int t = v / kItemsPerThread;
    ASSERT_EQ(v % kItemsPerThread, next[t]);
    ++next[t];
  }
}

TEST(SequencerTest, AnIdleSequencerDeliversALoneItemFromTheCoreThread) {
  FakeDriver driver;
  CheckingSink sink(driver);
  Sequencer sequencer(driver, sink, SequencerLimits{});
  sequencer.start();
  Inbound in;
  in.session = 0;
  in.item = edge::FixCommand{};
  ASSERT_TRUE(sequencer.submit(std::move(in)));
  sequencer.stop();
  ASSERT_EQ(sink.delivered.size(), 1u);
  EXPECT_EQ(sequencer.stats().inline_deliveries, 1u);  // queue empty, sender idle: no hand-off
}

TEST(SequencerTest, RefusesBeyondTheQueueCapacityAndAfterStop) {
  FakeDriver driver;
  CheckingSink sink(driver);
  Sequencer sequencer(driver, sink, SequencerLimits{4, 2});
  // Not started: nothing drains the queue.
  for (int i = 0; i < 2; ++i) {
    Inbound in;
    in.item = edge::FixCommand{};
    EXPECT_TRUE(sequencer.submit(std::move(in)));
  }
  Inbound extra;
  extra.item = edge::FixCommand{};
  EXPECT_FALSE(sequencer.submit(std::move(extra)));
  EXPECT_EQ(sequencer.stats().refused_full, 1u);
  sequencer.start();
  sequencer.stop();
  EXPECT_EQ(sink.delivered.size(), 2u);
  Inbound late;
  late.item = edge::FixCommand{};
  EXPECT_FALSE(sequencer.submit(std::move(late)));
}

// A driver that records the stamps it is given and reports a last journaled stamp.
class StampDriver : public CoreDriver {
 public:
  explicit StampDriver(std::int64_t last_ns) : last_(last_ns) {}
  void apply(TimestampNs ts, const Inbound&, std::vector<Delivery>&) override {
    stamps.push_back(ts.value());
    seq_ = Seq(seq_.value() + 1);
  }
  Status<CommitError> commit() override { return {}; }
  Seq applied_seq() const override { return seq_; }
  TimestampNs last_stamp() const override { return TimestampNs(last_); }

  std::vector<std::int64_t> stamps;  // core thread; read after stop()

 private:
  std::int64_t last_;
  Seq seq_{0};
};

class NullSink : public DeliverySink {
 public:
  void deliver(std::vector<Delivery>&) override {}
};

std::vector<std::int64_t> stamps_of(StampDriver& driver, const ExchangeClock* clock,
                                    ExchangeClock* advance_mid = nullptr,
                                    std::int64_t advance_to = 0) {
  NullSink sink;
  Sequencer sequencer(driver, sink, SequencerLimits{}, clock);
  sequencer.start();
  for (int i = 0; i < 200; ++i) {
    if (i == 100 && advance_mid != nullptr) {
      sequencer.stop();  // everything before the move is applied first
      EXPECT_TRUE(advance_mid->advance_to(advance_to).ok());
      return driver.stamps;
    }
    Inbound in;
    in.item = edge::FixCommand{};
    EXPECT_TRUE(sequencer.submit(std::move(in)));
  }
  sequencer.stop();
  return driver.stamps;
}

constexpr std::int64_t kJune5At10Cst = 1'496'628'000'000'000'000;  // 2017-06-05T10:00+08:00

TEST(SequencerClock, StampsComeFromTheSimulatedClockAndNeverDecrease) {
  ExchangeClock clock(kJune5At10Cst, "");
  StampDriver driver(0);
  const auto stamps = stamps_of(driver, &clock);
  ASSERT_EQ(stamps.size(), 200u);
  EXPECT_GE(stamps.front(), kJune5At10Cst);
  EXPECT_LT(stamps.back(), kJune5At10Cst + 60'000'000'000);
  for (std::size_t i = 1; i < stamps.size(); ++i)
    ASSERT_GE(stamps[i], stamps[i - 1]) << i;
}

// As after a restart whose journal ends later than the clock's time (a data directory used with
// a later clock_start, or the wall clock): stamps continue from the journal, never earlier.
TEST(SequencerClock, StampsStartNoEarlierThanTheLastJournaledStamp) {
  const std::int64_t journal_end = kJune5At10Cst + 86'400'000'000'000;  // a day later
  ExchangeClock clock(kJune5At10Cst, "");
  StampDriver driver(journal_end);
  const auto stamps = stamps_of(driver, &clock);
  ASSERT_EQ(stamps.size(), 200u);
  for (std::int64_t s : stamps)
    ASSERT_GE(s, journal_end);
  StampDriver wall_driver(journal_end + 3'153'600'000'000'000'000);  // ~100 years on
  const auto wall = stamps_of(wall_driver, nullptr);
  for (std::int64_t s : wall)
    ASSERT_GE(s, journal_end + 3'153'600'000'000'000'000) << "the wall clock too";
}

TEST(SequencerClock, AnAdvanceMovesTheNextStampsForward) {
  ExchangeClock clock(kJune5At10Cst, "");
  StampDriver driver(0);
  const std::int64_t target = kJune5At10Cst + 7 * 86'400'000'000'000;
  const auto before = stamps_of(driver, &clock, &clock, target);
  ASSERT_EQ(before.size(), 100u);
  EXPECT_LT(before.back(), target);
  StampDriver after_driver(before.back());  // the restart sees the journal's last stamp
  const auto after = stamps_of(after_driver, &clock);
  ASSERT_EQ(after.size(), 200u);
  EXPECT_GE(after.front(), target);
}

}  // namespace
}  // namespace carbonx::gateway
