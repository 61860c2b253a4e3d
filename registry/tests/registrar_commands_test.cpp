// The registry command codec: every command round-trips; the record can never be taken for an
// engine record (or the other way round); random and mutated bytes decode to an error value or
// to a command that re-encodes to exactly the same bytes (fixed seeds).
#include <gtest/gtest.h>

#include <random>

#include "carbonx/engine/commands.hpp"
#include "carbonx/registry/registry_commands.hpp"

namespace carbonx::registry {
namespace {

std::vector<RegistryCommand> one_of_each() {
  Account a;
  a.id = AccountId(9017);
  a.kind = AccountKind::kRetirement;
  a.compliance_year = 2017;
  a.owner_entity = 77;
  a.member = MemberId(5);
  a.region_code = 440000;
  a.holding_limit_t = 1'000;
  return {OpenAccount{a},
          SetAccountStatus{AccountId(100), AccountStatus::kFrozen},
          SetHoldingLimit{AccountId(100), -1},
          Deposit{TransferId(7), AccountId(100), AmountFen(123'456), 9},
          Withdraw{TransferId(8), AccountId(100), AmountFen(1), 0},
          IssueUnits{TransferId(9), AccountId(101), AssetId(2001), 5'000, 3},
          RegisterFirm{"GDPWR01", AccountId(100), MemberId(3), "guangdong"},
          AllocationIssue{2017, "national-2017-draft", "firm,unit\nA,B\n"},
          AllocationTrueUp{2017, "national-2017-draft", ""},
          LoadVerifiedEmissions{{{"GDPWR01", 2017, 1'000'000}, {"GDALU01", 2016, 0}}},
          Surrender{AccountId(100), 2017, MemberId(0), {{AssetId(1), 10}, {AssetId(2001), 3}}},
          RecordExtension{AccountId(100), 2017, 20180720},
          RecordExemption{AccountId(100), 2017},
          SettleCompliance{2017},
          GrantAuthority{MemberId(3), AccountId(100)},
          RevokeAuthority{MemberId(4), AccountId(101)}};
}

TEST(RegistryCommands, EveryCommandRoundTrips) {
  const auto all = one_of_each();
  ASSERT_EQ(all.size(), std::variant_size_v<RegistryCommand>);
  for (const RegistryCommand& c : all) {
    const auto bytes = encode_registry_command(c);
    ASSERT_GE(bytes.size(), kRegistryRecordHeaderSize);
    EXPECT_EQ(bytes[0], kRegistryRecordMagic);
    EXPECT_EQ(bytes[2], static_cast<std::uint8_t>(type_of(c)));
    auto back = decode_registry_command(bytes);
    ASSERT_TRUE(back.ok()) << to_string(type_of(c)) << ": " << to_string(back.error());
    EXPECT_TRUE(back.value() == c) << to_string(type_of(c));
  }
}

TEST(RegistryCommands, NeverConfusedWithEngineRecords) {
  static_assert(kRegistryRecordMagic != kCommandSchemaVersion);
  for (const RegistryCommand& c : one_of_each()) {
    const auto bytes = encode_registry_command(c);
    EXPECT_FALSE(decode(bytes).ok());
    EXPECT_TRUE(is_registry_record(bytes));
  }
  const Command engine{Seq(1), TimestampNs(2), SetPhase{true, InstrumentId(0), Phase::kContinuous}};
  const CommandRecord rec = encode(engine);
  EXPECT_FALSE(is_registry_record(rec));
  auto r = decode_registry_command(rec);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), RegistryCodecError::kNotRegistryRecord);
}

TEST(RegistryCommands, EachHeaderFaultHasItsError) {
  auto bytes = encode_registry_command(SettleCompliance{2017});
  auto with = [&](std::size_t i, std::uint8_t v) {
    auto b = bytes;
    b[i] = v;
    return decode_registry_command(b);
  };
  EXPECT_EQ(with(1, 2).error(), RegistryCodecError::kSchemaVersion);
  EXPECT_EQ(with(2, 0).error(), RegistryCodecError::kUnknownType);
  EXPECT_EQ(with(2, 200).error(), RegistryCodecError::kUnknownType);
  EXPECT_EQ(with(3, 1).error(), RegistryCodecError::kBadHeader);
  EXPECT_EQ(with(4, 9).error(), RegistryCodecError::kBadLength);
  auto longer = bytes;
  longer.push_back(0);
  EXPECT_EQ(decode_registry_command(longer).error(), RegistryCodecError::kBadLength);
  longer[4] = static_cast<std::uint8_t>(longer[4] + 1);  // length agrees, a byte is left over
  EXPECT_EQ(decode_registry_command(longer).error(), RegistryCodecError::kTrailingBytes);
  EXPECT_EQ(decode_registry_command(std::span(bytes).first(5)).error(),
            RegistryCodecError::kBadHeader);
  EXPECT_EQ(decode_registry_command({}).error(), RegistryCodecError::kNotRegistryRecord);
  auto status = encode_registry_command(SetAccountStatus{AccountId(1), AccountStatus::kActive});
  status.back() = 9;
  EXPECT_EQ(decode_registry_command(status).error(), RegistryCodecError::kBadEnum);
  auto firm = encode_registry_command(RegisterFirm{"F", AccountId(1), MemberId(1), "r"});
  firm[8] = 200;  // the firm id's length, over kMaxFirmIdBytes
  EXPECT_EQ(decode_registry_command(firm).error(), RegistryCodecError::kTooLong);
  // Text that is not UTF-8 (journal_apply_fuzz's finding: the registrar's state, stored as JSON,
  // could not hold it): a lone continuation byte, an overlong '/', a surrogate, past U+10FFFF,
  // a truncated sequence. Well-formed multi-byte text decodes.
  for (const std::string bad :
       {"\xBA", "\xC0\xAF", "\xED\xA0\x80", "\xF4\x90\x80\x80", "a\xE5\xB9"}) {
    const auto record = encode_registry_command(RegisterFirm{bad, AccountId(1), MemberId(1), "r"});
    EXPECT_EQ(decode_registry_command(record).error(), RegistryCodecError::kBadText);
  }
  const auto chinese = encode_registry_command(
      RegisterFirm{"\xE5\xB9\xBF\xE4\xB8\x9C", AccountId(1), MemberId(1), "\xF0\x9F\x8C\x8D"});
  EXPECT_TRUE(decode_registry_command(chinese).ok());
}

TEST(RegistryCommands, LimitsAreCheckedBeforeEncoding) {
  for (const RegistryCommand& c : one_of_each())
    EXPECT_TRUE(check_registry_limits(c).ok()) << to_string(type_of(c));
  EXPECT_FALSE(check_registry_limits(RegisterFirm{std::string(kMaxFirmIdBytes + 1, 'F'),
                                                  AccountId(1), MemberId(1), ""})
                   .ok());
  EXPECT_FALSE(
      check_registry_limits(AllocationIssue{2017, "t", std::string(kMaxFacilityTextBytes + 1, 'x')})
          .ok());
  Surrender s;
  s.legs.resize(kMaxSurrenderLegsPerCommand + 1);
  EXPECT_EQ(check_registry_limits(s).error(), RegistryCodecError::kTooLong);
  // the largest facility text still fits one journal record
  const auto big = encode_registry_command(AllocationIssue{
      2017, std::string(kMaxTableIdBytes, 't'), std::string(kMaxFacilityTextBytes, 'x')});
  EXPECT_LE(big.size(), kMaxRegistryRecordBytes);
  EXPECT_TRUE(decode_registry_command(big).ok());
}

// Random bytes (with the magic, a schema and a type, so the bodies are exercised) and random
// mutations of valid records: never a crash; anything that decodes re-encodes to the same bytes.
TEST(RegistryCommands, RandomAndMutatedBytesDecodeSafely) {
  std::mt19937_64 rng(2017);
  const auto all = one_of_each();
  std::size_t decoded = 0, refused = 0;
  for (int i = 0; i < 200'000; ++i) {
    std::vector<std::uint8_t> b;
    if (i % 2 == 0) {
      b.resize(rng() % 80);
      for (auto& x : b)
        x = static_cast<std::uint8_t>(rng());
      if (b.size() >= 8) {
        b[0] = kRegistryRecordMagic;
        b[1] = kRegistryCommandSchema;
        b[2] = static_cast<std::uint8_t>(1 + rng() % 15);
        b[3] = 0;
        const auto n = static_cast<std::uint32_t>(b.size() - 8);
        for (int k = 0; k < 4; ++k)
          b[4 + k] = static_cast<std::uint8_t>(n >> (8 * k));
      }
    } else {
      b = encode_registry_command(all[rng() % all.size()]);
      const int flips = 1 + static_cast<int>(rng() % 3);
      for (int f = 0; f < flips; ++f)
        b[rng() % b.size()] ^= static_cast<std::uint8_t>(1 + rng() % 255);
    }
    auto r = decode_registry_command(b);
    if (r.ok()) {
      ++decoded;
      EXPECT_EQ(encode_registry_command(r.value()), b);
    } else {
      ++refused;
      EXPECT_FALSE(to_string(r.error()).empty());
    }
  }
  EXPECT_GT(decoded, 1'000u);  // the mutations do reach the bodies
  EXPECT_GT(refused, 1'000u);
}

}  // namespace
}  // namespace carbonx::registry
