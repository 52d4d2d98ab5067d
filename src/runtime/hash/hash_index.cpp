#include "hash/hash_index.h"

#include <algorithm>

namespace barista::internal {

BuiltHashIndex build_hash_index(Span<uint64_t> fingerprints) {
  BuiltHashIndex index;
  size_t slot_count = 8;
  while (slot_count < 2 * fingerprints.size()) slot_count *= 2;
  index.slots.assign(slot_count, 0);
  const size_t mask = slot_count - 1;
  for (size_t position = 0; position < fingerprints.size(); ++position) {
    size_t slot = static_cast<uint32_t>(fingerprints[position]) & mask;
    uint32_t probes = 1;
    while (index.slots[slot] != 0) {
      slot = (slot + 1) & mask;
      ++probes;
    }
    index.slots[slot] = static_cast<uint32_t>(position + 1);
    index.max_probe = std::max(index.max_probe, probes);
  }
  // A lookup of an absent key may have to walk past the longest cluster;
  // it stops at the first empty slot, so the longest run bounds every probe.
  size_t longest_run = 0;
  size_t run = 0;
  for (size_t i = 0; i < 2 * slot_count; ++i) {  // twice round for wrap-around
    if (index.slots[i & mask] != 0) {
      longest_run = std::max(longest_run, ++run);
    } else {
      run = 0;
    }
    if (run >= slot_count) break;
  }
  index.max_probe = static_cast<uint32_t>(std::min(slot_count, longest_run + 1));
  return index;
}

}  // namespace barista::internal
