#pragma once
// The console's credentials (gateway/src/console/README.md): argon2id password hashes (libsodium,
// the members' hash_password), TOTP second factors (RFC 6238: HMAC-SHA1 through OpenSSL, 30 s
// steps, 6 digits, secrets in base32 as authenticator apps take them), random tokens.
// Pure functions; thread-safe.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace carbonx::gateway::console {

inline constexpr std::int64_t kTotpStepS = 30;
inline constexpr int kTotpDigits = 6;

// RFC 4648 base32, upper case, no padding.
std::string base32_encode(std::span<const std::uint8_t> bytes);
// Accepts upper or lower case, spaces and trailing '=' padding; nullopt for any other character
// or leftover bits that are not zero.
std::optional<std::vector<std::uint8_t>> base32_decode(std::string_view text);

// RFC 4226 HOTP of `counter` with HMAC-SHA1, `digits` (6..9) decimal digits, zero-padded.
std::string hotp_code(std::span<const std::uint8_t> key, std::uint64_t counter, int digits);
// RFC 6238 TOTP at `unix_s` (step kTotpStepS from T0 = 0).
std::string totp_code(std::span<const std::uint8_t> key, std::int64_t unix_s,
                      int digits = kTotpDigits);
// The step whose code `code` is, among the steps of unix_s - 1, unix_s and unix_s + 1 (clock
// drift of one step either way); nullopt if none (or `code` is not kTotpDigits digits).
std::optional<std::int64_t> totp_match(std::span<const std::uint8_t> key, std::string_view code,
                                       std::int64_t unix_s);

// `bytes` random bytes (libsodium's randombytes_buf) as lower-case hex.
std::string random_hex(std::size_t bytes);
// A new TOTP secret: 20 random bytes (the SHA-1 block RFC 4226 recommends), base32.
std::string new_totp_secret();
// Compares without leaking where the first difference is (the lengths may differ).
bool constant_time_equal(std::string_view a, std::string_view b) noexcept;

// argon2id (crypto_pwhash_str_verify): true if `password` is the one `hash` was made from.
bool verify_password(const std::string& hash, std::string_view password);

}  // namespace carbonx::gateway::console
