#include "carbonx/gateway/core_records.hpp"

#include <cstring>

namespace carbonx::gateway {
namespace {

class Writer {
 public:
  explicit Writer(std::vector<std::uint8_t>* out) : out_(out) {}
  template <typename T>
  void put(T v) {
    static_assert(std::is_integral_v<T>);
    for (std::size_t i = 0; i < sizeof(T); ++i) {
      out_->push_back(static_cast<std::uint8_t>(static_cast<std::uint64_t>(v) >> (8 * i)));
    }
  }
  void bytes(const char* p, std::size_t n) { out_->insert(out_->end(), p, p + n); }

 private:
  std::vector<std::uint8_t>* out_;
};

class Reader {
 public:
  explicit Reader(std::span<const std::uint8_t> in) : in_(in) {}
  template <typename T>
  T get() {
    static_assert(std::is_integral_v<T>);
    std::uint64_t v = 0;
    if (pos_ + sizeof(T) > in_.size()) {
      ok_ = false;
      return T{};
    }
    for (std::size_t i = 0; i < sizeof(T); ++i)
      v |= std::uint64_t{in_[pos_ + i]} << (8 * i);
    pos_ += sizeof(T);
    return static_cast<T>(v);
  }
  void bytes(char* p, std::size_t n) {
    if (pos_ + n > in_.size()) {
      ok_ = false;
      return;
    }
    std::memcpy(p, in_.data() + pos_, n);
    pos_ += n;
  }
  bool ok() const { return ok_; }
  bool at_end() const { return pos_ == in_.size(); }
  std::span<const std::uint8_t> rest() const { return in_.subspan(pos_); }

 private:
  std::span<const std::uint8_t> in_;
  std::size_t pos_ = 0;
  bool ok_ = true;
};

bool valid_side(std::uint8_t s) {
  return s == 1 || s == 2;
}
bool valid_phase(std::uint8_t p) {
  return p >= 1 && p <= 3;
}

}  // namespace

std::string_view to_string(RecordError e) noexcept {
  switch (e) {
    case RecordError::kWrongSize:
      return "record has the wrong size";
    case RecordError::kWrongMagic:
      return "record magic is not carbonx's";
    case RecordError::kWrongVersion:
      return "record schema version is unknown";
    case RecordError::kBadField:
      return "record field out of range";
  }
  return "unknown record error";
}

std::vector<std::uint8_t> encode_open_order(const OpenOrderRecord& r,
                                            const ClientOrderId& orig_client_order_id) {
  std::vector<std::uint8_t> out;
  out.reserve(kOpenOrderBytes);
  Writer w(&out);
  w.put(kOpenOrderMagic);
  w.put(kOpenOrderVersion);
  w.put(r.order_id.value());
  w.put(r.instrument.value());
  w.put(r.account.value());
  w.put(r.member.value());
  w.put(static_cast<std::uint8_t>(r.side));
  w.put(r.price_fen.value());
  w.put(r.leaves_t.value());
  w.put(r.cum_t.value());
  w.put(r.cum_notional_fen.value());
  w.put(r.hold_amount);
  w.put(r.hold_generation);
  w.bytes(r.client_order_id.data(), r.client_order_id.size());
  w.put(r.entry_seq.value());
  w.put(r.entry_ts.value());
  w.put(r.priority_seq.value());
  w.bytes(orig_client_order_id.data(), orig_client_order_id.size());
  CX_ASSERT(out.size() == kOpenOrderBytes);
  return out;
}

Result<StoredOpenOrder, RecordError> decode_open_order(std::span<const std::uint8_t> bytes) {
  if (bytes.size() < 6) return Err{RecordError::kWrongSize};
  Reader rd(bytes);
  if (rd.get<std::uint32_t>() != kOpenOrderMagic) return Err{RecordError::kWrongMagic};
  const auto version = rd.get<std::uint16_t>();
  if (version < 1 || version > kOpenOrderVersion) return Err{RecordError::kWrongVersion};
  constexpr std::size_t kSizes[] = {0, kOpenOrderBytesV1, kOpenOrderBytesV2, kOpenOrderBytes};
  if (bytes.size() != kSizes[version]) return Err{RecordError::kWrongSize};
  StoredOpenOrder stored;
  OpenOrderRecord& r = stored.order;
  r.order_id = OrderId(rd.get<std::uint64_t>());
  r.instrument = InstrumentId(rd.get<std::uint32_t>());
  r.account = AccountId(rd.get<std::uint32_t>());
  r.member = MemberId(rd.get<std::uint32_t>());
  const auto side = rd.get<std::uint8_t>();
  if (!valid_side(side)) return Err{RecordError::kBadField};
  r.side = static_cast<Side>(side);
  r.price_fen = PriceFen(rd.get<std::int64_t>());
  r.leaves_t = QuantityT(rd.get<std::int64_t>());
  r.cum_t = QuantityT(rd.get<std::int64_t>());
  r.cum_notional_fen = AmountFen(rd.get<std::int64_t>());
  r.hold_amount = rd.get<std::int64_t>();
  r.hold_generation = rd.get<std::uint16_t>();
  rd.bytes(r.client_order_id.data(), r.client_order_id.size());
  r.entry_seq = Seq(rd.get<std::uint64_t>());
  r.entry_ts = TimestampNs(rd.get<std::int64_t>());
  r.priority_seq = version == 1 ? r.entry_seq : Seq(rd.get<std::uint64_t>());
  if (version >= 3) {
    rd.bytes(stored.orig_client_order_id.data(), stored.orig_client_order_id.size());
  }
  CX_ASSERT(rd.ok() && rd.at_end());
  if (r.order_id.value() == 0 || r.leaves_t.value() <= 0 || r.priority_seq < r.entry_seq) {
    return Err{RecordError::kBadField};
  }
  return stored;
}

std::vector<std::uint8_t> encode_core_state(const CoreStateRecord& r) {
  CX_ASSERT(r.instruments.size() <= kMaxInstrumentRecords);
  std::vector<std::uint8_t> out;
  Writer w(&out);
  w.put(kCoreStateMagic);
  w.put(kRecordVersion);
  w.put(r.next_order_id);
  w.put(r.next_trade_id);
  w.put(r.next_transfer_n);
  w.put(r.days_closed);
  w.put(r.last_seq.value());
  w.put(static_cast<std::uint32_t>(r.instruments.size()));
  for (const InstrumentStateRecord& i : r.instruments) {
    w.put(i.instrument.value());
    w.put(static_cast<std::uint8_t>(i.phase));
    w.put(i.reference_fen.value());
    w.put(i.stats.trade_count);
    w.put(i.stats.open_fen.value());
    w.put(i.stats.high_fen.value());
    w.put(i.stats.low_fen.value());
    w.put(i.stats.last_fen.value());
    w.put(i.stats.volume_t.value());
    w.put(i.stats.turnover_fen.value());
  }
  return out;
}

namespace {

Result<CoreStateRecord, RecordError> read_core_state(Reader& rd) {
  if (rd.get<std::uint32_t>() != kCoreStateMagic) return Err{RecordError::kWrongMagic};
  if (rd.get<std::uint16_t>() != kRecordVersion) return Err{RecordError::kWrongVersion};
  CoreStateRecord r;
  r.next_order_id = rd.get<std::uint64_t>();
  r.next_trade_id = rd.get<std::uint64_t>();
  r.next_transfer_n = rd.get<std::uint64_t>();
  r.days_closed = rd.get<std::uint64_t>();
  r.last_seq = Seq(rd.get<std::uint64_t>());
  const auto count = rd.get<std::uint32_t>();
  if (!rd.ok()) return Err{RecordError::kWrongSize};
  if (count > kMaxInstrumentRecords) return Err{RecordError::kBadField};
  for (std::uint32_t n = 0; n < count; ++n) {
    InstrumentStateRecord i;
    i.instrument = InstrumentId(rd.get<std::uint32_t>());
    const auto phase = rd.get<std::uint8_t>();
    if (!valid_phase(phase)) return Err{RecordError::kBadField};
    i.phase = static_cast<Phase>(phase);
    i.reference_fen = PriceFen(rd.get<std::int64_t>());
    i.stats.trade_count = rd.get<std::uint32_t>();
    i.stats.open_fen = PriceFen(rd.get<std::int64_t>());
    i.stats.high_fen = PriceFen(rd.get<std::int64_t>());
    i.stats.low_fen = PriceFen(rd.get<std::int64_t>());
    i.stats.last_fen = PriceFen(rd.get<std::int64_t>());
    i.stats.volume_t = QuantityT(rd.get<std::int64_t>());
    i.stats.turnover_fen = AmountFen(rd.get<std::int64_t>());
    r.instruments.push_back(i);
  }
  if (!rd.ok()) return Err{RecordError::kWrongSize};
  return r;
}

}  // namespace

Result<CoreStateRecord, RecordError> decode_core_state(std::span<const std::uint8_t> bytes) {
  Reader rd(bytes);
  auto r = read_core_state(rd);
  if (!r.ok()) return r;
  if (!rd.at_end()) return Err{RecordError::kWrongSize};
  return r;
}

std::vector<std::uint8_t> encode_exchange_state(const CoreStateRecord& core,
                                                const OffBookStateRecord& offbook) {
  std::vector<std::uint8_t> out = encode_core_state(core);
  const std::vector<std::uint8_t> section = encode_offbook_state(offbook);
  CX_ASSERT(section.size() <= kMaxOffBookSectionBytes);
  Writer w(&out);
  w.put(kOffBookSectionMagic);
  w.put(static_cast<std::uint32_t>(section.size()));
  out.insert(out.end(), section.begin(), section.end());
  return out;
}

Result<ExchangeStateRecord, RecordError> decode_exchange_state(
    std::span<const std::uint8_t> bytes) {
  Reader rd(bytes);
  auto core = read_core_state(rd);
  if (!core.ok()) return Err{core.error()};
  ExchangeStateRecord r;
  r.core = std::move(core).value();
  if (rd.at_end()) return r;  // written before off-book trading: no section, empty state
  if (rd.get<std::uint32_t>() != kOffBookSectionMagic) return Err{RecordError::kWrongMagic};
  const auto size = rd.get<std::uint32_t>();
  if (!rd.ok()) return Err{RecordError::kWrongSize};
  if (size > kMaxOffBookSectionBytes || rd.rest().size() != size) {
    return Err{RecordError::kWrongSize};
  }
  auto offbook = decode_offbook_state(rd.rest());
  if (!offbook.ok()) return Err{RecordError::kBadField};
  r.offbook = std::move(offbook).value();
  return r;
}

}  // namespace carbonx::gateway
