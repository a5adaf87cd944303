#!/usr/bin/env python3
"""Fails unless every golden CLI case says what it is for.

Each tests/cases/*.case and tests/regress/cli/*.case must hold at least
one '#' comment line with text in it (run_case.py skips such lines): the
behaviour the case pins down and why it matters.  A case without one is
a test whose purpose a reader has to guess from its output, and cannot
tell a deliberate behaviour from an accident when the output changes.

Usage: check_case_comments.py SOURCE_DIR
"""
import glob
import os
import sys

FOLDERS = ("tests/cases", "tests/regress/cli")


def has_comment(path):
    with open(path, encoding="utf-8") as f:
        return any(line.startswith("#") and line[1:].strip() for line in f)


def main():
    os.chdir(sys.argv[1])
    cases = sorted(p for d in FOLDERS for p in glob.glob(d + "/*.case"))
    if not cases:
        print("no golden cases found under %s" % ", ".join(FOLDERS))
        return 1
    bare = [p for p in cases if not has_comment(p)]
    if bare:
        print("%d of %d golden cases have no '#' line saying what they are "
              "for:" % (len(bare), len(cases)))
        for p in bare:
            print("  " + p)
        return 1
    print("%d golden cases, each with its comment" % len(cases))
    return 0


if __name__ == "__main__":
    sys.exit(main())
