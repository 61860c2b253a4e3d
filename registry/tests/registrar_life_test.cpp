// A whole exchange life through the JournalApplier: accounts, deposits, allocation from the
// sample facilities, trading, true-up, verified emissions, surrenders with offsets, an extension,
// settlement and next year's issuance with the penalty deducted — every step a journaled command.
// Replaying the journal from genesis into an EMPTY ledger and store reproduces the live core,
// ledger and registrar hashes (and the journal's hash chain); a restart restores the registrar
// state written with the batches; a tampered registry record is named.
#include <gtest/gtest.h>
#include <lmdb.h>

#include "carbonx/registry/journal.hpp"
#include "carbonx/registry/replay.hpp"
#include "registrar_test_support.hpp"
#include "registry_test_util.hpp"

namespace carbonx::registry {
namespace {

using namespace registrar_testing;  // NOLINT

Account account(AccountId id, AccountKind kind, std::uint16_t year = 0) {
  Account a;
  a.id = id;
  a.kind = kind;
  a.compliance_year = year;
  a.member = MemberId(1);
  a.region_code = 440000;
  return a;
}

NewOrder order(AccountId acct, InstrumentId ins, Side side, std::int64_t price_fen,
               std::int64_t qty_t) {
  NewOrder o;
  o.account = acct;
  o.member = MemberId(1);
  o.instrument = ins;
  o.side = side;
  o.price_fen = PriceFen(price_fen);
  o.quantity_t = QuantityT(qty_t);
  return o;
}

struct LiveResult {
  std::uint64_t core_hash = 0;
  Digest ledger_hash{};
  Digest registrar_hash{};
  Digest journal_hash{};
  Seq last{0};
  Seq allocation_issue_seq{0};
  Seq deposit_seq{0};
  std::uint64_t registry_records = 0;
  std::uint64_t refused = 0;
};

// The scripted life. Checks the business outcome as it goes.
LiveResult run_life(const std::string& dir) {
  LiveExchange x(dir);
  LiveResult out;
  auto reg = [&](const RegistryCommand& c) {
    ++out.registry_records;
    auto refused = x.reg(c);
    out.refused += refused.has_value();
    return refused;
  };
  auto ok = [&](const RegistryCommand& c) {
    auto refused = reg(c);
    EXPECT_FALSE(refused.has_value()) << to_string(type_of(c)) << ": " << refused->detail;
  };
  const auto firms = sample_firms();
  const std::string csv = sample_facilities();
  x.set_time(utc(2017, 3, 1));
  ok(OpenAccount{account(kGov, AccountKind::kGovernmentIssuance)});
  ok(OpenAccount{account(kSettle, AccountKind::kCashSettlement)});
  ok(OpenAccount{account(kFee, AccountKind::kExchangeFee)});
  ok(OpenAccount{account(kRetire2017, AccountKind::kRetirement, 2017)});
  ok(OpenAccount{account(kRetire2018, AccountKind::kRetirement, 2018)});
  ok(OpenAccount{account(kInvestor, AccountKind::kInvestmentInstitution)});
  for (std::size_t i = 0; i < firms.size(); ++i) {
    const AccountId a(kFirstFirm + static_cast<std::uint32_t>(i));
    ok(OpenAccount{account(a, AccountKind::kControlEmissionFirm)});
    ok(RegisterFirm{firms[i], a, MemberId(1), "guangdong"});
  }
  const AccountId seller(kFirstFirm);
  ok(Deposit{TransferId(1), kInvestor, AmountFen(500'000'000), 0});
  out.deposit_seq = x.seq();
  ok(Deposit{TransferId(2), seller, AmountFen(10'000'000), 0});
  // refused, and journaled as refused: a transfer id with the top bit set (not a client id)
  EXPECT_EQ(reg(Deposit{TransferId(1ULL << 63), kInvestor, AmountFen(1), 0})->code,
            RegistrarError::kBadTransferId);
  ok(AllocationIssue{2017, "national-2017-draft", csv});
  out.allocation_issue_seq = x.seq();
  const std::int64_t pre = x.ledger().balance(seller, asset_of(kGdea2017)).available;
  EXPECT_GT(pre, 10'000);

  // trading: the first firm sells 10,000 t to the investor
  x.eng(SetPhase{true, InstrumentId(0), Phase::kContinuous});
  x.eng(order(seller, kGdea2017, Side::kSell, 2'010, 6'000));
  x.eng(order(seller, kGdea2017, Side::kSell, 2'000, 4'000));
  x.eng(order(kInvestor, kGdea2017, Side::kBuy, 2'010, 10'000));
  EXPECT_EQ(x.ledger().balance(kInvestor, asset_of(kGdea2017)).available, 10'000);
  EXPECT_GT(x.ledger().balance(kFee, kCashAsset).available, 0);

  x.set_time(utc(2018, 3, 1));
  ok(AllocationTrueUp{2017, "national-2017-draft", csv});
  ok(LoadVerifiedEmissions{sample_emissions(2016)});
  ok(LoadVerifiedEmissions{sample_emissions(2017)});
  // offsets: 20,000 t of the Guangdong wind CCER to the second firm, surrendered with allowances
  const AccountId offsetter(kFirstFirm + 1);
  ok(IssueUnits{TransferId(3), offsetter, asset_of(kCcer), 20'000, 0});
  ok(RecordExtension{AccountId(kFirstFirm + 2), 2017, 20180720});
  x.set_time(utc(2018, 6, 1));
  for (const auto& s : x.registrar().compliance().status(2017)) {
    const AccountId a = x.registrar().directory().firm(s.firm)->account;
    if (a == AccountId(kFirstFirm + 2)) continue;  // extended: surrenders later
    Surrender cmd{a, 2017, MemberId(0), {}};
    std::int64_t left = s.obligation_t;
    if (a == offsetter) {
      cmd.legs.push_back({asset_of(kCcer), 20'000});
      left -= 20'000;
    }
    const std::int64_t held = x.ledger().balance(a, asset_of(kGdea2017)).available;
    if (std::min(held, left) > 0) cmd.legs.push_back({asset_of(kGdea2017), std::min(held, left)});
    if (!cmd.legs.empty()) ok(cmd);
  }
  EXPECT_EQ(x.ledger().balance(offsetter, asset_of(kCcer)).available, 0);
  EXPECT_EQ(x.ledger().balance(kRetire2017, asset_of(kCcer)).available, 20'000);
  // settlement before the deadline is refused and changes nothing
  EXPECT_EQ(reg(SettleCompliance{2017})->code, RegistrarError::kCompliance);
  x.set_time(TimestampNs(compliance::day_end_exclusive_cst(20180620).value() + 1));
  ok(SettleCompliance{2017});
  const auto& penalties = x.registrar().compliance().penalties();
  EXPECT_FALSE(penalties.empty());
  // next year's issuance deducts the penalties
  x.set_time(utc(2018, 7, 1));
  ok(AllocationIssue{2018, "national-2017-draft", csv});
  std::int64_t deducted = 0;
  for (const auto& r : x.registrar().allocator().records())
    deducted += r.year == 2018 ? r.penalty_deducted_t : 0;
  EXPECT_GT(deducted, 0);
  ok(Withdraw{TransferId(4), kInvestor, AmountFen(1'000'000), 0});
  x.eng(order(kInvestor, kGdea2017, Side::kSell, 1'990, 500));  // rests: an open order
  x.commit();

  EXPECT_TRUE(x.ledger().verify().empty());
  out.core_hash = x.core().state_hash();
  out.ledger_hash = x.ledger().state_hash();
  out.registrar_hash = x.registrar().state_hash();
  out.journal_hash = x.store().last_hash();
  out.last = x.seq();
  return out;
}

Ledger::Options options() {
  return ledger_options();
}

TEST(RegistrarLife, ReplayFromGenesisIntoAnEmptyStoreGivesTheSameState) {
  registry::testing::TempDir dir;
  const LiveResult live = run_life(dir.sub("live"));
  EXPECT_EQ(live.refused, 2u);
  auto store = std::move(Store::open(dir.sub("live"))).value();
  auto scratch_store = std::move(Store::open(dir.sub("scratch"))).value();
  Ledger scratch(options());
  const ExchangeReplay r =
      replay_exchange(*store, exchange_config(), registrar_config(), scratch, scratch_store.get());
  ASSERT_TRUE(r.ok) << r.problem;
  EXPECT_EQ(r.last_seq, live.last);
  EXPECT_EQ(r.registry_records, live.registry_records);
  EXPECT_EQ(r.registry_refused, live.refused);
  EXPECT_EQ(r.core_hash, live.core_hash);
  EXPECT_EQ(to_hex(r.ledger_hash), to_hex(live.ledger_hash));
  EXPECT_EQ(to_hex(r.registrar_hash), to_hex(live.registrar_hash));
  // the scratch store holds the same journal (same hash chain) and, after a load, the same state
  EXPECT_EQ(to_hex(scratch_store->last_hash()), to_hex(live.journal_hash));
  EXPECT_TRUE(verify_journal(*scratch_store).ok);
  scratch_store.reset();
  auto reopened = std::move(Store::open(dir.sub("scratch"))).value();
  Ledger loaded(options());
  auto rec = reopened->load(loaded);
  ASSERT_TRUE(rec.ok());
  EXPECT_EQ(to_hex(loaded.state_hash()), to_hex(live.ledger_hash));
  Registrar restored(registrar_config(), loaded);
  ASSERT_TRUE(restored.restore(rec.value().registry_state).ok());
  EXPECT_EQ(to_hex(restored.state_hash()), to_hex(live.registrar_hash));
}

TEST(RegistrarLife, ARestartRestoresTheRegistrarStateCommittedWithTheBatches) {
  registry::testing::TempDir dir;
  const LiveResult live = run_life(dir.sub("live"));
  auto store = std::move(Store::open(dir.sub("live"))).value();
  Ledger ledger(options());
  auto rec = store->load(ledger);
  ASSERT_TRUE(rec.ok());
  ASSERT_FALSE(rec.value().registry_state.empty());
  EXPECT_EQ(rec.value().applied_seq, live.last);
  Registrar registrar(registrar_config(), ledger);
  ASSERT_TRUE(registrar.restore(rec.value().registry_state).ok());
  EXPECT_EQ(to_hex(registrar.state_hash()), to_hex(live.registrar_hash));
  EXPECT_EQ(to_hex(ledger.state_hash()), to_hex(live.ledger_hash));
  EXPECT_FALSE(registrar.dirty());
  // the restored registrar knows the firms: a surrender of the restored firm is not kUnknownFirm
  ledger.begin_command(Seq(live.last.value() + 1), TimestampNs(0));
  auto st = registrar.apply(
      Seq(live.last.value() + 1), utc(2019, 3, 1),
      Surrender{AccountId(kFirstFirm), 2018, MemberId(0), {{asset_of(kGdea2018), 1}}});
  EXPECT_TRUE(!st || st.error().code != RegistrarError::kUnknownFirm);
}

TEST(RegistrarLife, TheEngineOnlyReplayNamesTheFirstRegistryRecord) {
  registry::testing::TempDir dir;
  run_life(dir.sub("live"));
  auto store = std::move(Store::open(dir.sub("live"))).value();
  Ledger scratch(options());
  const CommandReplay r = replay_commands(*store, exchange_config(), scratch);
  EXPECT_FALSE(r.ok);
  ASSERT_TRUE(r.first_bad_seq.has_value());
  EXPECT_EQ(*r.first_bad_seq, Seq(1));  // OpenAccount of the government account
  EXPECT_NE(r.problem.find("registry command record"), std::string::npos) << r.problem;
}

void flip_payload_byte(const std::string& dir, std::uint64_t seq, std::size_t offset) {
  MDB_env* env = nullptr;
  ASSERT_EQ(mdb_env_create(&env), 0);
  mdb_env_set_maxdbs(env, 16);
  mdb_env_set_mapsize(env, std::size_t{1} << 30);
  ASSERT_EQ(mdb_env_open(env, dir.c_str(), 0, 0644), 0);
  MDB_txn* txn = nullptr;
  ASSERT_EQ(mdb_txn_begin(env, nullptr, 0, &txn), 0);
  MDB_dbi dbi = 0;
  ASSERT_EQ(mdb_dbi_open(txn, "journal", 0, &dbi), 0);
  std::uint8_t key[8];
  put_be64(key, seq);
  MDB_val k{8, key}, v;
  ASSERT_EQ(mdb_get(txn, dbi, &k, &v), 0);
  std::vector<std::uint8_t> b(static_cast<std::uint8_t*>(v.mv_data),
                              static_cast<std::uint8_t*>(v.mv_data) + v.mv_size);
  b[sizeof(JournalHeader) + offset] ^= 0x40;
  MDB_val d{b.size(), b.data()};
  ASSERT_EQ(mdb_put(txn, dbi, &k, &d, 0), 0);
  ASSERT_EQ(mdb_txn_commit(txn), 0);
  mdb_env_close(env);
}

TEST(RegistrarLife, ATamperedRegistryRecordIsNamed) {
  registry::testing::TempDir dir;
  const LiveResult live = run_life(dir.sub("live"));
  // the type byte of the allocation issue: no longer a registry command type
  flip_payload_byte(dir.sub("live"), live.allocation_issue_seq.value(), 2);
  {
    auto store = std::move(Store::open(dir.sub("live"))).value();
    Ledger scratch(options());
    const ExchangeReplay r =
        replay_exchange(*store, exchange_config(), registrar_config(), scratch);
    EXPECT_FALSE(r.ok);
    ASSERT_TRUE(r.first_bad_seq.has_value());
    EXPECT_EQ(*r.first_bad_seq, live.allocation_issue_seq);
    EXPECT_NE(r.problem.find("registry record"), std::string::npos) << r.problem;
    const JournalCheck c = verify_journal(*store);
    ASSERT_TRUE(c.first_bad_seq.has_value());
    EXPECT_EQ(*c.first_bad_seq, live.allocation_issue_seq);
  }
  // a byte of a deposit's amount: the chain names the record; the replay ends elsewhere
  registry::testing::TempDir dir2;
  const LiveResult live2 = run_life(dir2.sub("live"));
  flip_payload_byte(dir2.sub("live"), live2.deposit_seq.value(), 8 + 8 + 4 + 2);
  auto store = std::move(Store::open(dir2.sub("live"))).value();
  const JournalCheck c = verify_journal(*store);
  ASSERT_TRUE(c.first_bad_seq.has_value());
  EXPECT_EQ(*c.first_bad_seq, live2.deposit_seq);
  Ledger scratch(options());
  const ExchangeReplay r = replay_exchange(*store, exchange_config(), registrar_config(), scratch);
  EXPECT_TRUE(!r.ok || r.ledger_hash != live2.ledger_hash || r.core_hash != live2.core_hash);
}

}  // namespace
}  // namespace carbonx::registry
