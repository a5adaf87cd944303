#!/usr/bin/env python3
"""No control character from a spec, a report or the command line reaches
the output (issue 9, item 1; docs/security.md).

Runs every command in every output format on specs, reports, file names
and arguments that hold ANSI escapes, an OSC title, CR, BEL, DEL, C1 CSI
and bytes that are not UTF-8, and checks each stream:

- it is valid UTF-8;
- once capplan's own colour codes (ESC [ n m, with --color always) are
  taken out, it holds no C0 control but LF (and CR before LF in CSV), no
  DEL and no C1 control;
- JSON parses, and keeps the text: the escapes decode to the original.

Usage: check_control_chars.py CAPPLAN SOURCE_DIR
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

capplan, source = sys.argv[1], sys.argv[2]
os.chdir(source)
spec = "tests/regress/cli/control-chars.yaml"
report = "tests/regress/cli/control-chars-report.json"
failures = []
runs = 0
SGR = re.compile(rb"\x1b\[[0-9;]*m")
BAD = re.compile(rb"[\x00-\x09\x0b-\x1f\x7f]|\xc2[\x80-\x9f]")


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL: " + what)


def run(args, csv=False, color=False):
    global runs
    env = dict(os.environ)
    env.pop("NO_COLOR", None)
    env["LC_ALL"] = "C.UTF-8"
    p = subprocess.run([capplan] + args, capture_output=True, env=env,
                       timeout=120)
    runs += 1
    shown = " ".join(repr(a) if not a.isprintable() else a for a in args)
    for name, data in (("stdout", p.stdout), ("stderr", p.stderr)):
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as e:
            check(False, "%s: %s is not UTF-8 (%s)" % (shown, name, e))
        if color:
            data = SGR.sub(b"", data)
        if csv and name == "stdout":
            data = data.replace(b"\r\n", b"\n")
        m = BAD.search(data)
        check(m is None, "%s: raw control character %r on %s"
              % (shown, m.group(0) if m else b"", name))
    return p


# Every command and format on a hostile spec.
for fmt in ("table", "json", "markdown", "csv"):
    p = run(["estimate", spec, "--format", fmt], csv=fmt == "csv")
    check(p.returncode == 1, "estimate --format %s exits 1" % fmt)
    if fmt == "json":
        doc = json.loads(p.stdout)
        check(doc["spec"]["name"] == "\x1b[31mRED\x1b[0m\x9b",
              "JSON keeps the name's characters")
        check("\x7f" in doc["spec"]["description"] and
              "\x9b" in doc["spec"]["description"],
              "JSON keeps DEL and C1 (escaped)")
    elif fmt != "csv":
        want = b"\\x1b\\[31mRED" if fmt == "markdown" else b"\\x1b[31mRED"
        check(want in p.stdout, "%s shows \\x1b" % fmt)
p = run(["estimate", spec, "--color", "always"], color=True)
check(b"\x1b[1m" in p.stdout and b"\\x1b[31mRED" in p.stdout,
      "colour stays on, the spec's escapes do not")
for fmt in ("table", "json", "markdown"):
    run(["check", spec, "--format", fmt])
run(["check", spec, "--color", "always"], color=True)
run(["check", spec, "--max-cost", "$1/year"])
for fmt in ("text", "markdown"):
    run(["explain", spec, "--format", fmt])
    run(["explain", spec, "--stage", "front", "--format", fmt])
run(["explain", spec, "--stage", "\x1b[2Jx"])
for fmt in ("table", "json", "markdown", "csv"):
    run(["diff", spec, report, "--format", fmt], csv=fmt == "csv")
    run(["diff", report, spec, "--format", fmt], csv=fmt == "csv")
run(["diff", spec, report, "--color", "always", "--max-increase", "$0/year"],
    color=True)
run(["validate", spec])
for fmt in ("table", "json", "csv"):
    run(["simulate", spec, "--requests", "2000", "--format", fmt],
        csv=fmt == "csv")
run(["simulate", spec, "--requests", "2000", "--color", "always"], color=True)

# Diagnostics: names, quoted source lines, colour.
for bad in ("tests/regress/cli/control-chars-names.yaml",
            "tests/regress/cli/control-chars-raw.yaml"):
    p = run(["estimate", bad])
    check(p.returncode == 2 and b"\\x1b" in p.stderr,
          "%s: diagnostics show \\x1b" % bad)
    run(["estimate", bad, "--color", "always"], color=True)

with tempfile.TemporaryDirectory() as d:
    # Spec text that is not UTF-8 at all, and a report that says so.
    latin = os.path.join(d, "latin1.yaml")
    with open(latin, "wb") as f:
        f.write(b"capplan: 1\nname: caf\xe9 \x9b2J\ntraffic: {qps: 1K}\n"
                b"stages:\n  - {name: a, latency: 1ms, qps_per_server: 1K}\n")
    run(["estimate", latin])
    run(["validate", latin])
    # A file name with control characters and a stray byte, in every
    # place a path is shown.
    evil = os.path.join(d.encode(), b"evil\x1b]0;t\x07\r\xff.yaml")
    shutil.copy(spec, evil)
    evil = os.fsdecode(evil)
    for fmt in ("table", "json", "markdown", "csv"):
        run(["estimate", evil, "--format", fmt], csv=fmt == "csv")
        run(["diff", evil, report, "--format", fmt], csv=fmt == "csv")
    for fmt in ("table", "json", "markdown"):
        run(["check", evil, "--format", fmt])
    run(["validate", evil])
    run(["explain", evil, "--stage", "nope"])
    run(["estimate", evil + "-missing"])
    run(["estimate", evil, "-o", os.path.join(evil + "-dir", "r.txt")])
    run(["check", evil, evil])
    run(["init", "-o", evil])
    run(["init", "-o", os.path.join(d, "new\x1b[31m.yaml")])
    run(["diff", evil, os.path.join(d, "none\x1b[31m.yaml")])

# The command line: unknown options, commands, values, limits.
run(["estimate", spec, "--for\x1b[31mmat", "json"])
run(["estimate", spec, "--format", "\x1b[31mjson"])
run(["estimate", spec, "--color", "\x1b[31m"])
run(["\x1b]0;t\x07"])
run(["help", "\x1b[2J"])
run(["init", "--template", "\x1b[2J"])
run(["check", spec, "--max-cost", "$1\x1b[31m/year"])
run(["diff", spec, spec, "--max-increase-pct", "1\x1b[2J"])
for args in (["calc", "cost", "--servers", "2", "--price", "$2/h\x1b[31mour"],
             ["calc", "cost", "--servers", "2", "--price", "$2/hour",
              "\x1b[2J"],
             ["calc", "\x1b[2J"],
             ["calc", "servers", "--qps", "1K", "--per-server", "1\x7f"],
             ["calc", "nines", "99.9\xc2\x9b%"],
             ["calc", "throughput", "--latency", "1ms", "--bound", "c\x1bpu"],
             ["calc", "availability", "--k-of-n", "1/\x1b3", "--each", "9%"],
             ["calc", "nines", "--downtime", "1h/y\x1bear"],
             ["calc", "cost", "--servers", "2", "--price", "$2/hour",
              "--json"]):
    run(args)
env_run = subprocess.run([capplan, "estimate", spec], capture_output=True,
                         env=dict(os.environ,
                                  CAPPLAN_LIMITS="in\x1b[31mput=1"),
                         timeout=60)
runs += 1
check(BAD.search(env_run.stderr) is None,
      "CAPPLAN_LIMITS is quoted escaped")

print("%d runs, %d failures" % (runs, len(failures)))
sys.exit(1 if failures else 0)
