"""`followup commitments`: extraction from the sample notes into a ledger,
masking, the report, fulfil/cancel, and errors naming file, line and column."""
import csv
import io
import json
import os
import pathlib
import re
import sqlite3
import subprocess

import pytest

CLI = os.environ.get("FU_CLI", "")
pytestmark = pytest.mark.skipif(not CLI, reason="followup tool not built")

SAMPLE = pathlib.Path(os.environ.get("FU_SOURCE_DIR", ".")) / "examples" / "sample" / "data"
NOTES = SAMPLE / "notes.csv"
CUSTOMERS = SAMPLE / "customers.csv"
REPORT_AT = "2026-11-23T00:00:00+08:00"

MOBILE = re.compile(r"(?<![0-9])1[3-9][0-9]{9}(?![0-9])")
EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")


def run(*args):
    return subprocess.run([CLI, "commitments", *args], capture_output=True, text=True, timeout=120)


def rows(text):
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture()
def ledger(tmp_path):
    """A ledger filled from the sample notes; returns (path, extract rows)."""
    path = tmp_path / "ledger.db"
    r = run("extract", "--notes", str(NOTES), "--customers", str(CUSTOMERS), "--ledger", str(path),
            "--format", "csv")
    assert r.returncode == 0, r.stderr
    return path, rows(r.stdout)


@pytest.mark.parametrize("sub", ["", "extract", "add", "list", "fulfill", "cancel", "report"])
def test_every_subcommand_has_help(sub):
    r = run(*([sub] if sub else []), "--help")
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith(("usage: followup commitments " + sub).rstrip())


def test_no_subcommand_and_unknown_ones_are_usage_errors():
    assert run().returncode == 2
    r = run("frobnicate")
    assert r.returncode == 2
    assert "unknown subcommand 'frobnicate'" in r.stderr


def test_extract_finds_the_promises_with_their_rules(ledger):
    path, found = ledger
    promises = [f for f in found if f["kind"] == "promise"]
    # The sample has 94 notes; 20 of them ("回访正常", "Routine check") promise nothing
    # and 4 only guarantee ("保证今天修好"), which no pattern can date.
    assert len(promises) == 70
    by_rule = {}
    for p in promises:
        by_rule[p["rule"]] = by_rule.get(p["rule"], 0) + 1
    assert set(by_rule) == {
        "commitments.patterns.zh_working_days", "commitments.patterns.zh_hours",
        "commitments.patterns.zh_tomorrow_pm", "commitments.patterns.zh_next_friday",
        "commitments.patterns.zh_month_end", "commitments.patterns.en_business_days",
        "commitments.patterns.en_friday", "commitments.patterns.en_tomorrow_am",
        "commitments.patterns.en_month_end"}
    assert all(p["id"] for p in promises)  # every promise was stored
    # Line 5: "承诺3个工作日内解决" on Thursday 2025-12-11 11:21 in Shanghai:
    # Fri 12-12, Mon 12-15, Tue 12-16 -> close of business on Tuesday.
    line5 = next(p for p in promises if p["line"] == "5")
    assert line5["text"] == "3个工作日内"
    assert line5["deadline"] == "2025-12-16T18:00:00+08:00"
    # Line 9: 2 working days from Tuesday 2025-12-30 skip the New Year holidays
    # (2026-01-01..03) and land on the make-up working day Sunday 2026-01-04.
    line9 = next(p for p in promises if p["line"] == "9")
    assert line9["deadline"] == "2026-01-04T18:00:00+08:00"
    # Line 21: a New York customer's "tomorrow morning" is noon in New York.
    line21 = next(p for p in promises if p["line"] == "21")
    assert line21["rule"] == "commitments.patterns.en_tomorrow_am"
    assert line21["deadline"] == "2026-03-13T12:00:00-04:00"


def test_risky_promises_are_flagged_with_their_rule(ledger):
    _, found = ledger
    risks = [f for f in found if f["kind"] == "risk"]
    assert len(risks) == 4
    for r in risks:
        assert r["rule"] == "commitments.risky.zh_guarantee_now"
        assert r["text"] == "保证今天"
        assert r["risk"] == "guarantees an immediate result"
        assert r["id"] == ""  # a guarantee without a date is reported, not stored


def test_no_stored_text_holds_a_mobile_number_or_email(ledger):
    path, _ = ledger
    con = sqlite3.connect(path)
    texts = [t for (t,) in con.execute("SELECT text FROM commitment")]
    con.close()
    assert len(texts) == 70
    # The sample's notes do carry them: masking is what keeps them out.
    raw = NOTES.read_text(encoding="utf-8")
    assert MOBILE.search(raw) and EMAIL.search(raw)
    assert any("****" in t for t in texts)
    for t in texts:
        assert not MOBILE.search(t), t
        assert not EMAIL.search(t), t


def test_dry_run_stores_nothing(tmp_path):
    path = tmp_path / "ledger.db"
    r = run("extract", "--notes", str(NOTES), "--dry-run", "--format", "json")
    assert r.returncode == 0, r.stderr
    found = json.loads(r.stdout)
    assert sum(f["kind"] == "promise" for f in found) == 70
    assert all(f["id"] is None for f in found)  # typed JSON: no id is null, not ""
    assert "dry run" in r.stderr
    assert not path.exists()


def test_report_lists_overdue_commitments_with_their_level(ledger):
    path, _ = ledger
    r = run("report", "--ledger", str(path), "--at", REPORT_AT, "--format", "json", "--record")
    assert r.returncode == 0, r.stderr
    rep = json.loads(r.stdout)
    # Every sample note is older than 2026-11-20: all 70 are overdue by now.
    assert len(rep["overdue"]) == 70
    assert rep["due_24h"] == [] and rep["at_risk"] == []
    for c in rep["overdue"]:
        assert c["state"] == "breached"
    # The last note (2026-11-19 10:53, "24小时内") was breached on 11-20 10:53:
    # 2 days 13 h later it has been escalated once (escalate_after 48 h).
    last = max(rep["overdue"], key=lambda c: c["id"])
    assert last["deadline"] == "2026-11-20T10:53:00+08:00"
    assert last["level"] == 1
    assert rep["on_time"] == {"due": 70, "on_time": 0, "rate": 0.0}
    assert rep["events_recorded"] > 70
    # The table form names the sections and the rate.
    t = run("report", "--ledger", str(path), "--at", REPORT_AT)
    assert t.returncode == 0, t.stderr
    assert f"overdue at {REPORT_AT}: 70" in t.stdout
    assert "on-time rate: 0.0% (0 of 70" in t.stdout


def test_fulfill_and_cancel_change_states(ledger):
    path, found = ledger
    ids = [f["id"] for f in found if f["kind"] == "promise"]
    a, b = ids[0], ids[1]
    r = run("fulfill", a, "--ledger", str(path), "--at", "2026-11-23T10:00:00+08:00", "--by", "alice",
            "--format", "csv")
    assert r.returncode == 0, r.stderr
    (row,) = rows(r.stdout)
    assert row["state"] == "fulfilled" and row["closed_at"] == "2026-11-23T10:00:00+08:00"
    r = run("cancel", b, "--ledger", str(path), "--at", "2026-11-23T10:00:00+08:00", "--by", "bob",
            "--format", "csv")
    assert r.returncode == 0, r.stderr
    assert rows(r.stdout)[0]["state"] == "cancelled"
    # Closing twice is refused with exit code 1.
    r = run("fulfill", a, "--ledger", str(path), "--at", "2026-11-24T10:00:00+08:00")
    assert r.returncode == 1
    assert "fulfilled already" in r.stderr
    r = run("cancel", "999999", "--ledger", str(path))
    assert r.returncode == 3
    assert "no commitment with id 999999" in r.stderr
    listed = rows(run("list", "--ledger", str(path), "--format", "csv").stdout)
    state = {c["id"]: c["state"] for c in listed}
    assert state[a] == "fulfilled" and state[b] == "cancelled"
    fulfilled = rows(run("list", "--ledger", str(path), "--state", "fulfilled", "--format", "csv").stdout)
    assert [c["id"] for c in fulfilled] == [a]
    # The breach stays in the history: late, so the on-time rate is still 0.
    rep = json.loads(run("report", "--ledger", str(path), "--at", "2026-11-24T00:00:00+08:00",
                         "--format", "json").stdout)
    assert rep["on_time"]["due"] == 69 and rep["on_time"]["on_time"] == 0


def test_add_computes_the_deadline_in_business_time(tmp_path):
    path = tmp_path / "l.db"
    # Friday 2025-09-26 16:00 + 3 working days in the cn calendar: Sunday 09-28
    # is a make-up working day, so the deadline is Tuesday 09-30 18:00.
    r = run("add", "--ledger", str(path), "--customer", "C1", "--text", "call back, 13812345678",
            "--within", "3 working days", "--at", "2025-09-26T16:00:00+08:00", "--owner", "repair",
            "--category", "repair", "--format", "csv")
    assert r.returncode == 0, r.stderr
    (row,) = rows(r.stdout)
    assert row["deadline"] == "2025-09-30T18:00:00+08:00"
    assert row["text"] == "call back, 138****5678"
    assert row["owner"] == "repair" and row["state"] == "open"
    r = run("add", "--ledger", str(path), "--customer", "C2", "--text", "refund",
            "--deadline", "2025-10-10T18:00:00+08:00", "--at", "2025-09-26T16:00:00+08:00", "--owner", "billing",
            "--format", "csv")
    assert r.returncode == 0, r.stderr
    by_owner = rows(run("list", "--ledger", str(path), "--owner", "billing", "--format", "csv").stdout)
    assert [c["customer_id"] for c in by_owner] == ["C2"]
    by_customer = rows(run("list", "--ledger", str(path), "--customer", "C1", "--format", "csv").stdout)
    assert [c["customer_id"] for c in by_customer] == ["C1"]
    # Both or neither of --deadline / --within is a usage error.
    r = run("add", "--ledger", str(path), "--customer", "C1", "--text", "x")
    assert r.returncode == 2
    # so is a --within that parses but ends after the year 9999 (was exit 3)
    for within in ("99999999999 working days", "9999999 days", "99999 months"):
        r = run("add", "--ledger", str(path), "--customer", "C1", "--text", "x", "--within", within,
                "--at", "2026-11-02T10:00:00+08:00")
        assert r.returncode == 2, (within, r.stderr)
        assert f"--within '{within}' puts the deadline out of range (years 1..9999)" in r.stderr


def test_a_bad_timestamp_names_file_line_and_column(tmp_path):
    notes = tmp_path / "notes.csv"
    notes.write_text("customer_id,at,note\n"
                     "C1,2026-01-05T10:00:00+08:00,承诺3个工作日内解决\n"
                     "C2,2026-01-05 10:00,明天下午前上门\n", encoding="utf-8")
    path = tmp_path / "l.db"
    r = run("extract", "--notes", str(notes), "--ledger", str(path))
    assert r.returncode == 3
    # one column, where the offset should be (the message gave 3:4 and "column 17")
    assert f"{notes}:3:20: at:" in r.stderr
    assert "offset" in r.stderr and "(column" not in r.stderr
    # All or nothing: the good first line was not stored either.
    assert not path.exists() or sqlite3.connect(path).execute(
        "SELECT count(*) FROM sqlite_master WHERE name = 'commitment'").fetchone()[0] == 0


def test_a_missing_column_and_an_unknown_customer_are_reported(tmp_path):
    notes = tmp_path / "notes.csv"
    notes.write_text("customer_id,note\nC1,x\n")
    r = run("extract", "--notes", str(notes), "--dry-run")
    assert r.returncode == 3
    assert f"{notes}:1:1: at: missing required column 'at'" in r.stderr
    notes.write_text("customer_id,at,note\nNOPE,2026-01-05T10:00:00Z,明天\n")
    r = run("extract", "--notes", str(notes), "--customers", str(CUSTOMERS), "--dry-run")
    assert r.returncode == 3
    assert f"{notes}:2:1: customer_id: customer 'NOPE' is not in the customers file" in r.stderr


def test_a_missing_ledger_directory_gives_a_clear_error(tmp_path):
    path = tmp_path / "no" / "such" / "dir" / "ledger.db"
    r = run("extract", "--notes", str(NOTES), "--ledger", str(path))
    assert r.returncode == 3
    assert f"directory '{path.parent}' does not exist" in r.stderr
    r = run("report", "--ledger", str(tmp_path / "absent.db"), "--at", REPORT_AT)
    assert r.returncode == 3
    assert "does not exist" in r.stderr


def test_extract_twice_stores_each_promise_once(ledger, tmp_path):
    """The second run over the same notes finds the same promises and stores
    none (it used to store every one again: ids 1 and 13 for one promise);
    two equal promises in one note stay two."""
    path, first = ledger
    promises = [f for f in first if f["kind"] == "promise"]
    r = run("extract", "--notes", str(NOTES), "--customers", str(CUSTOMERS), "--ledger", str(path),
            "--format", "csv")
    assert r.returncode == 0, r.stderr
    again = [f for f in rows(r.stdout) if f["kind"] == "promise"]
    assert [f["id"] for f in again] == [f["id"] for f in promises]
    assert f"(0 stored, {len(promises)} already in the ledger)" in r.stderr
    listed = rows(run("list", "--ledger", str(path), "--format", "csv").stdout)
    assert len(listed) == len(promises)

    notes = tmp_path / "twice.csv"
    notes.write_text("customer_id,at,note\nC1,2025-09-26T16:00:00+08:00,3天内寄出，3天内回电\n", encoding="utf-8")
    other = tmp_path / "other.db"
    for expect in ("(2 stored)", "(0 stored, 2 already in the ledger)"):
        r = run("extract", "--notes", str(notes), "--ledger", str(other))
        assert r.returncode == 0 and expect in r.stderr, r.stderr
    assert len(rows(run("list", "--ledger", str(other), "--format", "csv").stdout)) == 2


def test_an_undatable_count_is_a_risk_and_the_other_notes_are_stored(tmp_path):
    """A note with "123456个工作日内" (an order number) ended the whole run with
    exit 3 and stored nothing; "1.5天内" was dated as 5 days."""
    notes = tmp_path / "odd.csv"
    notes.write_text("customer_id,at,note\n"
                     "C1,2025-09-26T16:00:00+08:00,订单号123456个工作日内\n"
                     "C2,2025-09-26T16:00:00+08:00,1.5天内寄出\n"
                     "C3,2025-09-26T16:00:00+08:00,２４小时内回复\n", encoding="utf-8")
    path = tmp_path / "odd.db"
    r = run("extract", "--notes", str(notes), "--ledger", str(path), "--format", "csv")
    assert r.returncode == 0, r.stderr
    got = {f["customer_id"]: f for f in rows(r.stdout)}
    assert got["C1"]["kind"] == "risk" and "too large" in got["C1"]["risk"]
    assert got["C2"]["kind"] == "promise" and got["C2"]["deadline"] == "2025-09-28T04:00:00+08:00"
    assert got["C3"]["kind"] == "promise" and got["C3"]["deadline"] == "2025-09-27T16:00:00+08:00"
    assert "(2 stored)" in r.stderr


def test_the_table_shows_control_characters_as_escapes(tmp_path):
    """A promise's text with ESC/OSC sequences, a bell, a newline and a tab
    reached the terminal raw in table output (a note could retitle the
    window or clear the screen); CSV and JSON keep the text as stored."""
    path = tmp_path / "esc.db"
    text = "pwn\x1b]0;pwned\x07\x1b[2J\nline2\ttab\u0085end"
    r = run("add", "--ledger", str(path), "--customer", "C1", "--text", text, "--within", "2h",
            "--at", "2025-09-26T16:00:00+08:00")
    assert r.returncode == 0, r.stderr
    table = run("list", "--ledger", str(path)).stdout
    assert "\x1b" not in table and "\x07" not in table and "\u0085" not in table
    assert "pwn\\x1B]0;pwned\\x07\\x1B[2J\\nline2\\ttab\\u0085end" in table
    assert len(table.splitlines()) == 3  # header, rule, one row
    listed = json.loads(run("list", "--ledger", str(path), "--format", "json").stdout)
    assert listed[0]["text"] == text


def test_an_empty_text_is_a_usage_error(tmp_path):
    r = run("add", "--ledger", str(tmp_path / "e.db"), "--customer", "C1", "--text", "  ", "--within", "2h")
    assert r.returncode == 2 and "--text is empty" in r.stderr
    assert not (tmp_path / "e.db").exists()
