#!/usr/bin/env python3
"""-o FILE through symbolic links, with the file's mode kept (issue 9,
items 6 and 10).

- a symlink is written through: its target gets the report, the link
  stays a link (also a relative link from another directory, and a
  dangling one, whose target is created);
- an existing file keeps its permissions (a mode-600 file stays 600); a
  new one gets the umask's;
- the write is still atomic: no temporary file is left beside the target;
- a loop of links, a read-only file and a directory that takes no new
  files (/proc) fail with exit 3 and a message that says what failed.

Usage: check_output_file.py CAPPLAN SOURCE_DIR
"""
import os
import stat
import subprocess
import sys
import tempfile

capplan, source = sys.argv[1], sys.argv[2]
os.chdir(source)
spec = os.path.abspath("specs/youtube.yaml")
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL: " + what)


def run(args):
    env = dict(os.environ)
    env.pop("NO_COLOR", None)
    return subprocess.run([capplan] + args, capture_output=True, env=env,
                          timeout=60)


want = run(["estimate", spec, "--format", "json"]).stdout
old_umask = os.umask(0o022)
try:
    with tempfile.TemporaryDirectory() as d:
        real = os.path.join(d, "real.json")
        link = os.path.join(d, "link.json")
        with open(real, "w") as f:
            f.write("old\n")
        os.chmod(real, 0o600)
        os.symlink("real.json", link)
        p = run(["estimate", spec, "--format", "json", "-o", link])
        check(p.returncode == 0, "-o through a link exits 0 (%r)" % p.stderr)
        check(os.path.islink(link), "-o leaves the link a link")
        check(open(real, "rb").read() == want, "-o writes the link's target")
        check(stat.S_IMODE(os.stat(real).st_mode) == 0o600,
              "-o keeps the target's mode 600 (got %o)"
              % stat.S_IMODE(os.stat(real).st_mode))
        check(sorted(os.listdir(d)) == ["link.json", "real.json"],
              "-o through a link leaves no temporary file: %s"
              % os.listdir(d))

        # A plain file keeps its mode too.
        plain = os.path.join(d, "plain.json")
        with open(plain, "w") as f:
            f.write("old\n")
        os.chmod(plain, 0o640)
        p = run(["estimate", spec, "--format", "json", "-o", plain])
        check(p.returncode == 0 and open(plain, "rb").read() == want,
              "-o replaces a plain file")
        check(stat.S_IMODE(os.stat(plain).st_mode) == 0o640,
              "-o keeps a plain file's mode 640")

        # A new file gets the umask's mode.
        new = os.path.join(d, "new.json")
        p = run(["estimate", spec, "--format", "json", "-o", new])
        check(stat.S_IMODE(os.stat(new).st_mode) == 0o644,
              "-o creates a new file with the umask's mode")

        # A relative link in another directory, and a chain of links.
        sub = os.path.join(d, "sub")
        os.mkdir(sub)
        os.symlink("../real.json", os.path.join(sub, "rel.json"))
        os.symlink("rel.json", os.path.join(sub, "chain.json"))
        os.chmod(real, 0o600)
        p = run(["estimate", "specs/xgboost.yaml", "-o",
                 os.path.join(sub, "chain.json")])
        check(p.returncode == 0, "-o through a chain of relative links")
        check(open(real).read().startswith("xgboost-ranking"),
              "-o through a chain writes the final target")
        check(os.path.islink(os.path.join(sub, "chain.json")) and
              os.path.islink(os.path.join(sub, "rel.json")),
              "-o keeps every link of the chain")
        check(stat.S_IMODE(os.stat(real).st_mode) == 0o600,
              "-o through a chain keeps the mode")

        # A dangling link: its target is created.
        dangling = os.path.join(d, "dangling.json")
        os.symlink("made.json", dangling)
        p = run(["estimate", spec, "--format", "json", "-o", dangling])
        check(p.returncode == 0 and os.path.islink(dangling) and
              open(os.path.join(d, "made.json"), "rb").read() == want,
              "-o through a dangling link creates its target")

        # A loop of links fails, and replaces nothing.
        os.symlink("loop-b", os.path.join(d, "loop-a"))
        os.symlink("loop-a", os.path.join(d, "loop-b"))
        p = run(["estimate", spec, "-o", os.path.join(d, "loop-a")])
        check(p.returncode == 3 and b"symbolic links" in p.stderr,
              "-o into a loop of links exits 3 and says so (%r)" % p.stderr)
        check(os.path.islink(os.path.join(d, "loop-a")),
              "-o into a loop leaves the links")

        # A read-only file is not replaced (when not root, who may).
        ro = os.path.join(d, "ro.json")
        with open(ro, "w") as f:
            f.write("keep\n")
        os.chmod(ro, 0o444)
        if os.geteuid() != 0:
            p = run(["estimate", spec, "-o", ro])
            check(p.returncode == 3 and b"Permission denied" in p.stderr and
                  open(ro).read() == "keep\n",
                  "-o does not replace a read-only file")
finally:
    os.umask(old_umask)

# A file whose directory takes no new files: the message says so instead
# of "No such file or directory" about a file that exists.
if os.path.exists("/proc/version"):
    p = run(["estimate", spec, "-o", "/proc/version"])
    check(p.returncode == 3, "-o /proc/version exits 3")
    check(b"'/proc/version': No such file" not in p.stderr,
          "-o /proc/version does not say the file is missing: %r" % p.stderr)
    if os.geteuid() == 0 or os.access("/proc/version", os.W_OK):
        check(b"cannot create a temporary file in '/proc'" in p.stderr,
              "-o /proc/version says the temporary file could not be "
              "made: %r" % p.stderr)
        check(b"help: -o writes a new file beside FILE" in p.stderr,
              "-o /proc/version explains how -o writes")
    else:
        check(b"Permission denied" in p.stderr,
              "-o /proc/version: permission denied (%r)" % p.stderr)

print("%d failures" % len(failures))
sys.exit(1 if failures else 0)
