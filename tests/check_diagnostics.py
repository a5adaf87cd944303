#!/usr/bin/env python3
"""--diagnostics-format github|json and 'validate --format json' (issue 14).

- Every command that prints diagnostics takes the option (its help lists
  it) and refuses a value it does not know before doing any work.
- github: one '::error file=F,line=L,col=C::MESSAGE' (or ::warning) line
  per diagnostic, nothing else; decoded the way the Actions runner decodes
  workflow commands (%25 %0D %0A, and %3A %2C in properties) each gives
  back the path, place and message of the JSON form.  A path with ':',
  ',' and '%' in it is encoded; a message with '%' is too.
- json: stderr is exactly one JSON array (also when empty), valid against
  docs/diagnostics.schema.json; diff reads two files and still prints one
  array, with each diagnostic naming its file.
- validate --format json: a document valid against
  docs/validate.schema.json, on stdout for a valid and an invalid spec,
  with the exit code of the text form.

Usage: check_diagnostics.py CAPPLAN SOURCE_DIR
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

try:
    import jsonschema
except ImportError:
    print("FAIL: python3-jsonschema is not installed")
    sys.exit(1)

capplan, source = os.path.abspath(sys.argv[1]), sys.argv[2]
os.chdir(source)
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL: " + what)
    return cond


def run(args, cwd=None):
    env = dict(os.environ, LC_ALL="C.UTF-8")
    return subprocess.run([capplan] + args, capture_output=True, env=env,
                          timeout=120, cwd=cwd)


def schema(name):
    s = json.load(open("docs/%s.schema.json" % name, encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(s)
    return jsonschema.Draft202012Validator(s)


diag_schema, validate_schema = schema("diagnostics"), schema("validate")


def decode_data(s):
    return s.replace("%0D", "\r").replace("%0A", "\n").replace("%25", "%")


def decode_property(s):
    return (s.replace("%3A", ":").replace("%2C", ",").replace("%0D", "\r")
            .replace("%0A", "\n").replace("%25", "%"))


def parse_github(text):
    """The commands of TEXT as (severity, properties, message)."""
    out = []
    for line in text.splitlines():
        m = re.fullmatch(r"::(error|warning)(?: ([^:]*))?::(.*)", line)
        if not check(m, "github: not a workflow command: %r" % line):
            continue
        props = {}
        for item in (m.group(2) or "").split(","):
            if item:
                k, _, v = item.partition("=")
                props[k] = decode_property(v)
        out.append((m.group(1), props, decode_data(m.group(3))))
    return out


def same_as_json(label, gh, js):
    check(len(gh) == len(js), "%s: %d github lines, %d JSON diagnostics"
          % (label, len(gh), len(js)))
    for (sev, props, msg), d in zip(gh, js):
        check(sev == d["severity"], "%s: severity" % label)
        check(props.get("file") == d["file"], "%s: file %r vs %r"
              % (label, props.get("file"), d["file"]))
        if d["line"] is not None:
            check(props.get("line") == str(d["line"]) and
                  props.get("col") == str(d["column"]),
                  "%s: place %r vs %s:%s" % (label, props, d["line"],
                                             d["column"]))
        want = d["message"] + ("\nhelp: " + d["help"] if d["help"] else "")
        check(msg == want, "%s: message %r vs %r" % (label, msg, want))


bad = "tests/errors/multi-errors-in-file-order.yaml"
warn = "tests/inputs/warning.yaml"

# Every command that reads a spec takes the option.
for cmd in ("estimate", "check", "explain", "validate", "diff", "graph"):
    h = run(["help", cmd]).stdout.decode()
    check("--diagnostics-format FORMAT" in h, "%s --help lists "
          "--diagnostics-format" % cmd)
    p = run([cmd, "--diagnostics-format", "xml", bad])
    check(p.returncode == 2 and not p.stdout and
          b"--diagnostics-format takes text, github or json, not 'xml'"
          in p.stderr, "%s refuses --diagnostics-format xml" % cmd)

for path, code in ((bad, 2), (warn, 0)):
    for cmd in ("estimate", "validate", "graph", "explain"):
        label = "%s %s" % (cmd, path)
        pj = run([cmd, path, "--diagnostics-format", "json"])
        pg = run([cmd, path, "--diagnostics-format", "github"])
        pt = run([cmd, path])
        check(pj.returncode == pt.returncode == pg.returncode,
              "%s: same exit code in every format" % label)
        check(pj.stdout == pt.stdout == pg.stdout,
              "%s: stdout does not depend on the diagnostics format" % label)
        try:
            js = json.loads(pj.stderr)
        except ValueError as e:
            check(False, "%s: stderr is not one JSON document: %s"
                  % (label, e))
            continue
        for e in diag_schema.iter_errors(js):
            check(False, "%s: %s" % (label, e.message))
        check(len(js) > 0, "%s: diagnostics reported" % label)
        same_as_json(label, parse_github(pg.stderr.decode()), js)

# No diagnostics: an empty array, and nothing at all for github.  (The
# seed's specs/youtube.yaml runs at 100% and warns; its p99 variant is
# clean.)
p = run(["validate", "specs/youtube-p99.yaml", "--diagnostics-format", "json"])
check(p.returncode == 0 and p.stderr == b"[]\n", "json: an empty array")
p = run(["validate", "specs/youtube-p99.yaml", "--diagnostics-format",
         "github"])
check(p.returncode == 0 and p.stderr == b"", "github: no output")

# diff: both sides in one array.
p = run(["diff", bad, warn, "--diagnostics-format", "json"])
js = json.loads(p.stderr)
check(p.returncode == 2 and {d["file"] for d in js} == {bad, warn},
      "diff: one array with both files' diagnostics")

# Escaping: a path with ':', ',' and '%', a message with '%'.
with tempfile.TemporaryDirectory() as tmp:
    name = "a:b,c%d.yaml"
    shutil.copy(bad, os.path.join(tmp, name))
    p = run(["validate", name, "--diagnostics-format", "github"], cwd=tmp)
    lines = p.stderr.decode().splitlines()
    check(lines and all(l.startswith("::error file=a%3Ab%2Cc%25d.yaml,")
                        for l in lines), "github: the path is escaped: %r"
          % lines[:1])
    check(any("between 0%25 and 100%25" in l for l in lines),
          "github: '%' in a message is escaped")
    pj = run(["validate", name, "--diagnostics-format", "json"], cwd=tmp)
    same_as_json("escaped path", parse_github(p.stderr.decode()),
                 json.loads(pj.stderr))

# Control characters from a spec are made visible, never raw.
cc = "tests/regress/cli/control-chars.yaml"
with tempfile.TemporaryDirectory() as tmp:
    text = open(cc, encoding="utf-8").read() + "  - name: x\n    bogus: 1\n"
    path = os.path.join(tmp, "cc\x1b[31m.yaml")
    open(path, "w", encoding="utf-8").write(text)
    for fmt in ("github", "json"):
        p = run(["validate", path, "--diagnostics-format", fmt])
        check(not re.search(rb"[\x00-\x09\x0b-\x1f\x7f]|\xc2[\x80-\x9f]",
                            p.stderr), "%s: no raw control character" % fmt)
        if fmt == "json":
            check(json.loads(p.stderr)[0]["file"] == path,
                  "json: the path keeps its characters (escaped)")

# validate --format json.
for path, code, valid in (("specs/youtube.yaml", 0, True), (bad, 2, False),
                          (warn, 0, True), ("no/such.yaml", 2, False)):
    p = run(["validate", path, "--format", "json"])
    check(p.returncode == code, "validate --format json %s: exit %d"
          % (path, p.returncode))
    doc = json.loads(p.stdout)
    for e in validate_schema.iter_errors(doc):
        check(False, "validate %s: %s at %s" % (path, e.message,
                                                list(e.path)))
    check(doc["valid"] is valid and doc["file"] == path,
          "validate --format json %s: valid is %s" % (path, valid))
    check((doc["stages"] is None) == (not valid), "validate %s: stages"
          % path)
    check(doc["errors"] == sum(d["severity"] == "error"
                               for d in doc["diagnostics"]),
          "validate %s: errors counts the error diagnostics" % path)
p = run(["validate", "specs/youtube.yaml", "--format", "yaml"])
check(p.returncode == 2 and b"use text or json" in p.stderr,
      "validate --format yaml is refused")

print("%d failures" % len(failures))
sys.exit(1 if failures else 0)
