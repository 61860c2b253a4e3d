#include "carbonx/engine/commands.hpp"

#include <algorithm>
#include <cstring>

namespace carbonx {

ClientOrderId make_client_order_id(std::string_view s) {
  ClientOrderId id{};
  std::copy_n(s.begin(), std::min(s.size(), id.size()), id.begin());
  return id;
}

std::string_view view(const ClientOrderId& id) {
  const auto end = std::find(id.begin(), id.end(), '\0');
  return std::string_view(id.data(), static_cast<std::size_t>(end - id.begin()));
}

std::string_view to_string(CommandType t) noexcept {
  switch (t) {
    case CommandType::kNewOrder:
      return "new order";
    case CommandType::kCancel:
      return "cancel";
    case CommandType::kReplace:
      return "replace";
    case CommandType::kMassCancel:
      return "mass cancel";
    case CommandType::kSetPhase:
      return "set phase";
    case CommandType::kEndOfDay:
      return "end of day";
    case CommandType::kAgreementReport:
      return "agreement report";
    case CommandType::kAgreementAccept:
      return "agreement accept";
    case CommandType::kAgreementDecline:
      return "agreement decline";
    case CommandType::kAuctionOpen:
      return "auction open";
    case CommandType::kAuctionBid:
      return "auction bid";
    case CommandType::kAuctionReviseBid:
      return "auction revise bid";
    case CommandType::kAuctionWithdrawBid:
      return "auction withdraw bid";
    case CommandType::kAuctionClose:
      return "auction close";
    case CommandType::kRepoFile:
      return "repo file";
    case CommandType::kRepoConfirm:
      return "repo confirm";
    case CommandType::kRepoDecline:
      return "repo decline";
    case CommandType::kRepoEarlyRepurchase:
      return "repo early repurchase";
    case CommandType::kRepoMature:
      return "repo mature";
    case CommandType::kRepoResolveDefault:
      return "repo resolve default";
  }
  return "unknown command";
}

std::string_view to_string(CodecError e) noexcept {
  switch (e) {
    case CodecError::kWrongSize:
      return "command record has the wrong size";
    case CodecError::kWrongVersion:
      return "command record schema version not supported";
    case CodecError::kUnknownType:
      return "unknown command type";
    case CodecError::kBadField:
      return "command field out of range";
  }
  return "unknown codec error";
}

namespace {

// Little-endian fixed-offset writer/reader over the record.
class Writer {
 public:
  explicit Writer(CommandRecord& r) : r_(r) {}
  void u8(std::uint8_t v) { r_[at_++] = v; }
  void u32(std::uint32_t v) { put(v, 4); }
  void u64(std::uint64_t v) { put(v, 8); }
  void i64(std::int64_t v) { put(static_cast<std::uint64_t>(v), 8); }
  void clid(const ClientOrderId& id) {
    std::memcpy(r_.data() + at_, id.data(), id.size());
    at_ += id.size();
  }

 private:
  void put(std::uint64_t v, std::size_t n) {
    CX_ASSERT(at_ + n <= r_.size());
    for (std::size_t i = 0; i < n; ++i)
      r_[at_++] = static_cast<std::uint8_t>(v >> (8 * i));
  }
  CommandRecord& r_;
  std::size_t at_ = 0;
};

class Reader {
 public:
  explicit Reader(std::span<const std::uint8_t> b) : b_(b) {}
  std::uint8_t u8() { return b_[at_++]; }
  std::uint32_t u32() { return static_cast<std::uint32_t>(get(4)); }
  std::uint64_t u64() { return get(8); }
  std::int64_t i64() { return static_cast<std::int64_t>(get(8)); }
  ClientOrderId clid() {
    ClientOrderId id{};
    std::memcpy(id.data(), b_.data() + at_, id.size());
    at_ += id.size();
    return id;
  }

 private:
  std::uint64_t get(std::size_t n) {
    CX_ASSERT(at_ + n <= b_.size());
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < n; ++i)
      v |= std::uint64_t{b_[at_++]} << (8 * i);
    return v;
  }
  std::span<const std::uint8_t> b_;
  std::size_t at_ = 0;
};

template <typename E>
bool in_range(std::uint8_t v, E lo, E hi) {
  return v >= static_cast<std::uint8_t>(lo) && v <= static_cast<std::uint8_t>(hi);
}

struct EncodeBody {
  Writer& w;
  void operator()(const NewOrder& o) const {
    w.u32(o.account.value());
    w.u32(o.member.value());
    w.u32(o.instrument.value());
    w.u8(static_cast<std::uint8_t>(o.side));
    w.u8(static_cast<std::uint8_t>(o.type));
    w.u8(static_cast<std::uint8_t>(o.tif));
    w.i64(o.price_fen.value());
    w.i64(o.quantity_t.value());
    w.clid(o.client_order_id);
  }
  void operator()(const Cancel& o) const {
    w.u32(o.account.value());
    w.u32(o.member.value());
    w.u32(o.instrument.value());
    w.u64(o.order_id.value());
    w.clid(o.client_order_id);
  }
  void operator()(const Replace& o) const {
    w.u32(o.account.value());
    w.u32(o.member.value());
    w.u32(o.instrument.value());
    w.u64(o.order_id.value());
    w.i64(o.price_fen.value());
    w.i64(o.quantity_t.value());
    w.clid(o.client_order_id);
  }
  void operator()(const MassCancel& o) const {
    w.u8(static_cast<std::uint8_t>((o.by_member ? 1 : 0) | (o.by_account ? 2 : 0) |
                                   (o.by_instrument ? 4 : 0)));
    w.u32(o.member.value());
    w.u32(o.account.value());
    w.u32(o.instrument.value());
  }
  void operator()(const SetPhase& o) const {
    w.u8(o.all_instruments ? 1 : 0);
    w.u32(o.instrument.value());
    w.u8(static_cast<std::uint8_t>(o.phase));
  }
  void operator()(const EndOfDay&) const {}
  // Off-book commands.
  void party(AccountId a, MemberId m) const {
    w.u32(a.value());
    w.u32(m.value());
  }
  void operator()(const AgreementReport& o) const {
    party(o.account, o.member);
    w.u32(o.instrument.value());
    w.u8(static_cast<std::uint8_t>(o.side));
    w.u32(o.counterparty.value());
    w.i64(o.price_fen.value());
    w.i64(o.quantity_t.value());
    w.clid(o.client_order_id);
  }
  void answer(AccountId a, MemberId m, OffBookId id, const ClientOrderId& clid) const {
    party(a, m);
    w.u64(id.value());
    w.clid(clid);
  }
  void operator()(const AgreementAccept& o) const {
    answer(o.account, o.member, o.report_id, o.client_order_id);
  }
  void operator()(const AgreementDecline& o) const {
    answer(o.account, o.member, o.report_id, o.client_order_id);
  }
  void operator()(const AuctionOpen& o) const {
    w.u32(o.seller.value());
    w.u32(o.instrument.value());
    w.i64(o.quantity_t.value());
    w.i64(o.reserve_fen.value());
    w.i64(o.start_ts.value());
    w.i64(o.end_ts.value());
    w.i64(o.min_bid_t.value());
    w.u32(o.max_share_bp);
    w.u8(static_cast<std::uint8_t>(o.pricing));
    w.u32(o.min_fill_bp);
  }
  void operator()(const AuctionBid& o) const {
    party(o.account, o.member);
    w.u64(o.auction_id.value());
    w.i64(o.price_fen.value());
    w.i64(o.quantity_t.value());
    w.clid(o.client_order_id);
  }
  void operator()(const AuctionReviseBid& o) const {
    party(o.account, o.member);
    w.u64(o.auction_id.value());
    w.u64(o.bid_id.value());
    w.i64(o.price_fen.value());
    w.i64(o.quantity_t.value());
    w.clid(o.client_order_id);
  }
  void operator()(const AuctionWithdrawBid& o) const {
    party(o.account, o.member);
    w.u64(o.auction_id.value());
    w.u64(o.bid_id.value());
    w.clid(o.client_order_id);
  }
  void operator()(const AuctionClose& o) const { w.u64(o.auction_id.value()); }
  void operator()(const RepoFile& o) const {
    party(o.filer, o.member);
    w.u32(o.repo_party.value());
    w.u32(o.reverse_party.value());
    w.u32(o.instrument.value());
    w.i64(o.quantity_t.value());
    w.i64(o.start_price_fen.value());
    w.i64(o.repurchase_price_fen.value());
    w.u32(static_cast<std::uint32_t>(o.end_date.yyyymmdd));
    w.u32(static_cast<std::uint32_t>(o.surrender_deadline.yyyymmdd));
    w.u8(o.both_confirmed ? 1 : 0);
    w.clid(o.client_order_id);
  }
  void operator()(const RepoConfirm& o) const {
    answer(o.account, o.member, o.repo_id, o.client_order_id);
  }
  void operator()(const RepoDecline& o) const {
    answer(o.account, o.member, o.repo_id, o.client_order_id);
  }
  void operator()(const RepoEarlyRepurchase& o) const {
    party(o.account, o.member);
    w.u64(o.repo_id.value());
    w.u8(o.both_consented ? 1 : 0);
    w.clid(o.client_order_id);
  }
  void operator()(const RepoMature&) const {}
  void operator()(const RepoResolveDefault& o) const { w.u64(o.repo_id.value()); }
};

}  // namespace

CommandRecord encode(const Command& c) {
  CommandRecord r{};
  Writer w(r);
  w.u8(kCommandSchemaVersion);
  w.u8(static_cast<std::uint8_t>(type_of(c)));
  w.u64(c.seq.value());
  w.i64(c.ts.value());
  std::visit(EncodeBody{w}, c.body);
  return r;
}

namespace {

Result<CommandBody, CodecError> decode_new_order(Reader& r) {
  NewOrder o;
  o.account = AccountId(r.u32());
  o.member = MemberId(r.u32());
  o.instrument = InstrumentId(r.u32());
  const std::uint8_t side = r.u8();
  const std::uint8_t type = r.u8();
  const std::uint8_t tif = r.u8();
  if (!in_range(side, Side::kBuy, Side::kSell) ||
      !in_range(type, OrderType::kLimit, OrderType::kClick) ||
      !in_range(tif, TimeInForce::kDay, TimeInForce::kFok)) {
    return Err{CodecError::kBadField};
  }
  o.side = static_cast<Side>(side);
  o.type = static_cast<OrderType>(type);
  o.tif = static_cast<TimeInForce>(tif);
  o.price_fen = PriceFen(r.i64());
  o.quantity_t = QuantityT(r.i64());
  o.client_order_id = r.clid();
  return CommandBody(o);
}

// Off-book commands (the command types after kEndOfDay).
Result<CommandBody, CodecError> decode_agreement(CommandType type, Reader& r) {
  const AccountId account(r.u32());
  const MemberId member(r.u32());
  if (type == CommandType::kAgreementReport) {
    AgreementReport o;
    o.account = account;
    o.member = member;
    o.instrument = InstrumentId(r.u32());
    const std::uint8_t side = r.u8();
    if (!in_range(side, Side::kBuy, Side::kSell)) return Err{CodecError::kBadField};
    o.side = static_cast<Side>(side);
    o.counterparty = AccountId(r.u32());
    o.price_fen = PriceFen(r.i64());
    o.quantity_t = QuantityT(r.i64());
    o.client_order_id = r.clid();
    return CommandBody(o);
  }
  const OffBookId id(r.u64());
  const ClientOrderId clid = r.clid();
  if (type == CommandType::kAgreementAccept)
    return CommandBody(AgreementAccept{account, member, id, clid});
  return CommandBody(AgreementDecline{account, member, id, clid});
}

Result<CommandBody, CodecError> decode_auction_open(Reader& r) {
  AuctionOpen o;
  o.seller = AccountId(r.u32());
  o.instrument = InstrumentId(r.u32());
  o.quantity_t = QuantityT(r.i64());
  o.reserve_fen = PriceFen(r.i64());
  o.start_ts = TimestampNs(r.i64());
  o.end_ts = TimestampNs(r.i64());
  o.min_bid_t = QuantityT(r.i64());
  o.max_share_bp = r.u32();
  const std::uint8_t pricing = r.u8();
  if (!in_range(pricing, AuctionPricing::kPayAsBid, AuctionPricing::kUniform)) {
    return Err{CodecError::kBadField};
  }
  o.pricing = static_cast<AuctionPricing>(pricing);
  o.min_fill_bp = r.u32();
  return CommandBody(o);
}

Result<CommandBody, CodecError> decode_auction(CommandType type, Reader& r) {
  if (type == CommandType::kAuctionOpen) return decode_auction_open(r);
  if (type == CommandType::kAuctionClose) return CommandBody(AuctionClose{OffBookId(r.u64())});
  const AccountId account(r.u32());
  const MemberId member(r.u32());
  const OffBookId auction(r.u64());
  if (type == CommandType::kAuctionBid) {
    const PriceFen price(r.i64());
    const QuantityT qty(r.i64());
    return CommandBody(AuctionBid{account, member, auction, price, qty, r.clid()});
  }
  const OffBookId bid(r.u64());
  if (type == CommandType::kAuctionWithdrawBid) {
    return CommandBody(AuctionWithdrawBid{account, member, auction, bid, r.clid()});
  }
  const PriceFen price(r.i64());
  const QuantityT qty(r.i64());
  return CommandBody(AuctionReviseBid{account, member, auction, bid, price, qty, r.clid()});
}

Result<CommandBody, CodecError> decode_repo_file(Reader& r) {
  RepoFile o;
  o.filer = AccountId(r.u32());
  o.member = MemberId(r.u32());
  o.repo_party = AccountId(r.u32());
  o.reverse_party = AccountId(r.u32());
  o.instrument = InstrumentId(r.u32());
  o.quantity_t = QuantityT(r.i64());
  o.start_price_fen = PriceFen(r.i64());
  o.repurchase_price_fen = PriceFen(r.i64());
  o.end_date = Date{static_cast<std::int32_t>(r.u32())};
  o.surrender_deadline = Date{static_cast<std::int32_t>(r.u32())};
  const std::uint8_t both = r.u8();
  if (both > 1) return Err{CodecError::kBadField};
  o.both_confirmed = both == 1;
  o.client_order_id = r.clid();
  return CommandBody(o);
}

Result<CommandBody, CodecError> decode_repo(CommandType type, Reader& r) {
  switch (type) {
    case CommandType::kRepoFile:
      return decode_repo_file(r);
    case CommandType::kRepoMature:
      return CommandBody(RepoMature{});
    case CommandType::kRepoResolveDefault:
      return CommandBody(RepoResolveDefault{OffBookId(r.u64())});
    default:
      break;
  }
  const AccountId account(r.u32());
  const MemberId member(r.u32());
  const OffBookId id(r.u64());
  if (type == CommandType::kRepoEarlyRepurchase) {
    const std::uint8_t both = r.u8();
    if (both > 1) return Err{CodecError::kBadField};
    return CommandBody(RepoEarlyRepurchase{account, member, id, both == 1, r.clid()});
  }
  const ClientOrderId clid = r.clid();
  if (type == CommandType::kRepoConfirm) return CommandBody(RepoConfirm{account, member, id, clid});
  return CommandBody(RepoDecline{account, member, id, clid});
}

Result<CommandBody, CodecError> decode_body(CommandType type, Reader& r) {
  switch (type) {
    case CommandType::kNewOrder:
      return decode_new_order(r);
    case CommandType::kCancel: {
      Cancel o;
      o.account = AccountId(r.u32());
      o.member = MemberId(r.u32());
      o.instrument = InstrumentId(r.u32());
      o.order_id = OrderId(r.u64());
      o.client_order_id = r.clid();
      return CommandBody(o);
    }
    case CommandType::kReplace: {
      Replace o;
      o.account = AccountId(r.u32());
      o.member = MemberId(r.u32());
      o.instrument = InstrumentId(r.u32());
      o.order_id = OrderId(r.u64());
      o.price_fen = PriceFen(r.i64());
      o.quantity_t = QuantityT(r.i64());
      o.client_order_id = r.clid();
      return CommandBody(o);
    }
    case CommandType::kMassCancel: {
      MassCancel o;
      const std::uint8_t flags = r.u8();
      if (flags > 7) return Err{CodecError::kBadField};
      o.by_member = (flags & 1) != 0;
      o.by_account = (flags & 2) != 0;
      o.by_instrument = (flags & 4) != 0;
      o.member = MemberId(r.u32());
      o.account = AccountId(r.u32());
      o.instrument = InstrumentId(r.u32());
      return CommandBody(o);
    }
    case CommandType::kSetPhase: {
      SetPhase o;
      const std::uint8_t all = r.u8();
      o.instrument = InstrumentId(r.u32());
      const std::uint8_t phase = r.u8();
      if (all > 1 || !in_range(phase, Phase::kClosed, Phase::kHalted)) {
        return Err{CodecError::kBadField};
      }
      o.all_instruments = all == 1;
      o.phase = static_cast<Phase>(phase);
      return CommandBody(o);
    }
    case CommandType::kEndOfDay:
      return CommandBody(EndOfDay{});
    case CommandType::kAgreementReport:
    case CommandType::kAgreementAccept:
    case CommandType::kAgreementDecline:
      return decode_agreement(type, r);
    case CommandType::kAuctionOpen:
    case CommandType::kAuctionBid:
    case CommandType::kAuctionReviseBid:
    case CommandType::kAuctionWithdrawBid:
    case CommandType::kAuctionClose:
      return decode_auction(type, r);
    case CommandType::kRepoFile:
    case CommandType::kRepoConfirm:
    case CommandType::kRepoDecline:
    case CommandType::kRepoEarlyRepurchase:
    case CommandType::kRepoMature:
    case CommandType::kRepoResolveDefault:
      return decode_repo(type, r);
  }
  return Err{CodecError::kUnknownType};
}

}  // namespace

Result<Command, CodecError> decode(std::span<const std::uint8_t> bytes) {
  if (bytes.size() != kCommandRecordSize) return Err{CodecError::kWrongSize};
  Reader r(bytes);
  if (r.u8() != kCommandSchemaVersion) return Err{CodecError::kWrongVersion};
  const std::uint8_t type = r.u8();
  if (!in_range(type, CommandType::kNewOrder, CommandType::kRepoResolveDefault)) {
    return Err{CodecError::kUnknownType};
  }
  Command c;
  c.seq = Seq(r.u64());
  c.ts = TimestampNs(r.i64());
  auto body = decode_body(static_cast<CommandType>(type), r);
  if (!body) return Err{body.error()};
  c.body = std::move(body).value();
  return c;
}

}  // namespace carbonx
