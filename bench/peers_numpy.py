#!/usr/bin/python3
"""Adding N working days side by side with numpy.busday_offset, interleaved.

Each round runs our side (bench_workdays, a C program timing one
fu_calendar_add_working_days call per instant on data already in memory) and
then numpy.busday_offset on the same dates in this process, so both see the
same load. Reports the median of each side, the ratio of the medians and the
spread of the per-round ratios, in wall and CPU time.

Data: COUNT instants uniform over 2025 (UTC seconds) and N uniform in 1..10.
Ours: the 2025 CN office calendar (Asia/Shanghai, 09:00-12:00 and 13:00-18:00,
the 2025 holidays and the five make-up working days), result the close of
business (an instant). numpy: weekmask Mon-Fri with the same holidays in a
prebuilt np.busdaycalendar, on the local dates (datetime64[D]); it cannot
express make-up working days. Before timing, the script checks that both give
the same dates on the calendar without make-up days.

A third side, "through Python": Calendar.add_working_days_bulk_epoch of the
followup package (the same calendar built in Python; int64 instants and an
int32 n read in place, one C call with the GIL released, the result a new
int64 array) timed in this process, interleaved with numpy in every round.
It needs the package (--python DIR, default build/test/python; skipped when
it does not import) and is checked against the C program's results first.

    /usr/bin/python3 bench/peers_numpy.py --bin build/test/bench/bench_workdays [--count 1000000] [--rounds 11]
        [--python build/test/python]
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
HOLIDAYS = [("2025-01-01", "2025-01-01"), ("2025-01-28", "2025-02-04"), ("2025-04-04", "2025-04-06"),
            ("2025-05-01", "2025-05-05"), ("2025-05-31", "2025-06-02"), ("2025-10-01", "2025-10-08")]


def ours(binary, path, makeup, reps=2, out=None):
    """(single calls, bulk call) times of the last pass (the first warms caches and pages)."""
    args = [binary, path, str(makeup), str(reps)] + ([out] if out else [])
    text = subprocess.run(args, check=True, capture_output=True, text=True).stdout
    res = []
    for key in ("time_ms", "bulk_ms"):
        res.append([(float(l.split()[1]) / 1e3, float(l.split()[2]) / 1e3) for l in text.splitlines()
                    if l.startswith(key)][-1])
    return res


def python_calendar(followup, makeup):
    """bench_cn2025.h's calendar, built through the Python package."""
    cal = followup.Calendar("Asia/Shanghai")
    cal.set_hours_text("Mon-Fri 09:00-12:00,13:00-18:00")
    for x, y in HOLIDAYS:
        cal.add_holiday(followup.date_parse(x), followup.date_parse(y))
    for d in (("2025-01-26", "2025-02-08", "2025-04-27", "2025-09-28", "2025-10-11") if makeup else ()):
        cal.add_workday(followup.date_parse(d), 0)
    return cal


def through_python(cal, t, n):
    w, c = time.perf_counter(), time.process_time()
    r = cal.add_working_days_bulk_epoch(t, n)
    return (time.perf_counter() - w, time.process_time() - c), r


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default=os.path.join(ROOT, "build/test/bench/bench_workdays"))
    ap.add_argument("--count", type=int, default=1000000)
    ap.add_argument("--rounds", type=int, default=11)
    ap.add_argument("--python", default=os.path.join(ROOT, "build/test/python"),
                    help="the followup package's directory (the through-Python side)")
    a = ap.parse_args()
    followup = None
    sys.path.insert(0, a.python)
    try:
        import followup
    except ImportError as e:
        print("peers_numpy: followup does not import from %s (%s); the through-Python side is skipped" % (a.python, e))
    if not os.access(a.bin, os.X_OK):
        print("peers_numpy: %s is not built; skipped" % a.bin)
        return 0
    rng = np.random.default_rng(19)
    t0 = int(np.datetime64("2025-01-01T00:00:00", "s").astype(np.int64))
    t = rng.integers(t0, t0 + 365 * 86400, a.count, dtype=np.int64)
    n = rng.integers(1, 11, a.count, dtype=np.int32)
    hol = np.concatenate([np.arange(np.datetime64(x), np.datetime64(y) + 1) for x, y in HOLIDAYS])
    cal = np.busdaycalendar(weekmask="1111100", holidays=hol)
    # local dates in Shanghai (UTC+8 all year since 1991)
    dates = ((t + 8 * 3600) // 86400).astype("datetime64[D]")

    def peer():
        w, c = time.perf_counter(), time.process_time()
        r = np.busday_offset(dates, n, roll="backward", busdaycal=cal)
        return (time.perf_counter() - w, time.process_time() - c), r

    with tempfile.TemporaryDirectory() as tmp:
        path, out = os.path.join(tmp, "in.bin"), os.path.join(tmp, "out.bin")
        with open(path, "wb") as f:
            f.write(t.tobytes())
            f.write(n.tobytes())
        ours(a.bin, path, 0, 1, out)
        _, r = peer()
        same = np.array_equal(np.fromfile(out, dtype=np.int64), r.astype(np.int64))
        print("check without make-up days: %s" % ("same dates as numpy" if same else "DIFFERENT dates"))
        if not same:
            return 1
        py = None
        if followup is not None:
            py = python_calendar(followup, 1)
            _, rp = through_python(python_calendar(followup, 0), t, n)
            same = np.array_equal(np.fromfile(out, dtype=np.int64),
                                  ((rp + 8 * 3600) // 86400).astype(np.int64))
            print("check through Python without make-up days: %s" % ("same dates as numpy" if same
                                                                      else "DIFFERENT dates"))
            if not same:
                return 1
        us, them, viapy = [], [], []
        for _ in range(a.rounds):
            us.append(ours(a.bin, path, 1))
            them.append(peer()[0])
            if py is not None:
                viapy.append(through_python(py, t, n)[0])
    print("| task | ours wall | numpy wall | ratio | per-round min..max | ours CPU | numpy CPU | ratio (CPU) | "
          "per-round min..max | rounds |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for which, title in ((0, "single calls"), (1, "one bulk call")):
        cells = []
        for k in (0, 1):
            mu = statistics.median(u[which][k] for u in us)
            mt = statistics.median(x[k] for x in them)
            ratio = [x[k] / u[which][k] for u, x in zip(us, them)]
            cells.append("%.1f ms (%.0f M/s) | %.1f ms (%.0f M/s) | **%.1fx** | %.1fx..%.1fx" % (
                1e3 * mu, a.count / mu / 1e6, 1e3 * mt, a.count / mt / 1e6, mt / mu, min(ratio), max(ratio)))
        print("| + N working days, %d instants, %s | %s | %s | %d |" % (a.count, title, cells[0], cells[1],
                                                                       a.rounds))
    if viapy:  # the Python round's own numpy run is the previous peer() of the same round
        cells = []
        for k in (0, 1):
            mu = statistics.median(u[k] for u in viapy)
            mt = statistics.median(x[k] for x in them)
            ratio = [x[k] / u[k] for u, x in zip(viapy, them)]
            cells.append("%.1f ms (%.0f M/s) | %.1f ms (%.0f M/s) | **%.1fx** | %.1fx..%.1fx" % (
                1e3 * mu, a.count / mu / 1e6, 1e3 * mt, a.count / mt / 1e6, mt / mu, min(ratio), max(ratio)))
        print("| + N working days, %d instants, through Python (Calendar.add_working_days_bulk_epoch) "
              "| %s | %s | %d |" % (a.count, cells[0], cells[1], a.rounds))
    return 0


if __name__ == "__main__":
    sys.exit(main())
