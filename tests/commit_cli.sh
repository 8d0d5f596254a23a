#!/bin/sh
# The commitments CLI of review s9: extract flags a deadline past the
# calendar's data (F10); report --record --customers --events fulfils a promise
# answered by a resolution in the book, and plan --ledger plans no "missed
# promise" remedy for it (F26). Usage: commit_cli.sh path/to/followup
set -eu
cli=$1
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
cd "$d"
fail() { echo "FAIL: $*"; exit 1; }

# F10: 5 working days from 2026-12-31 10:00 run past the cn data (2026-12-31)
printf 'customer_id,tz\nA,Asia/Shanghai\n' > c.csv
printf 'customer_id,at,note\nA,2026-12-31T10:00:00+08:00,5个工作日内处理\n' > n.csv
"$cli" commitments extract --notes n.csv --ledger l.db --customers c.csv --format csv > out.csv 2> err.txt
head -1 out.csv | grep -q ',deadline_flag$' || fail "extract: no deadline_flag column"
grep -q ',2027-01-07T18:00:00+08:00,,1,past_calendar_data$' out.csv || fail "extract: not flagged: $(cat out.csv)"
grep -q '1 deadline lies past the official data' err.txt || fail "extract: no warning: $(cat err.txt)"

# F26: complaint O1 11-20 09:00, promise 11-20 10:00 (due 11-25 18:00), resolved O1 11-24 10:00
rm -f l.db
printf 'customer_id,tz,annual_spend,consent_phone,consent_sms\nA,Asia/Shanghai,5000,yes,yes\n' > c.csv
cat > e.csv <<'E'
customer_id,at,kind,order_id,severity,channel,outcome
A,2025-06-01T10:00:00+08:00,purchase,O1,,,
A,2026-11-20T09:00:00+08:00,complaint,O1,normal,,
A,2026-11-20T10:00:00+08:00,contact,O1,,phone,answered
A,2026-11-24T10:00:00+08:00,resolved,O1,,,
E
printf 'customer_id,at,note\nA,2026-11-20T10:00:00+08:00,客户投诉，承诺3个工作日内解决\n' > n.csv
"$cli" commitments extract --notes n.csv --ledger l.db --customers c.csv --format csv > /dev/null 2>&1
"$cli" plan --customers c.csv --events e.csv --ledger l.db --now 2026-11-26T00:00:00+08:00 --horizon 2d \
    --format csv > plan.csv 2> /dev/null
grep -q 'promise_breached' plan.csv && fail "plan: remedy for a kept promise: $(cat plan.csv)"
"$cli" commitments report --ledger l.db --at 2026-11-26T00:00:00+08:00 --events e.csv > /dev/null 2>&1 &&
    fail "report: --events without --record accepted"
"$cli" commitments report --ledger l.db --at 2026-11-26T00:00:00+08:00 --record --customers c.csv \
    --events e.csv --format csv > /dev/null 2> err.txt || fail "report: $(cat err.txt)"
grep -q '1 promise fulfilled by resolutions in the book' err.txt || fail "report: $(cat err.txt)"
"$cli" commitments list --ledger l.db --format csv > list.csv
grep -q ',fulfilled,0,2026-11-20T10:00:00+08:00,2026-11-25T18:00:00+08:00,2026-11-24T10:00:00+08:00,' list.csv ||
    fail "list: $(cat list.csv)"
echo ok
