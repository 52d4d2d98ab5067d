// AArch64's Advanced SIMD (NEON): part of the base ARMv8-A instruction set,
// so this file needs no extra compile flags and the variant runs on every
// 64-bit ARM CPU. The int8 kernels run the scalar reference here (the
// shared template's fallback); ARMv8.2's dot-product instructions are not
// assumed.
#include "kernels/simd_kernels.h"

BARISTA_DEFINE_SIMD_TABLE(neon, xsimd::neon64)
