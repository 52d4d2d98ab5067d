// Lookups in the file format's HashIndex (open addressing on value
// fingerprints, see schema/barista_model.fbs) and the writer's construction
// of one. Lookups never trust the file: every position read is range-checked
// and probing stops after max_probe slots.
#pragma once

#include <cstdint>
#include <vector>

#include "common/span.h"

namespace barista::internal {

struct HashIndexView {
  const uint64_t* fingerprints = nullptr;
  uint32_t count = 0;
  const uint32_t* slots = nullptr;
  uint32_t mask = 0;  // slot count - 1 (a power of two minus one)
  uint32_t max_probe = 0;

  // Position of the key with fingerprint `fp`, or -1.
  int64_t find(uint64_t fp) const {
    if (slots == nullptr) return -1;
    uint32_t slot = static_cast<uint32_t>(fp) & mask;
    for (uint32_t probe = 0; probe < max_probe; ++probe) {
      const uint32_t entry = slots[slot];
      if (entry == 0) return -1;
      const uint32_t position = entry - 1;
      if (position < count && fingerprints[position] == fp) return position;
      slot = (slot + 1) & mask;
    }
    return -1;
  }
};

struct BuiltHashIndex {
  std::vector<uint32_t> slots;
  uint32_t max_probe = 0;
};

// Builds the index for `fingerprints` (which must be distinct): a power-of-two
// table at most half full, so probes stay short.
BuiltHashIndex build_hash_index(Span<uint64_t> fingerprints);

}  // namespace barista::internal
