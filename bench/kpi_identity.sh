#!/bin/sh
# Same KPI answers from two builds: runs `followup kpi` of OLD and NEW over
# the sample books with many option combinations, and the Python Kpi (frames,
# CSV/JSON strings, whole-book partial blobs, three partition blobs and their
# merge) of both builds, then compares every output byte for byte.
#
#   bench/kpi_identity.sh OLD_BUILD NEW_BUILD [WORKDIR]
#
# OLD_BUILD / NEW_BUILD: build trees holding examples/followup and python/
# (e.g. /work/ref-2e36bc2 and build/test). Exit 0 when every output is
# identical; the differing files are listed otherwise.
set -eu
OLD=$1
NEW=$2
W=${3:-/tmp/kpi_identity.$$}
SRC=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$W/old" "$W/new" "$W/in"

# inputs: a segments file and a ledger of commitments extracted from each book's notes
for b in data realistic; do
    awk -F, 'NR == 1 { print "customer_id,segment"; next }
             { s = (NR % 5 == 0) ? "" : "seg" (NR % 3); print $1 "," s }' \
        "$SRC/examples/sample/$b/customers.csv" > "$W/in/seg_$b.csv"
    rm -f "$W/in/ledger_$b.db"
    "$OLD/examples/followup" commitments extract --notes "$SRC/examples/sample/$b/notes.csv" \
        --customers "$SRC/examples/sample/$b/customers.csv" --ledger "$W/in/ledger_$b.db" > /dev/null 2>&1 || true
done

n=0
run() { # name, then the kpi arguments
    name=$1
    shift
    n=$((n + 1))
    for side in old new; do
        if [ $side = old ]; then bin=$OLD/examples/followup; else bin=$NEW/examples/followup; fi
        set +e
        "$bin" kpi "$@" > "$W/$side/$name.out" 2> "$W/$side/$name.err"
        echo "rc=$?" >> "$W/$side/$name.err"
        set -e
    done
}

for b in data realistic; do
    D=$SRC/examples/sample/$b
    base="--customers $D/customers.csv --events $D/events.csv"
    for per in day week month; do
        for by in none tier agent channel product_class segment tier,agent channel,product_class \
                  tier,agent,channel,product_class tier,segment agent,segment,channel; do
            for fmt in csv json; do
                run "$b.$per.$by.$fmt" $base --segments "$W/in/seg_$b.csv" --period $per --by $by --format $fmt \
                    --cost phone=8 --cost sms=0.1 --cost email=0.05
            done
        done
        for fmt in dashboard table html; do
            run "$b.$per.tier_agent.$fmt" $base --period $per --by tier,agent --format $fmt
        done
    done
    run "$b.budget" $base --format csv --cost phone=8 --budget 400
    run "$b.ledger" $base --format csv --by agent --ledger "$W/in/ledger_$b.db"
    run "$b.ledger_none" $base --format json --ledger "$W/in/ledger_$b.db" --period month
    run "$b.asof" $base --format csv --by tier --as-of 2026-01-15
    run "$b.fromto" $base --format csv --by agent --from 2025-10-01 --to 2026-02-01 --period day
    run "$b.nocust" --events "$D/events.csv" --format csv --by tier,agent
    for pol in cn2027 coverage redial site; do
        run "$b.$pol" $base --policy "$SRC/examples/policies/$pol.yaml" --format csv --by tier,agent --cost phone=3
        run "$b.$pol.m" $base --policy "$SRC/examples/policies/$pol.yaml" --format csv --period month
    done
done
T=$SRC/tests/data/kpi
for per in day week month; do
    for by in none tier agent tier,agent channel,product_class; do
        run "kpi.$per.$by" --customers "$T/customers.csv" --events "$T/events.csv" --period $per --by $by \
            --format csv --as-of 2026-06-01
    done
done

# the Python side: frames, strings, partial blobs and merges
cat > "$W/py.py" << 'EOF'
import os, sys
import followup
src, out = sys.argv[1], sys.argv[2]
AS_OF = followup.time_parse("2026-06-01T00:00:00+08:00")
COSTS = {"phone": 8, "sms": 0.1, "email": 0.05, "chat": 1.5}
def texts(b):
    d = os.path.join(src, "examples", "sample", b)
    return open(os.path.join(d, "customers.csv")).read(), open(os.path.join(d, "events.csv")).read()
def split(text, nparts=3):
    head, *lines = text.splitlines(keepends=True)
    parts = [[head] for _ in range(nparts)]
    for line in lines:
        parts[sum(line.split(",", 1)[0].encode()) % nparts].append(line)
    return ["".join(p) for p in parts]
def book(c, e):
    b = followup.Book(); b.read_customers_text(c); b.read_events_text(e); b.finalize(); return b
def engine(by, period):
    return followup.Kpi(followup.policy_default(), period=period, by=by, as_of=AS_OF, costs=COSTS)
for b in ("data", "realistic"):
    c, e = texts(b)
    for by in ("none", "tier", "agent", "tier,agent", "channel,product_class", "tier,channel"):
        for period in ("day", "week", "month"):
            tag = f"{b}.{by}.{period}"
            k = engine(by, period); k.add_book(book(c, e)); k.compute()
            open(os.path.join(out, tag + ".frame.csv"), "w").write(k.to_dataframe().to_csv())
            open(os.path.join(out, tag + ".csv"), "w").write(k.csv())
            open(os.path.join(out, tag + ".json"), "w").write(k.json())
            open(os.path.join(out, tag + ".partial"), "wb").write(k.partial())
            m = engine(by, period)
            for j, (pc, pe) in enumerate(zip(split(c), split(e))):
                p = engine(by, period); p.add_book(book(pc, pe))
                blob = p.partial(); m.merge(blob)
                open(os.path.join(out, tag + ".part%d" % j), "wb").write(blob)
            m.compute(); open(os.path.join(out, tag + ".merged.csv"), "w").write(m.csv())
EOF
mkdir -p "$W/old/py" "$W/new/py"
PYTHONPATH=$OLD/python /usr/bin/python3 "$W/py.py" "$SRC" "$W/old/py"
PYTHONPATH=$NEW/python /usr/bin/python3 "$W/py.py" "$SRC" "$W/new/py"

if diff -r -q "$W/old" "$W/new"; then
    echo "kpi_identity: $n CLI runs x 2 and $(ls "$W/new/py" | wc -l) Python files identical ($W)"
else
    echo "kpi_identity: DIFFERENCES ($W)"
    exit 1
fi
