#!/usr/bin/env python3
"""scripts/setup.sh waits for the package locks (issue 9, item 10).

Another apt or dpkg holding the dpkg lock (or the package lists' lock)
made setup.sh fail at once.  The script is run here with stand-ins for
apt-get, sudo and cmake first on the PATH (nothing is installed or
built), which record their arguments and play a held lock:

- every apt-get call asks apt to wait for the dpkg lock
  (-o DPkg::Lock::Timeout=600);
- an apt-get that fails because a lock is held is run again until it
  succeeds, and setup.sh then goes on to build;
- a lock held past CAPPLAN_APT_LOCK_TIMEOUT fails, and so does, at once,
  an apt-get that fails for any other reason.

Usage: check_setup_lock.py SOURCE_DIR
"""
import os
import subprocess
import sys
import tempfile

source = sys.argv[1]
setup = os.path.join(source, "scripts", "setup.sh")
failures = []

FAKE_APT = r"""#!/usr/bin/env bash
echo "apt-get $*" >> "$FAKE_LOG"
n=$(cat "$FAKE_COUNT" 2>/dev/null || echo 0)
echo $((n + 1)) > "$FAKE_COUNT"
if [ "$n" -lt "${FAKE_LOCKED:-0}" ]; then
  echo "E: Could not get lock /var/lib/apt/lists/lock. It is held by process 4242 (apt-get)" >&2
  echo "E: Unable to lock directory /var/lib/apt/lists/" >&2
  exit 100
fi
if [ -n "${FAKE_BROKEN:-}" ]; then
  echo "E: Failed to fetch http://deb.debian.org/debian/dists/bookworm/InRelease" >&2
  exit 100
fi
exit 0
"""
FAKE_CMAKE = """#!/usr/bin/env bash
echo "cmake $*" >> "$FAKE_LOG"
"""
FAKE_SUDO = """#!/usr/bin/env bash
exec "$@"
"""


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL: " + what)


def run(d, **env):
    log = os.path.join(d, "log")
    count = os.path.join(d, "count")
    for p in (log, count):
        if os.path.exists(p):
            os.remove(p)
    e = dict(os.environ)
    e["PATH"] = os.path.join(d, "bin") + os.pathsep + e["PATH"]
    e.update(FAKE_LOG=log, FAKE_COUNT=count, CAPPLAN_APT_RETRY_SECONDS="0.2")
    e.update(env)
    p = subprocess.run(["bash", setup], capture_output=True, env=e,
                       timeout=120)
    calls = open(log).read().splitlines() if os.path.exists(log) else []
    return p, calls


with tempfile.TemporaryDirectory() as d:
    os.mkdir(os.path.join(d, "bin"))
    for name, text in (("apt-get", FAKE_APT), ("cmake", FAKE_CMAKE),
                       ("sudo", FAKE_SUDO)):
        path = os.path.join(d, "bin", name)
        with open(path, "w") as f:
            f.write(text)
        os.chmod(path, 0o755)

    p, calls = run(d)
    apt = [c for c in calls if c.startswith("apt-get")]
    check(p.returncode == 0, "setup.sh succeeds (%r)" % p.stderr[-300:])
    check(len(apt) == 2, "one update and one install: %s" % apt)
    check(all("-o DPkg::Lock::Timeout=600" in c for c in apt),
          "every apt-get waits for the dpkg lock: %s" % apt)
    check(any(c.startswith("cmake") for c in calls), "setup.sh builds")

    # The lists' lock held for three tries: waited for, then built.
    p, calls = run(d, FAKE_LOCKED="3")
    apt = [c for c in calls if c.startswith("apt-get")]
    check(p.returncode == 0, "a held lock is waited for (%r)"
          % p.stderr[-300:])
    verbs = [next((w for w in c.split() if w in ("update", "install")), "")
             for c in apt]
    check(verbs == ["update"] * 4 + ["install"],
          "update is tried again while the lock is held: %s" % apt)
    check(b"holds the package lock" in p.stderr,
          "setup.sh says what it waits for")
    check(any(c.startswith("cmake") for c in calls),
          "setup.sh builds after the wait")

    # A lock held past the timeout fails, as does any other failure.
    p, calls = run(d, FAKE_LOCKED="1000", CAPPLAN_APT_LOCK_TIMEOUT="1")
    check(p.returncode != 0 and not any(c.startswith("cmake")
                                        for c in calls),
          "a lock held past the timeout fails")
    check("-o DPkg::Lock::Timeout=1" in calls[0],
          "CAPPLAN_APT_LOCK_TIMEOUT reaches apt-get: %s" % calls[:1])
    p, calls = run(d, FAKE_BROKEN="1")
    apt = [c for c in calls if c.startswith("apt-get")]
    check(p.returncode != 0 and len(apt) == 1,
          "another failure is not retried: %s" % apt)

print("%d failures" % len(failures))
sys.exit(1 if failures else 0)
