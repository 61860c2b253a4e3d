// The operator API's token (issue 14): no default; generated with the exchange (or at the first
// start of an older one) into <data_dir>/operator.token (mode 0600), read from there by cxctl,
// rotated by `cxctl token rotate` (the running server refuses the old token at once), and a token
// file others can read is refused. carbonxd and cxctl as child processes, loopback only.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "carbonx/gateway/config.hpp"
#include "carbonx/gateway/operator_token.hpp"
#include "carbonxd_child.hpp"
#include "test_client.hpp"
#include "test_process.hpp"

namespace carbonx::gateway {
namespace {

namespace fs = std::filesystem;
using testing::operator_call;

using ProcessResult = testing::CommandRun;
using testing::run_shell;

std::string read_text(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class OperatorToken : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::fresh_test_dir("cx_token");
    op_port_ = testing::free_port();
    std::ofstream cfg(config());
    cfg << "[server]\npassword_hash = \"minimum\"\ndata_dir = \"" << data().string()
        << "\"\nfix_bind = \"127.0.0.1\"\n"
        << "fix_port = " << testing::free_port() << "\noperator_port = " << op_port_
        << "\ndurability = \"no_sync\"\ninstruments = \"" << CARBONX_GATEWAY_CONFIG_DIR
        << "/instruments.toml\"\n[schedule]\nenabled = false\n";
    cfg.close();
    ASSERT_EQ(testing::init_exchange(config(), dir_ / "carbonxd.log"), 0);
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path config() const { return dir_ / "carbonxd.toml"; }
  fs::path data() const { return dir_ / "data"; }
  fs::path token_file() const { return data() / "operator.token"; }
  std::string cxctl(const std::string& args) const {
    return "CARBONX_CONFIG='" + config().string() + "' '" + CXCTL_PATH + "' " + args;
  }
  int status_with(const std::string& token) const {
    return operator_call(op_port_, token, "query.status", "{}").first;
  }

  fs::path dir_;
  std::uint16_t op_port_ = 0;
};

// `carbonxd --init` writes a random token, 0600, and only that token opens the API; cxctl finds
// it in the data directory without being told. An exchange made before tokens gets one at its
// next start.
TEST_F(OperatorToken, MadeWithTheExchangeReadByCxctlNoDefault) {
  ASSERT_TRUE(fs::exists(token_file())) << read_text(dir_ / "carbonxd.log");
  const std::string made = read_operator_token_file(token_file().string()).value();
  fs::remove(token_file());  // as in an exchange created before operator tokens
  testing::CarbonxdChild child(config(), dir_ / "carbonxd.log");
  ASSERT_TRUE(testing::wait_for_port(op_port_));
  struct stat st {};
  ASSERT_EQ(::stat(token_file().c_str(), &st), 0) << read_text(dir_ / "carbonxd.log");
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  const auto token = read_operator_token_file(token_file().string());
  ASSERT_TRUE(token.ok()) << token.error().message;
  EXPECT_EQ(token.value().size(), 64u);
  EXPECT_EQ(token.value().find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_EQ(status_with(token.value()), 200);
  for (const char* wrong : {"carbonx-dev-token", "", "x"})
    EXPECT_EQ(status_with(wrong), 401);
  EXPECT_EQ(status_with(token.value().substr(0, 63)), 401);
  EXPECT_NE(token.value(), made);
  EXPECT_EQ(status_with(made), 401);
  const ProcessResult r = run_shell(cxctl("--mode server status"));
  EXPECT_EQ(r.exit_code, 0) << r.output;
  // Another data directory gets another token.
  EXPECT_TRUE(load_or_create_operator_token((dir_ / "other").string()).ok());
  EXPECT_NE(read_operator_token_file((dir_ / "other" / "operator.token").string()).value(),
            token.value());
  // The token is no configuration key any more: a file with one is refused, naming it.
  const auto c = parse_server_config("[server]\noperator_token = \"carbonx-dev-token\"\n", "/");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.error().message.find("server.operator_token"), std::string::npos);
  EXPECT_NE(c.error().message.find("operator.token"), std::string::npos) << c.error().message;
}

// `cxctl token rotate` with the server running: the old token is refused at the next request,
// the new one works, and cxctl keeps working (it reads the file again). Offline too.
TEST_F(OperatorToken, RotationTakesEffectAtOnce) {
  testing::CarbonxdChild child(config(), dir_ / "carbonxd.log");
  ASSERT_TRUE(testing::wait_for_port(op_port_));
  const std::string before = read_operator_token_file(token_file().string()).value();
  ASSERT_EQ(status_with(before), 200);
  ProcessResult r = run_shell(cxctl("token rotate"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find(token_file().string()), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find(before), std::string::npos);  // never printed
  const std::string after = read_operator_token_file(token_file().string()).value();
  EXPECT_NE(after, before);
  EXPECT_EQ(r.output.find(after), std::string::npos);
  EXPECT_EQ(status_with(before), 401);
  EXPECT_EQ(status_with(after), 200);
  r = run_shell(cxctl("--mode server status"));
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(child.kill(SIGTERM), 0);
  r = run_shell(cxctl("token rotate"));  // no server: the next start uses the new one
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const std::string third = read_operator_token_file(token_file().string()).value();
  testing::CarbonxdChild again(config(), dir_ / "carbonxd.log");
  ASSERT_TRUE(testing::wait_for_port(op_port_));
  EXPECT_EQ(status_with(after), 401);
  EXPECT_EQ(status_with(third), 200);
}

// A token file others can read, or one that is not a token, is refused: carbonxd does not
// start, and cxctl says why, naming the file. A wrong token from cxctl's --token-file is 401.
TEST_F(OperatorToken, UnsafeOrMalformedTokenFilesAreRefused) {
  ASSERT_TRUE(write_operator_token(data().string(), "a-token-of-twenty-chars").ok());
  ASSERT_EQ(::chmod(token_file().c_str(), 0644), 0);
  ProcessResult r =
      run_shell(std::string("'") + CARBONXD_PATH + "' --config '" + config().string() + "'");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find(token_file().string()), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("0644"), std::string::npos) << r.output;
  r = run_shell(cxctl("--mode in-process status"));  // the same data directory, the same refusal
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find(token_file().string()), std::string::npos) << r.output;
  ASSERT_EQ(::chmod(token_file().c_str(), 0600), 0);
  std::ofstream(token_file(), std::ios::trunc) << "short\n";
  r = run_shell(std::string("'") + CARBONXD_PATH + "' --config '" + config().string() + "'");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("must hold one token"), std::string::npos) << r.output;
  // A good file again: the server starts; cxctl with another token file is refused (401).
  ASSERT_TRUE(write_operator_token(data().string(), "the-right-token-0123").ok());
  testing::CarbonxdChild child(config(), dir_ / "carbonxd.log");
  ASSERT_TRUE(testing::wait_for_port(op_port_));
  EXPECT_EQ(status_with("the-right-token-0123"), 200);
  ASSERT_TRUE(write_operator_token((dir_ / "elsewhere").string(), "a-wrong-token-0123456").ok());
  r = run_shell(cxctl("--mode server --token-file '" +
                      (dir_ / "elsewhere" / "operator.token").string() + "' status"));
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("bearer token"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace carbonx::gateway
