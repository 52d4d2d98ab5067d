// A small deterministic generator (SplitMix64) with its transforms written
// out here, so that a seed gives the same numbers on every machine and with
// every standard library (the standard distributions are
// implementation-defined). Used by the trainer, the synthetic data and the
// synthetic models.
#pragma once

#include <cmath>
#include <cstdint>

namespace barista::internal {

class Random {
 public:
  explicit Random(uint64_t seed) : state_(seed) {}
  // A stream for `seed` distinct from Random(seed) (training, synthetic data).
  static Random salted(uint64_t seed) { return Random(seed ^ 0x5DEECE66DULL); }

  uint64_t next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  // Uniform in [0, 1).
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  // Uniform in [-scale, scale).
  float symmetric(float scale) { return static_cast<float>((2.0 * uniform() - 1.0) * static_cast<double>(scale)); }
  // Uniform in [0, n) for n > 0; the modulo bias is below 2^-40 for n < 2^24.
  uint64_t below(uint64_t n) { return n == 0 ? 0 : next() % n; }
  // Standard normal (Box-Muller).
  double normal() {
    const double u1 = 1.0 - uniform();  // (0, 1]
    const double u2 = uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
  }

 private:
  uint64_t state_;
};

}  // namespace barista::internal
