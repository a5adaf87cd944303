#!/usr/bin/env python3
"""Monte Carlo and its plots, through the command line.

    check_uncertain.py threads CAPPLAN SOURCE
        The same seed gives the same bytes whatever --threads: estimate in
        every format on ranged specs, sample counts that do and do not
        fill whole blocks of trials, 1, 2 and 3 threads.

    check_uncertain.py keys CAPPLAN SOURCE
        Each Monte Carlo output is keyed by the path of the report's figure
        it summarises, and means the same: its plan value is that figure
        (a stage's availability alone, its effective_availability with its
        fallback), for every ranged spec in specs/.

    check_uncertain.py plots CAPPLAN SOURCE
        estimate --plot (the cost's histogram), estimate --sensitivity
        --plot (the tornado), sweep --plot and forecast --plot write SVG
        that rsvg-convert renders at 800 x 480, and each shows what it
        must: the percentiles and the budget where the report puts them,
        the bars in the order of the report, the line and the limit.  The
        SVG is read for positions; the PNG for the colours really drawn.
"""
import json
import os
import re
import struct
import subprocess
import sys
import tempfile
import zlib

BAR = (0x4E, 0x79, 0xA7)
HIGH = (0xF2, 0x8E, 0x2B)
LIMIT = (0xD6, 0x27, 0x28)
MARK = (0x55, 0x55, 0x55)


def run(capplan, args, ok=(0, 1)):
    p = subprocess.run([capplan] + args, capture_output=True)
    if p.returncode not in ok:
        raise SystemExit("capplan %s: exit %d\n%s" % (" ".join(args),
                                                     p.returncode,
                                                     p.stderr.decode()))
    return p.stdout


def check_threads(capplan):
    bad = 0
    specs = ["specs/gallery-youtube-ranges.yaml",
             "bench/specs/peer-model.yaml"]
    for spec in specs:
        for n in ("1", "1000", "4097", "50000"):
            for fmt in ("json", "table", "csv", "markdown"):
                outs = []
                for t in ("1", "2", "3"):
                    outs.append(run(capplan, ["estimate", spec, "--format",
                                              fmt, "--samples", n,
                                              "--threads", t,
                                              "--sensitivity"]))
                if len(set(outs)) != 1:
                    print("FAIL: %s --samples %s --format %s differs across "
                          "--threads 1, 2, 3" % (spec, n, fmt))
                    bad += 1
    # Another seed gives other figures.
    a = run(capplan, ["estimate", specs[1], "--format", "json", "--samples",
                      "2000", "--seed", "1"])
    b = run(capplan, ["estimate", specs[1], "--format", "json", "--samples",
                      "2000", "--seed", "2"])
    if a == b:
        print("FAIL: seeds 1 and 2 give the same report")
        bad += 1
    return bad


# ------------------------------------------------------------------ PNG

def png_pixels(path):
    """Width, height and rows of (r, g, b, a) of an 8-bit RGBA or RGB,
    non-interlaced PNG (what rsvg-convert writes)."""
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, w = 8, b"", 0
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            w, h, depth, color, _, _, interlace = struct.unpack(">IIBBBBB",
                                                                 body)
            assert depth == 8 and color in (2, 6) and interlace == 0
            bpp = 4 if color == 6 else 3
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    raw = zlib.decompress(idat)
    stride = w * bpp
    rows, prev = [], bytearray(stride)
    for y in range(h):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pr = a if pa <= pb and pa <= pc else b if pb <= pc else c
                line[i] = (line[i] + pr) & 255
        rows.append(bytes(line))
        prev = line
    return w, h, bpp, rows


def count_colour(png, rgb, tol=24):
    w, h, bpp, rows = png
    n = 0
    for row in rows:
        for x in range(w):
            r, g, b = row[x * bpp], row[x * bpp + 1], row[x * bpp + 2]
            if abs(r - rgb[0]) <= tol and abs(g - rgb[1]) <= tol and \
                    abs(b - rgb[2]) <= tol:
                n += 1
    return n


def render(svg_path, png_path):
    subprocess.run(["rsvg-convert", svg_path, "-o", png_path], check=True)
    png = png_pixels(png_path)
    assert png[0] == 800 and png[1] == 480, "not 800 x 480"
    return png


def texts(svg):
    """(x, y, text) of every <text> element, XML entities decoded."""
    out = []
    for m in re.finditer(r'<text x="([-0-9.e]+)" y="([-0-9.e]+)"[^>]*>(.*?)'
                         r'</text>', svg):
        t = m.group(3).replace("&lt;", "<").replace("&gt;", ">") \
            .replace("&quot;", '"').replace("&amp;", "&")
        out.append((float(m.group(1)), float(m.group(2)), t))
    return out


def vlines(svg, colour):
    return [float(m.group(1)) for m in re.finditer(
        r'<line x1="([-0-9.e]+)" y1="[-0-9.e]+" x2="\1" y2="[-0-9.e]+" '
        r'stroke="%s"' % colour, svg)]


class Fail(Exception):
    pass


def need(cond, what):
    if not cond:
        raise Fail(what)


def check_plots(capplan):
    bad = 0
    tmp = tempfile.mkdtemp()
    spec = "specs/gallery-youtube-ranges.yaml"

    def attempt(name, fn):
        nonlocal bad
        try:
            fn()
            print("ok: %s" % name)
        except Fail as e:
            print("FAIL: %s: %s" % (name, e))
            bad += 1

    def histogram():
        svg_path = os.path.join(tmp, "hist.svg")
        report = json.loads(run(capplan, ["estimate", spec, "--format", "json",
                                          "--plot", svg_path]))
        svg = open(svg_path, encoding="utf-8").read()
        unc = report["uncertainty"]
        cost = unc["outputs"]["totals.cost_per_year"]
        labels = {t for _, _, t in texts(svg)}
        for q in ("p5", "p50", "p95"):
            need(any(t.startswith(q + " $") for t in labels),
                 "no %s marker" % q)
        need("budget $4M" in labels, "no budget marker")
        p_pass = [c["p_pass"] for c in unc["checks"] if c["name"] == "cost"][0]
        need(any("P(within budget) %g%%" % round(p_pass * 100, 2) in t
                 for t in labels), "no P(within budget) in the subtitle")
        bars = re.findall(r'<rect x="[^"]+" y="([^"]+)" width="[^"]+" '
                          r'height="([^"]+)" fill="#4e79a7"', svg)
        need(len(bars) == 40, "%d bars, not 40" % len(bars))
        # Markers in order along x: p5 < p50 < p95, budget where it is.
        marks = vlines(svg, "#555")
        need(len(marks) == 3 and marks[0] < marks[1] < marks[2],
             "percentile lines not in order")
        limit = vlines(svg, "#d62728")
        need(len(limit) == 1, "no budget line")
        between = marks[0] < limit[0] < marks[2]
        need(between == (cost["p5"] < 4e6 < cost["p95"]),
             "budget line on the wrong side of the percentiles")
        need((limit[0] < marks[1]) == (4e6 < cost["p50"]),
             "budget line on the wrong side of the median")
        png = render(svg_path, os.path.join(tmp, "hist.png"))
        need(count_colour(png, BAR) > 20000, "bars not drawn")
        need(count_colour(png, LIMIT) > 300, "budget line not drawn")
        need(count_colour(png, MARK, 8) > 300, "percentile lines not drawn")

    def tornado():
        svg_path = os.path.join(tmp, "tornado.svg")
        report = json.loads(run(capplan, ["estimate", spec, "--format", "json",
                                          "--sensitivity", "--samples", "200",
                                          "--plot", svg_path]))
        order = [s["path"] for s in report["uncertainty"]["sensitivity"]]
        svg = open(svg_path, encoding="utf-8").read()
        ys = {t: y for _, y, t in texts(svg)}
        need(all(p in ys for p in order), "a range has no bar label")
        need([ys[p] for p in order] == sorted(ys[p] for p in order),
             "bars not largest swing first from the top")
        need(any(t.startswith("median plan $") for t in ys),
             "no median plan line")
        png = render(svg_path, os.path.join(tmp, "tornado.png"))
        need(count_colour(png, BAR) > 2000, "low sides not drawn")
        need(count_colour(png, HIGH) > 2000, "high sides not drawn")
        need(count_colour(png, LIMIT) > 200, "budget line not drawn")

    def sweep():
        svg_path = os.path.join(tmp, "sweep.svg")
        doc = json.loads(run(capplan, [
            "sweep", "specs/gallery-youtube.yaml", "--set",
            "traffic.qps=10K..60K", "--find", "cost<=4M/year", "--format",
            "json", "--plot", svg_path]))
        svg = open(svg_path, encoding="utf-8").read()
        pts = re.search(r'<polyline[^>]*points="([^"]+)"', svg).group(1).split()
        need(len(pts) == len(doc["points"]) == 11, "not one point per step")
        xy = [tuple(map(float, p.split(","))) for p in pts]
        need(all(a[0] < b[0] and a[1] > b[1] for a, b in zip(xy, xy[1:])),
             "cost does not rise to the right")
        limit_y = [float(m.group(1)) for m in re.finditer(
            r'<line x1="[^"]+" y1="([^"]+)" x2="[^"]+" y2="\1" '
            r'stroke="#d62728"', svg)]
        need(len(limit_y) == 1, "no budget line")
        costs = [p["cost_per_year"] for p in doc["points"]]
        above = [y < limit_y[0] for _, y in xy]
        need(above == [c > 4e6 for c in costs],
             "points on the wrong side of the budget line")
        found = vlines(svg, "#555")
        need(len(found) == 1, "no line at the value found")
        value = doc["find"]["results"][0]["value"]
        x0, x1 = xy[0][0], xy[-1][0]
        want = x0 + (value - 10000) / 50000 * (x1 - x0)
        need(abs(found[0] - want) < 1, "the found line is not at %g" % value)
        png = render(svg_path, os.path.join(tmp, "sweep.png"))
        need(count_colour(png, BAR) > 1000, "line not drawn")
        # the dashed budget line alone is about 500 pixels of its colour
        # (its label about 60)
        need(count_colour(png, LIMIT) > 400, "budget line not drawn")

    def forecast():
        svg_path = os.path.join(tmp, "forecast.svg")
        doc = json.loads(run(capplan, ["forecast", "tests/inputs/growth.yaml",
                                       "--months", "24", "--format", "json",
                                       "--plot", svg_path]))
        svg = open(svg_path, encoding="utf-8").read()
        pts = re.search(r'<polyline[^>]*points="([^"]+)"', svg).group(1).split()
        need(len(pts) == 25, "not one point per month")
        first = [f["month"] for f in doc["first_failure"]
                 if f["name"] == "cost"][0]
        labels = {t for _, _, t in texts(svg)}
        need("month %d" % first in labels, "no mark at month %d" % first)
        need(any("over budget from month %d" % first in t for t in labels),
             "the subtitle does not say when")
        png = render(svg_path, os.path.join(tmp, "forecast.png"))
        need(count_colour(png, BAR) > 1000, "line not drawn")
        need(count_colour(png, LIMIT) > 600, "budget and month lines missing")

    attempt("histogram", histogram)
    attempt("tornado", tornado)
    attempt("sweep", sweep)
    attempt("forecast", forecast)
    return bad


# Where each output path's figure sits in the report: (list, key, name).
def report_figure(report, path):
    scope, rest = path.split(".", 1)
    if scope == "totals":
        key = {"latency_ms": "latency_ms"}.get(rest, rest)
        return report["totals"].get(key)
    name, key = rest.rsplit(".", 1)
    cache = name.endswith(".cache")
    if cache:
        name = name[: -len(".cache")]
    rows = report["stages" if scope == "stages" else "groups"]
    for row in rows:
        if row["name"] == name:
            return (row["cache"] if cache else row).get(key)
    return None


def check_keys(capplan):
    bad = checked = 0
    for spec in sorted(os.listdir("specs")):
        path = os.path.join("specs", spec)
        with open(path) as f:
            text = f.read()
        if not re.search(r"\bto\b|\.\.|normal\(|uniform\(|triangular\(",
                         text):
            continue
        report = json.loads(run(capplan, ["estimate", path, "--format",
                                          "json", "--samples", "500"]))
        outputs = (report.get("uncertainty") or {}).get("outputs") or {}
        for key, out in outputs.items():
            want = report_figure(report, key)
            checked += 1
            if not isinstance(want, (int, float)) or \
                    abs(out["plan"] - want) > 1e-9 * max(1, abs(want)):
                print("FAIL: %s: %s plan %r, the report's figure %r" %
                      (spec, key, out["plan"], want))
                bad += 1
    if checked < 20:
        print("FAIL: only %d outputs checked" % checked)
        bad += 1
    return bad


def main():
    what, capplan, source = sys.argv[1:4]
    os.chdir(source)
    bad = {"threads": check_threads, "keys": check_keys,
           "plots": check_plots}[what](capplan)
    sys.exit(1 if bad else 0)


main()
