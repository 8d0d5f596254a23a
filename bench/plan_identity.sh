#!/bin/sh
# Same plans from two builds: runs `followup plan` of OLD and NEW over the
# sample books and the planner test books with many option combinations (two
# planning instants, no agents / a number / an agents CSV, best time on and
# off, horizons of 1, 7 and 30 days, a ledger of promises extracted from the
# notes; csv, json and the long table; the suppressed, deferred and later
# files) and compares every output, stderr and exit code byte for byte.
#
#   bench/plan_identity.sh OLD_BUILD NEW_BUILD [WORKDIR]
#
# OLD_BUILD / NEW_BUILD: build trees holding examples/followup (e.g.
# /tmp/ref/build/test and build/test). Exit 0 when every output is
# identical; the differing files are listed otherwise.
set -eu
OLD=$1
NEW=$2
W=${3:-/tmp/plan_identity.$$}
SRC=$(cd "$(dirname "$0")/.." && pwd)
rm -rf "$W"
mkdir -p "$W/old" "$W/new" "$W/in"

# an agents CSV (docs/formats.md), and a ledger extracted from each book's notes
cat > "$W/in/agents.csv" <<'AG'
agent_id,name,tz,shift,team,skills,calls_per_day,days_off
A1,Ann,Asia/Shanghai,Mon-Fri 09:00-18:00,,,20,
A2,Bo,Asia/Shanghai,Mon-Sat 08:00-17:00,,phone;visit,15,
A3,Cy,Europe/Berlin,Mon-Fri 09:00-17:00,expert,,10,2026-03-03
AG
for b in data realistic; do
    rm -f "$W/in/ledger_$b.db"
    "$OLD/examples/followup" commitments extract --notes "$SRC/examples/sample/$b/notes.csv" \
        --customers "$SRC/examples/sample/$b/customers.csv" --ledger "$W/in/ledger_$b.db" > /dev/null 2>&1 || true
done

n=0
run() { # name, book directory, then the plan arguments
    name=$1
    dir=$2
    shift 2
    n=$((n + 1))
    for side in old new; do
        if [ $side = old ]; then bin=$OLD/examples/followup; else bin=$NEW/examples/followup; fi
        o=$W/$side/$name
        set +e
        "$bin" plan --customers "$dir/customers.csv" --events "$dir/events.csv" "$@" \
            --suppressed "$o.supp" --deferred "$o.def" --later "$o.later" > "$o.out" 2> "$o.err"
        echo "rc=$?" >> "$o.err"
        set -e
    done
}

for b in examples/sample/data examples/sample/realistic tests/data/planner tests/data/book; do
    bn=$(basename "$b")
    ledger=
    case $b in examples/sample/*) ledger=$W/in/ledger_$bn.db ;; esac
    for now in 2026-03-02T09:00:00+08:00 2026-11-23T10:00:00+08:00; do
        nn=$(echo "$now" | cut -c1-10)
        for f in csv json table; do
            long=
            [ $f = table ] && long=--long
            k=${bn}_${nn}_$f
            run "${k}_plain" "$SRC/$b" --now "$now" --format $f $long
            run "${k}_agents3" "$SRC/$b" --now "$now" --format $f $long --agents 3
            run "${k}_agentscsv" "$SRC/$b" --now "$now" --format $f $long --agents "$W/in/agents.csv"
            run "${k}_nobt" "$SRC/$b" --now "$now" --format $f $long --no-besttime
            run "${k}_h7" "$SRC/$b" --now "$now" --format $f $long --horizon 7d
            run "${k}_h30a5" "$SRC/$b" --now "$now" --format $f $long --horizon 30d --agents 5
            if [ -n "$ledger" ]; then
                run "${k}_ledger" "$SRC/$b" --now "$now" --format $f $long --ledger "$ledger"
                run "${k}_ledger_ag7" "$SRC/$b" --now "$now" --format $f $long --ledger "$ledger" \
                    --agents "$W/in/agents.csv" --horizon 7d
            fi
        done
    done
done
if diff -r "$W/old" "$W/new" > "$W/diff.txt"; then
    echo "plan_identity: $n runs, every output identical ($W)"
else
    echo "plan_identity: $n runs, differences:"
    diff -rq "$W/old" "$W/new" | head -20
    exit 1
fi
