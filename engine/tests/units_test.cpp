#include "carbonx/engine/units.hpp"

#include <gtest/gtest.h>

#include "carbonx/engine/ledger.hpp"
#include "carbonx/engine/result.hpp"

namespace carbonx {
namespace {

TEST(Units, ComparisonsAreTotalAndCorrect) {
  const QuantityT a(5), b(7);
  EXPECT_TRUE(a < b);
  EXPECT_TRUE(a <= b);
  EXPECT_TRUE(a <= a);
  EXPECT_FALSE(b <= a);
  EXPECT_TRUE(b > a);
  EXPECT_TRUE(b >= a);
  EXPECT_FALSE(a >= b);
  EXPECT_TRUE(a == QuantityT(5));
  EXPECT_TRUE(a != b);
  EXPECT_TRUE(PriceFen(100) < PriceFen(101));
  EXPECT_FALSE(PriceFen(101) <= PriceFen(100));
}

TEST(Units, ArithmeticKeepsTheUnit) {
  QuantityT q(10);
  q += QuantityT(5);
  EXPECT_EQ(q.value(), 15);
  q -= QuantityT(20);
  EXPECT_EQ(q.value(), -5);
  EXPECT_EQ((-q).value(), 5);
  EXPECT_EQ((AmountFen(3) + AmountFen(4)).value(), 7);
}

TEST(Units, NotionalIsPriceTimesTonnes) {
  EXPECT_EQ(notional(PriceFen(1601), QuantityT(1000)).value(), 1'601'000);
  EXPECT_DEATH((void)notional(PriceFen(INT64_MAX / 2), QuantityT(3)), "assertion failed");
}

TEST(Ledger, HoldIdsCarryTheirKind) {
  const HoldId h = make_hold_id(HoldKind::kRepoLock, 42);
  EXPECT_EQ(hold_kind(h), HoldKind::kRepoLock);
  EXPECT_NE(make_hold_id(HoldKind::kOrder, 42), h);
  EXPECT_FALSE(is_client_transfer_id(core_transfer_id(7)));
  EXPECT_TRUE(is_client_transfer_id(TransferId(7)));
}

enum class TestError { kBad = 1 };

TEST(Result, CarriesValueOrError) {
  Result<int, TestError> ok = 3;
  Result<int, TestError> bad = Err{TestError::kBad};
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok.value(), 3);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error(), TestError::kBad);
  Status<TestError> fine;
  EXPECT_TRUE(fine.ok());
  EXPECT_DEATH((void)bad.value(), "assertion failed");
}

}  // namespace
}  // namespace carbonx
