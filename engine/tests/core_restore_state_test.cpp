// Core::restore_state refuses a stored state no running core can have, changing nothing, where
// the commands after it would overflow or abort (findings of core_restore_fuzz, engine/fuzz/): a
// reference price over the restore limit, day statistics out of range, a next order id at 0 or at
// the order id limit. carbonxd refuses to start on such a store ("core state refused").
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "carbonx/engine/core_records.hpp"
#include "core_fixture.hpp"

namespace carbonx::testing {
namespace {

std::vector<std::uint8_t> from_hex(const std::string& hex) {
  std::vector<std::uint8_t> out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
    out.push_back(static_cast<std::uint8_t>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  return out;
}

class CoreRestoreStateTest : public CoreTest {
 protected:
  // A fresh core of the fixture's configuration; restore_state(s) must be refused with
  // kBadRecord and leave it as it was.
  void expect_refused(const CoreStateRecord& s) {
    Core fresh(config_, ledger_);
    const std::uint64_t before = fresh.state_hash();
    const auto st = fresh.restore_state(s);
    ASSERT_FALSE(st.ok());
    EXPECT_EQ(st.error(), CoreError::kBadRecord);
    EXPECT_EQ(fresh.state_hash(), before);
  }
  void expect_restored(const CoreStateRecord& s) {
    Core fresh(config_, ledger_);
    ASSERT_TRUE(fresh.restore_state(s).ok());
    EXPECT_EQ(fresh.save_state(), s);
  }
  CoreStateRecord valid() const {
    CoreStateRecord s = core_->save_state();
    s.next_order_id = 10;
    return s;
  }
};

// The core state record of core_restore_fuzz's first finding: instrument 1 at reference price
// 19,703,248,369,748,020 fen; band_around overflowed (reference x 9000, signed) under UBSan.
TEST_F(CoreRestoreStateTest, TheFuzzFindingsReferencePriceIsRefused) {
  const auto bytes = from_hex(
      "4358435301002b000000000000000c000000000000006300000000000000"
      "0200000000000000e8030000000000000200000001000000023408000000"
      "0046000000000000000000000000003e0800000000000020080000000000"
      "0034080000000000003c0000000000000030ec0100000000000200000003"
      "de03000000000000030000002a080000000000003e080000000000002008"
      "00000000000034080000000000003c0000000000000030ec010000000000");
  const auto state = decode_core_state(bytes);
  ASSERT_TRUE(state.ok());
  ASSERT_EQ(state.value().instruments.size(), 2u);
  EXPECT_EQ(state.value().instruments[0].reference_fen.value(), 19'703'248'369'748'020);
  expect_refused(state.value());
}

TEST_F(CoreRestoreStateTest, AReferencePriceOverTheRestoreLimitIsRefused) {
  CoreStateRecord s = valid();
  s.instruments[0].reference_fen = PriceFen(1'000'000'000);  // the limit: taken
  expect_restored(s);
  s.instruments[0].reference_fen = PriceFen(1'000'000'001);
  expect_refused(s);
}

// The core state record of core_restore_fuzz's second finding: instrument 1's day of 93 t traded
// between 20.80 and 21.10 CNY with a turnover of 155,374,187,144,408,112 fen (a VWAP of 1.7e15
// fen): the end of day made that the reference price and band_around overflowed.
TEST_F(CoreRestoreStateTest, TheFuzzFindingsTurnoverOutOfLineIsRefused) {
  const auto bytes = from_hex(
      "4358435301002b000000000000000c000000000000006300000000000000"
      "0200000000000000e8030000000000000200000001000000023408000000"
      "000000030000002a080000000000003e0800000000000020080000000000"
      "0034080000000000005d0000000000000030ec0100000000280200000003"
      "de03000000000000030000002a080000000000003e080000000000002008"
      "00000000000034080000000000003c0000000000000030ec010000000000");
  const auto state = decode_core_state(bytes);
  ASSERT_TRUE(state.ok());
  ASSERT_EQ(state.value().instruments.size(), 2u);
  EXPECT_EQ(state.value().instruments[0].stats.volume_t.value(), 93);
  expect_refused(state.value());
}

TEST_F(CoreRestoreStateTest, DayStatisticsOutOfRangeAreRefused) {
  const auto day = [&](std::int64_t volume, std::int64_t turnover) {
    CoreStateRecord s = valid();
    DayStats& d = s.instruments[0].stats;
    d.trade_count = 2;
    d.open_fen = d.low_fen = PriceFen(1'990);
    d.high_fen = d.last_fen = PriceFen(2'010);
    d.volume_t = QuantityT(volume);
    d.turnover_fen = AmountFen(turnover);
    return s;
  };
  expect_restored(day(100, 200'000));  // a VWAP of 2,000 inside [1,990, 2,010]
  expect_restored(day(100, 199'000));  // at the low
  expect_refused(day(100, 198'999));   // under the low
  expect_refused(day(100, 201'001));   // over the high
  expect_refused(day(0, 1));           // turnover without volume
  expect_refused(day(-10, 0));
  const std::int64_t over = (std::int64_t{1} << 62) + 1;
  expect_refused(day(over / 2'000, over));  // a sum past 2^62
  CoreStateRecord s = day(100, 200'000);
  s.instruments[0].stats.high_fen = PriceFen(-5);
  expect_refused(s);
  s = day(100, 200'000);
  s.instruments[0].stats.last_fen = PriceFen(2'000'000'001);  // over twice the restore limit
  expect_refused(s);
}

TEST_F(CoreRestoreStateTest, ANextOrderIdAtZeroOrAtTheIdLimitIsRefused) {
  CoreStateRecord s = valid();
  s.next_order_id = 0;
  expect_refused(s);
  s.next_order_id = std::uint64_t{1} << 40;  // the first order would abort the core
  expect_refused(s);
  s.next_order_id = (std::uint64_t{1} << 40) - 1;
  expect_restored(s);
}

// core_restore_fuzz's third finding: a next transfer number near 2^63 aborted the core at the
// first fill (core_transfer_id: the number must stay under the core transfer bit).
TEST_F(CoreRestoreStateTest, ATradeOrTransferCounterNearTheTopIsRefused) {
  CoreStateRecord s = valid();
  s.next_transfer_n = std::uint64_t{1} << 62;
  expect_refused(s);
  s.next_transfer_n = 0xfffffff600000000;
  expect_refused(s);
  s = valid();
  s.next_trade_id = std::uint64_t{1} << 62;
  expect_refused(s);
  s.next_trade_id = (std::uint64_t{1} << 62) - 1;
  s.next_transfer_n = (std::uint64_t{1} << 62) - 1;
  expect_restored(s);
}

// An open-order record no running core could have is refused; the core keeps each order's hold
// equal to what it may still owe. core_restore_fuzz's finding: a buy whose hold was short of its
// leaves' notional and fee was restored; its first fill made the ledger refuse the transfer and
// the core stop on an assertion (carbonxd now refuses to start: "open order N refused").
TEST_F(CoreRestoreStateTest, AnOpenOrderWhoseHoldOrFieldsNoCoreCouldHaveIsRefused) {
  open_all();
  place(order(kBob, kGdea, Side::kSell, 2010, 30));
  place(order(kAlice, kGdea, Side::kBuy, 2000, 50));
  OpenOrderRecord buy;
  OpenOrderRecord sell;
  core_->for_each_open_order(
      [&](const OpenOrderRecord& r) { (r.side == Side::kBuy ? buy : sell) = r; });
  ASSERT_EQ(sell.hold_amount, 30);
  ASSERT_GT(buy.hold_amount, 2000 * 50);  // the notional and the largest fee
  const CoreStateRecord state = core_->save_state();
  const auto restore = [&](const OpenOrderRecord& r) -> std::optional<CoreError> {
    Core fresh(config_, ledger_);  // restoring does not touch the ledger
    EXPECT_TRUE(fresh.restore_state(state).ok());
    const auto st = fresh.restore_open_order(r);
    if (st.ok()) return std::nullopt;
    return st.error();
  };
  EXPECT_EQ(restore(buy), std::nullopt);
  EXPECT_EQ(restore(sell), std::nullopt);
  OpenOrderRecord r = buy;
  r.hold_amount -= 1;  // one fen short of what it owes
  EXPECT_EQ(restore(r), CoreError::kHoldMismatch);
  r.hold_amount += 101;  // more: taken (a fee schedule lowered since), trimmed at its next fill
  EXPECT_EQ(restore(r), std::nullopt);
  for (const std::int64_t hold : {29, 31}) {
    r = sell;
    r.hold_amount = hold;  // a sell's hold is its leaves, exactly
    EXPECT_EQ(restore(r), CoreError::kHoldMismatch) << hold;
  }
  r = sell;
  r.leaves_t = QuantityT(100'010);  // above max_order_t
  r.hold_amount = 100'010;
  EXPECT_EQ(restore(r), CoreError::kBadRecord);
  r = buy;
  r.price_fen = PriceFen(2201);  // above the band (18.00 .. 22.00)
  EXPECT_EQ(restore(r), CoreError::kBadRecord);
  r = buy;
  r.cum_notional_fen = AmountFen(-1);
  EXPECT_EQ(restore(r), CoreError::kBadRecord);
  r = buy;
  r.cum_t = QuantityT(-10);
  EXPECT_EQ(restore(r), CoreError::kBadRecord);
}

}  // namespace
}  // namespace carbonx::testing
