// FixEngine driven over an in-memory transport by a plain (non-QuickFIX) initiator: logon good
// and bad, an application round trip, sequence numbers kept in the file store across engines.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <mutex>

#include "carbonx/gateway/fix_engine.hpp"
#include "carbonx/gateway/fix_wire.hpp"
#include "test_process.hpp"

namespace carbonx::gateway {
namespace {

struct FakeTransport : FixTransport {
  std::vector<wire::Fields> written;
  bool closed = false;
  wire::Framer framer;
  void write(const std::string& bytes) override {
    framer.append(bytes.data(), bytes.size());
    std::string frame;
    while (framer.next(&frame) == 1)
      written.push_back(wire::decode(frame));
  }
  void close() override { closed = true; }
  std::string last_type() const {
    return written.empty() ? "" : wire::get(written.back(), 35).value_or("");
  }
};

struct Recorder : FixEngineHandler {
  std::vector<FixRequest> requests;
  int logons = 0;
  int logouts = 0;
  std::string authenticate(SessionIndex, const std::string& user,
                           const std::string& pass) override {
    return user == "m1" && pass == "secret" ? "" : "bad username or password";
  }
  void on_logon(SessionIndex) override { ++logons; }
  void on_logout(SessionIndex) override { ++logouts; }
  void on_request(SessionIndex, const FixRequest& r) override { requests.push_back(r); }
};

class FixEngineTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = testing::fresh_test_dir("cx_fixengine"); }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::unique_ptr<FixEngine> make(Recorder* rec, bool memory_store = false) {
    FixEngineConfig cfg;
    cfg.dictionary_path = CARBONX_FIX_DICTIONARY;
    cfg.store_dir = (dir_ / "fixstore").string();
    cfg.memory_store = memory_store;
    std::string error;
    auto engine = FixEngine::create(cfg, rec, &error);
    EXPECT_NE(engine, nullptr) << error;
    engine->add_session("MEMBER1");
    return engine;
  }

  static bool feed(FixEngine& e, FixConnection* c, const std::string& bytes) {
    return e.on_bytes(c, bytes.data(), bytes.size());
  }
  static std::string logon(int seq, const char* user, const char* pass, const char* sender) {
    return wire::encode("A", sender, "CARBONX", seq,
                        {{98, "0"}, {108, "30"}, {553, user}, {554, pass}}, wire::utc_now_text());
  }

  void resend_round_trip(bool memory);

  std::filesystem::path dir_;
};

TEST_F(FixEngineTest, LogonOrderAndReply) {
  Recorder rec;
  auto engine = make(&rec);
  FakeTransport t;
  FixConnection* c = engine->open(&t);
  ASSERT_TRUE(feed(*engine, c, logon(1, "m1", "secret", "MEMBER1")));
  ASSERT_EQ(t.last_type(), "A");
  EXPECT_EQ(rec.logons, 1);
  EXPECT_TRUE(engine->is_logged_on(0));
  const std::string nos = wire::encode("D", "MEMBER1", "CARBONX", 2,
                                       {{11, "O1"},
                                        {1, "ACC"},
                                        {55, "GDEA2017"},
                                        {54, "1"},
                                        {60, wire::utc_now_text()},
                                        {38, "10"},
                                        {40, "2"},
                                        {44, "12.34"}},
                                       wire::utc_now_text());
  ASSERT_TRUE(feed(*engine, c, nos.substr(0, 20)));  // split frames are reassembled
  ASSERT_TRUE(feed(*engine, c, nos.substr(20)));
  ASSERT_EQ(rec.requests.size(), 1u);
  EXPECT_EQ(rec.requests[0].price_fen, 1234);
  FixReply ack;
  ack.kind = ReplyKind::kExecReport;
  ack.order_id = "1";
  ack.cl_ord_id = "O1";
  ack.exec_id = "E1";
  ack.symbol = "GDEA2017";
  ack.quantity_t = 10;
  ack.leaves_qty_t = 10;
  ASSERT_TRUE(engine->send(0, ack));
  ASSERT_EQ(t.last_type(), "8");
  EXPECT_EQ(wire::get(t.written.back(), 34), "2");
  EXPECT_EQ(wire::get(t.written.back(), 11), "O1");
  engine->on_closed(c);
  EXPECT_EQ(rec.logouts, 1);
}

// The fields of a FIX message in order, except those a resend changes (BodyLength, CheckSum,
// SendingTime, PossDupFlag, OrigSendingTime).
wire::Fields resend_invariant_fields(const wire::Fields& m) {
  wire::Fields out;
  for (const auto& [tag, value] : m) {
    if (tag != 9 && tag != 10 && tag != 52 && tag != 43 && tag != 122) out.emplace_back(tag, value);
  }
  return out;
}

// ExecutionReports are written as text directly (not through QuickFIX's Message): the session's
// sequence numbers continue across them and a resend request returns exactly what was sent.
// With the file store (LogStore) and the in-memory one (ArenaStore, fix_store = "memory").
TEST_F(FixEngineTest, DirectlyWrittenReportsAreNumberedStoredAndResentAsSent) {
  for (const bool memory : {false, true}) {
    SCOPED_TRACE(memory ? "memory store" : "file store");
    std::filesystem::remove_all(dir_ / "fixstore");
    resend_round_trip(memory);
  }
}

void FixEngineTest::resend_round_trip(bool memory) {
  Recorder rec;
  auto engine = make(&rec, memory);
  FakeTransport t;
  FixConnection* c = engine->open(&t);
  ASSERT_TRUE(feed(*engine, c, logon(1, "m1", "secret", "MEMBER1")));
  std::vector<wire::Fields> sent;
  for (int i = 0; i < 3; ++i) {
    FixReply r;
    r.kind = ReplyKind::kExecReport;
    r.order_id = std::to_string(100 + i);
    r.cl_ord_id = "O" + std::to_string(i);
    r.exec_id = "E" + std::to_string(i);
    r.symbol = "GDEA2017";
    r.account = "1001";
    r.price_fen = 1420 + i;
    r.quantity_t = 10;
    r.leaves_qty_t = 10;
    r.transact_time_ns = 1767576600123456000;
    ASSERT_TRUE(engine->send(0, r));
    sent.push_back(t.written.back());
    EXPECT_EQ(wire::get(sent.back(), 34), std::to_string(2 + i));
  }
  EXPECT_EQ(engine->next_sender_seq(0), 5);
  const std::size_t before = t.written.size();
  ASSERT_TRUE(feed(
      *engine, c,
      wire::encode("2", "MEMBER1", "CARBONX", 2, {{7, "2"}, {16, "0"}}, wire::utc_now_text())));
  std::vector<wire::Fields> resent;
  for (std::size_t i = before; i < t.written.size(); ++i) {
    if (wire::get(t.written[i], 35) == "8") resent.push_back(t.written[i]);
  }
  ASSERT_EQ(resent.size(), sent.size());
  for (std::size_t i = 0; i < sent.size(); ++i) {
    EXPECT_EQ(resend_invariant_fields(resent[i]), resend_invariant_fields(sent[i]));
    EXPECT_EQ(wire::get(resent[i], 43), "Y");
    EXPECT_EQ(wire::get(resent[i], 122), wire::get(sent[i], 52));
  }
  engine->on_closed(c);
}

TEST_F(FixEngineTest, BadPasswordAndUnknownCompIdAreRefusedWithAReason) {
  Recorder rec;
  auto engine = make(&rec);
  FakeTransport t;
  FixConnection* c = engine->open(&t);
  feed(*engine, c, logon(1, "m1", "wrong", "MEMBER1"));
  ASSERT_EQ(t.last_type(), "5");
  EXPECT_NE(wire::get(t.written.back(), 58)->find("bad username or password"), std::string::npos);
  EXPECT_TRUE(t.closed);
  EXPECT_EQ(rec.logons, 0);
  engine->on_closed(c);

  FakeTransport t2;
  FixConnection* c2 = engine->open(&t2);
  EXPECT_FALSE(feed(*engine, c2, logon(1, "m1", "secret", "NOBODY")));
  ASSERT_EQ(t2.last_type(), "5");
  EXPECT_NE(wire::get(t2.written.back(), 58)->find("NOBODY"), std::string::npos);
  engine->on_closed(c2);

  FakeTransport t3;
  FixConnection* c3 = engine->open(&t3);
  EXPECT_FALSE(feed(*engine, c3, "GET / HTTP/1.1\r\n\r\n"));
  engine->on_closed(c3);
}

TEST_F(FixEngineTest, SequenceNumbersAndSentMessagesSurviveARestart) {
  {
    Recorder rec;
    auto engine = make(&rec);
    FakeTransport t;
    FixConnection* c = engine->open(&t);
    ASSERT_TRUE(feed(*engine, c, logon(1, "m1", "secret", "MEMBER1")));
    engine->on_closed(c);
    FixReply r;  // sent while disconnected: stored for resend
    r.kind = ReplyKind::kBusinessReject;
    r.ref_msg_type = "D";
    r.text = "while you were away";
    engine->send(0, r);
  }
  // A crash in the middle of a record write leaves a torn tail: it is ignored at load.
  {
    std::ofstream log(dir_ / "fixstore" / "CARBONX-MEMBER1.cxlog",
                      std::ios::app | std::ios::binary);
    log.write("M\x07\x00\x00\x00\xff\x00", 7);
  }
  Recorder rec;
  auto engine = make(&rec);
  EXPECT_EQ(engine->next_sender_seq(0), 3);
  EXPECT_EQ(engine->next_target_seq(0), 2);
  FakeTransport t;
  FixConnection* c = engine->open(&t);
  ASSERT_TRUE(feed(*engine, c, logon(2, "m1", "secret", "MEMBER1")));
  ASSERT_TRUE(feed(
      *engine, c,
      wire::encode("2", "MEMBER1", "CARBONX", 3, {{7, "2"}, {16, "0"}}, wire::utc_now_text())));
  bool resent = false;
  for (const auto& m : t.written) {
    resent = resent || (wire::get(m, 35) == "j" && wire::get(m, 43) == "Y" &&
                        wire::get(m, 58) == "while you were away");
  }
  EXPECT_TRUE(resent) << "the stored message is resent with PossDupFlag=Y";
  engine->on_closed(c);
}

// A NewOrderSingle from MEMBER1 with MsgSeqNum `seq`.
std::string new_order(int seq, const std::string& cl_ord_id) {
  return wire::encode("D", "MEMBER1", "CARBONX", seq,
                      {{11, cl_ord_id},
                       {1, "ACC"},
                       {55, "GDEA2017"},
                       {54, "1"},
                       {60, wire::utc_now_text()},
                       {38, "10"},
                       {40, "2"},
                       {44, "12.34"}},
                      wire::utc_now_text());
}

// `m` with its CheckSum recomputed (after an edit of the body that keeps its length).
std::string with_checksum(std::string m) {
  const std::size_t trailer = m.rfind("10=");
  unsigned sum = 0;
  for (std::size_t i = 0; i < trailer; ++i)
    sum += static_cast<unsigned char>(m[i]);
  char digits[4];
  std::snprintf(digits, sizeof digits, "%03u", sum % 256);
  m.replace(trailer + 3, 3, digits);
  return m;
}

// A garbled message is ignored (FIX session rules), never a dropped connection: dropping it would
// also cancel the member's orders (cancel on disconnect). Each kind in turn, then a good message
// with the next MsgSeqNum is processed on the same connection.
TEST_F(FixEngineTest, GarbledMessagesAreIgnoredAndTheSessionContinues) {
  Recorder rec;
  auto engine = make(&rec);
  FakeTransport t;
  FixConnection* c = engine->open(&t);
  ASSERT_TRUE(feed(*engine, c, logon(1, "m1", "secret", "MEMBER1")));
  ASSERT_TRUE(engine->is_logged_on(0));

  std::string bad_checksum = new_order(2, "G1");
  const std::size_t sum_at = bad_checksum.rfind("10=") + 3;
  bad_checksum[sum_at] = bad_checksum[sum_at] == '9' ? '8' : '9';
  std::string short_length = new_order(2, "G2");  // BodyLength one byte short
  const std::size_t len_at = short_length.find("9=") + 2;
  const std::size_t len_end = short_length.find('\x01', len_at);
  const int body = std::stoi(short_length.substr(len_at, len_end - len_at));
  short_length.replace(len_at, len_end - len_at, std::to_string(body - 1));
  std::string no_equals = new_order(2, "G3");  // "11=G3" -> "11:G3", checksum made valid again
  no_equals[no_equals.find("\x01"
                           "11=") +
            3] = ':';
  no_equals = with_checksum(no_equals);
  const std::vector<std::string> garbled = {bad_checksum, short_length, no_equals,
                                            std::string("GET / HTTP/1.1\r\n\r\n"),
                                            std::string("\x01\x02\x03 not fix at all")};
  for (const std::string& g : garbled) {
    SCOPED_TRACE(g);
    ASSERT_TRUE(feed(*engine, c, g));
    EXPECT_FALSE(t.closed);
    EXPECT_TRUE(engine->is_logged_on(0));
    EXPECT_TRUE(rec.requests.empty());
  }
  EXPECT_EQ(engine->garbled_total(), garbled.size());  // each one counted
  // The next good message: seq 2 was never taken by a garbled one.
  ASSERT_TRUE(feed(*engine, c, new_order(2, "OK1")));
  ASSERT_EQ(rec.requests.size(), 1u);
  EXPECT_EQ(rec.requests[0].cl_ord_id, "OK1");
  EXPECT_EQ(engine->next_target_seq(0), 3);
  // Garbage and a good message in one read: the good one is found after the garbage.
  ASSERT_TRUE(feed(*engine, c, std::string("xx\x01yy") + new_order(3, "OK2")));
  ASSERT_EQ(rec.requests.size(), 2u);
  EXPECT_EQ(rec.requests[1].cl_ord_id, "OK2");
  EXPECT_EQ(engine->garbled_total(), garbled.size() + 1);
  EXPECT_EQ(rec.logouts, 0);
  engine->on_closed(c);
}

// Garbage is tolerated only up to a limit, and never before a Logon.
TEST_F(FixEngineTest, EndlessGarbageOrGarbageBeforeLogonDropsTheConnection) {
  Recorder rec;
  auto engine = make(&rec);
  FakeTransport t;
  FixConnection* c = engine->open(&t);
  EXPECT_FALSE(feed(*engine, c, "GET / HTTP/1.1\r\n\r\n"));  // not logged on: dropped
  engine->on_closed(c);

  FakeTransport t2;
  FixConnection* c2 = engine->open(&t2);
  ASSERT_TRUE(feed(*engine, c2, logon(1, "m1", "secret", "MEMBER1")));
  bool open = true;
  int fed = 0;
  for (; open && fed < 100; ++fed)
    open = feed(*engine, c2,
                "8=FIX.4.4\x01"
                "9=5\x01"
                "garbage!!\x01");
  EXPECT_FALSE(open);
  EXPECT_GT(fed, 10);  // a line glitch or ten is survived
  engine->on_closed(c2);
}

}  // namespace
}  // namespace carbonx::gateway
