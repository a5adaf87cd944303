#!/usr/bin/env python3
"""Output behaviour of the capplan CLI that golden files cannot show:

- -o FILE writes exactly what stdout would get, replaces an existing file
  atomically (no temporary file is left behind) with the umask's mode;
- a failed write (missing directory, full device, full stdout) exits 3 with
  a message and leaves no file;
- a reader that closes the pipe early ends the run quietly;
- --color auto colours on a terminal, and NO_COLOR or --color never stop it;
- a spec big enough for the heap to be grown in 2 MB pages (src/cli/heap.c)
  gives the same output read from a file (the heap grown before it is read)
  and from stdin (grown once it is read).

Usage: check_cli_io.py CAPPLAN SOURCE_DIR
"""
import os
import pty
import re
import subprocess
import sys
import tempfile

capplan, source = sys.argv[1], sys.argv[2]
os.chdir(source)
spec = "specs/youtube.yaml"
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL: " + what)


def run(args, **kw):
    env = dict(os.environ)
    env.pop("NO_COLOR", None)
    env.update(kw.pop("env", {}))
    return subprocess.run([capplan] + args, capture_output=True, env=env,
                          timeout=60, **kw)


want = run(["estimate", spec, "--format", "json"]).stdout

with tempfile.TemporaryDirectory() as d:
    out = os.path.join(d, "report.json")
    with open(out, "w") as f:
        f.write("old content that must disappear entirely\n" * 100)
    old_umask = os.umask(0o022)
    p = run(["estimate", spec, "--format", "json", "-o", out])
    os.umask(old_umask)
    check(p.returncode == 0, "-o exits 0")
    check(p.stdout == b"", "-o prints nothing on stdout")
    check(open(out, "rb").read() == want, "-o writes what stdout would get")
    check(os.listdir(d) == ["report.json"], "-o leaves no temporary file")
    check(os.stat(out).st_mode & 0o777 == 0o644, "-o honours the umask")

    # A failed write: a directory that does not exist.
    missing = os.path.join(d, "no", "such", "dir", "r.json")
    p = run(["estimate", spec, "-o", missing])
    check(p.returncode == 3, "-o into a missing directory exits 3")
    check(b"cannot write" in p.stderr, "-o failure says why")
    check(not os.path.exists(missing), "-o failure leaves no file")
    check(os.listdir(d) == ["report.json"], "-o failure leaves no temp file")

    # A failing check still writes the whole report, and exits 1.
    out2 = os.path.join(d, "over.json")
    p = run(["estimate", "tests/inputs/over-budget.yaml", "--format", "json",
             "-o", out2])
    check(p.returncode == 1, "over budget with -o exits 1")
    check(os.path.getsize(out2) > 1000, "over budget report is written")

    # Bad input never creates the output file.
    out3 = os.path.join(d, "bad.json")
    p = run(["estimate", "tests/errors/unit-range.yaml", "-o", out3])
    check(p.returncode == 2 and not os.path.exists(out3),
          "invalid spec with -o exits 2 and writes nothing")

# A full device, as -o and as stdout.
if os.path.exists("/dev/full"):
    p = run(["estimate", spec, "-o", "/dev/full"])
    check(p.returncode == 3 and b"No space left" in p.stderr,
          "-o /dev/full exits 3 with a message")
    with open("/dev/full", "wb") as full:
        p = subprocess.run([capplan, "estimate", spec], stdout=full,
                           stderr=subprocess.PIPE, timeout=60)
    check(p.returncode == 3 and b"No space left" in p.stderr,
          "stdout on /dev/full exits 3 with a message")

# A reader that closes the pipe after the first line: no message beyond
# the spec's own warnings (its stages run at 100%).
own = subprocess.run([capplan, "estimate", spec], capture_output=True,
                     timeout=60).stderr
p = subprocess.run("'%s' estimate %s | head -c 1 >/dev/null; "
                   "echo ${PIPESTATUS[0]}" % (capplan, spec),
                   shell=True, executable="/bin/bash", capture_output=True,
                   timeout=60)
check(p.stdout.strip() in (b"0",), "closed pipe: exit 0, got %r" % p.stdout)
check(p.stderr == own, "closed pipe: nothing on stderr but the warnings")


def on_tty(args, env=None):
    """Runs capplan with stdout and stderr on a pseudo-terminal."""
    master, slave = pty.openpty()
    e = dict(os.environ)
    e.pop("NO_COLOR", None)
    e["TERM"] = "xterm-256color"  # TERM=dumb would turn colour off
    e.update(env or {})
    proc = subprocess.Popen([capplan] + args, stdout=slave, stderr=slave,
                            env=e)
    os.close(slave)
    data = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:
            break
        if not chunk:
            break
        data += chunk
    proc.wait(timeout=60)
    os.close(master)
    return data


check(b"\x1b[" in on_tty(["estimate", spec]), "colour on a terminal")
check(b"\x1b[" not in on_tty(["estimate", spec], {"NO_COLOR": "1"}),
      "NO_COLOR turns colour off")
check(b"\x1b[" in on_tty(["estimate", spec], {"NO_COLOR": ""}),
      "an empty NO_COLOR does not")
check(b"\x1b[" not in on_tty(["estimate", spec, "--color", "never"]),
      "--color never wins over a terminal")
check(b"\x1b[" in on_tty(["estimate", spec, "--color", "always"],
                         {"NO_COLOR": "1"}),
      "--color always wins over NO_COLOR")
check(b"\x1b[" in on_tty(["estimate", "tests/errors/unit-range.yaml"]),
      "diagnostics are coloured on a terminal")
check(b"\x1b[" not in run(["estimate", spec]).stdout,
      "no colour into a pipe")

# Markdown stays under 60,000 characters, keeping the totals and checks
# and saying what it left out.
with tempfile.TemporaryDirectory() as d:
    def big(path, qps_per_server):
        with open(path, "w") as f:
            f.write("capplan: 1\nname: big\ntraffic: {qps: 1K}\n"
                    "budget: {cost: $1/year}\nstages:\n")
            for i in range(5000):
                f.write("  - {name: stage-%05d, latency: 1ms, "
                        "qps_per_server: %d}\n" % (i, qps_per_server))
    a, b = os.path.join(d, "a.yaml"), os.path.join(d, "b.yaml")
    big(a, 100)
    big(b, 50)
    for args, what in ((["estimate", a, "--format", "markdown"], "estimate"),
                       (["check", a, "--format", "markdown"], "check"),
                       (["diff", a, b, "--format", "markdown"], "diff")):
        p = run(args)
        text = p.stdout.decode("utf-8")
        check(len(text) <= 60000, "%s markdown is at most 60,000 characters "
              "(%d)" % (what, len(text)))
        if what != "check":
            m = re.search(r"output cut to stay under 60000 characters: "
                          r"(\d+) of (\d+)", text)
            check(m is not None, "%s markdown says it was cut" % what)
            check(m is not None and int(m.group(1)) > 200,
                  "%s markdown still shows hundreds of rows (%s)"
                  % (what, m.group(1) if m else "none"))
            check(len(text) > 55000, "%s markdown uses most of the room"
                  % what)
    p = run(["estimate", a, "--format", "markdown"])
    text = p.stdout.decode("utf-8")
    check("| **total** |" in text and "**cost**" in text,
          "cut markdown keeps the totals and the failed check")
    check(p.returncode == 1, "cut markdown keeps the exit code")

# A "billion laughs" spec (aliases that would expand to 10^10 nodes) is
# refused at once and in little memory: nothing is expanded.  A fresh
# Python process runs it, so its children's peak RSS is capplan's alone.
probe = ("import resource, subprocess, sys, time\n"
         "t = time.monotonic()\n"
         "p = subprocess.run(sys.argv[1:], capture_output=True)\n"
         "print(time.monotonic() - t, p.returncode,\n"
         "      resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,\n"
         "      b'too many YAML nodes' in p.stderr)\n")
out = subprocess.run([sys.executable, "-c", probe, capplan, "validate",
                      "tests/errors/limit-billion-laughs.yaml"],
                     capture_output=True, text=True, timeout=60).stdout.split()
elapsed, code, rss_kb, said = float(out[0]), int(out[1]), int(out[2]), out[3]
# What the process takes whatever it reads (the program, and under the
# sanitizers their runtime: 36 to 40 MB), from a spec of one stage.
with tempfile.TemporaryDirectory() as tmp:
    tiny = os.path.join(tmp, "tiny.yaml")
    with open(tiny, "w") as f:
        f.write("capplan: 1\nname: tiny\ntraffic: {qps: 1K}\nstages:\n"
                "  - {name: a, latency: 1ms, qps_per_server: 1K}\n")
    base = subprocess.run([sys.executable, "-c", probe, capplan, "validate",
                           tiny], capture_output=True, text=True,
                          timeout=60).stdout.split()
base_kb = int(base[2])
check(int(base[1]) == 0, "the one-stage spec is valid")
check(code == 2 and said == "True", "billion laughs is refused")
check(elapsed < 1.0, "billion laughs is refused within a second (%.3f s)"
      % elapsed)
check(rss_kb - base_kb < 16 * 1024,
      "billion laughs costs a few MB more than a three-line spec (%d KB "
      "against %d KB)" % (rss_kb, base_kb))

# A 100,000-stage chain goes through every step and format with a 512 KB
# stack: nothing recurses on the input.
with tempfile.TemporaryDirectory() as d:
    chain = os.path.join(d, "chain.yaml")
    subprocess.run([sys.executable, os.path.join(source, "bench",
                                                 "gen_spec.py"),
                    "100000", "chain"], stdout=open(chain, "w"), check=True)
    for fmt in ("table", "json", "markdown", "csv"):
        p = subprocess.run("ulimit -s 512 && '%s' estimate '%s' --format %s "
                           "-o /dev/null" % (capplan, chain, fmt),
                           shell=True, executable="/bin/bash",
                           capture_output=True, timeout=600)
        check(p.returncode == 0, "100,000-stage chain, %s, 512 KB stack "
              "(exit %d: %s)" % (fmt, p.returncode, p.stderr[-300:]))
    p = subprocess.run("ulimit -s 512 && '%s' diff '%s' '%s' -o /dev/null"
                       % (capplan, chain, chain), shell=True,
                       executable="/bin/bash", capture_output=True,
                       timeout=600)
    check(p.returncode == 0, "100,000-stage diff with a 512 KB stack")

# simulate: -o is atomic, a plan it cannot simulate writes nothing, and the
# progress bar shows on a terminal only, once a run has lasted a second,
# and is cleared before the report.
with tempfile.TemporaryDirectory() as d:
    out = os.path.join(d, "sim.json")
    sim = ["simulate", "specs/youtube-p99.yaml", "--requests", "3000"]
    want = run(sim + ["--format", "json"]).stdout
    p = run(sim + ["--format", "json", "-o", out])
    check(p.returncode == 0 and p.stdout == b"", "simulate -o exits 0, quiet")
    check(open(out, "rb").read() == want, "simulate -o writes what stdout gets")
    check(os.listdir(d) == ["sim.json"], "simulate -o leaves no temporary")
    bad = os.path.join(d, "bad.json")
    p = run(["simulate", "tests/inputs/sim-huge.yaml", "-o", bad])
    check(p.returncode == 2 and not os.path.exists(bad) and p.stdout == b"",
          "a plan simulate refuses writes nothing")
# CAPPLAN_PROGRESS_AFTER=0: the bar from the start (else after a second),
# so that a short run shows it.
sim_run = ["simulate", "specs/youtube-p99.yaml", "--requests", "20K",
           "--format", "csv"]
shown = on_tty(sim_run, {"CAPPLAN_PROGRESS_AFTER": "0"})
check(b"simulating [" in shown, "a simulation shows progress on a tty")
check(shown.rfind(b"simulating [") < shown.find(b"stage,status,figure"),
      "the progress bar is gone before the report")
check(b"simulating [" not in on_tty(["simulate", "specs/youtube-p99.yaml",
                                     "--requests", "1000"]),
      "no progress bar for a short run")
env = dict(os.environ, CAPPLAN_PROGRESS_AFTER="0")
piped = subprocess.run([capplan] + sim_run, capture_output=True, env=env,
                       timeout=60)
check(piped.returncode == 0 and b"simulating" not in piped.stderr,
      "no progress bar into a pipe")

# 6,000 stages, about 300 KB: past heap.c's threshold (16 MB of heap at
# 64 bytes a byte of spec).
with tempfile.TemporaryDirectory() as tmp:
    big = os.path.join(tmp, "big.yaml")
    with open(big, "w") as f:
        f.write("capplan: 1\nname: big\ntraffic: {qps: 100K}\nstages:\n")
        for i in range(6000):
            f.write("  - {name: s%d, latency: %dms, qps_per_server: %dK}\n"
                    % (i, 1 + i % 5, 1 + i % 7))
    check(os.path.getsize(big) > (16 << 20) // 64, "the big spec is big")
    for fmt in ["table", "json"]:
        from_file = run(["estimate", big, "--format", fmt])
        with open(big, "rb") as f:
            from_stdin = run(["estimate", "-", "--format", fmt], stdin=f)
        # The JSON names the spec's path: "-" for stdin.
        named = from_file.stdout.replace(
            b'"path": "%s"' % big.encode(), b'"path": "-"', 1)
        check(from_file.returncode == 0 and
              from_file.stdout.count(b"\n") > 6000 and
              named == from_stdin.stdout,
              "a big spec's %s is the same from a file as from stdin" % fmt)

print("%d failures" % len(failures))
sys.exit(1 if failures else 0)
