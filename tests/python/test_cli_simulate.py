"""`followup simulate --compare baseline,policy,...` on the committed realistic
book (examples/sample/realistic): one column per run, every measure with an
interval, deterministic for a seed, zero cap violations and off-hours calls
for the plans; --sensitivity-agents; usage and input errors."""
import csv
import io
import os
import pathlib
import subprocess

import pytest

CLI = os.environ.get("FU_CLI", "")
pytestmark = pytest.mark.skipif(not CLI, reason="followup tool not built")
REAL = pathlib.Path(__file__).resolve().parents[2] / "examples" / "sample" / "realistic"
SPAN = ["--from", "2026-09-28T00:00:00+08:00", "--to", "2026-10-12T00:00:00+08:00"]  # National Day inside


def run(*args):
    return subprocess.run([CLI, "simulate", "--customers", str(REAL / "customers.csv"), "--events",
                           str(REAL / "events.csv"), *args], capture_output=True, text=True, timeout=300)


def table(text):
    return {r["measure"]: r for r in csv.DictReader(io.StringIO(text))}


def test_compare_baseline_policy_besttime():
    r = run("--truth", str(REAL / "truth.csv"), *SPAN, "--compare", "baseline,policy,besttime",
            "--agents", "3", "--calls-per-agent", "40", "--format", "csv")
    assert r.returncode == 0, r.stderr
    t = table(r.stdout)
    # per run four fields: the value, its interval and its units (review: value and interval
    # were one string, and one "n (first run)" column stood for every run)
    cols = ["measure"] + [f"{n}{s}" for n in ("baseline", "policy", "besttime") for s in ("", "_lo", "_hi", "_n")]
    assert list(next(iter(t.values())).keys()) == cols
    for run_name in ("policy", "besttime"):
        assert t["cap_violations"][run_name] == "0"
        assert t["off_hours_calls"][run_name] == "0"
        assert float(t["max_calls_agent_day"][run_name]) <= 40
    assert t["off_hours_calls"]["baseline"] == "0"  # the baseline team keeps its hours too
    for name in ("baseline", "policy", "besttime"):
        cov = t["coverage"]
        assert 0 <= float(cov[name + "_lo"]) <= float(cov[name]) <= float(cov[name + "_hi"]) <= 1, cov
        assert int(cov[name + "_n"]) > 0
    assert t["contacts"]["policy_lo"] == "" and t["contacts"]["policy"] == t["contacts"]["policy_n"]
    # promises of the book due in the span, kept per arm, with intervals (issue 18)
    kept = {name: float(t["promises_kept"][name]) for name in ("baseline", "policy", "besttime")}
    assert all(0 < v < 1 for v in kept.values()) and t["promises_kept"]["baseline_n"] != "0"
    assert kept["policy"] >= kept["baseline"], kept  # recorded kept ones stay kept
    again = run("--truth", str(REAL / "truth.csv"), *SPAN, "--compare", "baseline,policy,besttime",
                "--agents", "3", "--calls-per-agent", "40", "--format", "csv")
    assert again.stdout == r.stdout, "same seed, same report"


def test_sensitivity_table():
    r = run("--truth", str(REAL / "truth.csv"), *SPAN, "--compare", "policy", "--sensitivity-agents", "1,2",
            "--sensitivity-calls", "10", "--format", "csv")
    assert r.returncode == 0, r.stderr
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert [(x["agents"], x["calls_per_agent"]) for x in rows] == [("1", "10"), ("2", "10")]
    # review s7 F9: per run the contacts and the due touchpoints the caps and the capacity held
    for x in rows:
        assert int(x["cap_held_missed"]) <= int(x["cap_held"])
        assert int(x["capacity_held_missed"]) <= int(x["capacity_held"])
    assert int(rows[0]["contacts"]) < int(rows[1]["contacts"])
    assert int(rows[0]["capacity_held"]) > int(rows[1]["capacity_held"]) > 0  # 10 calls a day: at capacity
    for x in rows:
        assert float(x["coverage_low"]) <= float(x["coverage"]) <= float(x["coverage_high"])


def test_errors():
    r = run(*SPAN, "--compare", "baseline,policy", "--frequency", "maybe")
    assert r.returncode == 2 and "--frequency" in r.stderr
    r = run(*SPAN, "--compare", "baseline,policy", "--truth", "/nonexistent/truth.csv")
    assert r.returncode == 3 and "truth.csv" in r.stderr
    r = run(*SPAN, "--compare", "baseline,sometimes.yaml")
    assert r.returncode == 3 and "sometimes.yaml" in r.stderr
    r = run("--compare", "baseline,policy")
    assert r.returncode == 2


def test_compare_html_is_a_self_contained_page_with_the_csv_figures(tmp_path):
    """--format html (issue 18 item 3): the same figures as the CSV, each rate
    with its interval, one column per run, nothing fetched from elsewhere."""
    args = ("--truth", str(REAL / "truth.csv"), *SPAN, "--compare", "baseline,policy", "--agents", "3",
            "--calls-per-agent", "40")
    c = run(*args, "--format", "csv")
    assert c.returncode == 0, c.stderr
    t = table(c.stdout)
    page = tmp_path / "compare.html"
    r = run(*args, "--format", "html", "--output", str(page))
    assert r.returncode == 0, r.stderr
    html = page.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and html.rstrip().endswith("</html>")
    assert "<script" not in html and "http" not in html  # self-contained
    assert "<th>baseline</th><th>policy</th>" in html
    for measure, row in t.items():
        assert f'data-measure="{measure}"' in html
        for name in ("baseline", "policy"):
            v, lo, hi, n = (row[name + s] for s in ("", "_lo", "_hi", "_n"))
            if n == "":  # the run's details after the measures: a count, no interval, no units
                assert f"<td>{v}</td>" in html, (measure, name, v)
                continue
            text = "-" if v == "" else f"{float(v):.3f} [{float(lo):.3f}, {float(hi):.3f}]" if lo else f"{float(v):.4g}"
            assert "<td>" + text in html, (measure, name, text)
            assert f'<small class="n">n {n}</small>' in html, (measure, name, n)
    assert html.count('class="ci"') >= 2 * 6  # coverage .. answer rate, both runs
    bad = run("--sensitivity-agents", "1,2", *SPAN, "--format", "html")
    assert bad.returncode == 2 and "--format html" in bad.stderr


def test_recommended_caps_compared_with_the_built_in_policy(tmp_path):
    """Issue 20 item 4: the caps `followup frequency recommend` derives from the
    book's own history, as a policy fragment, replayed beside the built-in
    policy, with answers and complaints drawn from the fitted frequency model."""
    rec = tmp_path / "recommended.yaml"
    r = subprocess.run([CLI, "frequency", "recommend", "--events", str(REAL / "events.csv"), "--customers",
                        str(REAL / "customers.csv"), "--by", "tier", "--when", "tier", "--value", "100",
                        "--cost", "phone=5", "--complaint-cost", "50", "--format", "yaml", "--output", str(rec)],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert "frequency_vip:" in rec.read_text(encoding="utf-8")
    r = run("--truth", str(REAL / "truth.csv"), *SPAN, "--compare", f"policy,{rec}", "--frequency", "fit",
            "--agents", "3", "--calls-per-agent", "40", "--format", "csv")
    assert r.returncode == 0, r.stderr
    t = table(r.stdout)
    cols = list(next(iter(t.values())).keys())
    assert cols[:2] == ["measure", "policy"] and cols[5] == str(rec), cols
    for name in ("policy", str(rec)):
        assert t["cap_violations"][name] == "0"
        assert float(t["contacts"][name]) > 0
    # the recommended caps change what is planned (one contact per 12 h per tier at most)
    assert t["contacts"]["policy"] != t["contacts"][str(rec)]
