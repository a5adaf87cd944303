#!/usr/bin/env python3
"""Colour codes take no width (issue 9, item 2).

With --color always, every table capplan prints must line up as it does
without colour: the output with its colour codes (ESC [ ... m) taken out
is byte for byte the output of --color never.  That holds for the
report, the check view (whose header row was shifted by the width of
the codes in its first column), a diff with gates, and diagnostics.

And colour follows the terminal: TERM=dumb gets none with --color auto
(it shows the codes as text), --color always still gets it (issue 9,
item 10).

Usage: check_color_width.py CAPPLAN SOURCE_DIR
"""
import os
import pty
import re
import subprocess
import sys

capplan, source = sys.argv[1], sys.argv[2]
os.chdir(source)
SGR = re.compile(rb"\x1b\[[0-9;]*m")
failures = []
runs = [
    ["check", "specs/youtube.yaml", "--max-cost", "$5M/year"],
    ["check", "specs/youtube.yaml", "--max-cost", "$3M/year"],
    ["check", "tests/inputs/over-budget.yaml"],
    ["estimate", "specs/youtube.yaml"],
    ["estimate", "tests/inputs/over-budget.yaml"],
    ["estimate", "specs/gallery-fraud.yaml"],
    ["diff", "specs/youtube.yaml", "tests/inputs/youtube-head.yaml",
     "--max-increase", "$1/year", "--max-increase-pct", "50"],
    ["estimate", "tests/errors/unit-range.yaml"],
    ["estimate", "tests/inputs/warning.yaml"],
]
for args in runs:
    env = dict(os.environ)
    env.pop("NO_COLOR", None)
    on = subprocess.run([capplan] + args + ["--color", "always"],
                        capture_output=True, env=env, timeout=60)
    off = subprocess.run([capplan] + args + ["--color", "never"],
                         capture_output=True, env=env, timeout=60)
    what = " ".join(args)
    if b"\x1b[" not in on.stdout + on.stderr:
        failures.append(what)
        print("FAIL: %s: no colour with --color always" % what)
    for name, a, b in (("stdout", on.stdout, off.stdout),
                       ("stderr", on.stderr, off.stderr)):
        if SGR.sub(b"", a) != b:
            failures.append(what)
            print("FAIL: %s: %s with colour, codes taken out, differs from "
                  "--color never:\n%s\n---\n%s" % (
                      what, name, SGR.sub(b"", a).decode(), b.decode()))


def on_tty(args, term):
    """Runs capplan with stdout and stderr on a pseudo-terminal."""
    master, slave = pty.openpty()
    env = dict(os.environ)
    env.pop("NO_COLOR", None)
    env["TERM"] = term
    proc = subprocess.Popen([capplan] + args, stdout=slave, stderr=slave,
                            env=env)
    os.close(slave)
    data = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:
            break
        if not chunk:
            break
        data += chunk
    proc.wait(timeout=60)
    os.close(master)
    return data


for args, term, want in (
        (["estimate", "specs/youtube.yaml"], "dumb", False),
        (["estimate", "tests/errors/unit-range.yaml"], "dumb", False),
        (["estimate", "specs/youtube.yaml"], "xterm-256color", True),
        (["estimate", "specs/youtube.yaml", "--color", "always"], "dumb",
         True)):
    got = b"\x1b[" in on_tty(args, term)
    if got != want:
        failures.append(" ".join(args))
        print("FAIL: %s on a terminal with TERM=%s: colour %s, expected %s"
              % (" ".join(args), term, got, want))
print("%d runs, %d failures" % (len(runs) + 4, len(failures)))
sys.exit(1 if failures else 0)
