// Compiled with the avx512 variant's flags plus -mavx512vnni only (see
// src/CMakeLists.txt): Cascade Lake, Ice Lake, Sapphire Rapids, Zen 4 and
// later. Every kernel is the AVX-512 one except the int8 matrix product,
// which uses VNNI's u8 x s8 dot product (64 multiply-adds per instruction,
// four times the f32 FMA's).
#include <immintrin.h>

#include <cstring>

#include "kernels/avx512_kernels.h"

namespace barista::internal {
namespace {

struct VnniKernels : Avx512Kernels {
  static constexpr bool kInt8Product = true;

  // max(top16, x) that ignores NaN in x, as the reference's comparison does
  // (x86 max returns its second operand when either is NaN).
  static __m512 max_ignoring_nan(__m512 top16, __m512 x) { return _mm512_max_ps(x, top16); }

  // The largest lane. The halves come out with AVX-512 DQ's extract, whose
  // GCC 12 intrinsic has a defined pass-through: _mm512_reduce_max_ps,
  // _mm512_castps512_ps256 and the 512-bit shuffles warn from the header
  // (-Wuninitialized on _mm512_undefined_ps).
  static float horizontal_max(__m512 v) {
    const __m256 h = _mm256_max_ps(_mm512_extractf32x8_ps(v, 0), _mm512_extractf32x8_ps(v, 1));
    __m128 q = _mm_max_ps(_mm256_castps256_ps128(h), _mm256_extractf128_ps(h, 1));
    q = _mm_max_ps(q, _mm_movehl_ps(q, q));
    return _mm_cvtss_f32(_mm_max_ss(q, _mm_movehdup_ps(q)));
  }

  static void quantize_u8_rows(const float* x, size_t rows, size_t in, size_t in_padded, uint8_t* q, float* scales) {
    const __m512 zero = _mm512_setzero_ps();
    for (size_t r = 0; r < rows; ++r) {
      const float* row = x + r * in;
      uint8_t* out = q + r * in_padded;
      __m512 top16 = zero;
      size_t k = 0;
      for (; k + 16 <= in; k += 16) top16 = max_ignoring_nan(top16, _mm512_loadu_ps(row + k));
      float top = horizontal_max(top16);
      for (; k < in; ++k) top = row[k] > top ? row[k] : top;
      float inverse;
      const float scale = quantize_u8_scale(top, &inverse);
      const __m512 inv = _mm512_set1_ps(inverse), half = _mm512_set1_ps(0.5f);
      const __m512i most = _mm512_set1_epi32(255);
      k = 0;
      for (; k + 16 <= in; k += 16) {
        // max(x, 0) also turns NaN into 0, as the reference's comparison does.
        const __m512 v = _mm512_fmadd_ps(_mm512_max_ps(_mm512_loadu_ps(row + k), zero), inv, half);
        const __m512i n = _mm512_min_epi32(_mm512_cvttps_epi32(v), most);
        _mm_storeu_si128(reinterpret_cast<__m128i*>(out + k), _mm512_cvtusepi32_epi8(n));
      }
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
    const __m512 zero = _mm512_setzero_ps();
    __m512 top16 = zero;
    size_t k = 0;
    for (; k + 16 <= n; k += 16) {
      top16 = max_ignoring_nan(top16, _mm512_add_ps(_mm512_loadu_ps(a + k), _mm512_loadu_ps(b + k)));
    }
    float top = horizontal_max(top16);
    for (; k < n; ++k) top = a[k] + b[k] > top ? a[k] + b[k] : top;
    float inverse;
    *scale = quantize_u8_scale(top, &inverse);
    const __m512 inv = _mm512_set1_ps(inverse), half = _mm512_set1_ps(0.5f);
    const __m512i most = _mm512_set1_epi32(255);
    k = 0;
    for (; k + 16 <= n; k += 16) {  // the row is in L1 by now
      const __m512 sum = _mm512_add_ps(_mm512_loadu_ps(a + k), _mm512_loadu_ps(b + k));
      const __m512 v = _mm512_fmadd_ps(_mm512_max_ps(sum, zero), inv, half);
      _mm_storeu_si128(reinterpret_cast<__m128i*>(q + k),
                       _mm512_cvtusepi32_epi8(_mm512_min_epi32(_mm512_cvttps_epi32(v), most)));
    }
    for (; k < n; ++k) {
      const float v = a[k] + b[k];
      const float u = v > 0.0f ? v * inverse + 0.5f : 0.0f;
      q[k] = static_cast<uint8_t>(u < 255.0f ? u : 255.0f);
    }
    for (; k < n_padded; ++k) q[k] = 0;
  }

  // R rows x 32 columns from column j.
  template <size_t R>
  static void tile(const uint8_t* q, const float* scales, size_t in_padded, const int8_t* w, const float* w_scales,
                   const float* bias, size_t out, bool relu, float* y, size_t j) {
    __m512i acc[R][2];
    for (size_t r = 0; r < R; ++r) acc[r][0] = acc[r][1] = _mm512_setzero_si512();
    for (size_t k4 = 0; k4 < in_padded / 4; ++k4) {
      const __m512i w0 = _mm512_loadu_si512(w + (k4 * out + j) * 4);
      const __m512i w1 = _mm512_loadu_si512(w + (k4 * out + j + 16) * 4);
      for (size_t r = 0; r < R; ++r) {
        int32_t four;
        std::memcpy(&four, q + r * in_padded + 4 * k4, 4);
        const __m512i a = _mm512_set1_epi32(four);
        acc[r][0] = _mm512_dpbusd_epi32(acc[r][0], a, w0);
        acc[r][1] = _mm512_dpbusd_epi32(acc[r][1], a, w1);
      }
    }
    store_tile<R>(acc, scales, w_scales, bias, relu, y, out, j);
  }

  // Scales, bias and ReLU of R rows x 32 columns of integer sums, to y.
  template <size_t R>
  static void store_tile(const __m512i (*acc)[2], const float* scales, const float* w_scales, const float* bias,
                         bool relu, float* y, size_t out, size_t j) {
    const __m512 s0 = _mm512_loadu_ps(w_scales + j), s1 = _mm512_loadu_ps(w_scales + j + 16);
    const __m512 b0 = _mm512_loadu_ps(bias + j), b1 = _mm512_loadu_ps(bias + j + 16);
    const __m512 zero = _mm512_setzero_ps();
    for (size_t r = 0; r < R; ++r) {
      const __m512 row_scale = _mm512_set1_ps(scales[r]);
      __m512 v0 = _mm512_fmadd_ps(_mm512_cvtepi32_ps(acc[r][0]), _mm512_mul_ps(row_scale, s0), b0);
      __m512 v1 = _mm512_fmadd_ps(_mm512_cvtepi32_ps(acc[r][1]), _mm512_mul_ps(row_scale, s1), b1);
      if (relu) {
        v0 = _mm512_max_ps(v0, zero);
        v1 = _mm512_max_ps(v1, zero);
      }
      _mm512_storeu_ps(y + r * out + j, v0);
      _mm512_storeu_ps(y + r * out + j + 16, v1);
    }
  }

  // tile<8> with its 16 accumulators as named variables: GCC 12 keeps an
  // array of them in registers only by copying every one of them, and
  // spilling two, on each step of the loop (twice the instructions).
  static void tile8(const uint8_t* q, const float* scales, size_t in_padded, const int8_t* w, const float* w_scales,
                    const float* bias, size_t out, bool relu, float* y, size_t j) {
    // clang-format off
#define BARISTA_ACC(r) __m512i a##r##0 = _mm512_setzero_si512(), a##r##1 = _mm512_setzero_si512();
    BARISTA_ACC(0) BARISTA_ACC(1) BARISTA_ACC(2) BARISTA_ACC(3)
    BARISTA_ACC(4) BARISTA_ACC(5) BARISTA_ACC(6) BARISTA_ACC(7)
#undef BARISTA_ACC
    for (size_t k4 = 0; k4 < in_padded / 4; ++k4) {
      const __m512i w0 = _mm512_loadu_si512(w + (k4 * out + j) * 4);
      const __m512i w1 = _mm512_loadu_si512(w + (k4 * out + j + 16) * 4);
      const uint8_t* column = q + 4 * k4;
#define BARISTA_STEP(r)                               \
  {                                                   \
    int32_t four;                                     \
    std::memcpy(&four, column + (r) * in_padded, 4);  \
    const __m512i a = _mm512_set1_epi32(four);        \
    a##r##0 = _mm512_dpbusd_epi32(a##r##0, a, w0);    \
    a##r##1 = _mm512_dpbusd_epi32(a##r##1, a, w1);    \
  }
      BARISTA_STEP(0) BARISTA_STEP(1) BARISTA_STEP(2) BARISTA_STEP(3)
      BARISTA_STEP(4) BARISTA_STEP(5) BARISTA_STEP(6) BARISTA_STEP(7)
#undef BARISTA_STEP
    }
    // clang-format on
    const __m512i acc[8][2] = {{a00, a01}, {a10, a11}, {a20, a21}, {a30, a31},
                               {a40, a41}, {a50, a51}, {a60, a61}, {a70, a71}};
    store_tile<8>(acc, scales, w_scales, bias, relu, y, out, j);
  }

  static void dense_u8s8(const uint8_t* q, const float* scales, size_t rows, size_t in_padded, const int8_t* w,
                         const float* w_scales, const float* bias, size_t out, int relu, float* y) {
    const size_t tile_columns = out - out % 32;
    // Columns outer, rows inner: a panel of w (in_padded x 32 bytes) stays
    // in L1 while every row passes over it.
    for (size_t j = 0; j < tile_columns; j += 32) {
      size_t r = 0;
      // 8 rows: 16 independent accumulators cover the dot product's latency.
      for (; r + 8 <= rows; r += 8) {
        tile8(q + r * in_padded, scales + r, in_padded, w, w_scales, bias, out, relu, y + r * out, j);
      }
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

BARISTA_DEFINE_KERNEL_TABLE(avx512_vnni, VnniKernels)
