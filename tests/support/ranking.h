// The order recommendations promise, written plainly, for tests to check
// TopK and the scorer against: higher logit first, ties by the lower item,
// NaN below every number (-infinity included).
#pragma once

#include <cmath>

#include "score/top_k.h"

namespace barista_test {

inline bool ranks_before(const barista::internal::Scored& a, const barista::internal::Scored& b) {
  const bool a_nan = std::isnan(a.logit), b_nan = std::isnan(b.logit);
  if (a_nan != b_nan) return b_nan;
  if (!a_nan && a.logit != b.logit) return a.logit > b.logit;
  return a.item < b.item;
}

}  // namespace barista_test
