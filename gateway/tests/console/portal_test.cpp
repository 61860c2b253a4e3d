// The firm portal (gateway/src/console/README.md "Firm portal"): the firm officer's verbs and
// scope as pure functions, the statement's CSV, and over a real carbonxd with its console on
// (loopback, a temporary data directory, the demonstration market's instruments, the exchange
// clock at 15 May 2018): a firm officer logged in with password + TOTP sees its own firm only
// (another firm's account, an operator verb, an operator's portal call: 403, audited), its
// overview is the registry's, a surrender over the offset cap is refused by the rule "offset
// cap" with the preview's very decision, one within it is journaled and its certificate holds
// the seq, the firm, the year and the units, and the statement is a CSV of its movements.
#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <tuple>

#include "carbonx/gateway/console/auth.hpp"
#include "carbonx/gateway/console/console_server.hpp"
#include "carbonx/gateway/console/portal.hpp"
#include "carbonx/gateway/console/users.hpp"
#include "carbonx/gateway/exchange_driver.hpp"
#include "carbonx/gateway/operator_token.hpp"
#include "carbonx/gateway/server.hpp"
#include "carbonx/verbs/verbs.hpp"
#include "test_client.hpp"

namespace carbonx::gateway::console {
namespace {

using json = nlohmann::json;
namespace fs = std::filesystem;
namespace http = boost::beast::http;

Session firm_session(std::uint32_t account) {
  Session s;
  s.user = "f1";
  s.role = Role::kFirmOfficer;
  s.firm_account = account;
  return s;
}

TEST(PortalRoles, AFirmOfficerMayCallThePortalVerbsOnlyAndOnlyForItsOwnFirm) {
  std::set<std::string> allowed;
  for (const verbs::Meta& m : verbs::table()) {
    if (role_may_call(Role::kFirmOfficer, m)) allowed.insert(std::string(m.name));
    EXPECT_EQ(role_may_call(Role::kFirmOfficer, m), portal_verb(m)) << m.name;
  }
  EXPECT_EQ(allowed, (std::set<std::string>{"firm.overview", "firm.statement", "surrender",
                                            "surrender.certificate", "surrender.preview"}));
  const Session s = firm_session(100029);
  std::string why;
  EXPECT_TRUE(portal_scope(s, verbs::FirmOverview{AccountId(100029), 2017}, &why));
  EXPECT_FALSE(portal_scope(s, verbs::FirmOverview{AccountId(100030), 2017}, &why));
  EXPECT_EQ(why, "a firm_officer of account 100029 may not act for account 100030");
  EXPECT_FALSE(
      portal_scope(s, verbs::FirmStatement{AccountId(1), Date{20180101}, Date{20180102}}, &why));
  EXPECT_TRUE(portal_scope(s, verbs::SurrenderCertificate{AccountId(100029), 7}, &why));
  EXPECT_FALSE(portal_scope(s, verbs::SurrenderCertificate{AccountId(100001), 7}, &why));
  verbs::Surrender own{AccountId(100029), 2017, MemberId(29), {}};
  EXPECT_TRUE(portal_scope(s, own, &why));
  own.member = MemberId(0);  // as the operator: no
  EXPECT_FALSE(portal_scope(s, own, &why));
  EXPECT_EQ(why, "a firm_officer surrenders as its firm's member, not as the operator");
  EXPECT_FALSE(portal_scope(s, verbs::MarketHalt{}, &why));
  EXPECT_EQ(why, "a firm_officer of account 100029 may not act for the exchange");
  EXPECT_FALSE(portal_scope(firm_session(0), verbs::FirmOverview{AccountId(0), 2017}, &why));
  // Other roles are not narrowed by the portal's scope (their verbs are role_may_call's).
  Session op = firm_session(0);
  op.role = Role::kOperator;
  EXPECT_TRUE(portal_scope(op, verbs::FirmOverview{AccountId(100030), 2017}, &why));
}

TEST(PortalStatement, CsvHasTheHeaderAndOneLinePerMovementQuotedWhereNeeded) {
  const json statement{{"ok", true},
                       {"rows",
                        {{{"seq", 12},
                          {"time", "2018-05-15 09:30:01 CST"},
                          {"kind", "surrender"},
                          {"symbol", "GDEA2017"},
                          {"direction", "out"},
                          {"amount", 1000},
                          {"unit", "t"},
                          {"counterparty", 9017},
                          {"reference", 2017},
                          {"transfer_id", 99},
                          {"holding_after", 5000}},
                         {{"seq", 13}, {"kind", "a, \"b\""}}}}};
  EXPECT_EQ(statement_csv(statement.dump()),
            "seq,time,kind,symbol,direction,amount,unit,counterparty,reference,transfer_id,"
            "holding_after\n"
            "12,2018-05-15 09:30:01 CST,surrender,GDEA2017,out,1000,t,9017,2017,99,5000\n"
            "13,,\"a, \"\"b\"\"\",,,,,,,,\n");
  EXPECT_EQ(statement_csv("not json"), "");
  EXPECT_EQ(statement_csv("{\"ok\":true}"), "");
}

// ---- over a real carbonxd ----------------------------------------------------------------------

constexpr const char* kToken = "portal-test-token-1";

struct Answer {
  int status = 0;
  json body;
  std::string text;
  std::string content_type;
  std::string disposition;
};

// A browser's part: the session cookie and the CSRF token kept between requests.
class Browser {
 public:
  explicit Browser(std::uint16_t port) : port_(port) {}
  Answer get(const std::string& target) { return call(http::verb::get, target, ""); }
  Answer post(const std::string& target, const json& body) {
    return call(http::verb::post, target, body.dump());
  }
  Answer login(const std::string& user, const std::string& password, const std::string& secret) {
    const auto key = base32_decode(secret);
    EXPECT_TRUE(key.has_value());
    const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
    Answer a =
        post("/api/login", {{"user", user},
                            {"password", password},
                            {"code", totp_code(key.value_or(std::vector<std::uint8_t>{}), now)}});
    if (a.status == 200) csrf_ = a.body.value("csrf", "");
    return a;
  }

 private:
  Answer call(http::verb method, const std::string& target, const std::string& body) {
    boost::asio::io_context io;
    boost::beast::tcp_stream stream(io);
    stream.connect(
        boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port_));
    http::request<http::string_body> req(method, target, 11);
    req.set(http::field::host, "127.0.0.1");
    if (!cookie_.empty()) req.set(http::field::cookie, cookie_);
    if (method == http::verb::post) {
      req.set("X-CSRF-Token", csrf_);
      req.set(http::field::content_type, "application/json");
      req.body() = body;
    }
    req.prepare_payload();
    http::write(stream, req);
    boost::beast::flat_buffer buffer;
    http::response<http::string_body> res;
    http::read(stream, buffer, res);
    Answer a;
    a.status = static_cast<int>(res.result_int());
    a.text = res.body();
    a.content_type = std::string(res[http::field::content_type]);
    a.disposition = std::string(res[http::field::content_disposition]);
    a.body = json::parse(a.text, nullptr, false);
    const std::string set = std::string(res[http::field::set_cookie]);
    if (!set.empty()) cookie_ = set.substr(0, set.find(';'));
    return a;
  }
  std::uint16_t port_;
  std::string cookie_;
  std::string csrf_;
};

class PortalServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("cx_portal_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "web");
    std::ofstream(dir_ / "web" / "index.html") << "<!doctype html><title>t</title>\n";
    std::string error;
    ASSERT_TRUE(init_exchange(config(), &error)) << error;
    ASSERT_TRUE(write_operator_token(config().data_dir, kToken).ok());
    // The console's users, made before the start as carbonxd --console-add-user does.
    auto users = UserStore::open(users_path(config().data_dir), LockoutPolicy{}, &error);
    ASSERT_NE(users, nullptr) << error;
    const auto cost = PasswordCost::of(PasswordHashCost::kMinimum);
    auto f1 = users->add("f1", Role::kFirmOfficer, 1002, "f1-portal-pass", cost, false, &error);
    auto op1 = users->add("op1", Role::kOperator, 0, "op1-portal-pass", cost, false, &error);
    ASSERT_TRUE(f1 && op1) << error;
    f1_secret_ = f1->totp_secret;
    op1_secret_ = op1->totp_secret;
    users.reset();
    server_ = Server::create(config(), &error);
    ASSERT_NE(server_, nullptr) << error;
    ASSERT_TRUE(server_->start(&error)) << error;
    setup_market();
  }
  void TearDown() override {
    if (server_) server_->stop();
    server_.reset();
    fs::remove_all(dir_);
  }

  ServerConfig config() const {
    ServerConfig c;
    c.data_dir = (dir_ / "data").string();
    c.fix_bind = "127.0.0.1";
    c.fix_port = 0;
    c.operator_port = 0;
    c.durability = DurabilityMode::kNoSync;
    c.password_hash = PasswordHashCost::kMinimum;
    c.instruments_path = (fs::path(CARBONX_MARKET_DIR) / "instruments.toml").string();
    c.schedule.enabled = false;
    c.clock_start_ns = 1'526'347'800'000'000'000;  // 2018-05-15 09:30 CST
    c.console = true;
    c.console_port = 0;
    c.console_web_dir = (dir_ / "web").string();
    c.members = {MemberSeed{2, "MEMBER2", "member2", "member2-pass", false, {1002}},
                 MemberSeed{3, "MEMBER3", "member3", "member3-pass", false, {1003}}};
    return c;
  }
  int op(const std::string& verb, const json& in, json* body = nullptr) {
    const auto r = testing::operator_call(server_->operator_port(), kToken, verb, in.dump());
    if (body != nullptr) *body = json::parse(r.second);
    return r.first;
  }
  // Firms GDALU01 (account 1002, member 2) and GDALU02 (1003, member 3), the retirement account
  // of 2017, their 2017 allocation, verified emissions of 2016 (the offset cap's basis: 10% of
  // 1,000,000 t) and 2017, and 150,000 t of the Guangdong wind CCER for GDALU01.
  void setup_market() {
    for (const auto& [id, kind, member] : std::vector<std::tuple<int, std::string, int>>{
             {1002, "control_emission_firm", 2}, {1003, "control_emission_firm", 3}}) {
      ASSERT_EQ(op("account.open", {{"id", id}, {"kind", kind}, {"member", member}}), 200);
    }
    ASSERT_EQ(op("account.open", {{"id", 9017}, {"kind", "retirement"}, {"compliance_year", 2017}}),
              200);
    ASSERT_EQ(op("firm.register",
                 {{"firm", "GDALU01"}, {"account", 1002}, {"member", 2}, {"region", "guangdong"}}),
              200);
    ASSERT_EQ(op("firm.register",
                 {{"firm", "GDALU02"}, {"account", 1003}, {"member", 3}, {"region", "guangdong"}}),
              200);
    json r;
    ASSERT_EQ(op("emissions.load",
                 {{"rows",
                   {{{"firm", "GDALU01"}, {"year", 2016}, {"emissions_t", 1'000'000}},
                    {{"firm", "GDALU01"}, {"year", 2017}, {"emissions_t", 1'200'000}},
                    {{"firm", "GDALU02"}, {"year", 2017}, {"emissions_t", 800'000}}}}},
                 &r),
              200)
        << r.dump();
    ASSERT_EQ(op("units.issue", {{"transfer_id", 11},
                                 {"account", 1002},
                                 {"symbol", "GDEA2017"},
                                 {"quantity_t", 500'000}}),
              200);
    ASSERT_EQ(op("units.issue", {{"transfer_id", 12},
                                 {"account", 1002},
                                 {"symbol", "CCER-GDWIND01"},
                                 {"quantity_t", 150'000}}),
              200);
    ASSERT_EQ(
        op("units.issue",
           {{"transfer_id", 13}, {"account", 1003}, {"symbol", "GDEA2017"}, {"quantity_t", 7'000}}),
        200);
  }
  std::vector<std::string> audit_lines() {
    std::ifstream in(audit_path(config().data_dir));
    std::vector<std::string> lines;
    for (std::string l; std::getline(in, l);)
      lines.push_back(l);
    return lines;
  }
  bool audited(const std::string& a, const std::string& b) {
    for (const std::string& l : audit_lines()) {
      if (l.find(a) != std::string::npos && l.find(b) != std::string::npos) return true;
    }
    return false;
  }

  fs::path dir_;
  std::unique_ptr<Server> server_;
  std::string f1_secret_;
  std::string op1_secret_;
};

TEST_F(PortalServerTest, AFirmOfficerSeesItsOwnFirmOnlyAndIsRefusedAnythingElse) {
  Browser f1(server_->console_port());
  ASSERT_EQ(f1.login("f1", "f1-portal-pass", f1_secret_).status, 200);
  const Answer o = f1.get("/api/portal/overview");
  ASSERT_EQ(o.status, 200) << o.text;
  EXPECT_EQ(o.body.at("firm"), "GDALU01");
  EXPECT_EQ(o.body.at("member"), 2);
  const json& c = o.body.at("compliance");
  EXPECT_EQ(c.at("year"), 2017);  // the year whose deadline (2018-06-20) is next
  EXPECT_EQ(c.at("obligation_t"), 1'200'000);
  EXPECT_EQ(c.at("deadline"), "2018-06-20");
  EXPECT_EQ(c.at("on_time"), true);
  EXPECT_EQ(c.at("offset_cap").at("cap_t"), "100000");
  EXPECT_EQ(c.at("offset_cap").at("room_t"), 100'000);
  EXPECT_EQ(c.at("in_region").at("min_share"), "0.7");
  std::map<std::string, std::int64_t> held;
  for (const json& h : o.body.at("holdings"))
    held[h.at("symbol")] = h.at("available");
  EXPECT_EQ(held["GDEA2017"], 500'000);
  EXPECT_EQ(held["CCER-GDWIND01"], 150'000);

  // Another firm's data through the verb table: 403, audited; an operator verb too.
  Answer a = f1.post("/api/verb/firm.overview", {{"firm_account", 1003}, {"year", 2017}});
  EXPECT_EQ(a.status, 403) << a.text;
  EXPECT_EQ(a.body.at("error"), "a firm_officer of account 1002 may not act for account 1003");
  EXPECT_TRUE(audited("\"action\":\"firm.overview\"", "\"outcome\":\"forbidden\""));
  a = f1.post("/api/verb/surrender", {{"firm_account", 1003},
                                      {"year", 2017},
                                      {"member", 3},
                                      {"legs", {{{"symbol", "GDEA2017"}, {"quantity_t", 1}}}}});
  EXPECT_EQ(a.status, 403) << a.text;
  a = f1.post("/api/verb/market.halt", json::object());
  EXPECT_EQ(a.status, 403);
  EXPECT_EQ(a.body.at("error"), "a firm_officer user may not call market.halt");
  EXPECT_TRUE(audited("\"action\":\"market.halt\"", "\"outcome\":\"forbidden\""));
  a = f1.post("/api/verb/query.balances", {{"account", 1003}});
  EXPECT_EQ(a.status, 403);
  // Its own firm through the verb table directly: allowed.
  a = f1.post("/api/verb/firm.overview", {{"firm_account", 1002}, {"year", 2017}});
  EXPECT_EQ(a.status, 200) << a.text;
  // GDALU02's units did not move; an operator has no portal.
  json b;
  ASSERT_EQ(op("query.balances", {{"account", 1003}}, &b), 200);
  EXPECT_NE(b.dump().find("7000"), std::string::npos) << b.dump();
  Browser op1(server_->console_port());
  ASSERT_EQ(op1.login("op1", "op1-portal-pass", op1_secret_).status, 200);
  a = op1.get("/api/portal/overview");
  EXPECT_EQ(a.status, 403);
  EXPECT_EQ(a.body.at("error"), "the firm portal is for a firm_officer, not a operator user");
}

TEST_F(PortalServerTest, ThePreviewIsTheRegistrarsDecisionAndTheCertificateHoldsTheSeq) {
  Browser f1(server_->console_port());
  ASSERT_EQ(f1.login("f1", "f1-portal-pass", f1_secret_).status, 200);
  // Over the offset cap (100,000 t): the preview refuses by the rule "offset cap" ...
  const json over{{"year", 2017},
                  {"legs", {{{"symbol", "CCER-GDWIND01"}, {"quantity_t", 120'000}}}}};
  const Answer p = f1.post("/api/portal/preview", over);
  ASSERT_EQ(p.status, 200) << p.text;
  EXPECT_EQ(p.body.at("accepted"), false);
  EXPECT_EQ(p.body.at("rule"), "offset cap");
  const std::string detail = p.body.at("detail");
  EXPECT_EQ(detail.rfind("offset cap exceeded: offsets 120000 t > 0.1 x ", 0), 0u) << detail;
  std::map<std::string, std::string> outcome;
  for (const json& c : p.body.at("checks"))
    outcome[c.at("rule")] = c.at("status");
  EXPECT_EQ(outcome["deadline"], "passed");
  EXPECT_EQ(outcome["vintage"], "passed");
  EXPECT_EQ(outcome["offset cap"], "refused");
  EXPECT_EQ(outcome["in-province share"], "not checked");
  EXPECT_EQ(outcome["holdings"], "not checked");
  // ... and the surrender, journaled, is refused with the very same decision.
  json st;
  ASSERT_EQ(op("query.status", json::object(), &st), 200);
  const std::uint64_t before = st.at("applied_seq");
  const Answer refused = f1.post("/api/portal/surrender", over);
  EXPECT_EQ(refused.status, 409) << refused.text;
  EXPECT_EQ(refused.body.at("detail"), detail);
  EXPECT_EQ(refused.body.at("rule"), "offset cap");
  const std::uint64_t refused_seq = refused.body.at("seq");
  EXPECT_EQ(refused_seq, before + 1);  // journaled, refused
  EXPECT_EQ(f1.get("/api/portal/certificate?seq=" + std::to_string(refused_seq)).status, 404);

  // Within the cap and the share: every rule passes, then the surrender and its certificate.
  const json within{{"year", 2017},
                    {"legs",
                     {{{"symbol", "GDEA2017"}, {"quantity_t", 200'000}},
                      {{"symbol", "CCER-GDWIND01"}, {"quantity_t", 90'000}}}}};
  const Answer ok = f1.post("/api/portal/preview", within);
  ASSERT_EQ(ok.status, 200) << ok.text;
  EXPECT_EQ(ok.body.at("accepted"), true) << ok.text;
  for (const json& c : ok.body.at("checks"))
    EXPECT_EQ(c.at("status"), "passed") << c.dump();
  const Answer done = f1.post("/api/portal/surrender", within);
  ASSERT_EQ(done.status, 200) << done.text;
  const std::uint64_t seq = done.body.at("seq");
  const json& cert = done.body.at("certificate");
  EXPECT_EQ(cert.at("seq"), seq);
  EXPECT_EQ(cert.at("firm"), "GDALU01");
  EXPECT_EQ(cert.at("firm_account"), 1002);
  EXPECT_EQ(cert.at("year"), 2017);
  EXPECT_EQ(cert.at("number"), ok.body.at("record").at("number"));
  EXPECT_EQ(cert.at("by"), "member 2");
  EXPECT_EQ(cert.at("total_t"), 290'000);
  ASSERT_EQ(cert.at("legs").size(), 2u);
  EXPECT_EQ(cert.at("legs").at(0).at("symbol"), "GDEA2017");
  EXPECT_EQ(cert.at("legs").at(0).at("quantity_t"), 200'000);
  EXPECT_EQ(cert.at("legs").at(1).at("symbol"), "CCER-GDWIND01");
  EXPECT_EQ(cert.at("legs").at(1).at("quantity_t"), 90'000);
  EXPECT_EQ(cert.at("journal_hash").get<std::string>().size(), 64u);
  const Answer again = f1.get("/api/portal/certificate?seq=" + std::to_string(seq));
  ASSERT_EQ(again.status, 200);
  EXPECT_EQ(again.body.at("certificate"), cert);
  // The registry agrees: compliance.status and the overview show the surrender.
  json cs;
  ASSERT_EQ(op("compliance.status", {{"year", 2017}}, &cs), 200);
  EXPECT_EQ(cs.at("status").at("firms").at(0).at("allowances_t"), 200'000);
  EXPECT_EQ(cs.at("status").at("firms").at(0).at("offsets_t"), 90'000);
  const Answer o = f1.get("/api/portal/overview?year=2017");
  EXPECT_EQ(o.body.at("compliance").at("offset_cap").at("room_t"), 10'000);
  EXPECT_EQ(o.body.at("surrenders").size(), 1u);
  // Now 20,000 t more CCER is over the cap: refused again, by name.
  const Answer more =
      f1.post("/api/portal/surrender",
              {{"year", 2017}, {"legs", {{{"symbol", "CCER-GDWIND01"}, {"quantity_t", 20'000}}}}});
  EXPECT_EQ(more.status, 409);
  EXPECT_EQ(more.body.at("rule"), "offset cap");
  EXPECT_TRUE(audited("\"action\":\"surrender\"", "\"outcome\":\"ok\""));

  // The statement: a CSV download of the firm's movements, the surrender's two legs in it.
  const Answer csv = f1.get("/api/portal/statement.csv?from=2018-05-01&to=2018-05-31");
  ASSERT_EQ(csv.status, 200) << csv.text;
  EXPECT_EQ(csv.content_type, "text/csv; charset=utf-8");
  EXPECT_EQ(csv.disposition, "attachment; filename=\"statement-1002-2018-05-01-2018-05-31.csv\"");
  EXPECT_EQ(csv.text.rfind("seq,time,kind,symbol,direction,amount,", 0), 0u);
  EXPECT_NE(csv.text.find(std::to_string(seq) + ",2018-05-15 "), std::string::npos) << csv.text;
  EXPECT_NE(csv.text.find(",surrender,GDEA2017,out,200000,t,9017,2017,"), std::string::npos)
      << csv.text;
  EXPECT_NE(csv.text.find(",surrender,CCER-GDWIND01,out,90000,t,9017,2017,"), std::string::npos);
  EXPECT_NE(csv.text.find(",issuance,GDEA2017,in,500000,t,9002,"), std::string::npos);
  const Answer empty = f1.get("/api/portal/statement.csv?from=2018-06-01&to=2018-06-30");
  EXPECT_EQ(empty.text.find('\n'), empty.text.size() - 1);  // the header only
  EXPECT_EQ(f1.get("/api/portal/statement.csv?from=2018-06-01&to=2018-05-01").status, 400);
}

}  // namespace
}  // namespace carbonx::gateway::console
