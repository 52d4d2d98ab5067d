// A minimal read-only view (the library is C++17, without std::span).
#pragma once

#include <cstddef>

namespace barista::internal {

template <class T>
struct Span {
  const T* ptr = nullptr;
  size_t len = 0;

  Span() = default;
  Span(const T* p, size_t n) : ptr(p), len(n) {}
  template <class Container>
  Span(const Container& c) : ptr(c.data()), len(c.size()) {}  // NOLINT: implicit view

  const T* data() const { return ptr; }
  size_t size() const { return len; }
  bool empty() const { return len == 0; }
  const T& operator[](size_t i) const { return ptr[i]; }
  const T* begin() const { return ptr; }
  const T* end() const { return ptr + len; }
};

}  // namespace barista::internal
