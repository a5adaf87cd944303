#!/usr/bin/env python3
"""Fails unless the golden matrix (tests/golden/, golden_matrix.py) holds
every spec under specs/, and nothing else: a folder without its spec is a
leftover of a renamed or removed spec."""
import glob
import os
import sys

source = sys.argv[1]
os.chdir(source)
specs = {os.path.basename(p)[:-5] for p in glob.glob("specs/*.yaml")}
folders = {os.path.basename(p) for p in glob.glob("tests/golden/*")
           if os.path.isdir(p)}
formats = ("table", "json", "markdown", "csv", "explain")
bad = 0
for name in sorted(specs - folders):
    print("specs/%s.yaml has no golden outputs under tests/golden/" % name)
    bad += 1
for name in sorted(folders - specs):
    print("tests/golden/%s has no spec specs/%s.yaml" % (name, name))
    bad += 1
for name in sorted(specs & folders):
    for fmt in formats:
        if not os.path.exists("tests/golden/%s/%s.out" % (name, fmt)):
            print("tests/golden/%s/%s.out is missing" % (name, fmt))
            bad += 1
if bad:
    sys.exit(1)
print("%d specs, each in %d formats" % (len(specs), len(formats)))
