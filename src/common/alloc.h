// The library's own allocations go to mimalloc through these helpers, without
// replacing the host's malloc (DESIGN.md section 4). Sanitizer builds
// (BARISTA_SYSTEM_ALLOCATOR) use the system allocator instead, so that
// AddressSanitizer sees every allocation.
#pragma once

#include <cstddef>
#include <cstdlib>
#include <new>
#include <utility>
#include <vector>

#if !defined(BARISTA_SYSTEM_ALLOCATOR)
#include <mimalloc.h>
#endif

namespace barista::internal {

#if defined(BARISTA_SYSTEM_ALLOCATOR)
template <class T>
using Vec = std::vector<T>;

inline void* allocate_aligned(size_t size, size_t alignment) {
  return std::aligned_alloc(alignment, (size + alignment - 1) / alignment * alignment);
}
inline void deallocate(void* p) { std::free(p); }
#else
template <class T>
using Vec = std::vector<T, mi_stl_allocator<T> >;

inline void* allocate_aligned(size_t size, size_t alignment) { return mi_malloc_aligned(size, alignment); }
inline void deallocate(void* p) { mi_free(p); }
#endif

// Constructs a T in the library's memory; nullptr when out of memory.
template <class T, class... Args>
T* new_object(Args&&... args) {
  void* memory = allocate_aligned(sizeof(T), alignof(T));
  if (memory == nullptr) return nullptr;
  return new (memory) T(std::forward<Args>(args)...);
}

template <class T>
void delete_object(T* object) {
  if (object == nullptr) return;
  object->~T();
  deallocate(object);
}

}  // namespace barista::internal
