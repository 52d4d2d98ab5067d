// Top-k selection with a deterministic order: higher logit first, ties broken
// by the lower item number, NaN (only possible with non-finite weights)
// ranked last.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "common/alloc.h"

namespace barista::internal {

struct Scored {
  float logit;
  uint32_t item;
};

// Whether a ranks strictly before b: a total order even with NaN, which
// ranks below every number (-infinity included).
inline bool ranks_before(const Scored& a, const Scored& b) {
  const bool a_nan = std::isnan(a.logit), b_nan = std::isnan(b.logit);
  if (a_nan != b_nan) return b_nan;
  if (!a_nan && a.logit != b.logit) return a.logit > b.logit;
  return a.item < b.item;
}

class TopK {
 public:
  void reset(size_t k) {
    k_ = k;
    heap_.clear();
  }

  void push(const Scored& s) {
    if (k_ == 0) return;
    // heap_ is a heap whose front is the worst kept entry.
    if (heap_.size() < k_) {
      heap_.push_back(s);
      std::push_heap(heap_.begin(), heap_.end(), Order());
    } else if (ranks_before(s, heap_.front())) {
      replace_worst(s);
    }
  }

  // The kept entries, best first. Leaves the selector empty.
  void finish(Vec<Scored>* out) {
    std::sort_heap(heap_.begin(), heap_.end(), Order());
    out->assign(heap_.begin(), heap_.end());
    heap_.clear();
  }

 private:
  // ranks_before as a type, so the heap algorithms inline it (a function
  // pointer is called through on every comparison).
  struct Order {
    bool operator()(const Scored& a, const Scored& b) const { return ranks_before(a, b); }
  };
  // s takes the worst entry's place and sinks below every entry that ranks
  // after it: one pass down the heap, where pop_heap + push_heap took two.
  void replace_worst(const Scored& s) {
    const size_t n = heap_.size();
    size_t i = 0;
    for (;;) {
      size_t child = 2 * i + 1;
      if (child >= n) break;
      if (child + 1 < n && ranks_before(heap_[child], heap_[child + 1])) ++child;  // the worse child
      if (!ranks_before(s, heap_[child])) break;
      heap_[i] = heap_[child];
      i = child;
    }
    heap_[i] = s;
  }
  size_t k_ = 0;
  Vec<Scored> heap_;
};

}  // namespace barista::internal
