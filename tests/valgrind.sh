#!/usr/bin/env bash
# Run the C tests and the example programs under valgrind memcheck.
#
#   tests/valgrind.sh BUILD_DIR          every Criterion suite, the thread test,
#                                        the C example and the CLI on the sample
#   tests/valgrind.sh BUILD_DIR --quick  the thread test, the C example and the
#                                        CLI only (what tests/run.sh runs)
#
# Fails on any memcheck error or definitely lost block. Prints "N passed, N failed".
set -uo pipefail
BUILD=${1:?usage: tests/valgrind.sh BUILD_DIR [--quick]}
MODE=${2:-full}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
export FU_TEST_READER_ROUNDS=10  # the two-process ledger test, kept short under valgrind
VG=(valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite
    --show-leak-kinds=definite --trace-children=yes --track-origins=no)
SAMPLE=$ROOT/examples/sample/data
passed=0 failed=0

run() {
  local name=$1; shift
  local log=$BUILD/valgrind-$name.log
  if "${VG[@]}" "$@" >"$log" 2>&1; then
    passed=$((passed + 1)); echo "valgrind $name: ok" >&2
  else
    failed=$((failed + 1)); echo "valgrind $name: FAILED (see $log)" >&2; tail -n 30 "$log" >&2
  fi
}

run threads "$BUILD/tests/test_threads"
[ -x "$BUILD/examples/example_crm_integration" ] && run crm_integration "$BUILD/examples/example_crm_integration"
CLI=$BUILD/examples/followup
if [ -x "$CLI" ]; then
  run cli_check_policy "$CLI" check-policy
  run cli_plan "$CLI" plan --customers "$SAMPLE/customers.csv" --events "$SAMPLE/events.csv" \
      --now 2026-11-23T00:00:00+08:00 --output /dev/null
  run cli_kpi "$CLI" kpi --customers "$SAMPLE/customers.csv" --events "$SAMPLE/events.csv" --output /dev/null
  run cli_kpi_html "$CLI" kpi --customers "$SAMPLE/customers.csv" --events "$SAMPLE/events.csv" \
      --format html --output /dev/null
fi
if [ "$MODE" != --quick ]; then
  for t in "$BUILD"/tests/test_*; do
    [ -x "$t" ] || continue
    name=$(basename "$t"); name=${name#test_}
    case $name in threads|cxx_headers) continue ;; esac
    # the multi-process ledger tests need more than their own timeouts under valgrind
    run "$name" "$t" --jobs=2 --timeout 1500
  done
fi
echo "valgrind: $passed passed, $failed failed"
[ "$failed" = 0 ]
