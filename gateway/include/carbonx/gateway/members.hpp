#pragma once
// The exchange members the gateway knows: FIX CompID, logon credentials and cancel-on-disconnect.
// The registry's API has no place for credentials, so they live in a file owned by the gateway:
// <data_dir>/gateway/members.json, replaced atomically (write, fsync, rename).
//
// Passwords are stored only as an argon2id hash (libsodium's crypto_pwhash_str: a memory-hard
// KDF; the string carries its own salt and cost), at the cost configured by [server]
// password_hash (PasswordCost). Entries from before (salted SHA-256 iterated kLegacyHashRounds
// times, "salt" + hex "hash") still verify, and the first logon that verifies one replaces it by
// an argon2id hash of the same password (as does a logon whose argon2id hash has another cost
// than the configured one). A wrong password never changes an entry.
//
// Which accounts a member may act for is NOT decided here: it is exchange state, journaled
// (registry::GrantAuthority / RevokeAuthority) and published to the FIX edge
// (carbonx/edge/authority.hpp). The file only carries accounts still to be granted
// (Member::grant_at_start): a member seeded from the configuration or added by member.add with
// accounts, and every member of a file written before authority was journaled (version 1, whose
// "accounts" decided authority). At its start the server journals those grants, commits them and
// then clears them here (ExchangeDriver::create), once.
//
// Thread-safety: all methods lock; verify() may run on any FIX I/O thread.

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "carbonx/engine/result.hpp"
#include "carbonx/gateway/config.hpp"

namespace carbonx::gateway {

enum class MemberError : std::uint8_t {
  kIo = 1,         // the members file cannot be read or written
  kCorrupt,        // the members file is not what this version writes
  kDuplicate,      // a member with this id or CompID exists
  kUnknownMember,  // no such member
  kInvalid,        // empty CompID/username, short password, id 0
};
std::string_view to_string(MemberError e) noexcept;

struct Member {
  std::uint32_t id = 0;
  std::string comp_id;
  std::string username;
  // "$argon2id$v=19$m=...,t=...,p=1$salt$hash" (crypto_pwhash_str), salt_hex empty; or, until
  // the member's next logon, a legacy entry: salt_hex 16 random bytes, hash_hex SHA-256
  // iterated kLegacyHashRounds times over salt and password.
  std::string salt_hex;
  std::string hash_hex;
  bool cancel_on_disconnect = true;
  // Accounts to grant this member at the next start (journaled then, and cleared here); not its
  // authority.
  std::vector<std::uint32_t> grant_at_start;
};

// The cost of a new argon2id hash (libsodium's presets; crypto_pwhash_str's opslimit/memlimit).
struct PasswordCost {
  unsigned long long opslimit = 0;
  std::size_t memlimit_bytes = 0;
  static PasswordCost of(PasswordHashCost c) noexcept;
};

class MemberDirectory {
 public:
  static constexpr int kLegacyHashRounds = 20000;
  static constexpr std::size_t kMaxMembers = 100000;

  // Loads <dir>/members.json (creating dir; an absent file is an empty directory). Version 1
  // (authority in "accounts") and 2 (accounts only in "grant_at_start") are read; 2 is written.
  // New hashes cost `cost` (the server's [server] password_hash; tests pass kMinimum).
  static Result<std::unique_ptr<MemberDirectory>, MemberError> open(
      const std::string& dir, std::string* detail,
      PasswordHashCost cost = PasswordHashCost::kInteractive);

  // Adds a member with a new salt and the hash of `password`; persists. Errors: kDuplicate,
  // kInvalid, kIo.
  Status<MemberError> add(const MemberSeed& seed);
  // Adds many at once with one write of the file (server start with thousands of members).
  Status<MemberError> add_all(const std::vector<MemberSeed>& seeds);
  // New password (new salt). Errors: kUnknownMember, kInvalid, kIo.
  Status<MemberError> set_password(std::uint32_t id, const std::string& password);
  // Empties every member's grant_at_start (after they were journaled); persists. Error: kIo.
  Status<MemberError> clear_grants_at_start();

  // "" if `username`/`password` are the member's, else the reason (for the Logout text). A
  // legacy SHA-256 entry (or an argon2id one of another cost) that verifies is rehashed to
  // argon2id at the configured cost and persisted (version() does not move: the credentials are
  // the same). Costs one argon2id verification (and one hash when rehashing).
  std::string verify(const std::string& comp_id, const std::string& username,
                     const std::string& password);
  std::optional<Member> by_comp_id(const std::string& comp_id) const;
  std::optional<Member> by_id(std::uint32_t id) const;
  std::vector<Member> all() const;
  // Increases with every change (callers cache members and refresh when it moves).
  std::uint64_t version() const { return version_.load(std::memory_order_acquire); }

 private:
  MemberDirectory() = default;
  Status<MemberError> save_locked();
  Status<MemberError> insert_locked(const MemberSeed& seed, std::string hash);
  // Replaces member `id`'s entry `old_hash` by an argon2id hash of `password` (if unchanged).
  void rehash(std::uint32_t id, const std::string& old_hash, const std::string& password);

  mutable std::mutex mutex_;
  std::string path_;
  PasswordCost cost_;
  std::vector<Member> members_;
  std::unordered_map<std::string, std::size_t> by_comp_id_;  // index into members_
  std::atomic<std::uint64_t> version_{0};
};

// An argon2id hash of `password` (crypto_pwhash_str) at `cost`.
std::string hash_password(const std::string& password, const PasswordCost& cost);
// True if `hash` is an argon2id entry (else a legacy one).
bool is_argon2id(const std::string& hash) noexcept;
// The legacy entry: salted iterated SHA-256 (hex). Verification of old entries; tests.
std::string legacy_hash_password(const std::string& salt_hex, const std::string& password);

}  // namespace carbonx::gateway
