#!/usr/bin/env python3
"""Fails unless every specs/*.yaml has a golden table case, a golden JSON
case ('estimate specs/X.yaml' with and without '--format json') and a golden
'explain' case."""
import glob
import os
import shlex
import sys

source = sys.argv[1]
os.chdir(source)
seen = {}
for path in glob.glob("tests/cases/*.case"):
    for line in open(path, encoding="utf-8"):
        if line.startswith("args:"):
            args = shlex.split(line[5:])
            if args and args[0] == "explain":
                for a in args[1:]:
                    if a.startswith("specs/"):
                        seen.setdefault(a, set()).add("explain")
            if args and args[0] == "estimate":
                fmt = "table"
                for i, a in enumerate(args):
                    if a.startswith("--format="):
                        fmt = a.split("=", 1)[1]
                    elif a == "--format":
                        fmt = args[i + 1] if i + 1 < len(args) else None
                for a in args[1:]:
                    if a.startswith("specs/"):
                        seen.setdefault(a, set()).add(fmt)
missing = []
for spec in sorted(glob.glob("specs/*.yaml")):
    for fmt in ("table", "json", "explain"):
        if fmt not in seen.get(spec, set()):
            missing.append("%s (%s)" % (spec, fmt))
if missing:
    print("specs without a golden estimate case:")
    for m in missing:
        print("  " + m)
    sys.exit(1)
print("%d specs, each with table and JSON golden cases"
      % len(glob.glob("specs/*.yaml")))
