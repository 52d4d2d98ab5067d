// The one list of kernels. It drives the declarations of every variant, the
// dispatch table, the tests (tests/kernels/kernels_test.cpp needs a check per
// entry or it does not compile) and the benchmarks.
//
// X(name, return type, parameter list)
//
// Conventions: f32 = float, f16 = IEEE binary16 stored as uint16_t,
// q8 = int8 row-wise (value = scale * q + bias, per row [scale, bias]).
// Matrices are row-major. Kernels never allocate and never read outside the
// ranges their arguments describe; callers check ids against table sizes.
#pragma once

#include <cstddef>
#include <cstdint>

#include "common/fast_mod.h"
#include "kernels/isa_list.h"

namespace barista::internal {

// A cross's bucket count, for cross_indices: the divisor as plain data,
// which is all the vector variants read, and FastMod's constants for the
// scalar remainder. FastMod's member functions are called from the
// reference's file only: an inline function compiled in a file with
// AVX-512 flags could be the copy the linker keeps for everyone.
struct CrossBuckets {
  uint64_t divisor = 1;
  FastMod fast;
};

}  // namespace barista::internal

#define BARISTA_KERNEL_LIST(X)                                                                                         \
  /* sum_i a[i] * b[i] */                                                                                              \
  X(dot_f32, float, (const float* a, const float* b, size_t n))                                                        \
  /* y[i] += alpha * x[i] */                                                                                           \
  X(axpy_f32, void, (float alpha, const float* x, float* y, size_t n))                                                 \
  /* y[i] = max(a[i] + b[i], 0) */                                                                                     \
  X(add_relu_f32, void, (const float* a, const float* b, float* y, size_t n))                                          \
  /* y[rows x out] = act(x[rows x in] * w[in x out] + bias[out]); act = relu when relu !=                              \
     0. Tile: 4 rows x 2 SIMD vectors of outputs. */                                                                   \
  X(dense_f32, void,                                                                                                   \
    (const float* x, size_t rows, size_t in, const float* w, const float* bias, size_t out, int relu, float* y))       \
  /* acc[dim] += sum over ids of table[id][dim] */                                                                     \
  X(pool_f32, void, (const float* table, size_t dim, const uint32_t* ids, size_t count, float* acc))                   \
  X(pool_f16, void, (const uint16_t* table, size_t dim, const uint32_t* ids, size_t count, float* acc))                \
  X(pool_q8, void,                                                                                                     \
    (const uint8_t* table, const float* scale_bias, size_t dim, const uint32_t* ids, size_t count, float* acc))        \
  /* sum over ids of weights[id] */                                                                                    \
  X(gather_sum_f32, float, (const float* weights, const uint32_t* ids, size_t count))                                  \
  X(gather_sum_f16, float, (const uint16_t* weights, const uint32_t* ids, size_t count))                               \
  /* Rows of non-negative activations (after a ReLU) to uint8: per row,                                                \
     scale = max / 255 (1 for an all-zero row), q = round(x / scale); negatives                                        \
     become 0; q[r][in .. in_padded) = 0. The int8 fast mode's activations. */                                         \
  X(quantize_u8_rows, void, (const float* x, size_t rows, size_t in, size_t in_padded, uint8_t* q, float* scales))     \
  /* One row of quantize_u8_rows applied to max(a + b, 0): the first layer's                                           \
     request half plus an item's precomputed half, ReLU, to uint8 in one pass. */                                      \
  X(add_relu_quantize_u8, void, (const float* a, const float* b, size_t n, size_t n_padded, uint8_t* q, float* scale)) \
  /* y[rows x out] = act(scales[r] * w_scales[j] * sum_k q[r][k] * w[k][j] + bias[j]); w is int8 in                    \
     [-127, 127], packed as [in_padded / 4][out][4] (four consecutive k of one column together, the                    \
     layout of VNNI's u8 x s8 dot product); in_padded % 4 == 0. */                                                     \
  X(dense_u8s8, void,                                                                                                  \
    (const uint8_t* q, const float* scales, size_t rows, size_t in_padded, const int8_t* w, const float* w_scales,     \
     const float* bias, size_t out, int relu, float* y))                                                               \
  /* out[i] = offset + fingerprint_cat64_mixed(prefix, mixed[i]) % buckets: the weight indices of a cross              \
     whose request-side chain is `prefix` with n items' last-component hashes (in their mixed form).                   \
     Exact for every divisor, as the % operator. */                                                                    \
  X(cross_indices, void,                                                                                               \
    (uint64_t prefix, const uint64_t* mixed, size_t n, const CrossBuckets* buckets, uint32_t offset, uint32_t* out))

// BARISTA_ISA_LIST(X), from kernels/isa_list.h: the instruction sets with a
// variant in this build, best last, as X(name, cpu_feature); `reference` is
// the portable scalar ground truth, always built. The build writes it from
// isa_list.cmake, which also gives each kernels_<name>.cpp its flags.

// "auto, reference, ...": the names a caller may ask for, as one string
// literal (for help texts).
#define BARISTA_ISA_NAME_PART(isa, cpu_feature) ", " #isa
#define BARISTA_KERNEL_CHOICES "auto" BARISTA_ISA_LIST(BARISTA_ISA_NAME_PART)

namespace barista::internal {

struct KernelTable {
  const char* isa;
  // The int8 kernels have a vector body of their own. Where they do not
  // (the reference, SSE4.2, AVX2, AVX-512 without VNNI) they are the scalar
  // reference, many times slower than the same set's f32 layers, and the
  // int8 shortlist is not worth asking for.
  bool int8_product;
#define BARISTA_KERNEL_POINTER(name, ret, params) ret(*name) params;
  BARISTA_KERNEL_LIST(BARISTA_KERNEL_POINTER)
#undef BARISTA_KERNEL_POINTER
};

// The int8 mode's activation scale for a row whose largest value is `top`:
// top / 255 (1 for a row without a positive value), and into `inverse` its
// inverse, divided from top rather than from the scale (two independent
// divisions, not a chain). One definition for every variant, whose scales
// the tests hold equal. Static: each kernel file is compiled for its own
// instruction set, and the linker must not pick one file's copy for all.
static inline float quantize_u8_scale(float top, float* inverse) {
  *inverse = top > 0.0f ? 255.0f / top : 1.0f;
  return top > 0.0f ? top / 255.0f : 1.0f;
}

// One table per instruction set, defined in kernels_<isa>.cpp.
#define BARISTA_DECLARE_ISA_TABLE(isa, cpu_feature) const KernelTable& kernel_table_##isa();
BARISTA_ISA_LIST(BARISTA_DECLARE_ISA_TABLE)
#undef BARISTA_DECLARE_ISA_TABLE

}  // namespace barista::internal
