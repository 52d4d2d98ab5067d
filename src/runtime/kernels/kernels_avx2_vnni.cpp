// Compiled with -mavx2 -mfma -mavxvnni only (see src/CMakeLists.txt): the
// VEX-encoded, 256-bit VNNI of CPUs without AVX-512 — Intel's client and
// low-power cores since Alder Lake and Gracemont (the N100 class of kiosks
// and point-of-sale boxes), and AMD Zen 5. Every kernel is the AVX2 one
// except the int8 mode's three (vnni_int8.h), which use AVX-VNNI's u8 x s8
// dot product (32 multiply-adds per instruction, four times AVX2's f32 FMA).
// Without them the int8 shortlist would not pay on these machines
// (KernelTable::int8_product).
#include <immintrin.h>

#include "kernels/simd_kernels.h"
#include "kernels/vnni_int8.h"

namespace barista::internal {
namespace {

// 256-bit intrinsics for vnni_int8.h.
struct Vnni256 {
  using Floats = __m256;
  using Ints = __m256i;
  static constexpr size_t kLanes = 8;
  static constexpr size_t kTileRows = 6;  // rows of VnniInt8Kernels::tile_rows: 12 accumulators of 16 registers

  static Floats load(const float* p) { return _mm256_loadu_ps(p); }
  static void store(float* p, Floats v) { _mm256_storeu_ps(p, v); }
  static Floats zero() { return _mm256_setzero_ps(); }
  static Floats set1(float v) { return _mm256_set1_ps(v); }
  static Floats add(Floats a, Floats b) { return _mm256_add_ps(a, b); }
  static Floats mul(Floats a, Floats b) { return _mm256_mul_ps(a, b); }
  static Floats max(Floats a, Floats b) { return _mm256_max_ps(a, b); }
  static Floats fmadd(Floats a, Floats b, Floats c) { return _mm256_fmadd_ps(a, b, c); }
  static Floats to_float(Ints v) { return _mm256_cvtepi32_ps(v); }
  static Ints zero_ints() { return _mm256_setzero_si256(); }
  static Ints set1_ints(int32_t v) { return _mm256_set1_epi32(v); }
  static Ints load_ints(const int8_t* p) { return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)); }
  static Ints dot(Ints acc, Ints a, Ints w) { return _mm256_dpbusd_avx_epi32(acc, a, w); }

  static float horizontal_max(Floats v) {
    __m128 q = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    q = _mm_max_ps(q, _mm_movehl_ps(q, q));
    return _mm_cvtss_f32(_mm_max_ss(q, _mm_movehdup_ps(q)));
  }

  // q[0..8) = round(max(x, 0) * inverse) clamped to 255: max(x, 0) also
  // turns NaN into 0, as the reference's comparison does; an infinite or NaN
  // product truncates to 0x80000000, which the unsigned minimum clamps to
  // 255, as the reference's `u < 255 ? u : 255` does.
  static void quantize(Floats x, Floats inverse, uint8_t* q) {
    const __m256 v = _mm256_fmadd_ps(_mm256_max_ps(x, _mm256_setzero_ps()), inverse, _mm256_set1_ps(0.5f));
    const __m256i n = _mm256_min_epu32(_mm256_cvttps_epi32(v), _mm256_set1_epi32(255));
    // The low byte of each 32-bit lane to the front of its 128-bit half.
    const __m256i bytes =
        _mm256_shuffle_epi8(n, _mm256_setr_epi8(0, 4, 8, 12, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,  //
                                                0, 4, 8, 12, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1));
    const int32_t low = _mm_cvtsi128_si32(_mm256_castsi256_si128(bytes));
    const int32_t high = _mm_cvtsi128_si32(_mm256_extracti128_si256(bytes, 1));
    std::memcpy(q, &low, 4);
    std::memcpy(q + 4, &high, 4);
  }
};

using AvxVnniKernels = VnniInt8Kernels<Vnni256, SimdKernels<xsimd::fma3<xsimd::avx2>>>;

}  // namespace
}  // namespace barista::internal

BARISTA_DEFINE_KERNEL_TABLE(avx2_vnni, AvxVnniKernels)
