#!/usr/bin/env bash
# Times 'capplan estimate' on generated specs of 1K, 10K and 100K stages,
# as a chain and as a wide DAG, in table and JSON format: the median wall
# time and peak resident memory of RUNS runs each (default 5).  Prints a
# table; never part of the test suite.
#
#   bench/run.sh [RUNS] [CAPPLAN]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
capplan=${2:-build/capplan}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

median() { sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }

printf '%-7s %-6s %-6s %10s %10s %12s\n' stages shape format "median s" \
       "peak MiB" "spec bytes"
for n in 1000 10000 100000; do
  for shape in chain wide; do
    spec="$tmp/$shape-$n.yaml"
    python3 bench/gen_spec.py "$n" "$shape" > "$spec"
    for format in table json; do
      : > "$tmp/times"
      : > "$tmp/rss"
      for _ in $(seq "$runs"); do
        /usr/bin/time -f '%e %M' -o "$tmp/one" \
          "$capplan" estimate "$spec" --format "$format" -o /dev/null
        read -r t m < "$tmp/one"
        echo "$t" >> "$tmp/times"
        echo "$m" >> "$tmp/rss"
      done
      t=$(median < "$tmp/times")
      m=$(median < "$tmp/rss")
      printf '%-7s %-6s %-6s %10s %10.1f %12s\n' "$n" "$shape" "$format" \
             "$t" "$(echo "$m / 1024" | bc -l)" "$(stat -c %s "$spec")"
    done
  done
done
