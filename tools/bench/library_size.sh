#!/bin/sh
# The runtime library's size as it ships, and what takes the space: the
# stripped shared library (strip) and static library (strip
# --strip-unneeded, which keeps what a host's linker needs), the shared
# library's sections, and code plus read-only data per source file (from
# the static library's members). Uses the build's own binutils, so a cross
# build is measured with the cross tools.
#
#   tools/bench/library_size.sh [BUILD_DIR]     (default: build)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-$here/../../build}" && pwd)
cache="$build/CMakeCache.txt"
tool() { sed -n "s/^$1:FILEPATH=//p" "$cache"; }
strip_tool=$(tool CMAKE_STRIP)
nm_tool=$(tool CMAKE_NM)
size_tool=$(echo "$nm_tool" | sed 's/nm$/size/')
objdump_tool=$(tool CMAKE_OBJDUMP)
flags=$(sed -n 's/^BARISTA_NO_EXCEPTIONS:BOOL=//p' "$cache")
version=$(sed -n 's/^CMAKE_PROJECT_VERSION:STATIC=//p' "$cache")

shared="$build/src/runtime/libbarista.so.$version"
processor=$("$objdump_tool" -f "$shared" | sed -n 's/^architecture: \([^,]*\).*/\1/p')
static="$build/src/runtime/libbarista.a"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$strip_tool" -o "$out/shared" "$shared"
"$strip_tool" --strip-unneeded -o "$out/static" "$static"

kib() { awk -v b="$1" 'BEGIN { printf "%.1f KiB", b / 1024 }'; }
echo "runtime library, $processor$( [ "$flags" = ON ] && echo ", -fno-exceptions -fno-rtti"), $(basename "$build")"
echo "  shared $(basename "$shared"): $(kib "$(stat -c %s "$out/shared")") stripped ($(kib "$(stat -c %s "$shared")") as built)"
echo "  static libbarista.a: $(kib "$(stat -c %s "$out/static")") stripped ($(kib "$(stat -c %s "$static")") as built)"
echo "  shared library sections over 4 KiB:"
"$objdump_tool" -h "$out/shared" | awk '$1 ~ /^[0-9]+$/ { print $2, $3 }' | while read -r name hex; do
  bytes=$((0x$hex))
  if [ "$bytes" -gt 4096 ]; then printf "    %-16s %8s\n" "$name" "$(kib "$bytes")"; fi
done
echo "    (the rest: ELF headers, symbol tables and the padding that aligns segments to pages)"
echo "  code + data per source file (static library members), largest first:"
"$size_tool" "$static" | awk 'NR > 1 { sub(/\.o$/, "", $6); printf "    %-32s %8.1f KiB\n", $6, $4 / 1024 }' | sort -k2 -n -r | head -12
exit 0
