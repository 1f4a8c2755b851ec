#pragma once
// Result<T>: the value of an operation that can fail in an expected way (a missing file, a
// full disk, a malformed input). Exceptions are for start-up only; broken invariants abort.

#include <cassert>
#include <system_error>
#include <utility>
#include <variant>

namespace postern::core {

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}        // NOLINT: implicit by design
  Result(std::error_code ec) : v_(std::in_place_index<1>, ec) { assert(ec); }  // NOLINT

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  // REQUIRES: ok()
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  // REQUIRES: !ok()
  std::error_code error() const { return std::get<1>(v_); }

 private:
  std::variant<T, std::error_code> v_;
};

// Success or an error code; an empty error_code means success.
using Status = std::error_code;

}  // namespace postern::core
