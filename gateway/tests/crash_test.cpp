// Crash test: carbonxd as a child process (full_sync, file session store) under order flow from
// two sessions is killed with SIGKILL, restarted on the same data directory, and everything a
// client was told must be there: every fill received is in the registry, every acknowledged order
// that was not reported finished is still open with at least the quantity reported filled, the
// ledger's invariants hold and the sequence continues.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <thread>

#include "carbonx/gateway/operator_token.hpp"
#include "carbonxd_child.hpp"
#include "test_client.hpp"

namespace carbonx::gateway {
namespace {

namespace fs = std::filesystem;
using testing::FixClient;
using testing::operator_call;
constexpr const char* kToken = "crash-test-token";

using Child = testing::CarbonxdChild;

// "S12" (appended rather than "S" + ...: GCC 12 warns falsely with -Wrestrict on that).
std::string tag(char prefix, int i) {
  std::string s(1, prefix);
  s += std::to_string(i);
  return s;
}

using testing::free_port;
using testing::wait_for_port;

nlohmann::json balances(std::uint16_t op_port, int account) {
  const auto [status, body] = operator_call(op_port, kToken, "query.balances",
                                            "{\"account\":" + std::to_string(account) + "}");
  EXPECT_EQ(status, 200) << body;
  return nlohmann::json::parse(body);
}

std::int64_t units(const nlohmann::json& b, const char* kind) {
  for (const auto& row : b.at("balances")) {
    if (row.at("asset") == "GDEA2017") return row.at(kind).get<std::int64_t>();
  }
  return 0;
}

TEST(CrashTest, SigkillUnderLoadLosesNothingAcknowledged) {
  const fs::path dir = fs::temp_directory_path() / ("cx_crash_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::uint16_t fix_port = free_port();
  const std::uint16_t op_port = free_port();
  {
    std::ofstream cfg(dir / "carbonxd.toml");
    cfg << "[server]\npassword_hash = \"minimum\"\ndata_dir = \"" << (dir / "data").string()
        << "\"\nfix_bind = \"127.0.0.1\"\n"
        << "fix_port = " << fix_port << "\noperator_port = " << op_port
        << "\ndurability = \"full_sync\"\nfix_store = \"file\"\ninstruments = \""
        << CARBONX_GATEWAY_CONFIG_DIR << "/instruments.toml\"\n[schedule]\nenabled = false\n"
        << "[[member]]\nid = 1\ncomp_id = \"MEMBER1\"\nusername = \"member1\"\npassword = "
        << "\"member1-pass\"\ncancel_on_disconnect = false\naccounts = [1001]\n"
        << "[[member]]\nid = 2\ncomp_id = \"MEMBER2\"\nusername = \"member2\"\npassword = "
        << "\"member2-pass\"\ncancel_on_disconnect = false\naccounts = [1002]\n";
  }
  ASSERT_EQ(testing::init_exchange(dir / "carbonxd.toml", dir / "carbonxd.log"), 0);
  ASSERT_TRUE(write_operator_token((dir / "data").string(), kToken).ok());
  auto child = std::make_unique<Child>(dir / "carbonxd.toml", dir / "carbonxd.log");
  ASSERT_TRUE(wait_for_port(op_port));
  for (const char* verb_body :
       {R"(account.open|{"id":1001,"kind":"investment_institution","member":1})",
        R"(account.open|{"id":1002,"kind":"control_emission_firm","member":2})",
        R"(cash.deposit|{"transfer_id":1,"account":1001,"amount_fen":10000000000})",
        R"(units.issue|{"transfer_id":2,"account":1002,"symbol":"GDEA2017","quantity_t":100000})",
        R"(market.open|{})"}) {
    const std::string s(verb_body);
    const auto bar = s.find('|');
    ASSERT_EQ(operator_call(op_port, kToken, s.substr(0, bar), s.substr(bar + 1)).first, 200);
  }
  // Flow: resting sells from MEMBER2, IOC buys from MEMBER1 that take them, without waiting.
  FixClient seller("MEMBER2", fix_port);
  FixClient buyer("MEMBER1", fix_port);
  ASSERT_TRUE(seller.logon("member2", "member2-pass"));
  ASSERT_TRUE(buyer.logon("member1", "member1-pass"));
  std::thread flow([&] {
    try {
      for (int i = 0; i < 4000; ++i) {
        seller.send("D", {{11, tag('S', i)},
                          {1, "1002"},
                          {55, "GDEA2017"},
                          {54, "2"},
                          {60, wire::utc_now_text()},
                          {38, "10"},
                          {40, "2"},
                          {44, "14.20"}});
        if (i % 2 == 1) {
          buyer.send("D", {{11, tag('B', i)},
                           {1, "1001"},
                           {55, "GDEA2017"},
                           {54, "1"},
                           {60, wire::utc_now_text()},
                           {38, "7"},
                           {40, "2"},
                           {44, "14.20"},
                           {59, "3"}});
        }
      }
    } catch (const std::exception&) {  // the server died under us: expected
    }
  });
  // Kill mid-flow: some orders are acknowledged, some committed but not yet reported, some lost
  // before their commit (never acknowledged, so losing them is allowed).
  // Wait for some progress (commands committed), however slow the machine, then kill.
  for (int i = 0; i < 400; ++i) {
    const auto st =
        nlohmann::json::parse(operator_call(op_port, kToken, "query.status", "{}").second);
    if (st.at("applied_seq").get<std::uint64_t>() >= 800) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  child->kill(SIGKILL);
  flow.join();
  std::map<std::string, std::int64_t> seller_cum;  // acked sell orders -> cum reported
  std::map<std::string, bool> seller_done;
  std::int64_t seller_filled = 0;
  std::int64_t buyer_filled = 0;
  while (auto m = seller.expect("8", 200)) {
    const std::string clid = wire::get(*m, 11).value_or("");
    const std::string et = wire::get(*m, 150).value_or("");
    if (et == "0") seller_cum.emplace(clid, 0);
    if (et == "F") {
      seller_filled += std::stoll(wire::get(*m, 32).value_or("0"));
      seller_cum[clid] = std::stoll(wire::get(*m, 14).value_or("0"));
      if (wire::get(*m, 39) == "2") seller_done[clid] = true;
    }
  }
  while (auto m = buyer.expect("8", 200)) {
    if (wire::get(*m, 150) == "F") buyer_filled += std::stoll(wire::get(*m, 32).value_or("0"));
  }
  ASSERT_GT(seller_cum.size(), 0u) << "the kill came before any acknowledgement; slow machine?";

  child = std::make_unique<Child>(dir / "carbonxd.toml", dir / "carbonxd.log");
  ASSERT_TRUE(wait_for_port(op_port));
  const auto sold = balances(op_port, 1002);
  const auto bought = balances(op_port, 1001);
  const std::int64_t seller_units = units(sold, "available") + units(sold, "frozen");
  const std::int64_t buyer_units = units(bought, "available") + units(bought, "frozen");
  EXPECT_GE(100000 - seller_units, seller_filled) << "a fill the seller was told about is lost";
  EXPECT_GE(buyer_units, buyer_filled) << "a fill the buyer was told about is lost";
  EXPECT_EQ(100000 - seller_units, buyer_units) << "units are conserved";
  std::printf(
      "crash test: %zu sell acks and %lld/%lld t of fills received before SIGKILL; "
      "after restart %lld t traded in the registry\n",
      seller_cum.size(), static_cast<long long>(seller_filled),
      static_cast<long long>(buyer_filled), static_cast<long long>(buyer_units));
  const auto st =
      nlohmann::json::parse(operator_call(op_port, kToken, "query.status", "{}").second);
  EXPECT_TRUE(st.at("ledger_invariants_ok").get<bool>()) << st.dump();
  // Every acknowledged sell order not reported filled is still open, with at least that cum.
  // (A fresh sequence: the server may not have seen every message the killed flow sent, and this
  // client does not answer ResendRequests with gap fills. Resend is tested in server_test.)
  FixClient again("MEMBER2", fix_port);
  ASSERT_TRUE(again.logon("member2", "member2-pass", /*reset=*/true));
  int checked = 0;
  int asked = 0;
  for (const auto& [clid, cum] : seller_cum) {
    if (seller_done.count(clid) != 0) continue;
    ++asked;
    again.send("H", {{11, clid}, {55, "GDEA2017"}, {54, "2"}});
    auto status = again.expect("8");
    ASSERT_TRUE(status.has_value()) << "no status for " << clid;
    if (wire::get(*status, 39) == "8") {
      // Not open any more: it must have filled completely after our last report (the fills
      // were committed but their reports had not reached us). The unit totals above cover it.
      continue;
    }
    EXPECT_GE(std::stoll(wire::get(*status, 14).value_or("-1")), cum) << clid;
    ++checked;
  }
  std::printf(
      "crash test: %d of %d acknowledged, unfinished orders still open after restart "
      "(the others filled after their last report)\n",
      checked, asked);
  // SIGTERM: a clean stop (drain, commit, exit 0).
  const std::string before = operator_call(op_port, kToken, "query.status", "{}").second;
  const int status = child->kill(SIGTERM);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  child = std::make_unique<Child>(dir / "carbonxd.toml", dir / "carbonxd.log");
  ASSERT_TRUE(wait_for_port(op_port));
  const std::string after = operator_call(op_port, kToken, "query.status", "{}").second;
  EXPECT_EQ(nlohmann::json::parse(before).at("core_state_hash"),
            nlohmann::json::parse(after).at("core_state_hash"));
  EXPECT_EQ(nlohmann::json::parse(before).at("applied_seq"),
            nlohmann::json::parse(after).at("applied_seq"));
  child.reset();
  fs::remove_all(dir);
}

}  // namespace
}  // namespace carbonx::gateway
