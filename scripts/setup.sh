#!/usr/bin/env bash
# Installs capplan's build and test dependencies from Debian's packages and
# builds capplan in ./build.  Run as root, or as a user with sudo.
#
#   scripts/setup.sh                  # install, configure, build
#   CAPPLAN_WERROR=ON scripts/setup.sh   # warnings are errors (CI)
#   CAPPLAN_SKIP_APT=1 scripts/setup.sh  # build only
#   CAPPLAN_EXTRA_PACKAGES="clang libclang-rt-14-dev" scripts/setup.sh
#                                        # also what fuzzing needs (CI)
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(build-essential cmake pkg-config libyaml-dev libcjson-dev
          libcmocka-dev python3 python3-jsonschema valgrind git
          ${CAPPLAN_EXTRA_PACKAGES:-})

if [ "${CAPPLAN_SKIP_APT:-0}" != 1 ]; then
  sudo=""
  if [ "$(id -u)" != 0 ]; then
    sudo="sudo"
  fi
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -q
  $sudo apt-get install -y -q --no-install-recommends "${packages[@]}"
fi

build=${CAPPLAN_BUILD_DIR:-build}
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DCAPPLAN_WERROR="${CAPPLAN_WERROR:-OFF}"
cmake --build "$build" -j"$(nproc)"
