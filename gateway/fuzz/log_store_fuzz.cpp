// libFuzzer target for the FIX session store's recovery (LogStore::load, log_store.hpp): a session
// log of arbitrary bytes is opened as carbonxd opens it at a restart. The store either refuses it
// (FIX::ConfigError) and leaves the file as it was, or recovers, and then:
// - the file is the input or the input with its torn tail cut (nothing else is changed);
// - its sequence numbers are FIX's (1 and up, room to count on) and every message it lists is
//   read back;
// - the recovered file is a valid log: opened again it gives the same numbers and messages;
// - a message stored after the recovery (and the sequence number counted on) is there after the
//   next reopen: the recovery cut the torn tail, not what came after it.
// Seeds (written to $CARBONX_FUZZ_SEEDS by LLVMFuzzerInitialize, by the store itself): an empty
// log, logs of messages and sequence numbers, a torn tail. Valid C++14 (built with the adapter).
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <climits>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "log_store.hpp"

namespace {

using carbonx::gateway::LogStore;

std::string g_dir;  // a private directory for the log under test

const FIX::SessionID& session() {
  static const FIX::SessionID id("FIX.4.4", "CARBONX", "M1");
  return id;
}
std::string log_path(const std::string& dir) {
  return dir + "/CARBONX-M1.cxlog";
}

void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "log_store_fuzz: %s\n", what);
    std::abort();
  }
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}
void write_file(const std::string& path, const std::uint8_t* data, std::size_t size) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0640);
  check(fd >= 0, "cannot create the log under test");
  check(size == 0 || ::write(fd, data, size) == static_cast<ssize_t>(size), "short write");
  ::close(fd);
}

struct State {
  int sender = 0;
  int target = 0;
  std::vector<std::string> messages;  // all of them, in sequence order
  bool operator==(const State& o) const {
    return sender == o.sender && target == o.target && messages == o.messages;
  }
};
State state_of(const LogStore& s) {
  State st;
  st.sender = s.getNextSenderMsgSeqNum();
  st.target = s.getNextTargetMsgSeqNum();
  s.get(INT_MIN, INT_MAX, st.messages);
  return st;
}

void write_seeds(const char* to) {
  char tmpl[] = "/tmp/log_store_seedsXXXXXX";
  const std::string dir = ::mkdtemp(tmpl);
  int n = 0;
  auto save = [&](const char* name) {
    const std::string bytes = read_file(log_path(dir));
    std::ofstream(std::string(to) + "/" + name, std::ios::binary) << bytes;
    ++n;
  };
  {
    LogStore s(dir, session());
    save("empty");
    s.set(1,
          "8=FIX.4.4\x01"
          "9=5\x01"
          "35=A\x01"
          "10=000\x01");
    s.incrNextSenderMsgSeqNum();
    s.incrNextTargetMsgSeqNum();
    s.set(2,
          "8=FIX.4.4\x01"
          "9=5\x01"
          "35=0\x01"
          "10=000\x01");
    s.incrNextSenderMsgSeqNum();
    save("two_messages");
    s.set(2, "resent under the same number");
    s.setNextTargetMsgSeqNum(40);
    save("replaced_and_target_set");
  }
  std::string torn = read_file(log_path(dir));
  torn.resize(torn.size() - 7);
  std::ofstream(std::string(to) + "/torn_tail", std::ios::binary) << torn;
  ::unlink(log_path(dir).c_str());
  ::rmdir(dir.c_str());
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  char tmpl[] = "/tmp/log_store_fuzzXXXXXX";
  const char* dir = ::mkdtemp(tmpl);
  check(dir != nullptr, "mkdtemp");
  g_dir = dir;
  std::atexit([] { ::rmdir(g_dir.c_str()); });
  if (const char* seeds = std::getenv("CARBONX_FUZZ_SEEDS")) write_seeds(seeds);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string path = log_path(g_dir);
  write_file(path, data, size);
  State recovered;
  int seq = 0;
  try {
    LogStore store(g_dir, session());
    recovered = state_of(store);
  } catch (const FIX::ConfigError&) {
    // Refused: the file is left as it was, for the operator to look at.
    check(read_file(path) == std::string(reinterpret_cast<const char*>(data), size),
          "a refused log was changed");
    ::unlink(path.c_str());
    return 0;
  }
  // Recovered: the file is the input, or the input with a torn tail cut (never rewritten), or
  // a new log's header for an empty input.
  const std::string kept = read_file(path);
  check(size == 0 || (kept.size() <= size && std::memcmp(kept.data(), data, kept.size()) == 0),
        "the recovery changed more than a torn tail");
  check(recovered.sender >= 1 && recovered.sender < INT_MAX, "next sender seq out of range");
  check(recovered.target >= 1 && recovered.target < INT_MAX, "next target seq out of range");
  {
    LogStore again(g_dir, session());  // the recovered file is a valid log: nothing more cut
    check(state_of(again) == recovered, "a second recovery differs from the first");
    seq = again.getNextSenderMsgSeqNum();
    if (seq == LogStore::kMaxSeq) {
      // The last number the log keeps: the store refuses to count past it (an IOException, the
      // session stops) rather than write a number its next recovery would refuse.
      bool refused = false;
      try {
        again.incrNextSenderMsgSeqNum();
      } catch (const FIX::IOException&) {
        refused = true;
      }
      check(refused, "the store counted past the last sequence number it keeps");
      ::unlink(path.c_str());
      return 0;
    }
    again.set(seq, "stored after recovery");
    again.incrNextSenderMsgSeqNum();
  }
  {
    LogStore after(g_dir, session());
    std::vector<std::string> got;
    after.get(seq, seq, got);
    check(got.size() == 1 && got[0] == "stored after recovery", "a message stored is lost");
    check(after.getNextSenderMsgSeqNum() == seq + 1, "the sender seq stored is lost");
  }
  ::unlink(path.c_str());
  return 0;
}
