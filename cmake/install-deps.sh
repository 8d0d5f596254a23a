#!/usr/bin/env bash
# Install the Debian packages libfollowup needs to build, test and run its
# examples (or, with arguments, the packages named). Only what is missing is
# installed; safe to run repeatedly.
set -euo pipefail

PKGS=(
  build-essential cmake pkg-config
  libyaml-dev libpcre2-dev libicu-dev libsqlite3-dev
  swig python3 python3-dev python3-pytest python3-numpy
  lua5.4 liblua5.4-dev
  libcriterion-dev
  doxygen
  clang libclang-rt-14-dev valgrind
  python3-pandas python3-matplotlib
  python3-nbconvert python3-nbformat python3-ipykernel
  python3-dask python3-distributed
  python3-venv python3-setuptools python3-wheel python3-build
  luarocks
  chromium
)
# With arguments, those packages instead of the list above (bench/setup.sh
# passes the benchmarks' own list).
if [ "$#" -gt 0 ]; then PKGS=("$@"); fi

missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -eq 0 ]; then
  exit 0
fi
echo "install-deps: installing ${missing[*]}" >&2
SUDO=""
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null; then SUDO=sudo; else
    echo "install-deps: need root (or sudo) to install: ${missing[*]}" >&2; exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
