// The replaced global operator new and delete of carbonx::counting_new (README.md).
#include <cstdio>
#include <cstdlib>
#include <new>

#include "carbonx/testing/allocations.hpp"

namespace {

thread_local bool t_counting = false;
thread_local std::uint64_t t_allocations = 0;

void* counted_malloc(std::size_t n) noexcept {
  if (t_counting) ++t_allocations;
  return std::malloc(n == 0 ? 1 : n);
}

void* counted_or_throw(std::size_t n) {
  if (void* p = counted_malloc(n)) return p;
  throw std::bad_alloc();
}

}  // namespace

namespace carbonx::testing {

ThreadAllocations::ThreadAllocations() : start_(t_allocations) {
  if (t_counting) {  // no assertion library here: this is below every library
    std::fputs("ThreadAllocations: already counting on this thread\n", stderr);
    std::abort();
  }
  t_counting = true;
}

ThreadAllocations::~ThreadAllocations() {
  t_counting = false;
}

std::uint64_t ThreadAllocations::count() const {
  return t_allocations - start_;
}

}  // namespace carbonx::testing

// Every replaceable form, so that no allocation goes to another allocator than its release
// (std::stable_sort's temporary buffer uses the nothrow form; AddressSanitizer checks pairing).
void* operator new(std::size_t n) {
  return counted_or_throw(n);
}
void* operator new[](std::size_t n) {
  return counted_or_throw(n);
}
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
  return counted_malloc(n);
}
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept {
  return counted_malloc(n);
}
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete[](void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}
void operator delete[](void* p, std::size_t) noexcept {
  std::free(p);
}
void operator delete(void* p, const std::nothrow_t&) noexcept {
  std::free(p);
}
void operator delete[](void* p, const std::nothrow_t&) noexcept {
  std::free(p);
}
