// The int8 mode's three kernels on a VNNI u8 x s8 dot product, written once
// for both register widths. `V` holds one width's intrinsics (Vnni512 in
// kernels_avx512_vnni.cpp, Vnni256 in kernels_avx2_vnni.cpp) and how many
// rows its widest tile takes; `Base` is the variant's f32 kernels. Include
// from those two files only: like simd_kernels.h, this header holds
// templates in an anonymous namespace and nothing else.
#pragma once

#include <cstring>

#include "kernels/simd_kernels.h"

namespace barista::internal {
namespace {

// Scales, bias and ReLU of R rows x 2 vectors of integer sums, to y.
template <class V, size_t R>
void vnni_store_tile(const typename V::Ints (*acc)[2], const float* scales, const float* w_scales, const float* bias,
                     bool relu, float* y, size_t out, size_t j) {
  constexpr size_t L = V::kLanes;
  const typename V::Floats s0 = V::load(w_scales + j), s1 = V::load(w_scales + j + L);
  const typename V::Floats b0 = V::load(bias + j), b1 = V::load(bias + j + L);
  for (size_t r = 0; r < R; ++r) {
    const typename V::Floats row_scale = V::set1(scales[r]);
    typename V::Floats v0 = V::fmadd(V::to_float(acc[r][0]), V::mul(row_scale, s0), b0);
    typename V::Floats v1 = V::fmadd(V::to_float(acc[r][1]), V::mul(row_scale, s1), b1);
    if (relu) {
      v0 = V::max(v0, V::zero());
      v1 = V::max(v1, V::zero());
    }
    V::store(y + r * out + j, v0);
    V::store(y + r * out + j + L, v1);
  }
}

// The four input bytes of one row at k4, in every 32-bit lane.
template <class V>
typename V::Ints vnni_broadcast4(const uint8_t* q) {
  int32_t four;
  std::memcpy(&four, q, 4);
  return V::set1_ints(four);
}

template <class V, class Base>
struct VnniInt8Kernels : Base {
  using Floats = typename V::Floats;
  using Ints = typename V::Ints;
  static constexpr size_t kLanes = V::kLanes;
  static constexpr bool kInt8Product = true;

  // max(top, x) that ignores NaN in x, as the reference's comparison does
  // (x86 max returns its second operand when either is NaN).
  static Floats max_ignoring_nan(Floats top, Floats x) { return V::max(x, top); }

  static void quantize_u8_rows(const float* x, size_t rows, size_t in, size_t in_padded, uint8_t* q, float* scales) {
    for (size_t r = 0; r < rows; ++r) {
      const float* row = x + r * in;
      uint8_t* out = q + r * in_padded;
      Floats tops = V::zero();
      size_t k = 0;
      for (; k + kLanes <= in; k += kLanes) tops = max_ignoring_nan(tops, V::load(row + k));
      float top = V::horizontal_max(tops);
      for (; k < in; ++k) top = row[k] > top ? row[k] : top;
      float inverse;
      const float scale = quantize_u8_scale(top, &inverse);
      const Floats inv = V::set1(inverse);
      k = 0;
      for (; k + kLanes <= in; k += kLanes) V::quantize(V::load(row + k), inv, out + k);
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
    Floats tops = V::zero();
    size_t k = 0;
    for (; k + kLanes <= n; k += kLanes) tops = max_ignoring_nan(tops, V::add(V::load(a + k), V::load(b + k)));
    float top = V::horizontal_max(tops);
    for (; k < n; ++k) top = a[k] + b[k] > top ? a[k] + b[k] : top;
    float inverse;
    *scale = quantize_u8_scale(top, &inverse);
    const Floats inv = V::set1(inverse);
    k = 0;
    for (; k + kLanes <= n; k += kLanes) {  // the row is in L1 by now
      V::quantize(V::add(V::load(a + k), V::load(b + k)), inv, q + k);
    }
    for (; k < n; ++k) {
      const float v = a[k] + b[k];
      const float u = v > 0.0f ? v * inverse + 0.5f : 0.0f;
      q[k] = static_cast<uint8_t>(u < 255.0f ? u : 255.0f);
    }
    for (; k < n_padded; ++k) q[k] = 0;
  }

  // R rows x 2 vectors of columns from column j, for the rows past the last
  // tile_rows.
  template <size_t R>
  static void tile(const uint8_t* q, const float* scales, size_t in_padded, const int8_t* w, const float* w_scales,
                   const float* bias, size_t out, bool relu, float* y, size_t j) {
    Ints acc[R][2];
    for (size_t r = 0; r < R; ++r) acc[r][0] = acc[r][1] = V::zero_ints();
    for (size_t k4 = 0; k4 < in_padded / 4; ++k4) {
      const Ints w0 = V::load_ints(w + (k4 * out + j) * 4);
      const Ints w1 = V::load_ints(w + (k4 * out + j + kLanes) * 4);
      for (size_t r = 0; r < R; ++r) {
        const Ints a = vnni_broadcast4<V>(q + r * in_padded + 4 * k4);
        acc[r][0] = V::dot(acc[r][0], a, w0);
        acc[r][1] = V::dot(acc[r][1], a, w1);
      }
    }
    vnni_store_tile<V, R>(acc, scales, w_scales, bias, relu, y, out, j);
  }

  // V::kTileRows (8 or 6) rows x 2 vectors of columns: 16 or 12
  // independent accumulators cover the dot product's latency (5 cycles on
  // Alder Lake) times its two ports; with the two weight vectors and the
  // broadcast they fill 19 of AVX-512's 32 registers, or 15 of AVX2's 16.
  // Named variables: GCC 12 keeps an array of them in registers only by
  // copying every one of them, and spilling two, on each step of the loop
  // (twice the instructions). Rows 6 and 7 exist only for the 8-row tile;
  // for the other, the compiler drops them.
  static void tile_rows(const uint8_t* q, const float* scales, size_t in_padded, const int8_t* w, const float* w_scales,
                        const float* bias, size_t out, bool relu, float* y, size_t j) {
    static_assert(V::kTileRows == 6 || V::kTileRows == 8, "tile_rows has six or eight rows");
    // clang-format off
#define BARISTA_ACC(r) Ints a##r##0 = V::zero_ints(), a##r##1 = V::zero_ints();
    BARISTA_ACC(0) BARISTA_ACC(1) BARISTA_ACC(2) BARISTA_ACC(3)
    BARISTA_ACC(4) BARISTA_ACC(5) BARISTA_ACC(6) BARISTA_ACC(7)
#undef BARISTA_ACC
    for (size_t k4 = 0; k4 < in_padded / 4; ++k4) {
      const Ints w0 = V::load_ints(w + (k4 * out + j) * 4);
      const Ints w1 = V::load_ints(w + (k4 * out + j + kLanes) * 4);
      const uint8_t* column = q + 4 * k4;
#define BARISTA_STEP(r)                                            \
  {                                                                \
    const Ints a = vnni_broadcast4<V>(column + (r) * in_padded);   \
    a##r##0 = V::dot(a##r##0, a, w0);                              \
    a##r##1 = V::dot(a##r##1, a, w1);                              \
  }
      BARISTA_STEP(0) BARISTA_STEP(1) BARISTA_STEP(2) BARISTA_STEP(3) BARISTA_STEP(4) BARISTA_STEP(5)
      if constexpr (V::kTileRows == 8) { BARISTA_STEP(6) BARISTA_STEP(7) }
#undef BARISTA_STEP
    }
    // clang-format on
    const Ints acc[8][2] = {{a00, a01}, {a10, a11}, {a20, a21}, {a30, a31},
                            {a40, a41}, {a50, a51}, {a60, a61}, {a70, a71}};
    vnni_store_tile<V, V::kTileRows>(acc, scales, w_scales, bias, relu, y, out, j);
  }

  static void dense_u8s8(const uint8_t* q, const float* scales, size_t rows, size_t in_padded, const int8_t* w,
                         const float* w_scales, const float* bias, size_t out, int relu, float* y) {
    const size_t tile_columns = out - out % (2 * kLanes);
    // Columns outer, rows inner: a panel of w (in_padded x 2 vectors) stays
    // in L1 while every row passes over it.
    for (size_t j = 0; j < tile_columns; j += 2 * kLanes) {
      size_t r = 0;
      for (; r + V::kTileRows <= rows; r += V::kTileRows) {
        tile_rows(q + r * in_padded, scales + r, in_padded, w, w_scales, bias, out, relu, y + r * out, j);
      }
      for (; r + 4 <= rows; r += 4) {
        tile<4>(q + r * in_padded, scales + r, in_padded, w, w_scales, bias, out, relu, y + r * out, j);
      }
      for (; r < rows; ++r) {
        tile<1>(q + r * in_padded, scales + r, in_padded, w, w_scales, bias, out, relu, y + r * out, j);
      }
    }
    Base::dense_u8s8_columns(q, scales, rows, in_padded, w, w_scales, bias, out, relu != 0, y, tile_columns);
  }
};

}  // namespace
}  // namespace barista::internal
