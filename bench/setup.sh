#!/usr/bin/env bash
# Install the Debian packages the side-by-side benchmarks need (bench/*.py):
#   numpy   numpy.busday_offset            bench/peers_numpy.py
#   pandas  read_csv + to_datetime, KPIs   bench/peers_pandas.py, bench/kpi_pandas.py
#   scipy   intervals in kpi_pandas.py; lifetimes' optimiser (peers_lifetimes.py)
#   dill    imported by lifetimes           bench/peers_lifetimes.py
# lifetimes and autograd themselves are not packaged: peers_lifetimes.py takes
# their folder (--peers) and skips when absent. Only what is missing is
# installed; safe to run repeatedly.
set -euo pipefail

PKGS=(python3 python3-numpy python3-pandas python3-scipy python3-dill)

missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -eq 0 ]; then
  exit 0
fi
echo "bench/setup.sh: installing ${missing[*]}" >&2
SUDO=""
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null; then SUDO=sudo; else
    echo "bench/setup.sh: need root (or sudo) to install: ${missing[*]}" >&2; exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
