// The xsimd template bodies: one definition of each kernel, instantiated once
// per instruction set by kernels_<isa>.cpp, each compiled with that set's
// flags only. Include from those files only.
//
// Keep this header free of out-of-line helpers shared with other translation
// units: a non-template inline function compiled here with AVX2 flags could be
// picked by the linker for generic code and fault on older CPUs. Everything
// below is a template on Arch or lives in an anonymous namespace.
#pragma once

#include <xsimd/xsimd.hpp>

#include "common/half.h"
#include "kernels/kernel_list.h"

namespace barista::internal {
namespace {

template <class Arch>
struct SimdKernels {
  using Batch = xsimd::batch<float, Arch>;
  static constexpr size_t kWidth = Batch::size;

  static float dot_f32(const float* a, const float* b, size_t n) {
    Batch acc0(0.0f), acc1(0.0f);
    size_t i = 0;
    for (; i + 2 * kWidth <= n; i += 2 * kWidth) {
      acc0 = xsimd::fma(Batch::load_unaligned(a + i), Batch::load_unaligned(b + i), acc0);
      acc1 = xsimd::fma(Batch::load_unaligned(a + i + kWidth), Batch::load_unaligned(b + i + kWidth), acc1);
    }
    for (; i + kWidth <= n; i += kWidth) {
      acc0 = xsimd::fma(Batch::load_unaligned(a + i), Batch::load_unaligned(b + i), acc0);
    }
    float sum = xsimd::hadd(acc0 + acc1);
    for (; i < n; ++i) sum += a[i] * b[i];
    return sum;
  }

  static void axpy_f32(float alpha, const float* x, float* y, size_t n) {
    const Batch a(alpha);
    size_t i = 0;
    for (; i + kWidth <= n; i += kWidth) {
      xsimd::fma(a, Batch::load_unaligned(x + i), Batch::load_unaligned(y + i)).store_unaligned(y + i);
    }
    for (; i < n; ++i) y[i] += alpha * x[i];
  }

  static void add_relu_f32(const float* a, const float* b, float* y, size_t n) {
    const Batch zero(0.0f);
    size_t i = 0;
    for (; i + kWidth <= n; i += kWidth) {
      xsimd::max(Batch::load_unaligned(a + i) + Batch::load_unaligned(b + i), zero).store_unaligned(y + i);
    }
    for (; i < n; ++i) {
      const float v = a[i] + b[i];
      y[i] = v > 0.0f ? v : 0.0f;
    }
  }

  // One tile of R rows x 2 vectors of outputs starting at column j, over
  // `depth` inputs of rows `stride` apart. Starts from the bias when
  // `bias` is given, else from what y holds (a previous depth chunk); the
  // ReLU, when asked, belongs to the last chunk.
  template <size_t R>
  static void dense_tile(const float* x, size_t stride, size_t depth, const float* w, const float* bias, size_t out,
                         bool relu, float* y, size_t j) {
    Batch acc[R][2];
    for (size_t r = 0; r < R; ++r) {
      acc[r][0] = Batch::load_unaligned(bias != nullptr ? bias + j : y + r * out + j);
      acc[r][1] = Batch::load_unaligned(bias != nullptr ? bias + j + kWidth : y + r * out + j + kWidth);
    }
    for (size_t k = 0; k < depth; ++k) {
      const Batch w0 = Batch::load_unaligned(w + k * out + j);
      const Batch w1 = Batch::load_unaligned(w + k * out + j + kWidth);
      for (size_t r = 0; r < R; ++r) {
        const Batch xv(x[r * stride + k]);
        acc[r][0] = xsimd::fma(xv, w0, acc[r][0]);
        acc[r][1] = xsimd::fma(xv, w1, acc[r][1]);
      }
    }
    const Batch zero(0.0f);
    for (size_t r = 0; r < R; ++r) {
      if (relu) {
        acc[r][0] = xsimd::max(acc[r][0], zero);
        acc[r][1] = xsimd::max(acc[r][1], zero);
      }
      acc[r][0].store_unaligned(y + r * out + j);
      acc[r][1].store_unaligned(y + r * out + j + kWidth);
    }
  }

  // One row x V vectors of outputs from column j. A single row has no other
  // rows to hide the FMA latency behind, so the tile keeps eight independent
  // accumulator chains: V columns' worth, times S streams over alternate
  // inputs when V < 8 (summed at the end). The widest tile reads whole rows
  // of w, so the weights stream from L2 in order.
  template <size_t V>
  static void dense_row_wide(const float* x, size_t in, const float* w, const float* bias, size_t out, bool relu,
                             float* y, size_t j) {
    constexpr size_t S = V >= 8 ? 1 : 8 / V;
    Batch acc[S][V];
    for (size_t v = 0; v < V; ++v) {
      acc[0][v] = Batch::load_unaligned(bias + j + v * kWidth);
      for (size_t s = 1; s < S; ++s) acc[s][v] = Batch(0.0f);
    }
    size_t k = 0;
    for (; k + S <= in; k += S) {
      for (size_t s = 0; s < S; ++s) {
        const Batch xv(x[k + s]);
        for (size_t v = 0; v < V; ++v)
          acc[s][v] = xsimd::fma(xv, Batch::load_unaligned(w + (k + s) * out + j + v * kWidth), acc[s][v]);
      }
    }
    for (; k < in; ++k) {
      const Batch xv(x[k]);
      for (size_t v = 0; v < V; ++v)
        acc[0][v] = xsimd::fma(xv, Batch::load_unaligned(w + k * out + j + v * kWidth), acc[0][v]);
    }
    for (size_t v = 0; v < V; ++v) {
      for (size_t s = 1; s < S; ++s) acc[0][v] += acc[s][v];
      if (relu) acc[0][v] = xsimd::max(acc[0][v], Batch(0.0f));
      acc[0][v].store_unaligned(y + j + v * kWidth);
    }
  }

  // Columns that do not fill a 2-vector tile, one row at a time.
  static void dense_tail_columns(const float* x, size_t rows, size_t in, const float* w, const float* bias, size_t out,
                                 bool relu, float* y, size_t j0) {
    for (size_t r = 0; r < rows; ++r) {
      size_t j = j0;
      for (; j + kWidth <= out; j += kWidth) {
        Batch acc = Batch::load_unaligned(bias + j);
        for (size_t k = 0; k < in; ++k) {
          acc = xsimd::fma(Batch(x[r * in + k]), Batch::load_unaligned(w + k * out + j), acc);
        }
        if (relu) acc = xsimd::max(acc, Batch(0.0f));
        acc.store_unaligned(y + r * out + j);
      }
      for (; j < out; ++j) {
        float sum = bias[j];
        for (size_t k = 0; k < in; ++k) sum += x[r * in + k] * w[k * out + j];
        y[r * out + j] = relu && !(sum > 0.0f) ? 0.0f : sum;
      }
    }
  }

  static void dense_f32(const float* x, size_t rows, size_t in, const float* w, const float* bias, size_t out, int relu,
                        float* y) {
    const size_t tile_columns = out - out % (2 * kWidth);
    if (rows == 1) {
      // One row (a single item, a request's half): wide tiles first.
      size_t j = 0;
      if constexpr (kWidth >= 16) {
        for (; j + 16 * kWidth <= tile_columns; j += 16 * kWidth) dense_row_wide<16>(x, in, w, bias, out, relu, y, j);
      }
      for (; j + 8 * kWidth <= tile_columns; j += 8 * kWidth) dense_row_wide<8>(x, in, w, bias, out, relu, y, j);
      for (; j + 4 * kWidth <= tile_columns; j += 4 * kWidth) dense_row_wide<4>(x, in, w, bias, out, relu, y, j);
      for (; j < tile_columns; j += 2 * kWidth) dense_row_wide<2>(x, in, w, bias, out, relu, y, j);
      if (tile_columns < out) dense_tail_columns(x, rows, in, w, bias, out, relu, y, tile_columns);
      return;
    }
    // Blocked for the caches: 64 rows at a time, and the inputs in chunks of
    // 128, so that a panel of w (128 inputs x 2 vectors) stays in L1 while
    // the block's rows pass over it, and the block's inputs stay in L2
    // across panels. Within a chunk: columns outer, rows inner.
    constexpr size_t kRowBlock = 64, kDepth = 128;
    for (size_t r0 = 0; r0 < rows; r0 += kRowBlock) {
      const size_t block = rows - r0 < kRowBlock ? rows - r0 : kRowBlock;
      size_t k0 = 0;
      do {
        const size_t depth = in - k0 < kDepth ? in - k0 : kDepth;
        const bool first = k0 == 0, last = k0 + depth >= in;
        for (size_t j = 0; j < tile_columns; j += 2 * kWidth) {
          size_t r = 0;
          // AVX-512 has 32 vector registers: 8 rows (16 accumulators) hide
          // the FMA latency better; 16 registers hold no more than 4 rows.
          if constexpr (kWidth >= 16) {
            for (; r + 8 <= block; r += 8) {
              dense_tile<8>(x + (r0 + r) * in + k0, in, depth, w + k0 * out, first ? bias : nullptr, out, relu && last,
                            y + (r0 + r) * out, j);
            }
          }
          for (; r + 4 <= block; r += 4) {
            dense_tile<4>(x + (r0 + r) * in + k0, in, depth, w + k0 * out, first ? bias : nullptr, out, relu && last,
                          y + (r0 + r) * out, j);
          }
          for (; r < block; ++r) {
            dense_tile<1>(x + (r0 + r) * in + k0, in, depth, w + k0 * out, first ? bias : nullptr, out, relu && last,
                          y + (r0 + r) * out, j);
          }
        }
        k0 += depth;
      } while (k0 < in);
    }
    if (tile_columns < out) dense_tail_columns(x, rows, in, w, bias, out, relu, y, tile_columns);
  }

  static void pool_f32(const float* table, size_t dim, const uint32_t* ids, size_t count, float* acc) {
    for (size_t i = 0; i < count; ++i) {
      const float* row = table + static_cast<size_t>(ids[i]) * dim;
      size_t c = 0;
      for (; c + kWidth <= dim; c += kWidth) {
        (Batch::load_unaligned(acc + c) + Batch::load_unaligned(row + c)).store_unaligned(acc + c);
      }
      for (; c < dim; ++c) acc[c] += row[c];
    }
  }

  // f16 rows are widened element by element (portable; hardware conversion
  // is a later optimization) and accumulated with SIMD adds.
  static void pool_f16(const uint16_t* table, size_t dim, const uint32_t* ids, size_t count, float* acc) {
    for (size_t i = 0; i < count; ++i) {
      const uint16_t* row = table + static_cast<size_t>(ids[i]) * dim;
      size_t c = 0;
      for (; c + kWidth <= dim; c += kWidth) {
        alignas(64) float widened[kWidth];
        for (size_t l = 0; l < kWidth; ++l) widened[l] = half_to_float(row[c + l]);
        (Batch::load_unaligned(acc + c) + Batch::load_aligned(widened)).store_unaligned(acc + c);
      }
      for (; c < dim; ++c) acc[c] += half_to_float(row[c]);
    }
  }

  // A plain loop: compiled with this instruction set's flags, the compiler
  // vectorizes the uint8 -> float widening better than xsimd 8 can express it.
  static void pool_q8(const uint8_t* table, const float* scale_bias, size_t dim, const uint32_t* ids, size_t count,
                      float* acc) {
    for (size_t i = 0; i < count; ++i) {
      const size_t id = ids[i];
      const uint8_t* row = table + id * dim;
      const float scale = scale_bias[2 * id];
      const float bias = scale_bias[2 * id + 1];
      for (size_t c = 0; c < dim; ++c) acc[c] += scale * static_cast<float>(row[c]) + bias;
    }
  }

  static float gather_sum_f32(const float* weights, const uint32_t* ids, size_t count) {
    float sum = 0.0f;
    for (size_t i = 0; i < count; ++i) sum += weights[ids[i]];
    return sum;
  }

  // The int8 kernels have no xsimd body (xsimd 8 has no u8 x s8 dot
  // product): these sets run the scalar reference; the avx512_vnni,
  // avx2_vnni and neon variants have their own intrinsics (vnni_int8.h,
  // kernels_neon.cpp) and set kInt8Product.
  static constexpr bool kInt8Product = false;
  static void quantize_u8_rows(const float* x, size_t rows, size_t in, size_t in_padded, uint8_t* q, float* scales) {
    kernel_table_reference().quantize_u8_rows(x, rows, in, in_padded, q, scales);
  }
  static void add_relu_quantize_u8(const float* a, const float* b, size_t n, size_t n_padded, uint8_t* q,
                                   float* scale) {
    kernel_table_reference().add_relu_quantize_u8(a, b, n, n_padded, q, scale);
  }
  static void dense_u8s8(const uint8_t* q, const float* scales, size_t rows, size_t in_padded, const int8_t* w,
                         const float* w_scales, const float* bias, size_t out, int relu, float* y) {
    kernel_table_reference().dense_u8s8(q, scales, rows, in_padded, w, w_scales, bias, out, relu, y);
  }

  // Columns [j0, out) of dense_u8s8 one at a time, for the variants with
  // their own int8 tiles: the columns past their last whole tile.
  static void dense_u8s8_columns(const uint8_t* q, const float* scales, size_t rows, size_t in_padded, const int8_t* w,
                                 const float* w_scales, const float* bias, size_t out, bool relu, float* y, size_t j0) {
    for (size_t r = 0; r < rows; ++r) {
      for (size_t j = j0; j < out; ++j) {
        int32_t sum = 0;
        for (size_t k = 0; k < in_padded; ++k) {
          sum += static_cast<int32_t>(q[r * in_padded + k]) * w[((k / 4) * out + j) * 4 + k % 4];
        }
        const float v = scales[r] * w_scales[j] * static_cast<float>(sum) + bias[j];
        y[r * out + j] = relu && !(v > 0.0f) ? 0.0f : v;
      }
    }
  }

  static float gather_sum_f16(const uint16_t* weights, const uint32_t* ids, size_t count) {
    float sum = 0.0f;
    for (size_t i = 0; i < count; ++i) sum += half_to_float(weights[ids[i]]);
    return sum;
  }

  // 64-bit multiplies and exact remainders: only AVX-512 (DQ) has vector
  // forms of both (avx512_kernels.h); elsewhere the scalar reference.
  static void cross_indices(uint64_t prefix, const uint64_t* mixed, size_t n, const CrossBuckets* buckets,
                            uint32_t offset, uint32_t* out) {
    kernel_table_reference().cross_indices(prefix, mixed, n, buckets, offset, out);
  }
};

}  // namespace
}  // namespace barista::internal

// Defines kernel_table_<isa>() from the static members of `kernels`
// (SimdKernels<arch> or a struct derived from it). At file scope.
#define BARISTA_DEFINE_KERNEL_TABLE(isa, kernels)                                                      \
  namespace barista::internal {                                                                        \
  const KernelTable& kernel_table_##isa() {                                                            \
    using K = kernels;                                                                                 \
    static const KernelTable table = {#isa, K::kInt8Product, BARISTA_KERNEL_LIST(BARISTA_SIMD_ENTRY)}; \
    return table;                                                                                      \
  }                                                                                                    \
  }
#define BARISTA_SIMD_ENTRY(name, ret, params) &K::name,
