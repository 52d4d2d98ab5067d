// A small deterministic generator (SplitMix64) for the demo and the
// synthetic models: the same seed gives the same model on every machine.
#pragma once

#include <cmath>
#include <cstdint>

namespace barista::cli {

class Random {
 public:
  explicit Random(uint64_t seed) : state_(seed) {}

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
  uint64_t below(uint64_t n) { return n == 0 ? 0 : next() % n; }

 private:
  uint64_t state_;
};

}  // namespace barista::cli
