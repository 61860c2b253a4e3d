#pragma once
// SHA-256 (FIPS 180-4), written here so the journal's hash chain needs no extra dependency.
// Uses the x86 SHA extensions when the CPU has them (checked once at run time), else portable
// code; both give the same digest (tested against the FIPS 180-2 vectors).
//
// Thread-safety: a Sha256 object is plain data; use one per thread.

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace carbonx::registry {

using Digest = std::array<std::uint8_t, 32>;

class Sha256 {
 public:
  Sha256() noexcept;
  void update(std::span<const std::uint8_t> bytes) noexcept;
  void update(std::string_view text) noexcept;
  // Finishes and returns the digest; the object must not be updated afterwards.
  Digest finish() noexcept;

  static Digest of(std::span<const std::uint8_t> bytes) noexcept;
  static Digest of(std::string_view text) noexcept;

 private:
  std::array<std::uint32_t, 8> h_;
  std::array<std::uint8_t, 64> buf_{};
  std::size_t buf_len_ = 0;
  std::uint64_t total_len_ = 0;  // bytes
};

// Lower-case hex of a digest (64 characters).
std::string to_hex(const Digest& d);

// True when the hardware (SHA-NI) path is in use on this CPU.
bool sha256_uses_hardware() noexcept;
// Tests only: turns the hardware path off (or back on if the CPU has it); returns the new state.
// Not thread-safe: call before hashing starts.
bool sha256_set_hardware(bool enabled) noexcept;

}  // namespace carbonx::registry
