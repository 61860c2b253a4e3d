#include "carbonx/engine/core_records.hpp"

#include <cstring>

namespace carbonx {
namespace {

// The codec's visitors over the field lists of core_records.hpp: each field at its own width
// (an enum as one byte, a Strong value as its representation).
template <typename T>
constexpr std::size_t width_of() {
  if constexpr (std::is_enum_v<T>) {
    static_assert(sizeof(T) == 1);
    return 1;
  } else if constexpr (requires { typename T::rep; }) {
    return sizeof(typename T::rep);
  } else {
    static_assert(std::is_integral_v<T>);
    return sizeof(T);
  }
}

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
  template <typename T>
  void operator()(const T& x) {
    std::uint64_t v = 0;
    if constexpr (std::is_enum_v<T>) {
      v = static_cast<std::uint8_t>(x);
    } else if constexpr (requires { typename T::rep; }) {
      v = static_cast<std::uint64_t>(x.value());
    } else {
      v = static_cast<std::uint64_t>(x);
    }
    for (std::size_t i = 0; i < width_of<T>(); ++i)
      out_->push_back(static_cast<std::uint8_t>(v >> (8 * i)));
  }
  void bytes(const ClientOrderId& id) { out_->insert(out_->end(), id.begin(), id.end()); }

 private:
  std::vector<std::uint8_t>* out_;
};

class Reader {
 public:
  explicit Reader(std::span<const std::uint8_t> in) : in_(in) {}
  template <typename T>
  T get() {
    static_assert(std::is_integral_v<T>);
    return static_cast<T>(get_width(sizeof(T)));
  }
  std::uint64_t get_width(std::size_t width) {
    if (pos_ + width > in_.size()) {
      ok_ = false;
      return 0;
    }
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < width; ++i)
      v |= std::uint64_t{in_[pos_ + i]} << (8 * i);
    pos_ += width;
    return v;
  }
  template <typename T>
  void operator()(T& x) {
    const std::uint64_t v = get_width(width_of<T>());
    if constexpr (std::is_enum_v<T>) {
      x = static_cast<T>(static_cast<std::uint8_t>(v));
    } else if constexpr (requires { typename T::rep; }) {
      x = T(static_cast<typename T::rep>(v));
    } else {
      x = static_cast<T>(v);
    }
  }
  void bytes(ClientOrderId& id) { bytes(id.data(), id.size()); }
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
  open_order_fields(w, r);
  w.bytes(orig_client_order_id);
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
  open_order_fields(rd, r, version);
  if (!valid_side(static_cast<std::uint8_t>(r.side))) return Err{RecordError::kBadField};
  if (version == 1) r.priority_seq = r.entry_seq;
  if (version >= 3) rd.bytes(stored.orig_client_order_id);
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
  CX_ASSERT(r.resale_locks.size() <= kMaxResaleLockRecords);
  const bool locks = r.next_lock_n != 1 || !r.resale_locks.empty();
  w.put(kCoreStateMagic);
  w.put(static_cast<std::uint16_t>(locks ? 2 : 1));
  core_counter_fields(w, r);
  w.put(static_cast<std::uint32_t>(r.instruments.size()));
  for (const InstrumentStateRecord& i : r.instruments) {
    instrument_state_fields(w, i);
  }
  if (locks) {
    w.put(r.next_lock_n);
    w.put(static_cast<std::uint32_t>(r.resale_locks.size()));
    for (const ResaleLockRecord& l : r.resale_locks)
      resale_lock_fields(w, l);
  }
  return out;
}

namespace {

Result<CoreStateRecord, RecordError> read_core_state(Reader& rd) {
  if (rd.get<std::uint32_t>() != kCoreStateMagic) return Err{RecordError::kWrongMagic};
  const auto version = rd.get<std::uint16_t>();
  if (version < 1 || version > kRecordVersion) return Err{RecordError::kWrongVersion};
  CoreStateRecord r;
  core_counter_fields(rd, r);
  const auto count = rd.get<std::uint32_t>();
  if (!rd.ok()) return Err{RecordError::kWrongSize};
  if (count > kMaxInstrumentRecords) return Err{RecordError::kBadField};
  for (std::uint32_t n = 0; n < count; ++n) {
    InstrumentStateRecord i;
    instrument_state_fields(rd, i);
    if (!valid_phase(static_cast<std::uint8_t>(i.phase))) return Err{RecordError::kBadField};
    r.instruments.push_back(i);
  }
  if (version >= 2) {
    r.next_lock_n = rd.get<std::uint64_t>();
    const auto locks = rd.get<std::uint32_t>();
    if (!rd.ok()) return Err{RecordError::kWrongSize};
    if (locks > kMaxResaleLockRecords || locks > rd.rest().size() / 24) {
      return Err{RecordError::kWrongSize};
    }
    // Version 2 is written only with locks or a moved counter: anything else is not a record
    // the encoder makes (it would come back as version 1).
    if (locks == 0 && r.next_lock_n == 1) return Err{RecordError::kBadField};
    for (std::uint32_t n = 0; n < locks; ++n) {
      ResaleLockRecord l;
      resale_lock_fields(rd, l);
      r.resale_locks.push_back(l);
    }
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

}  // namespace carbonx
