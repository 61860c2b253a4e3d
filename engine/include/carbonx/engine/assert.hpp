#pragma once
// Always-on assertions for programmer errors (STYLE.md #5): they stay on in release builds and
// abort with the failed condition and its location. Expected outcomes are values, never asserts.

#include <cstdio>
#include <cstdlib>

namespace carbonx::detail {
[[noreturn]] inline void assert_failed(const char* expr, const char* file, int line) noexcept {
  std::fprintf(stderr, "carbonx: assertion failed: %s at %s:%d\n", expr, file, line);
  std::fflush(stderr);
  std::abort();
}
}  // namespace carbonx::detail

#define CX_ASSERT(cond)                                            \
  do {                                                             \
    if (__builtin_expect(!(cond), 0)) {                            \
      ::carbonx::detail::assert_failed(#cond, __FILE__, __LINE__); \
    }                                                              \
  } while (0)
