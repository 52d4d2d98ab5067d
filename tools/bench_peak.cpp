#include "bench_peak.h"

#include <chrono>
#include <cstdint>

#if defined(__x86_64__)
#include <immintrin.h>
#elif defined(__aarch64__)
#include <arm_neon.h>
#endif

#include "kernels/dispatch.h"

namespace barista::cli {

namespace {

// 12 independent accumulators: enough to cover the FMA latency (4 cycles)
// times the number of FMA ports (2) with room to spare. The loop bodies use
// per-function target attributes, so nothing else in the tool is compiled
// for these instruction sets.
constexpr int kAccumulators = 12;

template <class F>
double best_seconds(F&& run) {
  double best = 1e30;
  for (int trial = 0; trial < 5; ++trial) {
    const auto start = std::chrono::steady_clock::now();
    run();
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (s < best) best = s;
  }
  return best;
}

#if defined(__x86_64__)
volatile float g_sink_f;
volatile int g_sink_i;

__attribute__((target("avx512f"))) void fma_avx512(uint64_t iterations) {
  __m512 acc[kAccumulators];
  for (int i = 0; i < kAccumulators; ++i) acc[i] = _mm512_set1_ps(static_cast<float>(i));
  const __m512 a = _mm512_set1_ps(0.999f), b = _mm512_set1_ps(0.001f);
  for (uint64_t n = 0; n < iterations; ++n) {
    for (int i = 0; i < kAccumulators; ++i) acc[i] = _mm512_fmadd_ps(acc[i], a, b);
  }
  __m512 sum = acc[0];
  for (int i = 1; i < kAccumulators; ++i) sum = _mm512_add_ps(sum, acc[i]);
  float lanes[16];
  _mm512_storeu_ps(lanes, sum);
  g_sink_f = lanes[0] + lanes[15];
}

__attribute__((target("avx2,fma"))) void fma_avx2(uint64_t iterations) {
  __m256 acc[kAccumulators];
  for (int i = 0; i < kAccumulators; ++i) acc[i] = _mm256_set1_ps(static_cast<float>(i));
  const __m256 a = _mm256_set1_ps(0.999f), b = _mm256_set1_ps(0.001f);
  for (uint64_t n = 0; n < iterations; ++n) {
    for (int i = 0; i < kAccumulators; ++i) acc[i] = _mm256_fmadd_ps(acc[i], a, b);
  }
  __m256 sum = acc[0];
  for (int i = 1; i < kAccumulators; ++i) sum = _mm256_add_ps(sum, acc[i]);
  float lanes[8];
  _mm256_storeu_ps(lanes, sum);
  g_sink_f = lanes[0] + lanes[7];
}

__attribute__((target("avx512f,avx512vnni"))) void dot_vnni512(uint64_t iterations) {
  __m512i acc[kAccumulators];
  for (int i = 0; i < kAccumulators; ++i) acc[i] = _mm512_set1_epi32(i);
  const __m512i a = _mm512_set1_epi8(3), b = _mm512_set1_epi8(-2);
  for (uint64_t n = 0; n < iterations; ++n) {
    for (int i = 0; i < kAccumulators; ++i) acc[i] = _mm512_dpbusd_epi32(acc[i], a, b);
  }
  __m512i sum = acc[0];
  for (int i = 1; i < kAccumulators; ++i) sum = _mm512_add_epi32(sum, acc[i]);
  int lanes[16];
  _mm512_storeu_si512(lanes, sum);
  g_sink_i = static_cast<int>(static_cast<unsigned>(lanes[0]) + static_cast<unsigned>(lanes[15]));
}

// AVX-VNNI: the same dot product on 256 bits, VEX-encoded (CPUs without
// AVX-512: Alder Lake and later client cores, Gracemont). Twelve named
// accumulators, each pinned to its register by an empty asm statement:
// otherwise GCC 12 copies them through the stack on every step (with only 16
// registers), and this measured half the peak.
__attribute__((target("avx2,avxvnni"))) void dot_avx_vnni(uint64_t iterations) {
  const __m256i a = _mm256_set1_epi8(3), b = _mm256_set1_epi8(-2);
  // clang-format off
#define BARISTA_ACC(i) __m256i acc##i = _mm256_set1_epi32(i);
  BARISTA_ACC(0) BARISTA_ACC(1) BARISTA_ACC(2) BARISTA_ACC(3) BARISTA_ACC(4) BARISTA_ACC(5)
  BARISTA_ACC(6) BARISTA_ACC(7) BARISTA_ACC(8) BARISTA_ACC(9) BARISTA_ACC(10) BARISTA_ACC(11)
#undef BARISTA_ACC
  for (uint64_t n = 0; n < iterations; ++n) {
#define BARISTA_DOT(i) acc##i = _mm256_dpbusd_avx_epi32(acc##i, a, b); __asm__("" : "+x"(acc##i));
    BARISTA_DOT(0) BARISTA_DOT(1) BARISTA_DOT(2) BARISTA_DOT(3) BARISTA_DOT(4) BARISTA_DOT(5)
    BARISTA_DOT(6) BARISTA_DOT(7) BARISTA_DOT(8) BARISTA_DOT(9) BARISTA_DOT(10) BARISTA_DOT(11)
#undef BARISTA_DOT
  }
  // clang-format on
  const __m256i sum =
      _mm256_add_epi32(_mm256_add_epi32(_mm256_add_epi32(_mm256_add_epi32(acc0, acc1), _mm256_add_epi32(acc2, acc3)),
                                        _mm256_add_epi32(_mm256_add_epi32(acc4, acc5), _mm256_add_epi32(acc6, acc7))),
                       _mm256_add_epi32(_mm256_add_epi32(acc8, acc9), _mm256_add_epi32(acc10, acc11)));
  g_sink_i = _mm256_extract_epi32(sum, 0);
}

// Without VNNI: the classic u8 x s8 -> s16 pairs -> s32 sequence.
__attribute__((target("avx2"))) void dot_avx2(uint64_t iterations) {
  __m256i acc[kAccumulators];
  for (int i = 0; i < kAccumulators; ++i) acc[i] = _mm256_set1_epi32(i);
  const __m256i a = _mm256_set1_epi8(3), b = _mm256_set1_epi8(-2), ones = _mm256_set1_epi16(1);
  for (uint64_t n = 0; n < iterations; ++n) {
    for (int i = 0; i < kAccumulators; ++i) {
      acc[i] = _mm256_add_epi32(acc[i], _mm256_madd_epi16(_mm256_maddubs_epi16(a, b), ones));
    }
  }
  __m256i sum = acc[0];
  for (int i = 1; i < kAccumulators; ++i) sum = _mm256_add_epi32(sum, acc[i]);
  g_sink_i = _mm256_extract_epi32(sum, 0);
}
#elif defined(__aarch64__)
volatile float g_sink_f;

// Advanced SIMD is part of AArch64: 4 floats per FMA, no target attribute.
void fma_neon(uint64_t iterations) {
  float32x4_t acc[kAccumulators];
  for (int i = 0; i < kAccumulators; ++i) acc[i] = vdupq_n_f32(static_cast<float>(i));
  const float32x4_t a = vdupq_n_f32(0.999f), b = vdupq_n_f32(0.001f);
  for (uint64_t n = 0; n < iterations; ++n) {
    for (int i = 0; i < kAccumulators; ++i) acc[i] = vfmaq_f32(b, acc[i], a);
  }
  float32x4_t sum = acc[0];
  for (int i = 1; i < kAccumulators; ++i) sum = vaddq_f32(sum, acc[i]);
  g_sink_f = vgetq_lane_f32(sum, 0) + vgetq_lane_f32(sum, 3);
}
#endif

}  // namespace

Peak measure_peak() {
  Peak peak;
#if defined(__x86_64__)
  constexpr uint64_t kIterations = 20'000'000;
  const double per_iteration = static_cast<double>(kIterations) * kAccumulators;
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f")) {
    peak.f32_isa = "avx512 fma";
    peak.f32_gflops = per_iteration * 16 * 2 / best_seconds([&] { fma_avx512(kIterations); }) / 1e9;
  } else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
    peak.f32_isa = "avx2 fma";
    peak.f32_gflops = per_iteration * 8 * 2 / best_seconds([&] { fma_avx2(kIterations); }) / 1e9;
  }
  if (__builtin_cpu_supports("avx512vnni")) {
    peak.int8_isa = "avx512 vnni";
    peak.int8_gops = per_iteration * 64 * 2 / best_seconds([&] { dot_vnni512(kIterations); }) / 1e9;
  } else if (internal::detect_cpu_features().avx2_vnni) {  // GCC 12's and Clang 14's builtins miss AVX-VNNI
    peak.int8_isa = "avx vnni";
    peak.int8_gops = per_iteration * 32 * 2 / best_seconds([&] { dot_avx_vnni(kIterations); }) / 1e9;
  } else if (__builtin_cpu_supports("avx2")) {
    peak.int8_isa = "avx2 maddubs";
    peak.int8_gops = per_iteration * 32 * 2 / best_seconds([&] { dot_avx2(kIterations); }) / 1e9;
  }
#elif defined(__aarch64__)
  // (The int8 layers have no NEON kernel yet: no int8 peak to compare with.)
  constexpr uint64_t kIterations = 20'000'000;
  const double per_iteration = static_cast<double>(kIterations) * kAccumulators;
  peak.f32_isa = "neon fma";
  peak.f32_gflops = per_iteration * 4 * 2 / best_seconds([&] { fma_neon(kIterations); }) / 1e9;
#endif
  return peak;
}

}  // namespace barista::cli
