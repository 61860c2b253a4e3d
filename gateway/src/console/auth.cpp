#include "carbonx/gateway/console/auth.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sodium.h>

#include <array>

#include "carbonx/engine/assert.hpp"

namespace carbonx::gateway::console {

namespace {
constexpr std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

int base32_value(char c) {
  if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  const auto at = kAlphabet.find(c);
  return at == std::string_view::npos ? -1 : static_cast<int>(at);
}
}  // namespace

std::string base32_encode(std::span<const std::uint8_t> bytes) {
  std::string out;
  std::uint32_t buffer = 0;
  int bits = 0;
  for (const std::uint8_t b : bytes) {
    buffer = (buffer << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out.push_back(kAlphabet[(buffer >> (bits - 5)) & 31U]);
      bits -= 5;
    }
  }
  if (bits > 0) out.push_back(kAlphabet[(buffer << (5 - bits)) & 31U]);
  return out;
}

std::optional<std::vector<std::uint8_t>> base32_decode(std::string_view text) {
  while (!text.empty() && text.back() == '=')
    text.remove_suffix(1);
  std::vector<std::uint8_t> out;
  std::uint32_t buffer = 0;
  int bits = 0;
  for (const char c : text) {
    if (c == ' ') continue;
    const int v = base32_value(c);
    if (v < 0) return std::nullopt;
    buffer = (buffer << 5) | static_cast<std::uint32_t>(v);
    bits += 5;
    if (bits >= 8) {
      out.push_back(static_cast<std::uint8_t>((buffer >> (bits - 8)) & 0xFFU));
      bits -= 8;
    }
  }
  if ((buffer & ((1U << bits) - 1U)) != 0) return std::nullopt;  // leftover bits must be zero
  return out;
}

std::string hotp_code(std::span<const std::uint8_t> key, std::uint64_t counter, int digits) {
  CX_ASSERT(digits >= 6);
  CX_ASSERT(digits <= 9);
  std::array<std::uint8_t, 8> msg{};
  for (int i = 7; i >= 0; --i) {
    msg[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(counter & 0xFFU);
    counter >>= 8;
  }
  std::array<std::uint8_t, EVP_MAX_MD_SIZE> mac{};
  unsigned int mac_len = 0;
  const auto* done = HMAC(EVP_sha1(), key.data(), static_cast<int>(key.size()), msg.data(),
                          msg.size(), mac.data(), &mac_len);
  CX_ASSERT(done != nullptr);
  CX_ASSERT(mac_len == 20);
  const std::size_t offset = mac[19] & 0x0FU;  // RFC 4226 5.3 dynamic truncation
  const std::uint32_t binary = ((mac[offset] & 0x7FU) << 24) | (mac[offset + 1] << 16) |
                               (mac[offset + 2] << 8) | mac[offset + 3];
  std::uint32_t modulo = 1;
  for (int i = 0; i < digits; ++i)
    modulo *= 10;
  std::string code = std::to_string(binary % modulo);
  code.insert(0, static_cast<std::size_t>(digits) - code.size(), '0');
  return code;
}

std::string totp_code(std::span<const std::uint8_t> key, std::int64_t unix_s, int digits) {
  CX_ASSERT(unix_s >= 0);
  return hotp_code(key, static_cast<std::uint64_t>(unix_s / kTotpStepS), digits);
}

std::optional<std::int64_t> totp_match(std::span<const std::uint8_t> key, std::string_view code,
                                       std::int64_t unix_s) {
  if (code.size() != kTotpDigits) return std::nullopt;
  for (const char c : code) {
    if (c < '0' || c > '9') return std::nullopt;
  }
  const std::int64_t step = unix_s / kTotpStepS;
  for (const std::int64_t s : {step, step - 1, step + 1}) {
    if (s < 0) continue;
    if (constant_time_equal(hotp_code(key, static_cast<std::uint64_t>(s), kTotpDigits), code)) {
      return s;
    }
  }
  return std::nullopt;
}

std::string random_hex(std::size_t bytes) {
  const int init = sodium_init();  // idempotent; 1: done before
  CX_ASSERT(init >= 0);
  std::vector<std::uint8_t> raw(bytes);
  randombytes_buf(raw.data(), raw.size());
  std::string hex(bytes * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), raw.data(), raw.size());
  hex.pop_back();
  return hex;
}

std::string new_totp_secret() {
  const int init = sodium_init();  // idempotent; 1: done before
  CX_ASSERT(init >= 0);
  std::array<std::uint8_t, 20> raw{};
  randombytes_buf(raw.data(), raw.size());
  return base32_encode(raw);
}

bool constant_time_equal(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  }
  return diff == 0;
}

bool verify_password(const std::string& hash, std::string_view password) {
  const int init = sodium_init();  // idempotent; 1: done before
  CX_ASSERT(init >= 0);
  if (hash.rfind("$argon2id$", 0) != 0) return false;
  return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

}  // namespace carbonx::gateway::console
