#!/usr/bin/env python3
"""Validates every golden JSON output (reports, check results, diffs) against
its schema in docs/ with a real validator (Debian's python3-jsonschema).
Fails if the validator is missing, if a kind has no golden document, or if
any document does not match."""
import glob
import json
import os
import sys

try:
    import jsonschema
except ImportError:
    print("python3-jsonschema is not installed (apt-get install "
          "python3-jsonschema)")
    sys.exit(1)

source = sys.argv[1]
os.chdir(source)
schemas = {}
paths = {}
for kind, path in (("report", "docs/report.schema.json"),
                   ("check", "docs/check.schema.json"),
                   ("diff", "docs/diff.schema.json"),
                   ("calc", "docs/calc.schema.json"),
                   ("validate", "docs/validate.schema.json"),
                   ("catalog", "docs/catalog.schema.json"),
                   ("sweep", "docs/sweep.schema.json"),
                   ("forecast", "docs/forecast.schema.json"),
                   ("simulation", "docs/simulate.schema.json")):
    schema = json.load(open(path, encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    schemas[kind] = jsonschema.Draft202012Validator(schema)
    paths[kind] = path
checked = {k: 0 for k in schemas}
bad = 0
for path in sorted(glob.glob("tests/cases/*.stdout") +
                   glob.glob("tests/golden/*/json.out") +
                   glob.glob("tests/regress/cli/*.stdout")):
    text = open(path, encoding="utf-8").read()
    if not text.lstrip().startswith("{"):
        continue
    doc = json.loads(text)
    if not isinstance(doc.get("tool"), dict) or \
            doc["tool"].get("name") != "capplan":
        continue
    kind = doc.get("kind", "report")
    if kind not in schemas:
        print("%s: unknown kind %r" % (path, kind))
        bad += 1
        continue
    errors = sorted(schemas[kind].iter_errors(doc), key=lambda e: list(e.path))
    for e in errors:
        print("%s: %s at /%s" % (path, e.message,
                                 "/".join(str(p) for p in e.path)))
    bad += bool(errors)
    checked[kind] += 1
for kind, n in checked.items():
    print("%d %s documents checked against %s"
          % (n, kind, paths[kind]))
    if n == 0:
        print("no %s documents found under tests/" % kind)
        bad += 1
sys.exit(1 if bad else 0)
