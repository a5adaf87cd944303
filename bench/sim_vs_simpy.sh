#!/usr/bin/env bash
# The simulator against SimPy 2.3.1 on FORMULAS.md section 9's speed
# reference: M/M/8 at rho = 0.8, mu = 100.  Runs the two in one session,
# alternating, RUNS times each, and prints the median customers/s and
# events/s of each and the ratio of the medians.  Never part of the tests.
#
#   bench/sim_vs_simpy.sh [RUNS] [SIM_N] [SIMPY_N]
#
# RUNS defaults to 5; SIM_N (customers per run of the simulator) to
# 2,000,000; SIMPY_N to 200,000 (the peer's own command).  Each tool times
# its own run from the inside (no process start-up).  Needs build/sim_mmc
# (cmake --build build --target sim_mmc), Debian's /usr/bin/python3 with
# python3-simpy, and the peer script, by default ../shared/peers/ (or
# SIMPY_MMC=path).
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
sim_n=${2:-2000000}
simpy_n=${3:-200000}
sim=${SIM_MMC:-build/sim_mmc}
peer=${SIMPY_MMC:-../shared/peers/simpy_mmc.py}
args=(--c 8 --mu 100 --rho 0.8)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

field() { sed -n "s/.*$1=\([0-9.e+-]*\).*/\1/p"; }
median() { sort -g | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }

for i in $(seq "$runs"); do
  "$sim" "$sim_n" "${args[@]}" --seed "$i" > "$tmp/sim"
  /usr/bin/python3 "$peer" "$simpy_n" "${args[@]}" --seed "$i" > "$tmp/py"
  field customers_per_s < "$tmp/sim" >> "$tmp/sim_cps"
  field events_per_s < "$tmp/sim" >> "$tmp/sim_eps"
  field customers_per_s < "$tmp/py" >> "$tmp/py_cps"
  field events_per_s < "$tmp/py" >> "$tmp/py_eps"
  printf 'run %d: capplan %s customers/s, SimPy %s customers/s\n' "$i" \
    "$(tail -1 "$tmp/sim_cps")" "$(tail -1 "$tmp/py_cps")"
done

sc=$(median < "$tmp/sim_cps")
se=$(median < "$tmp/sim_eps")
pc=$(median < "$tmp/py_cps")
pe=$(median < "$tmp/py_eps")
echo
echo "M/M/8, rho 0.8, mu 100; medians of $runs alternating runs"
printf '%-28s %14s %14s\n' "" "customers/s" "events/s"
printf '%-28s %14.0f %14.0f\n' "capplan simulator (N=$sim_n)" "$sc" "$se"
printf '%-28s %14.0f %14.0f\n' "SimPy $(/usr/bin/python3 -c \
  'import SimPy; print(SimPy.__version__)') (N=$simpy_n)" "$pc" "$pe"
printf 'ratio of medians: %.1fx customers/s, %.1fx events/s\n' \
  "$(echo "$sc / $pc" | bc -l)" "$(echo "$se / $pe" | bc -l)"
echo "(an event: SimPy's event notices, 5 per customer; the simulator's" \
     "processed events, 2 per customer)"
