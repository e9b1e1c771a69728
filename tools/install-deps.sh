#!/usr/bin/env bash
# Installs refbridge's build and test dependencies from Debian bookworm packages.
# Idempotent: does nothing (and needs no network) when every package is already installed.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git ca-certificates
  libprotobuf-dev protobuf-compiler
  rapidjson-dev
  libboost1.81-dev libboost-url1.81-dev
  libcurl4-openssl-dev
  catch2
  libyaml-cpp-dev
  libcpp-httplib-dev
  libfmt-dev libcli11-dev
  libsqlite3-dev
  libpq-dev postgresql-15  # the PostgreSQL ledger (libpq), and the server the tests start (initdb, pg_ctl)
  curl time
  libssl-dev openssl  # TLS: cpp-httplib's HTTPS sandbox, throwaway certificates in tests/security
  clang-14 libclang-rt-14-dev
  dpkg-dev file  # cpack -G DEB: dpkg-shlibdeps, ELF detection (tests/package)
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
  exit 0
fi

sudo=""
if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi
echo "install-deps: installing ${missing[*]}" >&2
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
