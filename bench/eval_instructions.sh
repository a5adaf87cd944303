#!/usr/bin/env bash
# Instructions one evaluation of a resolved plan takes, counted by
# callgrind (which the machine's load does not change): build/eval_bench
# run for N evaluations and for none, the difference divided by N.
# Measured, never asserted (bench/README.md).
#
#   bench/eval_instructions.sh [SPEC] [N] [MODE]
#
# SPEC defaults to bench/specs/twenty.yaml, N to 20000, MODE to "lean"
# (without queues and percentiles; "full" for with them, and a smaller N).
set -euo pipefail
cd "$(dirname "$0")/.."
spec=${1:-bench/specs/twenty.yaml}
n=${2:-20000}
mode=${3:-lean}
bin=${EVAL_BENCH:-build/eval_bench}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
count() {
  valgrind --tool=callgrind --callgrind-out-file="$tmp/cg" \
    --toggle-collect=main "$bin" "$spec" "=$1" "$mode" > /dev/null 2>&1
  callgrind_annotate "$tmp/cg" 2> /dev/null |
    awk '/PROGRAM TOTALS/ && !done {gsub(",", "", $1); print $1; done = 1}'
}
base=$(count 0)
total=$(count "$n")
echo "$spec ($mode): $(((total - base) / n)) instructions an evaluation" \
  "($n evaluations, callgrind)"
