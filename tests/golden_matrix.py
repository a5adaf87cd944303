#!/usr/bin/env python3
"""The golden matrix: every spec under specs/ in every report format.

For specs/NAME.yaml, tests/golden/NAME/ holds what capplan printed for

    table     capplan estimate specs/NAME.yaml
    json      capplan estimate specs/NAME.yaml --format json
    markdown  capplan estimate specs/NAME.yaml --format markdown
    csv       capplan estimate specs/NAME.yaml --format csv
    explain   capplan explain specs/NAME.yaml

as FORMAT.out (standard output), FORMAT.err (standard error, absent when
empty) and 'exit' (the exit code, the same for every format).  What each
spec is for is the first line of its header comment; this script prints
it with the spec's name, and fails a spec whose file has no such line.

Usage: golden_matrix.py [--update] [--wrapper CMD...] CAPPLAN SOURCE SPEC...
(SPEC is a name, e.g. youtube, or 'all').  With --update the expected
files are rewritten from the program, for review with git diff.  With
--wrapper (valgrind) the same expectations hold, so any report from the
wrapper fails the case.
"""
import glob
import os
import shlex
import subprocess
import sys

FORMATS = [
    ("table", ["estimate", "{spec}"]),
    ("json", ["estimate", "{spec}", "--format", "json"]),
    ("markdown", ["estimate", "{spec}", "--format", "markdown"]),
    ("csv", ["estimate", "{spec}", "--format", "csv"]),
    ("explain", ["explain", "{spec}"]),
]


def read(path):
    try:
        with open(path, "rb") as f:
            return f.read()
    except FileNotFoundError:
        return b""


def write(path, data):
    if data:
        with open(path, "wb") as f:
            f.write(data)
    elif os.path.exists(path):
        os.remove(path)


def purpose(spec_path):
    """The first line of the spec's header comment."""
    with open(spec_path, encoding="utf-8") as f:
        for line in f:
            if line.startswith("#"):
                text = line.lstrip("#").strip()
                if text:
                    return text
            elif line.strip():
                break
    return None


def main():
    argv = sys.argv[1:]
    update = "--update" in argv
    argv = [a for a in argv if a != "--update"]
    wrapper = []
    if argv and argv[0] == "--wrapper":
        wrapper = shlex.split(argv[1])
        argv = argv[2:]
    capplan, source = argv[0], argv[1]
    names = argv[2:]
    os.chdir(source)
    if names == ["all"] or not names:
        names = sorted(os.path.basename(p)[:-5] for p in glob.glob("specs/*.yaml"))
    env = dict(os.environ)
    env.pop("NO_COLOR", None)
    env.pop("COLUMNS", None)
    env["LC_ALL"] = "C.UTF-8"
    failures = 0
    for name in names:
        spec = "specs/%s.yaml" % name
        why = purpose(spec)
        if not why:
            print("%s: no header comment saying what the spec is for" % spec)
            failures += 1
            continue
        print("%s: %s" % (name, why))
        folder = os.path.join("tests", "golden", name)
        os.makedirs(folder, exist_ok=True)
        codes = set()
        for fmt, args in FORMATS:
            cmd = wrapper + [capplan] + [a.format(spec=spec) for a in args]
            p = subprocess.run(cmd, capture_output=True, env=env, timeout=300,
                               stdin=subprocess.DEVNULL)
            codes.add(p.returncode)
            out_path = os.path.join(folder, fmt + ".out")
            err_path = os.path.join(folder, fmt + ".err")
            if update:
                write(out_path, p.stdout)
                write(err_path, p.stderr)
                continue
            for label, want, got in (("stdout", read(out_path), p.stdout),
                                     ("stderr", read(err_path), p.stderr)):
                if want != got:
                    import difflib
                    diff = difflib.unified_diff(
                        want.decode("utf-8", "replace").splitlines(True),
                        got.decode("utf-8", "replace").splitlines(True),
                        "expected " + label, "got " + label)
                    print("%s %s: %s differs:\n%s" % (
                        spec, fmt, label, "".join(list(diff)[:60])))
                    failures += 1
        exit_path = os.path.join(folder, "exit")
        got_exit = "%s\n" % " ".join(str(c) for c in sorted(codes))
        if update:
            write(exit_path, got_exit.encode())
        elif read(exit_path).decode() != got_exit:
            print("%s: exit code %s, expected %s" % (
                spec, got_exit.strip(), read(exit_path).decode().strip()))
            failures += 1
    if not update and failures:
        print("%d difference(s); rewrite with --update and review the diff"
              % failures)
    return 0 if update or not failures else 1


sys.exit(main())
