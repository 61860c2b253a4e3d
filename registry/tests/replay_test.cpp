// Replay of real engine commands: a live Core trades over the registry Ledger with its journal
// committed to a Store; replaying the journal from genesis into a fresh Core over a scratch
// Ledger gives the same core and ledger state hashes; a tampered command is named or changes
// the hashes.
#include "carbonx/registry/replay.hpp"

#include <gtest/gtest.h>
#include <lmdb.h>

#include <random>

#include "carbonx/engine/commands.hpp"
#include "carbonx/engine/core.hpp"
#include "carbonx/registry/journal.hpp"
#include "registry_test_util.hpp"

namespace carbonx::registry {
namespace {

constexpr InstrumentId kGdea2017{1};
constexpr AccountId kFeeAccount{3};
constexpr int kTraders = 8;

ExchangeConfig config() {
  ExchangeConfig cfg;
  cfg.fee_account = kFeeAccount;
  cfg.limits.max_orders_per_book = 4096;
  cfg.limits.max_orders_per_level = 256;
  cfg.limits.max_price_levels = 1024;
  cfg.limits.max_fills_per_order = 64;
  cfg.limits.outbox_capacity = 4096;
  InstrumentConfig c;
  c.id = kGdea2017;
  c.code = "GDEA2017";
  c.vintage = 2017;
  c.tick_fen = PriceFen(1);
  c.lot_t = QuantityT(10);
  c.min_order_t = QuantityT(10);
  c.max_order_t = QuantityT(100'000);
  c.reference_price_fen = PriceFen(2000);
  c.fees.set_rate(TradingMode::kListed, Side::kBuy, FeeRate{500, AmountFen(100)});
  c.fees.set_rate(TradingMode::kListed, Side::kSell, FeeRate{500, AmountFen(100)});
  cfg.instruments.push_back(c);
  return cfg;
}

// The genesis ledger: accounts and opening balances put in before the first command.
void genesis(Ledger& l) {
  testing::open_standard_accounts(l, kTraders);
  for (int i = 0; i < kTraders; ++i) {
    const AccountId a(100 + i);
    ASSERT_TRUE(l.deposit(TransferId(1000 + i), a, AmountFen(100'000'000)).ok());
    const Posting p{TransferId(2000 + i),
                    testing::kGov,
                    a,
                    asset_of(kGdea2017),
                    100'000,
                    kNoHold,
                    TransferKind::kIssuance,
                    0};
    ASSERT_TRUE(l.post(std::span(&p, 1)).ok());
  }
}

CommandBody random_command(std::mt19937_64& rng, std::uint64_t seq) {
  if (seq == 1) return SetPhase{true, InstrumentId(0), Phase::kContinuous};
  const auto trader = static_cast<std::uint32_t>(rng() % kTraders);
  if (rng() % 5 == 0) {
    Cancel c;
    c.account = AccountId(100 + trader);
    c.member = MemberId(1);
    c.instrument = kGdea2017;
    c.order_id = OrderId(1 + rng() % seq);
    return c;
  }
  NewOrder o;
  o.account = AccountId(100 + trader);
  o.member = MemberId(1);
  o.instrument = kGdea2017;
  o.side = rng() % 2 == 0 ? Side::kBuy : Side::kSell;
  o.tif = rng() % 4 == 0 ? TimeInForce::kIoc : TimeInForce::kDay;
  o.price_fen = PriceFen(1900 + static_cast<std::int64_t>(rng() % 200));
  o.quantity_t = QuantityT(10 * (1 + static_cast<std::int64_t>(rng() % 50)));
  return o;
}

struct Live {
  std::uint64_t core_hash = 0;
  Digest ledger_hash{};
};

Live run_live(const std::string& dir, int commands) {
  auto store = std::move(Store::open(dir)).value();
  Ledger ledger(testing::standard_options());
  genesis(ledger);
  EXPECT_TRUE(store->commit_batch(Batch{}, ledger).ok());  // the genesis state, no journal
  Core core(config(), ledger);
  std::mt19937_64 rng(11);
  std::vector<CommandRecord> records;
  std::vector<JournalEntry> entries;
  for (std::uint64_t seq = 1; seq <= static_cast<std::uint64_t>(commands); ++seq) {
    const Command cmd{Seq(seq), TimestampNs(static_cast<std::int64_t>(seq) * 1'000'000),
                      random_command(rng, seq)};
    core.apply(cmd);
    core.clear_events();
    records.push_back(encode(cmd));
    if (records.size() == 50 || seq == static_cast<std::uint64_t>(commands)) {
      entries.clear();
      for (std::size_t i = 0; i < records.size(); ++i) {
        const std::uint64_t s = seq - records.size() + 1 + i;
        entries.push_back(JournalEntry{
            Seq(s), TimestampNs(static_cast<std::int64_t>(s) * 1'000'000), records[i]});
      }
      Batch b;
      b.journal = entries;
      EXPECT_TRUE(store->commit_batch(b, ledger).ok());
      records.clear();
    }
  }
  EXPECT_TRUE(ledger.verify().empty());
  EXPECT_GT(ledger.balance(kFeeAccount, kCashAsset).available, 0);  // trades happened
  return Live{core.state_hash(), ledger.state_hash()};
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

TEST(Replay, EngineCommandsReplayToTheSameCoreAndLedgerState) {
  testing::TempDir dir;
  const Live live = run_live(dir.path(), 2'000);
  auto store = std::move(Store::open(dir.path())).value();
  Ledger scratch(testing::standard_options());
  genesis(scratch);
  const CommandReplay r = replay_commands(*store, config(), scratch);
  EXPECT_TRUE(r.ok) << r.problem;
  EXPECT_EQ(r.records, 2'000u);
  EXPECT_EQ(r.core_hash, live.core_hash);
  EXPECT_EQ(to_hex(r.ledger_hash), to_hex(live.ledger_hash));
  EXPECT_TRUE(verify_journal(*store).ok);
}

TEST(Replay, ATamperedCommandIsNamedOrChangesTheState) {
  testing::TempDir dir;
  const Live live = run_live(dir.path(), 300);
  flip_payload_byte(dir.path(), 120, 1);  // the command type byte: no longer decodes
  {
    auto store = std::move(Store::open(dir.path())).value();
    Ledger scratch(testing::standard_options());
    genesis(scratch);
    const CommandReplay r = replay_commands(*store, config(), scratch);
    EXPECT_FALSE(r.ok);
    ASSERT_TRUE(r.first_bad_seq.has_value());
    EXPECT_EQ(*r.first_bad_seq, Seq(120));
    const JournalCheck c = verify_journal(*store);
    ASSERT_TRUE(c.first_bad_seq.has_value());
    EXPECT_EQ(*c.first_bad_seq, Seq(120));
  }
  (void)live;
  testing::TempDir dir2;
  const Live live2 = run_live(dir2.path(), 300);
  flip_payload_byte(dir2.path(), 200, 40);  // a byte inside the command's fields
  auto store = std::move(Store::open(dir2.path())).value();
  const JournalCheck c = verify_journal(*store);
  ASSERT_TRUE(c.first_bad_seq.has_value());
  EXPECT_EQ(*c.first_bad_seq, Seq(200));
  // The replay either refuses the record or ends in another state: never the same silently.
  Ledger scratch(testing::standard_options());
  genesis(scratch);
  const CommandReplay r = replay_commands(*store, config(), scratch);
  EXPECT_TRUE(!r.ok || r.core_hash != live2.core_hash || r.ledger_hash != live2.ledger_hash);
}

}  // namespace
}  // namespace carbonx::registry
