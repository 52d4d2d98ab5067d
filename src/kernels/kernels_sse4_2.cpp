// Compiled with -msse4.2 only (see src/CMakeLists.txt).
#include "kernels/simd_kernels.h"

BARISTA_DEFINE_SIMD_TABLE(sse4_2, xsimd::sse4_2)
