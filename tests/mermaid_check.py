#!/usr/bin/env python3
"""A checker of the Mermaid flowchart grammar 'capplan graph --format
mermaid' writes (src/render/render_graph_mermaid.c), for tests that run
without a browser or the Mermaid package.

The subset, line by line (Mermaid's flowchart grammar, flow.jison in
mermaid-js/mermaid, restricted to what capplan emits):

    ---                      front matter: 'title: "..."' between two
    title: "..."             '---' lines, first thing in the text
    ---
    flowchart TD
    subgraph ID["LABEL"]     ... 'end', nested no deeper than one
    ID["LABEL"]              a box;  ID(["LABEL"]) a stadium;
                             ID[("LABEL")] a cylinder
    ID ARROW|"LABEL"| ID     ARROW one of --> ==> -.->
    classDef NAME STYLE      STYLE: key:value pairs separated by commas
    class ID,ID NAME
    style ID STYLE
    linkStyle N,N STYLE

and it checks what Mermaid would reject or misread: an ID that is not
[A-Za-z_][A-Za-z0-9_]* or is a keyword ('end', 'subgraph', 'graph', ...),
a node defined twice, an edge or a class naming an undefined node, a
linkStyle index past the last edge, an unclosed subgraph, and, in a
quoted label, a raw '"' (which ends it), or '#' or '&' that is not part
of an entity code (#quot; #35; #amp; ...), or a tag other than <b>, </b>
and <br/>.

check(text) returns a list of problems (empty when the text is valid) and
the counts of nodes, edges and subgraphs.  Run as a script it checks
files given on the command line.
"""
import re
import sys

ID = r"[A-Za-z_][A-Za-z0-9_]*"
KEYWORDS = {"end", "subgraph", "graph", "flowchart", "style", "class",
            "classDef", "linkStyle", "click", "call", "href", "default",
            "direction"}
LABEL = r'"([^"]*)"'
NODE = re.compile(r"^(%s)(\[|\(\[|\[\()%s(\]|\]\)|\)\])$" % (ID, LABEL))
SHAPES = {("[", "]"), ("([", "])"), ("[(", ")]")}
EDGE = re.compile(r"^(%s) (-->|==>|-\.->)\|%s\| (%s)$" % (ID, LABEL, ID))
SUBGRAPH = re.compile(r"^subgraph (%s)\[%s\]$" % (ID, LABEL))
STYLE = r"[a-z-]+:[^,;\s]+(?: [^,;\s]+)*(?:,[a-z-]+:[^,;\s]+(?: [^,;\s]+)*)*"
CLASSDEF = re.compile(r"^classDef (%s) (%s)$" % (ID, STYLE))
CLASS = re.compile(r"^class (%s(?:,%s)*) (%s)$" % (ID, ID, ID))
STYLELINE = re.compile(r"^style (%s) (%s)$" % (ID, STYLE))
LINKSTYLE = re.compile(r"^linkStyle ([0-9]+(?:,[0-9]+)*) (%s)$" % STYLE)
ENTITY = re.compile(r"#(?:[0-9]+|[a-z]+);")
TAG = re.compile(r"<[^>]*>")


def label_problems(label, where):
    problems = []
    rest = ENTITY.sub("", label)
    for t in TAG.findall(rest):
        if t not in ("<b>", "</b>", "<br/>"):
            problems.append("%s: tag %r in a label" % (where, t))
    rest = TAG.sub("", rest)
    for c in "#&<>":
        if c in rest:
            problems.append("%s: raw %r in a label (use an entity code)"
                            % (where, c))
    if any(ord(c) < 0x20 or 0x7f <= ord(c) <= 0x9f for c in label):
        problems.append("%s: control character in a label" % where)
    return problems


def check(text):
    problems = []
    nodes, edges, subgraphs = set(), 0, 0
    pending = []  # (line number, what, name) checked once all are known
    link_indices = []
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    i = 0
    if lines and lines[0] == "---":
        try:
            close = lines.index("---", 1)
        except ValueError:
            return ["front matter: no closing '---'"], 0, 0, 0
        for k in range(1, close):
            m = re.fullmatch(r'title: "([^"\\]*)"', lines[k])
            if not m:
                problems.append("line %d: front matter is not a title"
                                % (k + 1))
            else:
                problems += label_problems(m.group(1), "line %d" % (k + 1))
        i = close + 1
    if i >= len(lines) or lines[i] != "flowchart TD":
        problems.append("line %d: expected 'flowchart TD'" % (i + 1))
        return problems, 0, 0, 0
    depth = 0
    for n in range(i + 1, len(lines)):
        where = "line %d" % (n + 1)
        line = lines[n].strip()
        if not line or line.startswith("%%"):
            continue
        m = SUBGRAPH.match(line)
        if m:
            if depth:
                problems.append("%s: nested subgraph" % where)
            depth += 1
            subgraphs += 1
            if m.group(1) in KEYWORDS or m.group(1) in nodes:
                problems.append("%s: bad subgraph id %r" % (where, m.group(1)))
            nodes.add(m.group(1))
            problems += label_problems(m.group(2), where)
            continue
        if line == "end":
            if not depth:
                problems.append("%s: 'end' without a subgraph" % where)
            depth = max(0, depth - 1)
            continue
        m = NODE.match(line)
        if m:
            name, open_, label, close_ = m.groups()
            if (open_, close_) not in SHAPES:
                problems.append("%s: mismatched shape %s...%s"
                                % (where, open_, close_))
            if name in KEYWORDS:
                problems.append("%s: node id %r is a keyword" % (where, name))
            if name in nodes:
                problems.append("%s: node %r defined twice" % (where, name))
            nodes.add(name)
            problems += label_problems(label, where)
            continue
        m = EDGE.match(line)
        if m:
            pending.append((where, "edge", m.group(1)))
            pending.append((where, "edge", m.group(4)))
            problems += label_problems(m.group(3), where)
            edges += 1
            continue
        if CLASSDEF.match(line):
            continue
        m = CLASS.match(line)
        if m:
            for name in m.group(1).split(","):
                pending.append((where, "class", name))
            continue
        m = STYLELINE.match(line)
        if m:
            pending.append((where, "style", m.group(1)))
            continue
        m = LINKSTYLE.match(line)
        if m:
            link_indices += [(where, int(x)) for x in m.group(1).split(",")]
            continue
        problems.append("%s: not a statement of the grammar: %r"
                        % (where, line))
    if depth:
        problems.append("a subgraph is not closed with 'end'")
    for where, what, name in pending:
        if name not in nodes:
            problems.append("%s: %s names undefined node %r"
                            % (where, what, name))
    for where, k in link_indices:
        if k >= edges:
            problems.append("%s: linkStyle %d past the last edge (%d edges)"
                            % (where, k, edges))
    node_count = len(nodes) - subgraphs
    return problems, node_count, edges, subgraphs


if __name__ == "__main__":
    bad = 0
    for path in sys.argv[1:]:
        problems, n, e, s = check(open(path, encoding="utf-8").read())
        for p in problems:
            print("%s: %s" % (path, p))
        bad += bool(problems)
        print("%s: %d nodes, %d edges, %d subgraphs" % (path, n, e, s))
    sys.exit(1 if bad else 0)
