#pragma once
// U64Map: an open-addressing hash map from 64-bit keys to small values, for the ledger's hot
// path (std::unordered_map allocates a node per entry). Linear probing, Fibonacci hashing (good
// for sequential ids), backward-shift deletion (no tombstones), load factor <= 1/2.
//
// The key ~0 is reserved as the empty marker; inserting it is a programmer error (asserts).
// Pointers returned by find()/insert() are invalidated by any later insert or erase.

#include <cstdint>
#include <utility>
#include <vector>

#include "carbonx/engine/assert.hpp"

namespace carbonx::registry::detail {

template <typename V>
class U64Map {
 public:
  static constexpr std::uint64_t kEmpty = ~std::uint64_t{0};

  U64Map() { rehash(16); }

  std::size_t size() const noexcept { return size_; }
  bool empty() const noexcept { return size_ == 0; }

  V* find(std::uint64_t key) noexcept {
    for (std::size_t i = home(key);; i = (i + 1) & mask_) {
      Slot& s = slots_[i];
      if (s.key == key) return &s.value;
      if (s.key == kEmpty) return nullptr;
    }
  }
  const V* find(std::uint64_t key) const noexcept { return const_cast<U64Map*>(this)->find(key); }

  // Hints the CPU to load the slot where `key` would start its probe.
  void prefetch(std::uint64_t key) const noexcept { __builtin_prefetch(&slots_[home(key)]); }

  // Inserts `key` with `value` unless present. Returns the value's slot and whether it was new.
  std::pair<V*, bool> insert(std::uint64_t key, const V& value) {
    CX_ASSERT(key != kEmpty);
    if ((size_ + 1) * 2 > slots_.size()) rehash(slots_.size() * 2);
    for (std::size_t i = home(key);; i = (i + 1) & mask_) {
      Slot& s = slots_[i];
      if (s.key == key) return {&s.value, false};
      if (s.key == kEmpty) {
        s.key = key;
        s.value = value;
        ++size_;
        return {&s.value, true};
      }
    }
  }

  bool erase(std::uint64_t key) noexcept {
    std::size_t i = home(key);
    for (;; i = (i + 1) & mask_) {
      if (slots_[i].key == key) break;
      if (slots_[i].key == kEmpty) return false;
    }
    // Backward shift: pull later entries of the run into the hole when their home allows it.
    for (std::size_t j = (i + 1) & mask_; slots_[j].key != kEmpty; j = (j + 1) & mask_) {
      const std::size_t h = home(slots_[j].key);
      if (((j - h) & mask_) >= ((j - i) & mask_)) {
        slots_[i] = slots_[j];
        i = j;
      }
    }
    slots_[i].key = kEmpty;
    --size_;
    return true;
  }

  void clear() {
    for (Slot& s : slots_)
      s.key = kEmpty;
    size_ = 0;
  }

  void reserve(std::size_t n) {
    std::size_t cap = slots_.size();
    while (cap < n * 2)
      cap *= 2;
    if (cap != slots_.size()) rehash(cap);
  }

  template <typename F>
  void for_each(F&& f) const {
    for (const Slot& s : slots_) {
      if (s.key != kEmpty) f(s.key, s.value);
    }
  }
  template <typename F>
  void for_each_mut(F&& f) {
    for (Slot& s : slots_) {
      if (s.key != kEmpty) f(s.key, s.value);
    }
  }

  std::size_t memory_bytes() const noexcept { return slots_.capacity() * sizeof(Slot); }

 private:
  struct Slot {
    std::uint64_t key = kEmpty;
    V value{};
  };

  std::size_t home(std::uint64_t key) const noexcept {
    return static_cast<std::size_t>((key * 0x9E3779B97F4A7C15ULL) >> shift_);
  }

  void rehash(std::size_t cap) {
    CX_ASSERT((cap & (cap - 1)) == 0);
    std::vector<Slot> old = std::move(slots_);
    slots_.assign(cap, Slot{});
    mask_ = cap - 1;
    shift_ = 64 - static_cast<unsigned>(__builtin_ctzll(cap));
    size_ = 0;
    for (const Slot& s : old) {
      if (s.key != kEmpty) insert(s.key, s.value);
    }
  }

  std::vector<Slot> slots_;
  std::size_t mask_ = 0;
  unsigned shift_ = 64;
  std::size_t size_ = 0;
};

}  // namespace carbonx::registry::detail
