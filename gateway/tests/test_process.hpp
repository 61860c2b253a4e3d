#pragma once
// What the gateway's process-level tests share: running a shell command for its exit code and
// output, a scratch directory per test, and `cxctl journal verify` against a running server.

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <string>
#include <string_view>

#include <gtest/gtest.h>

namespace carbonx::gateway::testing {

struct CommandRun {
  int exit_code = -1;  // -1: could not be started, or ended by a signal
  std::string output;  // stdout and stderr, interleaved as written
};

// Runs `command` with /bin/sh, its stdin /dev/null, to its end.
inline CommandRun run_shell(const std::string& command) {
  CommandRun r;
  FILE* p = ::popen((command + " 2>&1 </dev/null").c_str(), "r");
  if (p == nullptr) return r;
  char buf[4096];
  while (const std::size_t n = std::fread(buf, 1, sizeof buf, p))
    r.output.append(buf, n);
  const int status = ::pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

// An empty directory for the running test: <tmp>/<prefix>_<pid>_<test name>, emptied first.
inline std::filesystem::path fresh_test_dir(std::string_view prefix) {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string name(prefix);
  name += "_" + std::to_string(::getpid());
  if (info != nullptr) name += std::string("_") + info->name();
  const std::filesystem::path dir = std::filesystem::temp_directory_path() / name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

// `cxctl --mode server journal verify` with `cxctl` against the server `config` names: true when
// it passed and the replay's core hash equals the server's (the chain, ledger and registrar
// checks make cxctl fail otherwise). `output` gets what it printed.
inline bool journal_verify_equal(const char* cxctl, const std::filesystem::path& config,
                                 std::string* output) {
  const CommandRun r = run_shell("CARBONX_CONFIG='" + config.string() + "' '" + cxctl +
                                 "' --mode server journal verify");
  *output += r.output;
  return r.exit_code == 0 && r.output.find("\ncore: replay ") != std::string::npos &&
         r.output.find(": equal\n") != std::string::npos;
}

}  // namespace carbonx::gateway::testing
