#pragma once
// Registry commands: the registry's state changes as journaled commands (docs/design.md: every
// state change is a journaled command applied on the core thread). They are journaled beside the
// engine's commands (carbonx::Command, engine/include/carbonx/engine/commands.hpp) in the same
// journal, and applied by the same JournalApplier (journal_applier.hpp) live and on replay.
//
// Each command carries its INPUT, never a computed result: an allocation issue carries the
// facility file text and the table id, and the allocation is recomputed on every apply, so a
// replay checks the computation as well as the postings. Time comes from the journal record
// (seq, ts), never from the command.
//
// Record format (variable length, little-endian, kRegistryRecordHeaderSize-byte header):
//   byte 0     kRegistryRecordMagic (0xC7): never kCommandSchemaVersion (1), so an engine record
//              (byte 0 = 1, exactly kCommandRecordSize bytes) and a registry record can never be
//              confused;
//   byte 1     kRegistryCommandSchema;
//   byte 2     RegistryCommandType;
//   byte 3     zero;
//   bytes 4..7 body length (u32), must equal the record size - 8;
//   body       the command's fields in declaration order: integers little-endian fixed width,
//              strings as u32 length + bytes, lists as u32 count + elements.
// decode_registry_command() checks every byte: magic, schema, type, reserved, lengths, every enum
// and limit, no trailing bytes; bad input is a RegistryCodecError, never undefined behaviour.
// decode(encode(c)) == c for every command within the limits below.
// Plain data and pure functions; thread-safe.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "carbonx/engine/ledger.hpp"
#include "carbonx/engine/result.hpp"
#include "carbonx/engine/units.hpp"
#include "carbonx/registry/account.hpp"

namespace carbonx::registry {

inline constexpr std::uint8_t kRegistryRecordMagic = 0xC7;
inline constexpr std::uint8_t kRegistryCommandSchema = 1;
inline constexpr std::size_t kRegistryRecordHeaderSize = 8;
// Limits (the journal's own payload limit, kJournalPayloadMax = 1 MiB, bounds the whole record).
inline constexpr std::size_t kMaxRegistryRecordBytes = std::size_t{1} << 20;
inline constexpr std::size_t kMaxFirmIdBytes = 32;
inline constexpr std::size_t kMaxRegionBytes = 64;
inline constexpr std::size_t kMaxTableIdBytes = 32;
inline constexpr std::size_t kMaxEmissionRows = 50'000;
inline constexpr std::size_t kMaxSurrenderLegsPerCommand = 16;
inline constexpr std::size_t kMaxFacilityTextBytes = kMaxRegistryRecordBytes - 64;

// True if `payload` starts like a registry command record (byte 0 = kRegistryRecordMagic).
inline bool is_registry_record(std::span<const std::uint8_t> payload) {
  return !payload.empty() && payload[0] == kRegistryRecordMagic;
}

enum class RegistryCommandType : std::uint8_t {
  kOpenAccount = 1,
  kSetAccountStatus = 2,
  kSetHoldingLimit = 3,
  kDeposit = 4,
  kWithdraw = 5,
  kIssueUnits = 6,
  kRegisterFirm = 7,
  kAllocationIssue = 8,
  kAllocationTrueUp = 9,
  kLoadVerifiedEmissions = 10,
  kSurrender = 11,
  kRecordExtension = 12,
  kRecordExemption = 13,
  kSettleCompliance = 14,
  kGrantAuthority = 15,
  kRevokeAuthority = 16,
};
std::string_view to_string(RegistryCommandType t) noexcept;

// Opens an account with every Account field (Ledger::open_account).
struct OpenAccount {
  Account account;
  friend bool operator==(const OpenAccount& a, const OpenAccount& b);
};
// Freezes, unfreezes or closes an account (Ledger::set_status).
struct SetAccountStatus {
  AccountId account{0};
  AccountStatus status = AccountStatus::kActive;
  friend bool operator==(const SetAccountStatus&, const SetAccountStatus&) = default;
};
// The account's own holding limit in tonnes; < 0 falls back to its kind's (Ledger).
struct SetHoldingLimit {
  AccountId account{0};
  std::int64_t limit_t = -1;
  friend bool operator==(const SetHoldingLimit&, const SetHoldingLimit&) = default;
};
// Cash in/out through the cash settlement account under the client's transfer id (idempotent).
struct Deposit {
  TransferId transfer{0};  // client id: top bit clear, not an allocation/compliance domain
  AccountId account{0};
  AmountFen amount_fen{0};
  std::uint64_t reference = 0;
  friend bool operator==(const Deposit&, const Deposit&) = default;
};
struct Withdraw {
  TransferId transfer{0};
  AccountId account{0};
  AmountFen amount_fen{0};
  std::uint64_t reference = 0;
  friend bool operator==(const Withdraw&, const Withdraw&) = default;
};
// Operator issuance of one instrument's units (tonnes) from the government issuance account.
struct IssueUnits {
  TransferId transfer{0};  // client id, as Deposit
  AccountId account{0};
  AssetId asset{0};
  std::int64_t quantity_t = 0;
  std::uint64_t reference = 0;
  friend bool operator==(const IssueUnits&, const IssueUnits&) = default;
};
// Registers a covered firm (its id in the facility and emissions files) on its registry account
// (kind kControlEmissionFirm), the member acting for it and its region (province).
struct RegisterFirm {
  std::string firm;
  AccountId account{0};
  MemberId member{0};
  std::string region;
  friend bool operator==(const RegisterFirm&, const RegisterFirm&) = default;
};
// Pre-allocation (AllocationIssue) or true-up (AllocationTrueUp) of `year`: the facility file
// text (the INPUT, allocation/facility.hpp format) checked against the configured table
// `table_id`; the allocation is computed on apply (allocation/compute.hpp).
struct AllocationIssue {
  std::uint16_t year = 0;
  std::string table_id;
  std::string facilities_csv;
  friend bool operator==(const AllocationIssue&, const AllocationIssue&) = default;
};
struct AllocationTrueUp {
  std::uint16_t year = 0;
  std::string table_id;
  std::string facilities_csv;
  friend bool operator==(const AllocationTrueUp&, const AllocationTrueUp&) = default;
};
struct EmissionRow {
  std::string firm;
  std::uint16_t year = 0;
  std::int64_t emissions_t = 0;
  friend bool operator==(const EmissionRow&, const EmissionRow&) = default;
};
// Verified emissions (all rows or none, compliance::Compliance::record_emissions).
struct LoadVerifiedEmissions {
  std::vector<EmissionRow> rows;
  friend bool operator==(const LoadVerifiedEmissions&, const LoadVerifiedEmissions&) = default;
};
struct SurrenderLegCmd {
  AssetId asset{0};
  std::int64_t quantity_t = 0;
  friend bool operator==(const SurrenderLegCmd&, const SurrenderLegCmd&) = default;
};
// A surrender for compliance year `year` from the registered firm on `firm_account`; member 0:
// by the operator, else by that member (must be the firm's own).
struct Surrender {
  AccountId firm_account{0};
  std::uint16_t year = 0;
  MemberId member{0};
  std::vector<SurrenderLegCmd> legs;
  friend bool operator==(const Surrender&, const Surrender&) = default;
};
// The operator moves the firm's deadline of `year` to `date_yyyymmdd`.
struct RecordExtension {
  AccountId firm_account{0};
  std::uint16_t year = 0;
  std::int32_t date_yyyymmdd = 0;
  friend bool operator==(const RecordExtension&, const RecordExtension&) = default;
};
// The operator exempts the firm from the year's obligation.
struct RecordExemption {
  AccountId firm_account{0};
  std::uint16_t year = 0;
  friend bool operator==(const RecordExemption&, const RecordExemption&) = default;
};
// Settlement of `year` after its deadline (penalties become debts deducted at next issuance).
struct SettleCompliance {
  std::uint16_t year = 0;
  friend bool operator==(const SettleCompliance&, const SettleCompliance&) = default;
};

// A member's authority over an account: whether the member's FIX sessions may act for it (orders,
// cancels, trade reports, bids, repos, position requests). The one record of who may act for
// which account (docs/design.md "Member authority"): granted and revoked only by these journaled
// commands, so a restart or a replay decides exactly as the live run did. An account number
// that is not (yet) open may be granted: orders on it are then refused as for an unknown account.
struct GrantAuthority {
  MemberId member{0};
  AccountId account{0};
  friend bool operator==(const GrantAuthority&, const GrantAuthority&) = default;
};
struct RevokeAuthority {
  MemberId member{0};
  AccountId account{0};
  friend bool operator==(const RevokeAuthority&, const RevokeAuthority&) = default;
};

// Alternatives in RegistryCommandType order (index + 1 = type).
using RegistryCommand =
    std::variant<OpenAccount, SetAccountStatus, SetHoldingLimit, Deposit, Withdraw, IssueUnits,
                 RegisterFirm, AllocationIssue, AllocationTrueUp, LoadVerifiedEmissions, Surrender,
                 RecordExtension, RecordExemption, SettleCompliance, GrantAuthority,
                 RevokeAuthority>;
RegistryCommandType type_of(const RegistryCommand& c) noexcept;

enum class RegistryCodecError : std::uint8_t {
  kNotRegistryRecord = 1,  // byte 0 is not kRegistryRecordMagic (or empty input)
  kSchemaVersion,          // another schema version
  kUnknownType,            // byte 2 is no RegistryCommandType
  kBadHeader,              // reserved byte not zero, or header shorter than 8 bytes
  kBadLength,              // the body length does not match, or a field runs past the end
  kTrailingBytes,          // bytes left after the last field
  kBadEnum,                // an account kind/status out of range
  kTooLong,                // a string or list over its limit, or the record over its limit
  kBadText,                // a string that is not UTF-8 (no command written by carbonx has one)
};
std::string_view to_string(RegistryCodecError e) noexcept;

// kTooLong if a string or list of `c` is over its limit (what an encoder would assert on).
Status<RegistryCodecError> check_registry_limits(const RegistryCommand& c);
// Encodes `c`. Precondition: check_registry_limits(c) succeeds (CX_ASSERT).
std::vector<std::uint8_t> encode_registry_command(const RegistryCommand& c);
Result<RegistryCommand, RegistryCodecError> decode_registry_command(
    std::span<const std::uint8_t> bytes);

}  // namespace carbonx::registry
