// LogStore's recovery of a session log (log_store.hpp) from damaged bytes: the cases
// log_store_fuzz found, kept as they were found. C++14 like the adapter (QuickFIX's headers).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "log_store.hpp"

namespace carbonx {
namespace gateway {
namespace {

// log_store_fuzz's first find: a whole 'T' record (next target seq) of 0xe5e5e5e5 after a valid
// message and 'S' record. It was recovered as next target seq -437,918,235; a QuickFIX session
// would then have expected that number from the member.
const std::uint8_t kNegativeTargetSeq[] = {
    0x43, 0x58, 0x46, 0x49, 0x58, 0x4c, 0x4f, 0x47, 0x01, 0x00, 0x00, 0x00, 0xf3, 0x51, 0x11,
    0x6b, 0x00, 0x00, 0x00, 0x00, 0x4d, 0x01, 0x00, 0x00, 0x00, 0x1a, 0x00, 0x00, 0x00, 0x38,
    0x3d, 0x46, 0x49, 0x58, 0x2e, 0x34, 0x2e, 0x34, 0x01, 0x39, 0x3d, 0x35, 0x01, 0x33, 0x35,
    0x3d, 0x41, 0x01, 0x31, 0x30, 0x3d, 0x30, 0x30, 0x30, 0x01, 0x53, 0x02, 0x00, 0x00, 0x00,
    0x54, 0xe5, 0xe5, 0xe5, 0xe5, 0xe5, 0xe5, 0x02, 0x00, 0x00, 0x00, 0x4d, 0x02, 0x00, 0x00,
    0x00, 0x1a, 0x00, 0x00, 0x00, 0x38, 0x3d, 0x46, 0x49, 0x58, 0x2e, 0x34, 0x2e, 0x11, 0x6b,
    0x00, 0x00, 0x00, 0x00, 0x4d, 0x01, 0x00, 0x00, 0x00, 0x1a, 0x00, 0x00, 0x00, 0x38, 0x3d,
    0x46, 0x49, 0x58, 0x2e, 0x34, 0x2e, 0x34, 0x01, 0x39, 0x3d, 0x35, 0x01, 0x33, 0x35, 0x3d,
    0x41, 0x01, 0x31, 0x30, 0x3d, 0x30, 0x30, 0x30, 0x01, 0x64, 0x65, 0x72, 0x20, 0x74, 0x68,
    0x65, 0x20, 0x73, 0x61, 0x6d, 0x65, 0x20, 0x6e, 0x75, 0x6d, 0x62,
};

class LogStoreRecoveryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/cx_log_store_testXXXXXX";
    dir_ = ::mkdtemp(tmpl);
  }
  void TearDown() override {
    ::unlink(path().c_str());
    ::rmdir(dir_.c_str());
  }
  std::string path() const { return dir_ + "/CARBONX-M1.cxlog"; }
  void write(const std::string& bytes) {
    std::ofstream(path(), std::ios::binary | std::ios::trunc) << bytes;
  }
  std::string read() const {
    std::ifstream in(path(), std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  // The refusal of the file, "" when the store opened it.
  std::string open_error() {
    try {
      LogStore s(dir_, id_);
      return "";
    } catch (const FIX::ConfigError& e) {
      return e.what();
    }
  }
  static std::string header() {
    return std::string("CXFIXLOG\x01\x00\x00\x00", 12) + std::string(8, '\x01');
  }
  static std::string seq_record(char kind, std::uint32_t v) {
    std::string r(1, kind);
    for (int i = 0; i < 4; ++i)
      r.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
    return r;
  }

  // A FIX message as the engine stores it: BodyLength right, CheckSum not checked by the store.
  static std::string fix_message(const std::string& body) {
    return "8=FIX.4.4\x01"
           "9=" +
           std::to_string(body.size()) + "\x01" + body + "10=000\x01";
  }
  // A message record; `len` is the length it says (its bytes' by default).
  static std::string message_record(std::uint32_t seq, const std::string& bytes,
                                    std::int64_t len = -1) {
    return seq_record('M', seq) +
           seq_record('\0', len < 0 ? static_cast<std::uint32_t>(bytes.size())
                                    : static_cast<std::uint32_t>(len))
               .substr(1) +
           bytes;
  }
  // The store opened with its stderr captured: the refusal ("" when it opened) and the log.
  struct Opened {
    std::string error;
    std::string log;
  };
  Opened open_logged() {
    ::testing::internal::CaptureStderr();
    Opened o;
    o.error = open_error();
    o.log = ::testing::internal::GetCapturedStderr();
    return o;
  }
  // Every case must be refused naming the file and `what`, and leave the file as it was.
  void expect_refused(const std::string& bytes, const std::string& what) {
    write(bytes);
    const Opened o = open_logged();
    EXPECT_NE(o.error.find("CARBONX-M1.cxlog"), std::string::npos) << o.error;
    EXPECT_NE(o.error.find(what), std::string::npos) << o.error;
    EXPECT_NE(o.error.find("the file is damaged (it is left as it is"), std::string::npos)
        << o.error;
    EXPECT_EQ(read(), bytes) << "a refused log is left as it was: " << what;
  }

  std::string dir_;
  FIX::SessionID id_{"FIX.4.4", "CARBONX", "M1"};
};

TEST_F(LogStoreRecoveryTest, ASequenceNumberNoFixOneRefusesTheFileAndLeavesIt) {
  const std::string found(reinterpret_cast<const char*>(kNegativeTargetSeq),
                          sizeof kNegativeTargetSeq);
  write(found);
  const std::string error = open_error();
  EXPECT_NE(error.find("CARBONX-M1.cxlog: the record at byte 60 has sequence number 3857049061"),
            std::string::npos)
      << error;
  EXPECT_EQ(read(), found) << "a refused log is left as it was";

  // Zero, as a next sender seq or a message's seq, and a next seq with no room to count on.
  for (const std::string& bad :
       {seq_record('S', 0), seq_record('T', LogStore::kMaxSeq + 1u),
        seq_record('M', 0) + seq_record('\0', 2).substr(1) + std::string("ab")}) {
    write(header() + seq_record('S', 3) + bad);
    EXPECT_NE(open_error().find("at byte 25 has sequence number"), std::string::npos);
  }
}

// log_store_fuzz's second find: every refused file left its descriptor open (the constructor
// threw after opening it, so no destructor closed it); after ~60,000 refusals the process had no
// descriptor left.
TEST_F(LogStoreRecoveryTest, ARefusedFileLeavesNoDescriptorOpen) {
  write(header() + seq_record('S', 0));
  const auto open_fds = [] {
    std::size_t n = 0;
    for (int fd = 0; fd < 4096; ++fd)
      n += ::fcntl(fd, F_GETFD) != -1 ? 1 : 0;
    return n;
  };
  const std::size_t before = open_fds();
  for (int i = 0; i < 100; ++i)
    ASSERT_FALSE(open_error().empty());
  EXPECT_EQ(open_fds(), before);
}

// log_store_fuzz's third find (in CI): a log whose next sender seq is the last number the
// recovery accepts (LogStore::kMaxSeq) was recovered, then counted one past it and written, and
// the next start refused the file it had written. The store now refuses to count or store past that
// number, and the log still opens.
TEST_F(LogStoreRecoveryTest, TheStoreNeverWritesASequenceNumberItsRecoveryRefuses) {
  write(header() + seq_record('S', LogStore::kMaxSeq));
  {
    LogStore s(dir_, id_);
    EXPECT_EQ(s.getNextSenderMsgSeqNum(), LogStore::kMaxSeq);
    EXPECT_THROW(s.incrNextSenderMsgSeqNum(), FIX::IOException);
    EXPECT_THROW(s.setNextTargetMsgSeqNum(LogStore::kMaxSeq + 1), FIX::IOException);
    EXPECT_THROW(s.setNextTargetMsgSeqNum(0), FIX::IOException);
    EXPECT_THROW(s.set(LogStore::kMaxSeq + 1, "x"), FIX::IOException);
    // Nor a message longer than the 1 MiB its recovery reads (refused there as a damaged length).
    EXPECT_THROW(s.set(5, std::string((1u << 20) + 1, 'x')), FIX::IOException);
    EXPECT_EQ(s.getNextSenderMsgSeqNum(), LogStore::kMaxSeq);
    s.set(LogStore::kMaxSeq, "last");
  }
  EXPECT_EQ(open_error(), "");
  LogStore again(dir_, id_);
  std::vector<std::string> got;
  again.get(LogStore::kMaxSeq, LogStore::kMaxSeq, got);
  EXPECT_EQ(got, std::vector<std::string>{"last"});
}

// The crash case: the last record cut short by the end of the file. It is cut, one line on
// stderr names the file and the byte, and what is stored afterwards is kept.
TEST_F(LogStoreRecoveryTest, ATornTailIsCutLoggedAndWhatFollowsIsKept) {
  const std::string before = header() + seq_record('S', 2) + message_record(1, "abc") +
                             seq_record('T', 7);  // 20 + 5 + 12 + 5 bytes
  write(before + std::string("M\x02\x00", 3));
  {
    ::testing::internal::CaptureStderr();
    LogStore s(dir_, id_);
    const std::string log = ::testing::internal::GetCapturedStderr();
    EXPECT_NE(log.find("CARBONX-M1.cxlog: the last record, at byte 42, is cut short by the end "
                       "of the file"),
              std::string::npos)
        << log;
    EXPECT_NE(log.find("its 3 bytes are removed"), std::string::npos) << log;
    EXPECT_EQ(std::count(log.begin(), log.end(), '\n'), 1) << log;
    EXPECT_EQ(read(), before);
    EXPECT_EQ(s.getNextSenderMsgSeqNum(), 2);
    EXPECT_EQ(s.getNextTargetMsgSeqNum(), 7);
    std::vector<std::string> got;
    s.get(1, 1, got);
    EXPECT_EQ(got, std::vector<std::string>{"abc"});
    s.set(2, "def");
    s.incrNextSenderMsgSeqNum();
  }
  const Opened again = open_logged();
  EXPECT_EQ(again.error, "");
  EXPECT_EQ(again.log, "") << "an intact log opens without a word";
  LogStore s(dir_, id_);
  std::vector<std::string> got;
  s.get(1, 2, got);
  EXPECT_EQ(got, (std::vector<std::string>{"abc", "def"}));
  EXPECT_EQ(s.getNextSenderMsgSeqNum(), 3);
}

// A FIX message cut anywhere inside it, or a seq record cut short, is a torn tail.
TEST_F(LogStoreRecoveryTest, AFixMessageCutShortAtAnyByteIsATornTail) {
  const std::string before = header() + message_record(1, fix_message("35=0\x01"));
  const std::string last = message_record(2, fix_message("35=1\x01"
                                                         "112=TEST\x01"));
  for (std::size_t keep = 1; keep < last.size(); ++keep) {
    write(before + last.substr(0, keep));
    const Opened o = open_logged();
    EXPECT_EQ(o.error, "") << keep;
    EXPECT_NE(o.log.find("at byte " + std::to_string(before.size())), std::string::npos)
        << keep << ": " << o.log;
    EXPECT_EQ(read(), before) << keep;
  }
  write(before + seq_record('T', 9).substr(0, 4));
  EXPECT_NE(open_logged().log.find("is cut short"), std::string::npos);
}

// A damaged message length is not a torn tail: where a complete record follows the message, or
// the length is impossible, the file is refused, never cut (which would start the session's
// numbers over or drop the messages after it).
TEST_F(LogStoreRecoveryTest, ADamagedMessageLengthRefusesTheFile) {
  const std::string m1 = fix_message("35=0\x01");  // 26 bytes
  const std::string m2 = fix_message(
      "35=1\x01"
      "112=TEST\x01");
  const std::string head = header() + seq_record('S', 3);  // the damaged record at byte 25
  const std::string after = message_record(2, m2) + seq_record('T', 5);
  const std::string says = "at byte 25 has a message length of ";
  // Longer than the message, inside the file: it would swallow the records after it.
  expect_refused(head + message_record(1, m1, m1.size() + 10) + after,
                 says + "36 bytes, but the FIX message in it is 26 bytes long");
  // Longer than the rest of the file: it passed for a torn tail, cutting what followed.
  expect_refused(head + message_record(1, m1, 4000) + after,
                 says + "4000 bytes, but the FIX message in it is 26 bytes long");
  // Shorter: the rest of the message would be read as records.
  expect_refused(head + message_record(1, m1, 20) + after,
                 says + "20 bytes, but the FIX message in it is 26 bytes long");
  // Impossible, in the middle and as the last record.
  expect_refused(head + message_record(1, m1, 0x10000000) + after,
                 says + "268435456 bytes, more than the 1048576 a message may have");
  expect_refused(head + message_record(1, "", 0xffffffffu),
                 says + "4294967295 bytes, more than the 1048576 a message may have");
  // A byte that begins no record, in the middle (a length too short for bytes that are not a
  // FIX message lands there) or at the end.
  expect_refused(head + message_record(1, "abcdef", 2) + after,
                 "at byte 36 starts with byte 0x63, which begins no record");
  expect_refused(head + std::string(1, '\0'), "at byte 25 starts with byte 0x00");
}

// A non-empty file shorter than its header is not a new log: starting it over would start the
// session's sequence numbers over. An empty one is new (created, or reset() cut it to nothing).
TEST_F(LogStoreRecoveryTest, AFileShorterThanItsHeaderIsRefusedAnEmptyOneIsNew) {
  for (std::size_t size = 1; size < header().size(); ++size) {
    const std::string bytes = header().substr(0, size);
    write(bytes);
    const std::string error = open_error();
    EXPECT_NE(error.find("CARBONX-M1.cxlog has " + std::to_string(size) +
                         " bytes, fewer than its 20-byte header; the file is damaged"),
              std::string::npos)
        << error;
    EXPECT_EQ(read(), bytes);
  }
  write("");
  const Opened o = open_logged();
  EXPECT_EQ(o.error, "");
  EXPECT_EQ(o.log, "");
  EXPECT_EQ(read().substr(0, 12), header().substr(0, 12));
  EXPECT_EQ(read().size(), header().size());
}

}  // namespace
}  // namespace gateway
}  // namespace carbonx
