// The machine's measured peak on one core, for `barista bench` to say what
// fraction of it the batched layers reach: f32 fused multiply-adds and int8
// dot products (VNNI where present), each timed over a loop of independent
// accumulators that keeps every FMA port busy.
#pragma once

#include <string>

namespace barista::cli {

struct Peak {
  std::string f32_isa;  // the instructions used, e.g. "avx512 fma"
  double f32_gflops = 0;
  std::string int8_isa;  // e.g. "avx512 vnni"
  double int8_gops = 0;  // multiply-adds count as 2 operations
};

Peak measure_peak();

}  // namespace barista::cli
