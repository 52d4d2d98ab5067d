#!/bin/sh
# The bindings' overhead over the C API, measured as ratios in one run:
# recommend top-10 on the S shape through C (recommend_loop), Python and Java,
# alternated ROUNDS times (noisy machines: compare the pairs, not the
# absolute figures); then Python's recommend_batch over 10,000 customers on 1
# and 2 threads, alternated. Usage (from the repository root, after the
# README's build): bindings/bench/overhead.sh [BUILD] [ROUNDS]
set -eu
BUILD=$(cd "${1:-build}" && pwd)
ROUNDS=${2:-3}
PYTHON=${PYTHON:-/usr/bin/python3}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
"$BUILD/bin/barista" generate --shape S --out "$WORK/s.barista" > /dev/null
HERE=$(dirname "$0")
ratio() { awk "BEGIN { printf \"%.3f\", $1 / $2 }"; }
median() { sed -n 's/.*"us_per_call_median": \([0-9.]*\).*/\1/p'; }
for round in $(seq "$ROUNDS"); do
  c=$("$BUILD/bin/barista_recommend_loop" "$WORK/s.barista" | median)
  py=$(PYTHONPATH="$BUILD/python" "$PYTHON" "$HERE/python_bench.py" recommend "$WORK/s.barista" | median)
  java=$(java -Dbarista.library="$BUILD/java/libbarista_jni.so" -cp "$BUILD/java/barista.jar:$BUILD/java/barista-tests.jar" \
    org.barista.BindingBench "$WORK/s.barista" | median)
  echo "round $round: recommend top-10 on S, us per call: C $c, Python $py ($(ratio "$py" "$c")x), Java $java ($(ratio "$java" "$c")x)"
done
rate() { sed -n 's/.*"customers_per_second_median": \([0-9.]*\).*/\1/p'; }
for round in $(seq "$ROUNDS"); do
  one=$(PYTHONPATH="$BUILD/python" "$PYTHON" "$HERE/python_bench.py" batch "$WORK/s.barista" 10000 1 | rate)
  two=$(PYTHONPATH="$BUILD/python" "$PYTHON" "$HERE/python_bench.py" batch "$WORK/s.barista" 10000 2 | rate)
  echo "round $round: recommend_batch of 10,000 customers on S, customers/s: 1 thread $one, 2 threads $two ($(ratio "$two" "$one")x)"
done
