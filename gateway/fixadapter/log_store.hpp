#pragma once
// LogStore: the FIX session store of carbonxd (sequence numbers and sent messages, for resend
// across restarts), replacing QuickFIX's FileStore, which writes and flushes two or three files
// per message (about 31,000 stores/s). One append-only file per session:
//
//   "CXFIXLOG" u32 version u64 creation_time_s     (file header)
//   'M' u32 seq u32 len bytes                      (a sent message)
//   'S' u32 next_sender_seq  |  'T' u32 next_target_seq
//
// Records are appended to a buffer and written with one write() per flush. Outside a delivery
// batch every operation flushes at once (like FileStore, no fsync: a process crash loses nothing,
// a machine crash may lose the tail, as with FileStore). Inside a delivery batch (the sender
// thread's, see FixEngine::deliver_begin/end) a batch of messages is written with one write(),
// and the connection writes of that batch are held until it is (stored before sent).
// In memory: sequence numbers and each message's file offset (16 bytes per message, a vector
// sorted by sequence number: appending is O(1) with no allocation per message); get() reads
// the messages back with pread().
//
// Recovery at open: an empty file is a new log. A torn tail — the last record cut short by the
// end of the file, as a crash mid-write leaves it — is cut, with one line on stderr naming the
// file and the byte. Anything else that is not a valid log refuses the file (FIX::ConfigError
// naming it, the byte and what is wrong) and leaves it as it is, so the session's sequence
// numbers never start over silently: a non-empty file shorter than its header, another magic or
// version, a byte that begins no record, a sequence number outside 1..kMaxSeq, a message length
// over 1 MiB, and a message record whose length disagrees with the BodyLength of the FIX message
// in it (a damaged length, which would otherwise pass for a torn tail or swallow the records
// after it).
//
// Thread-safety: its own mutex; QuickFIX calls it under the session's lock, flush() may come from
// the sender thread. A store may be registered with two threads' batches at once; each flushes
// everything buffered, so bytes held by either batch are stored before either releases them.
//
// A write that fails (the disk full, a quota, the file size limit, an I/O error) loses nothing:
// the bytes stay in the buffer (resend serves them from there), the store reports itself to its
// StoreHealth (one log line, the operator's alarm, and the exchange refuses state changes) and
// every later flush — at the latest FixEngine::tick(), once a second — writes them again from
// where the file ends; once that succeeds the store is healthy again. Meanwhile messages are
// still sent (a member keeps its session, its rejects and its resends): only a crash of the
// process before the bytes reach the file loses their record (the member's next logon then
// sees lower sequence numbers than it received). No exception leaves a store for a failed write.

#include <quickfix/MessageStore.h>

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace carbonx {
namespace gateway {

struct DeliveryBatch;

// The write health of one FixEngine's session stores: which of them cannot write now and why.
// One line on stderr when the first store fails and one when the last one writes again.
// Thread-safe.
class StoreHealth {
 public:
  void failed(const std::string& path, const std::string& why);
  void recovered(const std::string& path);
  void forget(const std::string& path);  // a store closed while failing (no log line)
  bool failing() const { return failing_count_.load(std::memory_order_acquire) > 0; }
  // "fixstore/CARBONX-INST01.cxlog: No space left on device (and 2 more)"; "" when all write.
  std::string problem() const;

 private:
  mutable std::mutex mutex_;
  std::map<std::string, std::string> failing_;  // path -> why
  std::atomic<int> failing_count_{0};
};

class LogStore : public FIX::MessageStore {
 public:
  // The largest sequence number the store writes and recovers: QuickFIX counts in int, and the
  // next number after it must still be one. Past it the session's numbers are exhausted.
  static constexpr int kMaxSeq = 0x7ffffffe;

  // Opens (creating) <dir>/<sender>-<target>.cxlog. Throws FIX::ConfigError on I/O errors and
  // on a damaged file (see above).
  // `health` (may be null; outlives the store) hears of failed and recovered writes.
  LogStore(const std::string& dir, const FIX::SessionID& id, StoreHealth* health = nullptr);
  ~LogStore() override;

  bool set(int seq, const std::string& msg) throw(FIX::IOException) override;
  void get(int begin, int end, std::vector<std::string>& out) const
      throw(FIX::IOException) override;
  int getNextSenderMsgSeqNum() const throw(FIX::IOException) override;
  int getNextTargetMsgSeqNum() const throw(FIX::IOException) override;
  void setNextSenderMsgSeqNum(int n) throw(FIX::IOException) override;
  void setNextTargetMsgSeqNum(int n) throw(FIX::IOException) override;
  void incrNextSenderMsgSeqNum() throw(FIX::IOException) override;
  void incrNextTargetMsgSeqNum() throw(FIX::IOException) override;
  FIX::UtcTimeStamp getCreationTime() const throw(FIX::IOException) override;
  void reset() throw(FIX::IOException) override;
  void refresh() throw(FIX::IOException) override;

  // Writes what is buffered (one write()). false if the write failed: the bytes stay buffered
  // (and StoreHealth knows); the next flush writes them.
  bool flush();
  // The same, at the end of `batch` (which this store registered with): it leaves the batch.
  bool flush(const DeliveryBatch* batch);
  // Bytes buffered and not yet in the file.
  std::size_t unwritten() const;

 private:
  void load();  // mutex_ held or not yet shared
  // Reads the records after the header into offsets_ and next_*; returns where a torn tail
  // starts (data.size() if none). Throws FIX::ConfigError on a damaged record.
  std::size_t load_records(const std::string& data);
  [[noreturn]] void refuse(std::size_t pos, const std::string& what) const;
  bool flush_locked();
  void append_seq(char kind, std::uint32_t value);
  void after_change();
  void write_header();

  std::string path_;
  int fd_ = -1;
  StoreHealth* health_ = nullptr;
  bool failing_ = false;  // the last write failed (mutex_)
  mutable std::mutex mutex_;
  std::string pending_;
  std::uint64_t file_size_ = 0;  // bytes on disk
  struct Offset {
    int seq;
    std::uint32_t size;
    std::uint64_t offset;  // in the file, or past file_size_: in pending_
  };
  void record(int seq, std::uint64_t offset, std::uint32_t size);  // mutex_ held
  std::vector<Offset> offsets_;  // ascending seq (appends: QuickFIX stores in sequence order)
  int next_sender_ = 1;
  int next_target_ = 1;
  std::int64_t creation_s_ = 0;
  // The delivery batches this store is registered with, to be flushed at their end: at most one
  // per thread (the I/O thread's read batch, the sender's delivery batch).
  std::vector<const DeliveryBatch*> batches_;
};

// A thread's batch of FIX work: the sender's delivery batch (FixEngine::deliver_begin/end) or
// the I/O thread's processing of one read (FixEngine::on_bytes). Stores written in it are
// flushed once at its end, and connection writes are held until then (stored before sent).
struct DeliveryBatch {
  std::vector<LogStore*> stores;
  std::vector<std::uint32_t> sessions;  // sessions whose connection holds bytes
};
// The calling thread's current batch (null outside one). A function, not an extern thread_local:
// UBSan's null check misreads a TLS address the linker relaxed in another translation unit.
DeliveryBatch*& current_delivery_batch();

// fix_store = "memory" (benchmarks: no resend across restarts): the same MessageStore contract
// without a file, replacing QuickFIX's MemoryStore (a std::map node and a string allocation per
// message). Messages are copied into 1 MiB chunks and found through a vector sorted by sequence
// number (appends are O(1): QuickFIX stores messages in sequence order). Memory grows with the
// messages sent, like MemoryStore's; reset() frees it.
// Thread-safety: none of its own; QuickFIX calls it under the session's lock (SessionState).
class ArenaStore : public FIX::MessageStore {
 public:
  ArenaStore();
  bool set(int seq, const std::string& msg) throw(FIX::IOException) override;
  void get(int begin, int end, std::vector<std::string>& out) const
      throw(FIX::IOException) override;
  int getNextSenderMsgSeqNum() const throw(FIX::IOException) override { return next_sender_; }
  int getNextTargetMsgSeqNum() const throw(FIX::IOException) override { return next_target_; }
  void setNextSenderMsgSeqNum(int n) throw(FIX::IOException) override { next_sender_ = n; }
  void setNextTargetMsgSeqNum(int n) throw(FIX::IOException) override { next_target_ = n; }
  void incrNextSenderMsgSeqNum() throw(FIX::IOException) override { ++next_sender_; }
  void incrNextTargetMsgSeqNum() throw(FIX::IOException) override { ++next_target_; }
  FIX::UtcTimeStamp getCreationTime() const throw(FIX::IOException) override { return created_; }
  void reset() throw(FIX::IOException) override;
  void refresh() throw(FIX::IOException) override {}

 private:
  struct Entry {
    int seq;
    std::uint32_t chunk;
    std::uint32_t offset;
    std::uint32_t size;
  };
  std::vector<std::string> chunks_;  // each reserved once, never reallocated
  std::vector<Entry> entries_;       // ascending seq
  int next_sender_ = 1;
  int next_target_ = 1;
  FIX::UtcTimeStamp created_;
};

class ArenaStoreFactory : public FIX::MessageStoreFactory {
 public:
  FIX::MessageStore* create(const FIX::SessionID&) override { return new ArenaStore(); }
  void destroy(FIX::MessageStore* s) override { delete s; }
};

class LogStoreFactory : public FIX::MessageStoreFactory {
 public:
  explicit LogStoreFactory(std::string dir) : dir_(std::move(dir)) {}
  FIX::MessageStore* create(const FIX::SessionID& id) override;
  void destroy(FIX::MessageStore* s) override;
  StoreHealth& health() { return health_; }
  // Writes what every store still holds (after failed writes); FixEngine::tick, once a second.
  void retry_unwritten();

 private:
  std::string dir_;
  StoreHealth health_;
  std::mutex mutex_;
  std::vector<LogStore*> stores_;
};

}  // namespace gateway
}  // namespace carbonx
