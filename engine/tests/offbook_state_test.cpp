// Off-book persistence and codec: decode(encode(c)) == c for every off-book command, corrupt
// fields refused; the off-book state record round-trips through its bytes, corrupt records are
// refused; a core restored from the saved state (over the same ledger) has the same state_hash and
// continues exactly like a replay from genesis; the changed flag; TOML settings.

#include "offbook_fixture.hpp"

namespace carbonx::offbook_testing {
namespace {

ClientOrderId clid(const char* s) {
  return make_client_order_id(s);
}

std::vector<CommandBody> offbook_commands() {
  return {
      AgreementReport{AccountId(7), MemberId(8), InstrumentId(9), Side::kBuy, AccountId(10),
                      PriceFen(1234), QuantityT(56'000), clid("tcr-abcdefghijkl")},
      AgreementAccept{AccountId(11), MemberId(12), OffBookId(13), clid("acc")},
      AgreementDecline{AccountId(14), MemberId(15), OffBookId((1ULL << 40) - 1), clid("dec")},
      AuctionOpen{AccountId(16), InstrumentId(17), QuantityT(200'000), PriceFen(1500),
                  TimestampNs(1'700'000'000'000'000'001), TimestampNs(1'700'000'100'000'000'002),
                  QuantityT(1'000), 5000, AuctionPricing::kUniform, 2500},
      AuctionBid{AccountId(18), MemberId(19), OffBookId(20), PriceFen(1601), QuantityT(3'000),
                 clid("bid")},
      AuctionReviseBid{AccountId(21), MemberId(22), OffBookId(23), OffBookId(24), PriceFen(1634),
                       QuantityT(4'000), clid("rev")},
      AuctionWithdrawBid{AccountId(25), MemberId(26), OffBookId(27), OffBookId(28), clid("wd")},
      AuctionClose{OffBookId(29)},
      RepoFile{AccountId(30), MemberId(31), AccountId(32), AccountId(33), InstrumentId(34),
               QuantityT(100'000), PriceFen(2000), PriceFen(2060), Date{20170601}, Date{20170620},
               true, clid("repo")},
      RepoConfirm{AccountId(35), MemberId(36), OffBookId(37), clid("conf")},
      RepoDecline{AccountId(38), MemberId(39), OffBookId(40), clid("decl")},
      RepoEarlyRepurchase{AccountId(41), MemberId(42), OffBookId(43), true, clid("early")},
      RepoMature{},
      RepoResolveDefault{OffBookId(44)},
  };
}

TEST(OffBookCodec, EveryOffBookCommandRoundTrips) {
  std::uint64_t seq = 100;
  for (const CommandBody& b : offbook_commands()) {
    const Command c{Seq(++seq), TimestampNs(-5 + static_cast<std::int64_t>(seq)), b};
    const CommandRecord r = encode(c);
    EXPECT_EQ(r[1], static_cast<std::uint8_t>(type_of(c)));
    auto d = decode(r);
    ASSERT_TRUE(d.ok()) << to_string(type_of(c));
    EXPECT_EQ(d.value(), c) << to_string(type_of(c));
  }
  // The existing type numbers did not move.
  EXPECT_EQ(type_of(Command{Seq(1), TimestampNs(0), EndOfDay{}}), CommandType::kEndOfDay);
  EXPECT_EQ(static_cast<int>(CommandType::kEndOfDay), 6);
  EXPECT_EQ(static_cast<int>(CommandType::kRepoResolveDefault), 20);
}

TEST(OffBookCodec, CorruptFieldsAreRefused) {
  const std::vector<CommandBody> all = offbook_commands();
  // Offsets: version 0, type 1, seq 2..9, ts 10..17, body from 18.
  CommandRecord r = encode(Command{Seq(1), TimestampNs(0), all[0]});
  r[18 + 12] = 3;  // AgreementReport side
  EXPECT_EQ(decode(r).error(), CodecError::kBadField);
  r = encode(Command{Seq(1), TimestampNs(0), all[3]});
  r[18 + 52] = 0;  // AuctionOpen pricing
  EXPECT_EQ(decode(r).error(), CodecError::kBadField);
  r = encode(Command{Seq(1), TimestampNs(0), all[8]});
  r[18 + 52] = 2;  // RepoFile both_confirmed
  EXPECT_EQ(decode(r).error(), CodecError::kBadField);
  r = encode(Command{Seq(1), TimestampNs(0), all[11]});
  r[18 + 16] = 7;  // RepoEarlyRepurchase both_consented
  EXPECT_EQ(decode(r).error(), CodecError::kBadField);
  r[1] = 21;
  EXPECT_EQ(decode(r).error(), CodecError::kUnknownType);
}

// A state with every kind of record: open reports, an auction with bids, a proposed, an open and
// a defaulted repo (kept locked).
class OffBookStateTest : public OffBookTest {
 protected:
  OffBookStateTest() : OffBookTest(config()) {}
  static ExchangeConfig config() {
    ExchangeConfig c = offbook_config();
    c.repo_default_releases_units = false;
    return c;
  }
  void build_state() {
    apply(AgreementReport{kAlice, kMember1, kGdea, Side::kSell, kBob, PriceFen(2100),
                          QuantityT(20'000), clid("r1")});
    apply(AgreementReport{kCarol, kMember2, kPhcer, Side::kBuy, kAlice, PriceFen(1500),
                          QuantityT(10'000), clid("r2")});
    AuctionOpen o{kGov,
                  kPhcer,
                  QuantityT(50'000),
                  PriceFen(1500),
                  at(20240304),
                  at(20240305),
                  QuantityT(1'000),
                  5000,
                  AuctionPricing::kPayAsBid,
                  1000};
    apply(o);
    const OffBookId auction = only<AuctionEvent>().auction_id;
    apply(AuctionBid{kAlice, kMember1, auction, PriceFen(1601), QuantityT(5'000), clid("b1")});
    apply(AuctionBid{kBob, kMember1, auction, PriceFen(1634), QuantityT(7'000), clid("b2")});
    const OffBookId b2 = only<AuctionBidEvent>().bid_id;
    apply(AuctionReviseBid{kBob, kMember1, auction, b2, PriceFen(1650), QuantityT(9'000), {}});
    RepoFile f{AccountId(0),   kMember1,       kAlice,         kBob,   kGdea, QuantityT(100'000),
               PriceFen(2000), PriceFen(2060), Date{20240310}, Date{}, true,  clid("open")};
    apply(f);
    f.both_confirmed = false;
    f.filer = kBob;
    apply(f);
    RepoFile d{AccountId(0),   kMember1,       kDave,          kCarol, kGdea, QuantityT(100'000),
               PriceFen(2000), PriceFen(2600), Date{20240305}, Date{}, true,  clid("dflt")};
    apply(d);
    apply(RepoMature{}, at(20240305));
    ASSERT_EQ(only<RepoEvent>().status, RepoStatus::kDefaulted);
    check_invariants();
  }
};

TEST_F(OffBookStateTest, StateRecordRoundTripsThroughItsBytes) {
  build_state();
  const OffBookStateRecord s = core_->save_offbook_state();
  EXPECT_EQ(s.agreements.size(), 2u);
  ASSERT_EQ(s.auctions.size(), 1u);
  EXPECT_EQ(s.auctions[0].bids.size(), 2u);
  EXPECT_EQ(s.repos.size(), 3u);
  const std::vector<std::uint8_t> bytes = encode_offbook_state(s);
  auto d = decode_offbook_state(bytes);
  ASSERT_TRUE(d.ok()) << to_string(d.error());
  EXPECT_EQ(d.value(), s);
  EXPECT_EQ(offbook_state_hash(d.value()), offbook_state_hash(s));
  // Empty state too.
  EXPECT_EQ(decode_offbook_state(encode_offbook_state(OffBookStateRecord{})).value(),
            OffBookStateRecord{});
}

TEST_F(OffBookStateTest, CorruptStateRecordsAreRefused) {
  build_state();
  const std::vector<std::uint8_t> good = encode_offbook_state(core_->save_offbook_state());
  std::vector<std::uint8_t> b = good;
  b[0] = 'X';
  EXPECT_EQ(decode_offbook_state(b).error(), OffBookCodecError::kBadMagic);
  b = good;
  b[4] = kOffBookSchemaVersion + 1;
  EXPECT_EQ(decode_offbook_state(b).error(), OffBookCodecError::kWrongVersion);
  b = good;
  b.pop_back();
  EXPECT_EQ(decode_offbook_state(b).error(), OffBookCodecError::kTruncated);
  b = good;
  b.push_back(0);
  EXPECT_EQ(decode_offbook_state(b).error(), OffBookCodecError::kTrailingBytes);
  b = good;
  b[5 + 8] = 0xFF;  // the agreement count: far more records than bytes
  EXPECT_EQ(decode_offbook_state(b).error(), OffBookCodecError::kTruncated);
  b = good;
  b[5 + 8 + 8 + 8 * 4] = 9;  // the first agreement's side
  EXPECT_EQ(decode_offbook_state(b).error(), OffBookCodecError::kBadField);
}

TEST_F(OffBookStateTest, RestoredCoreHasTheSameHashAndContinuesLikeAReplay) {
  build_state();
  const CoreStateRecord state = core_->save_state();
  const auto offbook = decode_offbook_state(encode_offbook_state(core_->save_offbook_state()));
  ASSERT_TRUE(offbook.ok());
  // A restart: a new core over the durable ledger (here: the same in-memory one).
  auto restored = std::make_unique<Core>(config_, ledger_);
  ASSERT_TRUE(restored->restore_state(state).ok());
  ASSERT_TRUE(restored->restore_offbook_state(offbook.value()).ok());
  EXPECT_EQ(restored->state_hash(), core_->state_hash());
  EXPECT_EQ(restored->restore_offbook_state(offbook.value()).error(), CoreError::kNotEmpty);
  core_ = std::move(restored);
  // Continue: settle everything that is open, then compare with a replay from genesis.
  const OffBookStateRecord& s = core_->offbook();
  apply(AgreementAccept{kBob, kMember2, s.agreements[0].id, {}});
  EXPECT_EQ(only<AgreementEvent>().status, AgreementStatus::kAccepted);
  EXPECT_EQ(replay_hash(), core_->state_hash());
  const OffBookId auction = s.auctions[0].id;
  apply(AuctionClose{auction}, at(20240305, 1));
  EXPECT_EQ(only<AuctionEvent>().cleared_t.value(), 14'000);
  EXPECT_EQ(replay_hash(), core_->state_hash());
  apply(RepoConfirm{kAlice, kMember1, core_->offbook().repos[1].id, {}});
  EXPECT_EQ(only<RepoEvent>().status, RepoStatus::kOpen);
  apply(RepoResolveDefault{core_->offbook().repos[2].id});
  EXPECT_EQ(only<RepoEvent>().status, RepoStatus::kResolved);
  apply(EndOfDay{}, at(20240310, 1));
  EXPECT_EQ(of<RepoEvent>().size(), 2u);  // both open repos mature
  EXPECT_TRUE(core_->offbook().repos.empty());
  EXPECT_EQ(replay_hash(), core_->state_hash());
  check_invariants();
}

TEST_F(OffBookStateTest, RestoreRefusesBadRecords) {
  build_state();
  OffBookStateRecord s = core_->save_offbook_state();
  s.repos[0].instrument = InstrumentId(99);
  Core other(config_, ledger_);
  EXPECT_EQ(other.restore_offbook_state(s).error(), CoreError::kBadOffBookRecord);
  s = core_->save_offbook_state();
  s.next_id = 2;  // ids beyond the counter
  EXPECT_EQ(other.restore_offbook_state(s).error(), CoreError::kBadOffBookRecord);
  s = core_->save_offbook_state();
  std::swap(s.agreements[0], s.agreements[1]);  // not in id order
  EXPECT_EQ(other.restore_offbook_state(s).error(), CoreError::kBadOffBookRecord);
}

TEST_F(OffBookStateTest, ChangedFlagFollowsTheOffBookState) {
  (void)core_->take_offbook_changed();
  apply(NewOrder{kAlice,
                 kMember1,
                 kGdea,
                 Side::kBuy,
                 OrderType::kLimit,
                 TimeInForce::kDay,
                 PriceFen(1990),
                 QuantityT(10),
                 {}});
  EXPECT_FALSE(core_->take_offbook_changed());
  apply(AgreementReport{
      kAlice, kMember1, kGdea, Side::kSell, kBob, PriceFen(2000), QuantityT(10'000), {}});
  EXPECT_TRUE(core_->take_offbook_changed());
  EXPECT_FALSE(core_->take_offbook_changed());
  apply(AgreementAccept{kCarol, kMember1, OffBookId(1), {}});  // rejected: nothing changed
  EXPECT_FALSE(core_->take_offbook_changed());
  apply(EndOfDay{});  // expires the report
  EXPECT_TRUE(core_->take_offbook_changed());
}

TEST(OffBookConfig, TomlSettingsAndDefaults) {
  const char* toml = R"(
[exchange]
fee_account = 9000
max_open_auctions = 3
max_bids_per_auction = 500
max_repos = 77
max_open_agreements = 12
repo_default = "keep_locked"
[[instrument]]
id = 1
code = "GDEA2017"
product = "allowance"
vintage = 2017
tick_fen = 1
lot_t = 1
min_order_t = 1
max_order_t = 100000
reference_price_fen = 1500
agreement_band_bp = 2000
agreement_min_t = 50000
repo_band_bp = 1500
repo_min_t = 100000
[[instrument]]
id = 2
code = "GDEA2018"
product = "allowance"
vintage = 2018
tick_fen = 1
lot_t = 1
min_order_t = 1
max_order_t = 100000
reference_price_fen = 1500
)";
  auto cfg = parse_exchange_config(toml);
  ASSERT_TRUE(cfg.ok()) << cfg.error().message;
  const ExchangeConfig& c = cfg.value();
  EXPECT_EQ(c.limits.max_open_auctions, 3u);
  EXPECT_EQ(c.limits.max_bids_per_auction, 500u);
  EXPECT_EQ(c.limits.max_repos, 77u);
  EXPECT_EQ(c.limits.max_open_agreements, 12u);
  EXPECT_FALSE(c.repo_default_releases_units);
  EXPECT_EQ(c.instruments[0].agreement_band_bp, 2000u);
  EXPECT_EQ(c.instruments[0].agreement_min_t.value(), 50'000);
  EXPECT_EQ(c.instruments[0].repo_band_bp, 1500u);
  EXPECT_EQ(c.instruments[1].agreement_band_bp, 3000u);
  EXPECT_EQ(c.instruments[1].agreement_min_t.value(), 100'000);
  EXPECT_EQ(c.instruments[1].repo_min_t.value(), 100'000);
  std::string bad = toml;
  bad.replace(bad.find("agreement_band_bp = 2000"), 24, "agreement_band_bp = 0   ");
  auto e = parse_exchange_config(bad);
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.error().message, "instrument GDEA2017: agreement_band_bp: must be 1..9999");
  bad = toml;
  bad.replace(bad.find("keep_locked"), 11, "sometimes  ");
  e = parse_exchange_config(bad);
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.error().message, "exchange: repo_default: release|keep_locked");
}

}  // namespace
}  // namespace carbonx::offbook_testing
