// A restart keeps every order's place in its level's queue (issue 11, "restart changes the
// market"): an order replaced to a worse place (new price, or more quantity at the same price)
// stays behind the orders that were ahead of it, whatever order the store hands the records back
// in (the registry keys them by order id).
#include <algorithm>
#include <random>

#include "core_fixture.hpp"

namespace carbonx::testing {
namespace {

class RestorePriorityTest : public CoreTest {
 protected:
  // A core restarted from this core's persistence hooks over an independent copy of the ledger,
  // the records given back in order-id order (as the store keeps them).
  void restart() {
    std::vector<OpenOrderRecord> records;
    core_->for_each_open_order([&](const OpenOrderRecord& r) { records.push_back(r); });
    std::sort(
        records.begin(), records.end(),
        [](const OpenOrderRecord& a, const OpenOrderRecord& b) { return a.order_id < b.order_id; });
    std::unique_ptr<Core> replayed;
    replay_into(ledger2_, replayed);
    replayed.reset();
    restarted_ = std::make_unique<Core>(config_, ledger2_);
    ASSERT_TRUE(restarted_->restore_state(core_->save_state()).ok());
    ASSERT_TRUE(restarted_->restore_open_orders(records).ok());
    EXPECT_EQ(restarted_->state_hash(), core_->state_hash());
  }
  // Applies `body` to both cores; returns the resting order ids that traded, in fill order, after
  // checking the two cores emitted the same events and reached the same state.
  std::vector<OrderId> both(CommandBody body) {
    apply(body);
    restarted_->clear_events();
    restarted_->apply(commands_.back());
    EXPECT_EQ(restarted_->state_hash(), core_->state_hash());
    EXPECT_TRUE(std::equal(core_->events().begin(), core_->events().end(),
                           restarted_->events().begin(), restarted_->events().end()));
    std::vector<OrderId> filled;
    for (const FillEvent& f : of<FillEvent>()) {
      if (!f.aggressor) filled.push_back(f.order_id);
    }
    return filled;
  }
  OpenOrderRecord record(OrderId id) const { return *core_->find_open_order(kGdea, id); }

  InMemoryLedger ledger2_;
  std::unique_ptr<Core> restarted_;
};

TEST_F(RestorePriorityTest, PriceReplacedBehindKeepsItsPlaceAcrossARestart) {
  const OrderId a = place(order(kBob, kGdea, Side::kSell, 2010, 10));
  const OrderId b = place(order(kCarol, kGdea, Side::kSell, 2011, 10));
  apply(Replace{kBob, kMember1, kGdea, a, PriceFen(2011), QuantityT(10), {}});
  EXPECT_EQ(record(a).priority_seq, Seq(seq_));  // the replace gave it its place
  EXPECT_EQ(record(a).entry_seq, Seq(seq_ - 2));
  EXPECT_GT(record(a).priority_seq, record(b).priority_seq);
  restart();
  EXPECT_EQ(both(order(kAlice, kGdea, Side::kBuy, 2011, 10)), std::vector<OrderId>{b});
  EXPECT_EQ(both(order(kAlice, kGdea, Side::kBuy, 2011, 10)), std::vector<OrderId>{a});
}

TEST_F(RestorePriorityTest, QuantityIncreaseAtTheSamePriceKeepsItsPlaceAcrossARestart) {
  const OrderId a = place(order(kBob, kGdea, Side::kSell, 2010, 10));
  const OrderId b = place(order(kCarol, kGdea, Side::kSell, 2010, 10));
  apply(Replace{kBob, kMember1, kGdea, a, PriceFen(2010), QuantityT(20), {}});
  restart();
  EXPECT_EQ(both(order(kAlice, kGdea, Side::kBuy, 2010, 10)), std::vector<OrderId>{b});
  EXPECT_EQ(both(order(kAlice, kGdea, Side::kBuy, 2010, 20)), std::vector<OrderId>{a});
}

TEST_F(RestorePriorityTest, QuantityDecreaseKeepsTheEntryPlace) {
  const OrderId a = place(order(kAlice, kGdea, Side::kBuy, 1990, 30));
  const Seq entry = record(a).priority_seq;
  const OrderId b = place(order(kCarol, kGdea, Side::kBuy, 1990, 10));
  apply(Replace{kAlice, kMember1, kGdea, a, PriceFen(1990), QuantityT(20), {}});
  EXPECT_EQ(record(a).priority_seq, entry);
  restart();
  EXPECT_EQ(both(order(kBob, kGdea, Side::kSell, 1990, 30)), (std::vector<OrderId>{a, b}));
}

TEST_F(RestorePriorityTest, AnyRecordOrderRestoresTheSameQueues) {
  std::mt19937_64 rng(11);
  for (int i = 0; i < 40; ++i) {
    const AccountId acc = i % 3 == 0 ? kAlice : (i % 3 == 1 ? kBob : kCarol);
    place(order(acc, kGdea, Side::kSell, 2010 + (i % 4), 10 * (1 + i % 3)));
  }
  std::vector<OpenOrderRecord> records;
  core_->for_each_open_order([&](const OpenOrderRecord& r) { records.push_back(r); });
  for (std::size_t k = 0; k < records.size(); k += 3) {  // a third of them to a worse place
    const OpenOrderRecord& r = records[k];
    apply(Replace{r.account,
                  r.member,
                  kGdea,
                  r.order_id,
                  PriceFen(2010 + (k % 5)),
                  QuantityT(r.leaves_t.value() + 10),
                  {}});
  }
  records.clear();
  core_->for_each_open_order([&](const OpenOrderRecord& r) { records.push_back(r); });
  for (int round = 0; round < 5; ++round) {
    std::shuffle(records.begin(), records.end(), rng);
    Core restored(config_, ledger_);
    ASSERT_TRUE(restored.restore_state(core_->save_state()).ok());
    ASSERT_TRUE(restored.restore_open_orders(records).ok());
    EXPECT_EQ(restored.state_hash(), core_->state_hash());
    std::vector<OpenOrderRecord> again;
    restored.for_each_open_order([&](const OpenOrderRecord& r) { again.push_back(r); });
    std::vector<OpenOrderRecord> live;
    core_->for_each_open_order([&](const OpenOrderRecord& r) { live.push_back(r); });
    EXPECT_EQ(again, live);  // the same orders, the same queue order
  }
}

TEST_F(RestorePriorityTest, BadPrioritiesAreRefused) {
  const OrderId a = place(order(kBob, kGdea, Side::kSell, 2010, 10));
  const OrderId b = place(order(kCarol, kGdea, Side::kSell, 2010, 10));
  OpenOrderRecord ra = record(a);
  OpenOrderRecord rb = record(b);
  rb.priority_seq = ra.priority_seq;  // two orders cannot have got their place from one command
  rb.entry_seq = ra.entry_seq;
  Core restored(config_, ledger_);
  ASSERT_TRUE(restored.restore_state(core_->save_state()).ok());
  const auto dup = restored.restore_open_orders({ra, rb});
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.error().error, CoreError::kDuplicatePriority);
  Core restored2(config_, ledger_);
  ASSERT_TRUE(restored2.restore_state(core_->save_state()).ok());
  OpenOrderRecord early = record(a);
  early.priority_seq = Seq(early.entry_seq.value() - 1);  // a place before its entry
  EXPECT_EQ(restored2.restore_open_order(early).error(), CoreError::kBadRecord);
  OpenOrderRecord future = record(a);
  future.priority_seq = Seq(seq_ + 1);  // a place from a command not applied yet
  EXPECT_EQ(restored2.restore_open_order(future).error(), CoreError::kBadRecord);
}

}  // namespace
}  // namespace carbonx::testing
