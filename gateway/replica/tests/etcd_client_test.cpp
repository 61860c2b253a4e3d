// The etcd client against a real single-member etcd on loopback.

#include "carbonx/replica/etcd_client.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>

#include "etcd_process.hpp"

namespace carbonx::replica {
namespace {

using namespace std::chrono_literals;
using testing::EtcdCluster;

TEST(EtcdClient, PutRangeAndDeleteRoundTripBinaryKeysAndValues) {
  EtcdCluster etcd;
  ASSERT_TRUE(etcd.ok());
  auto c = etcd.client();
  const std::string binary("v\0\xff\x01 end", 8);
  auto rev = c.put("/t/a", binary);
  ASSERT_TRUE(rev) << rev.error().text;
  ASSERT_TRUE(c.put("/t/b", "two"));
  ASSERT_TRUE(c.put("/u/c", "other prefix"));

  auto r = c.range("/t/", prefix_end("/t/"));
  ASSERT_TRUE(r) << r.error().text;
  ASSERT_EQ(r.value().kvs.size(), 2u);
  EXPECT_EQ(r.value().kvs[0].key, "/t/a");
  EXPECT_EQ(r.value().kvs[0].value, binary);
  EXPECT_EQ(r.value().kvs[0].create_revision, rev.value());
  EXPECT_EQ(r.value().kvs[1].value, "two");
  EXPECT_FALSE(r.value().more);

  auto limited = c.range("/t/", prefix_end("/t/"), 1);
  ASSERT_TRUE(limited);
  EXPECT_EQ(limited.value().kvs.size(), 1u);
  EXPECT_TRUE(limited.value().more);

  auto deleted = c.delete_range("/t/", prefix_end("/t/"));
  ASSERT_TRUE(deleted);
  EXPECT_EQ(deleted.value(), 2);
  auto empty = c.range("/t/a");
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty.value().kvs.empty());
}

TEST(EtcdClient, TxnRunsSuccessOrFailureByItsCompares) {
  EtcdCluster etcd;
  ASSERT_TRUE(etcd.ok());
  auto c = etcd.client();
  const Compare absent{Compare::Target::kCreate, Compare::Result::kEqual, "/k", 0, {}};
  const TxnOp put{TxnOp::Kind::kPut, "/k", "first", {}, 0, 0};
  const TxnOp get{TxnOp::Kind::kRange, "/k", {}, {}, 0, 0};

  auto first = c.txn({absent}, {put}, {get});
  ASSERT_TRUE(first) << first.error().text;
  EXPECT_TRUE(first.value().succeeded);
  EXPECT_TRUE(first.value().ranges.empty());

  TxnOp put2 = put;
  put2.value = "second";
  auto second = c.txn({absent}, {put2}, {get});
  ASSERT_TRUE(second);
  EXPECT_FALSE(second.value().succeeded);
  ASSERT_EQ(second.value().ranges.size(), 1u);
  ASSERT_EQ(second.value().ranges[0].kvs.size(), 1u);
  EXPECT_EQ(second.value().ranges[0].kvs[0].value, "first");

  const Compare is_first{Compare::Target::kValue, Compare::Result::kEqual, "/k", 0, "first"};
  auto third = c.txn({is_first}, {put2}, {});
  ASSERT_TRUE(third);
  EXPECT_TRUE(third.value().succeeded);
  EXPECT_EQ(c.range("/k").value().kvs.at(0).value, "second");
}

TEST(EtcdClient, LeaseKeepsItsKeysUntilRevoked) {
  EtcdCluster etcd;
  ASSERT_TRUE(etcd.ok());
  auto c = etcd.client();
  auto lease = c.lease_grant(30);
  ASSERT_TRUE(lease) << lease.error().text;
  EXPECT_GT(lease.value().ttl_s, 0);
  ASSERT_TRUE(c.put("/leased", "x", lease.value().id));
  EXPECT_EQ(c.range("/leased").value().kvs.at(0).lease, lease.value().id);

  auto ttl = c.lease_keepalive(lease.value().id);
  ASSERT_TRUE(ttl) << ttl.error().text;
  EXPECT_GT(ttl.value(), 0);

  ASSERT_TRUE(c.lease_revoke(lease.value().id));
  EXPECT_TRUE(c.range("/leased").value().kvs.empty());
  auto after = c.lease_keepalive(lease.value().id);
  ASSERT_TRUE(after) << after.error().text;
  EXPECT_EQ(after.value(), 0);  // expired for good
}

TEST(EtcdClient, WatchDeliversPutsAndDeletesFromItsStartRevision) {
  EtcdCluster etcd;
  ASSERT_TRUE(etcd.ok());
  auto c = etcd.client();
  auto before = c.put("/w/0", "before");
  ASSERT_TRUE(before);
  auto w = c.watch("/w/", prefix_end("/w/"), before.value());
  ASSERT_TRUE(w) << w.error().text;
  ASSERT_TRUE(c.put("/w/1", "one"));
  ASSERT_TRUE(c.put("/other", "not watched"));
  ASSERT_TRUE(c.delete_range("/w/0"));

  std::vector<WatchEvent> seen;
  for (int i = 0; i < 100 && seen.size() < 3; ++i) {
    auto events = w.value()->next(100ms);
    ASSERT_TRUE(events) << events.error().text;
    for (auto& e : events.value())
      seen.push_back(e);
  }
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[0].kv.key, "/w/0");
  EXPECT_EQ(seen[0].kv.value, "before");
  EXPECT_EQ(seen[1].kv.key, "/w/1");
  EXPECT_EQ(seen[1].kv.value, "one");
  EXPECT_FALSE(seen[1].deleted);
  EXPECT_EQ(seen[2].kv.key, "/w/0");
  EXPECT_TRUE(seen[2].deleted);

  auto quiet = w.value()->next(50ms);  // nothing more: an empty answer, the watch stays open
  ASSERT_TRUE(quiet);
  EXPECT_TRUE(quiet.value().empty());
  ASSERT_TRUE(c.put("/w/2", "two"));
  std::vector<WatchEvent> later;
  for (int i = 0; i < 100 && later.empty(); ++i)
    later = w.value()->next(100ms).value();
  ASSERT_EQ(later.size(), 1u);
  EXPECT_EQ(later[0].kv.value, "two");
}

TEST(EtcdClient, EtcdDownIsAClearErrorNamingTheEndpoint) {
  EtcdCluster etcd;
  ASSERT_TRUE(etcd.ok());
  auto c = etcd.client(0, 2000ms);
  ASSERT_TRUE(c.put("/k", "v"));
  auto w = c.watch("/k", {}, 0);
  ASSERT_TRUE(w);
  etcd.stop_member(0);

  auto r = c.range("/k");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, EtcdErrc::kUnavailable);
  EXPECT_NE(r.error().text.find(c.endpoint()), std::string::npos) << r.error().text;
  EXPECT_NE(r.error().text.find("down or unreachable"), std::string::npos) << r.error().text;
  EXPECT_EQ(c.put("/k", "v").error().code, EtcdErrc::kUnavailable);
  EXPECT_EQ(c.lease_grant(5).error().code, EtcdErrc::kUnavailable);
  EXPECT_EQ(c.watch("/k", {}, 0).error().code, EtcdErrc::kUnavailable);

  bool ended = false;  // the open watch ends with an error, not silence
  for (int i = 0; i < 100 && !ended; ++i) {
    auto events = w.value()->next(100ms);
    if (!events) {
      ended = true;
      EXPECT_EQ(events.error().code, EtcdErrc::kUnavailable) << events.error().text;
    }
  }
  EXPECT_TRUE(ended);
}

// A loopback listener standing for a broken etcd: it accepts and answers each connection with
// `answer` (nothing at all when empty: a hung etcd).
class FakePeer {
 public:
  explicit FakePeer(std::string answer) : answer_(std::move(answer)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    EXPECT_GE(fd_, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    EXPECT_EQ(::listen(fd_, 16), 0);
    socklen_t len = sizeof a;
    EXPECT_EQ(::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len), 0);
    port_ = ntohs(a.sin_port);
    if (!answer_.empty()) {
      thread_ = std::thread([this] {
        for (;;) {
          const int c = ::accept(fd_, nullptr, nullptr);
          if (c < 0) return;
          char buf[4096];
          (void)::read(c, buf, sizeof buf);  // the request fits one read on loopback
          (void)::write(c, answer_.data(), answer_.size());
          ::close(c);
        }
      });
    }
  }
  ~FakePeer() {
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    if (thread_.joinable()) thread_.join();
  }
  std::uint16_t port() const { return port_; }

 private:
  std::string answer_;
  int fd_ = -1;
  std::uint16_t port_ = 0;
  std::thread thread_;
};

std::string http_ok(const std::string& body) {
  // Appended piece by piece: GCC 12 warns falsely (-Wrestrict) on a chain of operator+.
  std::string out = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ";
  out.append(std::to_string(body.size()));
  out.append("\r\n\r\n");
  out.append(body);
  return out;
}

// Several members: one that cannot be connected to is skipped (nothing reached it); with every
// member down the error names the last one tried.
TEST(EtcdClient, AMemberThatCannotBeReachedIsSkippedForTheNext) {
  EtcdCluster etcd;
  ASSERT_TRUE(etcd.ok());
  testing::PortPicker ports;
  const std::uint16_t dead = ports.pick();
  ports.release();  // nothing listens there now
  EtcdClient c({Endpoint{"127.0.0.1", dead}, Endpoint{"127.0.0.1", etcd.member(0).client_port}},
               2000ms);
  auto put = c.put("/multi/a", "1");
  ASSERT_TRUE(put) << put.error().text;
  EXPECT_EQ(c.endpoint(), "127.0.0.1:" + std::to_string(etcd.member(0).client_port));
  auto r = c.range("/multi/a");
  ASSERT_TRUE(r) << r.error().text;
  EXPECT_EQ(r.value().kvs.at(0).value, "1");
  etcd.stop_member(0);
  auto down = c.range("/multi/a");
  ASSERT_FALSE(down);
  EXPECT_EQ(down.error().code, EtcdErrc::kUnavailable);
  EXPECT_NE(down.error().text.find("127.0.0.1:"), std::string::npos) << down.error().text;
}

TEST(EtcdClient, ASilentPeerIsATimeout) {
  FakePeer hung("");
  EtcdClient c("127.0.0.1", hung.port(), 300ms);
  auto r = c.range("/k");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, EtcdErrc::kTimeout) << r.error().text;
  EXPECT_NE(r.error().text.find("no answer in time"), std::string::npos) << r.error().text;
}

TEST(EtcdClient, AnAnswerOfTheWrongShapeIsMalformed) {
  {
    FakePeer garbage(http_ok("this is not json"));
    EtcdClient c("127.0.0.1", garbage.port(), 2000ms);
    auto r = c.range("/k");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, EtcdErrc::kMalformed) << r.error().text;
  }
  {
    FakePeer no_header(http_ok(R"({"kvs":[]})"));
    EtcdClient c("127.0.0.1", no_header.port(), 2000ms);
    auto r = c.range("/k");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, EtcdErrc::kMalformed);
    EXPECT_NE(r.error().text.find("header"), std::string::npos) << r.error().text;
  }
  {
    FakePeer bad_base64(http_ok(R"({"header":{"revision":"3"},"kvs":[{"key":"a!=="}]})"));
    EtcdClient c("127.0.0.1", bad_base64.port(), 2000ms);
    auto r = c.range("/k");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, EtcdErrc::kMalformed);
    EXPECT_NE(r.error().text.find("base64"), std::string::npos) << r.error().text;
  }
  {
    FakePeer bad_number(http_ok(R"({"header":{"revision":"3x"}})"));
    EtcdClient c("127.0.0.1", bad_number.port(), 2000ms);
    auto r = c.put("/k", "v");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, EtcdErrc::kMalformed);
    EXPECT_NE(r.error().text.find("revision"), std::string::npos) << r.error().text;
  }
}

TEST(EtcdClient, AnErrorEtcdReportsIsRejectedWithItsMessage) {
  EtcdCluster etcd;
  ASSERT_TRUE(etcd.ok());
  auto c = etcd.client();
  // A put on a lease that does not exist: etcd answers "requested lease not found".
  auto r = c.put("/k", "v", 12345);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, EtcdErrc::kRejected);
  EXPECT_NE(r.error().text.find("lease not found"), std::string::npos) << r.error().text;
}

}  // namespace
}  // namespace carbonx::replica
