// SIGKILL loops under load with replaces: CrashReplaceTest (crash_replace_fixture.hpp says what
// each restart checks) with the carbonxd and cxctl built beside the tests.
#include <gtest/gtest.h>

#include "crash_replace_fixture.hpp"

namespace carbonx::gateway {
namespace {

using crash_testing::CrashReplaceTest;
using crash_testing::Loop;

TEST_F(CrashReplaceTest, SigkillLoopUnderLoadWithReplacesReplaysEqualAndLosesNothingTold) {
  run(Loop{.kills = 6, .commands = 1'500, .rate = 3'000, .verify_every = 1});
}

// Issue 14: at least 200 kills in CI, within a few minutes: short flows, a verify every 25th.
TEST_F(CrashReplaceTest, TwoHundredSigkillsUnderLoadLoseNothingToldAndReplayEqual) {
  run(Loop{.kills = 200, .commands = 150, .rate = 2'000, .verify_every = 25});
}

}  // namespace
}  // namespace carbonx::gateway
