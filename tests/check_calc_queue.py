#!/usr/bin/env python3
"""'capplan calc queue' reproduces the public Erlang C oracle.

Every row of tests/data/erlang_c.csv (a copy of the project's shared
oracle: M/M/c with mu = 100/s; probability of waiting, mean wait and
response, wait p99 and p999, response p99, in seconds) through the CLI's
JSON output, to 1e-9 relative; and the M/M/2 and M/M/4 values of
FORMULAS.md section 3 (lambda = 9, mu = 5; given to six digits).
"""
import csv
import json
import os
import subprocess
import sys

capplan, source = sys.argv[1:3]
TOL = 1e-9


def calc(qps, latency, servers):
    out = subprocess.run([capplan, "calc", "queue", "--qps", qps, "--latency",
                          latency, "--servers", servers, "--json"],
                         capture_output=True, text=True, check=True).stdout
    return json.loads(out)["results"]


failed = 0


def expect(what, got, want, tol, absolute=False):
    global failed
    if abs(got - want) > (tol if absolute else tol * abs(want)):
        print(f"FAIL {what}: got {got!r}, want {want!r}")
        failed += 1


path = os.path.join(source, "tests", "data", "erlang_c.csv")
rows = 0
with open(path) as f:
    for row in csv.DictReader(f):
        assert row["mu"] == "100", "the rows are for mu = 100/s"
        r = calc(row["lambda"], "10ms", row["c"])
        name = f"c={row['c']} lambda={row['lambda']}"
        for key, col in [("utilization", "rho"), ("p_wait", "p_wait"),
                         ("wait_mean", "wq_mean_s"),
                         ("response_mean", "r_mean_s"),
                         ("wait_p99", "wq_p99_s"), ("wait_p999", "wq_p999_s"),
                         ("response_p99", "r_p99_s")]:
            expect(f"{name} {key}", r[key], float(row[col]), TOL)
        rows += 1
assert rows == 20, rows

for c, p_wait, resp in [("2", 0.852632, 1.052632), ("4", 0.128534, 0.211685)]:
    r = calc("9", "200ms", c)
    # six decimals given: within half a unit of the last
    expect(f"M/M/{c} p_wait", r["p_wait"], p_wait, 5e-7, True)
    expect(f"M/M/{c} response", r["response_mean"], resp, 5e-7, True)

print(f"{rows} oracle rows and 2 textbook queues checked")
sys.exit(1 if failed else 0)
