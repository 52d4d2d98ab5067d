// Compiled with -mavx2 -mfma only (see src/CMakeLists.txt).
#include "kernels/simd_kernels.h"

BARISTA_DEFINE_SIMD_TABLE(avx2, xsimd::fma3<xsimd::avx2>)
