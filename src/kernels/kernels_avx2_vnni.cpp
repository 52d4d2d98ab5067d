// Compiled with -mavx2 -mfma -mavxvnni only (see src/CMakeLists.txt): the
// VEX-encoded, 256-bit VNNI of CPUs without AVX-512 — Intel's client and
// low-power cores since Alder Lake and Gracemont (the N100 class of kiosks
// and point-of-sale boxes), and AMD Zen 5. Every kernel is the AVX2 one
// except the int8 mode's three, which use AVX-VNNI's u8 x s8 dot product (32
// multiply-adds per instruction, four times AVX2's f32 FMA). Without them the
// int8 shortlist would not pay on these machines (KernelTable::int8_product).
#include <immintrin.h>

#include <cstring>

#include "kernels/simd_kernels.h"

namespace barista::internal {
namespace {

struct AvxVnniKernels : SimdKernels<xsimd::fma3<xsimd::avx2>> {
  static constexpr bool kInt8Product = true;

  // max(top8, x) that ignores NaN in x, as the reference's comparison does
  // (x86 max returns its second operand when either is NaN).
  static __m256 max_ignoring_nan(__m256 top8, __m256 x) { return _mm256_max_ps(x, top8); }

  static float horizontal_max(__m256 v) {
    __m128 q = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    q = _mm_max_ps(q, _mm_movehl_ps(q, q));
    return _mm_cvtss_f32(_mm_max_ss(q, _mm_movehdup_ps(q)));
  }

  // q[0..8) = round(max(x, 0) * inverse) clamped to 255, for 8 lanes:
  // max(x, 0) also turns NaN into 0, as the reference's comparison does. An
  // infinite or NaN product truncates to 0x80000000, which the unsigned
  // minimum clamps to 255, as the reference's `u < 255 ? u : 255` does.
  static void quantize8(__m256 x, __m256 inverse, uint8_t* q) {
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

  static void quantize_u8_rows(const float* x, size_t rows, size_t in, size_t in_padded, uint8_t* q, float* scales) {
    for (size_t r = 0; r < rows; ++r) {
      const float* row = x + r * in;
      uint8_t* out = q + r * in_padded;
      __m256 top8 = _mm256_setzero_ps();
      size_t k = 0;
      for (; k + 8 <= in; k += 8) top8 = max_ignoring_nan(top8, _mm256_loadu_ps(row + k));
      float top = horizontal_max(top8);
      for (; k < in; ++k) top = row[k] > top ? row[k] : top;
      float inverse;
      const float scale = quantize_u8_scale(top, &inverse);
      const __m256 inv = _mm256_set1_ps(inverse);
      k = 0;
      for (; k + 8 <= in; k += 8) quantize8(_mm256_loadu_ps(row + k), inv, out + k);
      for (; k < in; ++k) {
        const float v = row[k] > 0.0f ? row[k] * inverse + 0.5f : 0.0f;
        out[k] = static_cast<uint8_t>(v < 255.0f ? v : 255.0f);
      }
      for (; k < in_padded; ++k) out[k] = 0;
      scales[r] = scale;
    }
  }

  static void add_relu_quantize_u8(const float* a, const float* b, size_t n, size_t n_padded, uint8_t* q,
                                   float* scale) {
    __m256 top8 = _mm256_setzero_ps();
    size_t k = 0;
    for (; k + 8 <= n; k += 8) {
      top8 = max_ignoring_nan(top8, _mm256_add_ps(_mm256_loadu_ps(a + k), _mm256_loadu_ps(b + k)));
    }
    float top = horizontal_max(top8);
    for (; k < n; ++k) top = a[k] + b[k] > top ? a[k] + b[k] : top;
    float inverse;
    *scale = quantize_u8_scale(top, &inverse);
    const __m256 inv = _mm256_set1_ps(inverse);
    k = 0;
    for (; k + 8 <= n; k += 8) {  // the row is in L1 by now
      quantize8(_mm256_add_ps(_mm256_loadu_ps(a + k), _mm256_loadu_ps(b + k)), inv, q + k);
    }
    for (; k < n; ++k) {
      const float v = a[k] + b[k];
      const float u = v > 0.0f ? v * inverse + 0.5f : 0.0f;
      q[k] = static_cast<uint8_t>(u < 255.0f ? u : 255.0f);
    }
    for (; k < n_padded; ++k) q[k] = 0;
  }

  // Scales, bias and ReLU of R rows x 16 columns of integer sums, to y.
  template <size_t R>
  static void store_tile(const __m256i (*acc)[2], const float* scales, const float* w_scales, const float* bias,
                         bool relu, float* y, size_t out, size_t j) {
    const __m256 s0 = _mm256_loadu_ps(w_scales + j), s1 = _mm256_loadu_ps(w_scales + j + 8);
    const __m256 b0 = _mm256_loadu_ps(bias + j), b1 = _mm256_loadu_ps(bias + j + 8);
    const __m256 zero = _mm256_setzero_ps();
    for (size_t r = 0; r < R; ++r) {
      const __m256 row_scale = _mm256_set1_ps(scales[r]);
      __m256 v0 = _mm256_fmadd_ps(_mm256_cvtepi32_ps(acc[r][0]), _mm256_mul_ps(row_scale, s0), b0);
      __m256 v1 = _mm256_fmadd_ps(_mm256_cvtepi32_ps(acc[r][1]), _mm256_mul_ps(row_scale, s1), b1);
      if (relu) {
        v0 = _mm256_max_ps(v0, zero);
        v1 = _mm256_max_ps(v1, zero);
      }
      _mm256_storeu_ps(y + r * out + j, v0);
      _mm256_storeu_ps(y + r * out + j + 8, v1);
    }
  }

  // R rows x 16 columns from column j, for the rows past the last tile6.
  template <size_t R>
  static void tile(const uint8_t* q, const float* scales, size_t in_padded, const int8_t* w, const float* w_scales,
                   const float* bias, size_t out, bool relu, float* y, size_t j) {
    __m256i acc[R][2];
    for (size_t r = 0; r < R; ++r) acc[r][0] = acc[r][1] = _mm256_setzero_si256();
    for (size_t k4 = 0; k4 < in_padded / 4; ++k4) {
      const __m256i w0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w + (k4 * out + j) * 4));
      const __m256i w1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w + (k4 * out + j + 8) * 4));
      for (size_t r = 0; r < R; ++r) {
        int32_t four;
        std::memcpy(&four, q + r * in_padded + 4 * k4, 4);
        const __m256i a = _mm256_set1_epi32(four);
        acc[r][0] = _mm256_dpbusd_avx_epi32(acc[r][0], a, w0);
        acc[r][1] = _mm256_dpbusd_avx_epi32(acc[r][1], a, w1);
      }
    }
    store_tile<R>(acc, scales, w_scales, bias, relu, y, out, j);
  }

  // Six rows x 16 columns: 12 accumulators, the two weight vectors and the
  // broadcast fill 15 of the 16 registers, and 12 independent chains cover
  // the dot product's latency (5 cycles on Alder Lake) times its two ports.
  // Named variables, not an array: see tile8 in kernels_avx512_vnni.cpp.
  static void tile6(const uint8_t* q, const float* scales, size_t in_padded, const int8_t* w, const float* w_scales,
                    const float* bias, size_t out, bool relu, float* y, size_t j) {
    // clang-format off
#define BARISTA_ACC(r) __m256i a##r##0 = _mm256_setzero_si256(), a##r##1 = _mm256_setzero_si256();
    BARISTA_ACC(0) BARISTA_ACC(1) BARISTA_ACC(2) BARISTA_ACC(3) BARISTA_ACC(4) BARISTA_ACC(5)
#undef BARISTA_ACC
    for (size_t k4 = 0; k4 < in_padded / 4; ++k4) {
      const __m256i w0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w + (k4 * out + j) * 4));
      const __m256i w1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w + (k4 * out + j + 8) * 4));
      const uint8_t* column = q + 4 * k4;
#define BARISTA_STEP(r)                                  \
  {                                                      \
    int32_t four;                                        \
    std::memcpy(&four, column + (r) * in_padded, 4);     \
    const __m256i a = _mm256_set1_epi32(four);           \
    a##r##0 = _mm256_dpbusd_avx_epi32(a##r##0, a, w0);   \
    a##r##1 = _mm256_dpbusd_avx_epi32(a##r##1, a, w1);   \
  }
      BARISTA_STEP(0) BARISTA_STEP(1) BARISTA_STEP(2) BARISTA_STEP(3) BARISTA_STEP(4) BARISTA_STEP(5)
#undef BARISTA_STEP
    }
    // clang-format on
    const __m256i acc[6][2] = {{a00, a01}, {a10, a11}, {a20, a21}, {a30, a31}, {a40, a41}, {a50, a51}};
    store_tile<6>(acc, scales, w_scales, bias, relu, y, out, j);
  }

  static void dense_u8s8(const uint8_t* q, const float* scales, size_t rows, size_t in_padded, const int8_t* w,
                         const float* w_scales, const float* bias, size_t out, int relu, float* y) {
    const size_t tile_columns = out - out % 16;
    // Columns outer, rows inner: a panel of w (in_padded x 16 bytes) stays
    // in L1 while every row passes over it.
    for (size_t j = 0; j < tile_columns; j += 16) {
      size_t r = 0;
      for (; r + 6 <= rows; r += 6) {
        tile6(q + r * in_padded, scales + r, in_padded, w, w_scales, bias, out, relu, y + r * out, j);
      }
      // A block of 64 rows ends in four.
      for (; r + 4 <= rows; r += 4) {
        tile<4>(q + r * in_padded, scales + r, in_padded, w, w_scales, bias, out, relu, y + r * out, j);
      }
      for (; r < rows; ++r) {
        tile<1>(q + r * in_padded, scales + r, in_padded, w, w_scales, bias, out, relu, y + r * out, j);
      }
    }
    dense_u8s8_columns(q, scales, rows, in_padded, w, w_scales, bias, out, relu != 0, y, tile_columns);
  }
};

}  // namespace
}  // namespace barista::internal

BARISTA_DEFINE_KERNEL_TABLE(avx2_vnni, AvxVnniKernels)
