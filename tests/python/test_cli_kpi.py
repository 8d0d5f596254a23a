"""followup kpi on the sample data: the KPI CSV of docs/formats.md, statuses,
intervals, the RAG dashboard and positioned errors on bad input."""
import csv
import io
import json
import math
import os
import pathlib
import subprocess

import pytest

CLI = os.environ.get("FU_CLI", "")
pytestmark = pytest.mark.skipif(not CLI, reason="followup tool not built")

HEADER = ["kpi", "group", "period", "value", "ci_low", "ci_high", "n", "target", "status", "rule"]


def run(*args):
    return subprocess.run([CLI, *args], capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def sample(srcdir):
    d = pathlib.Path(srcdir) / "examples/sample/data"
    return ["--customers", str(d / "customers.csv"), "--events", str(d / "events.csv")]


@pytest.fixture(scope="module")
def weekly_by_tier(sample):
    r = run("kpi", *sample, "--period", "week", "--by", "tier", "--format", "csv")
    assert r.returncode == 0, r.stderr
    return r.stdout


def test_csv_has_the_design_header_and_sane_rows(weekly_by_tier):
    rows = list(csv.reader(io.StringIO(weekly_by_tier)))
    assert rows[0] == HEADER
    body = [dict(zip(HEADER, r)) for r in rows[1:]]
    assert len(body) > 100
    kpis = {r["kpi"] for r in body}
    assert {"coverage", "csat", "nps", "resolution", "response_timeliness", "follow_up_complaints"} <= kpis
    assert {r["group"] for r in body} <= {"vip", "key", "ordinary", "unknown"}
    for r in body:
        assert len(r) == 10
        assert r["status"] in {"green", "yellow", "red", ""}, r
        assert r["period"][:4] in {"2025", "2026"} and "-W" in r["period"], r
        n = float(r["n"])
        assert n >= 1 and n == int(n), r
        v = float(r["value"])
        if r["ci_low"]:
            lo, hi = float(r["ci_low"]), float(r["ci_high"])
            # 6 significant digits in the CSV: allow the rounding
            tol = 1e-5 * max(1.0, abs(v))
            assert lo - tol <= v <= hi + tol, r
        if r["target"]:
            assert r["status"] in {"green", "yellow", "red"} and r["rule"].startswith("kpis."), r
        else:
            assert r["status"] == "" and r["rule"] == "", r
        if r["kpi"] in {"coverage", "resolution", "response_timeliness", "csat_top2"}:
            assert 0 <= v <= 1, r
        if r["kpi"] == "csat":
            assert 1 <= v <= 5, r
        if r["kpi"] == "nps":
            assert -100 <= v <= 100, r


def test_statuses_follow_the_targets(weekly_by_tier):
    rows = [dict(zip(HEADER, r)) for r in list(csv.reader(io.StringIO(weekly_by_tier)))[1:]]
    seen = set()
    for r in rows:
        if not r["target"]:
            continue
        v, t = float(r["value"]), float(r["target"])
        lower = r["kpi"] in {"follow_up_complaints"}
        meets = v <= t + 1e-9 if lower else v >= t - 1e-9
        assert (r["status"] == "green") == meets, r
        seen.add(r["status"])
    # the sample data is not all green
    assert "red" in seen and "green" in seen
    vip_csat = [r for r in rows if r["kpi"] == "csat" and r["group"] == "vip"]
    assert vip_csat and all(r["target"] == "4.8" and r["rule"] == "kpis.csat.vip" for r in vip_csat)


def test_json_has_the_same_figures(sample, weekly_by_tier):
    r = run("kpi", *sample, "--period", "week", "--by", "tier", "--format", "json")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["period"] == "week" and doc["by"] == "tier"
    n_csv = len(weekly_by_tier.strip().splitlines()) - 1
    assert len(doc["figures"]) == n_csv
    f = doc["figures"][0]
    assert set(HEADER) <= set(f)
    assert f["ci_low"] is None or f["ci_low"] <= f["value"] <= f["ci_high"]


def test_dashboard_shows_rag_marks(sample):
    r = run("kpi", *sample, "--period", "week", "--by", "tier")
    assert r.returncode == 0, r.stderr
    out = r.stdout
    assert out.startswith("KPI dashboard: policy builtin, week periods (Asia/Shanghai), by tier")
    assert "== 2025-W47" in out
    assert "[R] red" in out and "[G] green" in out
    assert "kpis.coverage" in out


def test_monthly_by_agent_has_scorecards(sample):
    r = run("kpi", *sample, "--period", "month", "--by", "agent", "--cost", "phone=8", "--cost", "sms=0.1")
    assert r.returncode == 0, r.stderr
    assert "== agent scorecards (weights: satisfaction 40%, resolution 30%, feedback conversion 20%, " \
           "efficiency 10%) ==" in r.stdout
    r = run("kpi", *sample, "--period", "month", "--by", "agent", "--cost", "phone=8", "--format", "csv")
    rows = [dict(zip(HEADER, x)) for x in list(csv.reader(io.StringIO(r.stdout)))[1:]]
    assert any(x["kpi"] == "roi" for x in rows)
    assert any(x["kpi"] == "scorecard" and 0 <= float(x["value"]) <= 1 for x in rows)


def test_bad_event_time_exits_3_with_file_line_column(tmp_path):
    ev = tmp_path / "events.csv"
    ev.write_text("customer_id,at,kind\nC1,2026-01-05T10:00:00Z,contact\nC2,2026-13-05T10:00:00Z,contact\n")
    r = run("kpi", "--events", str(ev))
    assert r.returncode == 3
    assert f"{ev}:3:4:" in r.stderr
    assert "month must be 01..12" in r.stderr


def test_bad_kind_and_missing_column_exit_3(tmp_path):
    ev = tmp_path / "ev.csv"
    ev.write_text("customer_id,at,kind\nC1,2026-01-05T10:00:00Z,sale\n")
    r = run("kpi", "--events", str(ev))
    assert r.returncode == 3
    assert f"{ev}:2:" in r.stderr and "kind" in r.stderr
    ev.write_text("customer_id,kind\nC1,contact\n")
    r = run("kpi", "--events", str(ev))
    assert r.returncode == 3
    assert str(ev) in r.stderr and "at" in r.stderr


def test_bad_options_exit_2(sample):
    assert run("kpi", *sample, "--period", "fortnight").returncode == 2
    assert run("kpi", *sample, "--by", "tier,frob").returncode == 2
    assert run("kpi", *sample, "--cost", "phone=-1").returncode == 2
    assert run("kpi").returncode == 2
    r = run("kpi", "--help")
    assert r.returncode == 0 and r.stdout.startswith("usage: followup kpi")


def test_nan_cells_are_empty(weekly_by_tier):
    for line in weekly_by_tier.splitlines()[1:]:
        assert "nan" not in line.lower() or "nan" in line.split(",")[1].lower(), line
    rows = [dict(zip(HEADER, r)) for r in list(csv.reader(io.StringIO(weekly_by_tier)))[1:]]
    single = [r for r in rows if r["kpi"] == "csat" and r["n"] == "1"]
    assert all(r["ci_low"] == "" and r["ci_high"] == "" for r in single)
    assert all(not math.isnan(float(r["value"])) for r in rows)
