#!/usr/bin/env python3
"""Every number in the catalog names its source (docs/catalog.md).

Reads catalog/accelerators.yaml, catalog/instances.yaml,
catalog/models.yaml and catalog/workloads.yaml and checks that every entry has its required fields,
that every number is written in an accepted unit and is listed in exactly
one source's `fields`, that every source has an https URL and a read date,
and that every instance's accelerator is a key of accelerators.yaml.
Workloads hold ranges (low, optional typical, high, in order) and may name
an interview seed and its section instead of a URL.

The files use a small subset of YAML (block maps, block lists of maps,
[a, b] lists, plain or double-quoted scalars, comments), so this reads them
line by line with indentation and needs nothing beyond the standard library.
Before checking the real files it runs its own cases, so that a checker
which could no longer fail is itself a failure.

Usage: check_catalog.py SOURCE_DIR
"""
import datetime
import os
import re
import sys


class YamlError(Exception):
    pass


def strip_comment(text):
    """The line without a trailing comment: '#' at the start or after a
    space, outside double quotes (URLs keep their '#fragment')."""
    quoted = False
    for i, ch in enumerate(text):
        if ch == '"' and (i == 0 or text[i - 1] != "\\"):
            quoted = not quoted
        elif ch == "#" and not quoted and (i == 0 or text[i - 1] in " \t"):
            return text[:i].rstrip()
    return text.rstrip()


def scalar(text, lineno):
    text = text.strip()
    if text.startswith('"'):
        if len(text) < 2 or not text.endswith('"'):
            raise YamlError("line %d: unterminated quoted string" % lineno)
        return text[1:-1].replace('\\"', '"').replace("\\\\", "\\")
    if text.startswith("["):
        if not text.endswith("]"):
            raise YamlError("line %d: unterminated [list]" % lineno)
        inner = text[1:-1].strip()
        return [scalar(t, lineno) for t in inner.split(",")] if inner else []
    if text.startswith(("'", "{", "&", "*", "!", "|", ">")):
        raise YamlError("line %d: unsupported YAML form %r" % (lineno, text))
    return text


def tokenize(text):
    lines = []
    for lineno, raw in enumerate(text.split("\n"), 1):
        if "\t" in raw:
            raise YamlError("line %d: tab character" % lineno)
        body = strip_comment(raw)
        if not body.strip():
            continue
        indent = len(body) - len(body.lstrip(" "))
        if indent % 2:
            raise YamlError("line %d: indentation is not a multiple of 2"
                            % lineno)
        lines.append([indent, body.strip(), lineno])
    return lines


def parse_block(lines, i, indent):
    if lines[i][1].startswith("- ") or lines[i][1] == "-":
        return parse_list(lines, i, indent)
    return parse_map(lines, i, indent)


def parse_map(lines, i, indent):
    result = {}
    while i < len(lines) and lines[i][0] == indent:
        _, content, lineno = lines[i]
        if content.startswith("-"):
            raise YamlError("line %d: list item where a key was expected"
                            % lineno)
        key, sep, rest = content.partition(":")
        if not sep or (rest and not rest.startswith(" ")) or not key:
            raise YamlError("line %d: expected 'key: value'" % lineno)
        key = key.strip()
        if key in result:
            raise YamlError("line %d: duplicate key %r" % (lineno, key))
        if rest.strip():
            result[key] = scalar(rest, lineno)
            i += 1
        else:
            if i + 1 >= len(lines) or lines[i + 1][0] <= indent:
                raise YamlError("line %d: %r has no value" % (lineno, key))
            result[key], i = parse_block(lines, i + 1, lines[i + 1][0])
    if i < len(lines) and lines[i][0] > indent:
        raise YamlError("line %d: unexpected indentation" % lines[i][2])
    return result, i


def parse_list(lines, i, indent):
    result = []
    while i < len(lines) and lines[i][0] == indent and \
            lines[i][1].startswith("-"):
        _, content, lineno = lines[i]
        item = content[1:].strip()
        if not item:
            raise YamlError("line %d: empty list item" % lineno)
        if re.match(r"^[\w.-]+:( |$)", item):
            # "- key: value" opens a map whose keys sit two columns right.
            lines[i] = [indent + 2, item, lineno]
            value, i = parse_map(lines, i, indent + 2)
        else:
            value = scalar(item, lineno)
            i += 1
        result.append(value)
    if i < len(lines) and lines[i][0] > indent:
        raise YamlError("line %d: unexpected indentation" % lines[i][2])
    return result, i


def parse(text):
    lines = tokenize(text)
    if not lines:
        raise YamlError("empty document")
    if lines[0][0] != 0:
        raise YamlError("line %d: the document must start at column 0"
                        % lines[0][2])
    value, i = parse_block(lines, 0, 0)
    if i != len(lines):
        raise YamlError("line %d: unexpected content" % lines[i][2])
    return value


# What each kind of entry holds.  Numbers are checked against the unit
# pattern of their field and must appear in exactly one source's `fields`.
REQUIRED = {
    "accelerators": ["description", "memory", "memory_bandwidth", "sources"],
    "instances": ["provider", "region", "accelerator", "accelerators",
                  "cores", "memory", "price", "sources"],
    "models": ["description", "params", "active_params", "layers", "hidden",
               "heads", "kv_heads", "head_dim", "sources"],
}
OPTIONAL = {
    "accelerators": ["flops", "interconnect", "price", "not_published"],
    "instances": ["not_published"],
    "models": ["intermediate", "vocab", "max_context", "experts",
               "experts_active", "not_published"],
}
NUM = r"(0|[1-9]\d*)(\.\d+)?"
UNITS = {
    "memory": r"^%s(GB|GiB)$" % NUM,
    "memory_bandwidth": r"^%s(TB/s|GB/s|Gbit/s)$" % NUM,
    "interconnect": r"^%s(TB/s|GB/s|Gbit/s)$" % NUM,
    "price": r"^\$%s/hour$" % NUM,
    "flops": r"^%s(TFLOPS|PFLOPS)$" % NUM,
    "count": r"^[1-9]\d*$",
    "params": r"^%s(B|M)$" % NUM,
}
NUMERIC = {
    "accelerators": {"memory": "memory", "memory_bandwidth":
                     "memory_bandwidth", "interconnect": "interconnect",
                     "price": "price"},
    "instances": {"accelerators": "count", "cores": "count",
                  "memory": "memory", "price": "price"},
    "models": {"params": "params", "active_params": "params",
               "layers": "count", "hidden": "count", "heads": "count",
               "kv_heads": "count", "head_dim": "count",
               "intermediate": "count", "vocab": "count",
               "max_context": "count", "experts": "count",
               "experts_active": "count"},
}
DTYPES = ["fp32", "tf32", "bf16", "fp16", "fp8", "int8", "fp4"]
PROVIDERS = ["aws", "gcp", "azure"]


def params_value(text):
    number = float(text[:-1])
    return number * (1e9 if text.endswith("B") else 1e6)


def check_sources(name, entry, numbers, errors):
    sources = entry.get("sources")
    if not isinstance(sources, list) or not sources:
        errors.append("%s: sources must be a non-empty list" % name)
        return
    covered = {field: 0 for field in numbers}
    for n, src in enumerate(sources, 1):
        where = "%s: source %d" % (name, n)
        if not isinstance(src, dict):
            errors.append("%s: is not a map" % where)
            continue
        for key in src:
            if key not in ("url", "read", "fields", "note"):
                errors.append("%s: unknown key %r" % (where, key))
        url = src.get("url")
        if not isinstance(url, str) or not re.match(r"^https://[^\s/]+\S*$",
                                                    url):
            errors.append("%s: url must be https://..., not %r" % (where, url))
        read = src.get("read")
        try:
            if not isinstance(read, str) or \
                    not re.match(r"^\d{4}-\d{2}-\d{2}$", read):
                raise ValueError
            datetime.date.fromisoformat(read)
        except ValueError:
            errors.append("%s: read must be a date YYYY-MM-DD, not %r"
                          % (where, read))
        note = src.get("note")
        if note is not None and (not isinstance(note, str) or not note):
            errors.append("%s: note must be text" % where)
        fields = src.get("fields")
        if not isinstance(fields, list) or not fields:
            errors.append("%s: fields must be a non-empty [list]" % where)
            continue
        for field in fields:
            if field == "flops":
                hits = [f for f in covered if f.startswith("flops.")]
            else:
                hits = [field] if field in covered else []
            if not hits:
                errors.append("%s: field %r is not a number of this entry"
                              % (where, field))
            for f in hits:
                covered[f] += 1
    for field, count in sorted(covered.items()):
        if count != 1:
            errors.append("%s: %s is listed in %d sources' fields, not "
                          "exactly one" % (name, field, count))


def check_entry(kind, name, entry, errors):
    if not isinstance(entry, dict):
        errors.append("%s: is not a map" % name)
        return
    for key in REQUIRED[kind]:
        if key not in entry:
            errors.append("%s: missing %s" % (name, key))
    for key in entry:
        if key not in REQUIRED[kind] + OPTIONAL[kind]:
            errors.append("%s: unknown field %r" % (name, key))
    if "description" in entry and (not isinstance(entry["description"], str)
                                   or not entry["description"]):
        errors.append("%s: description must be text" % name)
    numbers = []
    for key, unit in NUMERIC[kind].items():
        if key not in entry:
            continue
        numbers.append(key)
        value = entry[key]
        if not isinstance(value, str) or not re.match(UNITS[unit], value):
            errors.append("%s: %s %r is not in an accepted unit"
                          % (name, key, value))
    if kind == "accelerators" and "flops" in entry:
        flops = entry["flops"]
        if not isinstance(flops, dict) or not flops:
            errors.append("%s: flops must be a map of dtype: rate" % name)
        else:
            for dtype, value in flops.items():
                numbers.append("flops." + dtype)
                if dtype not in DTYPES:
                    errors.append("%s: flops dtype %r is not one of %s"
                                  % (name, dtype, ", ".join(DTYPES)))
                if not isinstance(value, str) or \
                        not re.match(UNITS["flops"], value):
                    errors.append("%s: flops.%s %r is not in an accepted "
                                  "unit" % (name, dtype, value))
    if kind == "instances":
        if entry.get("provider") not in PROVIDERS:
            errors.append("%s: provider %r is not one of %s"
                          % (name, entry.get("provider"),
                             ", ".join(PROVIDERS)))
        if not isinstance(entry.get("region"), str) or not entry["region"]:
            errors.append("%s: region must be text" % name)
    if kind == "models" and not any(e.startswith(name + ":")
                                    for e in errors):
        if params_value(entry["active_params"]) > \
                params_value(entry["params"]):
            errors.append("%s: active_params exceeds params" % name)
        if int(entry["heads"]) % int(entry["kv_heads"]):
            errors.append("%s: heads is not a multiple of kv_heads" % name)
    check_not_published(kind, name, entry, errors)
    check_sources(name, entry, numbers, errors)


def check_not_published(kind, name, entry, errors):
    """`not_published: [..]` names fields of the kind that the entry
    leaves out for want of a public source (docs/catalog.md, Gaps)."""
    if "not_published" not in entry:
        return
    gaps = entry["not_published"]
    if not isinstance(gaps, list) or not gaps:
        errors.append("%s: not_published must be a non-empty [list]" % name)
        return
    known = list(NUMERIC[kind])
    if kind == "accelerators":
        known += ["flops"] + ["flops." + d for d in DTYPES]
    for field in gaps:
        if field not in known:
            errors.append("%s: not_published names unknown field %r"
                          % (name, field))
        elif field.startswith("flops."):
            if field[6:] in entry.get("flops", {}):
                errors.append("%s: %s is given and not_published"
                              % (name, field))
        elif field in entry:
            errors.append("%s: %s is given and not_published" % (name, field))


def check_document(kind, text, errors, label):
    """Checks one catalog file; returns its entries (empty if unreadable)."""
    try:
        doc = parse(text)
    except YamlError as e:
        errors.append("%s: %s" % (label, e))
        return {}
    if not isinstance(doc, dict) or doc.get("capplan-catalog") != "1":
        errors.append("%s: must start with 'capplan-catalog: 1'" % label)
        return {}
    if sorted(doc) != sorted(["capplan-catalog", kind]):
        errors.append("%s: must hold exactly the keys capplan-catalog and %s"
                      % (label, kind))
        return {}
    entries = doc[kind]
    if not isinstance(entries, dict) or not entries:
        errors.append("%s: %s must be a non-empty map" % (label, kind))
        return {}
    for name, entry in entries.items():
        if not re.match(r"^[a-z0-9][a-z0-9.-]*$", name):
            errors.append("%s: entry name %r is not lower-case "
                          "[a-z0-9.-]" % (label, name))
        check_entry(kind, "%s: %s" % (label, name), entry, errors)
    return entries


def check_instances_refer(instances, accelerators, errors, label):
    for name, entry in instances.items():
        if isinstance(entry, dict) and \
                entry.get("accelerator") not in accelerators:
            errors.append("%s: %s: accelerator %r is not in "
                          "accelerators.yaml" % (label, name,
                                                 entry.get("accelerator")))


GOOD_ACCEL = """capplan-catalog: 1
accelerators:
  x1:
    description: test part
    memory: 80GB
    memory_bandwidth: 3.35TB/s   # comment
    flops:
      bf16: 989.4TFLOPS
      fp8: 1978.9TFLOPS
    price: $1.50/hour
    sources:
      - url: https://example.com/sheet#table
        read: 2026-11-30
        fields: [memory, memory_bandwidth, flops.bf16]
        note: "a note: with colon # and hash"
      - url: https://example.com/other
        read: 2026-11-30
        fields: [flops.fp8, price]
"""
GOOD_INST = """capplan-catalog: 1
instances:
  i.big:
    provider: aws
    region: us-east-1
    accelerator: x1
    accelerators: 8
    cores: 192
    memory: 2048GiB
    price: $98.32/hour
    sources:
      - url: https://example.com/price
        read: 2026-11-30
        fields: [accelerators, cores, memory, price]
"""
GOOD_MODEL = """capplan-catalog: 1
models:
  m1:
    description: test model
    params: 46.70B
    active_params: 12.88B
    layers: 32
    hidden: 4096
    heads: 32
    kv_heads: 8
    head_dim: 128
    sources:
      - url: https://example.com/config.json
        read: 2026-11-30
        fields: [layers, hidden, heads, kv_heads, head_dim, params, active_params]
"""
# Each case: what is broken, the kind, the text, a part of the message.
BAD_CASES = [
    ("a number in no source", "accelerators",
     GOOD_ACCEL.replace("fields: [flops.fp8, price]", "fields: [flops.fp8]"),
     "price is listed in 0"),
    ("a number in two sources", "accelerators",
     GOOD_ACCEL.replace("fields: [flops.fp8, price]",
                        "fields: [flops, price]"),
     "flops.bf16 is listed in 2"),
    ("a field the entry lacks", "accelerators",
     GOOD_ACCEL.replace("[flops.fp8, price]", "[flops.fp8, price, fp4]"),
     "field 'fp4' is not a number"),
    ("an http URL", "accelerators",
     GOOD_ACCEL.replace("https://example.com/other", "http://example.com/o"),
     "url must be https"),
    ("no read date", "accelerators",
     GOOD_ACCEL.replace("        read: 2026-11-30\n        fields: [flops.fp8",
                        "        fields: [flops.fp8"),
     "read must be a date"),
    ("an impossible date", "accelerators",
     GOOD_ACCEL.replace("2026-11-30", "2026-02-30", 1),
     "read must be a date"),
    ("a gap that is given", "accelerators",
     GOOD_ACCEL.replace("    sources:", "    not_published: [price]\n"
                        "    sources:"),
     "price is given and not_published"),
    ("a gap of no such field", "accelerators",
     GOOD_ACCEL.replace("    sources:", "    not_published: [colour]\n"
                        "    sources:"),
     "unknown field 'colour'"),
    ("a missing required field", "accelerators",
     GOOD_ACCEL.replace("    memory: 80GB\n", ""), "missing memory"),
    ("a bad unit", "accelerators",
     GOOD_ACCEL.replace("3.35TB/s", "3.35 TB/s"), "not in an accepted unit"),
    ("sparse-style unit", "accelerators",
     GOOD_ACCEL.replace("989.4TFLOPS", "989.4TOPS"), "not in an accepted"),
    ("an unknown dtype", "accelerators",
     GOOD_ACCEL.replace("fp8: 1978.9", "fp6: 1978.9").replace(
         "[flops.fp8, price]", "[flops.fp6, price]"), "dtype 'fp6'"),
    ("an unknown field", "accelerators",
     GOOD_ACCEL.replace("    price: $1.50", "    cost: 1\n    price: $1.50"),
     "unknown field 'cost'"),
    ("no sources", "accelerators",
     GOOD_ACCEL.split("    sources:")[0], "missing sources"),
    ("a bad header", "accelerators",
     GOOD_ACCEL.replace("capplan-catalog: 1", "capplan-catalog: 2"),
     "capplan-catalog: 1"),
    ("odd indentation", "accelerators",
     GOOD_ACCEL.replace("    memory: 80GB", "     memory: 80GB"),
     "multiple of 2"),
    ("a missing instance field", "instances",
     GOOD_INST.replace("    cores: 192\n", "").replace(
         "[accelerators, cores, memory", "[accelerators, memory"),
     "missing cores"),
    ("a bad provider", "instances",
     GOOD_INST.replace("provider: aws", "provider: ovh"), "provider 'ovh'"),
    ("a non-integer count", "instances",
     GOOD_INST.replace("cores: 192", "cores: 19.2"), "cores '19.2'"),
    ("a missing model field", "models",
     GOOD_MODEL.replace("    kv_heads: 8\n", "").replace(
         "heads, kv_heads,", "heads,"), "missing kv_heads"),
    ("active above total", "models",
     GOOD_MODEL.replace("12.88B", "50B"), "active_params exceeds"),
]


# Workloads (docs/catalog.md, Workloads): ranges with a source each.
WL_UNITS = {"latency": r"^%s(ns|us|ms|s)$" % NUM,
            "throughput": r"^%s(K|M)?$" % NUM,
            "qps_per_server": r"^%s(K|M)?$" % NUM}
WL_PER = ["server", "core", "gpu", "prefix"]
SEED_HARDWARE = ["cpu-small", "cpu-medium", "cpu-large", "gpu-v100",
                 "gpu-a100", "gpu-4xa100"]


def quantity(text):
    """'0.1ms' -> 1e-4, '1.2K' -> 1200: enough to order a range."""
    m = re.match(r"^([\d.]+)(ns|us|ms|s|K|M)?$", text)
    scale = {None: 1, "s": 1, "ms": 1e-3, "us": 1e-6, "ns": 1e-9,
             "K": 1e3, "M": 1e6}[m.group(2)]
    return float(m.group(1)) * scale


def check_workload(name, entry, errors):
    if not isinstance(entry, dict):
        errors.append("%s: is not a map" % name)
        return
    for key in entry:
        if key not in ["description", "hardware", "per", "sources"] + \
                list(WL_UNITS):
            errors.append("%s: unknown field %r" % (name, key))
    for key in ("description", "per", "latency", "throughput", "sources"):
        if key not in entry:
            errors.append("%s: missing %s" % (name, key))
    if entry.get("per") not in WL_PER + [None]:
        errors.append("%s: per %r is not one of %s"
                      % (name, entry.get("per"), ", ".join(WL_PER)))
    if "hardware" in entry and entry["hardware"] not in SEED_HARDWARE:
        errors.append("%s: hardware %r is not a seed server"
                      % (name, entry["hardware"]))
    if (entry.get("per") == "core") != ("qps_per_server" in entry):
        errors.append("%s: qps_per_server is given exactly when per is core"
                      % name)
    numbers = []
    for key, pattern in WL_UNITS.items():
        if key not in entry:
            continue
        numbers.append(key)
        rng = entry[key]
        if not isinstance(rng, dict) or "low" not in rng or \
                "high" not in rng or \
                any(k not in ("low", "typical", "high") for k in rng):
            errors.append("%s: %s must be a map of low, typical, high"
                          % (name, key))
            continue
        if any(not isinstance(v, str) or not re.match(pattern, v)
               for v in rng.values()):
            errors.append("%s: %s %r is not in an accepted unit"
                          % (name, key, rng))
            continue
        low, high = quantity(rng["low"]), quantity(rng["high"])
        typ = quantity(rng.get("typical", rng["low"]))
        if not low <= typ <= high:
            errors.append("%s: %s is out of order" % (name, key))
    sources = entry.get("sources")
    if not isinstance(sources, list) or not sources:
        errors.append("%s: sources must be a non-empty list" % name)
        return
    covered = {field: 0 for field in numbers}
    for n, src in enumerate(sources, 1):
        where = "%s: source %d" % (name, n)
        if not isinstance(src, dict):
            errors.append("%s: is not a map" % where)
            continue
        for key in src:
            if key not in ("url", "read", "seed", "section", "fields",
                           "note"):
                errors.append("%s: unknown key %r" % (where, key))
        if "seed" in src:
            if not re.match(r"^\d{3}$", str(src["seed"])) or \
                    not src.get("section"):
                errors.append("%s: a seed source needs 'seed: \"NNN\"' and "
                              "a section" % where)
        elif not re.match(r"^https://[^\s/]+\S*$", str(src.get("url"))) or \
                not re.match(r"^\d{4}-\d{2}-\d{2}$", str(src.get("read"))):
            errors.append("%s: needs a seed and section, or an https url "
                          "and a read date" % where)
        if not src.get("note"):
            errors.append("%s: note must be text" % where)
        for field in src.get("fields") or []:
            if field not in covered:
                errors.append("%s: field %r is not a figure of this entry"
                              % (where, field))
            else:
                covered[field] += 1
    for field, count in sorted(covered.items()):
        if count != 1:
            errors.append("%s: %s is listed in %d sources' fields, not "
                          "exactly one" % (name, field, count))


GOOD_WORKLOAD = """capplan-catalog: 1
workloads:
  w1:
    description: test workload
    hardware: cpu-medium
    per: core
    latency:
      low: 0.1ms
      high: 1ms
    throughput:
      low: 1K
      typical: 5K
      high: 5K
    qps_per_server:
      low: 10K
      high: 80K
    sources:
      - seed: "004"
        section: "Typical Numbers Cheatsheet"
        fields: [latency, throughput]
        note: "a seed figure"
      - url: https://example.com/bench
        read: 2026-11-30
        fields: [qps_per_server]
        note: "a page"
"""
BAD_WORKLOADS = [
    ("a range out of order", GOOD_WORKLOAD.replace("typical: 5K", "typical: 9K"),
     "throughput is out of order"),
    ("a figure in no source", GOOD_WORKLOAD.replace("[qps_per_server]", "[]"),
     "qps_per_server is listed in 0"),
    ("a seed without a section", GOOD_WORKLOAD.replace(
        '        section: "Typical Numbers Cheatsheet"\n', ""),
     "a seed source needs"),
    ("per core without qps_per_server", GOOD_WORKLOAD.replace(
        "per: core", "per: server"), "exactly when per is core"),
    ("a latency without a unit", GOOD_WORKLOAD.replace("high: 1ms", "high: 1"),
     "latency"),
    ("an unknown per", GOOD_WORKLOAD.replace("per: core", "per: rack"),
     "per 'rack'"),
]


def check_workload_document(text, errors, label):
    try:
        doc = parse(text)
    except YamlError as e:
        errors.append("%s: %s" % (label, e))
        return {}
    if not isinstance(doc, dict) or doc.get("capplan-catalog") != "1" or \
            sorted(doc) != ["capplan-catalog", "workloads"] or \
            not isinstance(doc["workloads"], dict):
        errors.append("%s: must hold capplan-catalog: 1 and a workloads map"
                      % label)
        return {}
    for name, entry in doc["workloads"].items():
        if not re.match(r"^[a-z0-9][a-z0-9_-]*$", name):
            errors.append("%s: workload name %r is not lower-case "
                          "[a-z0-9_-]" % (label, name))
        check_workload("%s: %s" % (label, name), entry, errors)
    return doc["workloads"]


def self_test():
    """The checker must accept the good cases and reject every bad one."""
    failures = []
    entries = {}
    for kind, text in (("accelerators", GOOD_ACCEL), ("instances", GOOD_INST),
                       ("models", GOOD_MODEL)):
        errors = []
        entries[kind] = check_document(kind, text, errors, "good " + kind)
        if errors:
            failures.append("good %s rejected: %s" % (kind, errors))
    errors = []
    check_instances_refer(entries["instances"], entries["accelerators"],
                          errors, "good")
    if errors:
        failures.append("good instance reference rejected: %s" % errors)
    errors = []
    check_instances_refer(entries["instances"], {"other": {}}, errors, "bad")
    if not any("is not in accelerators.yaml" in e for e in errors):
        failures.append("an unknown accelerator was not reported")
    for what, kind, text, expect in BAD_CASES:
        errors = []
        check_document(kind, text, errors, what)
        if not any(expect in e for e in errors):
            failures.append("%s: expected %r, got %s" % (what, expect, errors))
    errors = []
    check_workload_document(GOOD_WORKLOAD, errors, "good workloads")
    if errors:
        failures.append("good workloads rejected: %s" % errors)
    for what, text, expect in BAD_WORKLOADS:
        errors = []
        check_workload_document(text, errors, what)
        if not any(expect in e for e in errors):
            failures.append("%s: expected %r, got %s" % (what, expect, errors))
    return failures


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: check_catalog.py SOURCE_DIR")
    failures = self_test()
    for f in failures:
        print("self-test: " + f)
    errors = []
    found = {}
    for kind in ("accelerators", "instances", "models"):
        path = os.path.join(sys.argv[1], "catalog", kind + ".yaml")
        label = "catalog/%s.yaml" % kind
        try:
            text = open(path, encoding="utf-8").read()
        except OSError as e:
            errors.append("%s: %s" % (label, e))
            continue
        found[kind] = check_document(kind, text, errors, label)
    check_instances_refer(found.get("instances", {}),
                          found.get("accelerators", {}), errors,
                          "catalog/instances.yaml")
    try:
        text = open(os.path.join(sys.argv[1], "catalog", "workloads.yaml"),
                    encoding="utf-8").read()
        found["workloads"] = check_workload_document(
            text, errors, "catalog/workloads.yaml")
    except OSError as e:
        errors.append("catalog/workloads.yaml: %s" % e)
    for e in errors:
        print(e)
    counts = ", ".join("%d %s" % (len(found.get(k, {})), k)
                       for k in ("accelerators", "instances", "models",
                                 "workloads"))
    print("%s; %d self-test failures, %d errors"
          % (counts, len(failures), len(errors)))
    sys.exit(1 if failures or errors else 0)


if __name__ == "__main__":
    main()
