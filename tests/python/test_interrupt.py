"""Issue 13, item 8: Ctrl-C during a long plan(), KPI compute() or model fit.

A child Python process runs each long call while the parent sends it SIGINT.
The call must end with KeyboardInterrupt raised from inside the call (the C
library polls the binding's cancel hook, which runs Python's signal handlers),
and the same handle must then give the reference result. The latency from the
signal to the exception is printed (pytest -s) and recorded in
docs/reliability.md; it is not asserted tightly (the machine is shared).
"""
import os
import pathlib
import signal
import subprocess
import sys
import time

import pytest

CHILD = r'''
import hashlib, sys, time
import followup
from fu_helpers import bgnbd_sample

NOW = followup.time_parse("2026-03-02T10:00:00+08:00")
D = 86400
N = int(sys.argv[1])

def say(*a):
    print(*a, flush=True)

# N customers, each with a purchase and a delivery in the last 3 weeks: a base
# of 1,000 made in Python, then copied with other ids (fast string replaces).
fmt = followup.time_format
base_c, base_e = [], []
for i in range(1000):
    base_c.append(f"C{i:03d},Asia/Shanghai,yes\n")
    base_e.append(f"C{i:03d},{fmt(NOW - (3 + i % 20) * D)},purchase,O{i}\n")
    base_e.append(f"C{i:03d},{fmt(NOW - (1 + i % 20) * D)},delivery,O{i}\n")
bc, be = "".join(base_c), "".join(base_e)
copies = N // 1000
cust = "customer_id,tz,consent_phone\n" + "".join(bc.replace("C", f"K{k}C") for k in range(copies))
ev = "customer_id,at,kind,order_id\n" + "".join(be.replace("C", f"K{k}C").replace(",O", f",K{k}O")
                                                  for k in range(copies))
book = followup.Book()
book.read_customers_text(cust, "c.csv")
book.read_events_text(ev, "e.csv")
book.finalize()
del cust, ev
policy = followup.policy_default()

def digest(text):
    return hashlib.sha256(text.encode()).hexdigest()

planner = followup.Planner(policy, book)

def new_kpi():
    k = followup.Kpi(policy, "day", "tier")
    k.add_book(book)
    return k

x, t_x, T = bgnbd_sample(N // 2)  # a BG/NBD sample: many distinct rows

kpi = None
took = 0.0  # seconds the long call itself took

def run(kind, fresh=False):
    global kpi, took
    if kind == "kpi" and (fresh or kpi is None):
        kpi = new_kpi()  # a KPI engine computes once; the interrupted one again below
    t0 = time.monotonic()
    if kind == "plan":
        plan = planner.plan(NOW, 7 * D)
        took = time.monotonic() - t0
        return digest(plan.csv())
    if kind == "kpi":
        kpi.compute()
        took = time.monotonic() - t0
        return digest(kpi.csv())
    m = followup.bgnbd_fit(x, t_x, T)
    took = time.monotonic() - t0
    return repr((m.r, m.alpha, m.a, m.b))

for kind in sys.argv[2:]:
    ref = run(kind, True)
    full = took
    for attempt in range(4):
        fresh = kind == "kpi" and new_kpi()
        if fresh:
            kpi = fresh
        say("ARM", kind, full)
        t0 = time.monotonic()
        try:
            run(kind)
            say("LATE", kind)  # the call ended before the signal: it arrives below
            time.sleep(30)
        except KeyboardInterrupt:
            # Without the cancel hook Python sees the signal only once the call
            # has run to its end: an exception well before that came from inside.
            spent = time.monotonic() - t0
            inside = spent < 0.6 * full
            say("KI", kind, "inside" if inside else "after", spent)
            if inside:
                break
    say("SAME" if run(kind) == ref else "DIFFERENT", kind)  # the same handle, again
say("END")
'''


def run_child(n, kinds):
    env = dict(os.environ)
    here = str(pathlib.Path(__file__).resolve().parent)  # fu_helpers
    env["PYTHONPATH"] = here + os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else here
    proc = subprocess.Popen([sys.executable, "-c", CHILD, str(n), *kinds], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)
    report = {}
    sent = None
    try:
        for line in proc.stdout:
            word, *rest = line.split()
            if word == "ARM":
                kind, took = rest[0], float(rest[1])
                report[kind + ".took"] = took
                time.sleep(max(0.005, took / 10))  # early in the call
                sent = time.monotonic()
                proc.send_signal(signal.SIGINT)
            elif word == "KI":
                report.setdefault(rest[0], []).append((rest[1], time.monotonic() - sent))
            elif word in ("SAME", "DIFFERENT"):
                report.setdefault(rest[0] + ".after", word)
            elif word == "END":
                break
        proc.wait(timeout=300)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    return proc, report


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_ctrl_c_interrupts_plan_kpi_and_fit_and_the_handle_stays_usable():
    # the KPI pass is the fastest of the three (two threads since session 10:
    # some 12 ms for 200,000 customers, too short to tell "inside" from
    # "after" on a loaded machine): it gets a book five times larger
    for n, kinds in ((200_000, ["plan", "fit"]), (1_000_000, ["kpi"])):
        check_child(n, kinds)


def check_child(n, kinds):
    proc, report = run_child(n, kinds)
    err = proc.stderr.read()
    assert proc.returncode == 0, err
    for kind in kinds:
        tries = report.get(kind, [])
        assert tries and tries[-1][0] == "inside", (kind, report, err)
        assert report[kind + ".after"] == "SAME", (kind, report)
        latency = tries[-1][1]
        print(f"{kind}: KeyboardInterrupt {latency * 1000:.1f} ms after SIGINT "
              f"(the whole call takes {report[kind + '.took'] * 1000:.0f} ms; attempts {len(tries)})")
        assert latency < 5.0, (kind, latency)  # loose: only catches "not interrupted at all"
