#pragma once
// One project-wide result type for expected outcomes (STYLE.md #5). Each module has its own
// small `enum class` of errors with a `to_string()`; a Result carries either the value or that
// error. Accessing the wrong alternative is a programmer error and aborts.

#include <type_traits>
#include <utility>
#include <variant>

#include "carbonx/engine/assert.hpp"

namespace carbonx {

template <typename E>
struct Err {
  E error;
};
template <typename E>
Err(E) -> Err<E>;

template <typename T, typename E>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design
  Result(Err<E> err) : v_(std::in_place_index<1>, err.error) {}      // NOLINT

  bool ok() const noexcept { return v_.index() == 0; }
  explicit operator bool() const noexcept { return ok(); }

  T& value() & {
    CX_ASSERT(ok());
    return std::get<0>(v_);
  }
  const T& value() const& {
    CX_ASSERT(ok());
    return std::get<0>(v_);
  }
  T&& value() && {
    CX_ASSERT(ok());
    return std::get<0>(std::move(v_));
  }
  E error() const {
    CX_ASSERT(!ok());
    return std::get<1>(v_);
  }

 private:
  std::variant<T, E> v_;
};

// Result<void, E>: success carries nothing.
template <typename E>
class [[nodiscard]] Result<void, E> {
 public:
  Result() = default;
  Result(Err<E> err) : ok_(false), error_(err.error) {}  // NOLINT: implicit by design

  bool ok() const noexcept { return ok_; }
  explicit operator bool() const noexcept { return ok_; }
  E error() const {
    CX_ASSERT(!ok_);
    return error_;
  }

 private:
  bool ok_ = true;
  E error_{};
};

template <typename E>
using Status = Result<void, E>;

}  // namespace carbonx
