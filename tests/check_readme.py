#!/usr/bin/env python3
"""Keeps README.md true: its sample output is the program's output (the
golden file of 'capplan estimate specs/youtube.yaml'), its error example
is the golden message of the file it names (tests/errors/NAME.stderr),
and CI runs the README's test command."""
import os
import re
import sys

source = sys.argv[1]
os.chdir(source)
readme = open("README.md", encoding="utf-8").read()
failures = 0

m = re.search(r"```\n\$ capplan estimate specs/youtube.yaml\n(.*?)```",
              readme, re.S)
golden = open("tests/golden/youtube/table.out", encoding="utf-8").read()
if not m or m.group(1) != golden:
    print("README.md's sample output differs from "
          "tests/golden/youtube/table.out")
    failures += 1

# The error example is the golden message of a real file of the error
# corpus, named before the block (issue 9: it named a file that did not
# exist).
m = re.search(r"Mistakes are reported[^`]*`capplan validate\s+([^`\s]+)`\):"
              r"\s*```\n(.*?)```", readme, re.S)
if not m:
    print("README.md's error example must follow 'Mistakes are reported "
          "... (`capplan validate FILE`):'")
    failures += 1
else:
    spec, shown = m.group(1), m.group(2)
    stderr = spec[: spec.rfind(".")] + ".stderr"
    if not os.path.exists(spec) or not os.path.exists(stderr):
        print("README.md's error example names %s, which is not a case of "
              "tests/errors/ with its golden .stderr" % spec)
        failures += 1
    elif open(stderr, encoding="utf-8").read() != shown:
        print("README.md's error example differs from %s" % stderr)
        failures += 1

blocks = re.findall(r"```sh\n(.*?)```", readme, re.S)
test_cmd = blocks[1].strip() if len(blocks) > 1 else None
ci = open(".ci/run", encoding="utf-8").read()
if not test_cmd or test_cmd not in ci.splitlines():
    print("the README's test command %r is not a line of .ci/run" % test_cmd)
    failures += 1
setup_cmd = blocks[0].strip() if blocks else ""
if "scripts/setup.sh" not in setup_cmd or \
        "build/capplan estimate specs/" not in setup_cmd:
    print("the README's first command must set up and run an example: %r"
          % setup_cmd)
    failures += 1
print("%d failures" % failures)
sys.exit(1 if failures else 0)
