#!/usr/bin/env python3
"""Masking and promise extraction per note through Python, side by side with
Python's `re` (issue 19). One process, interleaved rounds: each round times
our pass over the notes, then the peer's, in CPU time of the process
(time.process_time()); medians over the rounds, the ratio of the medians and
the spread of the per-round ratios.

  /usr/bin/python3 bench/peers_re.py [--rounds 7] [--build build/test] [--no-extract | --no-mask] [--floor]

It also runs, in each round, the C programs `bench_redact ordinary` and
`bench_commit extract` of the same build (CPU time, their own medians) and
reports the C throughput against the peer's of that round.

Notes: the `note` column of examples/sample/data/notes.csv (ordinary notes,
about one in three with a phone number or e-mail) repeated to --mb MB for
masking; for extraction the eight note templates of bench/note_templates.txt,
the notes of `bench_commit extract`.

Peers: masking with one compiled `re` alternation of the same kinds (mobile,
landline, 18/15-digit ID, card with the Luhn check in Python, e-mail) and
`sub` with a function keeping the same hints; extraction with the 23
promise and four risky patterns of the built-in policy, compiled once, each
`finditer` per note (no deadlines: the peer only finds the text; ours also
dates every promise in the calendar).

The peers do less work than ours: the masking peer knows fewer kinds (no
passports, permits, E.164, bank accounts or normalisation of full-width digits
and separators); the extraction peer counts matches only (no deadline, no
overlap resolved, no text copied, no result object a note).
"""
import argparse
import csv
import os
import re
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

with open(os.path.join(ROOT, "bench", "note_templates.txt"), encoding="utf-8") as _f:
    TEMPLATES = _f.read().splitlines()

NUM = r"(\d+(?:\.\d+)?|[一二两三四五六七八九十]+)"
LATER = r"\s*再?(?:回访|回訪|回电|回電|回复|回覆|答复|答覆|联系|聯繫|处理|處理|上门|上門)"
PROMISES = [NUM + r"\s*[个個]?工作日(?:之)?[内內]", NUM + r"\s*天(?:之)?[内內]",
            NUM + r"\s*[个個]?(?:星期|礼拜|禮拜|[周週])(?:之)?[内內]", NUM + r"\s*(?:[个個])?小[时時](?:之)?[内內]",
            r"(?<![一二两三四五六七八九十\d０-９个個])半\s*[个個]?小[时時](?:之)?[内內]",
            NUM + r"\s*(?:[个個])?小[时時][后後]" + LATER, NUM + r"\s*天[后後]" + LATER,
            "明天下午前", "明天上午", "明天", "(?:本|这|這)[周週]五前", "下[周週]五前", "月底前",
            r"within (\d+) (?:business|working) days?", r"within (\d+(?:\.\d+)?) hours?", r"(?:within|in) (\d+) days?\b",
            "by monday", "by tuesday", "by wednesday", "by thursday", "by friday",
            "tomorrow morning", "end of (?:the )?month"]
RISKY = ["保证.*(马上|立即|今天)", "绝对(没问题|不会)", r"\bguarantee", r"100\s*%"]

MASK_RE = re.compile(
    r"(?<![0-9])(?:(?P<id>[1-8][0-9]{5}(?:18|19|20)[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])[0-9]{3}[0-9Xx])"
    r"|(?P<mobile>(?:\+?86[ -]?)?1[3-9][0-9][ -]?[0-9]{4}[ -]?[0-9]{4})"
    r"|(?P<card>[0-9]{13,19})"
    r"|(?P<landline>0[1-9][0-9]{1,2}-?[0-9]{7,8}))(?![0-9])"
    r"|(?P<email>[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,24})")


def luhn(d):
    s, alt = 0, False
    for c in reversed(d):
        v = ord(c) - 48
        if alt:
            v *= 2
            if v > 9:
                v -= 9
        s += v
        alt = not alt
    return s % 10 == 0


def mask_digits(s, head, tail):
    digits = [i for i, c in enumerate(s) if c.isdigit() or c in "Xx"]
    hide = set(digits[head:len(digits) - tail])
    return "".join("*" if i in hide else c for i, c in enumerate(s))


def peer_mask_one(m):
    k = m.lastgroup
    s = m.group(0)
    if k == "email":
        local, dom = s.split("@", 1)
        return local[0] + "***@" + dom
    if k == "card":
        return mask_digits(s, 4, 4) if luhn(s) else s
    if k == "landline":
        return mask_digits(s, len(s.split("-")[0]) if "-" in s else 3, 4)
    if k == "id":
        return mask_digits(s, 3, 4)
    return mask_digits(s, 3, 4)


def peer_mask(notes):
    sub = MASK_RE.sub
    return [sub(peer_mask_one, n) for n in notes]


def ours_mask(red, notes):
    apply = red.apply
    return [apply(n) for n in notes]


def ours_mask_bulk(red, notes):
    return red.apply_many(notes)


def peer_extract(notes, pats, risky):
    out = 0
    for n in notes:
        for p in pats:
            for _ in p.finditer(n):
                out += 1
        for p in risky:
            for _ in p.finditer(n):
                out += 1
    return out


def ours_extract(ex, cal, notes, at):
    out = 0
    run = ex.run
    for n in notes:
        x = run(cal, n, at)
        out += x.promise_count() + x.risk_count()
    return out


def floor(followup, notes, rounds):
    """CPU ns a call of: the loop alone, a no-op through the ordinary SWIG
    wrapper (Redactor.uses_jit), a no-op on the fast path
    (Extraction.promise_count), and three calls a note as the extraction row
    makes them (run + two counts, the C extraction left out: an empty note)."""
    red = followup.Redactor()
    cal = followup.Calendar("UTC")
    ex = followup.Extractor(0)
    x = ex.run(cal, "", 0)
    uses_jit, count, run = red.uses_jit, x.promise_count, ex.run

    def loop():
        return [n for n in notes]

    def slow():
        return [uses_jit() for n in notes]

    def fast():
        return [count() for n in notes]

    def empty_run():
        for n in notes:
            y = run(cal, "", 0)
            y.promise_count() + y.risk_count()
    out = []
    for f in (loop, slow, fast, empty_run):
        out.append(statistics.median(timed(f)[0] for _ in range(rounds)) / len(notes) * 1e9)
    print("  per-call floor (CPU ns a call, median of %d): loop alone %.0f, no-op SWIG wrapper call %.0f, "
          "no-op fast call %.0f, run(empty note) + 2 counts %.0f" % (rounds, *out))


def c_rate(cmd, label):
    """MB/s of CPU time the C program reports on the line starting with label."""
    try:
        out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    for line in out.splitlines():
        if line.startswith(label):
            m = re.search(r"CPU [0-9.]+ s, ([0-9.]+) MB/s", line) or re.search(r"([0-9.]+) MB/s", line)
            return float(m.group(1)) if m else None
    return None


def report_c(title, c_rates, peer_rates):
    if not c_rates or None in c_rates:
        print("| %s | (C program not built or failed; skipped) | | | | |" % title)
        return
    mc, mp = statistics.median(c_rates), statistics.median(peer_rates)
    ratios = sorted(c / p for c, p in zip(c_rates, peer_rates))
    print("| %s | %.1f MB/s | %.2f MB/s | **%.1fx** | %.1fx..%.1fx | %d |" % (
        title, mc, mp, mc / mp, ratios[0], ratios[-1], len(c_rates)))


def timed(f, *a):
    t0 = time.process_time()
    r = f(*a)
    return time.process_time() - t0, r


def report(title, mb, ours, peer):
    mo, mp = statistics.median(ours), statistics.median(peer)
    ratios = sorted(p / o for o, p in zip(ours, peer))
    print("| %s | %.1f MB/s (%.3f s) | %.2f MB/s (%.3f s) | **%.1fx** | %.1fx..%.1fx | %d |" % (
        title, mb / mo, mo, mb / mp, mp, mp / mo, ratios[0], ratios[-1], len(ours)))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.path.join(ROOT, "build", "test"))
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--mb", type=float, default=4.0)
    ap.add_argument("--notes", type=int, default=40000)
    ap.add_argument("--no-extract", action="store_true", help="masking rows only")
    ap.add_argument("--no-mask", action="store_true", help="extraction rows only")
    ap.add_argument("--floor", action="store_true", help="also the per-call floor of the binding")
    a = ap.parse_args()
    sys.path.insert(0, os.path.join(a.build, "python"))
    try:
        import followup
    except ImportError as e:
        print("peers_re: the Python binding is not built under %s (%s); skipped" % (a.build, e))
        return 0
    with open(os.path.join(ROOT, "examples", "sample", "data", "notes.csv"), newline="", encoding="utf-8") as f:
        base = [row[-1] for row in csv.reader(f)][1:]
    notes, size = [], 0
    while size < a.mb * 1e6:
        for n in base:
            notes.append(n)
            size += len(n.encode())
    mb = size / 1e6
    red = followup.Redactor()
    csv_path = os.path.join(ROOT, "examples", "sample", "data", "notes.csv")
    bench = os.path.join(a.build, "bench")
    print("| task | ours (CPU) | Python re (CPU) | ratio | per-round min..max | rounds |")
    print("|---|---|---|---|---|---|")
    series = None
    try:
        import pandas
        series = pandas.Series(notes, name="note")
    except ImportError:
        pass
    t_o, t_b, t_s, t_p, c_r = [], [], [], [], []
    for _ in range(0 if a.no_mask else a.rounds):
        t, r_one = timed(ours_mask, red, notes)
        t_o.append(t)
        t, r_bulk = timed(ours_mask_bulk, red, notes)
        t_b.append(t)
        if series is not None:
            t, r_ser = timed(ours_mask_bulk, red, series)
            t_s.append(t)
            assert r_ser.tolist() == r_one
        t, _r = timed(peer_mask, notes)
        t_p.append(t)
        assert r_bulk == r_one, "apply_many differs from apply"
        c_r.append(c_rate([os.path.join(bench, "bench_redact"), "ordinary", csv_path], "one call per note"))
    if not a.no_mask:
        report("masking through Python, %d ordinary notes (%.1f MB), one call per note" % (len(notes), mb), mb, t_o,
               t_p)
        report("masking through Python, the same notes, one `apply_many` call (list)", mb, t_b, t_p)
        if t_s:
            report("masking through Python, the same notes, one `apply_many` call (pandas Series)", mb, t_s, t_p)
        report_c("masking in C (`bench_redact ordinary`), one call per note", c_r, [mb / t for t in t_p])
    if a.floor:
        floor(followup, notes, a.rounds)
    if a.no_extract:
        return 0

    cal = followup.Calendar("Asia/Shanghai")
    cal.set_hours_text("Mon-Fri 09:00-18:00")
    cal.add_holiday(followup.Date(2025, 10, 1), followup.Date(2025, 10, 8))
    cal.add_workday(followup.Date(2025, 9, 28))
    at = 1758873600  # 2025-09-26T16:00:00+08:00
    ex = followup.Extractor(0)
    xnotes = [TEMPLATES[(i * 7919) % 8] for i in range(a.notes)]
    xmb = sum(len(n.encode()) for n in xnotes) / 1e6
    pats = [re.compile(p, re.I) for p in PROMISES]
    risky = [re.compile(p, re.I) for p in RISKY]
    t_o, t_p, c_r = [], [], []
    for _ in range(a.rounds):
        t, n_ours = timed(ours_extract, ex, cal, xnotes, at)
        t_o.append(t)
        t, n_peer = timed(peer_extract, xnotes, pats, risky)
        t_p.append(t)
        c_r.append(c_rate([os.path.join(bench, "bench_commit"), "extract"], "extraction:"))
    report("promise extraction through Python, %d notes (%.1f MB), one call per note" % (len(xnotes), xmb), xmb,
           t_o, t_p)
    report_c("promise extraction in C (`bench_commit extract`, deadlines included)", c_r, [xmb / t for t in t_p])
    print("  (matches a pass: ours %d promises + risks, the peer %d pattern matches)" % (n_ours, n_peer))
    return 0


if __name__ == "__main__":
    sys.exit(main())
