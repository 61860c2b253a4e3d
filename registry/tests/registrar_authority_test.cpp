// Member authority as registrar state (GrantAuthority / RevokeAuthority): granted and revoked
// only by journaled commands, refused with a named reason when it changes nothing, part of the
// state blob and its hash, restored exactly; a version 1 blob (before authority was journaled)
// restores with none.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "registrar_test_support.hpp"

namespace carbonx::registry {
namespace {

using namespace registrar_testing;  // NOLINT

class RegistrarAuthority : public ::testing::Test {
 protected:
  RegistrarAuthority() : ledger_(ledger_options()), registrar_(registrar_config(), ledger_) {}
  Status<RegistrarFailure> apply(const RegistryCommand& c) {
    return registrar_.apply(Seq(++seq_), utc(2017, 3, 1), c);
  }
  Ledger ledger_;
  Registrar registrar_;
  std::uint64_t seq_ = 0;
};

TEST_F(RegistrarAuthority, GrantAndRevokeChangeTheStateAndItsHash) {
  const Digest empty = registrar_.state_hash();
  const std::uint64_t v0 = registrar_.authority_version();
  ASSERT_TRUE(apply(GrantAuthority{MemberId(2), AccountId(1001)}).ok());
  ASSERT_TRUE(apply(GrantAuthority{MemberId(1), AccountId(1001)}).ok());
  ASSERT_TRUE(apply(GrantAuthority{MemberId(1), AccountId(1002)}).ok());
  EXPECT_NE(registrar_.authority_version(), v0);
  EXPECT_TRUE(registrar_.dirty());
  EXPECT_TRUE(registrar_.has_authority(MemberId(1), AccountId(1002)));
  EXPECT_FALSE(registrar_.has_authority(MemberId(2), AccountId(1002)));
  EXPECT_EQ(registrar_.members_of(AccountId(1001)),
            (std::vector<MemberId>{MemberId(1), MemberId(2)}));
  const Digest granted = registrar_.state_hash();
  EXPECT_NE(to_hex(granted), to_hex(empty));

  ASSERT_TRUE(apply(RevokeAuthority{MemberId(2), AccountId(1001)}).ok());
  EXPECT_FALSE(registrar_.has_authority(MemberId(2), AccountId(1001)));
  EXPECT_EQ(registrar_.members_of(AccountId(1001)), (std::vector<MemberId>{MemberId(1)}));
  EXPECT_NE(to_hex(registrar_.state_hash()), to_hex(granted));
  const Registrar::AuthorityPairs want = {{MemberId(1), AccountId(1001)},
                                          {MemberId(1), AccountId(1002)}};
  EXPECT_EQ(registrar_.authority(), want);
}

TEST_F(RegistrarAuthority, RefusalsNameTheReasonAndChangeNothing) {
  ASSERT_TRUE(apply(GrantAuthority{MemberId(1), AccountId(1001)}).ok());
  registrar_.mark_committed();
  const Digest before = registrar_.state_hash();
  const std::uint64_t version = registrar_.authority_version();
  auto held = apply(GrantAuthority{MemberId(1), AccountId(1001)});
  ASSERT_FALSE(held.ok());
  EXPECT_EQ(held.error().code, RegistrarError::kAuthorityHeld);
  auto none = apply(RevokeAuthority{MemberId(1), AccountId(1002)});
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().code, RegistrarError::kNoAuthority);
  EXPECT_EQ(none.error().detail, "member 1 account 1002");
  EXPECT_EQ(apply(GrantAuthority{MemberId(0), AccountId(1001)}).error().code,
            RegistrarError::kBadAuthority);
  EXPECT_EQ(apply(RevokeAuthority{MemberId(1), AccountId(0)}).error().code,
            RegistrarError::kBadAuthority);
  EXPECT_EQ(to_hex(registrar_.state_hash()), to_hex(before));
  EXPECT_EQ(registrar_.authority_version(), version);
  EXPECT_FALSE(registrar_.dirty());
}

TEST_F(RegistrarAuthority, TheBlobRestoresTheSameAuthority) {
  for (std::uint32_t m = 1; m <= 5; ++m) {
    for (std::uint32_t a = 1000; a < 1000 + m; ++a)
      ASSERT_TRUE(apply(GrantAuthority{MemberId(m), AccountId(a)}).ok());
  }
  const auto blob = registrar_.state_blob();
  Ledger other_ledger(ledger_options());
  Registrar other(registrar_config(), other_ledger);
  ASSERT_TRUE(other.restore(blob).ok());
  EXPECT_EQ(other.authority(), registrar_.authority());
  EXPECT_EQ(other.members_of(AccountId(1000)), registrar_.members_of(AccountId(1000)));
  EXPECT_EQ(to_hex(other.state_hash()), to_hex(registrar_.state_hash()));
  // An empty blob (a new exchange) has no authority.
  ASSERT_TRUE(other.restore({}).ok());
  EXPECT_TRUE(other.authority().empty());
}

TEST_F(RegistrarAuthority, AVersionOneBlobRestoresWithoutAuthority) {
  ASSERT_TRUE(apply(GrantAuthority{MemberId(1), AccountId(1001)}).ok());
  const auto blob = registrar_.state_blob();
  auto j = nlohmann::json::parse(blob.begin(), blob.end());
  ASSERT_EQ(j.at("version"), 2);
  j["version"] = 1;
  j.erase("authority");
  const std::string v1 = j.dump();
  Ledger other_ledger(ledger_options());
  Registrar other(registrar_config(), other_ledger);
  ASSERT_TRUE(
      other.restore(std::span(reinterpret_cast<const std::uint8_t*>(v1.data()), v1.size())).ok());
  EXPECT_TRUE(other.authority().empty());
  // Version 2 without its authority, or with a malformed pair, is refused.
  j["version"] = 2;
  const std::string missing = j.dump();
  EXPECT_EQ(
      other
          .restore(std::span(reinterpret_cast<const std::uint8_t*>(missing.data()), missing.size()))
          .error()
          .code,
      RegistrarError::kBadState);
  j["authority"] = nlohmann::json::array({nlohmann::json::array({1, 0})});
  const std::string zero = j.dump();
  EXPECT_EQ(
      other.restore(std::span(reinterpret_cast<const std::uint8_t*>(zero.data()), zero.size()))
          .error()
          .code,
      RegistrarError::kBadState);
}

}  // namespace
}  // namespace carbonx::registry
