#pragma once
// RowTable: an open-addressing hash table whose slots hold the rows themselves (one 64-byte
// cache line per slot), so finding a balance row costs one cache miss instead of two (index, then
// row). Linear probing, Fibonacci hashing, load factor <= 5/8, no deletion (rows live forever).
//
// Slot numbers are stable until the table grows; grow() returns the old -> new slot map so the
// owner can fix the slot numbers it keeps. The key ~0 is reserved (empty marker).

#include <cstdint>
#include <utility>
#include <vector>

#include "carbonx/engine/assert.hpp"

namespace carbonx::registry::detail {

template <typename Row>
class RowTable {
 public:
  static constexpr std::uint64_t kEmpty = ~std::uint64_t{0};
  static constexpr std::uint32_t kNone = ~std::uint32_t{0};

  RowTable() { resize(64); }

  std::size_t size() const noexcept { return size_; }
  Row& operator[](std::uint32_t slot) noexcept { return slots_[slot].row; }
  const Row& operator[](std::uint32_t slot) const noexcept { return slots_[slot].row; }

  std::uint32_t find(std::uint64_t key) const noexcept {
    for (std::size_t i = home(key);; i = (i + 1) & mask_) {
      if (slots_[i].key == key) return static_cast<std::uint32_t>(i);
      if (slots_[i].key == kEmpty) return kNone;
    }
  }
  void prefetch(std::uint64_t key) const noexcept { __builtin_prefetch(&slots_[home(key)]); }

  // True when inserting `extra` more rows would pass the load limit.
  bool needs_grow(std::size_t extra) const noexcept {
    return (size_ + extra) * 8 > slots_.size() * 5;
  }
  // Grows to fit `extra` more rows; returns old slot -> new slot (kNone for empty old slots).
  std::vector<std::uint32_t> grow(std::size_t extra) {
    std::size_t cap = slots_.size();
    while ((size_ + extra) * 8 > cap * 5)
      cap *= 2;
    std::vector<Slot> old = std::move(slots_);
    resize(cap);
    std::vector<std::uint32_t> remap(old.size(), kNone);
    for (std::size_t i = 0; i < old.size(); ++i) {
      if (old[i].key == kEmpty) continue;
      const std::uint32_t s = insert(old[i].key);
      slots_[s].row = std::move(old[i].row);
      remap[i] = s;
    }
    return remap;
  }
  // Inserts a new key (precondition: absent, and !needs_grow(1)); returns its slot.
  std::uint32_t insert(std::uint64_t key) {
    CX_ASSERT(key != kEmpty);
    CX_ASSERT(!needs_grow(1));
    std::size_t i = home(key);
    while (slots_[i].key != kEmpty) {
      CX_ASSERT(slots_[i].key != key);
      i = (i + 1) & mask_;
    }
    slots_[i].key = key;
    slots_[i].row = Row{};
    ++size_;
    return static_cast<std::uint32_t>(i);
  }

  template <typename F>
  void for_each(F&& f) const {
    for (std::size_t i = 0; i < slots_.size(); ++i) {
      if (slots_[i].key != kEmpty) f(static_cast<std::uint32_t>(i), slots_[i].row);
    }
  }

  std::size_t memory_bytes() const noexcept { return slots_.capacity() * sizeof(Slot); }

 private:
  struct alignas(64) Slot {
    std::uint64_t key = kEmpty;
    Row row{};
  };

  std::size_t home(std::uint64_t key) const noexcept {
    return static_cast<std::size_t>((key * 0x9E3779B97F4A7C15ULL) >> shift_);
  }
  void resize(std::size_t cap) {
    CX_ASSERT((cap & (cap - 1)) == 0);
    CX_ASSERT(cap <= (std::size_t{1} << 31));
    slots_.assign(cap, Slot{});
    mask_ = cap - 1;
    shift_ = 64 - static_cast<unsigned>(__builtin_ctzll(cap));
    size_ = 0;
  }

  std::vector<Slot> slots_;
  std::size_t mask_ = 0;
  unsigned shift_ = 64;
  std::size_t size_ = 0;
};

}  // namespace carbonx::registry::detail
