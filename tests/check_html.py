#!/usr/bin/env python3
"""'capplan estimate --format html' opened in a real browser (issue 14).

For every gallery spec (specs/gallery-*.yaml) and for specs whose strings
hold control characters and markup:
- the page is one self-contained file: no <script>, <link>, <iframe>,
  <img>, <object> or <embed> element, no attribute that loads anything
  (src, href, ... other than a '#' reference within the page), no
  @import or url() but url(#...), no http:// or https:// anywhere, and
  no raw control character;
- headless Chromium (Debian's 'chromium') opens it, with name resolution
  turned off, and takes a screenshot (kept in OUT_DIR for review); any
  line Chromium logs from the page's console (--enable-logging=stderr
  --v=0 prints them as ':CONSOLE' lines: script errors, failed loads,
  refused content) fails the test, and so does a missing or tiny
  screenshot;
- for the markup spec, the DOM Chromium builds (--dump-dom) has the
  spec's name as the text of the title and the heading, and no element
  the spec smuggled in.
A control page that logs to the console must be caught, so a Chromium
that stopped reporting console messages fails the test rather than
passing it.

Usage: check_html.py CAPPLAN SOURCE_DIR OUT_DIR
"""
import glob
import json
import html.parser
import os
import re
import shutil
import subprocess
import sys
import tempfile

capplan, source, out_dir = (os.path.abspath(sys.argv[1]), sys.argv[2],
                            os.path.abspath(sys.argv[3]))
os.chdir(source)
os.makedirs(out_dir, exist_ok=True)
failures = []
BAD = re.compile(rb"[\x00-\x09\x0b-\x1f\x7f]|\xc2[\x80-\x9f]")


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL: " + what)
    return cond


browser = shutil.which("chromium")
if not browser:
    print("FAIL: 'chromium' is not installed (.ci/run installs it)")
    sys.exit(1)


def chromium(url, *extra):
    """Runs headless Chromium on URL; returns (exit code, stdout, the
    page's console lines)."""
    with tempfile.TemporaryDirectory() as profile:
        p = subprocess.run(
            [browser, "--headless", "--no-sandbox", "--disable-gpu",
             "--disable-background-networking", "--disable-component-update",
             "--disable-sync", "--no-first-run", "--hide-scrollbars",
             "--user-data-dir=" + profile, "--enable-logging=stderr",
             "--v=0", "--host-resolver-rules=MAP * ~NOTFOUND"] +
            list(extra) + [url],
            capture_output=True, timeout=180)
    console = [l for l in p.stderr.decode(errors="replace").splitlines()
               if ":CONSOLE" in l]
    return p.returncode, p.stdout, console


def screenshot(page, png):
    code, _, console = chromium("file://" + page, "--window-size=1200,3000",
                                "--screenshot=" + png)
    return code, console


def png_size(path):
    try:
        with open(path, "rb") as f:
            head = f.read(24)
    except FileNotFoundError:
        return 0, 0
    if head[:8] != b"\x89PNG\r\n\x1a\n":
        return 0, 0
    return int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24],
                                                              "big")


LOADING = {"src", "href", "xlink:href", "action", "data", "poster",
           "srcset", "formaction", "background"}


class Tags(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags = set()
        self.loads = []

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        for k, v in attrs:
            if k in LOADING and not (v or "").startswith("#"):
                self.loads.append("<%s %s=%r>" % (tag, k, v))


# The detector works: a page that logs is caught.
with tempfile.TemporaryDirectory() as tmp:
    control = os.path.join(tmp, "control.html")
    with open(control, "w") as f:
        f.write("<!DOCTYPE html><title>c</title><p>control</p>"
                "<script>console.error('capplan-control')</script>")
    code, console = screenshot(control, os.path.join(tmp, "c.png"))
    if not check(any("capplan-control" in l for l in console),
                 "control page: Chromium reported no console line; the "
                 "check could not see an error"):
        sys.exit(1)

specs = sorted(glob.glob("specs/gallery-*.yaml")) + [
    "tests/regress/cli/control-chars.yaml", "tests/inputs/markup-name.yaml"]
check(len(specs) > 2, "there are gallery specs")
for spec in specs:
    name = os.path.basename(spec)[:-5]
    page = os.path.join(out_dir, name + ".html")
    est = subprocess.run([capplan, "estimate", spec], capture_output=True)
    p = subprocess.run([capplan, "estimate", spec, "--format", "html", "-o",
                        page], capture_output=True, timeout=120)
    check(p.returncode == est.returncode, "%s: exit %d, as estimate's %d"
          % (name, p.returncode, est.returncode))
    data = open(page, "rb").read()
    m = BAD.search(data)
    check(m is None, "%s: raw control character %r" % (name, m and m.group(0)))
    text = data.decode("utf-8")
    for bad in ("http://", "https://", "@import"):
        check(bad not in text.lower(), "%s: the page holds %r" % (name, bad))
    check(not re.search(r"url\((?!#)", text), "%s: url() to outside the "
          "page" % name)
    tags = Tags()
    tags.feed(text)
    for bad in ("script", "link", "iframe", "img", "object", "embed"):
        check(bad not in tags.tags, "%s: a <%s> element" % (name, bad))
    check(not tags.loads, "%s: attributes that load: %s" % (name, tags.loads))
    check({"html", "head", "style", "main", "table", "svg"} <= tags.tags,
          "%s: the page has its parts (got %s)" % (name, sorted(tags.tags)))
    png = os.path.join(out_dir, name + ".png")
    code, console = screenshot(page, png)
    check(code == 0, "%s: chromium exit %d" % (name, code))
    for line in console:
        check(False, "%s: console: %s" % (name, line))
    w, h = png_size(png)
    size = os.path.getsize(png) if os.path.exists(png) else 0
    check(w == 1200 and h == 3000 and size > 50000,
          "%s: screenshot %dx%d, %d bytes" % (name, w, h, size))

# With ranges the page says how sure the plan is, with Monte Carlo's
# figures (the same as the JSON report's) and verdict; without, it does not.
def money(x):
    return "${:,.0f}".format(x)


for spec, ranged in (("specs/gallery-youtube-ranges.yaml", True),
                     ("specs/gallery-youtube.yaml", False)):
    name = os.path.basename(spec)[:-5]
    text = open(os.path.join(out_dir, name + ".html"), encoding="utf-8").read()
    check(("How sure" in text) == ranged,
          "%s: a section on the ranges %s" % (name, "missing" if ranged
                                               else "with no range"))
    if not ranged:
        continue
    rep = json.loads(subprocess.run([capplan, "estimate", spec, "--format",
                                     "json"], capture_output=True).stdout)
    unc = rep["uncertainty"]
    cost = unc["outputs"]["totals.cost_per_year"]
    for q in ("p5", "p50", "p95"):
        check(money(cost[q]) in text, "%s: the cost's %s %s is not on the "
              "page" % (name, q, money(cost[q])))
    failed = sum(1 for c in unc["checks"] if not c["passed"])
    check(("checks failed at 95% confidence" in text) == (failed > 0),
          "%s: the verdict is not Monte Carlo's (%d failed)" % (name, failed))
    check(text.count("<svg") >= 2, "%s: no histogram of the cost" % name)
    check("availability with fallback" in text,
          "%s: the figures over the trials are not all there" % name)

# What a spec says stays text in the page the browser builds.
spec = "tests/inputs/markup-name.yaml"
page = os.path.join(out_dir, "markup-name.html")
code, dom, console = chromium("file://" + page, "--dump-dom")
dom = dom.decode("utf-8", "replace")
check(code == 0 and not console, "markup-name: --dump-dom ran cleanly")
want = ("&lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt; \"q\" 'a' "
        "&amp; #35; |x| `b` %0A ]]&gt; &lt;!--")
check("<h1>" + want + "</h1>" in dom,
      "markup-name: the heading holds the name as text")
check("<script" not in dom and "<img" not in dom and "onerror" not in
      dom.replace("onerror=alert(1)&gt;", ""),
      "markup-name: no element from the spec in the DOM")
check("&lt;img src=x onerror=alert(1)&gt; &amp; &lt;/style&gt;&lt;b&gt;bold"
      in dom, "markup-name: the description is text")

print("%d pages, %d failures" % (len(specs), len(failures)))
sys.exit(1 if failures else 0)
