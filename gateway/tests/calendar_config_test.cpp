// The trading calendar's arithmetic and the server configuration's parsing and refusals.
#include <gtest/gtest.h>

#include "carbonx/gateway/calendar.hpp"
#include "carbonx/gateway/config.hpp"

namespace carbonx::gateway {
namespace {

constexpr std::int64_t kMinute = 60'000'000'000;
// 2026-01-05 is a Monday; 00:00 UTC that day in ns since the epoch.
constexpr std::int64_t kMonday = 1767571200LL * 1'000'000'000;

std::int64_t cst(std::int64_t day_offset, int hh, int mm) {  // China Standard Time -> UTC ns
  return kMonday + day_offset * 24 * 60 * kMinute + (hh * 60 + mm - 480) * kMinute;
}

TEST(Calendar, StepsThroughTheDefaultChinaStandardTimeDay) {
  const ScheduleConfig s;
  auto step = next_calendar_step(s, cst(0, 8, 0));
  EXPECT_EQ(step.kind, CalendarEvent::Kind::kOpen);
  EXPECT_EQ(step.at_utc_ns, cst(0, 9, 30));
  step = next_calendar_step(s, cst(0, 9, 30));  // strictly after
  EXPECT_EQ(step.kind, CalendarEvent::Kind::kClose);
  EXPECT_EQ(step.at_utc_ns, cst(0, 11, 30));
  step = next_calendar_step(s, cst(0, 12, 0));
  EXPECT_EQ(step.kind, CalendarEvent::Kind::kOpen);
  EXPECT_EQ(step.at_utc_ns, cst(0, 13, 30));
  step = next_calendar_step(s, cst(0, 15, 30));
  EXPECT_EQ(step.kind, CalendarEvent::Kind::kEndOfDay);
  EXPECT_EQ(step.at_utc_ns, cst(0, 15, 45));
  step = next_calendar_step(s, cst(4, 16, 0));  // Friday evening -> Monday morning
  EXPECT_EQ(step.kind, CalendarEvent::Kind::kOpen);
  EXPECT_EQ(step.at_utc_ns, cst(7, 9, 30));
}

TEST(Calendar, KnowsWhenTheMarketIsOpen) {
  const ScheduleConfig s;
  EXPECT_FALSE(inside_trading_window(s, cst(0, 9, 29)));
  EXPECT_TRUE(inside_trading_window(s, cst(0, 9, 30)));
  EXPECT_TRUE(inside_trading_window(s, cst(0, 11, 29)));
  EXPECT_FALSE(inside_trading_window(s, cst(0, 11, 30)));
  EXPECT_TRUE(inside_trading_window(s, cst(0, 14, 0)));
  EXPECT_FALSE(inside_trading_window(s, cst(5, 10, 0)));  // Saturday
}

TEST(ServerConfig, DefaultsAndOverrides) {
  auto c = parse_server_config("", "/base");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c.value().data_dir, "/base/data");
  EXPECT_EQ(c.value().fix_port, 9878);
  EXPECT_EQ(c.value().durability, DurabilityMode::kFullSync);
  EXPECT_EQ(c.value().schedule.windows.size(), 2u);
  c = parse_server_config(R"(
[server]
data_dir = "/var/cx"
fix_port = 1234
durability = "no_meta_sync"
fix_store = "memory"
instruments = "ins.toml"
[schedule]
sessions = ["10:00-12:00"]
end_of_day = "12:30"
[[member]]
id = 3
comp_id = "M3"
username = "m3"
password = "secret-3"
accounts = [7, 8]
)",
                          "/etc/cx");
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c.value().data_dir, "/var/cx");
  EXPECT_EQ(c.value().fix_port, 1234);
  EXPECT_EQ(c.value().durability, DurabilityMode::kNoMetaSync);
  EXPECT_TRUE(c.value().fix_memory_store);
  EXPECT_EQ(c.value().instruments_path, "/etc/cx/ins.toml");
  ASSERT_EQ(c.value().schedule.windows.size(), 1u);
  EXPECT_EQ(c.value().schedule.windows[0].open_minute, 600);
  ASSERT_EQ(c.value().members.size(), 1u);
  EXPECT_EQ(c.value().members[0].accounts, (std::vector<std::uint32_t>{7, 8}));
}

TEST(ServerConfig, RefusalsNameTheKey) {
  struct Case {
    const char* toml;
    const char* key;
  };
  const Case cases[] = {
      {"[server]\nfix_port = 70000\n", "fix_port"},
      {"[server]\ndurability = \"sometimes\"\n", "durability"},
      {"[server]\nfix_store = \"cloud\"\n", "fix_store"},
      {"[server]\noperator_token = \"a-long-enough-token\"\n", "operator.token"},
      {"[schedule]\nsessions = [\"11:00-10:00\"]\n", "schedule.sessions"},
      {"[schedule]\nend_of_day = \"25:00\"\n", "schedule.end_of_day"},
      {"[[member]]\nid = 1\ncomp_id = \"X\"\nusername = \"x\"\npassword = \"123\"\n", "member"},
      {"not toml [", "TOML"},
  };
  for (const Case& k : cases) {
    const auto c = parse_server_config(k.toml, "/");
    ASSERT_FALSE(c.ok()) << k.toml;
    EXPECT_NE(c.error().message.find(k.key), std::string::npos) << c.error().message;
  }
  EXPECT_EQ(parse_hhmm("09:30"), 570);
  EXPECT_EQ(parse_hhmm("9:30"), -1);
  EXPECT_EQ(parse_hhmm("24:00"), -1);
}

}  // namespace
}  // namespace carbonx::gateway
