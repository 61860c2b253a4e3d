#include "carbonx/registry/store.hpp"

#include <errno.h>
#include <fcntl.h>
#include <lmdb.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <ctime>
#include <map>

#include "carbonx/engine/assert.hpp"
#include "carbonx/registry/journal.hpp"
#include "flat_map.hpp"
#include "row_table.hpp"

namespace carbonx::registry {

std::string_view to_string(StoreError e) noexcept {
  switch (e) {
    case StoreError::kIo:
      return "cannot open or create the store's files";
    case StoreError::kCorrupt:
      return "the store is corrupt (not a readable LMDB environment or a malformed record)";
    case StoreError::kForeign:
      return "the directory holds an LMDB environment that is not a carbonx store";
    case StoreError::kSchemaVersion:
      return "the store has another schema version";
    case StoreError::kLocked:
      return "another process has the store open";
    case StoreError::kMapFull:
      return "the store reached its configured maximum size";
    case StoreError::kDiskFull:
      return "the disk is full";
    case StoreError::kSeqGap:
      return "journal seqs do not continue applied_seq";
    case StoreError::kLmdb:
      return "LMDB error";
    case StoreError::kMissing:
      return "there is no store in the directory";
    case StoreError::kExists:
      return "the directory already holds a store";
    case StoreError::kReadOnly:
      return "the store is open read-only";
  }
  return "unknown store error";
}

namespace {

constexpr char kMetaMagic[] = "magic";
constexpr char kMetaSchema[] = "schema_version";
constexpr char kMetaAppliedSeq[] = "applied_seq";
constexpr char kMetaLastHash[] = "last_hash";
constexpr char kMetaCoreState[] = "core_state";
constexpr char kMetaRegistryState[] = "registry_state";
constexpr char kMetaCounters[] = "ledger_counters";
constexpr char kMetaUsedIds[] = "used_ids";   // UsedIdsHeader
constexpr char kMetaIdentity[] = "identity";  // IdentityRecord

// The exchange identity as stored (meta key `identity`).
struct IdentityRecord {
  std::uint32_t version = 1;
  std::uint32_t reserved = 0;
  std::uint8_t id[16] = {};
  std::int64_t created_ns = 0;
};
static_assert(sizeof(IdentityRecord) == 32);
constexpr int kMaxGrowRetries = 16;

MDB_val val(const void* p, std::size_t n) {
  return MDB_val{n, const_cast<void*>(p)};
}
MDB_val val(std::string_view s) {
  return val(s.data(), s.size());
}
std::span<const std::uint8_t> bytes(const MDB_val& v) {
  return {static_cast<const std::uint8_t*>(v.mv_data), v.mv_size};
}
template <typename T>
bool read_fixed(const MDB_val& v, T& out) {
  if (v.mv_size != sizeof(T)) return false;
  std::memcpy(&out, v.mv_data, sizeof(T));
  return true;
}

// RAII read transaction (short-lived by construction).
class ReadTxn {
 public:
  explicit ReadTxn(MDB_env* env) { rc_ = mdb_txn_begin(env, nullptr, MDB_RDONLY, &txn_); }
  ~ReadTxn() {
    if (txn_ != nullptr) mdb_txn_abort(txn_);
  }
  ReadTxn(const ReadTxn&) = delete;
  ReadTxn& operator=(const ReadTxn&) = delete;
  int rc() const { return rc_; }
  MDB_txn* get() const { return txn_; }

 private:
  MDB_txn* txn_ = nullptr;
  int rc_ = 0;
};

class Cursor {
 public:
  Cursor(MDB_txn* txn, MDB_dbi dbi) { rc_ = mdb_cursor_open(txn, dbi, &c_); }
  ~Cursor() {
    if (c_ != nullptr) mdb_cursor_close(c_);
  }
  Cursor(const Cursor&) = delete;
  Cursor& operator=(const Cursor&) = delete;
  int rc() const { return rc_; }
  MDB_cursor* get() const { return c_; }

 private:
  MDB_cursor* c_ = nullptr;
  int rc_ = 0;
};

// No room for the file: the file system is full, the quota is used up, or the process's file
// size limit (RLIMIT_FSIZE) is reached.
bool is_disk_full(int rc) {
  return rc == ENOSPC || rc == EDQUOT || rc == EFBIG;
}

// The largest be64 key of `dbi` in [lo, hi), 0 if there is none: one seek, not a scan.
std::uint64_t last_key_in(MDB_txn* txn, MDB_dbi dbi, std::uint64_t lo, std::uint64_t hi);

// "1,234,567 bytes" for the operator.
std::string byte_count(std::uint64_t n) {
  const std::string digits = std::to_string(n);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i != 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return out + " bytes";
}

// LMDB 0.9's meta page (mdb.c, MDB_meta after the 16-byte page header; 64-bit build): the offsets
// read here. Page 0 and page 1 each hold one; LMDB uses the one with the larger txnid.
constexpr std::size_t kPageHeaderBytes = 16;
constexpr std::size_t kPageFlagsAt = 10;   // u16 mp_flags
constexpr std::uint16_t kPageMeta = 0x08;  // P_META
constexpr std::uint32_t kLmdbMagic = 0xBEEFC0DE;
constexpr std::uint32_t kLmdbDataVersion = 1;
constexpr std::size_t kMetaMagicAt = kPageHeaderBytes + 0;       // u32 mm_magic
constexpr std::size_t kMetaVersionAt = kPageHeaderBytes + 4;     // u32 mm_version
constexpr std::size_t kMetaPageSizeAt = kPageHeaderBytes + 24;   // mm_dbs[FREE_DBI].md_pad
constexpr std::size_t kMetaLastPageAt = kPageHeaderBytes + 120;  // pgno_t mm_last_pg
constexpr std::size_t kMetaTxnIdAt = kPageHeaderBytes + 128;     // txnid_t mm_txnid
constexpr std::size_t kMetaBytes = kPageHeaderBytes + 136;
static_assert(sizeof(void*) == 8 && sizeof(std::size_t) == 8, "the meta layout read is LP64's");

template <typename T>
T load_le(const std::uint8_t* p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

}  // namespace

std::string StoreIdentity::id_hex() const {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (const std::uint8_t b : id) {
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 15]);
  }
  return out;
}

StoreIdentity new_store_identity() {
  StoreIdentity out;
  std::size_t got = 0;
  while (got < out.id.size()) {
    const ssize_t n = getrandom(out.id.data() + got, out.id.size() - got, 0);
    if (n < 0 && errno == EINTR) continue;
    CX_ASSERT(n > 0);  // getrandom without GRND_NONBLOCK blocks until seeded; never fails here
    got += static_cast<std::size_t>(n);
  }
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  out.created_ns = static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
  return out;
}

Result<DataFileInfo, StoreError> inspect_data_file(const std::string& dir, std::string* detail) {
  const std::string path = dir + "/data.mdb";
  auto refuse = [&](StoreError e, std::string text) -> Result<DataFileInfo, StoreError> {
    if (detail != nullptr) *detail = std::move(text);
    return Err(e);
  };
  DataFileInfo info;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return info;
    return refuse(StoreError::kIo, "cannot open " + path + ": " + strerror(errno));
  }
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  struct stat st {};
  if (fstat(fd, &st) != 0) return refuse(StoreError::kIo, "cannot stat " + path);
  info.exists = true;
  info.file_bytes = static_cast<std::uint64_t>(st.st_size);
  if (info.file_bytes == 0) {
    return refuse(StoreError::kCorrupt,
                  "data.mdb is empty (0 bytes): the store's contents are gone (a new store is "
                  "never created over an existing data file)");
  }
  std::uint8_t page[kMetaBytes];
  auto read_meta = [&](std::uint64_t offset, std::uint64_t& last_pg, std::uint64_t& txnid,
                       std::uint32_t& psize) -> std::string {
    if (info.file_bytes < offset + kMetaBytes) return "the file ends before it";
    if (::pread(fd, page, sizeof page, static_cast<off_t>(offset)) !=
        static_cast<ssize_t>(sizeof page)) {
      return std::string("cannot read it: ") + strerror(errno);
    }
    if ((load_le<std::uint16_t>(page + kPageFlagsAt) & kPageMeta) == 0 ||
        load_le<std::uint32_t>(page + kMetaMagicAt) != kLmdbMagic) {
      return "it is not an LMDB meta page";
    }
    if (load_le<std::uint32_t>(page + kMetaVersionAt) != kLmdbDataVersion) {
      return "LMDB data version " + std::to_string(load_le<std::uint32_t>(page + kMetaVersionAt)) +
             ", this program reads " + std::to_string(kLmdbDataVersion);
    }
    psize = load_le<std::uint32_t>(page + kMetaPageSizeAt);
    last_pg = load_le<std::uint64_t>(page + kMetaLastPageAt);
    txnid = load_le<std::uint64_t>(page + kMetaTxnIdAt);
    return "";
  };
  std::uint64_t last0 = 0, txn0 = 0, last1 = 0, txn1 = 0;
  std::uint32_t psize = 0, psize1 = 0;
  if (std::string why = read_meta(0, last0, txn0, psize); !why.empty()) {
    return refuse(StoreError::kCorrupt,
                  "data.mdb (" + byte_count(info.file_bytes) +
                      ") is not a readable LMDB environment: meta page 0: " + why);
  }
  if (psize < 512 || psize > 65536 || (psize & (psize - 1)) != 0) {
    return refuse(StoreError::kCorrupt,
                  "data.mdb: meta page 0 gives a page size of " + std::to_string(psize) + " bytes");
  }
  if (std::string why = read_meta(psize, last1, txn1, psize1); !why.empty()) {
    return refuse(StoreError::kCorrupt,
                  "data.mdb (" + byte_count(info.file_bytes) +
                      ") is not a readable LMDB environment: meta page 1: " + why);
  }
  const bool second = txn1 > txn0;
  const std::uint64_t last = second ? last1 : last0;
  info.page_size = psize;
  info.txnid = second ? txn1 : txn0;
  if (last > (std::uint64_t{1} << 40)) {
    return refuse(StoreError::kCorrupt, "data.mdb: meta page " + std::string(second ? "1" : "0") +
                                            " says page " + std::to_string(last) +
                                            " is in use (not a plausible store)");
  }
  info.used_bytes = (last + 1) * psize;
  if (info.file_bytes < info.used_bytes) {
    return refuse(StoreError::kCorrupt,
                  "data.mdb is truncated: the file has " + byte_count(info.file_bytes) +
                      " but its meta page (transaction " + std::to_string(info.txnid) + ") says " +
                      byte_count(info.used_bytes) +
                      " are in use; refusing to map it (restore the store from a backup)");
  }
  return info;
}

struct Store::Env {
  MDB_env* env = nullptr;
  int lock_fd = -1;
  MDB_dbi meta = 0, accounts = 0, balances = 0, holds = 0, closed_holds = 0;
  MDB_dbi transfers = 0, transfer_ids = 0, account_transfers = 0, orders = 0, journal = 0;
  MDB_dbi used_ids = 0;  // created at open when missing (stores written before it have none)
  ~Env() {
    if (env != nullptr) mdb_env_close(env);
    if (lock_fd >= 0) close(lock_fd);  // releases the flock
  }
};

Store::Store() : env_(std::make_unique<Env>()) {}
Store::~Store() = default;

Status<StoreError> Store::fail(StoreError e, std::string text) {
  detail_ = std::move(text);
  return Err(e);
}

// ---------------------------------------------------------------------------------------------
// Open

namespace {

struct DbSpec {
  const char* name;
  MDB_dbi Store::Env::*member;
  unsigned flags;
};

int open_env(MDB_env** out, const std::string& dir, const StoreOptions& o) {
  int rc = mdb_env_create(out);
  if (rc != 0) return rc;
  MDB_env* env = *out;
  if ((rc = mdb_env_set_maxdbs(env, 16)) != 0) return rc;
  if ((rc = mdb_env_set_maxreaders(env, o.max_readers)) != 0) return rc;
  std::size_t map = o.initial_map_bytes;
  struct stat st {};
  if (stat((dir + "/data.mdb").c_str(), &st) == 0) {
    map = std::max(map, static_cast<std::size_t>(st.st_size));
  }
  if ((rc = mdb_env_set_mapsize(env, map)) != 0) return rc;
  // kNoSync: MDB_WRITEMAP, a transaction's pages are written in the shared map instead of
  // malloc'ed and pwrite()n at commit (a syscall and a kernel page copy per dirty page: most of a
  // small batch's commit without fsync). The file is preallocated to the map size
  // (reserve_map_file) so that a full disk is an error at open or at map growth, never a SIGBUS
  // on a write into a hole. Measured at 10,000 orders/s (BENCHMARKS.md): no_sync commit 8 us
  // instead of 19 us per batch. Not in the durable modes: there msync() of the map made each
  // commit slower than pwrite() + fdatasync() (full_sync: 690 us vs 560 us per batch).
  unsigned flags = MDB_NORDAHEAD;
  if (o.read_only) return mdb_env_open(env, dir.c_str(), flags | MDB_RDONLY, 0644);
  if (o.durability == Durability::kNoSync) flags |= MDB_WRITEMAP;
  if (o.durability == Durability::kNoMetaSync) flags |= MDB_NOMETASYNC;
  if (o.durability == Durability::kNoSync) flags |= MDB_NOSYNC;
  return mdb_env_open(env, dir.c_str(), flags, 0644);
}

// With MDB_WRITEMAP (kNoSync), allocates the data file's blocks up to the map size (pages are
// written through the map:
// a page in a hole the file system cannot back would be a SIGBUS, not an error). Returns 0 or an
// errno value (ENOSPC, EDQUOT, EFBIG: the disk or the file size limit).
int reserve_map_file(MDB_env* env) {
  unsigned flags = 0;
  if (mdb_env_get_flags(env, &flags) != 0 || (flags & MDB_WRITEMAP) == 0) return 0;
  MDB_envinfo info{};
  mdb_env_info(env, &info);
  int fd = -1;
  if (const int rc = mdb_env_get_fd(env, &fd); rc != 0) return rc;
  struct stat st {};
  if (fstat(fd, &st) != 0) return errno;
  const auto want = static_cast<off_t>(info.me_mapsize);
  if (st.st_blocks * 512 >= want) return 0;
  return posix_fallocate(fd, 0, want);
}

}  // namespace

Result<std::unique_ptr<Store>, StoreError> Store::open(const std::string& dir,
                                                       const StoreOptions& options,
                                                       std::string* detail) {
  CX_ASSERT(options.initial_map_bytes > 0);
  CX_ASSERT(options.max_map_bytes >= options.initial_map_bytes);
  std::unique_ptr<Store> s(new Store());
  s->dir_ = dir;
  s->options_ = options;
  s->pid_ = getpid();
  auto refuse = [&](StoreError e, std::string text) -> Result<std::unique_ptr<Store>, StoreError> {
    if (detail != nullptr) *detail = dir + ": " + text;
    return Err(e);
  };
  std::string why;
  const auto file = inspect_data_file(dir, &why);  // before anything maps it
  if (!file.ok()) return refuse(file.error(), why);
  const bool must_exist = options.mode == OpenMode::kOpenExisting || options.read_only;
  if (!file.value().exists && must_exist) {
    return refuse(StoreError::kMissing, "no store here (data.mdb does not exist)");
  }
  if (file.value().exists && options.mode == OpenMode::kCreate) {
    return refuse(StoreError::kExists, "a store exists here already (data.mdb, " +
                                           byte_count(file.value().file_bytes) +
                                           "): a new one is never created over it");
  }
  if (mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) {
    return refuse(StoreError::kIo, std::string("cannot create directory: ") + strerror(errno));
  }
  const std::string lock_path = dir + "/carbonx.lock";
  s->env_->lock_fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (s->env_->lock_fd < 0) {
    return refuse(StoreError::kIo, "cannot open " + lock_path + ": " + strerror(errno));
  }
  if (flock(s->env_->lock_fd, LOCK_EX | LOCK_NB) != 0) {
    if (errno == EWOULDBLOCK) {
      return refuse(StoreError::kLocked, "another process has this store open (" + lock_path + ")");
    }
    return refuse(StoreError::kIo, std::string("flock: ") + strerror(errno));
  }
  if (!must_exist) {
    // Another process may have created the file between the check and the lock: check again,
    // now that no other carbonx process can write it.
    const auto again = inspect_data_file(dir, &why);
    if (!again.ok()) return refuse(again.error(), why);
    if (again.value().exists && options.mode == OpenMode::kCreate) {
      return refuse(StoreError::kExists, "a store exists here already (data.mdb)");
    }
  }
  const int rc = open_env(&s->env_->env, dir, options);
  if (rc == MDB_INVALID || rc == MDB_VERSION_MISMATCH) {
    return refuse(StoreError::kCorrupt,
                  std::string("data.mdb is not a readable LMDB environment: ") + mdb_strerror(rc));
  }
  if (rc != 0) {
    return refuse(is_disk_full(rc) ? StoreError::kDiskFull : StoreError::kIo,
                  std::string("mdb_env_open: ") + mdb_strerror(rc));
  }
  if (const int r = reserve_map_file(s->env_->env); r != 0) {
    return refuse(is_disk_full(r) ? StoreError::kDiskFull : StoreError::kIo,
                  std::string("cannot allocate the data file: ") + strerror(r));
  }
  if (auto st = s->open_dbs(); !st) return refuse(st.error(), s->detail_);
  return s;
}

namespace {
const DbSpec kDbs[] = {
    {"accounts", &Store::Env::accounts, 0},
    {"balances", &Store::Env::balances, 0},
    {"holds", &Store::Env::holds, 0},
    {"closed_holds", &Store::Env::closed_holds, 0},
    {"transfers", &Store::Env::transfers, 0},
    {"transfer_ids", &Store::Env::transfer_ids, 0},
    {"account_transfers", &Store::Env::account_transfers, MDB_DUPSORT | MDB_DUPFIXED},
    {"orders", &Store::Env::orders, 0},
    {"journal", &Store::Env::journal, 0},
};
}  // namespace

Status<StoreError> Store::create_dbs(void* raw) {
  auto* txn = static_cast<MDB_txn*>(raw);
  int rc = mdb_dbi_open(txn, "meta", MDB_CREATE, &env_->meta);
  for (const DbSpec& d : kDbs) {
    if (rc == 0) rc = mdb_dbi_open(txn, d.name, d.flags | MDB_CREATE, &((*env_).*d.member));
  }
  const std::uint64_t magic = kStoreMagic;
  const std::uint32_t schema = kSchemaVersion;
  const std::uint64_t zero = 0;
  const Digest no_hash{};
  const LedgerCounters counters{};
  MDB_val k, v;
  auto put = [&](const char* key, const void* p, std::size_t n) {
    if (rc != 0) return;
    k = val(std::string_view(key));
    v = val(p, n);
    rc = mdb_put(txn, env_->meta, &k, &v, 0);
  };
  put(kMetaMagic, &magic, sizeof magic);
  put(kMetaSchema, &schema, sizeof schema);
  put(kMetaAppliedSeq, &zero, sizeof zero);
  put(kMetaLastHash, no_hash.data(), no_hash.size());
  put(kMetaCounters, &counters, sizeof counters);
  const UsedIdsHeader used_ids{};  // a new store keeps its used ids from the start
  put(kMetaUsedIds, &used_ids, sizeof used_ids);
  const StoreIdentity identity = new_store_identity();
  IdentityRecord idr;
  std::memcpy(idr.id, identity.id.data(), sizeof idr.id);
  idr.created_ns = identity.created_ns;
  put(kMetaIdentity, &idr, sizeof idr);
  if (rc == 0) identity_ = identity;
  if (rc != 0) {
    return fail(is_disk_full(rc) ? StoreError::kDiskFull : StoreError::kLmdb,
                std::string("creating the store: ") + mdb_strerror(rc));
  }
  return {};
}

Status<StoreError> Store::check_meta(void* raw) {
  auto* txn = static_cast<MDB_txn*>(raw);
  MDB_val k = val(std::string_view(kMetaMagic)), v;
  std::uint64_t magic = 0;
  if (mdb_get(txn, env_->meta, &k, &v) != 0 || !read_fixed(v, magic) || magic != kStoreMagic) {
    return fail(StoreError::kForeign, "the meta database has no carbonx magic number");
  }
  k = val(std::string_view(kMetaSchema));
  std::uint32_t schema = 0;
  if (mdb_get(txn, env_->meta, &k, &v) != 0 || !read_fixed(v, schema)) {
    return fail(StoreError::kCorrupt, "the meta database has no schema version");
  }
  if (schema != kSchemaVersion) {
    return fail(StoreError::kSchemaVersion, "schema version " + std::to_string(schema) +
                                                ", this program reads " +
                                                std::to_string(kSchemaVersion));
  }
  for (const DbSpec& d : kDbs) {
    const int rc = mdb_dbi_open(txn, d.name, d.flags, &((*env_).*d.member));
    if (rc != 0) {
      return fail(StoreError::kCorrupt,
                  std::string("database ") + d.name + " missing: " + mdb_strerror(rc));
    }
  }
  std::uint64_t applied = 0;
  k = val(std::string_view(kMetaAppliedSeq));
  if (mdb_get(txn, env_->meta, &k, &v) != 0 || !read_fixed(v, applied)) {
    return fail(StoreError::kCorrupt, "applied_seq missing");
  }
  applied_seq_ = Seq(applied);
  k = val(std::string_view(kMetaLastHash));
  if (mdb_get(txn, env_->meta, &k, &v) != 0 || v.mv_size != last_hash_.size()) {
    return fail(StoreError::kCorrupt, "last journal hash missing");
  }
  std::memcpy(last_hash_.data(), v.mv_data, last_hash_.size());
  k = val(std::string_view(kMetaIdentity));
  if (mdb_get(txn, env_->meta, &k, &v) == 0) {
    IdentityRecord r;
    if (!read_fixed(v, r) || r.version != 1) {
      return fail(StoreError::kCorrupt, "the exchange identity record is malformed");
    }
    StoreIdentity id;
    std::memcpy(id.id.data(), r.id, id.id.size());
    id.created_ns = r.created_ns;
    identity_ = id;
  }
  return {};
}

Status<StoreError> Store::open_dbs() {
  MDB_txn* txn = nullptr;
  int rc = mdb_txn_begin(env_->env, nullptr, options_.read_only ? MDB_RDONLY : 0, &txn);
  if (rc != 0) return fail(StoreError::kLmdb, std::string("begin: ") + mdb_strerror(rc));
  rc = mdb_dbi_open(txn, "meta", 0, &env_->meta);
  Status<StoreError> st;
  if (rc == MDB_NOTFOUND && options_.read_only) {
    st = fail(StoreError::kForeign, "LMDB environment without a carbonx meta database");
  } else if (rc == MDB_NOTFOUND) {
    MDB_dbi main = 0;
    MDB_stat ms{};
    rc = mdb_dbi_open(txn, nullptr, 0, &main);
    if (rc == 0) rc = mdb_stat(txn, main, &ms);
    if (rc != 0 || ms.ms_entries != 0) {
      st = fail(StoreError::kForeign, "LMDB environment without a carbonx meta database");
    } else {
      st = create_dbs(txn);
    }
  } else if (rc == MDB_INCOMPATIBLE) {
    st = fail(StoreError::kForeign, "'meta' is not a carbonx meta database");
  } else if (rc != 0) {
    st = fail(StoreError::kCorrupt, std::string("opening meta: ") + mdb_strerror(rc));
  } else {
    st = check_meta(txn);
  }
  if (st) {
    // Added after schema 1 was in use: an older store gets the (empty) table here and has no
    // UsedIdsHeader until its owner writes one (Recovery::used_ids_day). Read-only: not created.
    rc = mdb_dbi_open(txn, "used_ids", options_.read_only ? 0 : MDB_CREATE, &env_->used_ids);
    has_used_ids_db_ = rc == 0;
    if (rc == MDB_NOTFOUND && options_.read_only) rc = 0;
    if (rc != 0) st = fail(StoreError::kLmdb, std::string("used_ids: ") + mdb_strerror(rc));
  }
  if (!st) {
    mdb_txn_abort(txn);
    return st;
  }
  {
    Cursor c(txn, env_->transfer_ids);
    MDB_val k, v;
    if (c.rc() == 0 && mdb_cursor_get(c.get(), &k, &v, MDB_LAST) == 0 && k.mv_size == 8) {
      max_transfer_id_key_ = get_be64(static_cast<const std::uint8_t*>(k.mv_data));
      has_transfer_ids_ = true;
    }
  }
  rc = mdb_txn_commit(txn);  // keeps the dbi handles
  if (rc != 0) {
    return fail(is_disk_full(rc) ? StoreError::kDiskFull : StoreError::kLmdb,
                std::string("commit at open: ") + mdb_strerror(rc));
  }
  return {};
}

// ---------------------------------------------------------------------------------------------
// Load

Result<Recovery, StoreError> Store::load(Ledger& ledger) {
  CX_ASSERT(ledger.account_count() == 0);
  ReadTxn txn(env_->env);
  if (txn.rc() != 0) return Err(StoreError::kLmdb);
  MDB_val k, v;
  auto scan = [&](MDB_dbi dbi, auto&& fn) -> bool {
    Cursor c(txn.get(), dbi);
    if (c.rc() != 0) return false;
    for (int rc = mdb_cursor_get(c.get(), &k, &v, MDB_FIRST); rc == 0;
         rc = mdb_cursor_get(c.get(), &k, &v, MDB_NEXT)) {
      if (!fn()) return false;
    }
    return true;
  };
  const bool ok = scan(env_->accounts,
                       [&] {
                         AccountRecord r;
                         if (!read_fixed(v, r)) return false;
                         ledger.load_account(Account{
                             AccountId(r.id), static_cast<AccountKind>(r.kind),
                             static_cast<AccountStatus>(r.status), r.compliance_year,
                             r.owner_entity, MemberId(r.member), r.region_code, r.holding_limit_t});
                         return true;
                       }) &&
                  scan(env_->balances,
                       [&] {
                         BalanceRecord r;
                         if (k.mv_size != 8 || !read_fixed(v, r)) return false;
                         const auto* kb = static_cast<const std::uint8_t*>(k.mv_data);
                         if (ledger.account(AccountId(get_be32(kb))) == nullptr) return false;
                         ledger.load_balance(AccountId(get_be32(kb)), AssetId(get_be32(kb + 4)), r);
                         return true;
                       }) &&
                  scan(env_->holds, [&] {
                    HoldRecord r;
                    if (!read_fixed(v, r) || ledger.account(AccountId(r.account)) == nullptr)
                      return false;
                    if (r.remaining <= 0 || r.remaining > r.amount) return false;
                    ledger.load_hold(r);
                    return true;
                  });
  if (!ok) {
    detail_ = "malformed ledger record";
    return Err(StoreError::kCorrupt);
  }
  Recovery out;
  out.applied_seq = applied_seq_;
  out.last_hash = last_hash_;
  k = val(std::string_view(kMetaCounters));
  if (mdb_get(txn.get(), env_->meta, &k, &v) != 0 || !read_fixed(v, ledger.counters_)) {
    detail_ = "ledger counters missing";
    return Err(StoreError::kCorrupt);
  }
  k = val(std::string_view(kMetaCoreState));
  if (mdb_get(txn.get(), env_->meta, &k, &v) == 0) {
    const auto b = bytes(v);
    out.core_state.assign(b.begin(), b.end());
  }
  k = val(std::string_view(kMetaRegistryState));
  if (mdb_get(txn.get(), env_->meta, &k, &v) == 0) {
    const auto b = bytes(v);
    out.registry_state.assign(b.begin(), b.end());
  }
  k = val(std::string_view(kMetaUsedIds));
  if (mdb_get(txn.get(), env_->meta, &k, &v) == 0) {
    UsedIdsHeader h;
    if (!read_fixed(v, h) || h.version != kUsedIdsVersion) {
      detail_ = "used ids header malformed or of another version";
      return Err(StoreError::kCorrupt);
    }
    out.used_ids_day = Date{h.day_yyyymmdd};
  }
  // The hold-id watermark below the owner-id limit, per kind, from the tables themselves (every
  // used hold id is in `holds` or `closed_holds`): right also for a store whose max_hold counter
  // an old replace's generation id pushed above every order id.
  for (std::uint64_t kind = 0; kind < 8; ++kind) {
    const std::uint64_t lo = kind << 56;
    const std::uint64_t hi = lo | kHoldOwnerIdLimit;
    const std::uint64_t last = std::max(last_key_in(txn.get(), env_->holds, lo, hi),
                                        last_key_in(txn.get(), env_->closed_holds, lo, hi));
    ledger.load_low_hold_watermark(static_cast<HoldKind>(kind), last);
  }
  ledger.attach_history(this);
  ledger.mark_committed();
  return out;
}

namespace {
std::uint64_t last_key_in(MDB_txn* txn, MDB_dbi dbi, std::uint64_t lo, std::uint64_t hi) {
  Cursor c(txn, dbi);
  CX_ASSERT(c.rc() == 0);
  std::uint8_t key[8];
  put_be64(key, hi);
  MDB_val k = val(key, 8), v;
  // The first key >= hi, then one back; none >= hi: the last key of the table.
  int rc = mdb_cursor_get(c.get(), &k, &v, MDB_SET_RANGE);
  rc = mdb_cursor_get(c.get(), &k, &v, rc == 0 ? MDB_PREV : MDB_LAST);
  if (rc != 0 || k.mv_size != 8) return 0;
  const std::uint64_t id = get_be64(static_cast<const std::uint8_t*>(k.mv_data));
  return id >= lo && id < hi ? id : 0;
}
}  // namespace

Status<StoreError> Store::for_each_open_order(
    const std::function<void(std::uint64_t, std::span<const std::uint8_t>)>& fn) {
  ReadTxn txn(env_->env);
  if (txn.rc() != 0) return fail(StoreError::kLmdb, mdb_strerror(txn.rc()));
  Cursor c(txn.get(), env_->orders);
  MDB_val k, v;
  for (int rc = mdb_cursor_get(c.get(), &k, &v, MDB_FIRST); rc == 0;
       rc = mdb_cursor_get(c.get(), &k, &v, MDB_NEXT)) {
    if (k.mv_size != 8) return fail(StoreError::kCorrupt, "malformed order key");
    fn(get_be64(static_cast<const std::uint8_t*>(k.mv_data)), bytes(v));
  }
  return {};
}

Status<StoreError> Store::for_each_used_id(
    const std::function<void(std::uint32_t, std::string_view)>& fn) {
  if (!has_used_ids_db_) return {};  // read-only, written before the table existed: none
  ReadTxn txn(env_->env);
  if (txn.rc() != 0) return fail(StoreError::kLmdb, mdb_strerror(txn.rc()));
  Cursor c(txn.get(), env_->used_ids);
  MDB_val k, v;
  for (int rc = mdb_cursor_get(c.get(), &k, &v, MDB_FIRST); rc == 0;
       rc = mdb_cursor_get(c.get(), &k, &v, MDB_NEXT)) {
    if (k.mv_size < 4 || k.mv_size > 4 + kUsedIdMaxBytes || v.mv_size != 0) {
      return fail(StoreError::kCorrupt, "malformed used id record");
    }
    const auto* kb = static_cast<const char*>(k.mv_data);
    fn(get_be32(reinterpret_cast<const std::uint8_t*>(kb)),
       std::string_view(kb + 4, k.mv_size - 4));
  }
  return {};
}

// ---------------------------------------------------------------------------------------------
// Commit

Status<StoreError> Store::grow_map(std::size_t at_least) {
  MDB_envinfo info{};
  mdb_env_info(env_->env, &info);
  std::size_t next = std::max(info.me_mapsize * 2, at_least);
  if (next > options_.max_map_bytes) next = options_.max_map_bytes;
  if (next <= info.me_mapsize) {
    return fail(StoreError::kMapFull, "map size " + std::to_string(info.me_mapsize) +
                                          " bytes is at StoreOptions::max_map_bytes");
  }
  // No transaction of this process is open here (readers are scoped to queries).
  const int rc = mdb_env_set_mapsize(env_->env, next);
  if (rc != 0) {
    return fail(is_disk_full(rc) ? StoreError::kDiskFull : StoreError::kLmdb,
                std::string("growing the map: ") + mdb_strerror(rc));
  }
  if (const int r = reserve_map_file(env_->env); r != 0) {
    // Back to the old size: no page may be written where the file has no blocks.
    const int back = mdb_env_set_mapsize(env_->env, info.me_mapsize);
    CX_ASSERT(back == 0);
    return fail(is_disk_full(r) ? StoreError::kDiskFull : StoreError::kIo,
                std::string("allocating the grown data file: ") + strerror(r));
  }
  return {};
}

Status<StoreError> Store::ensure_room(std::size_t batch_bytes) {
  MDB_envinfo info{};
  MDB_stat st{};
  mdb_env_info(env_->env, &info);
  mdb_env_stat(env_->env, &st);
  const std::size_t used = (info.me_last_pgno + 1) * st.ms_psize;
  // Copy-on-write can touch a few pages per changed row; leave generous headroom.
  const std::size_t need = used + 4 * batch_bytes + (std::size_t{4} << 20);
  if (need <= info.me_mapsize - info.me_mapsize / 4) return {};
  if (info.me_mapsize >= options_.max_map_bytes) return {};  // MAP_FULL decides
  return grow_map(need + need / 2);
}

namespace {
// Puts one value; keeps the first error in `rc`.
void put(int& rc, MDB_txn* txn, MDB_dbi dbi, MDB_val k, MDB_val v, unsigned flags = 0) {
  if (rc == 0) rc = mdb_put(txn, dbi, &k, &v, flags);
}
}  // namespace

int Store::write_ledger_rows(void* raw, const Ledger& ledger) {
  auto* txn = static_cast<MDB_txn*>(raw);
  int rc = 0;
  std::uint8_t key[12];
  for (std::uint32_t slot : ledger.dirty_accounts_) {
    const Account& a = ledger.accounts_[slot].info;
    const AccountRecord r{a.id.value(),
                          static_cast<std::uint8_t>(a.kind),
                          static_cast<std::uint8_t>(a.status),
                          a.compliance_year,
                          a.owner_entity,
                          a.member.value(),
                          a.region_code,
                          a.holding_limit_t};
    put_be32(key, a.id.value());
    put(rc, txn, env_->accounts, val(key, 4), val(&r, sizeof r));
  }
  // Rows in key order: consecutive puts then walk the same B-tree pages.
  std::vector<std::pair<std::uint64_t, std::uint32_t>> rows;
  rows.reserve(ledger.dirty_balances_.size());
  for (std::uint32_t slot : ledger.dirty_balances_) {
    const auto& b = (*ledger.balances_)[slot];
    rows.emplace_back((std::uint64_t{b.account.value()} << 32) | b.asset.value(), slot);
  }
  std::sort(rows.begin(), rows.end());
  for (const auto& [k, slot] : rows) {
    put_be64(key, k);  // = be32 account || be32 asset
    put(rc, txn, env_->balances, val(key, 8), val(&(*ledger.balances_)[slot].value, 24));
  }
  const std::uint8_t one = 1;
  for (std::uint64_t id : ledger.dirty_holds_) {
    put_be64(key, id);
    if (const auto* h = ledger.holds_->find(id)) {
      put(rc, txn, env_->holds, val(key, 8), val(&h->rec, sizeof h->rec));
      continue;
    }
    MDB_val k = val(key, 8);
    const int del = rc == 0 ? mdb_del(txn, env_->holds, &k, nullptr) : 0;
    if (del != 0 && del != MDB_NOTFOUND) rc = del;
    put(rc, txn, env_->closed_holds, val(key, 8), val(&one, 1));
  }
  std::vector<std::pair<std::uint32_t, std::uint64_t>> by_account;
  by_account.reserve(2 * ledger.transfers_.size());
  for (const TransferRecord& t : ledger.transfers_) {
    std::uint8_t pos[8];
    put_be64(pos, t.pos);
    put(rc, txn, env_->transfers, val(pos, 8), val(&t, sizeof t), MDB_APPEND);
    put_be64(key, t.id);
    const bool append = !has_transfer_ids_ || t.id > max_transfer_id_key_;
    put(rc, txn, env_->transfer_ids, val(key, 8), val(pos, 8), append ? MDB_APPEND : 0);
    if (append) {
      max_transfer_id_key_ = t.id;
      has_transfer_ids_ = true;
    }
    by_account.emplace_back(t.debit, t.pos);
    by_account.emplace_back(t.credit, t.pos);
  }
  // The statement index in (account, pos) order; each pos is the largest so far of its account,
  // so it appends to that account's duplicate list (MDB_APPENDDUP).
  std::sort(by_account.begin(), by_account.end());
  by_account.erase(std::unique(by_account.begin(), by_account.end()), by_account.end());
  for (const auto& [account, p] : by_account) {
    std::uint8_t pos[8];
    put_be32(key, account);
    put_be64(pos, p);
    put(rc, txn, env_->account_transfers, val(key, 4), val(pos, 8), MDB_APPENDDUP);
  }
  put(rc, txn, env_->meta, val(std::string_view(kMetaCounters)),
      val(&ledger.counters_, sizeof ledger.counters_));
  return rc;
}

int Store::write_used_ids(void* raw, const UsedIdsUpdate& update) {
  auto* txn = static_cast<MDB_txn*>(raw);
  int rc = update.reset ? mdb_drop(txn, env_->used_ids, 0) : 0;
  std::uint8_t key[4 + kUsedIdMaxBytes];
  for (const UsedIdChange& c : update.changes) {
    CX_ASSERT(c.id.size() <= kUsedIdMaxBytes);
    put_be32(key, c.member);
    std::memcpy(key + 4, c.id.data(), c.id.size());
    MDB_val k = val(key, 4 + c.id.size());
    if (c.erase) {
      const int del = rc == 0 ? mdb_del(txn, env_->used_ids, &k, nullptr) : 0;
      if (del != 0 && del != MDB_NOTFOUND) rc = del;
    } else {
      put(rc, txn, env_->used_ids, k, val(key, 0));
    }
  }
  const UsedIdsHeader h{kUsedIdsVersion, update.day.yyyymmdd};
  put(rc, txn, env_->meta, val(std::string_view(kMetaUsedIds)), val(&h, sizeof h));
  return rc;
}

int Store::write_batch(const Batch& batch, const Ledger& ledger,
                       const std::vector<std::uint8_t>& records,
                       const std::vector<std::size_t>& offsets, const Digest& new_hash) {
  MDB_txn* txn = nullptr;
  int rc = mdb_txn_begin(env_->env, nullptr, 0, &txn);
  if (rc != 0) return rc;
  if (batch.used_ids) rc = write_used_ids(txn, *batch.used_ids);
  std::uint8_t key[8];
  for (std::size_t i = 0; i < batch.journal.size(); ++i) {
    put_be64(key, batch.journal[i].seq.value());
    put(rc, txn, env_->journal, val(key, 8),
        val(records.data() + offsets[i], offsets[i + 1] - offsets[i]), MDB_APPEND);
  }
  if (rc == 0) rc = write_ledger_rows(txn, ledger);
  for (const OrderChange& o : batch.orders) {
    put_be64(key, o.order_id);
    if (o.erase) {
      MDB_val k = val(key, 8);
      const int del = rc == 0 ? mdb_del(txn, env_->orders, &k, nullptr) : 0;
      if (del != 0 && del != MDB_NOTFOUND) rc = del;
    } else {
      put(rc, txn, env_->orders, val(key, 8), val(o.record.data(), o.record.size()));
    }
  }
  if (batch.core_state) {
    put(rc, txn, env_->meta, val(std::string_view(kMetaCoreState)),
        val(batch.core_state->data(), batch.core_state->size()));
  }
  if (batch.registry_state) {
    put(rc, txn, env_->meta, val(std::string_view(kMetaRegistryState)),
        val(batch.registry_state->data(), batch.registry_state->size()));
  }
  if (!batch.journal.empty()) {
    const std::uint64_t applied = batch.journal.back().seq.value();
    put(rc, txn, env_->meta, val(std::string_view(kMetaAppliedSeq)), val(&applied, sizeof applied));
    put(rc, txn, env_->meta, val(std::string_view(kMetaLastHash)),
        val(new_hash.data(), new_hash.size()));
  }
  if (rc != 0) {
    mdb_txn_abort(txn);
    return rc;
  }
  return mdb_txn_commit(txn);  // on failure LMDB has freed the txn
}

// LMDB reports a short write (the disk filled up in the middle of it) as EIO: tell a full disk or
// a reached file size limit apart from a real I/O error by looking at the room left.
Status<StoreError> Store::write_failure(int rc, std::size_t bytes_needed) {
  if (is_disk_full(rc)) return fail(StoreError::kDiskFull, mdb_strerror(rc));
  if (rc != EIO) return fail(StoreError::kLmdb, std::string("commit: ") + mdb_strerror(rc));
  const std::size_t margin = bytes_needed + (std::size_t{1} << 20);
  struct statvfs fs {};
  if (statvfs(dir_.c_str(), &fs) == 0 && fs.f_bavail * fs.f_frsize < margin) {
    return fail(StoreError::kDiskFull, "the file system has no room left for the batch");
  }
  struct rlimit lim {};
  struct stat st {};
  if (getrlimit(RLIMIT_FSIZE, &lim) == 0 && lim.rlim_cur != RLIM_INFINITY &&
      stat((dir_ + "/data.mdb").c_str(), &st) == 0 &&
      static_cast<std::size_t>(st.st_size) + margin > lim.rlim_cur) {
    return fail(StoreError::kDiskFull, "the process's file size limit (RLIMIT_FSIZE) is reached");
  }
  return fail(StoreError::kIo, std::string("commit: ") + mdb_strerror(rc));
}

Status<StoreError> Store::record_identity(const StoreIdentity& identity) {
  if (options_.read_only) return fail(StoreError::kReadOnly, "the store is open read-only");
  if (identity_) {
    return fail(StoreError::kExists, "the store already has the identity " + identity_->id_hex());
  }
  MDB_txn* txn = nullptr;
  int rc = mdb_txn_begin(env_->env, nullptr, 0, &txn);
  if (rc != 0) return fail(StoreError::kLmdb, std::string("begin: ") + mdb_strerror(rc));
  IdentityRecord r;
  std::memcpy(r.id, identity.id.data(), sizeof r.id);
  r.created_ns = identity.created_ns;
  put(rc, txn, env_->meta, val(std::string_view(kMetaIdentity)), val(&r, sizeof r));
  if (rc != 0) {
    mdb_txn_abort(txn);
  } else {
    rc = mdb_txn_commit(txn);
  }
  if (rc != 0) {
    return fail(is_disk_full(rc) ? StoreError::kDiskFull : StoreError::kLmdb,
                std::string("recording the identity: ") + mdb_strerror(rc));
  }
  identity_ = identity;
  return {};
}

Status<StoreError> Store::commit_batch(const Batch& batch, Ledger& ledger) {
  CX_ASSERT(getpid() == pid_);  // never across fork()
  if (options_.read_only) return fail(StoreError::kReadOnly, "the store is open read-only");
  std::uint64_t expect = applied_seq_.value() + 1;
  for (const JournalEntry& e : batch.journal) {
    if (e.seq.value() != expect) {
      return fail(StoreError::kSeqGap, "journal seq " + std::to_string(e.seq.value()) +
                                           ", expected " + std::to_string(expect));
    }
    CX_ASSERT(e.payload.size() <= kJournalPayloadMax);
    ++expect;
  }
  std::vector<std::uint8_t> records;
  std::vector<std::size_t> offsets{0};
  Digest hash = last_hash_;
  for (const JournalEntry& e : batch.journal) {
    hash = encode_journal_record(hash, e.seq, e.ts, e.payload, records);
    offsets.push_back(records.size());
  }
  std::size_t bytes_estimate = records.size() + ledger.transfers_.size() * 160 +
                               (ledger.dirty_balances_.size() + ledger.dirty_holds_.size()) * 64;
  for (const OrderChange& o : batch.orders)
    bytes_estimate += o.record.size() + 16;
  if (batch.core_state) bytes_estimate += batch.core_state->size();
  if (batch.registry_state) bytes_estimate += batch.registry_state->size();
  if (batch.used_ids) bytes_estimate += batch.used_ids->changes.size() * (kUsedIdMaxBytes + 16);
  if (auto st = ensure_room(bytes_estimate); !st) {
    last_failed_bytes_ = bytes_estimate;
    return st;
  }
  // write_ledger_rows() advances these as it appends; a transaction that fails must not.
  const std::uint64_t max_key_before = max_transfer_id_key_;
  const bool had_ids_before = has_transfer_ids_;
  for (int attempt = 0;; ++attempt) {
    const int rc = write_batch(batch, ledger, records, offsets, hash);
    if (rc == 0) break;
    max_transfer_id_key_ = max_key_before;
    has_transfer_ids_ = had_ids_before;
    if (rc == MDB_MAP_FULL && attempt < kMaxGrowRetries) {
      if (auto st = grow_map(0); !st) return st;
      continue;
    }
    last_failed_bytes_ = bytes_estimate;
    if (rc == MDB_MAP_FULL) {
      return fail(StoreError::kMapFull, "the map is at StoreOptions::max_map_bytes (" +
                                            byte_count(options_.max_map_bytes) + ")");
    }
    return write_failure(rc, bytes_estimate);
  }
  if (!batch.journal.empty()) {
    applied_seq_ = batch.journal.back().seq;
    last_hash_ = hash;
  }
  if (ledger.history_ == nullptr) ledger.attach_history(this);
  ledger.mark_committed();
  return {};
}

Status<StoreError> Store::probe_room() {
  CX_ASSERT(getpid() == pid_);
  if (options_.read_only) return fail(StoreError::kReadOnly, "the store is open read-only");
  // Twice the failed batch, within [64 KiB, 64 MiB] and a quarter of the largest map.
  const std::size_t bytes =
      std::min(std::clamp(2 * last_failed_bytes_, std::size_t{64} << 10, std::size_t{64} << 20),
               options_.max_map_bytes / 4);
  if (auto st = ensure_room(bytes); !st) return st;
  struct statvfs fs {};
  if (statvfs(dir_.c_str(), &fs) == 0 &&
      fs.f_bavail * fs.f_frsize < bytes + (std::size_t{1} << 20)) {
    return fail(StoreError::kDiskFull,
                "the file system has " + byte_count(fs.f_bavail * fs.f_frsize) + " free");
  }
  constexpr char kProbe[] = "probe";  // never left behind by a successful probe
  const std::vector<std::uint8_t> filler(bytes, 0xA5);
  for (const bool erase : {false, true}) {
    MDB_txn* txn = nullptr;
    int rc = mdb_txn_begin(env_->env, nullptr, 0, &txn);
    if (rc != 0) return fail(StoreError::kLmdb, std::string("begin: ") + mdb_strerror(rc));
    MDB_val k = val(std::string_view(kProbe));
    if (erase) {
      rc = mdb_del(txn, env_->meta, &k, nullptr);
      if (rc == MDB_NOTFOUND) rc = 0;
    } else {
      put(rc, txn, env_->meta, k, val(filler.data(), filler.size()));
    }
    if (rc != 0) {
      mdb_txn_abort(txn);
    } else {
      rc = mdb_txn_commit(txn);
    }
    if (rc == MDB_MAP_FULL) {
      return fail(StoreError::kMapFull, "the map is at StoreOptions::max_map_bytes (" +
                                            byte_count(options_.max_map_bytes) + ")");
    }
    if (rc != 0) return write_failure(rc, bytes);
  }
  last_failed_bytes_ = 0;
  return {};
}

// ---------------------------------------------------------------------------------------------
// Queries

std::optional<TransferRecord> Store::find_transfer(TransferId id) {
  ++history_reads_;
  ReadTxn txn(env_->env);
  CX_ASSERT(txn.rc() == 0);
  std::uint8_t key[8];
  put_be64(key, id.value());
  MDB_val k = val(key, 8), v;
  if (mdb_get(txn.get(), env_->transfer_ids, &k, &v) != 0) return std::nullopt;
  CX_ASSERT(v.mv_size == 8);
  MDB_val pos = v;
  TransferRecord r;
  const int rc = mdb_get(txn.get(), env_->transfers, &pos, &v);
  CX_ASSERT(rc == 0);
  CX_ASSERT(read_fixed(v, r));
  CX_ASSERT(r.id == id.value());
  return r;
}

bool Store::hold_id_used(HoldId id) {
  ++history_reads_;
  ReadTxn txn(env_->env);
  CX_ASSERT(txn.rc() == 0);
  std::uint8_t key[8];
  put_be64(key, id.value());
  MDB_val k = val(key, 8), v;
  return mdb_get(txn.get(), env_->holds, &k, &v) == 0 ||
         mdb_get(txn.get(), env_->closed_holds, &k, &v) == 0;
}

Result<Statement, StoreError> Store::statement(AccountId account, std::uint64_t from_pos,
                                               std::size_t limit) {
  ReadTxn txn(env_->env);
  if (txn.rc() != 0) return Err(StoreError::kLmdb);
  Cursor c(txn.get(), env_->account_transfers);
  std::uint8_t key[4], pos[8];
  put_be32(key, account.value());
  put_be64(pos, from_pos);
  MDB_val k = val(key, 4), v = val(pos, 8);
  Statement out;
  int rc = mdb_cursor_get(c.get(), &k, &v, MDB_GET_BOTH_RANGE);
  for (; rc == 0; rc = mdb_cursor_get(c.get(), &k, &v, MDB_NEXT_DUP)) {
    if (v.mv_size != 8) return Err(StoreError::kCorrupt);
    const std::uint64_t p = get_be64(static_cast<const std::uint8_t*>(v.mv_data));
    if (out.transfers.size() == limit) {
      out.next_pos = p;
      break;
    }
    MDB_val tk = v, tv;
    TransferRecord r;
    if (mdb_get(txn.get(), env_->transfers, &tk, &tv) != 0 || !read_fixed(tv, r)) {
      return Err(StoreError::kCorrupt);
    }
    out.transfers.push_back(r);
  }
  return out;
}

Result<std::vector<Holding>, StoreError> Store::holdings_at(Seq at) {
  ReadTxn txn(env_->env);
  if (txn.rc() != 0) return Err(StoreError::kLmdb);
  Cursor c(txn.get(), env_->transfers);
  std::map<std::pair<std::uint32_t, std::uint32_t>, std::int64_t> sums;
  MDB_val k, v;
  for (int rc = mdb_cursor_get(c.get(), &k, &v, MDB_FIRST); rc == 0;
       rc = mdb_cursor_get(c.get(), &k, &v, MDB_NEXT)) {
    TransferRecord r;
    if (!read_fixed(v, r)) return Err(StoreError::kCorrupt);
    if (r.seq > at.value()) break;  // the log is in application order, seqs never decrease
    sums[{r.debit, r.asset}] -= r.amount;
    sums[{r.credit, r.asset}] += r.amount;
  }
  std::vector<Holding> out;
  for (const auto& [key, amount] : sums) {
    if (amount != 0) out.push_back(Holding{AccountId(key.first), AssetId(key.second), amount});
  }
  return out;
}

Status<StoreError> Store::read_journal(Seq from,
                                       const std::function<bool(const JournalRecordView&)>& fn) {
  ReadTxn txn(env_->env);
  if (txn.rc() != 0) return fail(StoreError::kLmdb, mdb_strerror(txn.rc()));
  Cursor c(txn.get(), env_->journal);
  std::uint8_t key[8];
  put_be64(key, from.value());
  MDB_val k = val(key, 8), v;
  for (int rc = mdb_cursor_get(c.get(), &k, &v, MDB_SET_RANGE); rc == 0;
       rc = mdb_cursor_get(c.get(), &k, &v, MDB_NEXT)) {
    JournalRecordView view;
    if (k.mv_size != 8 || !decode_journal_record(bytes(v), view)) {
      return fail(
          StoreError::kCorrupt,
          "malformed journal record at key seq " +
              std::to_string(k.mv_size == 8 ? get_be64(static_cast<std::uint8_t*>(k.mv_data)) : 0));
    }
    if (view.seq.value() != get_be64(static_cast<const std::uint8_t*>(k.mv_data))) {
      return fail(StoreError::kCorrupt, "journal record seq differs from its key");
    }
    if (!fn(view)) break;
  }
  return {};
}

Result<std::optional<std::vector<std::uint8_t>>, StoreError> Store::open_order(std::uint64_t id) {
  ReadTxn txn(env_->env);
  if (txn.rc() != 0) return Err(StoreError::kLmdb);
  std::uint8_t key[8];
  put_be64(key, id);
  MDB_val k = val(key, 8), v;
  if (mdb_get(txn.get(), env_->orders, &k, &v) != 0) {
    return std::optional<std::vector<std::uint8_t>>();
  }
  const auto b = bytes(v);
  return std::optional<std::vector<std::uint8_t>>(std::vector<std::uint8_t>(b.begin(), b.end()));
}

Result<StoreStats, StoreError> Store::stats() {
  ReadTxn txn(env_->env);
  if (txn.rc() != 0) return Err(StoreError::kLmdb);
  MDB_envinfo info{};
  MDB_stat st{};
  mdb_env_info(env_->env, &info);
  mdb_env_stat(env_->env, &st);
  StoreStats out;
  out.map_bytes = info.me_mapsize;
  out.used_bytes = (info.me_last_pgno + 1) * st.ms_psize;
  auto entries = [&](MDB_dbi dbi) {
    MDB_stat s{};
    mdb_stat(txn.get(), dbi, &s);
    return static_cast<std::uint64_t>(s.ms_entries);
  };
  out.journal_records = entries(env_->journal);
  out.transfers = entries(env_->transfers);
  out.open_orders = entries(env_->orders);
  out.open_holds = entries(env_->holds);
  return out;
}

}  // namespace carbonx::registry
