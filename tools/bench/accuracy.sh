#!/bin/sh
# Accuracy benchmark on a shared data set: trains CONFIG with several seeds
# (train --eval: the model with f32 and int8 embeddings, MostPop beside),
# then evaluates every seed's model with `barista eval`, which puts MostPop,
# EASE and item-kNN (their settings chosen on validation) beside them on the
# same split, and prints each model's figures per seed and their mean and
# range.
#
#   tools/bench/accuracy.sh CONFIG [SEEDS...]        (default seeds: 1 2 3)
#
# CONFIG is a path or a name under tools/configs (movielens-small,
# online-retail). BUILD (default: build) is the build directory. A config
# whose data is not there (../shared beside the repository) is skipped.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
[ $# -ge 1 ] || { sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
config=$1
shift
[ -f "$config" ] || config=$root/tools/configs/$config.json
seeds=${*:-1 2 3}
barista=${BUILD:-$root/build}/bin/barista
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# The interactions file, as the config names it (relative to the config).
data=$(sed -n 's/.*"path": *"\([^"]*\)".*/\1/p' "$config" | head -1)
case $data in /*) ;; *) data=$(dirname "$config")/$data ;; esac
if [ ! -f "$data" ]; then
  echo "$(basename "$config"): no data at $data; nothing to measure" >&2
  exit 0
fi

echo "$(basename "$config" .json), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
models=""
for seed in $seeds; do
  start=$(date +%s.%N)
  "$barista" train "$config" --seed "$seed" --out "$out/seed-$seed.barista" --eval > "$out/train-$seed.txt" 2> "$out/progress-$seed.txt"
  end=$(date +%s.%N)
  echo
  echo "seed $seed: $(head -1 "$out/train-$seed.txt"); wall time $(awk "BEGIN { printf \"%.1f\", $end - $start }") s"
  grep -E "examples/s" "$out/progress-$seed.txt" | sed 's/^/  /'
  sed -n '/users/,$p' "$out/train-$seed.txt" | sed 's/^/  /'
  models="$models --model $out/seed-$seed.barista"
done
echo
echo "every seed's model beside the baselines (barista eval):"
# shellcheck disable=SC2086  # one word per argument
"$barista" eval "$config" $models > "$out/eval.txt"
# The models by file name, the columns kept aligned.
pad=$(printf "%*s" $((${#out} + 1)) "")
sed "s|$out/\(seed-[0-9]*\.barista\)|\1$pad|" "$out/eval.txt" | sed 's/^/  /'
echo
echo "mean [min, max] over seeds ($seeds):"
awk '
  function add(name, hr, auc) {
    n[name]++; s[name] += hr; a[name] += auc
    if (n[name] == 1 || hr < lo[name]) lo[name] = hr
    if (n[name] == 1 || hr > hi[name]) hi[name] = hr
  }
  /^wide & deep \(f32\)/ { add("wide & deep (f32) ", $6, $8) }
  /^wide & deep \(int8\)/ { add("wide & deep (int8)", $6, $8) }
  /^wide & deep \(f32\)/ { f32[FILENAME] = $6 }
  /^wide & deep \(int8\)/ { gap = $6 - f32[FILENAME]; if (gap < 0) gap = -gap; if (gap > max_gap) max_gap = gap }
  END {
    for (name in n)
      printf "  %s HR@10 %.4f [%.4f, %.4f]  AUC %.4f\n", name, s[name] / n[name], lo[name], hi[name], a[name] / n[name]
    printf "  largest int8 - f32 HR@10 difference on one seed: %.4f\n", max_gap
  }' "$out"/train-*.txt
