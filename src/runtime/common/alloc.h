// The library's own allocations go to mimalloc through these helpers, without
// replacing the host's malloc (src/README.md, 'Memory'). Sanitizer builds
// (BARISTA_SYSTEM_ALLOCATOR) use the system allocator instead, so that
// AddressSanitizer sees every allocation.
#pragma once

#include <cstddef>
#include <cstdint>
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
// A standard allocator over mimalloc that throws std::bad_alloc when the heap
// is exhausted, which the C API turns into BARISTA_STATUS_OUT_OF_MEMORY
// (capi/handles.h). mimalloc's own mi_stl_allocator goes through mi_new_n,
// which in a mimalloc built as C (Debian's) calls abort() instead: one
// allocation failure would end the host.
template <class T>
struct MiAllocator {
  using value_type = T;
  MiAllocator() noexcept = default;
  template <class U>
  MiAllocator(const MiAllocator<U>&) noexcept {}

  T* allocate(size_t count) {
    // mi_mallocn and mi_malloc_aligned return nullptr on overflow or
    // exhaustion; they never abort.
    void* memory = alignof(T) <= alignof(std::max_align_t)
                       ? mi_mallocn(count, sizeof(T))
                       : (count > SIZE_MAX / sizeof(T) ? nullptr : mi_malloc_aligned(count * sizeof(T), alignof(T)));
    if (memory == nullptr) throw_bad_alloc();
    return static_cast<T*>(memory);
  }
  void deallocate(T* p, size_t) noexcept { mi_free(p); }

  template <class U>
  bool operator==(const MiAllocator<U>&) const noexcept { return true; }
  template <class U>
  bool operator!=(const MiAllocator<U>&) const noexcept { return false; }

 private:
  [[noreturn]] static void throw_bad_alloc() {
#if defined(__cpp_exceptions) || defined(__EXCEPTIONS)
    throw std::bad_alloc();
#else
    // Without exceptions an exhausted container ends the process, as
    // operator new does in the host's own code (common/exceptions.h).
    std::abort();
#endif
  }
};

template <class T>
using Vec = std::vector<T, MiAllocator<T> >;

inline void* allocate_aligned(size_t size, size_t alignment) { return mi_malloc_aligned(size, alignment); }
inline void deallocate(void* p) { mi_free(p); }
#endif

// The heap memory a Vec holds (its capacity, not its size).
template <class T>
size_t heap_bytes(const Vec<T>& v) {
  return v.capacity() * sizeof(T);
}

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
