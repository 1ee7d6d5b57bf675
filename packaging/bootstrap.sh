#!/usr/bin/env bash
# The README's two commands. On a fresh Debian 12 machine, as root:
#   ./packaging/bootstrap.sh run    install what is missing, build, start the reference host
#   ./packaging/bootstrap.sh test   install what is missing, build, run every test
#
# Only Debian packages (apt-get) and the npm registry (test tools) are used; nothing is
# downloaded at build time. Safe to run again: it installs only what is missing.
set -euo pipefail

mode=${1:-}
case "$mode" in
  run | test) ;;
  *)
    echo "bruk: $0 run|test" >&2
    exit 2
    ;;
esac

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=${BOLIGFLYT_BUILD_DIR:-$root/build}
jobs=${BOLIGFLYT_JOBS:-$(nproc)}

# What the product needs to build and run.
build_packages=(
  build-essential cmake pkg-config git ca-certificates binutils
  libboost1.81-dev libboost-json1.81-dev libpoco-dev libpugixml-dev
  libxml2-dev libxml2-utils libsqlite3-dev libssl-dev libpq-dev
  libcairo2-dev libpango1.0-dev ghostscript fonts-dejavu-core libzip-dev
  libhowardhinnant-date-dev tzdata
)
# What the test suite needs on top.
test_packages=(
  libgtest-dev libgmock-dev libbenchmark-dev valgrind clang-format clang-tidy
  clang-14 libclang-rt-14-dev chromium postgresql qpdf poppler-utils
  systemd curl opensmtpd glewlwyd apache2
)

missing_packages() {
  local p
  for p in "$@"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
      printf '%s\n' "$p"
    fi
  done
}

install_packages() {
  local missing
  mapfile -t missing < <(missing_packages "$@")
  if [ "${#missing[@]}" -gt 0 ]; then
    echo "== installerer: ${missing[*]}"
    if [ "$(id -u)" -ne 0 ]; then
      echo "Mangler pakker (${missing[*]}); kjør som root eller installer dem selv." >&2
      exit 1
    fi
    export DEBIAN_FRONTEND=noninteractive
    # Installing starts no services (OpenSMTPD, Apache, PostgreSQL's own cluster): the tests start
    # their own servers on loopback, and a system smtpd would hold the queue they share.
    # Debian's service scripts ask /usr/sbin/policy-rc.d first; 101 means "do not start".
    local policy=/usr/sbin/policy-rc.d own_policy=0
    if [ ! -e "$policy" ]; then
      printf '#!/bin/sh\nexit 101\n' >"$policy"
      chmod 755 "$policy"
      own_policy=1
    fi
    apt-get update -qq
    local rc=0
    apt-get install -y -qq --no-install-recommends "${missing[@]}" || rc=$?
    if [ "$own_policy" = 1 ]; then rm -f "$policy"; fi
    if [ "$rc" -ne 0 ]; then exit "$rc"; fi
  fi
}

install_node() {
  # Node.js and npm run the test tools (OpenAPI validation, later BPMN and accessibility
  # checks). A machine that already has them keeps its own; otherwise Debian's.
  if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    install_packages nodejs npm
  fi
}

build() {
  cmake -S "$root" -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@"
  cmake --build "$build_dir" -j"$jobs"
}

if [ "$mode" = run ]; then
  install_packages "${build_packages[@]}"
  build -DBUILD_TESTING=OFF
  echo "== starter boligflyt-host (Ctrl+C stopper)"
  exec "$build_dir/bin/boligflyt-host" --data "${BOLIGFLYT_DATA:-$root/boligflyt-data}" \
    --listen "${BOLIGFLYT_LISTEN:-127.0.0.1:8080}"
fi

# glewlwyd (the OpenID Connect provider the identity tests start on loopback) asks in its
# postinst to create a PostgreSQL database, which fails here; the tests give it a SQLite
# database of their own, so tell dbconfig-common to configure nothing.
if [ "$(id -u)" -eq 0 ] && [ -n "$(missing_packages glewlwyd)" ]; then
  echo 'glewlwyd glewlwyd/config_type select No configuration' | debconf-set-selections
fi
install_packages "${build_packages[@]}" "${test_packages[@]}"
install_node
if [ -f "$root/tests/install-npm-deps.sh" ]; then
  "$root/tests/install-npm-deps.sh"
fi
build -DBUILD_TESTING=ON
echo "== kjører testene"
ctest --test-dir "$build_dir" --output-on-failure -j"$jobs" --timeout 1200
