// The live backup (a consistent copy while the store is open by its writer) and the operator API
// client against a small loopback HTTP server: bearer token, verb path, replies and errors.
#include <gtest/gtest.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <filesystem>
#include <thread>

#include "carbonx/registry/ledger.hpp"
#include "carbonx/registry/store.hpp"
#include "carbonx/tools/backup.hpp"
#include "carbonx/tools/operator_client.hpp"
#include "carbonx/tools/store_adapter.hpp"

namespace carbonx::tools {
namespace {

namespace fs = std::filesystem;

TEST(Backup, CopiesALiveStoreConsistently) {
  const fs::path dir = fs::temp_directory_path() / ("cx_tools_bk_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  auto store = registry::Store::open((dir / "store").string());
  ASSERT_TRUE(store.ok());
  registry::Ledger ledger;
  ASSERT_TRUE(store.value()->load(ledger).ok());
  registry::Account a;
  a.id = AccountId(7);
  a.kind = registry::AccountKind::kIndividual;
  ASSERT_TRUE(ledger.open_account(a).ok());
  registry::Batch b;
  ASSERT_TRUE(store.value()->commit_batch(b, ledger).ok());
  // The writer still holds the store: the backup reads it through a read-only environment.
  const auto copy = backup_store((dir / "store").string(), (dir / "copy").string());
  ASSERT_TRUE(copy.ok()) << copy.error();
  EXPECT_GT(copy.value().bytes, 0u);
  const auto again = backup_store((dir / "store").string(), (dir / "copy").string());
  ASSERT_FALSE(again.ok());
  EXPECT_NE(again.error().find("exists and is not empty"), std::string::npos);
  store.value().reset();
  const auto snap = read_store((dir / "copy").string());
  ASSERT_TRUE(snap.ok()) << snap.error().message;
  ASSERT_EQ(snap.value().accounts.size(), 1u);
  EXPECT_EQ(snap.value().accounts[0].id, AccountId(7));
  EXPECT_FALSE(backup_store((dir / "none").string(), (dir / "x").string()).ok());
  fs::remove_all(dir);
}

// Serves `n` requests: echoes the verb and whether the token was right.
void serve(boost::asio::ip::tcp::acceptor& acceptor, int n) {
  namespace http = boost::beast::http;
  for (int i = 0; i < n; ++i) {
    boost::asio::ip::tcp::socket s(acceptor.get_executor());
    acceptor.accept(s);
    boost::beast::flat_buffer buf;
    http::request<http::string_body> req;
    boost::beast::error_code ec;
    http::read(s, buf, req, ec);
    if (ec) {  // a connection probe (server_listening) closes without a request
      --i;
      continue;
    }
    http::response<http::string_body> res;
    const bool authorised = req[http::field::authorization] == "Bearer secret";
    const std::string target(req.target());
    if (!authorised) {
      res.result(http::status::unauthorized);
      res.body() = R"({"ok":false,"error":"bad token"})";
    } else if (target == "/v1/query.status") {
      res.result(http::status::ok);
      res.body() = R"({"ok":true,"echo":)" + req.body() + "}";
    } else if (target == "/v1/broken") {
      res.result(http::status::ok);
      res.body() = "not json";
    } else {
      res.result(http::status::not_found);
      res.body() = R"({"ok":false,"error":"unknown verb )" + target.substr(4) + "\"}";
    }
    res.prepare_payload();
    http::write(s, res);
  }
}

TEST(OperatorClient, VerbsTokenRepliesAndErrors) {
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor acceptor(
      io, boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
  const std::uint16_t port = acceptor.local_endpoint().port();
  std::thread server([&] { serve(acceptor, 4); });
  EXPECT_TRUE(server_listening("127.0.0.1", port, std::chrono::milliseconds(500)));
  HttpTarget t;
  t.port = port;
  t.token = "secret";
  auto ch = make_http_channel(t);
  const auto ok = ch->call("query.status", R"({"a":1})");
  ASSERT_TRUE(ok.ok());
  EXPECT_TRUE(ok.value().ok());
  EXPECT_NE(ok.value().body.find(R"("echo":{"a":1})"), std::string::npos);
  const auto unknown = ch->call("auction.open", "{}");
  ASSERT_TRUE(unknown.ok());
  EXPECT_FALSE(unknown.value().ok());
  EXPECT_EQ(unknown.value().error(), "unknown verb auction.open");
  const auto broken = ch->call("broken", "{}");
  ASSERT_FALSE(broken.ok());
  EXPECT_EQ(broken.error().code, ChannelError::kProtocol);
  t.token = "wrong";
  const auto refused = make_http_channel(t)->call("query.status", "{}");
  ASSERT_TRUE(refused.ok());
  EXPECT_EQ(refused.value().http_status, 401u);
  EXPECT_EQ(refused.value().error(), "bad token");
  server.join();
  acceptor.close();
  const auto none = make_http_channel(t)->call("query.status", "{}");
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().code, ChannelError::kConnect);
  EXPECT_FALSE(server_listening("127.0.0.1", port, std::chrono::milliseconds(200)));
}

}  // namespace
}  // namespace carbonx::tools
