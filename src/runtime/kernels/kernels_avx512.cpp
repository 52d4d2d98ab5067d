// Compiled with -mavx512f -mavx512cd -mavx512dq -mavx512bw -mavx512vl -mfma
// only (see src/CMakeLists.txt): the Skylake-SP level every AVX-512 CPU in
// use has; xsimd's AVX-512 float code and cross_indices (avx512_kernels.h)
// need DQ.
#include "kernels/avx512_kernels.h"

BARISTA_DEFINE_KERNEL_TABLE(avx512, Avx512Kernels)
