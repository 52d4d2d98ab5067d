#!/bin/sh
# barista against ONNX Runtime on the same model, same inputs, one thread
# each: generates a reference shape, exports it as ONNX, writes one request
# against the first N catalog items as the graph's inputs, times barista on
# that batch, then ONNX Runtime (npm's onnxruntime-node, driven from Node.js
# with intraOpNumThreads = 1) and checks that the scores agree within 1e-5.
#
#   tools/bench/onnx.sh [BUILD_DIR] [SHAPE] [BATCH]     (defaults: build, M, 10000)
#
# Needs node and npm; onnxruntime-node is installed once into
# BUILD_DIR/onnx-bench (outside the sources), without its install script,
# which would try to download GPU libraries.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
shape=${2:-M}
batch=${3:-10000}
barista=$build/bin/barista
node_dir=$build/onnx-bench
if [ ! -d "$node_dir/node_modules/onnxruntime-node" ]; then
  mkdir -p "$node_dir"
  (cd "$node_dir" && npm install --no-audit --no-fund --ignore-scripts onnxruntime-node@1 >&2)
fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

echo "barista vs ONNX Runtime: shape $shape, batch $batch, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
"$barista" generate --shape "$shape" --items "$batch" --out "$out/model.barista" > /dev/null
mkdir -p "$out/batch"
"$barista" export-onnx "$out/model.barista" --out "$out/model.onnx" --batch-dir "$out/batch" --batch "$batch" | sed 1,2d
NODE_PATH="$node_dir/node_modules" node "$here/onnx_bench.mjs" "$out/model.onnx" "$out/batch"
