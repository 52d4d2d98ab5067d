// Little-endian encoding of the on-device files (overlays, catalog
// changes), independent of the host's byte order.
#pragma once

#include <cstdint>
#include <cstring>

#include "common/alloc.h"

namespace barista::internal {

inline void put32(Vec<uint8_t>* out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out->push_back(static_cast<uint8_t>(v >> (8 * i)));
}
inline void put64(Vec<uint8_t>* out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out->push_back(static_cast<uint8_t>(v >> (8 * i)));
}
inline void putf(Vec<uint8_t>* out, float f) {
  uint32_t v;
  std::memcpy(&v, &f, 4);
  put32(out, v);
}
inline uint32_t get32(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) | static_cast<uint32_t>(p[1]) << 8 | static_cast<uint32_t>(p[2]) << 16 |
         static_cast<uint32_t>(p[3]) << 24;
}
inline uint64_t get64(const uint8_t* p) {
  return static_cast<uint64_t>(get32(p)) | static_cast<uint64_t>(get32(p + 4)) << 32;
}
inline float getf(const uint8_t* p) {
  const uint32_t v = get32(p);
  float f;
  std::memcpy(&f, &v, 4);
  return f;
}

}  // namespace barista::internal
