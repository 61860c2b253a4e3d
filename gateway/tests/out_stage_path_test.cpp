// The out stage on carbonxd's path (issue #11): through the Sequencer the ExchangeDriver only
// records each batch and the replies are made after the commit, where the batch is delivered
// (the sender thread, or the core thread when it delivers an idle batch itself). The members
// must see exactly what the driver's direct path (each request applied and translated at once)
// gives: the same FIX messages, field for field, in the same order, for a random session of
// orders, IOC/FOK/click, cancels, replaces, status and market data requests, mass cancels and
// refusals.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "carbonx/gateway/fix_codec.hpp"
#include "carbonx/gateway/fix_wire.hpp"
#include "carbonx/gateway/sequencer.hpp"
#include "carbonx/verbs/verbs.hpp"
#include "exchange_path.hpp"

namespace carbonx::gateway {
namespace {

using testing::Exchange;
namespace fs = std::filesystem;

class CollectingSink : public DeliverySink {
 public:
  void deliver(std::vector<Delivery>& batch) override {
    std::lock_guard lock(mutex_);
    for (Delivery& d : batch)
      got_.push_back(std::move(d));
  }
  std::vector<Delivery> got() {
    std::lock_guard lock(mutex_);
    return got_;
  }

 private:
  std::mutex mutex_;
  std::vector<Delivery> got_;
};

class OutStagePathTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("cx_out_path_" + std::to_string(::getpid()));
    fs::remove_all(root_);
    std::string error;
    codec_ = FixCodec::create(CARBONX_FIX_DICTIONARY, &error);
    ASSERT_NE(codec_, nullptr) << error;
  }
  void TearDown() override { fs::remove_all(root_); }

  std::string text_of(const Exchange& x, const std::vector<Delivery>& out) const {
    std::string t;
    for (const Delivery& d : out) {
      if (d.ticket != 0) {
        t += std::to_string(d.ticket) + " " + std::to_string(d.http_status) + " " + d.json + "\n";
        continue;
      }
      const std::string fix =
          codec_->encode(d.reply, "CARBONX", x.comp_id(d.session), 1, "20170605-01:30:00.000");
      t += std::to_string(d.session) + ": ";
      for (const auto& [tag, value] : wire::decode(fix)) {
        // Not compared: TransactTime (60), the stamp the sequencer took from the running
        // simulated clock, and BodyLength and CheckSum, which depend on it.
        if (tag == 9 || tag == 10 || tag == 60) continue;
        t += std::to_string(tag) + "=" + value + "|";
      }
      t += "\n";
    }
    return t;
  }

  // A random session's requests, made against `x` (it learns the open ClOrdIDs from the
  // replies of x's direct path, which it fills into `replies`).
  std::vector<Inbound> session(Exchange& x, std::size_t n, std::vector<Delivery>& replies) {
    auto op = [&](const std::string& verb, const std::string& body = "{}") {
      return x.operator_inbound(++ticket_, verb, body);
    };
    std::vector<Inbound> all;
    auto apply = [&](Inbound in) {
      const std::size_t before = replies.size();
      x.driver().apply(TimestampNs(clock_.now_ns()), in, replies);
      EXPECT_TRUE(x.driver().commit().ok());
      for (std::size_t i = before; i < replies.size(); ++i) {
        const FixReply& r = replies[i].reply;
        if (replies[i].ticket == 0 && r.kind == ReplyKind::kExecReport &&
            (r.exec_type == exec_type::kNew || r.exec_type == exec_type::kReplaced) &&
            r.auction_id.empty()) {
          open_[replies[i].session].push_back(r.cl_ord_id);
        }
      }
      all.push_back(std::move(in));
    };
    for (int a = 1001; a <= 1006; ++a) {
      const std::string id = std::to_string(a);
      apply(op("account.open", "{\"id\":" + id + ",\"kind\":\"control_emission_firm\",\"member\":" +
                                   std::to_string(1 + (a - 1001) / 2) + "}"));
      apply(op("cash.deposit",
               "{\"transfer_id\":" + id + ",\"account\":" + id + ",\"amount_fen\":100000000000}"));
      apply(op("units.issue", "{\"transfer_id\":" + std::to_string(a * 10) + ",\"account\":" + id +
                                  ",\"symbol\":\"GDEA2017\",\"quantity_t\":50000000}"));
    }
    apply(op("market.open"));
    std::mt19937_64 rng(20170605);
    auto pick = [&](std::uint64_t k) { return rng() % k; };
    std::vector<std::int32_t> msg_seq(3, 0);
    int clid = 0;
    for (std::size_t i = 0; i < n; ++i) {
      const std::size_t member = pick(3);
      const SessionIndex s = x.session(member);
      FixRequest q;
      q.msg_seq_num = ++msg_seq[member];
      q.symbol = "GDEA2017";
      q.account = std::to_string(1001 + 2 * member + pick(2));
      q.cl_ord_id = "c" + std::to_string(++clid);
      const std::uint64_t roll = pick(100);
      auto& open = open_[s];
      if (roll < 55 || open.empty()) {
        q.kind = RequestKind::kNewOrder;
        q.side = pick(2) == 0 ? FixSide::kBuy : FixSide::kSell;
        q.price_fen =
            1420 + (q.side == FixSide::kBuy ? -4 : 4) + static_cast<std::int64_t>(pick(21)) - 10;
        q.quantity_t = 1 + static_cast<std::int64_t>(pick(40));
        if (roll < 4) q.tif = FixTif::kIoc;
        if (roll >= 4 && roll < 7) q.tif = FixTif::kFok;
        if (roll >= 7 && roll < 9) {
          q.ord_type = FixOrdType::kClick;
          q.tif = FixTif::kIoc;
          q.price_fen = 0;
        }
        if (roll == 9) q.cl_ord_id = "c1";  // a duplicate now and then
      } else if (roll < 90) {
        q.orig_cl_ord_id = open[pick(open.size())];
        q.kind = roll < 70   ? RequestKind::kCancel
                 : roll < 82 ? RequestKind::kReplace
                             : RequestKind::kStatus;
        q.side = pick(2) == 0 ? FixSide::kBuy : FixSide::kSell;
        q.price_fen = 1420 + static_cast<std::int64_t>(pick(21)) - 10;
        q.quantity_t = 1 + static_cast<std::int64_t>(pick(60));
        if (q.kind == RequestKind::kStatus) {
          q.cl_ord_id = q.orig_cl_ord_id;
          q.request_id = "st" + std::to_string(i);
        }
      } else if (roll < 96) {
        q.kind = RequestKind::kMarketData;
        q.request_id = "md" + std::to_string(member);
        q.md_subscription =
            pick(4) == 0 ? MdSubscription::kUnsubscribe : MdSubscription::kSubscribe;
        q.md_bids = true;
        q.md_offers = true;
        q.md_trades = pick(2) == 0;
        q.md_symbols = {"GDEA2017"};
      } else {
        q.kind = RequestKind::kMassCancel;
        q.account.clear();
        open.clear();
      }
      apply(x.fix_inbound(s, q));
    }
    return all;
  }

  fs::path root_;
  std::unique_ptr<FixCodec> codec_;
  std::uint64_t ticket_ = 0;
  ExchangeClock clock_{parse_clock_time("2017-06-05T09:30:00+08:00").value(), ""};
  std::map<SessionIndex, std::vector<std::string>> open_;
};

TEST_F(OutStagePathTest, RepliesMadeAfterTheCommitEqualTheDirectPath) {
  const ExchangeConfig exchange = testing::sample_exchange();
  Exchange direct(root_ / "direct", exchange, clock_);
  std::vector<Delivery> expected;
  const std::vector<Inbound> requests = session(direct, 3000, expected);
  ASSERT_GT(expected.size(), 2000u);
  // Every ExecutionReport has its own ExecID, refusals in a row (no seq between) included.
  std::set<std::string> exec_ids;
  std::size_t refusals = 0;
  for (const Delivery& d : expected) {
    if (d.ticket != 0 || d.reply.kind != ReplyKind::kExecReport) continue;
    EXPECT_TRUE(exec_ids.insert(d.reply.exec_id).second)
        << "ExecID used twice: " << d.reply.exec_id;
    if (d.reply.exec_id.rfind("R", 0) == 0) ++refusals;
  }
  EXPECT_GT(refusals, 10u);

  Exchange sequenced(root_ / "sequenced", exchange, clock_);
  CollectingSink sink;
  {
    Sequencer sequencer(sequenced.driver(), sink, SequencerLimits{64, 65536}, &clock_);
    sequencer.start();
    for (std::size_t i = 0; i < requests.size(); ++i) {
      Inbound in = requests[i];
      ASSERT_TRUE(sequencer.submit(std::move(in)));
      if (i % 97 == 0) std::this_thread::yield();  // batches of every size, idle ones too
    }
    sequencer.stop();
    EXPECT_GT(sequencer.stats().batches, 1u);
  }
  const std::vector<Delivery> got = sink.got();
  EXPECT_EQ(got.size(), expected.size());
  const std::string want = text_of(direct, expected);
  const std::string have = text_of(sequenced, got);
  ASSERT_EQ(want, have);
  EXPECT_EQ(direct.driver().applied_seq(), sequenced.driver().applied_seq());
  // What a restart restores (open orders, their ClOrdIDs) answers the same on both; the
  // out stage that ran on the sender thread had the same orders as the direct path's.
  direct.restart();
  sequenced.restart();
  std::vector<Delivery> a;
  std::vector<Delivery> b;
  for (const auto& [s, clids] : open_) {
    for (const std::string& c : clids) {
      FixRequest q;
      q.kind = RequestKind::kStatus;
      q.symbol = "GDEA2017";
      q.cl_ord_id = c;
      q.request_id = "after-" + c;
      direct.driver().apply(TimestampNs(clock_.now_ns()), direct.fix_inbound(s, q), a);
      sequenced.driver().apply(TimestampNs(clock_.now_ns()), sequenced.fix_inbound(s, q), b);
    }
  }
  EXPECT_EQ(text_of(direct, a), text_of(sequenced, b));
}

}  // namespace
}  // namespace carbonx::gateway
