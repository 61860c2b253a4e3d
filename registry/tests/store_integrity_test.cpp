// Store integrity at open (issue #14): a damaged data file is refused with a sentence before LMDB
// maps it (truncated to any length, emptied, not LMDB), open modes never create a store where
// one must exist nor over one that exists, the exchange identity recorded at creation, read-only
// opening writes nothing, and the journal's tail check.
#include <gtest/gtest.h>
#include <lmdb.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "carbonx/registry/journal.hpp"
#include "carbonx/registry/store.hpp"
#include "registry_test_util.hpp"

namespace carbonx::registry {
namespace {

using testing::kGdea;
using testing::kGov;
using testing::TempDir;
namespace fs = std::filesystem;

std::unique_ptr<Store> open_ok(const std::string& dir, StoreOptions o = {}) {
  std::string detail;
  auto s = Store::open(dir, o, &detail);
  EXPECT_TRUE(s.ok()) << detail;
  return s.ok() ? std::move(s).value() : nullptr;
}

// A store of `commits` batches, each a 20 kB journal record and an issuance (several MB).
void write_store(const std::string& dir, int commits) {
  auto store = open_ok(dir);
  ASSERT_NE(store, nullptr);
  Ledger ledger;
  ASSERT_TRUE(
      ledger.open_account(testing::make_account(kGov, AccountKind::kGovernmentIssuance)).ok());
  ASSERT_TRUE(
      ledger.open_account(testing::make_account(AccountId(100), AccountKind::kControlEmissionFirm))
          .ok());
  const std::vector<std::uint8_t> payload(20'000, 5);
  for (int i = 1; i <= commits; ++i) {
    const Posting p{TransferId(static_cast<std::uint64_t>(i)),
                    kGov,
                    AccountId(100),
                    kGdea,
                    10,
                    kNoHold,
                    TransferKind::kIssuance,
                    0};
    ASSERT_TRUE(ledger.post(std::span(&p, 1)).ok());
    const JournalEntry e{Seq(static_cast<std::uint64_t>(i)), TimestampNs(i), payload};
    Batch b;
    b.journal = std::span(&e, 1);
    ASSERT_TRUE(store->commit_batch(b, ledger).ok()) << store->last_error_detail();
  }
}

std::uintmax_t data_size(const std::string& dir) {
  return fs::file_size(dir + "/data.mdb");
}

void truncate_to(const std::string& dir, std::uintmax_t bytes) {
  fs::resize_file(dir + "/data.mdb", bytes);
}

// Every way of cutting the file short is refused with a sentence, in this process: had LMDB
// mapped it, a page past the end would have been a SIGBUS and ended the test binary.
TEST(StoreIntegrity, ATruncatedDataFileIsRefusedNeverMapped) {
  TempDir original;
  write_store(original.path(), 200);
  const std::uintmax_t full = data_size(original.path());
  ASSERT_GT(full, std::uintmax_t{2} << 20);
  const auto info = inspect_data_file(original.path(), nullptr);
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info.value().page_size, 4096u);
  EXPECT_LE(info.value().used_bytes, full);
  const std::vector<std::uintmax_t> sizes{full / 2,   full * 9 / 10, full - 1,     full - 4096,
                                          full / 10,  3 * 4096,      2 * 4096 + 7, 2 * 4096,
                                          4096 + 100, 4096,          100};
  for (const std::uintmax_t size : sizes) {
    TempDir dir;
    fs::copy_file(original.sub("data.mdb"), dir.sub("data.mdb"));
    truncate_to(dir.path(), size);
    std::string detail;
    auto s = Store::open(dir.path(), {}, &detail);
    ASSERT_FALSE(s.ok()) << size;
    EXPECT_EQ(s.error(), StoreError::kCorrupt) << size;
    if (size >= 2 * 4096 + 152) {
      EXPECT_NE(detail.find("data.mdb is truncated: the file has "), std::string::npos) << detail;
      EXPECT_NE(detail.find("restore the store from a backup"), std::string::npos) << detail;
    } else {
      EXPECT_NE(detail.find("meta page"), std::string::npos) << detail;
    }
    // Read-only (cxctl journal verify, inspection) refuses it the same way.
    StoreOptions ro;
    ro.read_only = true;
    auto r = Store::open(dir.path(), ro, &detail);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error(), StoreError::kCorrupt);
    EXPECT_EQ(data_size(dir.path()), size) << "nothing may extend or rewrite the file";
  }
  // The untouched original still opens with everything in it.
  auto store = open_ok(original.path());
  EXPECT_EQ(store->applied_seq(), Seq(200));
}

// An emptied data file is not a new store: refused in every mode, and left as it is.
TEST(StoreIntegrity, AnEmptyDataFileIsRefusedInEveryMode) {
  TempDir dir;
  write_store(dir.path(), 3);
  truncate_to(dir.path(), 0);
  for (const OpenMode mode :
       {OpenMode::kOpenOrCreate, OpenMode::kOpenExisting, OpenMode::kCreate}) {
    StoreOptions o;
    o.mode = mode;
    std::string detail;
    auto s = Store::open(dir.path(), o, &detail);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error(), StoreError::kCorrupt);
    EXPECT_NE(detail.find("data.mdb is empty (0 bytes)"), std::string::npos) << detail;
    EXPECT_EQ(data_size(dir.path()), 0u);
  }
}

TEST(StoreIntegrity, AFileThatIsNotLmdbIsNamedBeforeMapping) {
  TempDir dir;
  {
    std::ofstream f(dir.sub("data.mdb"), std::ios::binary);
    f << std::string(3 * 4096, '\0');
  }
  std::string detail;
  auto s = Store::open(dir.path(), {}, &detail);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error(), StoreError::kCorrupt);
  EXPECT_NE(
      detail.find("not a readable LMDB environment: meta page 0: it is not an LMDB meta page"),
      std::string::npos)
      << detail;
}

TEST(StoreIntegrity, OpenModesNeverCreateWhereAStoreMustExistNorOverOne) {
  TempDir parent;
  const std::string missing = parent.sub("store");
  StoreOptions existing;
  existing.mode = OpenMode::kOpenExisting;
  std::string detail;
  auto s = Store::open(missing, existing, &detail);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error(), StoreError::kMissing);
  EXPECT_NE(detail.find("no store here (data.mdb does not exist)"), std::string::npos) << detail;
  EXPECT_FALSE(fs::exists(missing)) << "a refused open creates nothing";
  fs::create_directories(missing);
  s = Store::open(missing, existing, &detail);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error(), StoreError::kMissing);
  EXPECT_TRUE(fs::is_empty(missing));

  StoreOptions create;
  create.mode = OpenMode::kCreate;
  std::optional<StoreIdentity> id;
  {
    auto created = open_ok(missing, create);
    ASSERT_NE(created, nullptr);
    ASSERT_TRUE(created->identity().has_value());
    id = created->identity();
  }
  s = Store::open(missing, create, &detail);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error(), StoreError::kExists);
  EXPECT_NE(detail.find("a new one is never created over it"), std::string::npos) << detail;
  auto reopened = open_ok(missing, existing);
  ASSERT_NE(reopened, nullptr);
  EXPECT_EQ(reopened->identity(), id);
}

TEST(StoreIntegrity, TheIdentityIsRandomKeptAndNeverReplaced) {
  TempDir a, b;
  std::optional<StoreIdentity> ida;
  {
    auto sa = open_ok(a.path());
    auto sb = open_ok(b.path());
    ASSERT_TRUE(sa->identity() && sb->identity());
    EXPECT_NE(sa->identity()->id, sb->identity()->id);
    EXPECT_EQ(sa->identity()->id_hex().size(), 32u);
    EXPECT_GT(sa->identity()->created_ns, std::int64_t{1'500'000'000} * 1'000'000'000);
    ida = sa->identity();
    const auto again = sa->record_identity(new_store_identity());
    ASSERT_FALSE(again.ok());
    EXPECT_EQ(again.error(), StoreError::kExists);
  }
  EXPECT_EQ(open_ok(a.path())->identity(), ida);
}

// A store written before identities were recorded has none until its owner records one.
TEST(StoreIntegrity, AStoreWithoutAnIdentityGetsOneRecorded) {
  TempDir dir;
  write_store(dir.path(), 2);
  {
    MDB_env* env = nullptr;
    ASSERT_EQ(mdb_env_create(&env), 0);
    mdb_env_set_maxdbs(env, 16);
    ASSERT_EQ(mdb_env_open(env, dir.path().c_str(), 0, 0644), 0);
    MDB_txn* txn = nullptr;
    ASSERT_EQ(mdb_txn_begin(env, nullptr, 0, &txn), 0);
    MDB_dbi meta = 0;
    ASSERT_EQ(mdb_dbi_open(txn, "meta", 0, &meta), 0);
    MDB_val k{8, const_cast<char*>("identity")};
    ASSERT_EQ(mdb_del(txn, meta, &k, nullptr), 0);
    ASSERT_EQ(mdb_txn_commit(txn), 0);
    mdb_env_close(env);
  }
  const StoreIdentity id = new_store_identity();
  {
    auto store = open_ok(dir.path());
    EXPECT_FALSE(store->identity().has_value());
    ASSERT_TRUE(store->record_identity(id).ok()) << store->last_error_detail();
    EXPECT_EQ(store->identity(), id);
  }
  auto store = open_ok(dir.path());
  EXPECT_EQ(store->identity(), id);
  EXPECT_EQ(store->applied_seq(), Seq(2));
}

TEST(StoreIntegrity, ReadOnlyLoadsEverythingAndWritesNothing) {
  TempDir dir;
  write_store(dir.path(), 5);
  const auto before = fs::last_write_time(dir.sub("data.mdb"));
  const auto size = data_size(dir.path());
  StoreOptions ro;
  ro.read_only = true;
  auto store = open_ok(dir.path(), ro);
  ASSERT_NE(store, nullptr);
  EXPECT_TRUE(store->read_only());
  Ledger ledger;
  const auto rec = store->load(ledger);
  ASSERT_TRUE(rec.ok());
  EXPECT_EQ(rec.value().applied_seq, Seq(5));
  EXPECT_TRUE(ledger.verify().empty());
  EXPECT_TRUE(verify_journal(*store).ok);
  Batch b;
  const auto st = store->commit_batch(b, ledger);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error(), StoreError::kReadOnly);
  const auto rid = store->record_identity(new_store_identity());
  ASSERT_FALSE(rid.ok());
  store.reset();
  EXPECT_EQ(fs::last_write_time(dir.sub("data.mdb")), before);
  EXPECT_EQ(data_size(dir.path()), size);
  // Read-only never creates a store.
  TempDir empty;
  std::string detail;
  auto none = Store::open(empty.path(), ro, &detail);
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error(), StoreError::kMissing);
  EXPECT_FALSE(fs::exists(empty.sub("data.mdb")));
}

// Rewrites journal record `seq` (or deletes it when `edit` empties it, or adds it when absent)
// with a plain LMDB environment, as someone editing the file would.
void edit_journal(const std::string& dir, std::uint64_t seq,
                  const std::function<void(std::vector<std::uint8_t>&)>& edit) {
  MDB_env* env = nullptr;
  ASSERT_EQ(mdb_env_create(&env), 0);
  mdb_env_set_maxdbs(env, 16);
  ASSERT_EQ(mdb_env_open(env, dir.c_str(), 0, 0644), 0);
  MDB_txn* txn = nullptr;
  ASSERT_EQ(mdb_txn_begin(env, nullptr, 0, &txn), 0);
  MDB_dbi dbi = 0;
  ASSERT_EQ(mdb_dbi_open(txn, "journal", 0, &dbi), 0);
  std::uint8_t key[8];
  put_be64(key, seq);
  MDB_val k{8, key}, v;
  std::vector<std::uint8_t> b;
  if (mdb_get(txn, dbi, &k, &v) == 0) {
    b.assign(static_cast<std::uint8_t*>(v.mv_data),
             static_cast<std::uint8_t*>(v.mv_data) + v.mv_size);
  }
  edit(b);
  if (b.empty()) {
    ASSERT_EQ(mdb_del(txn, dbi, &k, nullptr), 0);
  } else {
    MDB_val d{b.size(), b.data()};
    ASSERT_EQ(mdb_put(txn, dbi, &k, &d, 0), 0);
  }
  ASSERT_EQ(mdb_txn_commit(txn), 0);
  mdb_env_close(env);
}

TEST(StoreIntegrity, TheJournalTailCheckNamesWhatIsWrongAtItsEnd) {
  auto check = [](const std::string& dir, std::uint64_t window) {
    auto store = open_ok(dir);
    return verify_journal_tail(*store, window);
  };
  {
    TempDir dir;
    write_store(dir.path(), 50);
    const JournalCheck ok = check(dir.path(), 16);
    EXPECT_TRUE(ok.ok) << ok.problem;
    EXPECT_EQ(ok.records, 16u);
    EXPECT_EQ(ok.last_seq, Seq(50));
    EXPECT_TRUE(check(dir.path(), 1000).ok);  // a window longer than the journal: all of it
    edit_journal(dir.path(), 48, [](std::vector<std::uint8_t>& b) { b[40] ^= 1; });
    const JournalCheck bad = check(dir.path(), 16);
    EXPECT_FALSE(bad.ok);
    EXPECT_EQ(bad.first_bad_seq, Seq(48));
    EXPECT_NE(bad.problem.find("tampered"), std::string::npos) << bad.problem;
  }
  {  // the last record deleted
    TempDir dir;
    write_store(dir.path(), 20);
    edit_journal(dir.path(), 20, [](std::vector<std::uint8_t>& b) { b.clear(); });
    const JournalCheck bad = check(dir.path(), 16);
    EXPECT_FALSE(bad.ok);
    EXPECT_NE(bad.problem.find("ends at seq 19 but applied_seq is 20"), std::string::npos)
        << bad.problem;
  }
  {  // a well-formed record, chained on the last one, appended beyond applied_seq
    TempDir dir;
    write_store(dir.path(), 20);
    Digest last{};
    edit_journal(dir.path(), 20, [&](std::vector<std::uint8_t>& b) {
      std::copy(b.end() - 32, b.end(), last.begin());
    });
    edit_journal(dir.path(), 21, [&](std::vector<std::uint8_t>& b) {
      const std::vector<std::uint8_t> payload{1, 2, 3};
      encode_journal_record(last, Seq(21), TimestampNs(21), payload, b);
    });
    const JournalCheck bad = check(dir.path(), 16);
    EXPECT_FALSE(bad.ok);
    EXPECT_EQ(bad.first_bad_seq, Seq(21));
    EXPECT_NE(bad.problem.find("beyond applied_seq 20"), std::string::npos) << bad.problem;
  }
  {  // a record inside the window missing
    TempDir dir;
    write_store(dir.path(), 30);
    edit_journal(dir.path(), 25, [](std::vector<std::uint8_t>& b) { b.clear(); });
    const JournalCheck bad = check(dir.path(), 16);
    EXPECT_FALSE(bad.ok);
    EXPECT_EQ(bad.first_bad_seq, Seq(25));
    EXPECT_NE(bad.problem.find("record missing"), std::string::npos) << bad.problem;
  }
  {  // an empty journal is fine
    TempDir dir;
    auto store = open_ok(dir.path());
    EXPECT_TRUE(verify_journal_tail(*store, 16).ok);
  }
}

}  // namespace
}  // namespace carbonx::registry
