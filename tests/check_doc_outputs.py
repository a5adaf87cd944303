#!/usr/bin/env python3
"""Program output pasted into a document stays the program's output.

Every fenced block in the given markdown files that starts with a line
'$ capplan ARGS' must hold exactly what 'capplan ARGS' prints (stdout; the
exit code may be anything).  With --update, the blocks are rewritten from
the program, for review with git diff.

Summary tables count too: a row '| [x.yaml](../specs/x.yaml) | servers |
GPUs | cost/year | latency | availability |' must match the total and
system lines of 'capplan estimate specs/x.yaml'.

Spec excerpts too: a ```yaml block after a link to specs/x.yaml must be
lines of that file, in runs separated by '# ...' lines.

Usage: check_doc_outputs.py [--update] CAPPLAN SOURCE_DIR DOC.md...
"""
import os
import re
import shlex
import subprocess
import sys

update = "--update" in sys.argv
args = [a for a in sys.argv[1:] if a != "--update"]
capplan, source, docs = os.path.abspath(args[0]), args[1], args[2:]
os.chdir(source)
block = re.compile(r"```(text|console)?\n\$ (capplan [^\n]*)\n(.*?)```", re.S)
summary = re.compile(r"^\| \[([\w.-]+\.yaml)\]\(\.\./specs/\1\) \|.*\|$", re.M)
excerpt = re.compile(r"^```yaml\n(.*?)^```", re.S | re.M)
failures = 0
checked = 0
for doc in docs:
    text = open(doc, encoding="utf-8").read()

    def redo(m):
        global failures, checked
        cmd = shlex.split(m.group(2))
        env = dict(os.environ)
        env.pop("NO_COLOR", None)
        out = subprocess.run([capplan] + cmd[1:], capture_output=True,
                             text=True, env=env, timeout=60).stdout
        checked += 1
        if out == m.group(3):
            return m.group(0)
        if not update:
            print("%s: the output of '%s' has changed" % (doc, m.group(2)))
        failures += 1
        return "```%s\n$ %s\n%s```" % (m.group(1) or "", m.group(2), out)

    new = block.sub(redo, text)

    def resum(m):
        global failures, checked
        spec = "specs/" + m.group(1)
        out = subprocess.run([capplan, "estimate", spec], capture_output=True,
                             text=True, timeout=60).stdout
        total = system = None
        for line in out.splitlines():
            # The first of each: the plan's tables come before Monte
            # Carlo's, whose rows also start with 'total '.
            if line.startswith("total ") and total is None:
                t = line.split()
                total = [t[1], t[2], t[5], t[3] + " " + t[4]]
            elif line.startswith("system ") and system is None:
                system = line.split()[1]
        row = "| [%s](../%s) | %s | %s | %s | %s | %s |" % (
            m.group(1), spec, total[0], total[1], total[2], total[3], system)
        checked += 1
        if row != m.group(0):
            if not update:
                print("%s: the summary row for %s has changed" % (doc, spec))
            failures += 1
        return row

    new = summary.sub(resum, new)

    for m in excerpt.finditer(text):
        links = re.findall(r"\(\.\./(specs/[\w.-]+\.yaml)\)", text[:m.start()])
        if not links:
            continue
        lines = open(links[-1], encoding="utf-8").read().split("\n")
        chunks = [[]]
        for line in m.group(1).rstrip("\n").split("\n"):
            if line.strip() == "# ...":
                chunks.append([])
            else:
                chunks[-1].append(line)
        for chunk in chunks:
            n = len(chunk)
            checked += 1
            if n and not any(lines[i:i + n] == chunk
                             for i in range(len(lines) - n + 1)):
                print("%s:%d: excerpt is not in %s (starting '%s')" % (
                    doc, text[:m.start()].count("\n") + 1, links[-1],
                    chunk[0].strip()))
                failures += 1
    if update and new != text:
        open(doc, "w", encoding="utf-8").write(new)
        print("updated %s" % doc)
print("%d blocks checked, %d out of date" % (checked, failures))
sys.exit(0 if update or not failures else 1)
