#!/usr/bin/env bash
# Every side-by-side benchmark of issue 19 in one run, one after another, at
# the sizes the targets name; each program interleaves its own rounds with
# the peer's and prints its ratios with their spread (min..max of the
# rounds). The outputs go to OUT/<name>.txt and the table rows to the
# terminal; bench/BENCHMARKS.md's summary records such a run.
#
#   bench/peers_all.sh BUILD [PEERS] [OUT]
#
# BUILD  a CMake build directory with the benchmarks and the Python package
#        (-DFU_BUILD_BENCH=ON, the default; Release or RelWithDebInfo)
# PEERS  the folder holding lifetimes/ and autograd/ (not part of this
#        repository; default $FU_PEERS, else ../shared/peers next to the
#        repository): the lifetimes rows are skipped with a message without it
# OUT    where the outputs go (default: a new temporary directory)
#
# The Debian packages of the peers (numpy, pandas, scipy, dill, dask) are
# installed by bench/setup.sh. About 15 minutes on an idle 2-core machine;
# FU_QUICK=1 runs every program at reduced size and rounds (a smoke run, not a
# measurement).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
build=${1:?usage: bench/peers_all.sh BUILD [PEERS] [OUT]}
build=$(cd "$build" && pwd)
peers=${2:-${FU_PEERS:-$root/../shared/peers}}
out=${3:-$(mktemp -d /tmp/peers_all.XXXXXX)}
mkdir -p "$out"
py=/usr/bin/python3
export PYTHONPATH="$build/python${PYTHONPATH:+:$PYTHONPATH}"

quick=${FU_QUICK:-0}
if [ "$quick" = 1 ]; then
    R=2 N=100000 KPI_EV=200000 KPI_CU=10000 BOOK_CU=10000 PLAN_CU=20000 MB=1
else
    R= N=1000000 KPI_EV=10000000 KPI_CU=500000 BOOK_CU=100000 PLAN_CU=1000000 MB=8
fi
rounds() { if [ -n "$R" ]; then echo "--rounds $R"; else echo "--rounds $1"; fi; }

step() { # name, command...: run it, keep its output, show its table rows
    local name=$1
    shift
    printf '\n== %s (%s UTC, load %s)\n' "$name" "$(date -u +%H:%M:%S)" "$(cut -d' ' -f1-3 /proc/loadavg)"
    if "$@" > "$out/$name.txt" 2> "$out/$name.err"; then
        grep -E '^\|.*x|ratio|skipped|check|^read:|^plan|^peak' "$out/$name.txt" || tail -5 "$out/$name.txt"
    else
        echo "$name FAILED (exit $?): see $out/$name.err"
        tail -5 "$out/$name.err"
        failed=1
    fi
}
failed=0

echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-), $(nproc) cores; $(date -u '+%Y-%m-%d %H:%M UTC'); build $build; commit $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?')"
"$build/bench/bench_book" "$BOOK_CU" 10 "$out" keep > "$out/bench_book.txt" 2>&1

step lifetimes "$py" "$here/peers_lifetimes.py" --bin "$build/bench/bench_segment_fit" --peers "$peers" \
    $(rounds 11) --big-rounds "${R:-3}" --sizes "$N,$((N * 10))"
step scores "$py" "$here/peers_scores.py" --peers "$peers" --n "$N" $(rounds 7) --big-rounds "${R:-3}"
step workdays "$py" "$here/peers_numpy.py" --bin "$build/bench/bench_workdays" --count "$N" $(rounds 11)
step csv "$py" "$here/peers_pandas.py" --bin "$build/bench/bench_csvread" --dir "$out" $(rounds 7) --modes 1,2
step re "$py" "$here/peers_re.py" --build "$build" --mb "$MB" $(rounds 7)
step kpi "$py" "$here/kpi_peers.py" "$build" --events "$KPI_EV" --customers "$KPI_CU" $(rounds 3)
step membw "$build/bench/bench_membw" 512 5
step plan /usr/bin/time -f "plan: %U s user, %S s system, maxrss %M kB" \
    "$build/bench/bench_planner" "$PLAN_CU" 10 3 feed
grep -h "^plan:" "$out/plan.err" || true

echo
echo "outputs in $out"
exit "$failed"
