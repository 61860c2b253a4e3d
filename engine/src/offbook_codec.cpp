// Off-book state: one canonical field order used both by the state hash and by the persistence
// codec (little-endian fixed-width fields after a "CXOB" magic and the schema version).

#include <cstring>

#include "carbonx/engine/offbook.hpp"

namespace carbonx {

std::string_view to_string(OffBookCodecError e) noexcept {
  switch (e) {
    case OffBookCodecError::kBadMagic:
      return "not an off-book state record";
    case OffBookCodecError::kWrongVersion:
      return "off-book state schema version not supported";
    case OffBookCodecError::kTruncated:
      return "off-book state record truncated";
    case OffBookCodecError::kTrailingBytes:
      return "off-book state record has trailing bytes";
    case OffBookCodecError::kBadField:
      return "off-book state field out of range";
  }
  return "unknown off-book codec error";
}

namespace {

constexpr std::uint8_t kMagic[4] = {'C', 'X', 'O', 'B'};

class ByteSink {
 public:
  void u8(std::uint8_t v) { out.push_back(v); }
  void u64(std::uint64_t v) {
    for (int i = 0; i < 8; ++i)
      u8(static_cast<std::uint8_t>(v >> (8 * i)));
  }
  std::vector<std::uint8_t> out;
};

class HashSink {
 public:
  void u8(std::uint8_t v) {
    h_ ^= v;
    h_ *= 0x0000'0100'0000'01B3ULL;
  }
  void u64(std::uint64_t v) {
    for (int i = 0; i < 8; ++i)
      u8(static_cast<std::uint8_t>(v >> (8 * i)));
  }
  std::uint64_t value() const { return h_; }

 private:
  std::uint64_t h_ = 0xCBF2'9CE4'8422'2325ULL;
};

// Every field as u64 (or u8 for enums, flags and client order id bytes): simple and canonical.
template <typename Sink>
struct Put {
  Sink& s;
  void i(std::int64_t v) { s.u64(static_cast<std::uint64_t>(v)); }
  void clid(const ClientOrderId& id) {
    for (char c : id)
      s.u8(static_cast<std::uint8_t>(c));
  }
  void agreement(const AgreementRecord& a) {
    s.u64(a.id.value());
    s.u64(a.instrument.value());
    s.u64(a.reporter.value());
    s.u64(a.reporter_member.value());
    s.u8(static_cast<std::uint8_t>(a.reporter_side));
    s.u64(a.counterparty.value());
    i(a.price_fen.value());
    i(a.quantity_t.value());
    i(a.hold_amount);
    clid(a.client_order_id);
    s.u64(a.report_seq.value());
  }
  void bid(const BidRecord& b) {
    s.u64(b.id.value());
    s.u64(b.account.value());
    s.u64(b.member.value());
    i(b.price_fen.value());
    i(b.quantity_t.value());
    i(b.hold_amount);
    s.u64(b.hold_generation);
    s.u64(b.priority_seq.value());
    clid(b.client_order_id);
  }
  void auction(const AuctionRecord& a) {
    const AuctionOpen& t = a.terms;
    s.u64(a.id.value());
    s.u64(t.seller.value());
    s.u64(t.instrument.value());
    i(t.quantity_t.value());
    i(t.reserve_fen.value());
    i(t.start_ts.value());
    i(t.end_ts.value());
    i(t.min_bid_t.value());
    s.u64(t.max_share_bp);
    s.u8(static_cast<std::uint8_t>(t.pricing));
    s.u64(t.min_fill_bp);
    i(a.hold_amount);
    s.u64(a.bids.size());
    for (const BidRecord& b : a.bids)
      bid(b);
  }
  void repo(const RepoRecord& r) {
    s.u64(r.id.value());
    s.u8(static_cast<std::uint8_t>(r.status));
    s.u64(r.instrument.value());
    s.u64(r.filer.value());
    s.u64(r.filer_member.value());
    s.u64(r.repo_party.value());
    s.u64(r.reverse_party.value());
    i(r.quantity_t.value());
    i(r.start_price_fen.value());
    i(r.repurchase_price_fen.value());
    i(r.filed_date.yyyymmdd);
    i(r.end_date.yyyymmdd);
    i(r.surrender_deadline.yyyymmdd);
    i(r.hold_amount);
    s.u8(r.repo_consent ? 1 : 0);
    s.u8(r.reverse_consent ? 1 : 0);
    clid(r.client_order_id);
  }
  void state(const OffBookStateRecord& st) {
    s.u64(st.next_id);
    s.u64(st.agreements.size());
    for (const AgreementRecord& a : st.agreements)
      agreement(a);
    s.u64(st.auctions.size());
    for (const AuctionRecord& a : st.auctions)
      auction(a);
    s.u64(st.repos.size());
    for (const RepoRecord& r : st.repos)
      repo(r);
  }
};

class Reader {
 public:
  explicit Reader(std::span<const std::uint8_t> b) : b_(b) {}
  bool ok() const { return ok_; }
  bool at_end() const { return at_ == b_.size(); }
  std::uint8_t u8() {
    if (at_ + 1 > b_.size()) {
      ok_ = false;
      return 0;
    }
    return b_[at_++];
  }
  std::uint64_t u64() {
    if (at_ + 8 > b_.size()) {
      ok_ = false;
      at_ = b_.size();
      return 0;
    }
    std::uint64_t v = 0;
    for (int i = 0; i < 8; ++i)
      v |= std::uint64_t{b_[at_++]} << (8 * i);
    return v;
  }
  std::int64_t i64() { return static_cast<std::int64_t>(u64()); }
  std::uint32_t u32() {
    const std::uint64_t v = u64();
    if (v > 0xFFFF'FFFFULL) bad = true;
    return static_cast<std::uint32_t>(v);
  }
  std::int32_t date() {
    const std::int64_t v = i64();
    if (v < 0 || v > 99'999'999) bad = true;
    return static_cast<std::int32_t>(v);
  }
  template <typename E>
  E e(E lo, E hi) {
    const std::uint8_t v = u8();
    if (v < static_cast<std::uint8_t>(lo) || v > static_cast<std::uint8_t>(hi)) bad = true;
    return static_cast<E>(v);
  }
  ClientOrderId clid() {
    ClientOrderId id{};
    for (char& c : id)
      c = static_cast<char>(u8());
    return id;
  }
  // A count of records of at least `min_bytes` each that the rest of the input can hold.
  std::size_t count(std::size_t min_bytes) {
    const std::uint64_t n = u64();
    if (n > (b_.size() - at_) / min_bytes) {
      ok_ = false;
      return 0;
    }
    return static_cast<std::size_t>(n);
  }
  bool bad = false;

 private:
  std::span<const std::uint8_t> b_;
  std::size_t at_ = 0;
  bool ok_ = true;
};

AgreementRecord read_agreement(Reader& r) {
  AgreementRecord a;
  a.id = OffBookId(r.u64());
  a.instrument = InstrumentId(r.u32());
  a.reporter = AccountId(r.u32());
  a.reporter_member = MemberId(r.u32());
  a.reporter_side = r.e(Side::kBuy, Side::kSell);
  a.counterparty = AccountId(r.u32());
  a.price_fen = PriceFen(r.i64());
  a.quantity_t = QuantityT(r.i64());
  a.hold_amount = r.i64();
  a.client_order_id = r.clid();
  a.report_seq = Seq(r.u64());
  return a;
}

BidRecord read_bid(Reader& r) {
  BidRecord b;
  b.id = OffBookId(r.u64());
  b.account = AccountId(r.u32());
  b.member = MemberId(r.u32());
  b.price_fen = PriceFen(r.i64());
  b.quantity_t = QuantityT(r.i64());
  b.hold_amount = r.i64();
  const std::uint64_t gen = r.u64();
  if (gen > 0xFFFF) r.bad = true;
  b.hold_generation = static_cast<std::uint16_t>(gen);
  b.priority_seq = Seq(r.u64());
  b.client_order_id = r.clid();
  return b;
}

AuctionRecord read_auction(Reader& r) {
  AuctionRecord a;
  AuctionOpen& t = a.terms;
  a.id = OffBookId(r.u64());
  t.seller = AccountId(r.u32());
  t.instrument = InstrumentId(r.u32());
  t.quantity_t = QuantityT(r.i64());
  t.reserve_fen = PriceFen(r.i64());
  t.start_ts = TimestampNs(r.i64());
  t.end_ts = TimestampNs(r.i64());
  t.min_bid_t = QuantityT(r.i64());
  t.max_share_bp = r.u32();
  t.pricing = r.e(AuctionPricing::kPayAsBid, AuctionPricing::kUniform);
  t.min_fill_bp = r.u32();
  a.hold_amount = r.i64();
  const std::size_t n = r.count(8 * 8 + 16);
  for (std::size_t i = 0; i < n && r.ok(); ++i)
    a.bids.push_back(read_bid(r));
  return a;
}

RepoRecord read_repo(Reader& r) {
  RepoRecord x;
  x.id = OffBookId(r.u64());
  x.status = r.e(RepoStatus::kProposed, RepoStatus::kDefaulted);
  x.instrument = InstrumentId(r.u32());
  x.filer = AccountId(r.u32());
  x.filer_member = MemberId(r.u32());
  x.repo_party = AccountId(r.u32());
  x.reverse_party = AccountId(r.u32());
  x.quantity_t = QuantityT(r.i64());
  x.start_price_fen = PriceFen(r.i64());
  x.repurchase_price_fen = PriceFen(r.i64());
  x.filed_date = Date{r.date()};
  x.end_date = Date{r.date()};
  x.surrender_deadline = Date{r.date()};
  x.hold_amount = r.i64();
  x.repo_consent = r.e<std::uint8_t>(0, 1) == 1;
  x.reverse_consent = r.e<std::uint8_t>(0, 1) == 1;
  x.client_order_id = r.clid();
  return x;
}

}  // namespace

std::uint64_t offbook_state_hash(const OffBookStateRecord& s) {
  HashSink h;
  Put<HashSink>{h}.state(s);
  return h.value();
}

std::vector<std::uint8_t> encode_offbook_state(const OffBookStateRecord& s) {
  ByteSink b;
  for (std::uint8_t m : kMagic)
    b.u8(m);
  b.u8(kOffBookSchemaVersion);
  Put<ByteSink>{b}.state(s);
  return std::move(b.out);
}

Result<OffBookStateRecord, OffBookCodecError> decode_offbook_state(
    std::span<const std::uint8_t> bytes) {
  if (bytes.size() < 5 || std::memcmp(bytes.data(), kMagic, 4) != 0) {
    return Err{OffBookCodecError::kBadMagic};
  }
  if (bytes[4] != kOffBookSchemaVersion) return Err{OffBookCodecError::kWrongVersion};
  Reader r(bytes.subspan(5));
  OffBookStateRecord s;
  s.next_id = r.u64();
  const std::size_t agreements = r.count(9 * 8 + 1 + 16);
  for (std::size_t i = 0; i < agreements && r.ok(); ++i)
    s.agreements.push_back(read_agreement(r));
  const std::size_t auctions = r.count(12 * 8 + 1);
  for (std::size_t i = 0; i < auctions && r.ok(); ++i)
    s.auctions.push_back(read_auction(r));
  const std::size_t repos = r.count(13 * 8 + 3 + 16);
  for (std::size_t i = 0; i < repos && r.ok(); ++i)
    s.repos.push_back(read_repo(r));
  if (!r.ok()) return Err{OffBookCodecError::kTruncated};
  if (r.bad) return Err{OffBookCodecError::kBadField};
  if (!r.at_end()) return Err{OffBookCodecError::kTrailingBytes};
  return s;
}

}  // namespace carbonx
