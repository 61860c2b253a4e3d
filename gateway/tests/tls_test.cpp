// TLS for FIX and the operator API (tls.hpp, docs/tls.md): a real Server with fix_tls and
// operator_tls on, a throwaway self-signed certificate made at test time (tls_cert.hpp), members
// logging on and trading over TLS, a plaintext client on the TLS port refused while a TLS session
// keeps trading, the server's own closes ending with close_notify, and the real cxctl reading
// status over TLS with the certificate verified.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/beast/ssl.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "carbonx/gateway/clock.hpp"
#include "carbonx/gateway/config.hpp"
#include "carbonx/gateway/exchange_dir.hpp"
#include "carbonx/gateway/operator_token.hpp"
#include "carbonx/gateway/server.hpp"
#include "carbonx/gateway/tls.hpp"
#include "test_client.hpp"
#include "test_process.hpp"
#include "tls_cert.hpp"

namespace carbonx::gateway {
namespace {

namespace fs = std::filesystem;
namespace ssl = boost::asio::ssl;
using testing::FixClient;

constexpr const char* kToken = "tls-test-token-12345";

// The client side: the server's own certificate trusted, its name checked against 127.0.0.1.
std::unique_ptr<ssl::context> client_context(const fs::path& ca_file) {
  auto ctx = std::make_unique<ssl::context>(ssl::context::tls_client);
  ctx->load_verify_file(ca_file.string());
  ctx->set_verify_mode(ssl::verify_peer);
  ctx->set_verify_callback(ssl::host_name_verification("127.0.0.1"));
  return ctx;
}

// POST /v1/<verb> over TLS; (status, body).
std::pair<int, std::string> tls_operator_call(std::uint16_t port, ssl::context& ctx,
                                              const std::string& verb, const std::string& body) {
  namespace beast = boost::beast;
  namespace http = beast::http;
  boost::asio::io_context io;
  beast::ssl_stream<beast::tcp_stream> stream(io, ctx);
  beast::get_lowest_layer(stream).connect(
      boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port));
  stream.handshake(ssl::stream_base::client);
  http::request<http::string_body> req(http::verb::post, "/v1/" + verb, 11);
  req.set(http::field::host, "127.0.0.1");
  req.set(http::field::authorization, std::string("Bearer ") + kToken);
  req.set(http::field::content_type, "application/json");
  req.body() = body;
  req.prepare_payload();
  http::write(stream, req);
  beast::flat_buffer buffer;
  http::response<http::string_body> res;
  http::read(stream, buffer, res);
  return {static_cast<int>(res.result_int()), res.body()};
}

using testing::run_shell;

class TlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::fresh_test_dir("cx_tls");
    ASSERT_TRUE(testing::make_self_signed_certificate(cert().string(), key().string()));
    std::string error;
    ASSERT_TRUE(init_exchange(config(), &error)) << error;
    ASSERT_TRUE(write_operator_token(config().data_dir, kToken).ok());
    server_ = Server::create(config(), &error);
    ASSERT_NE(server_, nullptr) << error;
    ASSERT_TRUE(server_->start(&error)) << error;
    client_tls_ = client_context(cert());
    for (const auto& [verb, body] : std::vector<std::pair<std::string, std::string>>{
             {"account.open", R"({"id":1001,"kind":"investment_institution","member":1})"},
             {"account.open", R"({"id":1002,"kind":"control_emission_firm","member":2})"},
             {"cash.deposit", R"({"transfer_id":1,"account":1001,"amount_fen":100000000})"},
             {"units.issue",
              R"({"transfer_id":2,"account":1002,"symbol":"GDEA2017","quantity_t":10000})"},
             {"market.open", "{}"}}) {
      ASSERT_EQ(op(verb, body).first, 200) << verb;
    }
  }
  void TearDown() override {
    if (server_) server_->stop();
    server_.reset();
    fs::remove_all(dir_);
  }

  fs::path cert() const { return dir_ / "server.crt"; }
  fs::path key() const { return dir_ / "server.key"; }

  ServerConfig config() const {
    ServerConfig c;
    c.data_dir = (dir_ / "data").string();
    c.fix_bind = "127.0.0.1";
    c.fix_port = 0;
    c.operator_port = 0;
    c.fix_tls = true;
    c.operator_tls = true;
    c.tls_cert_path = cert().string();
    c.tls_key_path = key().string();
    c.durability = DurabilityMode::kNoSync;
    c.password_hash = PasswordHashCost::kMinimum;
    c.instruments_path = fs::path(CARBONX_GATEWAY_CONFIG_DIR) / "instruments.toml";
    c.schedule.enabled = false;
    c.clock_start_ns = parse_clock_time("2017-06-05T10:00:00+08:00");
    c.members = {MemberSeed{1, "MEMBER1", "member1", "member1-pass", true, {1001}},
                 MemberSeed{2, "MEMBER2", "member2", "member2-pass", false, {1002}}};
    return c;
  }

  std::pair<int, std::string> op(const std::string& verb, const std::string& body = "{}") {
    return tls_operator_call(server_->operator_port(), *client_tls_, verb, body);
  }

  std::unique_ptr<FixClient> connect_tls(const std::string& comp, const std::string& user,
                                         const std::string& pass) {
    auto c = std::make_unique<FixClient>(comp, server_->fix_port(), "", client_tls_.get());
    EXPECT_TRUE(c->logon(user, pass)) << comp;
    return c;
  }

  static wire::Fields order(const std::string& clid, const std::string& account,
                            const std::string& side, const std::string& qty,
                            const std::string& price) {
    return {{11, clid}, {1, account}, {55, "GDEA2017"}, {54, side}, {60, wire::utc_now_text()},
            {38, qty},  {40, "2"},    {44, price}};
  }

  // carbonxd.toml for cxctl: the running server's ports and TLS files.
  fs::path write_cxctl_config() const {
    const fs::path path = dir_ / "carbonxd.toml";
    std::ofstream f(path);
    f << "[server]\ndata_dir = \"" << config().data_dir
      << "\"\noperator_port = " << server_->operator_port()
      << "\nfix_port = " << server_->fix_port()
      << "\noperator_tls = true\nfix_tls = true\ntls_cert = \"" << cert().string()
      << "\"\ntls_key = \"" << key().string() << "\"\n";
    return path;
  }

  fs::path dir_;
  std::unique_ptr<Server> server_;
  std::unique_ptr<ssl::context> client_tls_;
};

std::string field(const std::optional<wire::Fields>& f, int tag) {
  if (!f) return "<no message>";
  return wire::get(*f, tag).value_or("<absent>");
}

TEST_F(TlsTest, MembersLogOnOverTlsAndTradeAnOrder) {
  auto buyer = connect_tls("MEMBER1", "member1", "member1-pass");
  auto seller = connect_tls("MEMBER2", "member2", "member2-pass");
  seller->send("D", order("S1", "1002", "2", "100", "14.20"));
  EXPECT_EQ(field(seller->expect("8"), 150), "0");
  buyer->send("D", order("B1", "1001", "1", "60", "14.25"));
  EXPECT_EQ(field(buyer->expect("8"), 150), "0");
  const auto fill = buyer->expect("8");
  EXPECT_EQ(field(fill, 150), "F");
  EXPECT_EQ(field(fill, 31), "14.20");
  EXPECT_EQ(field(fill, 32), "60");
  EXPECT_EQ(field(seller->expect("8"), 150), "F");
  const auto [status, body] = op("query.balances", R"({"account":1001})");
  EXPECT_EQ(status, 200) << body;
  EXPECT_EQ(server_->fix_listener_stats().tls_refused, 0u);
}

// A plaintext FIX client on the TLS port gets no session: its Logon is not answered and it is
// closed; a member trading over TLS at the same time is not disturbed, and the refusal is
// counted. A plaintext HTTP request to the TLS operator port gets no answer either.
TEST_F(TlsTest, APlaintextClientOnTheTlsPortIsRefusedOthersContinue) {
  auto seller = connect_tls("MEMBER2", "member2", "member2-pass");
  seller->send("D", order("S1", "1002", "2", "100", "14.20"));
  ASSERT_EQ(field(seller->expect("8"), 150), "0");

  FixClient plain("MEMBER1", server_->fix_port());
  plain.send("A", {{98, "0"}, {108, "30"}, {553, "member1"}, {554, "member1-pass"}});
  EXPECT_FALSE(plain.expect("A", 3000).has_value());
  EXPECT_TRUE(plain.closed()) << "the server closed the plaintext connection";
  EXPECT_EQ(server_->fix_listener_stats().tls_refused, 1u);

  seller->send("D", order("S2", "1002", "2", "50", "14.30"));
  EXPECT_EQ(field(seller->expect("8"), 150), "0") << "the TLS session goes on";
  auto buyer = connect_tls("MEMBER1", "member1", "member1-pass");
  buyer->send("D", order("B1", "1001", "1", "60", "14.25"));
  EXPECT_EQ(field(buyer->expect("8"), 150), "0");
  EXPECT_EQ(field(buyer->expect("8"), 150), "F");

  bool http_answered = true;
  try {
    testing::operator_call(server_->operator_port(), kToken, "query.status", "{}");
  } catch (const std::exception&) {
    http_answered = false;
  }
  EXPECT_FALSE(http_answered) << "plaintext HTTP on the TLS operator port";
  EXPECT_EQ(op("query.status").first, 200);
}

// The server's own close of a TLS session ends with close_notify, so the peer can tell the end
// from a cut connection (boost::asio::error::eof, not ssl::error::stream_truncated): a FIX session
// after its Logout, an operator connection after a reply to a request with Connection: close.
TEST_F(TlsTest, TheServerEndsTlsSessionsWithCloseNotify) {
  auto member = connect_tls("MEMBER2", "member2", "member2-pass");
  member->send("5", {{58, "done"}});
  EXPECT_TRUE(member->expect("5").has_value());
  EXPECT_FALSE(member->expect("0", 5000).has_value());
  ASSERT_TRUE(member->closed()) << "the server closes the session after the Logout";
  EXPECT_EQ(member->close_error(), boost::asio::error::eof) << member->close_error().message();

  namespace beast = boost::beast;
  namespace http = beast::http;
  boost::asio::io_context io;
  beast::ssl_stream<beast::tcp_stream> stream(io, *client_tls_);
  beast::get_lowest_layer(stream).connect(boost::asio::ip::tcp::endpoint(
      boost::asio::ip::make_address("127.0.0.1"), server_->operator_port()));
  stream.handshake(ssl::stream_base::client);
  http::request<http::string_body> req(http::verb::post, "/v1/query.status", 11);
  req.set(http::field::host, "127.0.0.1");
  req.set(http::field::authorization, std::string("Bearer ") + kToken);
  req.set(http::field::content_type, "application/json");
  req.keep_alive(false);
  req.body() = "{}";
  req.prepare_payload();
  http::write(stream, req);
  beast::flat_buffer buffer;
  http::response<http::string_body> res;
  http::read(stream, buffer, res);
  EXPECT_EQ(res.result_int(), 200u) << res.body();
  char byte = 0;
  boost::system::error_code ec;
  stream.read_some(boost::asio::buffer(&byte, 1), ec);
  EXPECT_EQ(ec, boost::asio::error::eof) << ec.message();
}

// cxctl reads operator_tls from carbonxd.toml and verifies the server against tls_cert (or
// --tls-ca): status over TLS; another certificate as the CA is refused before anything is sent.
TEST_F(TlsTest, CxctlStatusOverTlsVerifiesTheCertificate) {
  const fs::path cfg = write_cxctl_config();
  const std::string cxctl = std::string(CXCTL_PATH) + " --config " + cfg.string();
  testing::CommandRun r = run_shell(cxctl + " --mode server status");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("ledger_invariants_ok"), std::string::npos) << r.output;

  ASSERT_TRUE(testing::make_self_signed_certificate((dir_ / "other.crt").string(),
                                                    (dir_ / "other.key").string(), "other"));
  r = run_shell(cxctl + " --mode server --tls-ca " + (dir_ / "other.crt").string() + " status");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("TLS handshake failed"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("certificate verify failed"), std::string::npos) << r.output;
}

// The TLS keys in carbonxd.toml: read as paths relative to the file, and TLS without a
// certificate refused naming the key.
TEST(TlsConfig, KeysAreReadAndTlsNeedsACertificateAndKey) {
  auto c = parse_server_config(
      "[server]\nfix_tls = true\noperator_tls = false\ntls_cert = \"tls/s.crt\"\n"
      "tls_key = \"/etc/k.pem\"\n",
      "/srv/cx");
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_TRUE(c.value().fix_tls);
  EXPECT_FALSE(c.value().operator_tls);
  EXPECT_EQ(c.value().tls_cert_path, "/srv/cx/tls/s.crt");
  EXPECT_EQ(c.value().tls_key_path, "/etc/k.pem");
  const auto defaults = parse_server_config("[server]\n", "/srv/cx");
  ASSERT_TRUE(defaults.ok());
  EXPECT_FALSE(defaults.value().fix_tls) << "plaintext is the default";
  EXPECT_FALSE(defaults.value().operator_tls);
  const auto no_key = parse_server_config("[server]\noperator_tls = true\n", "/srv/cx");
  ASSERT_FALSE(no_key.ok());
  EXPECT_NE(no_key.error().message.find("operator_tls: TLS needs tls_cert and tls_key"),
            std::string::npos)
      << no_key.error().message;
  const auto typo = parse_server_config("[server]\nfix_tls = \"yes\"\n", "/srv/cx");
  ASSERT_FALSE(typo.ok());
  EXPECT_NE(typo.error().message.find("fix_tls: must be true or false"), std::string::npos);
}

// A certificate or key carbonxd cannot use refuses the start naming the file.
TEST(TlsContext, AnUnreadableCertificateOrAMismatchedKeyIsRefusedNamingTheFile) {
  const fs::path dir = fs::temp_directory_path() / ("cx_tls_ctx_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  ASSERT_TRUE(
      testing::make_self_signed_certificate((dir / "a.crt").string(), (dir / "a.key").string()));
  ASSERT_TRUE(
      testing::make_self_signed_certificate((dir / "b.crt").string(), (dir / "b.key").string()));
  std::string error;
  EXPECT_NE(make_server_tls_context((dir / "a.crt").string(), (dir / "a.key").string(), &error),
            nullptr)
      << error;
  EXPECT_EQ(make_server_tls_context((dir / "none.crt").string(), (dir / "a.key").string(), &error),
            nullptr);
  EXPECT_NE(error.find("tls_cert: cannot use " + (dir / "none.crt").string()), std::string::npos)
      << error;
  EXPECT_EQ(make_server_tls_context((dir / "a.crt").string(), (dir / "b.key").string(), &error),
            nullptr);
  EXPECT_NE(error.find("tls_key: cannot use " + (dir / "b.key").string() +
                       " as the PEM private key of " + (dir / "a.crt").string()),
            std::string::npos)
      << error;
  EXPECT_NE(error.find("key values mismatch"), std::string::npos) << error;
  fs::remove_all(dir);
}

}  // namespace
}  // namespace carbonx::gateway
