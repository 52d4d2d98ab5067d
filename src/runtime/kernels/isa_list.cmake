# The kernel variants, one per instruction set, best last within an
# architecture: the one list from which the build takes each variant's
# translation unit and compile flags, and from which it writes
# kernels/isa_list.h (BARISTA_ISA_LIST) into the build tree for the runtime's
# dispatch, tests and help texts.
#
# It lives in CMake rather than in a header that CMake would parse: the flags
# are the build's own language (per-compiler generator expressions), and CMake
# writes a header reliably but cannot read C preprocessor code. Everything the
# C++ side needs (a name, a CPU feature) is plain text in the header.
#
#   barista_isa(<name> ARCH <x86_64|aarch64|any> CPU <feature> [FLAGS <option>...])
#
# <name>: kernels/kernels_<name>.cpp defines kernel_table_<name>() and is the
#   only file compiled with FLAGS (one translation unit per instruction set,
#   nothing else built with its instructions, no -march=native anywhere).
# ARCH: the variant is built only for that architecture (CMAKE_SYSTEM_PROCESSOR,
#   normalized below), or for every one.
# CPU: the member of CpuFeatures (kernels/dispatch.h) that says this CPU runs
#   the variant; `baseline` holds on every CPU of the architecture.

if(CMAKE_SYSTEM_PROCESSOR MATCHES "^(x86_64|AMD64|amd64)$")
  set(BARISTA_ARCH x86_64)
elseif(CMAKE_SYSTEM_PROCESSOR MATCHES "^(aarch64|arm64|ARM64)$")
  set(BARISTA_ARCH aarch64)
else()
  set(BARISTA_ARCH other)
endif()

# Fills BARISTA_ISAS (this build's variants, in list order) and, per variant,
# BARISTA_ISA_<name>_CPU and BARISTA_ISA_<name>_FLAGS, in the includer's scope.
set(BARISTA_ISAS "")
function(barista_isa name)
  cmake_parse_arguments(PARSE_ARGV 1 ISA "" "ARCH;CPU" "FLAGS")
  if(NOT ISA_ARCH OR NOT ISA_CPU OR ISA_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "barista_isa(${name}): needs ARCH and CPU, and only FLAGS besides")
  endif()
  if(NOT ISA_ARCH STREQUAL "any" AND NOT ISA_ARCH STREQUAL BARISTA_ARCH)
    return()
  endif()
  set(BARISTA_ISAS ${BARISTA_ISAS} ${name} PARENT_SCOPE)
  set(BARISTA_ISA_${name}_CPU ${ISA_CPU} PARENT_SCOPE)
  set(BARISTA_ISA_${name}_FLAGS ${ISA_FLAGS} PARENT_SCOPE)
endfunction()

# The portable scalar ground truth every other variant is tested against.
barista_isa(reference ARCH any CPU baseline)

barista_isa(sse4_2 ARCH x86_64 CPU sse4_2 FLAGS -msse4.2)
barista_isa(avx2 ARCH x86_64 CPU avx2 FLAGS -mavx2 -mfma)
barista_isa(avx2_vnni ARCH x86_64 CPU avx2_vnni FLAGS -mavx2 -mfma -mavxvnni)
# -Wno-maybe-uninitialized: GCC 12's own avx512fintrin.h trips it
# (`__m512 __Y = __Y;` in _mm512_undefined_ps).
barista_isa(avx512 ARCH x86_64 CPU avx512
  FLAGS -mavx512f -mavx512cd -mavx512dq -mavx512bw -mavx512vl -mfma
        $<$<CXX_COMPILER_ID:GNU>:-Wno-maybe-uninitialized>)
barista_isa(avx512_vnni ARCH x86_64 CPU avx512_vnni
  FLAGS -mavx512f -mavx512cd -mavx512dq -mavx512bw -mavx512vl -mfma -mavx512vnni
        $<$<CXX_COMPILER_ID:GNU>:-Wno-maybe-uninitialized>)

# Advanced SIMD is mandatory in AArch64: part of its baseline, no flag needed.
barista_isa(neon ARCH aarch64 CPU baseline)
