// Compiled with -msse4.2 only (see src/CMakeLists.txt).
#include "kernels/simd_kernels.h"

BARISTA_DEFINE_KERNEL_TABLE(sse4_2, SimdKernels<xsimd::sse4_2>)
