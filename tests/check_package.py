#!/usr/bin/env python3
"""'cmake --install' and the Debian package (issue 14).

1. cmake --install into a scratch prefix puts the binary, both man pages,
   the bash, zsh and fish completions, every docs/*.schema.json and the
   README where GNUInstallDirs and the shells expect them, and the
   installed binary plans a spec exactly as the build's does.
2. cpack -G DEB builds one package whose control data names it capplan,
   whose Depends (from dpkg-shlibdeps) lists the shared libraries the
   binary really links (libc6, libyaml, libcjson), and which holds the
   same files under /usr; unpacked into a scratch root (dpkg -x) its
   binary runs a spec, prints the same plan, and names its commit.
Every tool is required (cmake, cpack, dpkg-deb, dpkg-shlibdeps, file): a
missing one fails the test.

Usage: check_package.py CAPPLAN BUILD_DIR SOURCE_DIR
"""
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile

capplan, build, source = (os.path.abspath(a) for a in sys.argv[1:4])
os.chdir(source)
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL: " + what)
    return cond


for tool in ("cmake", "cpack", "dpkg-deb", "dpkg-shlibdeps", "file"):
    if not shutil.which(tool):
        print("FAIL: '%s' is not installed (.ci/run installs cmake, "
              "dpkg-dev and file)" % tool)
        sys.exit(1)

FILES = ["bin/capplan", "share/man/man1/capplan.1",
         "share/man/man5/capplan-spec.5",
         "share/bash-completion/completions/capplan",
         "share/zsh/vendor-completions/_capplan",
         "share/fish/vendor_completions.d/capplan.fish",
         "share/doc/capplan/README.md"] + [
    "share/capplan/" + os.path.basename(p)
    for p in sorted(glob.glob("docs/*.schema.json"))]
SAME = {"share/man/man1/capplan.1": "man/capplan.1",
        "share/man/man5/capplan-spec.5": "man/capplan-spec.5",
        "share/bash-completion/completions/capplan":
            "completions/capplan.bash",
        "share/zsh/vendor-completions/_capplan": "completions/_capplan",
        "share/fish/vendor_completions.d/capplan.fish":
            "completions/capplan.fish"}


def plan(binary, spec):
    p = subprocess.run([binary, "estimate", spec], capture_output=True,
                       timeout=120)
    return p.returncode, p.stdout


def check_tree(label, root):
    for f in FILES:
        path = os.path.join(root, f)
        if not check(os.path.isfile(path), "%s: %s is installed"
                     % (label, f)):
            continue
        if f in SAME:
            check(open(path, "rb").read() == open(SAME[f], "rb").read(),
                  "%s: %s is %s" % (label, f, SAME[f]))
    binary = os.path.join(root, "bin", "capplan")
    check(os.access(binary, os.X_OK), "%s: the binary is executable" % label)
    for spec in ("specs/youtube.yaml", "specs/gallery-fraud.yaml"):
        check(plan(binary, spec) == plan(capplan, spec),
              "%s: the installed binary plans %s as the build's does"
              % (label, spec))
    v = subprocess.run([binary, "--version"], capture_output=True,
                       text=True).stdout
    check(re.fullmatch(r"capplan [0-9.]+ \(commit ([0-9a-f]{12}|unknown)\)\n",
                       v), "%s: --version: %r" % (label, v))


with tempfile.TemporaryDirectory() as tmp:
    prefix = os.path.join(tmp, "prefix")
    p = subprocess.run(["cmake", "--install", build, "--prefix", prefix],
                       capture_output=True, text=True)
    if check(p.returncode == 0, "cmake --install: %s" % p.stderr):
        check_tree("cmake --install", prefix)

    pkg = os.path.join(tmp, "pkg")
    p = subprocess.run(["cpack", "-G", "DEB", "--config",
                        os.path.join(build, "CPackConfig.cmake"), "-B", pkg],
                       capture_output=True, text=True, timeout=600)
    debs = glob.glob(os.path.join(pkg, "*.deb"))
    if not check(p.returncode == 0 and len(debs) == 1,
                 "cpack -G DEB made one package: %s%s"
                 % (p.stdout[-2000:], p.stderr[-2000:])):
        sys.exit(1)
    deb = debs[0]
    check(re.fullmatch(r"capplan_[0-9.]+-1_[a-z0-9]+\.deb",
                       os.path.basename(deb)),
          "the package is named like Debian's: %s" % os.path.basename(deb))

    def field(name):
        return subprocess.run(["dpkg-deb", "-f", deb, name],
                              capture_output=True, text=True).stdout.strip()

    check(field("Package") == "capplan", "Package: capplan")
    check(field("Version").startswith("0.") or field("Version")[0].isdigit(),
          "Version: %s" % field("Version"))
    depends = field("Depends")
    for lib in ("libc6", "libyaml-0-2", "libcjson1"):
        check(re.search(r"(^|, )%s( |,|$)" % re.escape(lib), depends),
              "Depends names %s: %r" % (lib, depends))
    listing = subprocess.run(["dpkg-deb", "-c", deb], capture_output=True,
                             text=True).stdout
    for f in FILES:
        check("./usr/" + f in listing, "the package holds /usr/%s" % f)
    root = os.path.join(tmp, "root")
    p = subprocess.run(["dpkg", "-x", deb, root], capture_output=True,
                       text=True)
    if check(p.returncode == 0, "dpkg -x: %s" % p.stderr):
        check_tree("dpkg -x", os.path.join(root, "usr"))

print("%d failures" % len(failures))
sys.exit(1 if failures else 0)
