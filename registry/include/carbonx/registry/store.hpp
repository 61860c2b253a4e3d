#pragma once
// carbonx::registry::Store — the durable store on LMDB: one environment in a data directory
// holding the ledger's rows, the open orders, the command journal, the core's state blob, the
// day's used client ids and applied_seq. See registry/README.md for the on-disk layout.
//
// Group commit: commit_batch() writes, in ONE LMDB write transaction, the batch's journal records
// (hash-chained), the ledger rows the batch changed (the ledger's dirty set), the changed open
// orders, the core state blob, the used ids' changes and applied_seq. Either all of it is durable
// or none of it is. EVENTS OF A BATCH MUST ONLY BE RELEASED AFTER commit_batch() RETURNS SUCCESS:
// until then the batch may be lost by a crash. If commit_batch() fails, nothing of the batch is on
// disk, the ledger keeps its dirty set, and the caller must either retry the same batch or stop the
// process (the in-memory state is ahead of the disk; a restart recovers the last commit).
//
// Durability (StoreOptions::durability): kFullSync (default) fsyncs data and meta page at each
// commit; kNoMetaSync skips the meta page's fsync (a system crash may lose the last commits but
// never corrupts; a process crash loses nothing); kNoSync leaves flushing to the OS (benchmarks
// only: a system crash may corrupt the store).
//
// Refusals at open (each a StoreError and a detail text): a data file LMDB must not map
// (kCorrupt, checked by inspect_data_file() BEFORE mdb_env_open: empty, shorter than its two meta
// pages, a meta page that is not LMDB's, or shorter than the last page its meta says is in use —
// a truncated file, which LMDB would map and then die on with SIGBUS), a file that is not an LMDB
// environment (kCorrupt), an LMDB environment that is not a carbonx store (kForeign), another
// schema version (kSchemaVersion), another process holding the store (kLocked: flock() on
// <dir>/carbonx.lock, because LMDB itself lets a second process write by waiting for the lock),
// no store where one must exist (kMissing, OpenMode::kOpenExisting), a store where a new one is to
// be created (kExists, OpenMode::kCreate).
//
// Identity: a store created by this version records an exchange identity (16 random bytes and
// the creation time, meta key `identity`) that never changes; the server compares it with the
// data directory's (gateway/exchange_identity.hpp), so a store cannot be swapped in from another
// exchange or silently replaced by a new one.
//
// In kNoSync mode writes go through the map (MDB_WRITEMAP): a commit writes no page with
// pwrite(), which is most of the cost of a small batch's commit without fsync. The data file is
// then preallocated (posix_fallocate) to the map size at open and at each growth: a full disk is
// kDiskFull there, and a growth that cannot be backed by blocks is undone, so no page is ever
// written into a hole (which would be a SIGBUS); the file is as large as the map. The durable
// modes write pages with pwrite() and fdatasync(): msync() of a written map measured slower.
//
// Map size: grown (doubled) before a batch when the used pages get near the map size, and on
// MDB_MAP_FULL the transaction is aborted, the map grown and the batch retried; past
// StoreOptions::max_map_bytes the batch fails with kMapFull, a full disk with kDiskFull.
//
// Threads and processes: not thread-safe; one thread uses a Store. Never use a Store (or any LMDB
// environment) across fork(): open it in the process that uses it. Read transactions are opened
// per query and closed before it returns.

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "carbonx/engine/result.hpp"
#include "carbonx/engine/types.hpp"
#include "carbonx/engine/units.hpp"
#include "carbonx/registry/ledger.hpp"
#include "carbonx/registry/records.hpp"
#include "carbonx/registry/sha256.hpp"

namespace carbonx::registry {

inline constexpr std::uint64_t kStoreMagic = 0x31'5853'4e42'5843ULL;  // "CXBNSX1" little-endian
inline constexpr std::uint32_t kSchemaVersion = 1;

enum class StoreError : std::uint8_t {
  kIo = 1,         // a file cannot be created, opened or written (errno in detail)
  kCorrupt,        // the data file is not a readable LMDB environment, or a record is malformed
  kForeign,        // an LMDB environment that is not a carbonx store (magic missing or wrong)
  kSchemaVersion,  // a carbonx store of another schema version
  kLocked,         // another process has the store open
  kMapFull,        // the map reached StoreOptions::max_map_bytes
  kDiskFull,       // no room for the file (ENOSPC, EDQUOT, EFBIG: the file size limit)
  kSeqGap,         // the batch's journal seqs do not continue applied_seq + 1, + 2, ...
  kLmdb,           // another LMDB error (its text in detail)
  kMissing,        // OpenMode::kOpenExisting (or read-only) and the directory holds no store
  kExists,         // OpenMode::kCreate and the directory already holds a data file
  kReadOnly,       // a write to a store opened read-only
};
std::string_view to_string(StoreError e) noexcept;

enum class Durability : std::uint8_t {
  kFullSync = 1,  // default: fsync at every commit
  kNoMetaSync,    // MDB_NOMETASYNC: the meta page is not fsynced at commit
  kNoSync,        // MDB_NOSYNC: no fsync at all (benchmarks only)
};

// What Store::open may do when the directory has no data file.
enum class OpenMode : std::uint8_t {
  kOpenOrCreate = 0,  // create a new store there (tests, benchmarks, scratch stores)
  kOpenExisting,      // the store must exist: kMissing otherwise, and nothing is created
  kCreate,            // a new store only: kExists if the directory holds a data file
};

struct StoreOptions {
  OpenMode mode = OpenMode::kOpenOrCreate;
  // MDB_RDONLY: nothing is written (not even the tables a newer version adds at open);
  // commit_batch() and record_identity() fail with kReadOnly. The store must exist.
  bool read_only = false;
  Durability durability = Durability::kFullSync;
  std::size_t initial_map_bytes = std::size_t{64} << 20;  // grown as needed
  std::size_t max_map_bytes = std::size_t{1} << 40;       // growth stops here: kMapFull
  unsigned max_readers = 126;
};

// One journal record handed to commit_batch(). The payload is the encoded command (opaque here).
struct JournalEntry {
  Seq seq{0};
  TimestampNs ts{0};
  std::span<const std::uint8_t> payload;
};

// A change to the open orders: put `record` under `order_id`, or erase it.
struct OrderChange {
  std::uint64_t order_id = 0;
  std::span<const std::uint8_t> record;  // versioned by its producer (the engine)
  bool erase = false;
};

// The day's used client ids (the gateway's ClOrdIDs, TradeReportIDs and auction bid ClOrdIDs:
// one namespace per member and trading day). Kept as committed state so that a restart knows
// them without reading the journal: table `used_ids`, key = member (u32 big-endian) + the id's
// bytes (at most kUsedIdMaxBytes), empty value; meta record `used_ids` = UsedIdsHeader.
inline constexpr std::size_t kUsedIdMaxBytes = 64;
inline constexpr std::uint32_t kUsedIdsVersion = 1;
struct UsedIdsHeader {
  std::uint32_t version = kUsedIdsVersion;
  std::int32_t day_yyyymmdd = 0;  // the trading day the stored ids belong to (0: none yet)
};
static_assert(sizeof(UsedIdsHeader) == 8);

// One change to the used ids: add (or keep) `id` of `member`, or erase it.
struct UsedIdChange {
  std::uint32_t member = 0;
  std::string_view id;  // at most kUsedIdMaxBytes bytes (longer: a caller error, asserted)
  bool erase = false;
};

// The used ids' changes of one batch, applied in order after `reset` (if set) dropped them all.
struct UsedIdsUpdate {
  bool reset = false;  // a new trading day: erase every stored id first
  Date day{};          // the trading day the ids belong to after this batch
  std::span<const UsedIdChange> changes;
};

// The exchange a store belongs to: chosen at random when the store is created, never changed.
struct StoreIdentity {
  std::array<std::uint8_t, 16> id{};
  std::int64_t created_ns = 0;  // CLOCK_REALTIME at creation
  std::string id_hex() const;   // 32 lowercase hex digits
  bool operator==(const StoreIdentity&) const = default;
};

// The data file as it is on disk, read with pread() before anything maps it.
struct DataFileInfo {
  bool exists = false;
  std::uint64_t file_bytes = 0;
  std::uint64_t used_bytes = 0;  // (last page in use + 1) x page size, from the newer meta page
  std::uint32_t page_size = 0;
  std::uint64_t txnid = 0;  // the newer meta page's transaction id
};
// Checks <dir>/data.mdb without mapping it: absent (exists = false), or two well-formed LMDB meta
// pages and a file at least as long as the pages the newer one says are in use. kCorrupt with a
// sentence in *detail otherwise (an empty file, a truncated file, not LMDB). kIo if it cannot be
// read. Store::open and the backup tool call it before mdb_env_open: LMDB maps the file to the
// size its meta page says, and a page past the end of a truncated file is a SIGBUS, not an error.
Result<DataFileInfo, StoreError> inspect_data_file(const std::string& dir, std::string* detail);

struct Batch {
  std::span<const JournalEntry> journal;  // seqs applied_seq + 1, + 2, ... (may be empty)
  std::span<const OrderChange> orders;
  std::optional<std::span<const std::uint8_t>> core_state;  // nullopt: unchanged
  // The registrar's allocation/compliance state blob (registrar.hpp), written in the same
  // transaction as the journal records and ledger rows. nullopt: unchanged.
  std::optional<std::span<const std::uint8_t>> registry_state;
  // The used ids' changes, written in the same transaction as the journal records that used
  // them (and the header's day). nullopt: unchanged.
  std::optional<UsedIdsUpdate> used_ids;
};

// What the server needs to continue after a restart (no journal scan).
struct Recovery {
  Seq applied_seq{0};
  std::vector<std::uint8_t> core_state;
  std::vector<std::uint8_t> registry_state;  // empty if never written (Batch::registry_state)
  Digest last_hash{};  // hash of the record at applied_seq (zeros when the journal is empty)
  // The day of the stored used ids (for_each_used_id); nullopt: the store was written by a
  // version that did not keep them (the caller rebuilds them from the journal once).
  std::optional<Date> used_ids_day;
};

// A journal record as read back.
struct JournalRecordView {
  Seq seq{0};
  TimestampNs ts{0};
  std::uint16_t schema = 0;
  std::span<const std::uint8_t> payload;
  Digest hash{};
  std::span<const std::uint8_t> header;  // the fixed header bytes (hashed with the payload)
};

struct Statement {
  std::vector<TransferRecord> transfers;  // in order of application
  std::optional<std::uint64_t> next_pos;  // pass as from_pos for the next page; none at the end
};

struct Holding {
  AccountId account{0};
  AssetId asset{0};
  std::int64_t amount = 0;  // available + frozen
};

struct StoreStats {
  std::size_t map_bytes = 0;
  std::size_t used_bytes = 0;
  std::uint64_t journal_records = 0;
  std::uint64_t transfers = 0;
  std::uint64_t open_orders = 0;
  std::uint64_t open_holds = 0;
};

class Store final : public LedgerHistory {
 public:
  // Opens the store in `dir` as StoreOptions::mode says (kOpenOrCreate: creating it, and `dir`,
  // if missing; its parent must exist). Errors: see StoreError; `detail` (if given) receives a
  // sentence for the operator.
  static Result<std::unique_ptr<Store>, StoreError> open(const std::string& dir,
                                                         const StoreOptions& options = {},
                                                         std::string* detail = nullptr);
  ~Store() override;
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // Loads accounts, balances and open holds into `ledger` (which must be empty) and attaches the
  // store as its history. Returns applied_seq, the core state blob and the last journal hash.
  // Cost is proportional to the state, never to the journal. Call it at start, and again into a
  // fresh, empty ledger to roll the state back to the last commit after a failed commit_batch (the
  // gateway's roll_back). The ledger keeps a pointer to this Store (its history): the Store must
  // outlive its use.
  Result<Recovery, StoreError> load(Ledger& ledger);
  // Calls fn(order_id, record) for every stored open order, in order id order.
  Status<StoreError> for_each_open_order(
      const std::function<void(std::uint64_t, std::span<const std::uint8_t>)>& fn);

  // Calls fn(member, id) for every stored used id, in (member, id) byte order.
  Status<StoreError> for_each_used_id(
      const std::function<void(std::uint32_t, std::string_view)>& fn);

  // Commits one batch (see the header comment). `ledger` is the one load() filled (or an empty
  // ledger for a new store); its dirty set is written and then cleared.
  Status<StoreError> commit_batch(const Batch& batch, Ledger& ledger);

  // After a commit failed for want of room (kDiskFull, kMapFull): whether a batch like it would
  // fit now. Room in the map (grown if StoreOptions allow), on the file system (statvfs), and a
  // real write: a meta record of twice the failed batch's size (64 KiB to 64 MiB, at most a
  // quarter of max_map_bytes) committed, then erased: two transactions through the same path a
  // batch takes. ok: space has returned. Errors as commit_batch().
  Status<StoreError> probe_room();

  Seq applied_seq() const { return applied_seq_; }
  const Digest& last_hash() const { return last_hash_; }
  // The exchange identity recorded at creation; nullopt for a store created before identities
  // were recorded (record_identity() gives it one).
  const std::optional<StoreIdentity>& identity() const { return identity_; }
  // Records `identity` in a store that has none (kExists if it has one: identities never change).
  Status<StoreError> record_identity(const StoreIdentity& identity);
  bool read_only() const { return options_.read_only; }
  const std::string& last_error_detail() const { return detail_; }
  const std::string& dir() const { return dir_; }
  Result<StoreStats, StoreError> stats();

  // Transfers of `account` from position `from_pos` on, at most `limit`, in order.
  Result<Statement, StoreError> statement(AccountId account, std::uint64_t from_pos,
                                          std::size_t limit);
  // Holdings (available + frozen) of every account and asset after the transfers of all
  // commands with seq <= `at` (folds the transfer log; rows that are zero are left out).
  Result<std::vector<Holding>, StoreError> holdings_at(Seq at);
  // Calls fn for every journal record with seq >= from, in order, until fn returns false.
  Status<StoreError> read_journal(Seq from,
                                  const std::function<bool(const JournalRecordView&)>& fn);
  // The stored order record, if any.
  Result<std::optional<std::vector<std::uint8_t>>, StoreError> open_order(std::uint64_t id);

  // LedgerHistory (committed transfers and hold ids).
  std::optional<TransferRecord> find_transfer(TransferId id) override;
  bool hold_id_used(HoldId id) override;
  // How many LedgerHistory lookups (each a read transaction) this Store has answered. On the
  // core path it stays flat: the core's ids are above their watermarks (tested per order).
  std::uint64_t history_reads() const { return history_reads_; }

 public:
  struct Env;  // the LMDB handles (implementation detail, defined in store.cpp)

 private:
  Store();
  Status<StoreError> open_dbs();
  Status<StoreError> create_dbs(void* txn);
  Status<StoreError> check_meta(void* txn);
  Status<StoreError> ensure_room(std::size_t batch_bytes);
  Status<StoreError> grow_map(std::size_t at_least);
  int write_batch(const Batch& batch, const Ledger& ledger,
                  const std::vector<std::uint8_t>& records, const std::vector<std::size_t>& offsets,
                  const Digest& new_hash);
  int write_ledger_rows(void* txn, const Ledger& ledger);
  int write_used_ids(void* txn, const UsedIdsUpdate& update);
  Status<StoreError> fail(StoreError e, std::string text);
  Status<StoreError> write_failure(int rc, std::size_t bytes_needed);

  std::unique_ptr<Env> env_;
  std::string dir_;
  StoreOptions options_;
  std::string detail_;
  Seq applied_seq_{0};
  Digest last_hash_{};
  std::uint64_t max_transfer_id_key_ = 0;  // largest key in the transfer id index
  bool has_transfer_ids_ = false;
  std::uint64_t history_reads_ = 0;
  int pid_ = 0;
  std::optional<StoreIdentity> identity_;
  std::size_t last_failed_bytes_ = 0;  // the estimate of the last batch that failed for room
  bool has_used_ids_db_ = false;       // false only in a read-only store written before the table
};

// A new random identity (getrandom) stamped with the current time.
StoreIdentity new_store_identity();

}  // namespace carbonx::registry
