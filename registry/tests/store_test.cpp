// Store tests: commit and reload, idempotency across restarts, queries, map growth, refusals
// (corrupt, foreign, schema, second writer) and the journal chain.
#include "carbonx/registry/store.hpp"

#include <gtest/gtest.h>
#include <lmdb.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <tuple>

#include "carbonx/registry/journal.hpp"
#include "registry_test_util.hpp"
#include "workload.hpp"

namespace carbonx::registry {
namespace {

using testing::kGdea;
using testing::kGov;
using testing::TempDir;

constexpr AccountId kA{100};
constexpr AccountId kB{101};

std::unique_ptr<Store> open_ok(const std::string& dir, StoreOptions o = {}) {
  std::string detail;
  auto s = Store::open(dir, o, &detail);
  EXPECT_TRUE(s.ok()) << detail;
  return s.ok() ? std::move(s).value() : nullptr;
}

std::vector<std::uint8_t> bytes_of(std::string_view s) {
  return {s.begin(), s.end()};
}

Status<StoreError> commit(Store& store, Ledger& ledger, std::uint64_t seq, std::string_view cmd,
                          std::span<const OrderChange> orders = {}) {
  const auto payload = bytes_of(cmd);
  const JournalEntry e{Seq(seq), TimestampNs(static_cast<std::int64_t>(seq) * 1000), payload};
  const auto state = bytes_of("core state " + std::to_string(seq));
  Batch b;
  b.journal = std::span(&e, 1);
  b.orders = orders;
  b.core_state = std::span<const std::uint8_t>(state);
  return store.commit_batch(b, ledger);
}

Posting issue(std::uint64_t id, AccountId to, std::int64_t t) {
  return Posting{TransferId(id), kGov, to, kGdea, t, kNoHold, TransferKind::kIssuance, 0};
}

TEST(Store, CommitThenReloadGivesTheSameState) {
  TempDir dir;
  Digest hash;
  {
    auto store = open_ok(dir.path());
    Ledger ledger(testing::standard_options());
    testing::open_standard_accounts(ledger, 2);
    ledger.begin_command(Seq(1), TimestampNs(1000));
    const Posting p = issue(1, kA, 500);
    ASSERT_TRUE(ledger.post(std::span(&p, 1)).ok());
    ASSERT_TRUE(ledger.hold(make_hold_id(HoldKind::kRepoLock, 9), kA, kGdea, 200).ok());
    ASSERT_TRUE(ledger.set_status(kB, AccountStatus::kFrozen).ok());
    const auto order = bytes_of("order-1");
    const OrderChange oc{42, order, false};
    ASSERT_TRUE(commit(*store, ledger, 1, "cmd1", std::span(&oc, 1)).ok());
    EXPECT_EQ(store->applied_seq(), Seq(1));
    hash = ledger.state_hash();
  }
  auto store = open_ok(dir.path());
  Ledger ledger(testing::standard_options());
  auto rec = store->load(ledger);
  ASSERT_TRUE(rec.ok());
  EXPECT_EQ(rec.value().applied_seq, Seq(1));
  EXPECT_EQ(rec.value().core_state, bytes_of("core state 1"));
  EXPECT_EQ(ledger.state_hash(), hash);
  EXPECT_EQ(ledger.balance(kA, kGdea).frozen, 200);
  EXPECT_EQ(ledger.repo_locked(kA, kGdea), 200);
  EXPECT_EQ(ledger.account(kB)->status, AccountStatus::kFrozen);
  EXPECT_TRUE(ledger.verify().empty());
  std::vector<std::pair<std::uint64_t, std::vector<std::uint8_t>>> orders;
  ASSERT_TRUE(store
                  ->for_each_open_order([&](std::uint64_t id, std::span<const std::uint8_t> r) {
                    orders.emplace_back(id, std::vector<std::uint8_t>(r.begin(), r.end()));
                  })
                  .ok());
  ASSERT_EQ(orders.size(), 1u);
  EXPECT_EQ(orders[0].first, 42u);
  EXPECT_EQ(orders[0].second, bytes_of("order-1"));
  // An order erased in a later batch is gone.
  const OrderChange erase{42, {}, true};
  ASSERT_TRUE(commit(*store, ledger, 2, "cmd2", std::span(&erase, 1)).ok());
  EXPECT_FALSE(store->open_order(42).value().has_value());
  EXPECT_TRUE(verify_journal(*store).ok);
}

TEST(Store, IdempotencyAndHoldIdsSurviveARestart) {
  TempDir dir;
  {
    auto store = open_ok(dir.path());
    Ledger ledger(testing::standard_options());
    testing::open_standard_accounts(ledger, 2);
    const Posting p = issue(7, kA, 500);
    ASSERT_TRUE(ledger.post(std::span(&p, 1)).ok());
    const HoldId h = make_hold_id(HoldKind::kOrder, 3);
    ASSERT_TRUE(ledger.hold(h, kA, kGdea, 10).ok());
    ASSERT_TRUE(ledger.release(h, 10).ok());
    ASSERT_TRUE(commit(*store, ledger, 1, "c").ok());
  }
  auto store = open_ok(dir.path());
  Ledger ledger(testing::standard_options());
  ASSERT_TRUE(store->load(ledger).ok());
  const Posting same = issue(7, kA, 500);
  EXPECT_TRUE(ledger.post(std::span(&same, 1)).ok());
  EXPECT_EQ(ledger.balance(kA, kGdea).available, 500);
  const Posting different = issue(7, kA, 501);
  EXPECT_EQ(ledger.post(std::span(&different, 1)).error(), LedgerError::kDuplicateTransfer);
  EXPECT_EQ(ledger.hold(make_hold_id(HoldKind::kOrder, 3), kA, kGdea, 1).error(),
            LedgerError::kDuplicateHold);
  EXPECT_TRUE(ledger.hold(make_hold_id(HoldKind::kOrder, 4), kA, kGdea, 1).ok());
  ASSERT_TRUE(ledger.find_transfer(TransferId(7)).has_value());
  EXPECT_EQ(ledger.find_transfer(TransferId(7))->amount, 500);
  EXPECT_FALSE(ledger.find_transfer(TransferId(6)).has_value());
}

TEST(Store, AResizedHoldIsWrittenAndReloaded) {
  TempDir dir;
  const HoldId h = make_hold_id(HoldKind::kOrder, 3);
  Digest hash;
  {
    auto store = open_ok(dir.path());
    Ledger ledger(testing::standard_options());
    testing::open_standard_accounts(ledger, 2);
    const Posting p = issue(7, kA, 500);
    ASSERT_TRUE(ledger.post(std::span(&p, 1)).ok());
    ASSERT_TRUE(ledger.hold(h, kA, kGdea, 10).ok());
    ASSERT_TRUE(commit(*store, ledger, 1, "hold").ok());
    ASSERT_TRUE(ledger.resize_hold(h, 400).ok());  // only the resize is in this batch
    ASSERT_TRUE(commit(*store, ledger, 2, "grow").ok());
    ASSERT_TRUE(ledger.resize_hold(h, 250).ok());
    ASSERT_TRUE(commit(*store, ledger, 3, "shrink").ok());
    hash = ledger.state_hash();
  }
  auto store = open_ok(dir.path());
  Ledger ledger(testing::standard_options());
  ASSERT_TRUE(store->load(ledger).ok());
  EXPECT_EQ(ledger.state_hash(), hash);
  ASSERT_TRUE(ledger.hold_record(h).has_value());
  EXPECT_EQ(ledger.hold_record(h)->amount, 400);
  EXPECT_EQ(ledger.hold_record(h)->remaining, 250);
  EXPECT_EQ(ledger.balance(kA, kGdea).available, 250);
  EXPECT_EQ(ledger.balance(kA, kGdea).frozen, 250);
  EXPECT_TRUE(ledger.verify().empty());
}

// A store written before resize_hold: a replace moved an order's hold to a new id with a
// generation above the order ids (order | generation << 40), which raised the kind's largest id
// above every later order's. After a reload, new orders' hold ids are still known new without a
// look at the store, and every used id, low or high, open or closed, is still a duplicate.
TEST(Store, OldGenerationHoldIdsDoNotSendNewHoldIdsToTheStore) {
  TempDir dir;
  const auto order = [](std::uint64_t id, std::uint64_t generation) {
    return make_hold_id(HoldKind::kOrder, id | (generation << 40));
  };
  {
    auto store = open_ok(dir.path());
    Ledger ledger(testing::standard_options());
    testing::open_standard_accounts(ledger, 2);
    const Posting p = issue(7, kA, 500);
    ASSERT_TRUE(ledger.post(std::span(&p, 1)).ok());
    // Order 1 replaced twice the old way (closed by now), order 3 once (still open), order 5
    // never (closed), order 6 open.
    for (const HoldId h : {order(1, 0), order(1, 1), order(1, 2), order(1, 3), order(1, 4)}) {
      ASSERT_TRUE(ledger.hold(h, kA, kGdea, 1).ok());
      ASSERT_TRUE(ledger.release(h, 1).ok());
    }
    for (const HoldId h : {order(3, 0), order(3, 1)}) {
      ASSERT_TRUE(ledger.hold(h, kA, kGdea, 1).ok());
      ASSERT_TRUE(ledger.release(h, 1).ok());
    }
    ASSERT_TRUE(ledger.hold(order(3, 2), kA, kGdea, 2).ok());
    ASSERT_TRUE(ledger.hold(order(5, 0), kA, kGdea, 1).ok());
    ASSERT_TRUE(ledger.release(order(5, 0), 1).ok());
    ASSERT_TRUE(ledger.hold(order(6, 0), kA, kGdea, 1).ok());
    ASSERT_TRUE(commit(*store, ledger, 1, "old").ok());
    EXPECT_EQ(ledger.counters().max_hold[static_cast<int>(HoldKind::kOrder)], order(1, 4).value());
  }
  auto store = open_ok(dir.path());
  Ledger ledger(testing::standard_options());
  ASSERT_TRUE(store->load(ledger).ok());
  const std::uint64_t reads = store->history_reads();
  for (std::uint64_t id = 7; id < 107; ++id) {
    ASSERT_TRUE(ledger.hold(order(id, 0), kA, kGdea, 1).ok());
  }
  ASSERT_TRUE(commit(*store, ledger, 2, "new").ok());
  for (std::uint64_t id = 107; id < 207; ++id) {  // after a commit too (nothing in memory)
    ASSERT_TRUE(ledger.hold(order(id, 0), kA, kGdea, 1).ok());
  }
  EXPECT_EQ(store->history_reads(), reads) << "a new order's hold id read the store";
  // The old open hold grows in place, without a read either.
  ASSERT_TRUE(ledger.resize_hold(order(3, 2), 5).ok());
  EXPECT_EQ(store->history_reads(), reads);
  // Used ids are still refused (these may read the store: they are not above the watermarks).
  for (const HoldId h : {order(1, 0), order(1, 4), order(3, 1), order(3, 2), order(5, 0),
                         order(6, 0), order(50, 0)}) {
    EXPECT_EQ(ledger.hold(h, kA, kGdea, 1).error(), LedgerError::kDuplicateHold)
        << std::hex << h.value();
  }
  // An unused id below a watermark is found unused in the store.
  EXPECT_TRUE(ledger.hold(order(4, 0), kA, kGdea, 1).ok());
  EXPECT_TRUE(ledger.hold(order(2, 3), kA, kGdea, 1).ok());
  EXPECT_TRUE(ledger.verify().empty());
}

TEST(Store, AFailedCommitKeepsTheBatchForARetry) {
  TempDir dir;
  {
    auto store = open_ok(dir.path());
    Ledger ledger(testing::standard_options());
    testing::open_standard_accounts(ledger, 2);
    const Posting p = issue(1, kA, 50);
    ASSERT_TRUE(ledger.post(std::span(&p, 1)).ok());
    EXPECT_EQ(commit(*store, ledger, 5, "wrong seq").error(), StoreError::kSeqGap);
    EXPECT_NE(store->last_error_detail().find("expected 1"), std::string::npos);
    ASSERT_TRUE(commit(*store, ledger, 1, "right seq").ok());
  }
  auto store = open_ok(dir.path());
  Ledger ledger(testing::standard_options());
  ASSERT_TRUE(store->load(ledger).ok());
  EXPECT_EQ(ledger.balance(kA, kGdea).available, 50);
  EXPECT_EQ(ledger.account_count(), 5u);
}

TEST(Store, AccountsHoldsAndTransferFieldsSurviveAReload) {
  TempDir dir;
  const HoldId h = make_hold_id(HoldKind::kOrder, 11);
  {
    auto store = open_ok(dir.path());
    Ledger ledger(testing::standard_options());
    testing::open_standard_accounts(ledger, 3);
    Account retire = testing::make_account(AccountId(50), AccountKind::kRetirement);
    retire.owner_entity = 77;
    retire.member = MemberId(9);
    retire.region_code = 440000;
    ASSERT_TRUE(ledger.open_account(retire).ok());
    ledger.begin_command(Seq(1), TimestampNs(111));
    const Posting p = issue(1, kA, 100);
    ASSERT_TRUE(ledger.post(std::span(&p, 1)).ok());
    ASSERT_TRUE(ledger.hold(h, kA, kGdea, 40).ok());
    ASSERT_TRUE(ledger.set_holding_limit(kB, 1234).ok());
    ASSERT_TRUE(ledger.set_status(AccountId(102), AccountStatus::kClosed).ok());
    ASSERT_TRUE(commit(*store, ledger, 1, "c1").ok());
    ledger.begin_command(Seq(2), TimestampNs(222));
    const Posting draw{TransferId(2), kA, kB, kGdea, 15, h, TransferKind::kTrade, 4242};
    ASSERT_TRUE(ledger.post(std::span(&draw, 1)).ok());
    ASSERT_TRUE(commit(*store, ledger, 2, "c2").ok());
  }
  {
    auto store = open_ok(dir.path());
    Ledger ledger(testing::standard_options());
    ASSERT_TRUE(store->load(ledger).ok());
    const Account* r = ledger.account(AccountId(50));
    ASSERT_NE(r, nullptr);
    EXPECT_EQ(r->kind, AccountKind::kRetirement);
    EXPECT_EQ(r->compliance_year, 2024);
    EXPECT_EQ(r->owner_entity, 77u);
    EXPECT_EQ(r->member, MemberId(9));
    EXPECT_EQ(r->region_code, 440000u);
    EXPECT_EQ(ledger.account(kB)->holding_limit_t, 1234);
    EXPECT_EQ(ledger.account(AccountId(102))->status, AccountStatus::kClosed);
    EXPECT_EQ(ledger.held(h), 25);
    EXPECT_EQ(ledger.hold_record(h)->amount, 40);
    const auto st = store->statement(kB, 0, 10).value();
    ASSERT_EQ(st.transfers.size(), 1u);
    const TransferRecord& t = st.transfers[0];
    EXPECT_EQ(t.id, 2u);
    EXPECT_EQ(t.seq, 2u);
    EXPECT_EQ(t.ts_ns, 222);
    EXPECT_EQ(t.from_hold, h.value());
    EXPECT_EQ(t.reference, 4242u);
    EXPECT_EQ(t.kind, static_cast<std::uint8_t>(TransferKind::kTrade));
    EXPECT_EQ(store->statement(kB, 0, 0).value().transfers.size(), 0u);
    EXPECT_EQ(store->statement(kB, 0, 0).value().next_pos, std::optional<std::uint64_t>(t.pos));
    // The hold closes in a third batch; its id stays used after the next reload.
    ledger.begin_command(Seq(3), TimestampNs(333));
    ASSERT_TRUE(ledger.release(h, 25).ok());
    ASSERT_TRUE(commit(*store, ledger, 3, "c3").ok());
  }
  auto store = open_ok(dir.path());
  Ledger ledger(testing::standard_options());
  ASSERT_TRUE(store->load(ledger).ok());
  EXPECT_EQ(ledger.open_hold_count(), 0u);
  EXPECT_EQ(ledger.balance(kA, kGdea).frozen, 0);
  EXPECT_EQ(ledger.hold(h, kA, kGdea, 1).error(), LedgerError::kDuplicateHold);
  EXPECT_EQ(store->stats().value().open_holds, 0u);
  EXPECT_TRUE(ledger.verify().empty());
}

TEST(Store, RejectsASeqGap) {
  TempDir dir;
  auto store = open_ok(dir.path());
  Ledger ledger;
  EXPECT_EQ(commit(*store, ledger, 2, "x").error(), StoreError::kSeqGap);
  ASSERT_TRUE(commit(*store, ledger, 1, "x").ok());
  EXPECT_EQ(commit(*store, ledger, 1, "x").error(), StoreError::kSeqGap);
  EXPECT_EQ(store->applied_seq(), Seq(1));
}

TEST(Store, StatementPagesAndHoldingsAtASeq) {
  TempDir dir;
  auto store = open_ok(dir.path());
  Ledger ledger(testing::standard_options());
  testing::open_standard_accounts(ledger, 2);
  for (std::uint64_t seq = 1; seq <= 5; ++seq) {
    ledger.begin_command(Seq(seq), TimestampNs(static_cast<std::int64_t>(seq)));
    const Posting p = issue(seq, seq % 2 == 0 ? kA : kB, static_cast<std::int64_t>(seq * 10));
    ASSERT_TRUE(ledger.post(std::span(&p, 1)).ok());
    ASSERT_TRUE(commit(*store, ledger, seq, "c").ok());
  }
  auto page = store->statement(kB, 0, 2).value();
  ASSERT_EQ(page.transfers.size(), 2u);
  EXPECT_EQ(page.transfers[0].id, 1u);
  EXPECT_EQ(page.transfers[1].id, 3u);
  ASSERT_TRUE(page.next_pos.has_value());
  page = store->statement(kB, *page.next_pos, 2).value();
  ASSERT_EQ(page.transfers.size(), 1u);
  EXPECT_EQ(page.transfers[0].id, 5u);
  EXPECT_FALSE(page.next_pos.has_value());
  EXPECT_EQ(store->statement(kGov, 0, 100).value().transfers.size(), 5u);
  const auto at3 = store->holdings_at(Seq(3)).value();
  ASSERT_EQ(at3.size(), 3u);  // gov -60, A +20, B +40
  EXPECT_EQ(at3[0].account, kGov);
  EXPECT_EQ(at3[0].amount, -60);
  EXPECT_EQ(at3[1].amount, 20);
  EXPECT_EQ(at3[2].amount, 40);
  EXPECT_EQ(store->holdings_at(Seq(0)).value().size(), 0u);
}

TEST(Store, MapGrowsAndStopsAtTheConfiguredMaximum) {
  TempDir dir;
  StoreOptions o;
  o.initial_map_bytes = 1 << 20;
  o.max_map_bytes = 64 << 20;
  o.durability = Durability::kNoSync;
  auto store = open_ok(dir.path(), o);
  Ledger ledger;
  const std::vector<std::uint8_t> big(200'000, 7);
  std::uint64_t seq = 1;
  for (; seq <= 40; ++seq) {
    const JournalEntry e{Seq(seq), TimestampNs(1), big};
    Batch b;
    b.journal = std::span(&e, 1);
    ASSERT_TRUE(store->commit_batch(b, ledger).ok()) << store->last_error_detail();
  }
  EXPECT_GT(store->stats().value().map_bytes, std::size_t{1} << 20);
  // Keep writing until the maximum: a clear kMapFull, never a crash, and the store stays usable.
  Status<StoreError> st;
  for (; seq < 1000; ++seq) {
    const JournalEntry e{Seq(seq), TimestampNs(1), big};
    Batch b;
    b.journal = std::span(&e, 1);
    st = store->commit_batch(b, ledger);
    if (!st) break;
  }
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error(), StoreError::kMapFull);
  EXPECT_EQ(store->applied_seq(), Seq(seq - 1));
  EXPECT_TRUE(verify_journal(*store).ok);
}

// A child process stands in for a full disk with a file size limit of 8 MiB (writes past it fail
// with EFBIG): it opens the store in `options` and commits 100 kB journal entries until the store
// refuses; the refusal must be kDiskFull after some commits (exit 0). The parent then reopens the
// store in the default (durable) mode and checks that every commit made is there and intact.
void fill_until_the_disk_is_full(const TempDir& dir, const StoreOptions& options) {
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    signal(SIGXFSZ, SIG_IGN);
    auto opened = Store::open(dir.path(), options);
    if (!opened.ok()) _exit(10);
    auto store = std::move(opened).value();
    const rlimit limit{8 << 20, 8 << 20};
    if (setrlimit(RLIMIT_FSIZE, &limit) != 0) _exit(11);
    Ledger ledger;
    const std::vector<std::uint8_t> big(100'000, 3);
    for (std::uint64_t seq = 1; seq < 1000; ++seq) {
      const JournalEntry e{Seq(seq), TimestampNs(1), big};
      Batch b;
      b.journal = std::span(&e, 1);
      const auto st = store->commit_batch(b, ledger);
      if (!st) {
        std::fprintf(stderr, "seq %llu: %s: %s\n", static_cast<unsigned long long>(seq),
                     std::string(to_string(st.error())).c_str(),
                     store->last_error_detail().c_str());
        _exit(st.error() == StoreError::kDiskFull && seq > 1 ? 0 : 12);
      }
    }
    _exit(13);
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  auto store = open_ok(dir.path());
  EXPECT_GT(store->applied_seq().value(), 10u);
  const JournalCheck c = verify_journal(*store);
  EXPECT_TRUE(c.ok) << c.problem;
}

TEST(Store, AFullDiskIsAClearErrorAndLosesNoCommit) {
  TempDir dir;
  fill_until_the_disk_is_full(dir, StoreOptions{});
}

// kNoSync writes pages through the map (MDB_WRITEMAP) into a preallocated file: the disk (here
// the file size limit) running out is a kDiskFull at the map's growth, never a SIGBUS, and the
// store then reopens in the default (durable) mode with every commit.
TEST(Store, NoSyncModeReportsAFullDiskAndReopensInFullSync) {
  TempDir dir;
  StoreOptions o;
  o.durability = Durability::kNoSync;
  o.initial_map_bytes = std::size_t{4} << 20;
  fill_until_the_disk_is_full(dir, o);
}

TEST(Store, RefusesACorruptFile) {
  TempDir dir;
  {
    std::ofstream f(dir.sub("data.mdb"), std::ios::binary);
    const std::string junk(64 * 1024, 'x');
    f << junk;
  }
  std::string detail;
  auto s = Store::open(dir.path(), {}, &detail);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error(), StoreError::kCorrupt);
  EXPECT_NE(detail.find("not a readable LMDB environment"), std::string::npos) << detail;
}

// Writes a plain LMDB environment with `setup` applied in one write transaction.
void make_raw_env(const std::string& dir, const std::function<void(MDB_txn*)>& setup) {
  MDB_env* env = nullptr;
  ASSERT_EQ(mdb_env_create(&env), 0);
  mdb_env_set_maxdbs(env, 16);
  ASSERT_EQ(mdb_env_open(env, dir.c_str(), 0, 0644), 0);
  MDB_txn* txn = nullptr;
  ASSERT_EQ(mdb_txn_begin(env, nullptr, 0, &txn), 0);
  setup(txn);
  ASSERT_EQ(mdb_txn_commit(txn), 0);
  mdb_env_close(env);
}

void put_raw(MDB_txn* txn, const char* db, std::string_view key, std::span<const std::uint8_t> v,
             unsigned flags = MDB_CREATE) {
  MDB_dbi dbi = 0;
  ASSERT_EQ(mdb_dbi_open(txn, db, flags, &dbi), 0);
  MDB_val k{key.size(), const_cast<char*>(key.data())};
  MDB_val d{v.size(), const_cast<std::uint8_t*>(v.data())};
  ASSERT_EQ(mdb_put(txn, dbi, &k, &d, 0), 0);
}

TEST(Store, RefusesAForeignEnvironment) {
  TempDir dir;
  make_raw_env(dir.path(), [](MDB_txn* txn) {
    const std::uint8_t v[] = {1, 2, 3};
    put_raw(txn, "customers", "alice", v);
  });
  std::string detail;
  auto s = Store::open(dir.path(), {}, &detail);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error(), StoreError::kForeign) << detail;
}

TEST(Store, RefusesAWrongMagicAndAnotherSchemaVersion) {
  TempDir foreign;
  make_raw_env(foreign.path(), [](MDB_txn* txn) {
    const std::uint64_t magic = 0x1234;
    put_raw(txn, "meta", "magic", std::span(reinterpret_cast<const std::uint8_t*>(&magic), 8));
  });
  auto s = Store::open(foreign.path());
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error(), StoreError::kForeign);

  TempDir newer;
  { ASSERT_NE(open_ok(newer.path()), nullptr); }
  make_raw_env(newer.path(), [](MDB_txn* txn) {
    const std::uint32_t schema = kSchemaVersion + 1;
    put_raw(txn, "meta", "schema_version",
            std::span(reinterpret_cast<const std::uint8_t*>(&schema), 4), 0);
  });
  std::string detail;
  s = Store::open(newer.path(), {}, &detail);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error(), StoreError::kSchemaVersion);
  EXPECT_NE(detail.find("schema version 2"), std::string::npos) << detail;
}

TEST(Store, RefusesASecondWriter) {
  TempDir dir;
  auto first = open_ok(dir.path());
  // In this process (a second open of the same directory)...
  auto again = Store::open(dir.path());
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error(), StoreError::kLocked);
  // ...and from another process. The child opens nothing it inherited: it calls Store::open.
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    auto s = Store::open(dir.path());
    _exit(!s.ok() && s.error() == StoreError::kLocked ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  first.reset();
  EXPECT_NE(open_ok(dir.path()), nullptr);  // free again once the first closes
}

// Rewrites the stored journal record `seq` with `edit` applied to its bytes.
void tamper(const std::string& dir, std::uint64_t seq,
            const std::function<void(std::vector<std::uint8_t>&)>& edit) {
  make_raw_env(dir, [&](MDB_txn* txn) {
    MDB_dbi dbi = 0;
    ASSERT_EQ(mdb_dbi_open(txn, "journal", 0, &dbi), 0);
    std::uint8_t key[8];
    put_be64(key, seq);
    MDB_val k{8, key}, v;
    ASSERT_EQ(mdb_get(txn, dbi, &k, &v), 0);
    std::vector<std::uint8_t> b(static_cast<std::uint8_t*>(v.mv_data),
                                static_cast<std::uint8_t*>(v.mv_data) + v.mv_size);
    edit(b);
    if (b.empty()) {
      ASSERT_EQ(mdb_del(txn, dbi, &k, nullptr), 0);
      return;
    }
    MDB_val d{b.size(), b.data()};
    ASSERT_EQ(mdb_put(txn, dbi, &k, &d, 0), 0);
  });
}

void write_journal(const std::string& dir, int n) {
  auto store = open_ok(dir);
  Ledger ledger;
  for (int i = 1; i <= n; ++i) {
    ASSERT_TRUE(commit(*store, ledger, static_cast<std::uint64_t>(i), "command payload").ok());
  }
  const JournalCheck ok = verify_journal(*store);
  EXPECT_TRUE(ok.ok) << ok.problem;
  EXPECT_EQ(ok.records, static_cast<std::uint64_t>(n));
}

TEST(Journal, NamesTheFirstTamperedRecord) {
  TempDir dir;
  write_journal(dir.path(), 10);
  tamper(dir.path(), 6, [](std::vector<std::uint8_t>& b) { b[sizeof(JournalHeader)] ^= 1; });
  auto store = open_ok(dir.path());
  const JournalCheck c = verify_journal(*store);
  EXPECT_FALSE(c.ok);
  ASSERT_TRUE(c.first_bad_seq.has_value());
  EXPECT_EQ(*c.first_bad_seq, Seq(6));
  EXPECT_EQ(c.last_seq, Seq(5));
  EXPECT_NE(c.problem.find("tampered"), std::string::npos);
}

TEST(Journal, DetectsARecomputedHashThroughTheNextRecord) {
  TempDir dir;
  write_journal(dir.path(), 10);
  Digest prev{};
  {
    auto store = open_ok(dir.path());
    ASSERT_TRUE(store
                    ->read_journal(Seq(3),
                                   [&](const JournalRecordView& r) {
                                     prev = r.hash;
                                     return false;
                                   })
                    .ok());
  }
  // Edit record 4's payload and recompute its own hash: record 4 is then self-consistent, and the
  // break shows at record 5, whose hash covered the old one.
  tamper(dir.path(), 4, [&](std::vector<std::uint8_t>& b) {
    b[sizeof(JournalHeader)] ^= 1;
    JournalRecordView v;
    ASSERT_TRUE(decode_journal_record(b, v));
    const Digest h = journal_hash(prev, v.header, v.payload);
    std::copy(h.begin(), h.end(), b.end() - 32);
  });
  auto store = open_ok(dir.path());
  const JournalCheck c = verify_journal(*store);
  ASSERT_TRUE(c.first_bad_seq.has_value());
  EXPECT_EQ(*c.first_bad_seq, Seq(5));
  EXPECT_EQ(c.last_seq, Seq(4));
}

TEST(Journal, NamesADeletedRecordAndAMalformedOne) {
  TempDir dir;
  write_journal(dir.path(), 10);
  tamper(dir.path(), 3, [](std::vector<std::uint8_t>& b) { b.clear(); });
  {
    auto store = open_ok(dir.path());
    const JournalCheck c = verify_journal(*store);
    ASSERT_TRUE(c.first_bad_seq.has_value());
    EXPECT_EQ(*c.first_bad_seq, Seq(3));
    EXPECT_NE(c.problem.find("missing"), std::string::npos);
  }
  TempDir dir2;
  write_journal(dir2.path(), 5);
  tamper(dir2.path(), 2, [](std::vector<std::uint8_t>& b) { b.resize(10); });
  auto store = open_ok(dir2.path());
  const JournalCheck c = verify_journal(*store);
  ASSERT_TRUE(c.first_bad_seq.has_value());
  EXPECT_EQ(*c.first_bad_seq, Seq(2));
  EXPECT_NE(c.problem.find("malformed"), std::string::npos);
}

TEST(Store, VerifyCatchesATamperedBalanceRow) {
  TempDir dir;
  {
    auto store = open_ok(dir.path());
    Ledger ledger(testing::standard_options());
    testing::open_standard_accounts(ledger, 2);
    const Posting p = issue(1, kA, 500);
    ASSERT_TRUE(ledger.post(std::span(&p, 1)).ok());
    ASSERT_TRUE(commit(*store, ledger, 1, "c").ok());
  }
  make_raw_env(dir.path(), [](MDB_txn* txn) {
    std::uint8_t key[8];
    put_be32(key, kA.value());
    put_be32(key + 4, kGdea.value());
    BalanceRecord r{501, 0, 0};
    MDB_dbi dbi = 0;
    ASSERT_EQ(mdb_dbi_open(txn, "balances", 0, &dbi), 0);
    MDB_val k{8, key}, v{sizeof r, &r};
    ASSERT_EQ(mdb_put(txn, dbi, &k, &v, 0), 0);
  });
  auto store = open_ok(dir.path());
  Ledger ledger(testing::standard_options());
  ASSERT_TRUE(store->load(ledger).ok());
  const auto violations = ledger.verify();
  ASSERT_EQ(violations.size(), 1u);
  EXPECT_NE(violations[0].find("sum to 1"), std::string::npos) << violations[0];
}

// The used ids as stored: "member:id" in key order, and the header's day (-1: no header).
std::pair<std::vector<std::string>, std::int32_t> stored_used_ids(const std::string& dir) {
  auto store = open_ok(dir);
  if (!store) return {{}, -2};
  Ledger ledger;
  const auto rec = store->load(ledger);
  EXPECT_TRUE(rec.ok());
  std::vector<std::string> ids;
  EXPECT_TRUE(store
                  ->for_each_used_id([&](std::uint32_t m, std::string_view id) {
                    ids.push_back(std::to_string(m) + ":" + std::string(id));
                  })
                  .ok());
  const auto day = rec.ok() && rec.value().used_ids_day ? rec.value().used_ids_day->yyyymmdd : -1;
  return {ids, day};
}

TEST(Store, UsedIdsCommitWithTheBatchAndAResetDropsThem) {
  TempDir dir;
  EXPECT_EQ(stored_used_ids(dir.path()).second, 0);  // a new store keeps them from the start
  {
    auto store = open_ok(dir.path());
    Ledger ledger;
    const auto payload = bytes_of("cmd 1");
    const JournalEntry e{Seq(1), TimestampNs(1000), payload};
    const UsedIdChange day1[] = {{1, "A", false}, {1, "B", false}, {2, "A", false},
                                 {1, "B", true},  {1, "", false},  {1, "Z", true}};
    Batch b;
    b.journal = std::span(&e, 1);
    b.used_ids = UsedIdsUpdate{false, Date{20170509}, day1};
    ASSERT_TRUE(store->commit_batch(b, ledger).ok()) << store->last_error_detail();
  }
  auto [ids, day] = stored_used_ids(dir.path());
  EXPECT_EQ(ids, (std::vector<std::string>{"1:", "1:A", "2:A"}));
  EXPECT_EQ(day, 20170509);
  {
    auto store = open_ok(dir.path());
    Ledger ledger;
    ASSERT_TRUE(store->load(ledger).ok());
    const UsedIdChange day2[] = {{3, "C", false}};
    Batch b;  // no journal record: the ids alone (a new day seen by a query)
    b.used_ids = UsedIdsUpdate{true, Date{20170510}, day2};
    ASSERT_TRUE(store->commit_batch(b, ledger).ok());
    EXPECT_EQ(store->applied_seq(), Seq(1));
  }
  std::tie(ids, day) = stored_used_ids(dir.path());
  EXPECT_EQ(ids, (std::vector<std::string>{"3:C"}));
  EXPECT_EQ(day, 20170510);
}

// The used ids are written in the batch's write transaction, before its journal records: a batch
// that fails inside that transaction (here the map is full at its large journal record) leaves
// neither its ids nor its day on disk, and a batch refused before it (a seq gap) neither.
TEST(Store, UsedIdsOfAFailedBatchAreNotStored) {
  TempDir dir;
  StoreOptions o;
  o.initial_map_bytes = 1 << 20;
  o.max_map_bytes = 8 << 20;
  o.durability = Durability::kNoSync;
  const std::vector<std::uint8_t> big(200'000, 7);
  {
    auto store = open_ok(dir.path(), o);
    Ledger ledger;
    std::uint64_t seq = 1;
    Status<StoreError> st;
    for (; seq < 1000 && st.ok(); ++seq) {
      const JournalEntry e{Seq(seq), TimestampNs(1), big};
      const std::string id = "id" + std::to_string(seq);
      const UsedIdChange ids[] = {{7, id, false}};
      Batch b;
      b.journal = std::span(&e, 1);
      b.used_ids = UsedIdsUpdate{false, Date{static_cast<std::int32_t>(20170000 + seq)}, ids};
      st = store->commit_batch(b, ledger);
    }
    ASSERT_EQ(st.error(), StoreError::kMapFull);
    const std::uint64_t failed = seq - 1;
    EXPECT_EQ(store->applied_seq(), Seq(failed - 1));
    const JournalEntry gap{Seq(failed + 5), TimestampNs(1), big};
    const UsedIdChange more[] = {{7, "gap", false}};
    Batch b;
    b.journal = std::span(&gap, 1);
    b.used_ids = UsedIdsUpdate{true, Date{20991231}, more};
    EXPECT_EQ(store->commit_batch(b, ledger).error(), StoreError::kSeqGap);
  }
  const auto [ids, day] = stored_used_ids(dir.path());
  auto store = open_ok(dir.path(), o);
  const std::uint64_t applied = store->applied_seq().value();
  ASSERT_GT(applied, 0u);
  EXPECT_EQ(ids.size(), applied);  // one id per committed batch, none of the failed ones
  EXPECT_EQ(std::count(ids.begin(), ids.end(), "7:id" + std::to_string(applied)), 1);
  EXPECT_EQ(std::count(ids.begin(), ids.end(), "7:id" + std::to_string(applied + 1)), 0);
  EXPECT_EQ(std::count(ids.begin(), ids.end(), "7:gap"), 0);
  EXPECT_EQ(day, static_cast<std::int32_t>(20170000 + applied));
}

// A store written before the used ids were kept (no header, no table): opened, it says so
// (used_ids_day is nullopt, the caller rebuilds them), and its first batch with ids keeps them.
TEST(Store, AStoreWithoutUsedIdsSaysSoUntilTheyAreWritten) {
  TempDir dir;
  {
    auto store = open_ok(dir.path());
    Ledger ledger;
    ASSERT_TRUE(commit(*store, ledger, 1, "cmd 1").ok());
  }
  make_raw_env(dir.path(), [](MDB_txn* txn) {
    MDB_dbi meta = 0, used = 0;
    ASSERT_EQ(mdb_dbi_open(txn, "meta", 0, &meta), 0);
    MDB_val k{8, const_cast<char*>("used_ids")};
    ASSERT_EQ(mdb_del(txn, meta, &k, nullptr), 0);
    ASSERT_EQ(mdb_dbi_open(txn, "used_ids", 0, &used), 0);
    ASSERT_EQ(mdb_drop(txn, used, 1), 0);
  });
  EXPECT_EQ(stored_used_ids(dir.path()).second, -1);
  {
    auto store = open_ok(dir.path());
    Ledger ledger;
    ASSERT_TRUE(store->load(ledger).ok());
    const UsedIdChange ids[] = {{1, "A", false}};
    Batch b;
    b.used_ids = UsedIdsUpdate{true, Date{20170509}, ids};
    ASSERT_TRUE(store->commit_batch(b, ledger).ok());
  }
  const auto [ids, day] = stored_used_ids(dir.path());
  EXPECT_EQ(ids, (std::vector<std::string>{"1:A"}));
  EXPECT_EQ(day, 20170509);
}

TEST(Store, ErrorTexts) {
  EXPECT_EQ(to_string(StoreError::kLocked), "another process has the store open");
  EXPECT_EQ(to_string(StoreError::kDiskFull), "the disk is full");
}

}  // namespace
}  // namespace carbonx::registry
