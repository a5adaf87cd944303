#!/usr/bin/env python3
"""Every 'capplan init' template prints exactly its file in templates/,
validates with no warnings, and estimates with exit code 0 (every limit
it sets is met); 'init -o' writes a file that estimates the same way.

Usage: check_templates.py CAPPLAN SOURCE_DIR
"""
import glob
import os
import subprocess
import sys
import tempfile

capplan, source = sys.argv[1], sys.argv[2]
os.chdir(source)
failures = []
names = sorted(os.path.basename(p)[:-5] for p in glob.glob("templates/*.yaml"))
listed = subprocess.run([capplan, "init", "--list"], capture_output=True,
                        text=True).stdout.split("\n")
listed = sorted(l.split()[0] for l in listed if l.strip())
if listed != names:
    failures.append("init --list %r != templates/ %r" % (listed, names))
for name in names:
    p = subprocess.run([capplan, "init", "--template", name],
                       capture_output=True)
    if p.returncode or p.stdout != open("templates/%s.yaml" % name,
                                        "rb").read():
        failures.append("%s: init does not print templates/%s.yaml" %
                        (name, name))
    for cmd in (["validate", "-"], ["estimate", "-"]):
        q = subprocess.run([capplan] + cmd, input=p.stdout,
                           capture_output=True)
        if q.returncode or q.stderr:
            failures.append("%s: %s exits %d: %s" % (
                name, cmd[0], q.returncode, q.stderr.decode()[:300]))
with tempfile.TemporaryDirectory() as d:
    out = os.path.join(d, "spec.yaml")
    p = subprocess.run([capplan, "init", "--template", "recsys", "-o", out],
                       capture_output=True)
    q = subprocess.run([capplan, "estimate", out], capture_output=True)
    if p.returncode or q.returncode:
        failures.append("init -o then estimate: %d, %d" % (p.returncode,
                                                           q.returncode))
    p = subprocess.run([capplan, "init", "-o", out], capture_output=True)
    if p.returncode != 2:
        failures.append("init -o over an existing file must refuse")
    p = subprocess.run([capplan, "init", "-o", out, "--force"],
                       capture_output=True)
    if p.returncode or open(out, "rb").read() != open(
            "templates/minimal.yaml", "rb").read():
        failures.append("init -o --force must replace the file")
for f in failures:
    print("FAIL: " + f)
print("%d templates, %d failures" % (len(names), len(failures)))
sys.exit(1 if failures else 0)
