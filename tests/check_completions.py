#!/usr/bin/env python3
"""The shell completions and man pages in use (issue 14).

docs.man and docs.completions hold the committed files to their
generators; this test holds them to the shells and to man:
- bash, zsh and fish read their files without a syntax error
  ('bash -n', 'zsh -n', 'fish --no-execute');
- bash and fish complete what capplan has: every command of 'capplan
  --help', each format of 'estimate' and 'graph' (as their usage errors
  list them), every topic 'capplan calc' lists and a topic's options,
  init's templates, help's commands, spec files for SPEC and JSON reports
  for diff, FILE for -o;
- groff formats both man pages with every warning on and says nothing,
  and capplan(1) names every command and every option of each.
Every shell and groff is required: a missing one fails the test.

Usage: check_completions.py CAPPLAN SOURCE_DIR
"""
import os
import re
import shutil
import subprocess
import sys

capplan, source = os.path.abspath(sys.argv[1]), sys.argv[2]
os.chdir(source)
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL: " + what)
    return cond


for tool in ("bash", "zsh", "fish", "groff"):
    if not shutil.which(tool):
        print("FAIL: '%s' is not installed (.ci/run installs it)" % tool)
        sys.exit(1)


def capplan_out(*args):
    p = subprocess.run([capplan] + list(args), capture_output=True,
                       text=True)
    return p.stdout + p.stderr


commands = re.findall(r"^  ([a-z]+) {2,}", capplan_out("--help"), re.M)
topics = re.findall(r"^  ([a-z-]+) {2,}\S", capplan_out("calc"), re.M)
templates = re.findall(r"^([a-z]+) ", capplan_out("init", "--list"), re.M)
check(len(commands) >= 10 and "graph" in commands, "commands: %s" % commands)
check(len(topics) >= 10, "calc topics: %s" % topics)


def formats(cmd):
    err = capplan_out(cmd, "specs/youtube.yaml", "--format", "nope")
    m = re.search(r"\(use (.*)\)", err)
    return re.split(r", | or ", m.group(1)) if m else []


for shell, path, args in (("bash", "completions/capplan.bash", ["-n"]),
                          ("zsh", "completions/_capplan", ["-n"]),
                          ("fish", "completions/capplan.fish",
                           ["--no-execute"])):
    p = subprocess.run([shell] + args + [path], capture_output=True,
                       text=True)
    check(p.returncode == 0 and not p.stderr, "%s reads %s: %s"
          % (shell, path, p.stderr))


def bash_complete(line):
    """What bash completes for LINE (the cursor at its end)."""
    script = r'''
source completions/capplan.bash
line=$1
read -ra COMP_WORDS <<< "$line"
[[ $line == *" " ]] && COMP_WORDS+=("")
COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
COMP_LINE=$line
COMP_POINT=${#line}
_capplan 2>/dev/null
printf '%s\n' "${COMPREPLY[@]}"
'''
    p = subprocess.run(["bash", "-c", script, "bash", line],
                       capture_output=True, text=True)
    return sorted(w for w in p.stdout.split("\n") if w)


def fish_complete(line):
    p = subprocess.run(["fish", "-c", "source completions/capplan.fish; "
                        "complete -C $argv[1]", line],
                       capture_output=True, text=True)
    return sorted(l.split("\t")[0] for l in p.stdout.split("\n") if l)


cases = [
    ("capplan ", commands + ["--help", "--version"], None),
    ("capplan est", ["estimate"], None),
    ("capplan estimate --format ", formats("estimate"), None),
    ("capplan graph --format ", formats("graph"), None),
    ("capplan check --format ", formats("check"), None),
    ("capplan estimate --color ", ["always", "auto", "never"], None),
    ("capplan validate --diagnostics-format ", ["github", "json", "text"],
     None),
    ("capplan validate --format ", ["json", "text"], None),
    ("capplan calc ", topics, "--help"),
    ("capplan help ", commands, None),
    ("capplan init --template ", templates, None),
    ("capplan catalog ", ["accelerators", "hardware", "instances", "models",
                          "workloads"],
     None),
]
for line, want, extra in cases:
    for shell, fn in (("bash", bash_complete), ("fish", fish_complete)):
        got = fn(line)
        if extra and extra in got:
            got.remove(extra)
        if shell == "fish" and line == "capplan ":
            want_here = commands  # fish offers options only after a '-'
        else:
            want_here = want
        check(sorted(got) == sorted(want_here), "%s: %r completes to %s, "
              "expected %s" % (shell, line, got, sorted(want_here)))

# A topic's options, spec files and reports.
for shell, fn in (("bash", bash_complete), ("fish", fish_complete)):
    got = fn("capplan calc servers --")
    check({"--qps", "--per-server", "--headroom", "--json"} <= set(got),
          "%s: calc servers options: %s" % (shell, got))
    got = fn("capplan estimate specs/gallery-")
    want = sorted("specs/" + f for f in os.listdir("specs")
                  if f.startswith("gallery-"))
    check(got == want, "%s: spec files: %s" % (shell, got))
    got = fn("capplan diff tests/inputs/youtube-r")
    check(got == ["tests/inputs/youtube-report.json"],
          "%s: diff completes JSON reports: %s" % (shell, got))
    got = fn("capplan estimate --d")
    check(got == ["--diagnostics-format"], "%s: --d completes: %s"
          % (shell, got))
    got = fn("capplan graph -o specs/you")
    check("specs/youtube.yaml" in got, "%s: -o completes files: %s"
          % (shell, got))

# The man pages.
for page in ("man/capplan.1", "man/capplan-spec.5"):
    p = subprocess.run(["groff", "-man", "-Tutf8", "-ww", "-z", page],
                       capture_output=True, text=True)
    check(p.returncode == 0 and not p.stderr, "groff %s: %s"
          % (page, p.stderr))
p = subprocess.run(["groff", "-man", "-Tutf8", "-P-c", "-P-b", "-P-u",
                    "man/capplan.1"], capture_output=True, text=True)
text = p.stdout.replace("\u2010", "-").replace("\u2212", "-")
text = re.sub(r"-\n\s+", "-", text)
for cmd in commands:
    check("capplan " + cmd in text, "capplan(1) has 'capplan %s'" % cmd)
    for opt in re.findall(r"^\s+(?:-\w, )?(--[a-z-]+)",
                          capplan_out("help", cmd), re.M):
        check(opt in text, "capplan(1) lists %s of %s" % (opt, cmd))
for topic in topics:
    check(re.search(r"^\s+%s " % re.escape(topic), text, re.M),
          "capplan(1) lists calc topic %s" % topic)
p = subprocess.run(["groff", "-man", "-Tutf8", "-P-c", "-P-b", "-P-u",
                    "man/capplan-spec.5"], capture_output=True, text=True)
for key in ("qps_per_server:", "latency:", "colocate:", "fallback:",
            "survive_zone_loss:"):
    check(key in p.stdout, "capplan-spec(5) describes %s" % key)

print("%d failures" % len(failures))
sys.exit(1 if failures else 0)
