#!/usr/bin/env bash
# The main job on a fresh machine: install what is missing, build, generate the
# sample book, then show a day of follow-up under the built-in default policy:
#   1. the policy check and summary,
#   2. tomorrow's call plan (first rows, with the rule and reason of each call),
#   3. the commitment ledger: promises found in agents' notes, what is overdue,
#   4. the weekly KPI dashboard with red/yellow/green status, as text and as one
#      self-contained HTML page (build/demo/sample/kpi.html),
#   5. decision quality on the realistic book (examples/sample/realistic): the
#      baseline team's dashboard, then 12 weeks (with the National Day week)
#      replayed under the baseline, the plan and the plan with the best-time
#      model, side by side with 95% intervals (docs/simulate.md).
# Environment: FU_DEMO_CUSTOMERS (default 2000), FU_DEMO_NOW (default
# 2026-11-23T00:00:00+08:00, the end of the generated history).
set -euo pipefail
cd "$(dirname "$0")/.."
bash cmake/install-deps.sh
cmake -S . -B build/demo -DCMAKE_BUILD_TYPE=Release -DFU_BUILD_TESTS=OFF -DFU_BUILD_BENCH=OFF \
      -DFU_BUILD_PYTHON=OFF -DFU_BUILD_LUA=OFF >/dev/null
cmake --build build/demo -j "$(nproc)" --target followup_cli >/dev/null
FU=build/demo/examples/followup
NOW=${FU_DEMO_NOW:-2026-11-23T00:00:00+08:00}
SAMPLE=build/demo/sample
banner() { printf '\n=== %s ===\n' "$*"; }

banner "libfollowup $("$FU" version | cut -d' ' -f2)"
/usr/bin/python3 examples/sample/generate.py --customers "${FU_DEMO_CUSTOMERS:-2000}" --now "$NOW" --out "$SAMPLE"

banner "policy"
"$FU" check-policy > "$SAMPLE/policy.txt"
head -n 12 "$SAMPLE/policy.txt"
echo "... ('followup check-policy' prints the whole summary)"

banner "the next day's call plan from $NOW (first 15, times in each customer's zone)"
"$FU" plan --customers "$SAMPLE/customers.csv" --events "$SAMPLE/events.csv" --now "$NOW" \
      --agents 12 --format csv --output "$SAMPLE/plan.csv" \
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

banner "commitments: promises in agents' notes, and what is overdue at $NOW"
rm -f "$SAMPLE/ledger.db"
"$FU" commitments extract --notes "$SAMPLE/notes.csv" --customers "$SAMPLE/customers.csv" \
      --ledger "$SAMPLE/ledger.db" --format table > "$SAMPLE/extract.txt"
tail -n 12 "$SAMPLE/extract.txt"
"$FU" commitments report --ledger "$SAMPLE/ledger.db" --at "$NOW" > "$SAMPLE/report.txt"
head -n 30 "$SAMPLE/report.txt"

banner "weekly KPI dashboard"
"$FU" kpi --customers "$SAMPLE/customers.csv" --events "$SAMPLE/events.csv" \
      --ledger "$SAMPLE/ledger.db" --period week --from 2026-10-26 --to "$NOW"
"$FU" kpi --customers "$SAMPLE/customers.csv" --events "$SAMPLE/events.csv" \
      --ledger "$SAMPLE/ledger.db" --period week --to "$NOW" --format html --output "$SAMPLE/kpi.html"
echo
echo "HTML dashboard (one self-contained file: tiles, trends, breakdown by tier and agent):"
echo "  $(pwd)/$SAMPLE/kpi.html"

REAL=examples/sample/realistic
banner "decision quality: the baseline team's monthly dashboard (realistic book)"
"$FU" kpi --customers "$REAL/customers.csv" --events "$REAL/events.csv" --period month \
      --from 2026-09-01 --to 2026-12-01 --format csv > "$SAMPLE/baseline_kpi.csv"
grep -E '^(kpi|coverage|response_timeliness|resolution|csat|over_contact),' "$SAMPLE/baseline_kpi.csv"

banner "12 weeks replayed (2026-09-21..12-14, National Day week included), 3 agents x 40 calls a day"
"$FU" simulate --customers "$REAL/customers.csv" --events "$REAL/events.csv" --truth "$REAL/truth.csv" \
      --from 2026-09-21T00:00:00+08:00 --to 2026-12-14T00:00:00+08:00 \
      --compare baseline,policy,besttime --agents 3 --calls-per-agent 40
echo "(bench/BENCHMARKS.md, 'simulate', explains which targets are missed and why)"
