#!/usr/bin/env python3
"""'capplan explain' prints the same figures as 'capplan estimate': for
every spec in specs/, the result line of each stage, group and of the
totals ("=> 200 servers, 200 GPUs, $3,504,000/year") is compared with the
JSON report, formatted by the rules of docs/cli.md.  Every line of the
text fits 80 columns.

Usage: check_explain.py CAPPLAN SOURCE_DIR
"""
import glob
import json
import math
import os
import subprocess
import sys

capplan, source = sys.argv[1], sys.argv[2]
os.chdir(source)
failures = []


def count(v):
    return "{:,}".format(int(round(v)))


def money(v):
    if abs(v) >= 1000:
        return "$" + count(v)
    return "${:,.2f}".format(v).replace(".00", "") if v == 0 else \
        "${:,.2f}".format(v)


def servers(n, gpus, cost):
    return "%s server%s, %s GPU%s, %s/year" % (
        count(n), "" if n == 1 else "s", count(gpus), "" if gpus == 1 else "s",
        money(cost))


def raw_servers(v):
    """format.h's fmt_raw: up to 2 decimals, 3 significant digits below 1."""
    dec = 2 - math.floor(math.log10(v)) if 0 < v < 1 else 2
    text = "%.*f" % (dec, v)
    return text.rstrip("0").rstrip(".") if "." in text else text


def results(text):
    """Section heading -> its '=> ...' line."""
    out, section = {}, None
    for line in text.splitlines():
        if line.startswith("== ") and line.endswith(" =="):
            section = line[3:-3].split(" (")[0]
        elif line.startswith("  => ") and section:
            out[section] = line[5:]
    return out


specs = sorted(glob.glob("specs/*.yaml"))
for spec in specs:
    report = json.loads(subprocess.run([capplan, "estimate", spec, "--format",
                                        "json"], capture_output=True).stdout)
    text = subprocess.run([capplan, "explain", spec], capture_output=True,
                          text=True).stdout
    got = results(text)
    for s in report["stages"]:
        raw = s["servers_raw"]
        want = ("%s server-equivalents in group %s"
                % (raw_servers(raw), s["group"]) if s["group"] else
                servers(s["servers"], s["gpus"], s["cost_per_year"]))
        if got.get(s["name"]) != want:
            failures.append("%s: stage %s: explain says %r, estimate %r"
                            % (spec, s["name"], got.get(s["name"]), want))
    for g in report["groups"]:
        want = servers(g["servers"], g["gpus"], g["cost_per_year"])
        key = "group " + g["name"]
        if got.get(key) != want:
            failures.append("%s: %s: explain says %r, estimate %r"
                            % (spec, key, got.get(key), want))
    t = report["totals"]
    ms = t["latency_ms"]
    want_total = "%s servers, %s GPUs, %s/year" % (
        count(t["servers"]), count(t["gpus"]), money(t["cost_per_year"]))
    total = got.get("totals", "")
    if not total.startswith(want_total):
        failures.append("%s: totals: explain says %r, estimate %r"
                        % (spec, total, want_total))
    lat = ("{:,} ms".format(int(round(ms)))) if ms >= 100 else None
    if lat and (", %s," % lat) not in total:
        failures.append("%s: totals latency %s not in %r" % (spec, lat, total))
    for line in text.splitlines():
        if len(line) > 80:
            failures.append("%s: line longer than 80 columns: %r"
                            % (spec, line))

for f in failures:
    print("FAIL: " + f)
print("%d specs compared, %d failures" % (len(specs), len(failures)))
sys.exit(1 if failures else 0)
