// Top-k selection with a deterministic order: higher logit first, ties broken
// by the lower item number, NaN (only possible with non-finite weights)
// ranked last.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>

#include "common/alloc.h"

namespace barista::internal {

struct Scored {
  float logit;
  uint32_t item;
};

// The best k of a stream of scored items: a heap whose front is the worst
// kept entry. Entries are compared by rank_key, one integer comparison with
// no branch on NaN. With a comparison that branched on NaN, and pop_heap +
// push_heap for a replacement (two walks over the heap), the int8 mode's
// selection of a 60-item shortlist (~170 replacements over 1000 items) was
// a fifth of S.
class TopK {
 public:
  void reset(size_t k) {
    k_ = k;
    heap_.clear();
  }

  void push(const Scored& s) {
    if (k_ == 0) return;
    const uint64_t key = rank_key(s);
    if (heap_.size() < k_) {
      heap_.push_back(Entry{key, s});
      rise(heap_.size() - 1);
    } else if (key > heap_.front().key) {
      replace_worst(Entry{key, s});
    }
  }

  // The kept entries, best first. Leaves the selector empty.
  void finish(Vec<Scored>* out) {
    std::sort(heap_.begin(), heap_.end(), [](const Entry& a, const Entry& b) { return a.key > b.key; });
    out->resize(heap_.size());
    for (size_t i = 0; i < heap_.size(); ++i) (*out)[i] = heap_[i].scored;
    heap_.clear();
  }

  size_t memory_bytes() const { return heap_bytes(heap_); }

  // A key whose unsigned order is the ranking (larger ranks first): the
  // logit's bits mapped to an order-preserving integer (NaN lowest, -0 as
  // +0), then the item inverted, so that the lower item of a tie has the
  // larger key.
  static uint64_t rank_key(const Scored& s) {
    const float logit = s.logit + 0.0f;  // -0 -> +0: equal logits tie
    uint32_t bits;
    std::memcpy(&bits, &logit, sizeof bits);
    uint32_t ordered = (bits & 0x80000000u) != 0 ? ~bits : bits | 0x80000000u;
    ordered = logit != logit ? 0u : ordered;  // NaN below -infinity (0x007FFFFF)
    return (uint64_t{ordered} << 32) | (0xFFFFFFFFu - s.item);
  }

 private:
  struct Entry {
    uint64_t key;
    Scored scored;
  };

  // Entry i moves up while its parent ranks before it.
  void rise(size_t i) {
    const Entry e = heap_[i];
    while (i > 0) {
      const size_t parent = (i - 1) / 2;
      if (heap_[parent].key <= e.key) break;
      heap_[i] = heap_[parent];
      i = parent;
    }
    heap_[i] = e;
  }

  // e takes the worst entry's place and sinks below the children that rank
  // after it. An entry that just beat the worst belongs near the front, so
  // the walk usually stops after a level or two.
  void replace_worst(const Entry& e) {
    const size_t n = heap_.size();
    size_t i = 0;
    for (size_t child = 1; child < n; child = 2 * i + 1) {
      if (child + 1 < n) child += heap_[child + 1].key < heap_[child].key;  // the worse child
      if (heap_[child].key >= e.key) break;
      heap_[i] = heap_[child];
      i = child;
    }
    heap_[i] = e;
  }

  size_t k_ = 0;
  Vec<Entry> heap_;
};

}  // namespace barista::internal
