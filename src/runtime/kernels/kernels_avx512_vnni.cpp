// Compiled with the avx512 variant's flags plus -mavx512vnni only (see
// src/CMakeLists.txt): Cascade Lake, Ice Lake, Sapphire Rapids, Zen 4 and
// later. Every kernel is the AVX-512 one except the int8 mode's three
// (vnni_int8.h), which use VNNI's u8 x s8 dot product (64 multiply-adds per
// instruction, four times the f32 FMA's).
#include <immintrin.h>

#include "kernels/avx512_kernels.h"
#include "kernels/vnni_int8.h"

namespace barista::internal {
namespace {

// 512-bit intrinsics for vnni_int8.h.
struct Vnni512 {
  using Floats = __m512;
  using Ints = __m512i;
  static constexpr size_t kLanes = 16;
  static constexpr size_t kTileRows = 8;  // rows of VnniInt8Kernels::tile_rows

  static Floats load(const float* p) { return _mm512_loadu_ps(p); }
  static void store(float* p, Floats v) { _mm512_storeu_ps(p, v); }
  static Floats zero() { return _mm512_setzero_ps(); }
  static Floats set1(float v) { return _mm512_set1_ps(v); }
  static Floats add(Floats a, Floats b) { return _mm512_add_ps(a, b); }
  static Floats mul(Floats a, Floats b) { return _mm512_mul_ps(a, b); }
  static Floats max(Floats a, Floats b) { return _mm512_max_ps(a, b); }
  static Floats fmadd(Floats a, Floats b, Floats c) { return _mm512_fmadd_ps(a, b, c); }
  static Floats to_float(Ints v) { return _mm512_cvtepi32_ps(v); }
  static Ints zero_ints() { return _mm512_setzero_si512(); }
  static Ints set1_ints(int32_t v) { return _mm512_set1_epi32(v); }
  static Ints load_ints(const int8_t* p) { return _mm512_loadu_si512(p); }
  static Ints dot(Ints acc, Ints a, Ints w) { return _mm512_dpbusd_epi32(acc, a, w); }

  // The largest lane. The halves come out with AVX-512 DQ's extract, whose
  // GCC 12 intrinsic has a defined pass-through: _mm512_reduce_max_ps,
  // _mm512_castps512_ps256 and the 512-bit shuffles warn from the header
  // (-Wuninitialized on _mm512_undefined_ps).
  static float horizontal_max(Floats v) {
    const __m256 h = _mm256_max_ps(_mm512_extractf32x8_ps(v, 0), _mm512_extractf32x8_ps(v, 1));
    __m128 q = _mm_max_ps(_mm256_castps256_ps128(h), _mm256_extractf128_ps(h, 1));
    q = _mm_max_ps(q, _mm_movehl_ps(q, q));
    return _mm_cvtss_f32(_mm_max_ss(q, _mm_movehdup_ps(q)));
  }

  // q[0..16) = round(max(x, 0) * inverse) clamped to 255: max(x, 0) also
  // turns NaN into 0, as the reference's comparison does; an infinite or NaN
  // product truncates to 0x80000000, which the unsigned saturation of the
  // narrowing clamps to 255, as the reference's `u < 255 ? u : 255` does.
  static void quantize(Floats x, Floats inverse, uint8_t* q) {
    const __m512 v = _mm512_fmadd_ps(_mm512_max_ps(x, _mm512_setzero_ps()), inverse, _mm512_set1_ps(0.5f));
    const __m512i n = _mm512_min_epi32(_mm512_cvttps_epi32(v), _mm512_set1_epi32(255));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(q), _mm512_cvtusepi32_epi8(n));
  }
};

using VnniKernels = VnniInt8Kernels<Vnni512, Avx512Kernels>;

}  // namespace
}  // namespace barista::internal

BARISTA_DEFINE_KERNEL_TABLE(avx512_vnni, VnniKernels)
