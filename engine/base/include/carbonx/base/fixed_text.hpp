#pragma once
// FixedText<N>: at most N bytes of text stored inline. What the edges copy identifiers into
// (ClOrdID, Account, Symbol, ...) so that a command crossing the sequencer's queue is plain data of
// one size: no allocation, trivially copyable, and the same bytes whatever the text. Used by the
// FIX edge's commands and by the operator verbs' symbols (carbonx::verbs).

#include <algorithm>
#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>

namespace carbonx {

template <std::size_t N>
class FixedText {
  static_assert(N > 0 && N < 256, "the length is kept in one byte");

 public:
  static constexpr std::size_t kCapacity = N;

  constexpr FixedText() = default;

  // Copies `text`. false (and the text left empty) if it is longer than N: the edge checks every
  // length before it gets here, so a false is a defect the caller asserts on.
  constexpr bool assign(std::string_view text) noexcept {
    if (text.size() > N) {
      size_ = 0;
      return false;
    }
    std::copy(text.begin(), text.end(), bytes_.begin());
    std::fill(bytes_.begin() + static_cast<std::ptrdiff_t>(text.size()), bytes_.end(), '\0');
    size_ = static_cast<std::uint8_t>(text.size());
    return true;
  }

  constexpr std::string_view view() const noexcept { return {bytes_.data(), size_}; }
  std::string str() const { return std::string(view()); }
  constexpr bool empty() const noexcept { return size_ == 0; }
  constexpr std::size_t size() const noexcept { return size_; }

  friend constexpr bool operator==(const FixedText& a, std::string_view b) noexcept {
    return a.view() == b;
  }
  friend constexpr bool operator==(const FixedText& a, const FixedText& b) noexcept {
    return a.view() == b.view();
  }

 private:
  std::array<char, N> bytes_{};
  std::uint8_t size_ = 0;
};

}  // namespace carbonx
