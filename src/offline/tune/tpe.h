// Proposes the configurations of `barista tune`'s trials: uniform random
// draws for the first trials, then the Tree-structured Parzen Estimator
// (Bergstra, Bardenet, Bengio, Kegl 2011, "Algorithms for Hyper-Parameter
// Optimization"), with hyperopt's defaults: the best ceil(0.25 sqrt(n))
// observations form the "good" density l(x), the rest g(x), each a Parzen
// mixture with a prior component, and of 24 draws from l the one with the
// highest l(x) / g(x) is proposed. Parameters are modelled one at a time,
// over the trials in which they were active (the tree: a nested choice's
// keys only where their branch was chosen).
#pragma once

#include <cstdint>
#include <vector>

#include "tune/search_space.h"

namespace barista::internal {

// A finished trial as the search sees it. Failed trials count as worse than
// every trial that ran (objective < 0), so the search moves away from them.
struct Observation {
  Assignment params;
  double objective = -1.0;  // higher is better
};

struct ProposeOptions {
  uint64_t seed = 1;
  uint32_t startup = 10;   // random proposals before TPE
  uint32_t candidates = 24;
};

// The assignment for trial `number`: a pure function of the space, the
// options, the number and `history` (so the same inputs give the same
// trial, whatever ran when).
Assignment propose(const SearchSpace& space, const std::vector<Observation>& history, uint32_t number,
                   const ProposeOptions& options);

// A deterministic generator (splitmix64), the same on every platform,
// unlike the standard library's distributions.
class TuneRandom {
 public:
  explicit TuneRandom(uint64_t seed) : state_(seed) {}
  uint64_t next();
  double uniform();                           // [0, 1)
  double uniform(double low, double high);    // [low, high)
  double normal();                            // standard normal
  size_t index(size_t n);                     // [0, n)

 private:
  uint64_t state_;
};

}  // namespace barista::internal
