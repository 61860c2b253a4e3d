// Member passwords (members.hpp, issue #14): stored as argon2id hashes (libsodium) at the
// configured cost; an entry of the old format (salted, iterated SHA-256) still verifies once and
// is replaced by an argon2id hash of the same password at that logon; a wrong password changes
// nothing; the cost is a configuration key.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "carbonx/gateway/config.hpp"
#include "carbonx/gateway/members.hpp"

namespace carbonx::gateway {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

class MemberPasswords : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("cx_members_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::unique_ptr<MemberDirectory> open(PasswordHashCost cost = PasswordHashCost::kMinimum) {
    std::string detail;
    auto d = MemberDirectory::open(dir_.string(), &detail, cost);
    EXPECT_TRUE(d.ok()) << detail;
    return d.ok() ? std::move(d).value() : nullptr;
  }
  json file() const {
    std::ifstream in(dir_ / "members.json");
    return json::parse(in);
  }
  // A members file as the versions before argon2id wrote it (SHA-256 entries).
  void write_legacy(int version) {
    const std::string salt = "0123456789abcdef0123456789abcdef";
    json m = {{"id", 1},
              {"comp_id", "MEMBER1"},
              {"username", "member1"},
              {"salt", salt},
              {"hash", legacy_hash_password(salt, "member1-pass")},
              {"cancel_on_disconnect", true}};
    m[version == 1 ? "accounts" : "grant_at_start"] = json::array();
    fs::create_directories(dir_);
    std::ofstream(dir_ / "members.json") << json{{"version", version}, {"members", {m}}};
  }
  fs::path dir_;
};

const MemberSeed kSeed{1, "MEMBER1", "member1", "member1-pass", true, {}};

TEST_F(MemberPasswords, NewHashesAreArgon2idAtTheConfiguredCost) {
  auto d = open(PasswordHashCost::kMinimum);
  ASSERT_TRUE(d->add(kSeed).ok());
  const std::string hash = d->by_id(1)->hash_hex;
  EXPECT_EQ(hash.rfind("$argon2id$v=19$m=8,t=1,p=1$", 0), 0u) << hash;
  EXPECT_TRUE(d->by_id(1)->salt_hex.empty());
  EXPECT_EQ(file()["members"][0]["hash"], hash);  // never the password
  EXPECT_EQ(file().dump().find("member1-pass"), std::string::npos);
  EXPECT_EQ(d->verify("MEMBER1", "member1", "member1-pass"), "");
  EXPECT_EQ(d->verify("MEMBER1", "member1", "member1-pasS"), "bad username or password");
  EXPECT_EQ(d->verify("MEMBER1", "member2", "member1-pass"), "bad username or password");
  EXPECT_EQ(d->by_id(1)->hash_hex, hash);  // a verified hash of this cost stays
  // The server's default: libsodium's INTERACTIVE preset (2 passes over 64 MiB).
  const std::string interactive =
      hash_password("member1-pass", PasswordCost::of(PasswordHashCost::kInteractive));
  EXPECT_EQ(interactive.rfind("$argon2id$v=19$m=65536,t=2,p=1$", 0), 0u) << interactive;
  // A new salt every time.
  EXPECT_NE(hash_password("member1-pass", PasswordCost::of(PasswordHashCost::kMinimum)),
            hash_password("member1-pass", PasswordCost::of(PasswordHashCost::kMinimum)));
}

TEST_F(MemberPasswords, ASha256EntryVerifiesOnceAndIsRehashedAtThatLogon) {
  for (const int version : {1, 2}) {
    write_legacy(version);
    auto d = open();
    const std::string legacy = d->by_id(1)->hash_hex;
    ASSERT_FALSE(is_argon2id(legacy));
    // A wrong password: refused, the entry stays as it was.
    EXPECT_EQ(d->verify("MEMBER1", "member1", "wrong-pass"), "bad username or password");
    EXPECT_EQ(d->by_id(1)->hash_hex, legacy);
    EXPECT_EQ(file()["members"][0]["hash"], legacy);
    const std::uint64_t version_before = d->version();
    // The right one: accepted and, at once, stored as argon2id (in memory and in the file).
    EXPECT_EQ(d->verify("MEMBER1", "member1", "member1-pass"), "");
    const std::string upgraded = d->by_id(1)->hash_hex;
    EXPECT_TRUE(is_argon2id(upgraded)) << upgraded;
    EXPECT_TRUE(d->by_id(1)->salt_hex.empty());
    EXPECT_EQ(d->version(), version_before);  // the same credentials: cached verdicts hold
    const json f = file();
    EXPECT_EQ(f["version"], 2);
    EXPECT_EQ(f["members"][0]["hash"], upgraded);
    EXPECT_EQ(f["members"][0]["salt"], "");
    // From then on the argon2id entry is what verifies, after a reopen too.
    auto again = open();
    EXPECT_EQ(again->by_id(1)->hash_hex, upgraded);
    EXPECT_EQ(again->verify("MEMBER1", "member1", "member1-pass"), "");
    EXPECT_EQ(again->verify("MEMBER1", "member1", "wrong-pass"), "bad username or password");
    EXPECT_EQ(again->by_id(1)->hash_hex, upgraded);
    fs::remove_all(dir_);
  }
}

TEST_F(MemberPasswords, AnEntryOfAnotherCostIsRehashedAtTheConfiguredOne) {
  {
    auto cheap = open(PasswordHashCost::kMinimum);
    ASSERT_TRUE(cheap->add(kSeed).ok());
  }
  auto d = open(PasswordHashCost::kInteractive);
  EXPECT_EQ(d->verify("MEMBER1", "member1", "member1-pass"), "");
  EXPECT_EQ(d->by_id(1)->hash_hex.rfind("$argon2id$v=19$m=65536,t=2,p=1$", 0), 0u);
}

TEST_F(MemberPasswords, SetPasswordReplacesTheEntry) {
  auto d = open();
  ASSERT_TRUE(d->add(kSeed).ok());
  ASSERT_TRUE(d->set_password(1, "another-pass").ok());
  EXPECT_EQ(d->verify("MEMBER1", "member1", "member1-pass"), "bad username or password");
  EXPECT_EQ(d->verify("MEMBER1", "member1", "another-pass"), "");
  EXPECT_EQ(d->set_password(1, "short").error(), MemberError::kInvalid);
  EXPECT_EQ(d->set_password(7, "another-pass").error(), MemberError::kUnknownMember);
}

TEST(PasswordHashConfig, TheCostIsAConfigurationKey) {
  const auto none = parse_server_config("[server]\n", "/");
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none.value().password_hash, PasswordHashCost::kInteractive);
  for (const auto& [text, want] : std::vector<std::pair<std::string, PasswordHashCost>>{
           {"interactive", PasswordHashCost::kInteractive},
           {"moderate", PasswordHashCost::kModerate},
           {"sensitive", PasswordHashCost::kSensitive},
           {"minimum", PasswordHashCost::kMinimum}}) {
    const auto c = parse_server_config("[server]\npassword_hash = \"" + text + "\"\n", "/");
    ASSERT_TRUE(c.ok()) << text;
    EXPECT_EQ(c.value().password_hash, want);
    EXPECT_EQ(to_string(want), text);
  }
  const auto bad = parse_server_config("[server]\npassword_hash = \"sha256\"\n", "/");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("password_hash"), std::string::npos) << bad.error().message;
}

}  // namespace
}  // namespace carbonx::gateway
