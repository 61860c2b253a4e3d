#include "log_store.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>

namespace carbonx {
namespace gateway {
namespace {

const char kMagic[8] = {'C', 'X', 'F', 'I', 'X', 'L', 'O', 'G'};
constexpr std::uint32_t kVersion = 1;
constexpr std::size_t kHeaderBytes = 8 + 4 + 8;
constexpr std::uint32_t kMaxMessageBytes = 1u << 20;
// The end of every refusal of a file at open.
const char* const kDamaged =
    "; the file is damaged (it is left as it is: the session's sequence numbers are not started "
    "over unless an operator moves it away)";
constexpr std::size_t kSeqRecordBytes = 1 + 4;          // 'S'/'T' u32
constexpr std::size_t kMessageRecordHeadBytes = 1 + 8;  // 'M' u32 seq u32 len, then the bytes

// The store writes only sequence numbers its recovery reads back (1..kMaxSeq): past them the
// session's numbers are exhausted, and writing one would make a log the next start refuses.
void check_seq(const std::string& path, int seq) {
  if (seq < 1 || seq > LogStore::kMaxSeq) {
    throw FIX::IOException(path + ": sequence number " + std::to_string(seq) + " is outside 1.." +
                           std::to_string(LogStore::kMaxSeq) +
                           "; the session's numbers are exhausted (reset the session)");
  }
}

// The size of the FIX message that starts at `p` as its BodyLength says ("8=...<SOH>9=<n><SOH>",
// n bytes, "10=nnn<SOH>"), 0 when the bytes do not start like one (the store keeps any bytes; the
// engine's are FIX messages).
std::size_t fix_message_bytes(const char* p, std::size_t avail) {
  constexpr std::size_t kHeadMax = 40;  // "8=FIXT.1.1" SOH "9=" and seven digits, with room
  const std::size_t n = std::min(avail, kHeadMax);
  if (n < 2 || p[0] != '8' || p[1] != '=') return 0;
  const char* soh = static_cast<const char*>(std::memchr(p, '\x01', n));
  if (soh == nullptr) return 0;
  std::size_t i = static_cast<std::size_t>(soh - p) + 1;
  if (i + 2 > n || p[i] != '9' || p[i + 1] != '=') return 0;
  i += 2;
  std::size_t body = 0;
  int digits = 0;
  for (; i < n && p[i] >= '0' && p[i] <= '9' && digits < 8; ++i, ++digits)
    body = body * 10 + static_cast<std::size_t>(p[i] - '0');
  if (digits == 0 || i >= n || p[i] != '\x01') return 0;
  return i + 1 + body + 7;  // "10=nnn" SOH
}

void put32(std::string* out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i)
    out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
void put64(std::string* out, std::uint64_t v) {
  for (int i = 0; i < 8; ++i)
    out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
std::uint64_t get_le(const char* p, int bytes) {
  std::uint64_t v = 0;
  for (int i = 0; i < bytes; ++i)
    v |= std::uint64_t{static_cast<unsigned char>(p[i])} << (8 * i);
  return v;
}

thread_local DeliveryBatch* t_delivery_batch = nullptr;

}  // namespace

constexpr int LogStore::kMaxSeq;  // C++14: the definition (a test binds it to a reference)

DeliveryBatch*& current_delivery_batch() {
  return t_delivery_batch;
}

void StoreHealth::failed(const std::string& path, const std::string& why) {
  std::lock_guard<std::mutex> lock(mutex_);
  const bool first = failing_.empty();
  const bool added = failing_.emplace(path, why).second;
  if (!added) return;
  failing_count_.store(static_cast<int>(failing_.size()), std::memory_order_release);
  if (first) {
    std::fprintf(stderr,
                 "carbonxd: FIX session store cannot be written: %s: %s; messages are kept in "
                 "memory and written when it can be, state changes are refused meanwhile\n",
                 path.c_str(), why.c_str());
    std::fflush(stderr);
  }
}

void StoreHealth::recovered(const std::string& path) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (failing_.erase(path) == 0) return;
  failing_count_.store(static_cast<int>(failing_.size()), std::memory_order_release);
  if (failing_.empty()) {
    std::fprintf(stderr,
                 "carbonxd: FIX session store written again (%s): every session's messages are "
                 "stored, state changes accepted\n",
                 path.c_str());
    std::fflush(stderr);
  }
}

void StoreHealth::forget(const std::string& path) {
  std::lock_guard<std::mutex> lock(mutex_);
  failing_.erase(path);
  failing_count_.store(static_cast<int>(failing_.size()), std::memory_order_release);
}

std::string StoreHealth::problem() const {
  std::lock_guard<std::mutex> lock(mutex_);
  if (failing_.empty()) return std::string();
  std::string out = failing_.begin()->first + ": " + failing_.begin()->second;
  if (failing_.size() > 1) out += " (and " + std::to_string(failing_.size() - 1) + " more)";
  return out;
}

FIX::MessageStore* LogStoreFactory::create(const FIX::SessionID& id) {
  LogStore* store = new LogStore(dir_, id, &health_);
  std::lock_guard<std::mutex> lock(mutex_);
  stores_.push_back(store);
  return store;
}

void LogStoreFactory::destroy(FIX::MessageStore* s) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stores_.erase(std::remove(stores_.begin(), stores_.end(), s), stores_.end());
  }
  delete s;
}

void LogStoreFactory::retry_unwritten() {
  std::lock_guard<std::mutex> lock(mutex_);
  for (LogStore* s : stores_) {
    if (s->unwritten() != 0) s->flush();
  }
}

LogStore::LogStore(const std::string& dir, const FIX::SessionID& id, StoreHealth* health)
    : health_(health) {
  path_ = dir + "/" + id.getSenderCompID().getValue() + "-" + id.getTargetCompID().getValue() +
          ".cxlog";
  fd_ = ::open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0640);
  if (fd_ < 0) throw FIX::ConfigError("cannot open FIX session log " + path_);
  try {
    load();
  } catch (...) {
    ::close(fd_);  // no destructor runs for a constructor that throws
    throw;
  }
}

LogStore::~LogStore() {
  flush();  // a failure here leaves the tail unwritten: nothing more can be done
  if (failing_ && health_ != nullptr) health_->forget(path_);  // gone (at shutdown)
  if (fd_ >= 0) ::close(fd_);
}

void LogStore::write_header() {
  std::string h(kMagic, sizeof kMagic);
  put32(&h, kVersion);
  put64(&h, static_cast<std::uint64_t>(creation_s_));
  pending_.insert(0, h);
}

void LogStore::refuse(std::size_t pos, const std::string& what) const {
  throw FIX::ConfigError(path_ + ": the record at byte " + std::to_string(pos) + " " + what +
                         kDamaged);
}

void LogStore::load() {
  struct stat st {};
  if (::fstat(fd_, &st) != 0) throw FIX::ConfigError("cannot stat " + path_);
  std::string data(static_cast<std::size_t>(st.st_size), '\0');
  if (!data.empty() &&
      ::pread(fd_, &data[0], data.size(), 0) != static_cast<ssize_t>(data.size())) {
    throw FIX::ConfigError("cannot read " + path_);
  }
  offsets_.clear();
  next_sender_ = 1;
  next_target_ = 1;
  if (data.empty()) {  // new: created now, or truncated by reset() before its header was written
    file_size_ = 0;
    creation_s_ = static_cast<std::int64_t>(std::time(nullptr));
    write_header();
    if (!flush_locked()) throw FIX::ConfigError("cannot write the header of " + path_);
    return;
  }
  // The header is written with the file's first write, so a shorter file is not one a crash
  // left: it is damaged, and starting it over would start the session's numbers over.
  if (data.size() < kHeaderBytes) {
    throw FIX::ConfigError(path_ + " has " + std::to_string(data.size()) +
                           " bytes, fewer than its " + std::to_string(kHeaderBytes) +
                           "-byte header" + kDamaged);
  }
  if (std::memcmp(data.data(), kMagic, sizeof kMagic) != 0 ||
      get_le(data.data() + 8, 4) != kVersion) {
    throw FIX::ConfigError(path_ + " is not a carbonx FIX session log of version 1");
  }
  creation_s_ = static_cast<std::int64_t>(get_le(data.data() + 12, 8));
  const std::size_t end = load_records(data);
  if (end < data.size()) {
    if (::ftruncate(fd_, static_cast<off_t>(end)) != 0) {
      throw FIX::ConfigError("cannot truncate the torn tail of " + path_);
    }
    std::fprintf(stderr,
                 "carbonxd: FIX session log %s: the last record, at byte %zu, is cut short by the "
                 "end of the file (a write a crash interrupted); its %zu bytes are removed\n",
                 path_.c_str(), end, data.size() - end);
    std::fflush(stderr);
  }
  file_size_ = end;
}

std::size_t LogStore::load_records(const std::string& data) {
  // A whole record whose sequence number is no FIX one was not written by us: refused (a torn
  // tail ends in a record cut short, never in a complete one with other bytes).
  auto seq_at = [&](std::size_t pos) {
    const std::uint64_t v = get_le(data.data() + pos + 1, 4);
    if (v < 1 || v > static_cast<std::uint64_t>(kMaxSeq)) {
      refuse(pos, "has sequence number " + std::to_string(v) + ", not one of 1.." +
                      std::to_string(kMaxSeq));
    }
    return static_cast<int>(v);
  };
  std::size_t pos = kHeaderBytes;
  while (pos < data.size()) {
    const std::size_t left = data.size() - pos;
    const char kind = data[pos];
    if (kind == 'S' || kind == 'T') {
      if (left < kSeqRecordBytes) return pos;  // torn tail
      (kind == 'S' ? next_sender_ : next_target_) = seq_at(pos);
      pos += kSeqRecordBytes;
      continue;
    }
    if (kind != 'M') {
      char hex[8];
      std::snprintf(hex, sizeof hex, "0x%02x", static_cast<unsigned char>(kind));
      refuse(pos, std::string("starts with byte ") + hex + ", which begins no record");
    }
    if (left < kMessageRecordHeadBytes) return pos;  // torn tail
    const auto len = static_cast<std::uint32_t>(get_le(data.data() + pos + 5, 4));
    if (len > kMaxMessageBytes) {
      refuse(pos, "has a message length of " + std::to_string(len) + " bytes, more than the " +
                      std::to_string(kMaxMessageBytes) + " a message may have");
    }
    const std::size_t avail = left - kMessageRecordHeadBytes;
    const std::size_t fix = fix_message_bytes(data.data() + pos + kMessageRecordHeadBytes, avail);
    // A length that disagrees with the message's own, where the file shows which is right (the
    // message ends inside the file, or the record does): the length is damaged. Both running
    // past the end is a torn tail.
    if (fix != 0 && fix != len && (fix <= avail || len <= avail)) {
      refuse(pos, "has a message length of " + std::to_string(len) + " bytes, but the FIX " +
                      "message in it is " + std::to_string(fix) + " bytes long (its BodyLength)");
    }
    if (len > avail) return pos;  // torn tail
    record(seq_at(pos), static_cast<std::uint64_t>(pos + kMessageRecordHeadBytes), len);
    pos += kMessageRecordHeadBytes + len;
  }
  return pos;
}

bool LogStore::flush() {
  std::lock_guard<std::mutex> lock(mutex_);
  return flush_locked();
}

bool LogStore::flush(const DeliveryBatch* batch) {
  std::lock_guard<std::mutex> lock(mutex_);
  batches_.erase(std::remove(batches_.begin(), batches_.end(), batch), batches_.end());
  return flush_locked();
}

std::size_t LogStore::unwritten() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return pending_.size();
}

// Writes the buffer at the end of the file. On failure nothing is dropped: the buffer and
// file_size_ stay, so the next attempt writes the same bytes at the same place (over whatever
// part of them reached the file).
bool LogStore::flush_locked() {
  std::size_t done = 0;
  while (done < pending_.size()) {
    const ssize_t n = ::pwrite(fd_, pending_.data() + done, pending_.size() - done,
                               static_cast<off_t>(file_size_ + done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const std::string why = n < 0 ? std::strerror(errno) : "nothing written";
      if (!failing_) {
        failing_ = true;
        if (health_ != nullptr) health_->failed(path_, why);
      }
      return false;
    }
    done += static_cast<std::size_t>(n);
  }
  file_size_ += pending_.size();
  pending_.clear();
  if (failing_) {
    failing_ = false;
    if (health_ != nullptr) health_->recovered(path_);
  }
  return true;
}

// Outside a delivery batch: write now. Inside: the batch writes it once, at its end.
void LogStore::after_change() {
  if (t_delivery_batch == nullptr) {
    flush();  // a failure keeps the bytes buffered (see flush_locked)
    return;
  }
  std::lock_guard<std::mutex> lock(mutex_);
  if (std::find(batches_.begin(), batches_.end(), t_delivery_batch) == batches_.end()) {
    batches_.push_back(t_delivery_batch);
    t_delivery_batch->stores.push_back(this);
  }
}

void LogStore::record(int seq, std::uint64_t offset, std::uint32_t size) {
  const Offset o{seq, size, offset};
  if (offsets_.empty() || offsets_.back().seq < seq) {
    offsets_.push_back(o);
    return;
  }
  const auto at = std::lower_bound(offsets_.begin(), offsets_.end(), seq,
                                   [](const Offset& x, int s) { return x.seq < s; });
  if (at != offsets_.end() && at->seq == seq) {
    *at = o;  // stored again under the same number: the later record wins (as at load)
  } else {
    offsets_.insert(at, o);
  }
}

bool LogStore::set(int seq, const std::string& msg) throw(FIX::IOException) {
  check_seq(path_, seq);
  if (msg.size() > kMaxMessageBytes) {  // the recovery refuses a longer record as damaged
    throw FIX::IOException(path_ + ": a message of " + std::to_string(msg.size()) +
                           " bytes, more than the " + std::to_string(kMaxMessageBytes) +
                           " the log keeps");
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    pending_.push_back('M');
    put32(&pending_, static_cast<std::uint32_t>(seq));
    put32(&pending_, static_cast<std::uint32_t>(msg.size()));
    record(seq, file_size_ + pending_.size(), static_cast<std::uint32_t>(msg.size()));
    pending_ += msg;
  }
  after_change();
  return true;
}

void LogStore::get(int begin, int end, std::vector<std::string>& out) const
    throw(FIX::IOException) {
  out.clear();
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = std::lower_bound(offsets_.begin(), offsets_.end(), begin,
                             [](const Offset& o, int seq) { return o.seq < seq; });
  for (; it != offsets_.end() && it->seq <= end; ++it) {
    std::string msg(it->size, '\0');
    const std::uint64_t off = it->offset;
    if (off >= file_size_) {  // still in the buffer
      msg = pending_.substr(static_cast<std::size_t>(off - file_size_), it->size);
    } else if (::pread(fd_, &msg[0], msg.size(), static_cast<off_t>(off)) !=
               static_cast<ssize_t>(msg.size())) {
      throw FIX::IOException("cannot read FIX session log " + path_);
    }
    out.push_back(std::move(msg));
  }
}

int LogStore::getNextSenderMsgSeqNum() const throw(FIX::IOException) {
  std::lock_guard<std::mutex> lock(mutex_);
  return next_sender_;
}
int LogStore::getNextTargetMsgSeqNum() const throw(FIX::IOException) {
  std::lock_guard<std::mutex> lock(mutex_);
  return next_target_;
}

void LogStore::append_seq(char kind, std::uint32_t value) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    pending_.push_back(kind);
    put32(&pending_, value);
  }
  after_change();
}

void LogStore::setNextSenderMsgSeqNum(int n) throw(FIX::IOException) {
  check_seq(path_, n);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    next_sender_ = n;
  }
  append_seq('S', static_cast<std::uint32_t>(n));
}
void LogStore::setNextTargetMsgSeqNum(int n) throw(FIX::IOException) {
  check_seq(path_, n);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    next_target_ = n;
  }
  append_seq('T', static_cast<std::uint32_t>(n));
}
// next_* never exceed kMaxSeq (set and load check it), so the + 1 cannot overflow an int; the
// set refuses kMaxSeq + 1.
void LogStore::incrNextSenderMsgSeqNum() throw(FIX::IOException) {
  setNextSenderMsgSeqNum(getNextSenderMsgSeqNum() + 1);
}
void LogStore::incrNextTargetMsgSeqNum() throw(FIX::IOException) {
  setNextTargetMsgSeqNum(getNextTargetMsgSeqNum() + 1);
}

FIX::UtcTimeStamp LogStore::getCreationTime() const throw(FIX::IOException) {
  std::lock_guard<std::mutex> lock(mutex_);
  return FIX::UtcTimeStamp(static_cast<std::time_t>(creation_s_));
}

void LogStore::reset() throw(FIX::IOException) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (::ftruncate(fd_, 0) != 0) throw FIX::IOException("cannot truncate " + path_);
  file_size_ = 0;
  pending_.clear();
  offsets_.clear();
  next_sender_ = 1;
  next_target_ = 1;
  creation_s_ = static_cast<std::int64_t>(std::time(nullptr));
  write_header();
  flush_locked();  // kept in the buffer if it cannot be written now
}

void LogStore::refresh() throw(FIX::IOException) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!flush_locked()) throw FIX::IOException("cannot write FIX session log " + path_);
  try {
    load();
  } catch (const FIX::ConfigError& e) {
    throw FIX::IOException(e.what());
  }
}

ArenaStore::ArenaStore() {
  reset();
}

bool ArenaStore::set(int seq, const std::string& msg) throw(FIX::IOException) {
  constexpr std::size_t kChunkBytes = 1u << 20;
  if (chunks_.empty() || chunks_.back().capacity() - chunks_.back().size() < msg.size()) {
    chunks_.emplace_back();
    chunks_.back().reserve(std::max(kChunkBytes, msg.size()));
  }
  std::string& chunk = chunks_.back();
  const Entry e{seq, static_cast<std::uint32_t>(chunks_.size() - 1),
                static_cast<std::uint32_t>(chunk.size()), static_cast<std::uint32_t>(msg.size())};
  chunk.append(msg);  // within the reserved capacity: never reallocates
  if (entries_.empty() || entries_.back().seq < seq) {
    entries_.push_back(e);
    return true;
  }
  const auto at = std::lower_bound(entries_.begin(), entries_.end(), seq,
                                   [](const Entry& x, int s) { return x.seq < s; });
  if (at != entries_.end() && at->seq == seq) {
    *at = e;  // stored again under the same number: the later message wins, as in MemoryStore
  } else {
    entries_.insert(at, e);
  }
  return true;
}

void ArenaStore::get(int begin, int end, std::vector<std::string>& out) const
    throw(FIX::IOException) {
  out.clear();
  auto at = std::lower_bound(entries_.begin(), entries_.end(), begin,
                             [](const Entry& x, int s) { return x.seq < s; });
  for (; at != entries_.end() && at->seq <= end; ++at) {
    out.emplace_back(chunks_[at->chunk], at->offset, at->size);
  }
}

void ArenaStore::reset() throw(FIX::IOException) {
  chunks_.clear();
  entries_.clear();
  next_sender_ = 1;
  next_target_ = 1;
  created_ = FIX::UtcTimeStamp();
}

}  // namespace gateway
}  // namespace carbonx
