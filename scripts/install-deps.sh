#!/usr/bin/env bash
# Installs exactly the Debian 12 packages that building, testing and running Postern need.
# Idempotent: packages already installed are skipped; apt is only touched when something is missing.
# Usage: scripts/install-deps.sh [build|test|all]   (default: all)
set -euo pipefail

build_pkgs=(
  cmake ninja-build ccache g++ pkg-config
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libssl-dev libsqlite3-dev libpq-dev libsodium-dev
  libtomlplusplus-dev libcli11-dev
  libgtest-dev libgmock-dev libbenchmark-dev
)
test_pkgs=(
  clang-14 libclang-rt-14-dev          # libFuzzer targets
  python3 python3-aiosmtpd swaks openssl sqlite3
  libnet-ssleay-perl                   # swaks speaks TLS through it
  postfix sasl2-bin libsasl2-modules   # reference peer for benchmarks and as an upstream
)

case "${1:-all}" in
  build) wanted=("${build_pkgs[@]}") ;;
  test|all) wanted=("${build_pkgs[@]}" "${test_pkgs[@]}") ;;
  *) echo "usage: $0 [build|test|all]" >&2; exit 2 ;;
esac

missing=()
for p in "${wanted[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
echo "installing: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
# Postfix asks how to configure itself; the tests run their own instances, so: none.
echo "postfix postfix/main_mailer_type select No configuration" | $SUDO debconf-set-selections
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
