#pragma once
// A real carbonxd child process for the off-book integration tests: a temp data directory, the
// sample instruments, members MEMBER1 (account 1001) and MEMBER2 (1002, 1003), the operator API
// on loopback; start() / restart after kill. Helpers: call(), ok(), balance(), seed().
// The server runs on a simulated exchange clock (clock_start_, default Monday 5 June 2017 10:00
// China time), so a test never depends on the wall-clock date (nor straddles China midnight);
// a derived fixture may change clock_start_ or turn the calendar on before SetUp().
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>

#include "carbonx/gateway/operator_token.hpp"
#include "carbonxd_child.hpp"
#include "test_client.hpp"

namespace carbonx::gateway::testing {

namespace fs = std::filesystem;
using json = nlohmann::json;
constexpr const char* kToken = "offbook-test-token";

using Child = CarbonxdChild;

class OffBookServer : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("cx_offbook_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    fix_port_ = free_port();
    op_port_ = free_port();
    std::ofstream cfg(dir_ / "carbonxd.toml");
    cfg << "[server]\npassword_hash = \"minimum\"\ndata_dir = \"" << (dir_ / "data").string()
        << "\"\nfix_bind = \"127.0.0.1\"\nfix_port = " << fix_port_
        << "\noperator_port = " << op_port_
        << "\ndurability = \"full_sync\"\nfix_store = \"file\"\ninstruments = \""
        << CARBONX_GATEWAY_CONFIG_DIR << "/instruments.toml\"\nclock_start = \"" << clock_start_
        << "\"\n[schedule]\nenabled = " << (calendar_ ? "true" : "false") << "\n"
        << "[[member]]\nid = 1\ncomp_id = \"MEMBER1\"\nusername = \"member1\"\npassword = "
        << "\"member1-pass\"\naccounts = [1001]\n"
        << "[[member]]\nid = 2\ncomp_id = \"MEMBER2\"\nusername = \"member2\"\npassword = "
        << "\"member2-pass\"\naccounts = [1002, 1003]\n";
    cfg.close();
    ASSERT_EQ(testing::init_exchange(dir_ / "carbonxd.toml", dir_ / "carbonxd.log"), 0);
    if (!write_operator_token((dir_ / "data").string(), kToken).ok()) std::abort();
    start();
  }
  void TearDown() override {
    child_.reset();
    fs::remove_all(dir_);
  }
  void start() {
    child_ = std::make_unique<Child>(dir_ / "carbonxd.toml", dir_ / "carbonxd.log");
    ASSERT_TRUE(wait_for_port(op_port_));
  }
  std::pair<int, json> call(const std::string& verb, const std::string& body) {
    const auto [status, text] = operator_call(op_port_, kToken, verb, body);
    return {status, json::parse(text)};
  }
  json ok(const std::string& verb, const std::string& body) {
    auto [status, j] = call(verb, body);
    EXPECT_EQ(status, 200) << verb << " " << body << " -> " << j.dump();
    return j;
  }
  // available + frozen of `asset` ("CNY" or a symbol).
  std::pair<std::int64_t, std::int64_t> balance(int account, const std::string& asset) {
    const json b = ok("query.balances", "{\"account\":" + std::to_string(account) + "}");
    for (const auto& row : b.at("balances")) {
      if (row.at("asset") == asset) {
        return {row.at("available").get<std::int64_t>(), row.at("frozen").get<std::int64_t>()};
      }
    }
    return {0, 0};
  }
  void seed() {
    ok("account.open", R"({"id":1001,"kind":"investment_institution","member":1})");
    ok("account.open", R"({"id":1002,"kind":"control_emission_firm","member":2})");
    ok("account.open", R"({"id":1003,"kind":"control_emission_firm","member":2})");
    ok("cash.deposit", R"({"transfer_id":1,"account":1001,"amount_fen":10000000000})");
    ok("cash.deposit", R"({"transfer_id":4,"account":1002,"amount_fen":10000000})");
    ok("units.issue",
       R"({"transfer_id":2,"account":1002,"symbol":"GDEA2017","quantity_t":300000})");
    ok("units.issue",
       R"({"transfer_id":3,"account":1003,"symbol":"GDEA2017","quantity_t":100000})");
    ok("market.open", "{}");
  }

  std::string clock_start_ = "2017-06-05T10:00:00+08:00";
  bool calendar_ = false;
  fs::path dir_;
  std::uint16_t fix_port_ = 0;
  std::uint16_t op_port_ = 0;
  std::unique_ptr<Child> child_;
};

}  // namespace carbonx::gateway::testing
