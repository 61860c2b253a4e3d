// The crash loop under ASan and UBSan (issue 14): CrashReplaceTest's loop
// (crash_replace_fixture.hpp says what each restart checks) over 50 SIGKILLs under cxload, with
// carbonxd and cxctl of the fuzz build, every library instrumented. Its own binary, run only by the
// ctest crash_replace_sanitized (gateway/CMakeLists.txt, after the fixture fuzz_build), which sets
// $CARBONX_TEST_CARBONXD and $CARBONX_TEST_CXCTL (the instrumented programs),
// $CARBONX_SANITIZER_LOG_DIR and the symbolizer. Every sanitizer report of carbonxd (--init, each
// run killed) and of cxctl (its exits: leaks checked too) goes to a file in that directory
// (log_path), the first error ends the process (halt_on_error), and the test fails on any file
// found there, printing it. This process and cxload are not instrumented.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>

#include "../crash_replace_fixture.hpp"

namespace carbonx::gateway {
namespace {

namespace fs = std::filesystem;
using crash_testing::CrashReplaceTest;
using crash_testing::Loop;

class SanitizedCrashReplaceTest : public CrashReplaceTest {
 protected:
  void SetUp() override {
    const char* logs = std::getenv("CARBONX_SANITIZER_LOG_DIR");
    ASSERT_TRUE(logs != nullptr && *logs != '\0')
        << "run by ctest crash_replace_sanitized, which names the report directory";
    logs_ = logs;
    for (const char* program : {testing::carbonxd_path(), testing::cxctl_path()}) {
      ASSERT_TRUE(instrumented(program)) << program << " is not built with AddressSanitizer";
    }
    fs::remove_all(logs_);
    fs::create_directories(logs_);
    // The children inherit these.
    std::string common = "halt_on_error=1:print_stacktrace=1:log_path=";
    common += (logs_ / "report").string();
    if (const char* sym = std::getenv("ASAN_SYMBOLIZER_PATH"); sym != nullptr && *sym != '\0') {
      common += ":external_symbolizer_path=";
      common += sym;
    }
    ::setenv("ASAN_OPTIONS", (common + ":detect_leaks=1").c_str(), 1);
    ::setenv("UBSAN_OPTIONS", common.c_str(), 1);
    port_tries_ = 2'400;  // an instrumented restart is slower: up to a minute
    CrashReplaceTest::SetUp();
  }
  void TearDown() override {
    child_.reset();  // SIGKILL: no report is being written
    if (!logs_.empty() && fs::exists(logs_)) {
      for (const auto& f : fs::directory_iterator(logs_)) {
        std::ifstream in(f.path());
        std::stringstream text;
        text << in.rdbuf();
        ADD_FAILURE() << "sanitizer report " << f.path().string() << ":\n" << text.str();
      }
    }
    ::unsetenv("ASAN_OPTIONS");
    ::unsetenv("UBSAN_OPTIONS");
    CrashReplaceTest::TearDown();
  }
  // An ASan build carries its runtime, which names itself in its reports.
  static bool instrumented(const char* program) {
    std::ifstream in(program, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    return bytes.find("AddressSanitizer") != std::string::npos;
  }

  fs::path logs_;
};

TEST_F(SanitizedCrashReplaceTest, FiftySigkillsUnderLoadWithoutASanitizerReport) {
  run(Loop{.kills = 50, .commands = 150, .rate = 1'000, .verify_every = 10});
}

}  // namespace
}  // namespace carbonx::gateway
