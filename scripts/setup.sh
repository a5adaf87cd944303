#!/usr/bin/env bash
# Installs capplan's build and test dependencies from Debian's packages and
# builds capplan in ./build.  Run as root, or as a user with sudo.
#
#   scripts/setup.sh                  # install, configure, build
#   CAPPLAN_WERROR=ON scripts/setup.sh   # warnings are errors (CI)
#   CAPPLAN_SKIP_APT=1 scripts/setup.sh  # build only
#   CAPPLAN_EXTRA_PACKAGES="clang libclang-rt-14-dev" scripts/setup.sh
#                                        # also what fuzzing needs (CI)
#   CAPPLAN_EXTRA_PACKAGES="graphviz librsvg2-bin chromium fonts-dejavu-core
#     zsh fish groff-base dpkg-dev file" scripts/setup.sh
#                                        # also what the tests of graph,
#                                        # HTML, completions, man pages and
#                                        # the Debian package need (CI)
#   CAPPLAN_APT_LOCK_TIMEOUT=600         # seconds to wait for another
#                                        # apt or dpkg to finish
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(build-essential cmake pkg-config libyaml-dev libcjson-dev
          libcmocka-dev python3 python3-jsonschema valgrind git librsvg2-bin
          ${CAPPLAN_EXTRA_PACKAGES:-})

# Another apt or dpkg may hold the package locks (unattended-upgrades, a
# first boot's cloud-init, a second CI job): wait for them, up to
# CAPPLAN_APT_LOCK_TIMEOUT seconds (10 minutes), rather than fail.
# DPkg::Lock::Timeout makes apt-get wait for the dpkg lock; the lock of
# the package lists (apt-get update) is not covered by it in every apt,
# so a run that failed on a lock is also tried again until the time is up.
lock_wait=${CAPPLAN_APT_LOCK_TIMEOUT:-600}
apt_get() {
  local start=$SECONDS log rc
  log=$(mktemp)
  while :; do
    rc=0
    $sudo apt-get -o DPkg::Lock::Timeout="$lock_wait" "$@" 2>&1 |
      tee "$log" || rc=$?
    if [ "$rc" = 0 ]; then
      rm -f "$log"
      return 0
    fi
    if ! grep -q -e 'Could not get lock' -e 'Unable to lock' \
           -e 'Unable to acquire the dpkg frontend lock' "$log" ||
       [ $((SECONDS - start)) -ge "$lock_wait" ]; then
      rm -f "$log"
      return "$rc"
    fi
    echo "scripts/setup.sh: another process holds the package lock;" \
         "waiting for it" >&2
    sleep "${CAPPLAN_APT_RETRY_SECONDS:-5}"
  done
}

if [ "${CAPPLAN_SKIP_APT:-0}" != 1 ]; then
  sudo=""
  if [ "$(id -u)" != 0 ]; then
    sudo="sudo"
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt_get update -q
  apt_get install -y -q --no-install-recommends "${packages[@]}"
fi

build=${CAPPLAN_BUILD_DIR:-build}
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DCAPPLAN_WERROR="${CAPPLAN_WERROR:-OFF}"
cmake --build "$build" -j"$(nproc)"
