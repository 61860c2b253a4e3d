// The registry keys of carbonxd's configuration: jurisdictions, jurisdiction, allocation_tables.
#include <gtest/gtest.h>

#include "carbonx/gateway/config.hpp"
#include "carbonx/gateway/exchange_driver.hpp"

namespace carbonx::gateway {
namespace {

TEST(RegistryConfig, DefaultsPointAtTheSourceTreesRegistryData) {
  const auto c = parse_server_config("", "/etc/cx");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c.value().jurisdiction, "guangdong");
  EXPECT_NE(c.value().jurisdictions_path.find("registry/data/jurisdictions.csv"),
            std::string::npos);
  ASSERT_EQ(c.value().allocation_table_paths.size(), 2u);
  std::string error;
  const auto rc = make_registrar_config(c.value(), ExchangeConfig{}, &error);
  ASSERT_TRUE(rc.has_value()) << error;
  ASSERT_EQ(rc->tables.size(), 2u);
  EXPECT_EQ(rc->tables[0].table_id, "national-2017-draft");
  EXPECT_EQ(rc->government_account, AccountId(9002));
}

TEST(RegistryConfig, RelativePathsResolveAgainstTheConfigFileAndBadValuesNameTheKey) {
  const auto c = parse_server_config(
      "[server]\njurisdictions = \"j.csv\"\njurisdiction = \"hubei\"\n"
      "allocation_tables = [\"a.csv\", \"/abs/b.csv\"]\n",
      "/etc/cx");
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c.value().jurisdictions_path, "/etc/cx/j.csv");
  EXPECT_EQ(c.value().jurisdiction, "hubei");
  EXPECT_EQ(c.value().allocation_table_paths,
            (std::vector<std::string>{"/etc/cx/a.csv", "/abs/b.csv"}));
  const auto bad = parse_server_config("[server]\nallocation_tables = [1]\n", "/etc/cx");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("allocation_tables"), std::string::npos);
  const auto not_array = parse_server_config("[server]\nallocation_tables = \"x\"\n", "/");
  ASSERT_FALSE(not_array.ok());
  // Files that do not exist, or a profile the file lacks: the error names the file.
  std::string error;
  EXPECT_FALSE(make_registrar_config(c.value(), ExchangeConfig{}, &error).has_value());
  EXPECT_NE(error.find("/etc/cx/j.csv"), std::string::npos) << error;
  auto other = parse_server_config("[server]\njurisdiction = \"atlantis\"\n", "/");
  ASSERT_TRUE(other.ok());
  EXPECT_FALSE(make_registrar_config(other.value(), ExchangeConfig{}, &error).has_value());
  EXPECT_NE(error.find("atlantis"), std::string::npos) << error;
}

}  // namespace
}  // namespace carbonx::gateway
