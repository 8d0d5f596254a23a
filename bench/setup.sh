#!/usr/bin/env bash
# Install the Debian packages the side-by-side benchmarks need (bench/*.py):
#   numpy   numpy.busday_offset            bench/peers_numpy.py
#   pandas  read_csv + to_datetime, KPIs   bench/peers_pandas.py, bench/kpi_pandas.py
#   scipy   intervals in kpi_pandas.py; lifetimes' optimiser (peers_lifetimes.py)
#   dill    imported by lifetimes           bench/peers_lifetimes.py
#   dask, distributed  LocalCluster         bench/bench_dask_plan.py (bench/gen_dask_book.py: numpy, pandas)
# lifetimes and autograd themselves are not packaged: peers_lifetimes.py takes
# their folder (--peers) and skips when absent. Only what is missing is
# installed; safe to run repeatedly.
set -euo pipefail

# The install itself (what is missing, root or sudo, apt-get) is
# cmake/install-deps.sh's, given this list.
exec "$(dirname "$0")/../cmake/install-deps.sh" python3 python3-numpy python3-pandas python3-scipy python3-dill python3-dask python3-distributed
