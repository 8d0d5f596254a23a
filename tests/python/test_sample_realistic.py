"""The committed realistic book (examples/sample/realistic, issue 18 item 1): its
baseline team follows the due windows of the built-in policy, the book is
reproducible from its seed, and its measured figures are the ones
examples/sample/README.md documents (coverage about 65%)."""
import csv
import io
import os
import pathlib
import re
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
REAL = ROOT / "examples" / "sample" / "realistic"
CLI = os.environ.get("FU_CLI", "")
sys.path.insert(0, str(ROOT / "examples" / "sample"))
import realistic  # noqa: E402


def hours(text):
    m = re.fullmatch(r"(-?\d+)\s*([hdw])", str(text).strip())
    assert m, f"duration {text!r} not in hours, days or weeks"
    return int(m.group(1)) * {"h": 1, "d": 24, "w": 168}[m.group(2)]


def book_kinds():
    with open(REAL / "events.csv", encoding="utf-8") as f:
        return {r["kind"] for r in csv.DictReader(f)}


def test_due_windows_mirror_the_builtin_policy():
    """Every (cadence, step) the team follows has the policy's window, and every
    event-triggered cadence the KPI counts for coverage (its first step) on an
    event of the book is followed: a changed or new cadence fails here."""
    yaml = pytest.importorskip("yaml")
    with open(ROOT / "lib" / "data" / "default_policy.yaml", encoding="utf-8") as f:
        cadences = yaml.safe_load(f)["cadences"]
    for (cad, step), (at_h, within_h) in realistic.DUE_WINDOWS.items():
        st = cadences[cad]["steps"][step]
        assert (hours(st["at"]), hours(st["within"])) == (at_h, within_h), (cad, step)
    kinds = book_kinds()
    counted = 0
    for name, cad in cadences.items():
        event = cad.get("trigger", {}).get("event")
        if event not in kinds:
            continue
        when = cad.get("when", {})
        first, st = next(iter(cad["steps"].items()))
        swhen = st.get("when", {})
        if when.get("unresolved") or "survey" in swhen or "score_at_most" in swhen:
            continue  # not a due item of the KPI (docs/kpi.md "Coverage")
        if "industry" in when and not set(when["industry"]) & {"manufacturing", "retail", "ecommerce",
                                                                 "education", "healthcare", "logistics"}:
            continue  # an industry the book has none of
        if (name, first) == ("consultation", "reply"):
            assert st["within"] == "same day"  # computed where inquiries are made
        else:
            assert (name, first) in realistic.DUE_WINDOWS, f"cadence {name}.{first} not followed"
        counted += 1
    assert counted == 8


def test_committed_book_counts_and_reproducible(tmp_path):
    counts = {}
    for name in ("customers", "events", "notes", "truth"):
        with open(REAL / f"{name}.csv", encoding="utf-8") as f:
            counts[name] = sum(1 for _ in csv.reader(f)) - 1
    assert counts == {"customers": 1000, "events": 26747, "notes": 1372, "truth": 1000}
    r = subprocess.run([sys.executable, str(ROOT / "examples" / "sample" / "generate.py"), "--realistic",
                        "--out", str(tmp_path)], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    for name in ("customers", "events", "notes", "truth"):
        assert (tmp_path / f"{name}.csv").read_bytes() == (REAL / f"{name}.csv").read_bytes(), name


@pytest.mark.skipif(not CLI, reason="followup tool not built")
def test_baseline_figures_of_the_readme():
    """Strict coverage about 65% (README: 0.665), resolution 0.758, CSAT 3.807:
    n-weighted means of the weeks of 2026 from `followup kpi --period week`."""
    r = subprocess.run([CLI, "kpi", "--customers", str(REAL / "customers.csv"), "--events",
                        str(REAL / "events.csv"), "--period", "week", "--format", "csv"],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    s, n = {}, {}
    for row in csv.DictReader(io.StringIO(r.stdout)):
        if row["group"] == "all" and row["period"] >= "2026" and row["value"] and row["n"]:
            k = row["kpi"]
            s[k] = s.get(k, 0.0) + float(row["value"]) * float(row["n"])
            n[k] = n.get(k, 0.0) + float(row["n"])
    mean = {k: s[k] / n[k] for k in s}
    assert 0.60 <= mean["coverage"] <= 0.70
    assert (round(mean["coverage"], 3), n["coverage"]) == (0.665, 4132)
    # 0.762 before review s8 F17: 5 faults of orders (4 of them in 2026) were
    # "resolved" by the orderless resolution of a later inquiry
    assert (round(mean["resolution"], 3), n["resolution"]) == (0.758, 720)
    assert (round(mean["csat"], 3), n["csat"]) == (3.807, 1479)
    answered = contacts = 0
    with open(REAL / "events.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["kind"] == "contact" and row["at"] >= "2026":
                contacts += 1
                answered += row["outcome"] == "answered"
    assert (answered, contacts) == (4173, 7516)  # 0.555


def test_promises_kept_of_the_readme():
    """README: promises kept 0.623 [0.561, 0.682] of the 239 due in the 12-week span,
    the baseline column of `followup simulate` (review s9: the README said the tests
    pin it, none did). 149 / 239 = 0.6234; Wilson 95%."""
    r = subprocess.run([CLI, "simulate", "--customers", str(REAL / "customers.csv"), "--events",
                        str(REAL / "events.csv"), "--truth", str(REAL / "truth.csv"), "--from",
                        "2026-09-21T00:00:00+08:00", "--to", "2026-12-14T00:00:00+08:00", "--compare", "baseline",
                        "--format", "csv"], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    row = next(x for x in csv.DictReader(io.StringIO(r.stdout)) if x["measure"] == "promises_kept")
    assert row["baseline_n"] == "239"
    assert round(float(row["baseline"]) * 239) == 149
    assert (round(float(row["baseline"]), 3), round(float(row["baseline_lo"]), 3),
            round(float(row["baseline_hi"]), 3)) == (0.623, 0.561, 0.682)
