// What the benchmark commands share: a clock, latency summaries, a fast
// deterministic generator, and customers made up for any model.
#pragma once

#include <chrono>
#include <cstdint>
#include <vector>

#include "barista.hpp"

namespace barista::cli {

using Clock = std::chrono::steady_clock;

inline double micros_since(Clock::time_point start) {
  return std::chrono::duration<double, std::micro>(Clock::now() - start).count();
}

struct Summary {
  double mean = 0, p50 = 0, p99 = 0;
};
Summary summarize(std::vector<double> samples);

struct XorShift {
  uint64_t state;
  uint64_t next() {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
  }
  uint32_t below(size_t n) { return static_cast<uint32_t>(next() % n); }
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
};

// `count` customers for `model`: a user id each, a few catalog items in every
// multi-valent request input (history, basket), a made-up value in every
// other categorical request input and a value in [-2, 2] in every numeric
// one. Prints the error and returns false on failure.
bool make_customers(const Model& model, size_t count, XorShift* random, std::vector<Request>* out,
                    uint32_t history_values = 5);

}  // namespace barista::cli
