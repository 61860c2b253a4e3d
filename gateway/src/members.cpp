#include "carbonx/gateway/members.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include <sodium.h>

#include "carbonx/registry/sha256.hpp"

namespace carbonx::gateway {
namespace {

using json = nlohmann::json;

// Compares without an early exit, so timing does not tell how much of a hash matched.
bool same(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return false;
  unsigned diff = 0;
  for (std::size_t i = 0; i < a.size(); ++i)
    diff |= static_cast<unsigned>(a[i] ^ b[i]);
  return diff == 0;
}

bool valid_seed(const MemberSeed& s) {
  return s.id != 0 && !s.comp_id.empty() && s.comp_id.size() <= 32 && !s.username.empty() &&
         s.password.size() >= 6;
}

}  // namespace

std::string_view to_string(MemberError e) noexcept {
  switch (e) {
    case MemberError::kIo:
      return "the members file cannot be read or written";
    case MemberError::kCorrupt:
      return "the members file is malformed";
    case MemberError::kDuplicate:
      return "a member with this id or CompID exists";
    case MemberError::kUnknownMember:
      return "no such member";
    case MemberError::kInvalid:
      return "member needs id > 0, a CompID of 1-32 characters, a username and a password of 6+";
  }
  return "unknown member error";
}

PasswordCost PasswordCost::of(PasswordHashCost c) noexcept {
  switch (c) {
    case PasswordHashCost::kInteractive:
      return {crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE};
    case PasswordHashCost::kModerate:
      return {crypto_pwhash_OPSLIMIT_MODERATE, crypto_pwhash_MEMLIMIT_MODERATE};
    case PasswordHashCost::kSensitive:
      return {crypto_pwhash_OPSLIMIT_SENSITIVE, crypto_pwhash_MEMLIMIT_SENSITIVE};
    case PasswordHashCost::kMinimum:
      return {crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN};
  }
  return {crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE};
}

std::string hash_password(const std::string& password, const PasswordCost& cost) {
  const int init = sodium_init();  // idempotent and thread-safe; 1: done before
  CX_ASSERT(init >= 0);
  char out[crypto_pwhash_STRBYTES] = {};
  // Fails only when the memory cannot be had: a programmer's or the machine's error.
  const int rc = crypto_pwhash_str_alg(out, password.data(), password.size(), cost.opslimit,
                                       cost.memlimit_bytes, crypto_pwhash_ALG_ARGON2ID13);
  CX_ASSERT(rc == 0);
  const std::string hash(out);
  CX_ASSERT(is_argon2id(hash));
  return hash;
}

bool is_argon2id(const std::string& hash) noexcept {
  return hash.rfind("$argon2id$", 0) == 0;
}

std::string legacy_hash_password(const std::string& salt_hex, const std::string& password) {
  registry::Digest d = registry::Sha256::of(salt_hex + ":" + password);
  for (int i = 1; i < MemberDirectory::kLegacyHashRounds; ++i) {
    registry::Sha256 h;
    h.update(std::span<const std::uint8_t>(d.data(), d.size()));
    h.update(salt_hex);
    d = h.finish();
  }
  return registry::to_hex(d);
}

Result<std::unique_ptr<MemberDirectory>, MemberError> MemberDirectory::open(const std::string& dir,
                                                                            std::string* detail,
                                                                            PasswordHashCost cost) {
  if (sodium_init() < 0) {
    *detail = "libsodium cannot be initialised";
    return Err{MemberError::kIo};
  }
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    *detail = "cannot create " + dir + ": " + ec.message();
    return Err{MemberError::kIo};
  }
  std::unique_ptr<MemberDirectory> d(new MemberDirectory);
  d->cost_ = PasswordCost::of(cost);
  d->path_ = (std::filesystem::path(dir) / "members.json").string();
  std::ifstream in(d->path_);
  if (!in) return d;
  try {
    const json doc = json::parse(in);
    const int version = doc.at("version").get<int>();
    if (version != 1 && version != 2) throw std::runtime_error("unknown version");
    // Version 1 (before authority was journaled): "accounts" was the member's authority; it is
    // granted (journaled) at this start, once (members.hpp).
    const char* const grants = version == 1 ? "accounts" : "grant_at_start";
    for (const auto& m : doc.at("members")) {
      Member x;
      x.id = m.at("id").get<std::uint32_t>();
      x.comp_id = m.at("comp_id").get<std::string>();
      x.username = m.at("username").get<std::string>();
      x.salt_hex = m.value("salt", std::string());
      x.hash_hex = m.at("hash").get<std::string>();
      x.cancel_on_disconnect = m.at("cancel_on_disconnect").get<bool>();
      x.grant_at_start = m.at(grants).get<std::vector<std::uint32_t>>();
      d->by_comp_id_[x.comp_id] = d->members_.size();
      d->members_.push_back(std::move(x));
    }
  } catch (const std::exception& e) {
    *detail = d->path_ + ": " + e.what();
    return Err{MemberError::kCorrupt};
  }
  return d;
}

Status<MemberError> MemberDirectory::save_locked() {
  json doc;
  doc["version"] = 2;
  doc["members"] = json::array();
  for (const Member& m : members_) {
    doc["members"].push_back({{"id", m.id},
                              {"comp_id", m.comp_id},
                              {"username", m.username},
                              {"salt", m.salt_hex},  // "" for argon2id entries
                              {"hash", m.hash_hex},
                              {"cancel_on_disconnect", m.cancel_on_disconnect},
                              {"grant_at_start", m.grant_at_start}});
  }
  const std::string tmp = path_ + ".tmp";
  const std::string text = doc.dump(1);
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Err{MemberError::kIo};
  const bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
                  ::fsync(fd) == 0;
  ::close(fd);
  if (!ok || std::rename(tmp.c_str(), path_.c_str()) != 0) return Err{MemberError::kIo};
  return {};
}

Status<MemberError> MemberDirectory::insert_locked(const MemberSeed& seed, std::string hash) {
  if (!valid_seed(seed)) return Err{MemberError::kInvalid};
  if (members_.size() >= kMaxMembers) return Err{MemberError::kInvalid};
  if (by_comp_id_.count(seed.comp_id) != 0) return Err{MemberError::kDuplicate};
  for (const Member& m : members_) {
    if (m.id == seed.id) return Err{MemberError::kDuplicate};
  }
  CX_ASSERT(is_argon2id(hash));
  Member m;
  m.id = seed.id;
  m.comp_id = seed.comp_id;
  m.username = seed.username;
  m.hash_hex = std::move(hash);
  m.cancel_on_disconnect = seed.cancel_on_disconnect;
  m.grant_at_start = seed.accounts;
  by_comp_id_[m.comp_id] = members_.size();
  members_.push_back(std::move(m));
  version_.fetch_add(1, std::memory_order_acq_rel);
  return {};
}

Status<MemberError> MemberDirectory::add(const MemberSeed& seed) {
  return add_all({seed});
}

// The hashes (memory-hard, by design slow) are made before the lock is taken, so a logon's
// verify() is not held up by a start seeding many members.
Status<MemberError> MemberDirectory::add_all(const std::vector<MemberSeed>& seeds) {
  std::vector<std::string> hashes;
  hashes.reserve(seeds.size());
  for (const MemberSeed& seed : seeds) {
    if (!valid_seed(seed)) return Err{MemberError::kInvalid};
    hashes.push_back(hash_password(seed.password, cost_));
  }
  std::lock_guard lock(mutex_);
  for (std::size_t i = 0; i < seeds.size(); ++i) {
    if (auto st = insert_locked(seeds[i], std::move(hashes[i])); !st.ok()) return st;
  }
  return save_locked();
}

Status<MemberError> MemberDirectory::set_password(std::uint32_t id, const std::string& password) {
  if (password.size() < 6) return Err{MemberError::kInvalid};
  std::string hash = hash_password(password, cost_);
  std::lock_guard lock(mutex_);
  for (Member& m : members_) {
    if (m.id != id) continue;
    m.salt_hex.clear();
    m.hash_hex = std::move(hash);
    version_.fetch_add(1, std::memory_order_acq_rel);
    return save_locked();
  }
  return Err{MemberError::kUnknownMember};
}

Status<MemberError> MemberDirectory::clear_grants_at_start() {
  std::lock_guard lock(mutex_);
  for (Member& m : members_)
    m.grant_at_start.clear();
  version_.fetch_add(1, std::memory_order_acq_rel);
  return save_locked();
}

std::string MemberDirectory::verify(const std::string& comp_id, const std::string& username,
                                    const std::string& password) {
  std::optional<Member> m = by_comp_id(comp_id);
  if (!m) return "unknown SenderCompID " + comp_id;
  if (username.empty() || password.empty()) {
    return "Logon needs Username(553) and Password(554)";
  }
  const bool user_ok = same(username, m->username);
  const bool argon = is_argon2id(m->hash_hex);
  const bool pass_ok =
      argon ? crypto_pwhash_str_verify(m->hash_hex.c_str(), password.data(), password.size()) == 0
            : same(legacy_hash_password(m->salt_hex, password), m->hash_hex);
  if (!user_ok || !pass_ok) return "bad username or password";
  if (!argon || crypto_pwhash_str_needs_rehash(m->hash_hex.c_str(), cost_.opslimit,
                                               cost_.memlimit_bytes) != 0) {
    rehash(m->id, m->hash_hex, password);
  }
  return "";
}

void MemberDirectory::rehash(std::uint32_t id, const std::string& old_hash,
                             const std::string& password) {
  std::string hash = hash_password(password, cost_);  // outside the lock: slow by design
  std::lock_guard lock(mutex_);
  for (Member& m : members_) {
    if (m.id != id || m.hash_hex != old_hash) continue;  // changed meanwhile: leave it
    m.salt_hex.clear();
    m.hash_hex = std::move(hash);
    if (!save_locked().ok()) {
      // The new hash verifies the same password; the file keeps the old one until a later save.
      std::fprintf(stderr, "carbonxd: members file: cannot save member %u's new password hash\n",
                   id);
      std::fflush(stderr);
    }
    return;
  }
}

std::optional<Member> MemberDirectory::by_comp_id(const std::string& comp_id) const {
  std::lock_guard lock(mutex_);
  const auto it = by_comp_id_.find(comp_id);
  if (it == by_comp_id_.end()) return std::nullopt;
  return members_[it->second];
}

std::optional<Member> MemberDirectory::by_id(std::uint32_t id) const {
  std::lock_guard lock(mutex_);
  for (const Member& m : members_) {
    if (m.id == id) return m;
  }
  return std::nullopt;
}

std::vector<Member> MemberDirectory::all() const {
  std::lock_guard lock(mutex_);
  return members_;
}

}  // namespace carbonx::gateway
