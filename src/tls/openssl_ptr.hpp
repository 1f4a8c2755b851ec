#pragma once
// Owning pointers for OpenSSL objects (internal to tls/): Ptr<X509, X509_free> frees with the
// matching OpenSSL function, so early returns never leak.

#include <memory>

namespace postern::tls {

template <auto FreeFn>
struct OpenSslDeleter {
  template <class T>
  void operator()(T* p) const noexcept {
    FreeFn(p);
  }
};

template <class T, auto FreeFn>
using Ptr = std::unique_ptr<T, OpenSslDeleter<FreeFn>>;

}  // namespace postern::tls
