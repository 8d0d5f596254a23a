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

    /usr/bin/python3 bench/peers_numpy.py --bin build/test/bench/bench_workdays [--count 1000000] [--rounds 11]
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


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default=os.path.join(ROOT, "build/test/bench/bench_workdays"))
    ap.add_argument("--count", type=int, default=1000000)
    ap.add_argument("--rounds", type=int, default=11)
    a = ap.parse_args()
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
        us, them = [], []
        for _ in range(a.rounds):
            us.append(ours(a.bin, path, 1))
            them.append(peer()[0])
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
    return 0


if __name__ == "__main__":
    sys.exit(main())
