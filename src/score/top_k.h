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
      std::pop_heap(heap_.begin(), heap_.end(), Order());
      heap_.back() = s;
      std::push_heap(heap_.begin(), heap_.end(), Order());
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
  size_t k_ = 0;
  Vec<Scored> heap_;
};

}  // namespace barista::internal
