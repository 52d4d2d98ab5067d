// The AVX-512 variant: the shared xsimd bodies plus the kernels written with
// intrinsics for AVX-512 DQ. Include from kernels_avx512.cpp and
// kernels_avx512_vnni.cpp only (compiled with those flags; see
// simd_kernels.h on why nothing here may be a non-template inline function
// outside an anonymous namespace).
#pragma once

#include <immintrin.h>

#include "kernels/simd_kernels.h"

namespace barista::internal {
namespace {

struct Avx512Kernels : SimdKernels<xsimd::avx512bw> {
  // Eight indices per step. The scalar form spends about seven 64-bit
  // multiplies per index (two in the hash, four or five in FastMod's exact
  // remainder) and is bound by the one scalar multiplier; here the hash is
  // two vector multiplies per eight, and the remainder comes from a
  // double-precision estimate of the quotient, corrected to exact.
  //
  // Why the estimate is exact after corrections: for h < 2^64 and d >= 2,
  // p = fl(fl(h) * fl(1/d)) is within (2^10 + 2^12) / d of h / d (2^10 from
  // rounding h to 53 bits, 2^12 from the two relative errors of 2^-53 on a
  // quotient below 2^64 / d). For d >= 2^13 that is below 1, so
  // q = trunc(p) is floor(h / d) or one off either way, and r = h - q * d,
  // computed modulo 2^64, lies in [-d, 2d) as a signed value: one
  // conditional add and one conditional subtract make it exact. For smaller
  // d, r after the first round is below 2^34 in magnitude, exactly
  // representable, and a second round on r (with floor, since r may be
  // negative) leaves the same [-d, 2d). Divisors of 1 and above 2^32 (never
  // a wide table's bucket count, which fits its 32-bit indices) take the
  // scalar reference.
  static void cross_indices(uint64_t prefix, const uint64_t* mixed, size_t n, const CrossBuckets* buckets,
                            uint32_t offset, uint32_t* out) {
    const uint64_t d = buckets->divisor;
    if (d < 2 || d > (uint64_t{1} << 32)) {
      kernel_table_reference().cross_indices(prefix, mixed, n, buckets, offset, out);
      return;
    }
    constexpr uint64_t kMul = 0xc6a4a7935bd1e995ULL;  // fingerprint_cat64_mixed's
    const __m512i mul = _mm512_set1_epi64(static_cast<long long>(kMul));
    const __m512i seed = _mm512_set1_epi64(static_cast<long long>(prefix ^ kMul));
    const __m512i divisor = _mm512_set1_epi64(static_cast<long long>(d));
    const __m512d inverse = _mm512_set1_pd(1.0 / static_cast<double>(d));
    const __m256i base = _mm256_set1_epi32(static_cast<int>(offset));
    const __m512i zero = _mm512_setzero_si512();
    const bool one_round = d >= (uint64_t{1} << 13);
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
      __m512i h = _mm512_xor_si512(seed, _mm512_loadu_si512(mixed + i));
      h = _mm512_mullo_epi64(h, mul);
      h = _mm512_mullo_epi64(_mm512_xor_si512(h, _mm512_srli_epi64(h, 47)), mul);
      h = _mm512_xor_si512(h, _mm512_srli_epi64(h, 47));
      const __m512i q = _mm512_cvttpd_epu64(_mm512_mul_pd(_mm512_cvtepu64_pd(h), inverse));
      __m512i r = _mm512_sub_epi64(h, _mm512_mullo_epi64(q, divisor));
      if (!one_round) {
        const __m512d p = _mm512_roundscale_pd(_mm512_mul_pd(_mm512_cvtepi64_pd(r), inverse),
                                               _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC);
        r = _mm512_sub_epi64(r, _mm512_mullo_epi64(_mm512_cvtpd_epi64(p), divisor));
      }
      r = _mm512_mask_add_epi64(r, _mm512_cmplt_epi64_mask(r, zero), r, divisor);
      r = _mm512_mask_sub_epi64(r, _mm512_cmpge_epi64_mask(r, divisor), r, divisor);
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + i), _mm256_add_epi32(_mm512_cvtepi64_epi32(r), base));
    }
    kernel_table_reference().cross_indices(prefix, mixed + i, n - i, buckets, offset, out + i);
  }
};

}  // namespace
}  // namespace barista::internal
