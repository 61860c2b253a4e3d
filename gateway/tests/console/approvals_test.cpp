// Four-eyes approvals (gateway/src/console/README.md "Four eyes"): the requests file on its own
// (pending, decided once, never by the requester, expiry, mode 0600, kept across a reopen), and
// over a real carbonxd with its console on loopback: an operator's halt or deposit becomes a
// pending request and changes nothing; the requester, a read-only user and a second click are
// refused; an approver's or a second operator's approval executes the verb once; a pending
// request survives a restart; the bearer-token operator API is the direct (break-glass) path.
#include <sys/stat.h>

#include <gtest/gtest.h>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "carbonx/gateway/console/approvals.hpp"
#include "carbonx/gateway/console/auth.hpp"
#include "carbonx/gateway/console/console_server.hpp"
#include "carbonx/gateway/console/users.hpp"
#include "carbonx/gateway/exchange_dir.hpp"
#include "carbonx/gateway/exchange_driver.hpp"
#include "carbonx/gateway/operator_token.hpp"
#include "carbonx/gateway/server.hpp"

namespace carbonx::gateway::console {
namespace {

using json = nlohmann::json;
namespace fs = std::filesystem;
namespace http = boost::beast::http;

fs::path temp_dir(const std::string& prefix) {
  const fs::path d =
      fs::temp_directory_path() / (prefix + std::to_string(::getpid()) + "_" +
                                   ::testing::UnitTest::GetInstance()->current_test_info()->name());
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

std::string read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// ---- the requests file ---------------------------------------------------------------------

class ApprovalStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { path_ = (temp_dir("cx_approvals_") / "approvals.json").string(); }
  void TearDown() override { fs::remove_all(fs::path(path_).parent_path()); }
  std::unique_ptr<ApprovalStore> open(std::int64_t expiry_s = 3600) {
    std::string error;
    auto s = ApprovalStore::open(path_, expiry_s, &error);
    EXPECT_TRUE(s) << error;
    return s;
  }
  std::string path_;
  ApprovalRefusal refusal_;
};

TEST_F(ApprovalStoreTest, ARequestIsPendingUntilASecondUserDecidesItOnce) {
  auto s = open();
  const auto a = s->request("market.halt", R"({"symbol":"GDEA2017"})", "op1", 1'000, &refusal_);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->id, 1u);
  EXPECT_EQ(a->state, ApprovalState::kPending);
  EXPECT_EQ(a->requester, "op1");
  // The requester may not approve it; an unknown id is 404; neither changes anything.
  EXPECT_FALSE(s->approve(1, "op1", 2'000, &refusal_));
  EXPECT_EQ(refusal_.http_status, 403u);
  EXPECT_NE(refusal_.text.find("a second user must approve it"), std::string::npos);
  EXPECT_FALSE(s->approve(9, "ap1", 2'000, &refusal_));
  EXPECT_EQ(refusal_.http_status, 404u);
  EXPECT_EQ(s->find(1)->state, ApprovalState::kPending);
  // The approval is recorded (and on disk) before the command runs; a second one is refused.
  const auto approved = s->approve(1, "ap1", 3'000, &refusal_);
  ASSERT_TRUE(approved);
  EXPECT_EQ(approved->decider, "ap1");
  EXPECT_EQ(open()->find(1)->state, ApprovalState::kApproved);
  EXPECT_FALSE(s->approve(1, "ap2", 3'001, &refusal_));
  EXPECT_EQ(refusal_.http_status, 409u);
  EXPECT_EQ(refusal_.text, "request 1 (market.halt) is approved already, by ap1: nothing was done");
  EXPECT_FALSE(s->reject(1, "ap2", 3'001, &refusal_));
  EXPECT_EQ(refusal_.http_status, 409u);
  // The command's answer: status and journal seq kept.
  const auto done = s->answered(1, 200, R"({"ok":true,"seq":42})");
  ASSERT_TRUE(done);
  EXPECT_EQ(done->seq, 42u);
  EXPECT_EQ(open()->find(1)->seq, 42u);
  const json j = json::parse(approval_json(*done));
  EXPECT_EQ(j["state"], "approved");
  EXPECT_EQ(j["body"]["symbol"], "GDEA2017");
  EXPECT_EQ(j["requested_at"], "1970-01-01T00:00:01.000Z");
  EXPECT_EQ(j["answer"]["seq"], 42);
}

TEST_F(ApprovalStoreTest, TheRequesterMayWithdrawARejectedOneIsNeverApproved) {
  auto s = open();
  ASSERT_TRUE(s->request("cash.deposit", "{}", "op1", 1'000, &refusal_));
  ASSERT_TRUE(s->request("cash.withdraw", "{}", "op1", 1'000, &refusal_));
  const auto r = s->reject(1, "ap1", 2'000, &refusal_);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->state, ApprovalState::kRejected);
  EXPECT_FALSE(s->approve(1, "ap2", 2'001, &refusal_));
  EXPECT_EQ(refusal_.text,
            "request 1 (cash.deposit) is rejected already, by ap1: nothing was done");
  ASSERT_TRUE(s->reject(2, "op1", 2'000, &refusal_));  // withdrawn by the requester
  const auto list = s->list(2'002);
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].id, 2u);  // newest first
}

TEST_F(ApprovalStoreTest, PendingRequestsExpireAndSurviveAReopen) {
  auto s = open(60);
  ASSERT_TRUE(s->request("clock.advance", R"({"seconds":60})", "op1", 1'000, &refusal_));
  ASSERT_TRUE(s->request("market.halt", "{}", "op1", 50'000, &refusal_));
  s.reset();
  struct stat st {};
  ASSERT_EQ(::stat(path_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto again = open(60);
  ASSERT_EQ(again->list(2'000).size(), 2u);
  EXPECT_EQ(again->find(1)->state, ApprovalState::kPending);
  EXPECT_EQ(again->find(1)->body, R"({"seconds":60})");
  // 60 s after it was asked, the first is expired and can no longer be approved.
  EXPECT_FALSE(again->approve(1, "ap1", 61'000, &refusal_));
  EXPECT_EQ(refusal_.http_status, 409u);
  EXPECT_EQ(again->find(1)->state, ApprovalState::kExpired);
  EXPECT_TRUE(again->approve(2, "ap1", 61'000, &refusal_));
  // The next id continues after a reopen (never reused).
  EXPECT_EQ(open(60)->request("market.halt", "{}", "op2", 62'000, &refusal_)->id, 3u);
}

TEST_F(ApprovalStoreTest, AnApprovalWithoutItsAnswerAtAReopenIsNeverRunAgain) {
  auto s = open();
  ASSERT_TRUE(s->request("market.halt", "{}", "op1", 1'000, &refusal_));
  ASSERT_TRUE(s->approve(1, "ap1", 2'000, &refusal_));
  s.reset();  // carbonxd stopped before the command's answer
  const auto a = open()->find(1);
  EXPECT_EQ(a->state, ApprovalState::kApproved);
  EXPECT_TRUE(a->answered);
  EXPECT_EQ(a->http_status, 0u);
  EXPECT_FALSE(open()->approve(1, "ap2", 3'000, &refusal_));
}

TEST_F(ApprovalStoreTest, AFileOthersMayReadOrAMalformedOneIsRefused) {
  ASSERT_TRUE(open()->request("market.halt", "{}", "op1", 1'000, &refusal_));
  ASSERT_EQ(::chmod(path_.c_str(), 0640), 0);
  std::string error;
  EXPECT_FALSE(ApprovalStore::open(path_, 60, &error));
  EXPECT_NE(error.find("chmod 600"), std::string::npos) << error;
  ASSERT_EQ(::chmod(path_.c_str(), 0600), 0);
  std::ofstream(path_) << R"({"next_id": 2, "approvals": [{"id": 1}]})";
  EXPECT_FALSE(ApprovalStore::open(path_, 60, &error));
  EXPECT_NE(error.find("malformed"), std::string::npos) << error;
}

TEST(ApprovalRoles, ApproversAndOperatorsDecideFirmOfficersDoNotSeeThem) {
  EXPECT_TRUE(role_may_decide(Role::kApprover));
  EXPECT_TRUE(role_may_decide(Role::kOperator));
  EXPECT_FALSE(role_may_decide(Role::kReadOnly));
  EXPECT_FALSE(role_may_decide(Role::kFirmOfficer));
  EXPECT_TRUE(role_may_view_approvals(Role::kReadOnly));
  EXPECT_FALSE(role_may_view_approvals(Role::kFirmOfficer));
  // An approver requests nothing itself: only queries (the verbs' own role check).
  EXPECT_FALSE(role_may_call(Role::kApprover, *verbs::find("market.halt")));
  EXPECT_TRUE(role_may_call(Role::kOperator, *verbs::find("market.halt")));
}

// ---- over a real carbonxd ------------------------------------------------------------------

constexpr const char* kToken = "approvals-test-token";

struct Answer {
  int status = 0;
  json body;
  std::string set_cookie;
};

// A console user's browser: the session cookie and CSRF token of its login.
struct Browser {
  std::uint16_t port = 0;
  std::string cookie;
  std::string csrf;

  Answer call(http::verb method, const std::string& target, const std::string& body = "") const {
    boost::asio::io_context io;
    boost::beast::tcp_stream stream(io);
    stream.connect(
        boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port));
    http::request<http::string_body> req(method, target, 11);
    req.set(http::field::host, "127.0.0.1");
    if (!cookie.empty()) req.set(http::field::cookie, cookie);
    if (!csrf.empty()) req.set("X-CSRF-Token", csrf);
    req.set(http::field::content_type, "application/json");
    req.body() = body;
    req.prepare_payload();
    http::write(stream, req);
    boost::beast::flat_buffer buffer;
    http::response<http::string_body> res;
    http::read(stream, buffer, res);
    boost::system::error_code ec;
    stream.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_both, ec);
    Answer a;
    a.status = static_cast<int>(res.result_int());
    a.body = json::parse(res.body(), nullptr, false);
    a.set_cookie = std::string(res[http::field::set_cookie]);
    return a;
  }
  Answer post(const std::string& target, const json& body = json::object()) const {
    return call(http::verb::post, target, body.dump());
  }
  Answer verb(const std::string& name, const json& body) const {
    return post("/api/verb/" + name, body);
  }
};

class ApprovalServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = temp_dir("cx_approvals_srv_");
    fs::create_directories(dir_ / "web");
    std::ofstream(dir_ / "web" / "index.html") << "<!doctype html><title>test</title>\n";
    std::string error;
    ASSERT_TRUE(init_exchange(config(), &error)) << error;
    ASSERT_TRUE(write_operator_token(config().data_dir, kToken).ok());
    auto users = UserStore::open(users_path(config().data_dir), {}, &error);
    ASSERT_TRUE(users) << error;
    const auto cost = PasswordCost::of(PasswordHashCost::kMinimum);
    for (const auto& [name, role] :
         {std::pair{"op1", Role::kOperator}, std::pair{"op2", Role::kOperator},
          std::pair{"ap1", Role::kApprover}, std::pair{"ro1", Role::kReadOnly}}) {
      const auto u =
          users->add(name, role, 0, std::string(name) + "-password", cost, false, &error);
      ASSERT_TRUE(u) << error;
      secrets_[name] = u->totp_secret;
    }
    start();
  }
  void TearDown() override {
    if (server_) server_->stop();
    server_.reset();
    fs::remove_all(dir_);
  }
  void start() {
    std::string error;
    server_ = Server::create(config(), &error);
    ASSERT_NE(server_, nullptr) << error;
    ASSERT_TRUE(server_->start(&error)) << error;
    ASSERT_NE(server_->console_port(), 0u);
  }
  void restart() {
    server_->stop();
    server_.reset();
    start();
  }

  ServerConfig config() const {
    ServerConfig c;
    c.data_dir = (dir_ / "data").string();
    c.fix_bind = "127.0.0.1";
    c.fix_port = 0;
    c.operator_port = 0;
    c.durability = DurabilityMode::kNoSync;
    c.password_hash = PasswordHashCost::kMinimum;
    c.instruments_path = (fs::path(CARBONX_GATEWAY_CONFIG_DIR) / "instruments.toml").string();
    c.schedule.enabled = false;
    c.console = true;
    c.console_port = 0;
    c.console_web_dir = (dir_ / "web").string();
    return c;
  }

  // Logs `name` in with its password and a TOTP code; `step_ahead` uses the next step's code
  // (a second login of the same user within one 30 s step: a code is accepted once).
  Browser login(const std::string& name, int step_ahead = 0) {
    Browser b;
    b.port = server_->console_port();
    const std::int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                                 std::chrono::system_clock::now().time_since_epoch())
                                 .count();
    const std::string code = totp_code(*base32_decode(secrets_.at(name)), now + 30 * step_ahead);
    const Answer a =
        b.post("/api/login", {{"user", name}, {"password", name + "-password"}, {"code", code}});
    EXPECT_EQ(a.status, 200) << a.body.dump();
    b.cookie = a.set_cookie.substr(0, a.set_cookie.find(';'));
    b.csrf = a.body.value("csrf", "");
    return b;
  }
  std::uint64_t applied_seq(const Browser& b) {
    const Answer a = b.verb("query.status", json::object());
    EXPECT_EQ(a.status, 200) << a.body.dump();
    return a.body.at("applied_seq").get<std::uint64_t>();
  }
  std::string phase(const Browser& b) {
    const Answer a = b.verb("query.book", {{"symbol", "GDEA2017"}});
    EXPECT_EQ(a.status, 200) << a.body.dump();
    return a.body.at("phase").get<std::string>();
  }
  // Through the bearer-token operator API (the direct path).
  int op(const std::string& verb, const json& body, json* out = nullptr) {
    boost::asio::io_context io;
    boost::beast::tcp_stream stream(io);
    stream.connect(boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"),
                                                  server_->operator_port()));
    http::request<http::string_body> req(http::verb::post, "/v1/" + verb, 11);
    req.set(http::field::host, "127.0.0.1");
    req.set(http::field::authorization, std::string("Bearer ") + kToken);
    req.body() = body.dump();
    req.prepare_payload();
    http::write(stream, req);
    boost::beast::flat_buffer buffer;
    http::response<http::string_body> res;
    http::read(stream, buffer, res);
    if (out != nullptr) *out = json::parse(res.body());
    return static_cast<int>(res.result_int());
  }
  std::int64_t cash_of(const Browser& b, std::uint32_t account) {
    const Answer a = b.verb("query.balances", {{"account", account}});
    EXPECT_EQ(a.status, 200) << a.body.dump();
    for (const json& row : a.body.at("balances")) {
      if (row.at("asset") == "CNY") return row.at("available").get<std::int64_t>();
    }
    return 0;
  }

  fs::path dir_;
  std::unique_ptr<Server> server_;
  std::map<std::string, std::string> secrets_;
};

TEST_F(ApprovalServerTest, AHaltIsPendingUntilApprovedThenRunsExactlyOnce) {
  const Browser op1 = login("op1");
  const Browser ap1 = login("ap1");
  const Browser ro1 = login("ro1");
  ASSERT_EQ(op1.verb("market.open", {{"symbol", "GDEA2017"}}).status, 200);  // not four-eyes
  ASSERT_EQ(phase(op1), to_string(Phase::kContinuous));
  const std::uint64_t seq0 = applied_seq(op1);

  // The operator's halt is a pending request: 202, no command, nothing changed.
  const Answer asked = op1.verb("market.halt", {{"symbol", "GDEA2017"}});
  ASSERT_EQ(asked.status, 202) << asked.body.dump();
  EXPECT_EQ(asked.body["pending"], true);
  const json& req = asked.body["approval"];
  EXPECT_EQ(req["state"], "pending");
  EXPECT_EQ(req["verb"], "market.halt");
  EXPECT_EQ(req["requester"], "op1");
  EXPECT_EQ(req["body"]["symbol"], "GDEA2017");
  const std::string id = std::to_string(req["id"].get<std::uint64_t>());
  EXPECT_EQ(applied_seq(op1), seq0);
  EXPECT_EQ(phase(op1), to_string(Phase::kContinuous));

  // The requester may not approve it; a read-only user may see it but not decide it; an
  // approver may not request a halt itself. Nothing changes.
  Answer self = op1.post("/api/approvals/" + id + "/approve");
  EXPECT_EQ(self.status, 403) << self.body.dump();
  EXPECT_NE(self.body["error"].get<std::string>().find("a second user must approve"),
            std::string::npos);
  EXPECT_EQ(ro1.post("/api/approvals/" + id + "/approve").status, 403);
  EXPECT_EQ(ro1.post("/api/approvals/" + id + "/reject").status, 403);
  EXPECT_EQ(ap1.verb("market.halt", {{"symbol", "GDEA2017"}}).status, 403);
  const Answer seen = ro1.call(http::verb::get, "/api/approvals");
  ASSERT_EQ(seen.status, 200);
  ASSERT_EQ(seen.body["approvals"].size(), 1u);
  EXPECT_EQ(seen.body["approvals"][0]["state"], "pending");
  EXPECT_EQ(applied_seq(op1), seq0);
  // A decision without the CSRF token is refused too.
  Browser no_csrf = ap1;
  no_csrf.csrf.clear();
  EXPECT_EQ(no_csrf.post("/api/approvals/" + id + "/approve").status, 403);
  EXPECT_EQ(phase(op1), to_string(Phase::kContinuous));

  // The approver's approval runs the halt once: one seq, the book halted, both names kept.
  const Answer ok = ap1.post("/api/approvals/" + id + "/approve");
  ASSERT_EQ(ok.status, 200) << ok.body.dump();
  EXPECT_EQ(ok.body["approval"]["state"], "approved");
  EXPECT_EQ(ok.body["approval"]["requester"], "op1");
  EXPECT_EQ(ok.body["approval"]["decider"], "ap1");
  EXPECT_EQ(ok.body["approval"]["seq"], seq0 + 1);
  EXPECT_EQ(ok.body["answer"]["seq"], seq0 + 1);
  EXPECT_EQ(phase(op1), to_string(Phase::kHalted));
  EXPECT_EQ(applied_seq(op1), seq0 + 1);
  // A second click (or a second approver) executes nothing.
  const Answer again = ap1.post("/api/approvals/" + id + "/approve");
  EXPECT_EQ(again.status, 409) << again.body.dump();
  EXPECT_EQ(login("op2").post("/api/approvals/" + id + "/approve").status, 409);
  EXPECT_EQ(applied_seq(op1), seq0 + 1);

  // The audit log has one line with both identities and the journal seq.
  const std::string audit = read_text(audit_path(config().data_dir));
  EXPECT_NE(audit.find("four-eyes request " + id + " of op1 approved by ap1, journal seq " +
                       std::to_string(seq0 + 1)),
            std::string::npos)
      << audit;
  EXPECT_NE(audit.find(R"("action":"market.halt","detail":"four-eyes request )" + id),
            std::string::npos);
}

TEST_F(ApprovalServerTest, APendingDepositSurvivesARestartAndASecondOperatorApprovesIt) {
  json r;
  ASSERT_EQ(op("account.open", {{"id", 1001}, {"kind", "investment_institution"}}, &r), 200)
      << r.dump();
  // The operator token is the direct path: its deposit is a command at once (break-glass).
  ASSERT_EQ(op("cash.deposit", {{"transfer_id", 1}, {"account", 1001}, {"amount_fen", 500}}, &r),
            200)
      << r.dump();
  const Browser op1 = login("op1");
  EXPECT_EQ(cash_of(op1, 1001), 500);
  const Answer asked =
      op1.verb("cash.deposit", {{"transfer_id", 2}, {"account", 1001}, {"amount_fen", 1200}});
  ASSERT_EQ(asked.status, 202) << asked.body.dump();
  const std::string id = std::to_string(asked.body["approval"]["id"].get<std::uint64_t>());
  const Answer withdraw =
      op1.verb("cash.withdraw", {{"transfer_id", 3}, {"account", 1001}, {"amount_fen", 100}});
  ASSERT_EQ(withdraw.status, 202);
  const std::string withdraw_id =
      std::to_string(withdraw.body["approval"]["id"].get<std::uint64_t>());
  EXPECT_EQ(cash_of(op1, 1001), 500);

  restart();  // the pending requests are in approvals.json
  const Browser op2 = login("op2");
  const Answer list = op2.call(http::verb::get, "/api/approvals");
  ASSERT_EQ(list.status, 200);
  ASSERT_EQ(list.body["approvals"].size(), 2u);
  EXPECT_EQ(list.body["approvals"][1]["state"], "pending");
  EXPECT_EQ(list.body["approvals"][1]["body"]["amount_fen"], 1200);
  EXPECT_EQ(cash_of(op2, 1001), 500);
  // The old session ended with the restart; op1 logs in again (the next step's code).
  const Browser op1_again = login("op1", 1);
  EXPECT_EQ(op1_again.post("/api/approvals/" + id + "/approve").status, 403);  // its own
  // A second operator approves the deposit; the withdrawal is rejected and never runs.
  const Answer ok = op2.post("/api/approvals/" + id + "/approve");
  ASSERT_EQ(ok.status, 200) << ok.body.dump();
  EXPECT_EQ(ok.body["approval"]["decider"], "op2");
  EXPECT_EQ(cash_of(op2, 1001), 1700);
  const Answer no = op2.post("/api/approvals/" + withdraw_id + "/reject");
  ASSERT_EQ(no.status, 200) << no.body.dump();
  EXPECT_EQ(no.body["approval"]["state"], "rejected");
  EXPECT_EQ(op2.post("/api/approvals/" + withdraw_id + "/approve").status, 409);
  EXPECT_EQ(op2.post("/api/approvals/" + id + "/approve").status, 409);
  EXPECT_EQ(cash_of(op2, 1001), 1700);
  EXPECT_EQ(op2.post("/api/approvals/77/approve").status, 404);
  EXPECT_EQ(op2.post("/api/approvals/x/approve").status, 404);
  struct stat st {};
  ASSERT_EQ(::stat(approvals_path(config().data_dir).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

}  // namespace
}  // namespace carbonx::gateway::console
