#!/usr/bin/env python3
"""Validates every golden JSON report against docs/report.schema.json with a
real validator (Debian's python3-jsonschema).  Fails if the validator is
missing, if no report was found, or if any report does not match."""
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
schema = json.load(open("docs/report.schema.json", encoding="utf-8"))
jsonschema.Draft202012Validator.check_schema(schema)
validator = jsonschema.Draft202012Validator(schema)
checked = 0
bad = 0
for path in sorted(glob.glob("tests/cases/*.stdout")):
    text = open(path, encoding="utf-8").read()
    if not text.lstrip().startswith("{"):
        continue
    doc = json.loads(text)
    if doc.get("schema_version", "").split(".")[0] != "1" or "stages" not in doc:
        continue
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.path))
    for e in errors:
        print("%s: %s at /%s" % (path, e.message,
                                 "/".join(str(p) for p in e.path)))
    bad += bool(errors)
    checked += 1
if checked == 0:
    print("no JSON reports found under tests/cases")
    sys.exit(1)
print("%d JSON reports checked, %d invalid" % (checked, bad))
sys.exit(1 if bad else 0)
