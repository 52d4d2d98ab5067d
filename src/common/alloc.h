// The library's own allocations go to mimalloc through these helpers, without
// replacing the host's malloc (DESIGN.md section 4).
#pragma once

#include <mimalloc.h>

#include <new>
#include <string>
#include <utility>
#include <vector>

namespace barista::internal {

template <class T>
using Vec = std::vector<T, mi_stl_allocator<T>>;

// Constructs a T in mimalloc memory; nullptr when out of memory.
template <class T, class... Args>
T* mi_new_object(Args&&... args) {
  void* memory = mi_malloc_aligned(sizeof(T), alignof(T));
  if (memory == nullptr) return nullptr;
  return new (memory) T(std::forward<Args>(args)...);
}

template <class T>
void mi_delete_object(T* object) {
  if (object == nullptr) return;
  object->~T();
  mi_free(object);
}

}  // namespace barista::internal
