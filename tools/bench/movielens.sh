#!/bin/sh
# MovieLens-small benchmark: trains tools/configs/movielens-small.json with
# several seeds, evaluates each with the leave-last-out protocol (HR@10,
# NDCG@10 over every unseen movie; AUC and log-loss on sampled negatives),
# and prints the figures with MostPop beside them, then the mean over seeds.
#
#   tools/bench/movielens.sh [BUILD_DIR] [SEEDS...]     (defaults: build, 1 2 3)
#
# Needs ../shared/data/movielens-small beside the repository.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${1:-$root/build}
[ $# -gt 0 ] && shift
seeds=${*:-1 2 3}
barista=$build/bin/barista
config=$root/tools/configs/movielens-small.json
data=$root/../shared/data/movielens-small/ratings.csv
if [ ! -f "$data" ]; then
  echo "MovieLens-small is not at $data; nothing to benchmark" >&2
  exit 0
fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

echo "MovieLens-small, $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
for seed in $seeds; do
  start=$(date +%s.%N)
  "$barista" train "$config" --seed "$seed" --out "$out/model-$seed.barista" --eval > "$out/train-$seed.txt" 2> "$out/progress-$seed.txt"
  end=$(date +%s.%N)
  echo
  echo "seed $seed: $(head -1 "$out/train-$seed.txt"); wall time $(awk "BEGIN { printf \"%.1f\", $end - $start }") s"
  grep -E "examples/s" "$out/progress-$seed.txt" | sed 's/^/  /'
  sed -n '/users/,$p' "$out/train-$seed.txt" | sed 's/^/  /'
done
echo
echo "mean over seeds ($seeds):"
cat "$out"/train-*.txt | awk '
  /^MostPop/ { mp_hr += $3; mp_ndcg += $4; mp_auc += $5; n_mp++ }
  /^wide & deep \(f32\)/ { hr += $6; ndcg += $7; auc += $8; ll += $9; n++ }
  /^wide & deep \(int8\)/ { hr8 += $6; auc8 += $8; n8++ }
  END {
    printf "  MostPop            HR@10 %.4f  NDCG@10 %.4f  AUC %.4f\n", mp_hr / n_mp, mp_ndcg / n_mp, mp_auc / n_mp
    printf "  wide & deep (f32)  HR@10 %.4f  NDCG@10 %.4f  AUC %.4f  log-loss %.4f\n", hr / n, ndcg / n, auc / n, ll / n
    printf "  wide & deep (int8) HR@10 %.4f                 AUC %.4f\n", hr8 / n8, auc8 / n8
  }'
