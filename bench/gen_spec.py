#!/usr/bin/env python3
"""Writes a capplan spec with N stages, for benchmarks.

    gen_spec.py N chain   # s0 -> s1 -> ... -> s(N-1): the longest path
    gen_spec.py N wide    # one entry, N-2 branches, one stage joining all

The wide DAG splits the traffic evenly over the branches and merges them
with 'join: any', so its last stage has an 'after' list of N-2 names.
"""
import sys

n, shape = int(sys.argv[1]), sys.argv[2]
out = sys.stdout
out.write("capplan: 1\nname: bench-%s-%d\ntraffic: {qps: 100K}\nstages:\n"
          % (shape, n))
if shape == "chain":
    for i in range(n):
        out.write("  - {name: s%d, latency: 1ms, qps_per_server: %dK}\n"
                  % (i, 1 + i % 7))
elif shape == "wide":
    branches = max(1, n - 2)
    out.write("  - {name: entry, latency: 1ms, qps_per_server: 50K}\n")
    share = 100.0 / branches
    for i in range(branches):
        out.write("  - {name: b%d, after: entry, share: %.12g%%, "
                  "latency: %dms, qps_per_server: %d}\n"
                  % (i, share, 1 + i % 13, 100 + i % 50))
    out.write("  - {name: sink, join: any, latency: 1ms, qps_per_server: 20K,"
              " after: [%s]}\n" % ", ".join("b%d" % i for i in range(branches)))
else:
    sys.exit("shape must be chain or wide")
