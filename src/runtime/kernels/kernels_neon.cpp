// AArch64's Advanced SIMD (NEON): part of the base ARMv8-A instruction set,
// so this file needs no extra compile flags and the variant runs on every
// 64-bit ARM CPU. Every kernel is the shared xsimd body except the int8
// matrix product of the int8 shortlist, which xsimd 8 cannot express: it is
// written here with ARMv8.0 intrinsics (widening multiply-accumulates of
// u8 x s8 into 32-bit sums). ARMv8.2's dot-product instructions (SDOT/UDOT)
// would do four times the work per instruction but are not in every
// ARMv8 core, so they are not assumed.
#include <arm_neon.h>

#include <cstring>

#include "kernels/simd_kernels.h"

namespace barista::internal {
namespace {

struct NeonKernels : SimdKernels<xsimd::neon64> {
  static constexpr bool kInt8Product = true;

  // R rows x 4 columns from column j: one 16-byte load of w holds four
  // inputs of four columns ([k/4][column][4] layout); each row's four
  // inputs are widened once and multiplied into a 32-bit accumulator per
  // (row, column), whose four lanes are summed at the end.
  template <size_t R>
  static void tile(const uint8_t* q, const float* scales, size_t in_padded, const int8_t* w, const float* w_scales,
                   const float* bias, size_t out, bool relu, float* y, size_t j) {
    int32x4_t acc[R][4];
    for (size_t r = 0; r < R; ++r) {
      for (size_t c = 0; c < 4; ++c) acc[r][c] = vdupq_n_s32(0);
    }
    for (size_t g = 0; g < in_padded / 4; ++g) {
      const int8x16_t wv = vld1q_s8(w + (g * out + j) * 4);
      const int16x8_t low = vmovl_s8(vget_low_s8(wv)), high = vmovl_s8(vget_high_s8(wv));
      const int16x4_t wc[4] = {vget_low_s16(low), vget_high_s16(low), vget_low_s16(high), vget_high_s16(high)};
      for (size_t r = 0; r < R; ++r) {
        uint32_t four;
        std::memcpy(&four, q + r * in_padded + g * 4, 4);
        const int16x4_t qv = vget_low_s16(vreinterpretq_s16_u16(vmovl_u8(vreinterpret_u8_u32(vdup_n_u32(four)))));
        for (size_t c = 0; c < 4; ++c) acc[r][c] = vmlal_s16(acc[r][c], wc[c], qv);
      }
    }
    for (size_t r = 0; r < R; ++r) {
      for (size_t c = 0; c < 4; ++c) {
        const float v = scales[r] * w_scales[j + c] * static_cast<float>(vaddvq_s32(acc[r][c])) + bias[j + c];
        y[r * out + j + c] = relu && !(v > 0.0f) ? 0.0f : v;
      }
    }
  }

  static void dense_u8s8(const uint8_t* q, const float* scales, size_t rows, size_t in_padded, const int8_t* w,
                         const float* w_scales, const float* bias, size_t out, int relu, float* y) {
    const size_t tile_columns = out - out % 4;
    size_t r = 0;
    for (; r + 4 <= rows; r += 4) {
      for (size_t j = 0; j < tile_columns; j += 4) {
        tile<4>(q + r * in_padded, scales + r, in_padded, w, w_scales, bias, out, relu != 0, y + r * out, j);
      }
    }
    for (; r < rows; ++r) {
      for (size_t j = 0; j < tile_columns; j += 4) {
        tile<1>(q + r * in_padded, scales + r, in_padded, w, w_scales, bias, out, relu != 0, y + r * out, j);
      }
    }
    dense_u8s8_columns(q, scales, rows, in_padded, w, w_scales, bias, out, relu != 0, y, tile_columns);
  }
};

}  // namespace
}  // namespace barista::internal

BARISTA_DEFINE_KERNEL_TABLE(neon, NeonKernels)
