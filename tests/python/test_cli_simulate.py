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
    assert r.returncode == 2 and "'sometimes.yaml' is neither a run nor a readable policy file" in r.stderr
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


# ---- review s9 (audit of issue 18): D9 the truth must cover the book, D10 option checks, D4 per tier ----

SAMPLE = REAL.parent / "data"


def test_truth_of_another_book_is_refused_naming_file_line_and_what_was_expected(tmp_path):
    """D9: a truth that does not cover the book ran silently at a flat 0.55."""
    lines = (REAL / "truth.csv").read_text().splitlines(keepends=True)
    cases = {
        "header_only.csv": (lines[0], ": no row for customer 'R00001' (1000 of the book's 1000 customers"),
        "unknown_id.csv": ("".join(lines).replace("\nR00001,", "\nZZZ01,", 1),
                           "unknown_id.csv:2:1: customer_id: customer 'ZZZ01' is not in the book"),
        "twice.csv": ("".join(lines) + lines[1], "twice.csv:1002:1: customer_id: customer 'R00001' has a second row"),
    }
    for name, (text, want) in cases.items():
        path = tmp_path / name
        path.write_text(text)
        r = run(*SPAN, "--truth", str(path))
        assert r.returncode == 3 and want in r.stderr and r.stdout == "", (name, r.stderr)
    r = run(*SPAN, "--truth", str(SAMPLE / "customers.csv"))  # not a truth file at all
    assert r.returncode == 3 and "customers.csv:1: expected the header customer_id,archetype,weekend" in r.stderr


def test_without_truth_the_report_names_the_flat_answer_model():
    r = run(*SPAN, "--compare", "policy")
    assert r.returncode == 0, r.stderr
    assert r.stdout.rstrip().endswith(
        "answer model: no --truth: every call is answered with probability 0.55 at every hour "
        "(flat; a best-time model has nothing to learn)")
    r = run(*SPAN, "--truth", str(REAL / "truth.csv"), "--format", "csv")
    assert "answer model: ground truth" in r.stderr and "1000 customers" in r.stderr
    assert "answer model" not in r.stdout  # CSV stays a table


@pytest.mark.parametrize("args,message", [
    (("--sensitivity-calls", "10"), "--sensitivity-calls needs --sensitivity-agents"),
    (("--calls-per-agent", "0"), "--calls-per-agent: bad number '0' (expected a whole number 1 to 100000)"),
    (("--agents", "1000"), "--agents: bad number '1000' (expected a whole number 1 to 999)"),
    (("--seed", "-1"), "--seed: bad number '-1' (expected a whole number 0 to 18446744073709551615)"),
    (("--compare", "baseline", "--sensitivity-agents", "1,2"), "--sensitivity-agents: not for the baseline"),
    (("--compare", "policy,besttime", "--sensitivity-agents", "1,2"),
     "--sensitivity-agents takes one run (--compare NAME, default besttime), not 'policy,besttime'"),
    (("--compare", "baseline,baseline"), "--compare: 'baseline' twice"),
    (("--compare", "baseline,bogus"), "--compare: 'bogus' is neither a run nor a readable policy file (expected "
                                      "baseline, policy, besttime, oracle or a policy YAML file)"),
    (("--compare", "BASELINE"), "'BASELINE' is neither a run"),
    (("--compare", "baseline,,policy"), "--compare 'baseline,,policy': run 2 is empty (expected baseline, policy,"),
    (("--compare", ""), "run 1 is empty"),
    (("--to", "2026-09-28T00:00:00+08:00"), "--to given twice"),  # review s13 I13: no silent last-one-wins
])
def test_option_errors_name_the_option_and_the_valid_choices(args, message):
    """D10: these ran silently (ignored, 0 meaning 200, -1 wrapping, identical
    rows, duplicate columns) or said "bogus: bogus: cannot open"."""
    r = run(*SPAN, *args)
    assert r.returncode == 2 and r.stdout == "", r.stderr
    assert r.stderr.startswith("followup simulate: ") and message in r.stderr, r.stderr


def test_to_must_be_after_from():
    r = run("--from", "2026-09-28T00:00:00+08:00", "--to", "2026-09-28T00:00:00+08:00")
    assert r.returncode == 2 and "--to must be after --from" in r.stderr, r.stderr


def test_timeliness_by_tier_adds_up_to_the_overall():
    """D4: response timeliness per value tier (SLA VIP 2 h, key / ordinary 24 h)."""
    r = run(*SPAN, "--truth", str(REAL / "truth.csv"), "--compare", "baseline,policy", "--format", "csv")
    assert r.returncode == 0, r.stderr
    t = table(r.stdout)
    tiers = [m for m in t if m.startswith("response_timeliness_") and m != "response_timeliness_urgent"]
    assert "response_timeliness_vip" in tiers and "response_timeliness_ordinary" in tiers, list(t)
    for name in ("baseline", "policy"):
        n = sum(int(t[m][name + "_n"]) for m in tiers)
        x = sum(round(float(t[m][name] or 0) * int(t[m][name + "_n"])) for m in tiers)
        assert n == int(t["response_timeliness"][name + "_n"])
        assert x == round(float(t["response_timeliness"][name]) * n)
