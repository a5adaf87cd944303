#!/usr/bin/env bash
# Builds capplan's libFuzzer harnesses with clang and runs each for a while.
#
#   scripts/fuzz.sh [SECONDS]     # default 60 per harness
#
# Corpora live in build-fuzz/corpus/HARNESS (seeded from specs/, tests/ and
# fuzz/corpus/ and kept between local runs); anything the fuzzer finds is
# written to build-fuzz/artifacts/ and makes this script fail.  Turn a
# finding into a regression input with:
#   cp build-fuzz/artifacts/HARNESS-crash-... tests/regress/HARNESS/NAME
# (docs/security.md).  Needs clang and libclang-rt-14-dev.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
build=${CAPPLAN_FUZZ_BUILD:-build-fuzz}

cmake -S . -B "$build" -DCAPPLAN_FUZZ=ON -DCMAKE_C_COMPILER=clang \
      -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCAPPLAN_WERROR=ON > /dev/null
cmake --build "$build" -j"$(nproc)" > /dev/null

mkdir -p "$build/artifacts"
for h in units spec pipeline; do
  mkdir -p "$build/corpus/$h"
done
cp -n fuzz/corpus/units/* tests/regress/units/* "$build/corpus/units/" \
  2>/dev/null || true
for h in spec pipeline; do
  for f in specs/*.yaml tests/errors/*.yaml tests/inputs/* \
           tests/regress/spec/* tests/regress/pipeline/*; do
    [ -f "$f" ] || continue
    case "$f" in */README*) continue ;; esac
    cp -n "$f" "$build/corpus/$h/$(echo "$f" | tr / _)"
  done
done

total=0
status=0
for h in units spec pipeline; do
  dict=()
  [ "$h" = units ] || dict=(-dict=fuzz/spec.dict)
  log="$build/fuzz_$h.log"
  echo "== fuzz_$h for ${seconds}s"
  # -timeout: a hang is an input that takes 30 s.  The pipeline harness
  # runs every view of a spec, percentiles, sweeps and a simulation: the
  # gallery's YouTube spec takes 0.5 s built for speed and 10 to 11 s
  # built for fuzzing (sanitizers and coverage), where 10 s flagged it.
  if ! "./$build/fuzz_$h" "$build/corpus/$h" "${dict[@]}" \
        -max_total_time="$seconds" -max_len=65536 -timeout=30 \
        -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$build/artifacts/$h-" > "$log" 2>&1; then
    echo "fuzz_$h found a problem; the end of its log:"
    tail -n 40 "$log"
    status=1
  fi
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 || true)
  echo "   ${runs:-0} executions, $cov, corpus $(ls "$build/corpus/$h" | wc -l)"
  total=$((total + ${runs:-0}))
done
echo "total executions: $total"
exit $status
