#!/usr/bin/env python3
"""Runs one golden CLI case of capplan and compares what it printed.

A case is tests/cases/NAME.case, a few 'key: value' lines:

    args: estimate specs/youtube.yaml --format json
    exit: 0
    stdin: specs/youtube.yaml        (optional: a file fed to stdin)
    stdout_re: capplan [0-9.]+\n    (optional: stdout must match this
                                      regular expression instead of a file;
                                      for output that names the build)

Expected output sits beside it: NAME.stdout and NAME.stderr; a missing file
means the stream must be empty.  A malformed spec under tests/errors/NAME.yaml
is a case of its own: 'capplan estimate' on it must exit with the code in its
'# exit: N' comment (2 if none), print nothing on stdout, and print exactly
NAME.stderr.

Commands run from the source directory, so paths in messages are stable.
With --update the expected files are rewritten from the program's output,
for a person to review in the diff before committing.  With --wrapper the
program runs under another one (valgrind): the same expectations hold, so
any report from it fails the case.
"""
import argparse
import os
import re
import shlex
import subprocess
import sys


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


def load_case(path):
    case = {"exit": "0", "stdin": None, "env": None, "stdout_re": None}
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line.strip() or line.startswith("#"):
                continue
            key, _, value = line.partition(":")
            case[key.strip()] = value.strip()
    return case


def run(capplan, args, stdin_path, env_extra, wrapper):
    env = dict(os.environ)
    env.pop("NO_COLOR", None)
    env["LC_ALL"] = "C.UTF-8"
    if env_extra:
        for item in shlex.split(env_extra):
            k, _, v = item.partition("=")
            env[k] = v
    stdin = open(stdin_path, "rb") if stdin_path else subprocess.DEVNULL
    try:
        p = subprocess.run(wrapper + [capplan] + args, stdin=stdin,
                           capture_output=True, env=env, timeout=300)
    finally:
        if stdin_path:
            stdin.close()
    return p.returncode, p.stdout, p.stderr


def show_diff(label, want, got):
    import difflib
    diff = difflib.unified_diff(
        want.decode("utf-8", "replace").splitlines(True),
        got.decode("utf-8", "replace").splitlines(True),
        "expected " + label, "actual " + label)
    sys.stdout.writelines(diff)
    print()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--capplan", required=True)
    ap.add_argument("--source", required=True)
    ap.add_argument("--update", action="store_true")
    ap.add_argument("--wrapper", default="",
                    help="a command to run capplan under, e.g. valgrind; "
                         "anything it reports changes stderr or the exit "
                         "code, and so fails the case")
    ap.add_argument("case", help="path of a .case or tests/errors .yaml file")
    o = ap.parse_args()
    os.chdir(o.source)
    path = os.path.relpath(os.path.abspath(o.case), o.source) \
        if os.path.isabs(o.case) else o.case
    base = path[: path.rfind(".")]

    if path.endswith(".yaml"):
        text = read(path).decode("utf-8", "replace")
        m = re.search(r"^# exit: (\d+)", text, re.M)
        want_code = int(m.group(1)) if m else 2
        args = ["estimate", path]
        stdin = None
        env_extra = None
        want_out = b""
        want_re = None
    else:
        case = load_case(path)
        args = shlex.split(case["args"])
        want_code = int(case["exit"])
        stdin = case["stdin"]
        env_extra = case["env"]
        want_out = read(base + ".stdout")
        want_re = case["stdout_re"]

    code, out, err = run(o.capplan, args, stdin, env_extra,
                         shlex.split(o.wrapper))
    if o.update:
        if not path.endswith(".yaml") and not want_re:
            write(base + ".stdout", out)
            lines = open(path, encoding="utf-8").read().splitlines()
            lines = [l for l in lines if not l.startswith("exit:")]
            lines.insert(1, "exit: %d" % code)
            open(path, "w", encoding="utf-8").write("\n".join(lines) + "\n")
        write(base + ".stderr", err)
        print("updated %s (exit %d)" % (path, code))
        return 0

    ok = True
    if code != want_code:
        print("exit code: expected %d, got %d" % (want_code, code))
        ok = False
    if want_re is not None:
        if not re.fullmatch(want_re.encode(), out):
            print("stdout: %r does not match %r" % (out, want_re))
            ok = False
    elif out != want_out:
        show_diff("stdout", want_out, out)
        ok = False
    want_err = read(base + ".stderr")
    if err != want_err:
        show_diff("stderr", want_err, err)
        ok = False
    if not ok:
        print("command: capplan %s" % " ".join(shlex.quote(a) for a in args))
        print("to accept the new output after review: "
              "python3 tests/run_case.py --update --capplan BUILD/capplan "
              "--source . %s" % path)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
