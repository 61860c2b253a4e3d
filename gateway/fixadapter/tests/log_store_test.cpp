// LogStore's recovery of a session log (log_store.hpp) from damaged bytes: the cases
// log_store_fuzz found, kept as they were found. C++14 like the adapter (QuickFIX's headers).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

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
       {seq_record('S', 0), seq_record('T', 0x7fffffff),
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
// recovery accepts (0x7ffffffe) was recovered, then counted one past it and written, and the next
// start refused the file it had written. The store now refuses to count or store past that
// number, and the log still opens.
TEST_F(LogStoreRecoveryTest, TheStoreNeverWritesASequenceNumberItsRecoveryRefuses) {
  write(header() + seq_record('S', 0x7ffffffe));
  {
    LogStore s(dir_, id_);
    EXPECT_EQ(s.getNextSenderMsgSeqNum(), 0x7ffffffe);
    EXPECT_THROW(s.incrNextSenderMsgSeqNum(), FIX::IOException);
    EXPECT_THROW(s.setNextTargetMsgSeqNum(0x7fffffff), FIX::IOException);
    EXPECT_THROW(s.setNextTargetMsgSeqNum(0), FIX::IOException);
    EXPECT_THROW(s.set(0x7fffffff, "x"), FIX::IOException);
    EXPECT_EQ(s.getNextSenderMsgSeqNum(), 0x7ffffffe);
    s.set(0x7ffffffe, "last");
  }
  EXPECT_EQ(open_error(), "");
  LogStore again(dir_, id_);
  std::vector<std::string> got;
  again.get(0x7ffffffe, 0x7ffffffe, got);
  EXPECT_EQ(got, std::vector<std::string>{"last"});
}

TEST_F(LogStoreRecoveryTest, ATornTailIsCutAndWhatFollowsIsKept) {
  std::string m = seq_record('M', 1);
  m += seq_record('\0', 3).substr(1) + "abc";  // length 3, "abc"
  write(header() + seq_record('S', 2) + m + seq_record('T', 7) + "M\x02\x00");
  {
    LogStore s(dir_, id_);
    EXPECT_EQ(s.getNextSenderMsgSeqNum(), 2);
    EXPECT_EQ(s.getNextTargetMsgSeqNum(), 7);
    std::vector<std::string> got;
    s.get(1, 1, got);
    EXPECT_EQ(got, std::vector<std::string>{"abc"});
    s.set(2, "def");
    s.incrNextSenderMsgSeqNum();
  }
  LogStore again(dir_, id_);
  std::vector<std::string> got;
  again.get(1, 2, got);
  EXPECT_EQ(got, (std::vector<std::string>{"abc", "def"}));
  EXPECT_EQ(again.getNextSenderMsgSeqNum(), 3);
}

}  // namespace
}  // namespace gateway
}  // namespace carbonx
