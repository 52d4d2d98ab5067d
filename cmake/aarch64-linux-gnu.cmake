# Cross-build for 64-bit ARM Linux with Debian's cross compiler, against the
# arm64 builds of the dependencies from Debian's multiarch packages (see
# .ci/install-deps --aarch64). Tests and the CLI run under qemu-user:
#
#   cmake -S . -B build-aarch64 -DCMAKE_TOOLCHAIN_FILE=cmake/aarch64-linux-gnu.cmake
#   cmake --build build-aarch64 -j2 && ctest --test-dir build-aarch64 -j2
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
# Multiarch: arm64 libraries and their CMake packages live in
# /usr/lib/aarch64-linux-gnu; headers-only packages are shared with the host.
set(CMAKE_LIBRARY_ARCHITECTURE aarch64-linux-gnu)
# qemu-user runs the tests with the multiarch arm64 C and C++ runtimes
# (libc6:arm64, libstdc++6:arm64). Not with `-L /usr/aarch64-linux-gnu`, the
# cross compiler's own copies: under qemu 7.2 that glibc hangs in its first
# pthread_create.
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-aarch64)
