#!/usr/bin/env python3
"""Rewrites every golden case's expected output (see run_case.py)."""
import glob
import os
import subprocess
import sys

python, capplan, source = sys.argv[1:4]
runner = os.path.join(source, "tests", "run_case.py")
paths = sorted(glob.glob(os.path.join(source, "tests", "cases", "*.case")) +
               glob.glob(os.path.join(source, "tests", "regress", "cli",
                                      "*.case")) +
               glob.glob(os.path.join(source, "tests", "errors", "*.yaml")))
for p in paths:
    subprocess.run([python, runner, "--update", "--capplan", capplan,
                    "--source", source, p], check=True)
