// libFuzzer target for the core state codec (core_records.hpp): the open-order record, the core
// state record (counters, then instrument-state records) and the exchange state blob (the core
// state and the off-book section, offbook.hpp). Arbitrary bytes go to every decoder; each either
// refuses with its error or decodes, and what it decodes is canonical: encoding it again gives
// the same bytes (a version 1 or 2 open order: it decodes again to the same order). So a decoder
// reads nothing outside its input and accepts no field it would not write. Seeds: records made
// by the encoders (fuzz_seeds.hpp).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <vector>

#include "carbonx/engine/core_records.hpp"
#include "fuzz_seeds.hpp"

namespace {

using namespace carbonx;

void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "core_state_fuzz: %s\n", what);
    std::abort();
  }
}

OpenOrderRecord sample_order() {
  OpenOrderRecord r;
  r.order_id = OrderId(42);
  r.instrument = InstrumentId(1);
  r.account = AccountId(100001);
  r.member = MemberId(1);
  r.side = Side::kSell;
  r.price_fen = PriceFen(5'000);
  r.leaves_t = QuantityT(70);
  r.cum_t = QuantityT(30);
  r.cum_notional_fen = AmountFen(150'000);
  r.hold_amount = 70;
  r.client_order_id = make_client_order_id("CL-1");
  r.entry_seq = Seq(7);
  r.entry_ts = TimestampNs(1'700'000'000'000'000'000);
  r.priority_seq = Seq(9);
  return r;
}

CoreStateRecord sample_core() {
  CoreStateRecord c;
  c.next_order_id = 43;
  c.next_trade_id = 12;
  c.next_transfer_n = 99;
  c.days_closed = 2;
  c.last_seq = Seq(1'000);
  for (std::uint32_t i = 1; i <= 2; ++i) {
    InstrumentStateRecord s;
    s.instrument = InstrumentId(i);
    s.phase = i == 1 ? Phase::kContinuous : Phase::kHalted;
    s.reference_fen = PriceFen(5'000);
    s.stats.trade_count = 3;
    s.stats.open_fen = PriceFen(4'990);
    s.stats.high_fen = PriceFen(5'010);
    s.stats.low_fen = PriceFen(4'980);
    s.stats.last_fen = PriceFen(5'000);
    s.stats.volume_t = QuantityT(60);
    s.stats.turnover_fen = AmountFen(300'000);
    c.instruments.push_back(s);
  }
  return c;
}

OffBookStateRecord sample_offbook() {
  OffBookStateRecord o;
  o.next_id = 5;
  AgreementRecord a;
  a.id = OffBookId(1);
  a.instrument = InstrumentId(1);
  a.reporter = AccountId(100001);
  a.counterparty = AccountId(100002);
  a.price_fen = PriceFen(5'000);
  a.quantity_t = QuantityT(10);
  a.hold_amount = 10;
  o.agreements.push_back(a);
  AuctionRecord au;
  au.id = OffBookId(2);
  au.terms.seller = AccountId(1);
  au.terms.instrument = InstrumentId(1);
  au.terms.quantity_t = QuantityT(1'000);
  au.hold_amount = 1'000;
  BidRecord b;
  b.id = OffBookId(3);
  b.account = AccountId(100002);
  b.price_fen = PriceFen(5'100);
  b.quantity_t = QuantityT(100);
  b.hold_amount = 510'000;
  au.bids.push_back(b);
  o.auctions.push_back(au);
  RepoRecord r;
  r.id = OffBookId(4);
  r.status = RepoStatus::kOpen;
  r.instrument = InstrumentId(1);
  r.quantity_t = QuantityT(50);
  r.filed_date = Date{20260105};
  r.end_date = Date{20260305};
  r.repo_consent = true;
  o.repos.push_back(r);
  return o;
}

void decode_open_order_bytes(std::span<const std::uint8_t> bytes) {
  const auto r = decode_open_order(bytes);
  if (!r.ok()) return;
  const StoredOpenOrder& d = r.value();
  const std::vector<std::uint8_t> again = encode_open_order(d.order, d.orig_client_order_id);
  if (bytes.size() == kOpenOrderBytes) {
    check(std::equal(again.begin(), again.end(), bytes.begin(), bytes.end()),
          "an open order decodes to something that encodes differently");
  } else {
    const auto re = decode_open_order(again);
    check(re.ok() && re.value() == d, "an old open order does not survive re-encoding");
  }
}

void decode_state_bytes(std::span<const std::uint8_t> bytes) {
  if (const auto c = decode_core_state(bytes); c.ok()) {
    const std::vector<std::uint8_t> again = encode_core_state(c.value());
    check(std::equal(again.begin(), again.end(), bytes.begin(), bytes.end()),
          "a core state decodes to something that encodes differently");
  }
  if (const auto o = decode_offbook_state(bytes); o.ok()) {
    const std::vector<std::uint8_t> again = encode_offbook_state(o.value());
    check(std::equal(again.begin(), again.end(), bytes.begin(), bytes.end()),
          "an off-book state decodes to something that encodes differently");
  }
  if (const auto e = decode_exchange_state(bytes); e.ok()) {
    const std::vector<std::uint8_t> again =
        encode_exchange_state(e.value().core, e.value().offbook);
    // A blob without the off-book section encodes with an empty one.
    const auto redone = decode_exchange_state(again);
    check(redone.ok() && redone.value().core == e.value().core &&
              redone.value().offbook == e.value().offbook,
          "an exchange state does not survive re-encoding");
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  const OpenOrderRecord order = sample_order();
  fuzz::write_seed("open_order", encode_open_order(order, make_client_order_id("CL-0")));
  std::vector<std::uint8_t> v2 = encode_open_order(order);  // as version 2 wrote it
  v2.resize(kOpenOrderBytesV2);
  v2[4] = 2;
  fuzz::write_seed("open_order_v2", v2);
  fuzz::write_seed("core_state", encode_core_state(sample_core()));
  fuzz::write_seed("offbook_state", encode_offbook_state(sample_offbook()));
  fuzz::write_seed("exchange_state", encode_exchange_state(sample_core(), sample_offbook()));
  fuzz::write_seed("exchange_state_empty", encode_exchange_state(CoreStateRecord{}, {}));
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> bytes(data, size);
  decode_open_order_bytes(bytes);
  decode_state_bytes(bytes);
  return 0;
}
