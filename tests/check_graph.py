#!/usr/bin/env python3
"""'capplan graph' in its three formats, on every spec under specs/ and on
specs whose strings hold control characters and markup (issue 14).

For each spec:
- dot: Graphviz's 'dot -Tsvg' renders it with no message on stderr, and
  the SVG it makes has one node per stage, cache tier and the traffic, and
  one cluster per colocation group;
- mermaid: tests/mermaid_check.py finds no problem, with the same counts;
- svg: it is well-formed XML (Python's parser), 'rsvg-convert' renders it
  to a PNG, and capplan's own layout put no two nodes on top of each
  other, every group's box around its stages and no other node inside it.
The numbers of nodes and groups come from the JSON report, so the
pictures are held to the plan.  The strings of the hostile specs come out
as text: no raw control character, no markup of their own.

Every tool is required: a missing one fails the test (CI installs them).

Usage: check_graph.py CAPPLAN SOURCE_DIR OUT_DIR
"""
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mermaid_check  # noqa: E402

capplan, source, out_dir = (os.path.abspath(sys.argv[1]), sys.argv[2],
                            os.path.abspath(sys.argv[3]))
os.chdir(source)
os.makedirs(out_dir, exist_ok=True)
failures = []
SVG = "{http://www.w3.org/2000/svg}"
BAD = re.compile(rb"[\x00-\x09\x0b-\x1f\x7f]|\xc2[\x80-\x9f]")


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL: " + what)
    return cond


for tool in ("dot", "rsvg-convert"):
    if not shutil.which(tool):
        print("FAIL: '%s' is not installed (.ci/run installs graphviz and "
              "librsvg2-bin)" % tool)
        sys.exit(1)


def tool_messages(stderr):
    """What a tool said about its input: its stderr less fontconfig's notes
    on its own cache, which another test's browser may be rebuilding."""
    return [l for l in stderr.decode(errors="replace").splitlines()
            if l.strip() and not l.startswith("Fontconfig ")]


def run(args):
    p = subprocess.run([capplan] + args, capture_output=True, timeout=120)
    return p


def expected(spec):
    """Nodes (traffic, stages, cache tiers) and groups of SPEC's plan."""
    p = run(["estimate", spec, "--format", "json"])
    doc = json.loads(p.stdout)
    stages = doc["stages"]
    caches = sum(1 for s in stages if s.get("cache"))
    return 1 + len(stages) + caches, len(doc.get("groups", []))


def overlap(a, b):
    return (a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and
            a[1] < b[1] + b[3] and b[1] < a[1] + a[3])


def inside(inner, outer):
    return (inner[0] >= outer[0] and inner[1] >= outer[1] and
            inner[0] + inner[2] <= outer[0] + outer[2] and
            inner[1] + inner[3] <= outer[1] + outer[3])


def check_svg_layout(name, root, groups_of):
    nodes = []
    for g in root.iter(SVG + "g"):
        if g.get("class") == "node":
            box = [float(v) for v in g.get("data-box").split()]
            nodes.append((g.find(SVG + "title").text, box))
    for i in range(len(nodes)):
        for j in range(i + 1, len(nodes)):
            check(not overlap(nodes[i][1], nodes[j][1]),
                  "%s svg: nodes '%s' and '%s' overlap"
                  % (name, nodes[i][0], nodes[j][0]))
    for g in root.iter(SVG + "g"):
        if g.get("class") != "cluster":
            continue
        title = g.find(SVG + "title").text
        group = title[len("group "):]
        r = g.find(SVG + "rect")
        box = [float(r.get(k)) for k in ("x", "y", "width", "height")]
        members = groups_of.get(group, set())
        check(members, "%s svg: group '%s' has no stages" % (name, group))
        for node, nb in nodes:
            if node in members:
                check(inside(nb, box), "%s svg: '%s' is outside its group "
                      "'%s'" % (name, node, group))
            else:
                check(not overlap(nb, box), "%s svg: '%s' lies inside group "
                      "'%s'" % (name, node, group))
    return len(nodes)


def png_size(path):
    with open(path, "rb") as f:
        head = f.read(24)
    if head[:8] != b"\x89PNG\r\n\x1a\n":
        return 0, 0
    return int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24],
                                                              "big")


specs = sorted(glob.glob("specs/*.yaml")) + [
    "tests/regress/cli/control-chars.yaml", "tests/inputs/markup-name.yaml"]
for spec in specs:
    name = os.path.basename(spec)[:-5]
    n_nodes, n_groups = expected(spec)
    doc = json.loads(run(["estimate", spec, "--format", "json"]).stdout)
    groups_of = {}
    for s in doc["stages"]:
        if s.get("group"):
            groups_of.setdefault(s["group"], set()).add(s["name"])
    outputs = {}
    for fmt in ("dot", "mermaid", "svg"):
        p = run(["graph", spec, "--format", fmt])
        check(p.returncode == 0, "%s %s: exit %d: %s"
              % (name, fmt, p.returncode, p.stderr.decode(errors="replace")))
        m = BAD.search(p.stdout)
        check(m is None, "%s %s: raw control character %r"
              % (name, fmt, m.group(0) if m else b""))
        p.stdout.decode("utf-8")  # raises if not UTF-8
        outputs[fmt] = p.stdout
    check(run(["graph", spec]).stdout == outputs["dot"],
          "%s: dot is the default format" % name)

    # DOT through Graphviz.
    g = subprocess.run(["dot", "-Tsvg"], input=outputs["dot"],
                       capture_output=True, timeout=120)
    if check(g.returncode == 0 and not tool_messages(g.stderr),
             "%s dot: dot -Tsvg exit %d: %s"
             % (name, g.returncode, g.stderr.decode(errors="replace"))):
        root = ET.fromstring(g.stdout)
        classes = [e.get("class") for e in root.iter(SVG + "g")]
        check(classes.count("node") == n_nodes, "%s dot: %d nodes drawn, "
              "expected %d" % (name, classes.count("node"), n_nodes))
        check(classes.count("cluster") == n_groups, "%s dot: %d clusters, "
              "expected %d" % (name, classes.count("cluster"), n_groups))
        with open(os.path.join(out_dir, name + ".dot.svg"), "wb") as f:
            f.write(g.stdout)

    # Mermaid against the grammar it is written in.
    problems, n, e, s = mermaid_check.check(outputs["mermaid"].decode())
    for pr in problems:
        check(False, "%s mermaid: %s" % (name, pr))
    check(n == n_nodes, "%s mermaid: %d nodes, expected %d"
          % (name, n, n_nodes))
    check(s == n_groups, "%s mermaid: %d subgraphs, expected %d"
          % (name, s, n_groups))

    # capplan's own SVG.
    svg_path = os.path.join(out_dir, name + ".svg")
    with open(svg_path, "wb") as f:
        f.write(outputs["svg"])
    try:
        root = ET.fromstring(outputs["svg"])
    except ET.ParseError as err:
        check(False, "%s svg: not well-formed XML: %s" % (name, err))
        continue
    check(root.tag == SVG + "svg", "%s svg: the root is <svg>" % name)
    drawn = check_svg_layout(name, root, groups_of)
    check(drawn == n_nodes, "%s svg: %d nodes drawn, expected %d"
          % (name, drawn, n_nodes))
    png = os.path.join(out_dir, name + ".png")
    r = subprocess.run(["rsvg-convert", svg_path, "-o", png],
                       capture_output=True, timeout=120)
    check(r.returncode == 0 and not tool_messages(r.stderr),
          "%s svg: rsvg-convert exit "
          "%d: %s" % (name, r.returncode, r.stderr.decode(errors="replace")))
    w, h = png_size(png) if r.returncode == 0 else (0, 0)
    check(w > 100 and h > 100, "%s svg: rendered %dx%d" % (name, w, h))

# The hostile strings come out as text, not markup, in every format.
spec = "tests/inputs/markup-name.yaml"
dot = run(["graph", spec, "--format", "dot"]).stdout.decode()
check("<script>" not in dot and "&lt;script&gt;" in dot,
      "dot: the name is escaped in the label")
mmd = run(["graph", spec, "--format", "mermaid"]).stdout.decode()
check("<script>" not in mmd and "#60;script#62;" in mmd,
      "mermaid: the name is written with entity codes")
svg = ET.fromstring(run(["graph", spec, "--format", "svg"]).stdout)
texts = "".join(t.text or "" for t in svg.iter(SVG + "text"))
check("</title><script>alert(1)</script> \"q\"" in texts,
      "svg: the name reads back as the same text")
check(not list(svg.iter(SVG + "script")), "svg: no script element")

# A format the view does not have is a usage error naming the ones it has.
p = run(["graph", "specs/youtube.yaml", "--format", "table"])
check(p.returncode == 2 and b"use dot, mermaid or svg" in p.stderr
      and not p.stdout, "graph --format table is refused")

print("%d specs, %d failures" % (len(specs), len(failures)))
sys.exit(1 if failures else 0)
