// The core's records (core_records.hpp): one field list walked by the codec and by the state hash.
#include "carbonx/engine/core_records.hpp"

#include <gtest/gtest.h>

namespace carbonx {
namespace {

std::uint64_t fnv(std::span<const std::uint8_t> bytes) {
  std::uint64_t h = 0xCBF2'9CE4'8422'2325ULL;
  for (std::uint8_t b : bytes) {
    h ^= b;
    h *= 0x0000'0100'0000'01B3ULL;
  }
  return h;
}

OpenOrderRecord order() {
  OpenOrderRecord r;
  r.order_id = OrderId(0x0102'0304'0506);
  r.instrument = InstrumentId(7);
  r.account = AccountId(0x1234'5678);
  r.member = MemberId(9);
  r.side = Side::kSell;
  r.price_fen = PriceFen(1'431);
  r.leaves_t = QuantityT(250);
  r.cum_t = QuantityT(50);
  r.cum_notional_fen = AmountFen(71'550);
  r.hold_amount = 250;
  r.hold_generation = 3;
  r.client_order_id = {'A', 'B', 'C'};
  r.entry_seq = Seq(40);
  r.entry_ts = TimestampNs(1'700'000'000'123'456'789);
  r.priority_seq = Seq(41);
  return r;
}

// What is hashed is exactly what is stored, field for field and byte for byte (after the magic
// and the version).
TEST(CoreRecords, TheHashWalksTheStoredBytesOfAnOpenOrder) {
  const OpenOrderRecord r = order();
  const std::vector<std::uint8_t> bytes = encode_open_order(r);
  ASSERT_EQ(bytes.size(), kOpenOrderBytes);
  FieldHasher h;
  open_order_fields(h, r);
  // The OrigClOrdID after them (version 3) is the gateway's, not core state: not hashed.
  EXPECT_EQ(h.value(), fnv(std::span(bytes).subspan(6, kOpenOrderBytesV2 - 6)));
}

TEST(CoreRecords, TheHashWalksTheStoredBytesOfTheCoreState) {
  CoreStateRecord s{11, 12, 13, 2, Seq(99), {}, {}, 1};
  s.instruments.push_back(
      InstrumentStateRecord{InstrumentId(1), Phase::kHalted, PriceFen(1'500),
                            DayStats{3, PriceFen(1'490), PriceFen(1'510), PriceFen(1'480),
                                     PriceFen(1'500), QuantityT(30), AmountFen(44'900)}});
  const std::vector<std::uint8_t> bytes = encode_core_state(s);
  FieldHasher h;
  core_counter_fields(h, s);
  const std::size_t counters_end = 6 + 5 * 8;
  EXPECT_EQ(h.value(), fnv(std::span(bytes).subspan(6, counters_end - 6)));
  FieldHasher i;
  instrument_state_fields(i, s.instruments[0]);
  EXPECT_EQ(i.value(), fnv(std::span(bytes).subspan(counters_end + 4)));  // after the count
}

TEST(CoreRecords, EveryFieldOfAnOpenOrderRoundTripsAndChangesTheHash) {
  const OpenOrderRecord r = order();
  const ClientOrderId orig{'P', 'R', 'E', 'V'};
  auto decoded = decode_open_order(encode_open_order(r, orig));
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded.value().order, r);
  EXPECT_EQ(decoded.value().orig_client_order_id, orig);
  FieldHasher base;
  open_order_fields(base, r);
  const auto hash = [](const OpenOrderRecord& x) {
    FieldHasher f;
    open_order_fields(f, x);
    return f.value();
  };
  std::vector<OpenOrderRecord> changed(15, r);
  changed[0].order_id = OrderId(5);
  changed[1].instrument = InstrumentId(8);
  changed[2].account = AccountId(1);
  changed[3].member = MemberId(1);
  changed[4].side = Side::kBuy;
  changed[5].price_fen = PriceFen(1'432);
  changed[6].leaves_t = QuantityT(249);
  changed[7].cum_t = QuantityT(51);
  changed[8].cum_notional_fen = AmountFen(1);
  changed[9].hold_amount = 1;
  changed[10].hold_generation = 0;
  changed[11].client_order_id[15] = 'Z';
  changed[12].entry_seq = Seq(39);
  changed[13].entry_ts = TimestampNs(1);
  changed[14].priority_seq = Seq(42);
  for (std::size_t i = 0; i < changed.size(); ++i) {
    EXPECT_NE(hash(changed[i]), base.value()) << "field " << i;
    auto d = decode_open_order(encode_open_order(changed[i]));
    ASSERT_TRUE(d.ok()) << "field " << i;
    EXPECT_EQ(d.value().order, changed[i]) << "field " << i;
  }
}

TEST(CoreRecords, AVersionOneRecordDecodesWithItsEntryAsItsPlace) {
  OpenOrderRecord r = order();
  std::vector<std::uint8_t> bytes = encode_open_order(r);
  bytes.resize(kOpenOrderBytesV1);
  bytes[4] = 1;  // version 1: the first 101 bytes without priority_seq
  auto d = decode_open_order(bytes);
  ASSERT_TRUE(d.ok());
  r.priority_seq = r.entry_seq;
  EXPECT_EQ(d.value().order, r);
  EXPECT_EQ(d.value().orig_client_order_id, ClientOrderId{});
  bytes[4 + 2 + 8 + 4 + 4 + 4] = 3;  // side 3
  ASSERT_FALSE(decode_open_order(bytes).ok());
  EXPECT_EQ(decode_open_order(bytes).error(), RecordError::kBadField);
}

}  // namespace
}  // namespace carbonx
