// The operator console's pieces (gateway/src/console/README.md): TOTP against RFC 6238's and
// HOTP against RFC 4226's test vectors, base32 against RFC 4648's, argon2id hashes, the users
// file with its lock-out, sessions, cookies and CSRF, the verbs a role may call, the audit log
// and the live book feed.
#include <sys/stat.h>

#include <gtest/gtest.h>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "carbonx/gateway/console/alert_feed.hpp"
#include "carbonx/gateway/console/audit.hpp"
#include "carbonx/gateway/console/auth.hpp"
#include "carbonx/gateway/console/book_feed.hpp"
#include "carbonx/gateway/console/console_server.hpp"
#include "carbonx/gateway/console/sessions.hpp"
#include "carbonx/gateway/console/users.hpp"

namespace carbonx::gateway::console {
namespace {

using json = nlohmann::json;

std::vector<std::uint8_t> bytes(std::string_view s) {
  return {s.begin(), s.end()};
}

// RFC 6238 Appendix B, the SHA-1 rows: the 20-byte ASCII secret, 8 digits.
TEST(Totp, Rfc6238Sha1TestVectors) {
  const auto key = bytes("12345678901234567890");
  const std::pair<std::int64_t, const char*> rows[] = {
      {59, "94287082"},         {1111111109, "07081804"}, {1111111111, "14050471"},
      {1234567890, "89005924"}, {2000000000, "69279037"}, {20000000000, "65353130"}};
  for (const auto& [t, code] : rows)
    EXPECT_EQ(totp_code(key, t, 8), code) << t;
  EXPECT_EQ(totp_code(key, 59), "287082");  // 6 digits: the low six of the same value
}

// RFC 4226 Appendix D: counters 0..9 of the same secret, 6 digits.
TEST(Totp, Rfc4226HotpTestVectors) {
  const auto key = bytes("12345678901234567890");
  const char* codes[] = {"755224", "287082", "359152", "969429", "338314",
                         "254676", "287922", "162583", "399871", "520489"};
  for (std::uint64_t c = 0; c < 10; ++c)
    EXPECT_EQ(hotp_code(key, c, 6), codes[c]) << c;
}

TEST(Totp, AcceptsOneStepOfDriftEitherWayAndNothingElse) {
  const auto key = bytes("12345678901234567890");
  const std::int64_t now = 1'700'000'015;  // step 56666667
  const std::int64_t step = now / 30;
  EXPECT_EQ(totp_match(key, totp_code(key, now), now), step);
  EXPECT_EQ(totp_match(key, totp_code(key, now - 30), now), step - 1);
  EXPECT_EQ(totp_match(key, totp_code(key, now + 30), now), step + 1);
  EXPECT_FALSE(totp_match(key, totp_code(key, now - 60), now));
  EXPECT_FALSE(totp_match(key, totp_code(key, now + 60), now));
  EXPECT_FALSE(totp_match(key, "12345", now));    // too short
  EXPECT_FALSE(totp_match(key, "12a456", now));   // not digits
  EXPECT_FALSE(totp_match(key, "1234567", now));  // too long
}

TEST(Base32, Rfc4648TestVectorsBothWays) {
  const std::pair<const char*, const char*> rows[] = {{"", ""},
                                                      {"f", "MY"},
                                                      {"fo", "MZXQ"},
                                                      {"foo", "MZXW6"},
                                                      {"foob", "MZXW6YQ"},
                                                      {"fooba", "MZXW6YTB"},
                                                      {"foobar", "MZXW6YTBOI"}};
  for (const auto& [plain, encoded] : rows) {
    EXPECT_EQ(base32_encode(bytes(plain)), encoded);
    const auto back = base32_decode(encoded);
    ASSERT_TRUE(back) << encoded;
    EXPECT_EQ(std::string(back->begin(), back->end()), plain);
  }
  EXPECT_EQ(base32_decode("mzxw6ytboi======"), bytes("foobar"));  // lower case, padding
  EXPECT_FALSE(base32_decode("MZ1W6"));                           // '1' is not base32
  EXPECT_FALSE(base32_decode("MZ"));                              // leftover bits that are not zero
  EXPECT_EQ(new_totp_secret().size(), 32u);                       // 20 bytes
  EXPECT_NE(new_totp_secret(), new_totp_secret());
}

TEST(Passwords, Argon2idVerifiesTheRightPasswordOnly) {
  const std::string hash =
      hash_password("correct horse", PasswordCost::of(PasswordHashCost::kMinimum));
  EXPECT_EQ(hash.rfind("$argon2id$", 0), 0u);
  EXPECT_TRUE(verify_password(hash, "correct horse"));
  EXPECT_FALSE(verify_password(hash, "correct horse "));
  EXPECT_FALSE(verify_password(hash, ""));
  EXPECT_FALSE(verify_password("plain", "plain"));  // not an argon2id entry
  EXPECT_TRUE(constant_time_equal("abc", "abc"));
  EXPECT_FALSE(constant_time_equal("abc", "abd"));
  EXPECT_FALSE(constant_time_equal("abc", "abcd"));
}

class UsersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("cx_console_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    path_ = (dir_ / "console" / "users.json").string();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::unique_ptr<UserStore> open(LockoutPolicy p = {3, 600}) {
    std::string error;
    auto s = UserStore::open(path_, p, &error);
    EXPECT_TRUE(s) << error;
    return s;
  }
  static std::string code(const User& u, std::int64_t t) {
    return totp_code(*base32_decode(u.totp_secret), t);
  }
  const PasswordCost cost_ = PasswordCost::of(PasswordHashCost::kMinimum);
  std::filesystem::path dir_;
  std::string path_;
};

TEST_F(UsersTest, AddedUsersAreKeptMode0600AndReadBack) {
  auto s = open();
  std::string error;
  const auto op = s->add("op1", Role::kOperator, 0, "op1-password", cost_, false, &error);
  ASSERT_TRUE(op) << error;
  ASSERT_TRUE(s->add("firm1", Role::kFirmOfficer, 1001, "firm1-password", cost_, false, &error));
  struct stat st {};
  ASSERT_EQ(::stat(path_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto again = open();
  ASSERT_EQ(again->all().size(), 2u);
  EXPECT_EQ(again->find("op1")->totp_secret, op->totp_secret);
  EXPECT_EQ(again->find("firm1")->role, Role::kFirmOfficer);
  EXPECT_EQ(again->find("firm1")->firm_account, 1001u);
  EXPECT_EQ(again->find("op1")->password_hash.rfind("$argon2id$", 0), 0u);
}

TEST_F(UsersTest, BadUsersAreRefusedAndChangeNothing) {
  auto s = open();
  std::string error;
  ASSERT_TRUE(s->add("op1", Role::kOperator, 0, "op1-password", cost_, false, &error));
  const auto before = s->all();
  EXPECT_FALSE(s->add("op1", Role::kOperator, 0, "another-pass", cost_, false, &error));
  EXPECT_EQ(error, "user op1 exists");
  EXPECT_FALSE(s->add("x y", Role::kOperator, 0, "op1-password", cost_, false, &error));
  EXPECT_FALSE(s->add("short", Role::kOperator, 0, "1234567", cost_, false, &error));
  EXPECT_EQ(error, "a console password has 8 characters at least");
  EXPECT_FALSE(s->add("f", Role::kFirmOfficer, 0, "op1-password", cost_, false, &error));
  EXPECT_FALSE(s->add("o", Role::kOperator, 7, "op1-password", cost_, false, &error));
  EXPECT_EQ(open()->all().size(), 1u);
  EXPECT_EQ(open()->find("op1")->password_hash, before[0].password_hash);
}

TEST_F(UsersTest, AFileOthersMayReadOrAMalformedOneIsRefused) {
  auto s = open();
  std::string error;
  ASSERT_TRUE(s->add("op1", Role::kOperator, 0, "op1-password", cost_, false, &error));
  ASSERT_EQ(::chmod(path_.c_str(), 0644), 0);
  EXPECT_FALSE(UserStore::open(path_, {}, &error));
  EXPECT_NE(error.find("chmod 600"), std::string::npos) << error;
  ASSERT_EQ(::chmod(path_.c_str(), 0600), 0);
  std::ofstream(path_) << "{\"users\": [{\"name\": \"x\"}]}";
  EXPECT_FALSE(UserStore::open(path_, {}, &error));
  EXPECT_NE(error.find("malformed"), std::string::npos) << error;
}

TEST_F(UsersTest, LoginNeedsPasswordAndAFreshCode) {
  auto s = open();
  std::string error;
  const auto op = *s->add("op1", Role::kOperator, 0, "op1-password", cost_, false, &error);
  const std::int64_t t = 1'800'000'000;
  User got;
  EXPECT_EQ(s->login("nobody", "op1-password", code(op, t), t, &got), LoginOutcome::kUnknownUser);
  EXPECT_EQ(s->login("op1", "op1-password", "000000" == code(op, t) ? "111111" : "000000", t, &got),
            LoginOutcome::kBadCode);
  EXPECT_EQ(s->login("op1", "op1-password", code(op, t), t, &got), LoginOutcome::kOk);
  EXPECT_EQ(got.name, "op1");
  EXPECT_EQ(got.role, Role::kOperator);
  // The same code again (a replay) is refused; the next step's code is not.
  EXPECT_EQ(s->login("op1", "op1-password", code(op, t), t + 1, &got), LoginOutcome::kReusedCode);
  EXPECT_EQ(s->login("op1", "op1-password", code(op, t + 30), t + 30, &got), LoginOutcome::kOk);
  // Failures were reset by the success and are kept in the file.
  EXPECT_EQ(open()->find("op1")->failed, 0u);
  EXPECT_EQ(open()->find("op1")->last_totp_step, (t + 30) / 30);
}

TEST_F(UsersTest, FailuresInARowLockTheUserOutForTheLockoutTime) {
  auto s = open(LockoutPolicy{3, 600});
  std::string error;
  const auto op = *s->add("op1", Role::kOperator, 0, "op1-password", cost_, false, &error);
  const std::int64_t t = 1'800'000'000;
  User got;
  EXPECT_EQ(s->login("op1", "wrong-one", code(op, t), t, &got), LoginOutcome::kBadPassword);
  EXPECT_EQ(s->login("op1", "wrong-two", code(op, t), t, &got), LoginOutcome::kBadPassword);
  EXPECT_EQ(open()->find("op1")->failed, 2u);  // counted in the file
  EXPECT_EQ(s->login("op1", "wrong-three", code(op, t), t, &got), LoginOutcome::kLockedNow);
  // Locked: even the right password and code are refused, until the lock-out ends.
  EXPECT_EQ(s->login("op1", "op1-password", code(op, t + 30), t + 30, &got), LoginOutcome::kLocked);
  EXPECT_EQ(open()->find("op1")->locked_until_s, t + 600);  // a restart keeps the lock
  EXPECT_EQ(s->login("op1", "op1-password", code(op, t + 599), t + 599, &got),
            LoginOutcome::kLocked);
  EXPECT_EQ(s->login("op1", "op1-password", code(op, t + 600), t + 600, &got), LoginOutcome::kOk);
}

TEST(Sessions, CookieIsHttpOnlyStrictAndSessionsEndWhenIdle) {
  SessionTable table(1800, 2);
  User u;
  u.name = "op1";
  u.role = Role::kOperator;
  const Session s = table.create(u, 1000);
  EXPECT_EQ(s.id.size(), 64u);
  EXPECT_EQ(s.csrf.size(), 64u);
  EXPECT_NE(s.id, s.csrf);
  const std::string cookie = session_cookie(s);
  EXPECT_EQ(cookie, "cx_session=" + s.id + "; Path=/; HttpOnly; SameSite=Strict");
  EXPECT_EQ(cookie_value("a=1; cx_session=" + s.id + "; b=2", kSessionCookie), s.id);
  EXPECT_EQ(cookie_value("cx_sessionx=1; a=2", kSessionCookie), "");
  EXPECT_EQ(cookie_value("", kSessionCookie), "");
  ASSERT_TRUE(table.find(s.id, 2000));
  EXPECT_EQ(table.find(s.id, 2000)->user, "op1");
  EXPECT_TRUE(table.find(s.id, 3800));   // used at 2000: 1800 s idle is still live
  EXPECT_FALSE(table.find(s.id, 5601));  // 1801 s idle: ended
  EXPECT_FALSE(table.find(s.id, 3800));  // and gone
  EXPECT_FALSE(table.find("not-a-session", 1000));
  const Session a = table.create(u, 10);
  const Session b = table.create(u, 20);
  ASSERT_TRUE(table.find(a.id, 30));  // a used last: b is the least recently used
  const Session c = table.create(u, 40);
  EXPECT_EQ(table.size(), 2u);
  EXPECT_FALSE(table.find(b.id, 41));
  EXPECT_TRUE(table.find(c.id, 41));
  table.end(c.id);
  EXPECT_FALSE(table.find(c.id, 42));
  EXPECT_EQ(ended_session_cookie(), "cx_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
}

TEST(Sessions, CsrfTokenMustMatchExactly) {
  SessionTable table(60, 4);
  const Session s = table.create(User{}, 1);
  EXPECT_TRUE(csrf_matches(s, s.csrf));
  EXPECT_FALSE(csrf_matches(s, ""));
  EXPECT_FALSE(csrf_matches(s, s.csrf.substr(1)));
  EXPECT_FALSE(csrf_matches(s, s.id));
  Session none = s;
  none.csrf.clear();
  EXPECT_FALSE(csrf_matches(none, ""));
}

TEST(Roles, OperatorsControlTheMarketOthersOnlyRead) {
  const verbs::Meta* halt = verbs::find("market.halt");
  const verbs::Meta* book = verbs::find("query.book");
  const verbs::Meta* add = verbs::find("member.add");
  ASSERT_TRUE(halt && book && add);
  EXPECT_TRUE(role_may_call(Role::kOperator, *halt));
  EXPECT_TRUE(role_may_call(Role::kOperator, *book));
  EXPECT_FALSE(role_may_call(Role::kOperator, *add));  // the members file: cxctl only
  for (const Role r : {Role::kReadOnly, Role::kApprover}) {
    EXPECT_FALSE(role_may_call(r, *halt));
    EXPECT_TRUE(role_may_call(r, *book));
  }
  EXPECT_FALSE(role_may_call(Role::kFirmOfficer, *halt));
  EXPECT_FALSE(role_may_call(Role::kFirmOfficer, *book));
  EXPECT_EQ(parse_role("read_only"), Role::kReadOnly);
  EXPECT_FALSE(parse_role("admin"));
}

TEST(Audit, EveryLineIsJsonInAFileOfMode0600) {
  const auto path = std::filesystem::temp_directory_path() /
                    ("cx_audit_" + std::to_string(::getpid())) / "audit.log";
  std::filesystem::remove_all(path.parent_path());
  std::string error;
  auto log = AuditLog::open(path.string(), &error);
  ASSERT_TRUE(log) << error;
  EXPECT_TRUE(log->write(1'800'000'000'123, "op1", "127.0.0.1", "login", "ok", "ok"));
  EXPECT_TRUE(log->write(1'800'000'001'000, "ro1", "127.0.0.1", "market.halt", "forbidden",
                         "a \"read_only\" user"));
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  std::ifstream in(path);
  std::string line;
  std::vector<json> lines;
  while (std::getline(in, line))
    lines.push_back(json::parse(line));
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0]["ts"], "2027-01-15T08:00:00.123Z");
  EXPECT_EQ(lines[0]["action"], "login");
  EXPECT_EQ(lines[1]["outcome"], "forbidden");
  EXPECT_EQ(lines[1]["detail"], "a \"read_only\" user");
  std::filesystem::remove_all(path.parent_path());
}

Event event(std::uint64_t seq, EventBody body) {
  return Event{Seq{seq}, TimestampNs{static_cast<std::int64_t>(seq) * 1000}, std::move(body)};
}

TEST(BookFeedTest, FollowsDeltasTradesAndPhaseFromTheSeed) {
  std::vector<json> published;
  BookFeed feed([&](const std::string& v) { published.push_back(json::parse(v)); });
  feed.seed(1, "GDEA2017", Phase::kContinuous, {{1500, 10}, {1490, 20}}, {{1510, 5}});
  feed.seed(2, "CCER", Phase::kClosed, {}, {});
  ASSERT_EQ(feed.views().size(), 2u);
  EXPECT_EQ(json::parse(feed.views()[0])["bids"], json::parse("[[1500,10],[1490,20]]"));
  std::vector<Event> ev;
  for (int i = 0; i < 7; ++i) {  // seven bid levels: the view shows the best five
    ev.push_back(event(
        10 + i, BookDeltaEvent{InstrumentId{1}, Side::kBuy, PriceFen{1400 + i}, QuantityT{1}}));
  }
  ev.push_back(
      event(20, BookDeltaEvent{InstrumentId{1}, Side::kSell, PriceFen{1510}, QuantityT{0}}));
  ev.push_back(event(21, TradeEvent{InstrumentId{1}, TradeId{7}, PriceFen{1510}, QuantityT{5},
                                    OrderId{1}, OrderId{2}, Side::kBuy}));
  ev.push_back(event(22, TradeEvent{InstrumentId{1}, TradeId{8}, PriceFen{1500}, QuantityT{3},
                                    OrderId{3}, OrderId{4}, Side::kSell}));
  ev.push_back(event(23, PhaseEvent{InstrumentId{2}, Phase::kHalted}));
  feed.on_events(ev);
  ASSERT_EQ(published.size(), 2u);  // one view per changed instrument, in id order
  const json& g = published[0];
  EXPECT_EQ(g["symbol"], "GDEA2017");
  EXPECT_EQ(g["seq"], 22);
  EXPECT_EQ(g["bids"], json::parse("[[1500,10],[1490,20],[1406,1],[1405,1],[1404,1]]"));
  EXPECT_EQ(g["asks"], json::array());
  ASSERT_EQ(g["trades"].size(), 2u);
  EXPECT_EQ(g["trades"][0]["price_fen"], 1500);  // newest first
  EXPECT_EQ(g["trades"][0]["aggressor"], "sell");
  EXPECT_EQ(g["trades"][1]["quantity_t"], 5);
  EXPECT_EQ(published[1]["symbol"], "CCER");
  EXPECT_EQ(published[1]["phase"], to_string(Phase::kHalted));
  // Events of an instrument the feed does not know, or of no book, publish nothing.
  feed.on_events(std::vector<Event>{event(30, PhaseEvent{InstrumentId{9}, Phase::kHalted})});
  EXPECT_EQ(published.size(), 2u);
  std::vector<Event> many;
  for (int i = 0; i < 25; ++i) {
    many.push_back(event(40 + i, TradeEvent{InstrumentId{2}, TradeId{100u + i}, PriceFen{900 + i},
                                            QuantityT{1}, OrderId{1}, OrderId{2}, Side::kBuy}));
  }
  feed.on_events(many);
  const json c = json::parse(feed.views()[1]);
  ASSERT_EQ(c["trades"].size(), BookFeed::kTrades);  // the last twenty
  EXPECT_EQ(c["trades"][0]["price_fen"], 924);
}

// The console's alerts: each new alert published as JSON with the orders behind it, the recent
// ones kept newest first, at most AlertFeed::kKept of them.
TEST(AlertFeedTest, PublishesEachAlertAndKeepsTheRecentOnesNewestFirst) {
  ExchangeConfig config;
  InstrumentConfig ic;
  ic.id = InstrumentId{1};
  ic.code = "GDEA2017";
  ic.reference_price_fen = PriceFen{2000};  // band 10%: 18.00 .. 22.00
  config.instruments.push_back(ic);
  std::vector<json> published;
  AlertFeed feed(config, [&](const std::string& a) { published.push_back(json::parse(a)); });
  EXPECT_EQ(feed.recent(), "[]");
  AckEvent edge;
  edge.order_id = OrderId{11};
  edge.account = AccountId{1001};
  edge.member = MemberId{1};
  edge.instrument = InstrumentId{1};
  edge.side = Side::kSell;
  edge.price_fen = PriceFen{1800};
  edge.quantity_t = QuantityT{40};
  AckEvent inside = edge;
  inside.order_id = OrderId{12};
  inside.price_fen = PriceFen{1900};
  feed.on_events(std::vector<Event>{event(5, edge), event(6, inside)});
  ASSERT_EQ(published.size(), 1u);
  const json& a = published[0];
  EXPECT_EQ(a["kind"], "order_at_band_edge");
  EXPECT_EQ(a["seq"], 5);
  EXPECT_EQ(a["price_fen"], 1800);
  EXPECT_EQ(a["quantity_t"], 40);
  EXPECT_EQ(a["orders"], json::parse(R"([{"order_id":11,"account":1001,"member":1,)"
                                     R"("side":"sell"}])"));
  EXPECT_NE(a["detail"].get<std::string>().find("18.00"), std::string::npos) << a;
  std::vector<Event> many;
  for (std::uint64_t i = 0; i < AlertFeed::kKept + 5; ++i) {
    edge.order_id = OrderId{100 + i};
    many.push_back(event(10 + i, edge));
  }
  feed.on_events(many);
  EXPECT_EQ(published.size(), AlertFeed::kKept + 6);
  const json kept = json::parse(feed.recent());
  ASSERT_EQ(kept.size(), AlertFeed::kKept);
  EXPECT_EQ(kept[0]["seq"], 10 + AlertFeed::kKept + 4) << "newest first";
  EXPECT_EQ(kept[AlertFeed::kKept - 1]["seq"], 15) << "the oldest six dropped";
}

}  // namespace
}  // namespace carbonx::gateway::console
