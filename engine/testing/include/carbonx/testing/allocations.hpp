#pragma once
// Counting a thread's allocations in a test binary that links carbonx::counting_new (README.md).
// Not thread-safe across threads by design: each thread counts its own.

#include <cstdint>

namespace carbonx::testing {

// Counts the global operator new calls (every form) this thread makes while it lives.
class ThreadAllocations {
 public:
  ThreadAllocations();  // asserts no other ThreadAllocations is alive on this thread
  ~ThreadAllocations();
  ThreadAllocations(const ThreadAllocations&) = delete;
  ThreadAllocations& operator=(const ThreadAllocations&) = delete;

  // Allocations since construction.
  std::uint64_t count() const;

 private:
  std::uint64_t start_;
};

}  // namespace carbonx::testing
