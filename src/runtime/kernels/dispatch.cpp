#include "kernels/dispatch.h"

#include <cstring>
#include <string>

#if (defined(__x86_64__) || defined(_M_X64)) && (defined(__GNUC__) || defined(__clang__))
#include <cpuid.h>
#define BARISTA_X86_CPUID 1
#endif

namespace barista::internal {

#if defined(BARISTA_X86_CPUID)
namespace {
uint64_t read_xcr0() {
  uint32_t eax, edx;
  __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
  return (static_cast<uint64_t>(edx) << 32) | eax;
}
}  // namespace
#endif

namespace {
CpuFeatures query_cpu() {
  CpuFeatures cpu;
#if defined(BARISTA_X86_CPUID)
  unsigned eax, ebx, ecx, edx;
  if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return cpu;
  cpu.sse4_2 = (ecx >> 20) & 1;
  const bool fma = (ecx >> 12) & 1;
  const bool osxsave = (ecx >> 27) & 1;
  const bool avx = (ecx >> 28) & 1;
  // AVX code also needs the OS to save the wider registers (XCR0).
  const uint64_t xcr0 = osxsave ? read_xcr0() : 0;
  const bool os_avx = (xcr0 & 0x6) == 0x6;
  const bool os_avx512 = (xcr0 & 0xe6) == 0xe6;
  unsigned leaf7_subleaves = 0;
  if (__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx)) {
    leaf7_subleaves = eax;
    cpu.avx2 = avx && fma && os_avx && ((ebx >> 5) & 1);
    // F, DQ, CD, BW, VL: the set kernels_avx512.cpp is compiled for.
    const bool avx512 =
        ((ebx >> 16) & 1) && ((ebx >> 17) & 1) && ((ebx >> 28) & 1) && ((ebx >> 30) & 1) && ((ebx >> 31) & 1);
    cpu.avx512 = cpu.avx2 && os_avx512 && avx512;
    cpu.avx512_vnni = cpu.avx512 && ((ecx >> 11) & 1);
  }
  // AVX-VNNI is bit 4 of EAX in leaf 7's subleaf 1 (which exists when
  // subleaf 0's EAX, the last subleaf, is at least 1).
  if (cpu.avx2 && leaf7_subleaves >= 1 && __get_cpuid_count(7, 1, &eax, &ebx, &ecx, &edx)) {
    cpu.avx2_vnni = (eax >> 4) & 1;
  }
#endif
  return cpu;
}
}  // namespace

CpuFeatures detect_cpu_features() {
  // Asked once per process: CPUID traps to the hypervisor in a VM (12 us
  // each on the development machine, four per query), which would dominate
  // opening a model. The value never changes once computed, and C++11 makes
  // its initialization thread-safe: no mutable global state.
  static const CpuFeatures cpu = query_cpu();
  return cpu;
}

bool cpu_supports(const CpuFeatures& cpu, const char* isa) {
#define BARISTA_ISA_SUPPORTED(name, cpu_feature) \
  if (std::strcmp(isa, #name) == 0) return cpu.cpu_feature;
  BARISTA_ISA_LIST(BARISTA_ISA_SUPPORTED)
#undef BARISTA_ISA_SUPPORTED
  return false;
}

std::vector<const KernelTable*> all_kernel_tables() {
  std::vector<const KernelTable*> tables;
#define BARISTA_APPEND_TABLE(isa, cpu_feature) tables.push_back(&kernel_table_##isa());
  BARISTA_ISA_LIST(BARISTA_APPEND_TABLE)
#undef BARISTA_APPEND_TABLE
  return tables;
}

Status select_kernels(const char* requested, const KernelTable** out) {
  const CpuFeatures cpu = detect_cpu_features();
  const KernelTable* chosen = nullptr;
  const bool automatic = requested == nullptr || requested[0] == '\0' || std::strcmp(requested, "auto") == 0;
  std::string known;
#define BARISTA_CONSIDER_TABLE(isa, cpu_feature)                                                                   \
  {                                                                                                                \
    const KernelTable& table = kernel_table_##isa();                                                               \
    known += known.empty() ? #isa : ", " #isa;                                                                     \
    if (automatic) {                                                                                               \
      if (cpu.cpu_feature) chosen = &table; /* best last */                                                        \
    } else if (std::strcmp(requested, #isa) == 0) {                                                                \
      if (!cpu.cpu_feature) {                                                                                      \
        return make_error(BARISTA_STATUS_UNSUPPORTED, "kernels '%s' need instructions this CPU lacks", requested); \
      }                                                                                                            \
      chosen = &table;                                                                                             \
    }                                                                                                              \
  }
  BARISTA_ISA_LIST(BARISTA_CONSIDER_TABLE)
#undef BARISTA_CONSIDER_TABLE
  if (chosen == nullptr) {
    return make_error(BARISTA_STATUS_UNSUPPORTED, "unknown kernels '%s' (this build has: auto, %s)", requested,
                      known.c_str());
  }
  *out = chosen;
  return Status();
}

}  // namespace barista::internal
