// Picks the kernel table once, when a model is opened, from the CPU's
// features (or the caller's explicit choice, for tests and benchmarks).
#pragma once

#include <vector>

#include "common/status.h"
#include "kernels/kernel_list.h"

namespace barista::internal {

// What the CPU can run, one member per CPU feature named in isa_list.cmake.
struct CpuFeatures {
  // Every CPU of the architecture: the scalar reference, and NEON (mandatory
  // in AArch64).
  bool baseline = true;
  bool sse4_2 = false;
  bool avx2 = false;         // with FMA, and the OS saving AVX state
  bool avx2_vnni = false;    // the above and AVX-VNNI (VEX-encoded, 256-bit)
  bool avx512 = false;       // AVX-512 F/CD/DQ/BW/VL, and the OS saving AVX-512 state
  bool avx512_vnni = false;  // the above and AVX512_VNNI
};

CpuFeatures detect_cpu_features();

// Whether this CPU runs the variant named `isa` ("reference", "avx2", ...);
// false for a name that is not a variant of this build.
bool cpu_supports(const CpuFeatures& cpu, const char* isa);

// `requested` is NULL or "auto" (best supported variant) or a variant name.
Status select_kernels(const char* requested, const KernelTable** out);

// Every variant compiled into this build, reference first.
std::vector<const KernelTable*> all_kernel_tables();

}  // namespace barista::internal
