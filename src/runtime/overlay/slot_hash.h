// The bit mixer of the overlay's hash tables (MurmurHash3's 64-bit
// finalizer): user fingerprints are already uniform, but (user, index)
// pairs and slot masks want every input bit spread over the low bits.
#pragma once

#include <cstdint>

namespace barista::internal {

inline uint64_t mix_bits(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  x ^= x >> 33;
  return x;
}

}  // namespace barista::internal
