// Compiled with -mavx2 -mfma only (see src/CMakeLists.txt).
#include "kernels/simd_kernels.h"

BARISTA_DEFINE_KERNEL_TABLE(avx2, SimdKernels<xsimd::fma3<xsimd::avx2>>)
