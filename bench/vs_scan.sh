#!/usr/bin/env bash
# 'capplan estimate' on a 100,000-stage spec against a bare libyaml event
# scan of the same file (bench/yaml_scan.c, the yardstick of issue 8):
# instructions counted by callgrind (steady on a shared machine) and wall
# time to the microsecond (date +%s%N around each run), the scan and
# capplan alternating, median of RUNS runs.  Prints
# the ratios; never part of the test suite.
#
#   bench/vs_scan.sh [RUNS] [STAGES]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
n=${2:-100000}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
median() { sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
wall() { # seconds "$@" takes, to the microsecond (output discarded)
  local t0 t1
  t0=$(date +%s%N)
  "$@" >/dev/null 2>&1 || true
  t1=$(date +%s%N)
  echo "$(((t1 - t0) / 1000))e-6" | awk '{printf "%.6f\n", $1}'
}
instr() { # instructions of one run of "$@"
  valgrind --tool=callgrind --callgrind-out-file="$tmp/cg" "$@" \
    >/dev/null 2>&1 || true
  callgrind_annotate "$tmp/cg" 2>/dev/null |
    awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1}'
}
for shape in chain wide; do
  spec="$tmp/$shape.yaml"
  python3 bench/gen_spec.py "$n" "$shape" > "$spec"
  scan_i=$(instr build/yaml_scan "$spec")
  : > "$tmp/scan_t"
  : > "$tmp/table_t"
  : > "$tmp/json_t"
  for _ in $(seq "$runs"); do
    wall build/yaml_scan "$spec" >> "$tmp/scan_t"
    for f in table json; do
      wall build/capplan estimate "$spec" --format "$f" -o /dev/null \
        >> "$tmp/${f}_t"
    done
  done
  st=$(median < "$tmp/scan_t")
  printf '%s, %s stages: scan %s instructions, %s s\n' "$shape" "$n" \
         "$scan_i" "$st"
  for f in table json; do
    i=$(instr build/capplan estimate "$spec" --format "$f" -o /dev/null)
    t=$(median < "$tmp/${f}_t")
    printf '  %-5s %s instructions (%.2fx), %s s (%.2fx)\n' "$f" "$i" \
           "$(echo "$i / $scan_i" | bc -l)" "$t" "$(echo "$t / $st" | bc -l)"
  done
done
