// carbonxd's command line and configuration keys (issue 11): --help and --help-config exit 0 and
// name every option and every key; the key listing comes from the parser's own table (each
// listed key is read by the parser, its listed default is the parser's default, an unknown key
// is refused); a bad option or configuration exits non-zero with a message naming it.
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "carbonx/gateway/config.hpp"
#include "test_process.hpp"

namespace carbonx::gateway {
namespace {

using ProcessRun = gateway::testing::CommandRun;

ProcessRun carbonxd(const std::string& args) {
  return gateway::testing::run_shell(std::string(CARBONXD_PATH) + " " + args);
}

TEST(CarbonxdCommandLine, HelpExitsZeroAndNamesEveryOption) {
  const ProcessRun r = carbonxd("--help");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  for (const char* option :
       {"--config", "--help-config", "--check-config", "--help", "Exit codes"}) {
    EXPECT_NE(r.output.find(option), std::string::npos) << option << "\n" << r.output;
  }
}

TEST(CarbonxdCommandLine, HelpConfigExitsZeroAndListsEveryKeyWithTypeDefaultAndMeaning) {
  const ProcessRun r = carbonxd("--help-config");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.output, config_keys_help());
  for (const char* section : {"[server]", "[schedule]", "[[member]]"}) {
    EXPECT_NE(r.output.find(section), std::string::npos) << section;
  }
  const auto keys = config_keys();
  EXPECT_GE(keys.size(), 28u);
  for (const ConfigKeyInfo& k : keys) {
    EXPECT_FALSE(k.type.empty() || k.default_value.empty() || k.meaning.empty()) << k.name;
    const std::string line =
        "  " + k.name + " = " + k.default_value + "\n      " + k.type + ": " + k.meaning + "\n";
    EXPECT_NE(r.output.find(line), std::string::npos) << line;
  }
}

TEST(CarbonxdCommandLine, ABadOptionOrConfigurationExitsNonZeroWithAClearMessage) {
  ProcessRun r = carbonxd("--no-such-option");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("--no-such-option"), std::string::npos) << r.output;
  r = carbonxd("--config /no/such/file.toml");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("/no/such/file.toml"), std::string::npos) << r.output;
  r = carbonxd("--config");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("--config"), std::string::npos) << r.output;

  const auto dir =
      std::filesystem::temp_directory_path() / ("cx_cli_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto bad = dir / "bad.toml";
  std::ofstream(bad) << "[server]\nfix_prot = 9878\n";
  r = carbonxd("--check-config --config " + bad.string());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("server.fix_prot: unknown key"), std::string::npos) << r.output;
  r = carbonxd("--check-config --config " + std::string(CARBONX_GATEWAY_CONFIG_DIR) +
               "/carbonxd.toml");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("configuration OK"), std::string::npos) << r.output;
  std::filesystem::remove_all(dir);
}

// Every listed key is read by the parser: a value no key accepts (an inline table) is refused
// by that key's own reader, naming it, never as an unknown key.
TEST(ConfigKeys, EveryListedKeyIsReadByTheParser) {
  for (const ConfigKeyInfo& k : config_keys()) {
    const std::string head = k.section == "member" ? "[[member]]\n" : "[" + k.section + "]\n";
    const auto c = parse_server_config(head + k.name + " = { x = 1 }\n", "/base");
    ASSERT_FALSE(c.ok()) << k.section << "." << k.name;
    EXPECT_NE(c.error().message.find(k.name), std::string::npos) << c.error().message;
    EXPECT_EQ(c.error().message.find("unknown key"), std::string::npos) << c.error().message;
  }
  for (const char* toml : {"[server]\nfix_prot = 1\n", "[schedule]\nsession = []\n",
                           "[[member]]\nid = 1\ncompid = \"X\"\n", "[servers]\n"}) {
    const auto c = parse_server_config(toml, "/base");
    ASSERT_FALSE(c.ok()) << toml;
    EXPECT_NE(c.error().message.find("unknown"), std::string::npos) << c.error().message;
  }
}

// Strict types (#14): every key refuses a value of any other TOML type, naming the key — never
// read as its default, converted (1.5 -> 1, 1 -> true) or ignored. The key's listed type says
// which kind it takes; a valid member is the context of each [[member]] key.
TEST(ConfigKeys, EveryKeyRefusesEveryWrongTypeNamingIt) {
  struct Sample {
    const char* kind;  // what a key's listed type starts with to take it
    const char* toml;
  };
  const Sample samples[] = {
      {"string", "\"09:30-11:30\""}, {"integer", "7"},     {"", "1.5"},
      {"boolean", "true"},           {"array", "[\"x\"]"}, {"", "{ x = 1 }"},
      {"", "2017-05-08T09:30:00Z"},  {"array", "[1, 2]"},
  };
  const std::map<std::string, std::string> valid_member = {
      {"id", "1"},           {"comp_id", "\"X\""},
      {"username", "\"x\""}, {"password", "\"secret-1\""},
      {"accounts", "[7]"},   {"cancel_on_disconnect", "true"}};
  int refused = 0;
  for (const ConfigKeyInfo& k : config_keys()) {
    // Enumerations (full_sync | ...) and paths are strings too.
    const std::string kind = k.type.find(" | ") != std::string::npos ? "string" : k.type;
    for (const Sample& v : samples) {
      if (*v.kind != '\0' && kind.rfind(v.kind, 0) == 0) continue;  // the key's own type
      std::string toml;
      if (k.section == "member") {
        toml = "[[member]]\n";
        for (const auto& [name, value] : valid_member) {
          if (name != k.name) toml += name + " = " + value + "\n";
        }
      } else {
        toml = "[" + k.section + "]\n";
      }
      toml += k.name + " = " + v.toml + "\n";
      const auto c = parse_server_config(toml, "/base");
      ASSERT_FALSE(c.ok()) << k.section << "." << k.name << " accepted " << v.toml;
      EXPECT_NE(c.error().message.find(k.name), std::string::npos)
          << k.name << " = " << v.toml << ": " << c.error().message;
      ++refused;
    }
  }
  EXPECT_GT(refused, 100);
  // The case, with the message an operator can act on; and sections of the wrong shape.
  const auto s = parse_server_config("[schedule]\nsessions = \"09:30-11:30\"\n", "/base");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("schedule.sessions: must be an array"), std::string::npos)
      << s.error().message;
  for (const auto& [toml, want] : std::vector<std::pair<std::string, std::string>>{
           {"server = 5\n", "server: must be a table"},
           {"[[schedule]]\nenabled = true\n", "schedule: must be a table"},
           {"[member]\nid = 1\n", "member: must be an array of tables"}}) {
    const auto c = parse_server_config(toml, "/base");
    ASSERT_FALSE(c.ok()) << toml;
    EXPECT_NE(c.error().message.find(want), std::string::npos) << c.error().message;
  }
}

// The listed defaults are the parser's: a file setting every key to its listed default reads
// the same as an empty file.
TEST(ConfigKeys, ListedDefaultsAreTheParserDefaults) {
  std::string toml;
  std::string section;
  for (const ConfigKeyInfo& k : config_keys()) {
    if (k.section == "member" || k.default_value.front() == '(') continue;
    if (k.section != section) toml += "[" + (section = k.section) + "]\n";
    toml += k.name + " = " + k.default_value + "\n";
  }
  const auto listed = parse_server_config(toml, "/base");
  ASSERT_TRUE(listed.ok()) << listed.error().message << "\n" << toml;
  const auto empty = parse_server_config("", "/base");
  ASSERT_TRUE(empty.ok());
  const ServerConfig& a = listed.value();
  const ServerConfig& b = empty.value();
  EXPECT_EQ(a.data_dir, b.data_dir);
  EXPECT_EQ(a.fix_bind, b.fix_bind);
  EXPECT_EQ(a.fix_port, b.fix_port);
  EXPECT_EQ(a.operator_port, b.operator_port);
  EXPECT_EQ(a.durability, b.durability);
  EXPECT_EQ(a.fix_memory_store, b.fix_memory_store);
  EXPECT_EQ(a.max_batch, b.max_batch);
  EXPECT_EQ(a.queue_capacity, b.queue_capacity);
  EXPECT_EQ(a.throttle_msgs_per_s, b.throttle_msgs_per_s);
  EXPECT_EQ(a.max_sessions, b.max_sessions);
  EXPECT_EQ(a.fix_logon_timeout_ms, b.fix_logon_timeout_ms);
  EXPECT_EQ(a.fix_max_pending_logons, b.fix_max_pending_logons);
  EXPECT_EQ(a.fix_max_pending_per_address, b.fix_max_pending_per_address);
  EXPECT_EQ(a.cash_settlement_account, b.cash_settlement_account);
  EXPECT_EQ(a.issuance_account, b.issuance_account);
  EXPECT_EQ(a.jurisdictions_path, b.jurisdictions_path);
  EXPECT_EQ(a.jurisdiction, b.jurisdiction);
  EXPECT_EQ(a.allocation_table_paths, b.allocation_table_paths);
  EXPECT_EQ(a.schedule.utc_offset_minutes, b.schedule.utc_offset_minutes);
  ASSERT_EQ(a.schedule.windows.size(), b.schedule.windows.size());
  for (std::size_t i = 0; i < a.schedule.windows.size(); ++i) {
    EXPECT_EQ(a.schedule.windows[i].open_minute, b.schedule.windows[i].open_minute);
    EXPECT_EQ(a.schedule.windows[i].close_minute, b.schedule.windows[i].close_minute);
  }
  EXPECT_EQ(a.schedule.end_of_day_minute, b.schedule.end_of_day_minute);
  EXPECT_EQ(a.schedule.enabled, b.schedule.enabled);
}

}  // namespace
}  // namespace carbonx::gateway
