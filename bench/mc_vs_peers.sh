#!/usr/bin/env bash
# Monte Carlo against the peers on the same model (FORMULAS.md section 5b):
# bench/specs/peer-model.yaml in capplan, ../shared/peers/numpy_model.py
# and squiggle_model.mjs (Squiggle 0.10), SAMPLES samples each, run in
# one session, alternating, RUNS times; prints the median of each and the
# ratios of the medians.  Never part of the tests.
#
#   bench/mc_vs_peers.sh [RUNS] [SAMPLES]
#
# RUNS defaults to 7, SAMPLES to 1,000,000.  capplan runs twice a round,
# on one thread (--threads 1) and on every core (the default), and is
# timed end to end: the whole process, reading the spec, Monte Carlo and
# writing the report (to /dev/null).  Each peer is timed two ways: its
# whole process (interpreter start-up and imports included), and its own
# in-script timer (eval_wall_s: from its generator to its percentiles,
# start-up left out), the stricter comparison for capplan.
#
# Needs build/capplan, Debian's /usr/bin/python3 with python3-numpy, and
# node with Squiggle installed as ../shared/peers/README.md says, in
# PEERS (default /tmp/peers: numpy_model.py, squiggle_model.mjs and
# squiggle/node_modules).
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-7}
n=${2:-1000000}
capplan=${CAPPLAN:-build/capplan}
peers=${PEERS:-/tmp/peers}
spec=bench/specs/peer-model.yaml
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

for f in "$capplan" "$peers/numpy_model.py" "$peers/squiggle_model.mjs"; do
  [ -e "$f" ] || { echo "missing $f (see the header of $0)" >&2; exit 2; }
done

field() { sed -n "s/.*$1=\([0-9.e+-]*\).*/\1/p"; }
median() { sort -g | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }

# Runs the command after the first argument and appends its wall time
# (seconds) to the file named by the first argument; its output goes to
# $tmp/out.
timed() {
  local to=$1
  shift
  local t0 t1
  # bash's own clock: no process started to read it (a 'date' in $(...)
  # added a few milliseconds to every run, most of capplan's share).
  t0=$EPOCHREALTIME
  "$@" > "$tmp/out"
  t1=$EPOCHREALTIME
  echo "$t1 - $t0" | bc -l >> "$tmp/$to"
}

for i in $(seq "$runs"); do
  timed cap1 "$capplan" estimate "$spec" --samples "$n" --threads 1 -o /dev/null
  timed np /usr/bin/python3 "$peers/numpy_model.py" --samples "$n" --seed "$i"
  field eval_wall_s < "$tmp/out" >> "$tmp/np_eval"
  timed capall "$capplan" estimate "$spec" --samples "$n" -o /dev/null
  (cd "$peers" && timed sq node squiggle_model.mjs --samples "$n")
  field eval_wall_s < "$tmp/out" >> "$tmp/sq_eval"
  printf 'run %d: capplan %.3f s (1 thread), %.3f s (all); numpy %.3f s ' \
    "$i" "$(tail -1 "$tmp/cap1")" "$(tail -1 "$tmp/capall")" \
    "$(tail -1 "$tmp/np")"
  printf '(in-script %.3f s); Squiggle %.3f s (in-script %.3f s)\n' \
    "$(tail -1 "$tmp/np_eval")" "$(tail -1 "$tmp/sq")" \
    "$(tail -1 "$tmp/sq_eval")"
done

c1=$(median < "$tmp/cap1")
ca=$(median < "$tmp/capall")
np=$(median < "$tmp/np")
ne=$(median < "$tmp/np_eval")
sq=$(median < "$tmp/sq")
se=$(median < "$tmp/sq_eval")
ratio() { echo "$1 / $2" | bc -l; }
echo
echo "$n samples; medians of $runs alternating runs on $(nproc) cores"
printf '%-44s %8.3f s\n' "capplan, one thread (whole process)" "$c1"
printf '%-44s %8.3f s\n' "capplan, every core (whole process)" "$ca"
printf '%-44s %8.3f s   in-script %8.3f s\n' \
  "numpy $(/usr/bin/python3 -c 'import numpy; print(numpy.__version__)')" \
  "$np" "$ne"
printf '%-44s %8.3f s   in-script %8.3f s\n' "Squiggle 0.10 (node)" "$sq" "$se"
echo
echo "ratios of medians (peer / capplan)     whole process   peer in-script"
printf '%-38s %12.1fx %16.1fx\n' "numpy vs capplan, one thread" \
  "$(ratio "$np" "$c1")" "$(ratio "$ne" "$c1")"
printf '%-38s %12.1fx %16.1fx\n' "numpy vs capplan, every core" \
  "$(ratio "$np" "$ca")" "$(ratio "$ne" "$ca")"
printf '%-38s %12.1fx %16.1fx\n' "Squiggle vs capplan, one thread" \
  "$(ratio "$sq" "$c1")" "$(ratio "$se" "$c1")"
printf '%-38s %12.1fx %16.1fx\n' "Squiggle vs capplan, every core" \
  "$(ratio "$sq" "$ca")" "$(ratio "$se" "$ca")"
echo "(in-script: the peer's own timer, start-up left out; capplan always"
echo " counts its whole process)"
