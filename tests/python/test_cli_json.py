"""Every `--format json` of the tool goes through one writer (examples/cli/json.c):
numbers are JSON numbers, yes/no are booleans, missing values are null, strings
are escaped UTF-8. Also: `besttime --may-contact` exits 1 for a "no", progress
is not written to a stderr that is not a terminal, and the plan table fits 120
columns (CJK characters counted as two) unless --long."""
import json
import os
import pathlib
import subprocess
import unicodedata

import pytest

CLI = os.environ.get("FU_CLI", "")
pytestmark = pytest.mark.skipif(not CLI, reason="followup tool not built")
NOW = "2026-11-23T00:00:00+08:00"


def run(*args):
    return subprocess.run([CLI, *args], capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def sample(srcdir):
    d = pathlib.Path(srcdir) / "examples/sample/data"
    return {k: str(d / f"{k}.csv") for k in ("customers", "events", "notes")}


def load(r):
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def is_num(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def test_plan_json_is_an_array_of_string_records(sample):
    rows = load(run("plan", "--customers", sample["customers"], "--events", sample["events"], "--now", NOW,
                    "--horizon", "7d", "--format", "json"))
    assert rows and set(rows[0]) == {"customer_id", "due_from", "due_to", "best_at", "purpose", "channel",
                                     "priority", "rule", "reason"}
    assert all(isinstance(v, str) for r in rows for v in r.values())


def test_besttime_json_types(sample):
    rows = load(run("besttime", "--customers", sample["customers"], "--events", sample["events"], "--now", NOW,
                    "--k", "2", "--format", "json"))
    assert rows
    found = [r for r in rows if r["rank"] > 0]
    assert found, rows[:3]
    for r in rows:
        assert is_int(r["rank"])
        assert isinstance(r["preferred"], bool)
        assert r["next_allowed"] is None or isinstance(r["next_allowed"], str)
    for r in found:
        assert is_int(r["hour_of_week"]) and 0 <= r["hour_of_week"] < 168
        assert is_num(r["p"]) and 0 <= r["ci_low"] <= r["p"] <= r["ci_high"] <= 1
        assert r["next_allowed"] is None


CUST = "customer_id,tz,annual_spend,consent_phone,consent_sms,consent_email\nQ1,Asia/Shanghai,20000,yes,yes,yes\n"


@pytest.mark.parametrize("at,code,allowed", [("2026-03-05T10:00:00+08:00", 0, True),
                                              ("2026-03-05T23:00:00+08:00", 1, False)])
def test_may_contact_exit_code_and_boolean(tmp_path, at, code, allowed):
    c = tmp_path / "c.csv"
    c.write_text(CUST)
    r = run("besttime", "--customers", str(c), "--may-contact", "Q1", "--at", at, "--format", "json")
    assert r.returncode == code, r.stderr
    (row,) = json.loads(r.stdout)  # the answer is written either way
    assert row["may_contact"] is allowed
    if allowed:
        assert row["rule"] is None
    else:
        assert row["rule"].startswith("quiet_hours") and row["next_allowed"] == "2026-03-06T08:00:00+08:00"


def test_segment_json_types(sample):
    rows = load(run("segment", "--customers", sample["customers"], "--events", sample["events"], "--now", NOW,
                    "--format", "json"))
    assert len(rows) == 300
    bought = [r for r in rows if r["f"] is not None]
    assert bought
    for r in bought:
        assert is_int(r["r"]) and is_int(r["f"]) and is_int(r["m"])
        assert is_num(r["p_alive"]) and 0 <= r["p_alive"] <= 1
    for r in rows:
        if r["f"] is None:
            assert r["p_alive"] is None and r["clv"] is None
        assert isinstance(r["segment"], str)


def test_commitments_json_types(tmp_path, sample):
    found = load(run("commitments", "extract", "--notes", sample["notes"], "--dry-run", "--format", "json"))
    assert all(is_int(f["line"]) and f["id"] is None for f in found)
    assert all(f["deadline"] is None or isinstance(f["deadline"], str) for f in found)
    db = str(tmp_path / "l.db")
    assert run("commitments", "extract", "--notes", sample["notes"], "--customers", sample["customers"],
               "--ledger", db).returncode == 0
    rep = load(run("commitments", "report", "--ledger", db, "--at", NOW, "--format", "json"))
    for c in rep["overdue"]:
        assert is_int(c["id"]) and is_int(c["level"]) and c["closed_at"] is None
    listed = load(run("commitments", "list", "--ledger", db, "--format", "json"))
    assert listed and all(is_int(c["id"]) for c in listed)


def test_simulate_and_kpi_json_numbers(sample):
    r = run("simulate", "--customers", sample["customers"], "--events", sample["events"],
            "--from", "2026-11-01T00:00:00+08:00", "--to", "2026-11-08T00:00:00+08:00", "--format", "json")
    if r.returncode not in (0, 1):
        pytest.fail(r.stderr)
    rows = json.loads(r.stdout)
    assert rows and all(isinstance(x["measure"], str) for x in rows)
    contacts = next(x for x in rows if x["measure"] == "contacts")
    assert is_num(contacts["policy"]) and is_num(contacts["policy_n"])
    coverage = next(x for x in rows if x["measure"] == "coverage")
    assert coverage["policy_lo"] is None or is_num(coverage["policy_lo"])
    doc = load(run("kpi", "--customers", sample["customers"], "--events", sample["events"], "--format", "json"))
    assert all(is_num(f["n"]) for f in doc["figures"])


def test_progress_is_not_written_to_a_pipe(sample):
    r = run("segment", "--customers", sample["customers"], "--events", sample["events"], "--now", NOW,
            "--format", "json")
    assert "\r" not in r.stderr and "(0." not in r.stderr and "assigning segments" not in r.stderr


def width(line):
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 0 if unicodedata.combining(ch) else 1
               for ch in line)


def test_plan_table_fits_120_columns_and_long_shows_everything(sample, tmp_path):
    c = tmp_path / "c.csv"
    e = tmp_path / "e.csv"
    c.write_text("customer_id,tz,annual_spend,first_purchase_at,consent_phone,consent_sms,consent_email\n"
                 "客户一号非常长的名字用于测试表格宽度是否被正确截断处理" * 1 + ",Asia/Shanghai,20000,"
                 "2026-02-25T10:00:00+08:00,yes,yes,yes\n")
    e.write_text("customer_id,at,kind,order_id,product_class,unit_price,amount,severity,channel,outcome\n"
                 "客户一号非常长的名字用于测试表格宽度是否被正确截断处理,2026-03-02T10:00:00+08:00,"
                 "delivery,O1,,5000,,,,\n")
    args = ["plan", "--customers", str(c), "--events", str(e), "--now", "2026-03-02T10:00:00+08:00",
            "--horizon", "20d"]
    r = run(*args)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert len(lines) >= 3 and "due_from" not in lines[0]
    assert max(width(x) for x in lines) <= 120, "\n".join(lines)
    assert "\u2026" in r.stdout  # the long CJK id was cut with an ellipsis (2 columns per character)
    r = run(*args, "--long")
    assert r.returncode == 0, r.stderr
    assert "due_from" in r.stdout.splitlines()[0] and "reason" in r.stdout.splitlines()[0]
    assert "客户一号非常长的名字用于测试表格宽度是否被正确截断处理" in r.stdout
