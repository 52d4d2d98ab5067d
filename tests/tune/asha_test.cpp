// Successive halving: the rungs, the promotion rule, and what it saves on a
// synthetic objective whose learning curves keep their order.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "tune/asha.h"
#include "tune/tpe.h"

using namespace barista::internal;

TEST_CASE("asha: rungs at min_epochs * eta^k below the last epoch") {
  CHECK(rung_epochs(1, 3, 10) == std::vector<uint32_t>{1, 3, 9});
  CHECK(rung_epochs(1, 3, 9) == std::vector<uint32_t>{1, 3});
  CHECK(rung_epochs(2, 2, 20) == std::vector<uint32_t>{2, 4, 8, 16});
  CHECK(rung_epochs(1, 3, 1).empty());
  CHECK(rung_epochs(1, 0, 10).empty());  // off
}

TEST_CASE("asha: a trial goes on when it is in the top max(1, n / eta) of the values at its rung") {
  CHECK(continues_at_rung(0.1, {}, 3));            // the first trial always goes on
  CHECK(!continues_at_rung(0.1, {0.2}, 3));        // n = 2: only the best
  CHECK(continues_at_rung(0.2, {0.2}, 3));         // ties in its favour
  CHECK(continues_at_rung(0.3, {0.1, 0.2}, 3));
  CHECK(!continues_at_rung(0.2, {0.1, 0.3}, 3));
  // n = 6: the top 2 go on.
  CHECK(continues_at_rung(0.5, {0.1, 0.2, 0.3, 0.4, 0.6}, 3));
  CHECK(!continues_at_rung(0.35, {0.1, 0.2, 0.3, 0.4, 0.6}, 3));
  CHECK(value_at_rung({0.1, 0.3, 0.2}, 3) == 0.3);
  CHECK(value_at_rung({0.1, 0.3, 0.2}, 2) == 0.3);
  CHECK(value_at_rung({0.1}, 3) == -1);
}

TEST_CASE("asha: on curves that keep their order, the best trial runs to the end at a fraction of the epochs") {
  // 60 trials, each with a quality q and the curve q * (1 - exp(-epoch / 3))
  // plus noise; 27 epochs at full length, rungs at 1, 3, 9.
  TuneRandom random(42);
  const uint32_t trials = 60, epochs = 27, eta = 3;
  std::vector<std::vector<double>> curves(trials);
  std::vector<double> quality(trials);
  for (uint32_t t = 0; t < trials; ++t) {
    quality[t] = random.uniform(0.1, 0.4);
    for (uint32_t e = 1; e <= epochs; ++e) {
      curves[t].push_back(quality[t] * (1 - std::exp(-static_cast<double>(e) / 3.0)) + 0.002 * random.normal());
    }
  }
  const std::vector<uint32_t> rungs = rung_epochs(1, eta, epochs);
  std::vector<std::vector<double>> at_rung(rungs.size());
  std::vector<uint32_t> ran(trials);
  for (uint32_t t = 0; t < trials; ++t) {
    ran[t] = epochs;
    for (size_t k = 0; k < rungs.size(); ++k) {
      const double v = value_at_rung(curves[t], rungs[k]);
      const bool go_on = continues_at_rung(v, at_rung[k], eta);
      at_rung[k].push_back(v);
      if (!go_on) {
        ran[t] = rungs[k];
        break;
      }
    }
  }
  const uint32_t best = static_cast<uint32_t>(std::max_element(quality.begin(), quality.end()) - quality.begin());
  CHECK(ran[best] == epochs);
  double spent = 0;
  for (uint32_t e : ran) spent += e;
  const double fraction = spent / (static_cast<double>(trials) * epochs);
  MESSAGE("epochs spent: " << spent << " of " << trials * epochs << " (" << fraction << ")");
  CHECK(fraction < 0.3);
  // At each rung about 1/eta of the trials that reached it went on.
  for (size_t k = 0; k + 1 < rungs.size(); ++k) {
    const double went_on = static_cast<double>(at_rung[k + 1].size()) / static_cast<double>(at_rung[k].size());
    CHECK(went_on <= 0.6);  // the first trials at a rung go on more easily (asynchronous)
    CHECK(went_on > 1.0 / eta / 2);
  }
}
