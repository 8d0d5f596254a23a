#!/usr/bin/env bash
# The main job on a fresh machine: install what is missing, build, then tell
# the story of the realistic sample book (examples/sample/realistic: 1,000
# customers, a team that follows the source documents' baseline habits,
# examples/sample/README.md) under the built-in default policy:
#   1. the policy check and summary,
#   2. the baseline team's weekly KPI dashboard, as text and as one
#      self-contained HTML page (build/demo/sample/kpi.html),
#   3. the plan for tomorrow (the first rows, with the rule and reason of
#      each call) for the team of 3 agents x 40 calls a day,
#   4. the commitment ledger: promises found in agents' notes, those the
#      book's resolutions kept, and what is overdue,
#   5. decision quality: 12 weeks (with the National Day week) replayed under
#      the baseline, the plan and the plan with the best-time model, side by
#      side with 95% intervals (docs/simulate.md), as a table and as an HTML
#      page (build/demo/sample/simulate.html).
# Environment: FU_DEMO_NOW (default 2026-12-14T00:00:00+08:00, the end of
# the book's history).
set -euo pipefail
cd "$(dirname "$0")/.."
bash cmake/install-deps.sh
cmake -S . -B build/demo -DCMAKE_BUILD_TYPE=Release -DFU_BUILD_TESTS=OFF -DFU_BUILD_BENCH=OFF \
      -DFU_BUILD_PYTHON=OFF -DFU_BUILD_LUA=OFF >/dev/null
cmake --build build/demo -j "$(nproc)" --target followup_cli >/dev/null
FU=build/demo/examples/followup
NOW=${FU_DEMO_NOW:-2026-12-14T00:00:00+08:00}
REAL=examples/sample/realistic
SAMPLE=build/demo/sample
mkdir -p "$SAMPLE"
banner() { printf '\n=== %s ===\n' "$*"; }

banner "libfollowup $("$FU" version | cut -d' ' -f2): the realistic sample book ($(($(wc -l < "$REAL/customers.csv") - 1)) customers, $(($(wc -l < "$REAL/events.csv") - 1)) events)"

banner "policy"
"$FU" check-policy > "$SAMPLE/policy.txt"
head -n 12 "$SAMPLE/policy.txt"
echo "... ('followup check-policy' prints the whole summary)"

banner "the baseline team's weekly KPI dashboard (the last 3 weeks to $NOW)"
"$FU" kpi --customers "$REAL/customers.csv" --events "$REAL/events.csv" \
      --period week --from 2026-11-23 --to "$NOW"
"$FU" kpi --customers "$REAL/customers.csv" --events "$REAL/events.csv" \
      --period week --to "$NOW" --format html --output "$SAMPLE/kpi.html"
echo
echo "HTML dashboard (one self-contained file: tiles, trends, breakdown by tier and agent):"
echo "  $(pwd)/$SAMPLE/kpi.html"

banner "the plan for tomorrow from $NOW, 3 agents x 40 calls (first 15, times in each customer's zone)"
"$FU" plan --customers "$REAL/customers.csv" --events "$REAL/events.csv" --now "$NOW" \
      --agents 3 --calls-per-agent 40 --format csv --output "$SAMPLE/plan.csv" \
      --suppressed "$SAMPLE/suppressed.csv" --deferred "$SAMPLE/deferred.csv"
/usr/bin/python3 - "$SAMPLE/plan.csv" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], encoding="utf-8")))
print(f"{len(rows)} calls planned")
for r in rows[:15]:
    print(f"{r['best_at']}  {r['customer_id']}  {r['channel']:<5} {r['priority']:<7} {r['purpose']}  [{r['rule']}]\n"
          f"{'':27}{r['reason']}")
PY
echo "suppressed: $(($(wc -l < "$SAMPLE/suppressed.csv") - 1)), deferred: $(($(wc -l < "$SAMPLE/deferred.csv") - 1)) (with reasons in $SAMPLE/)"

banner "commitments: promises in agents' notes, the book's resolutions, what is overdue at $NOW"
rm -f "$SAMPLE/ledger.db"
"$FU" commitments extract --notes "$REAL/notes.csv" --customers "$REAL/customers.csv" \
      --ledger "$SAMPLE/ledger.db" --format table > "$SAMPLE/extract.txt"
tail -n 5 "$SAMPLE/extract.txt"
"$FU" commitments report --ledger "$SAMPLE/ledger.db" --at "$NOW" --record \
      --customers "$REAL/customers.csv" --events "$REAL/events.csv" > "$SAMPLE/report.txt"
head -n 24 "$SAMPLE/report.txt"

banner "12 weeks replayed (2026-09-21..12-14, National Day week included), 3 agents x 40 calls a day"
"$FU" simulate --customers "$REAL/customers.csv" --events "$REAL/events.csv" --truth "$REAL/truth.csv" \
      --from 2026-09-21T00:00:00+08:00 --to 2026-12-14T00:00:00+08:00 \
      --compare baseline,policy,besttime --agents 3 --calls-per-agent 40 \
      --format html --output "$SAMPLE/simulate.html"
"$FU" simulate --customers "$REAL/customers.csv" --events "$REAL/events.csv" --truth "$REAL/truth.csv" \
      --from 2026-09-21T00:00:00+08:00 --to 2026-12-14T00:00:00+08:00 \
      --compare baseline,policy,besttime --agents 3 --calls-per-agent 40
echo "the same comparison as one HTML page: $(pwd)/$SAMPLE/simulate.html"
echo "(bench/BENCHMARKS.md, 'simulate', explains which targets are missed and why)"
