#!/usr/bin/env bash
# How often do the simulator's intervals miss theory?  Runs the accuracy
# tests of tests/unit/test_sim.c on K other sample paths (seed offsets
# 1000, 2000, ...) in measurement mode (CAPPLAN_SIM_TABLE=2: every
# comparison printed, none fails) and counts, per comparison and in all,
# how often theory fell outside the reported 95% interval and outside the
# wider one the tests use (99.9% with --slow, 99.99% without).  A
# measurement, never part of the test suite.
#
#   bench/sim_coverage.sh [K] [--slow] [TEST_SIM]
set -euo pipefail
cd "$(dirname "$0")/.."
k=${1:-10}
mode=${2:-}
bin=${3:-build/tests/test_sim}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

bad=0
for i in $(seq 1 "$k"); do
  CAPPLAN_SIM_TABLE=2 CAPPLAN_SIM_SEED=$((i * 1000)) "$bin" $mode 2>&1 |
    grep -E '^\| .* \| (yes|no) \| (pass|FAIL) \|$' > "$tmp/one" || true
  if grep -q FAIL "$tmp/one"; then bad=$((bad + 1)); fi
  cat "$tmp/one" >> "$tmp/rows"
done
echo "sample paths on which some comparison failed: $bad of $k"

# Columns: | what | theory | sim [lo, hi] | err | in 95% | pass |
awk -F' [|] ' -v k="$k" '
  { what = substr($1, 3); n[what]++; if ($5 == "no") miss95[what]++;
    if ($6 ~ /FAIL/) fail[what]++; total++;
    if ($5 == "no") m95++; if ($6 ~ /FAIL/) mf++ }
  END {
    printf "%d sample paths, %d comparisons: outside the 95%% interval %d " \
           "(%.1f%%), outside the tests\047 one (test failures) %d (%.1f%%)\n",
           k, total, m95, 100 * m95 / total, mf, 100 * mf / total
    for (w in n)
      if (miss95[w] || fail[w])
        printf "  %-40s outside 95%%: %d/%d  test failures: %d/%d\n", w,
               miss95[w], n[w], fail[w], n[w]
  }' "$tmp/rows" | sort
