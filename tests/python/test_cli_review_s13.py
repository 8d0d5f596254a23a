"""CLI regressions from the outside review of session 13 (hU, review-s13
inputs): I2 (a JSON command exiting 0 after half a document), I3 (ledger and
contact-log rows with impossible values listed as data), I4 (a locked
ledger's error without the file), I11/I13 (option values out of range or
given twice), I17 (`simulate --truth` positions), I22 (an output that is one
of the inputs), I23 (control characters of the data on a terminal).
Hand-made inputs, the built-in policy; damaged stores made with sqlite3."""
import json
import os
import sqlite3

import pytest
from fu_helpers import CLI, run_cli as run

pytestmark = pytest.mark.skipif(not CLI, reason="followup tool not built")

NOTES = "customer_id,at,note\nC1,2026-03-02T09:00:00+08:00,3个工作日内解决\n"
AT = "2026-03-02T09:00:00+08:00"


@pytest.fixture
def ledger(tmp_path):
    n = tmp_path / "notes.csv"
    n.write_text(NOTES)
    db = tmp_path / "l.db"
    r = run("commitments", "extract", "--notes", str(n), "--ledger", str(db))
    assert r.returncode == 0, r.stderr
    return db


@pytest.fixture
def contact_log(tmp_path):
    log = tmp_path / "g.log"
    r = run("guard", "record", "--log", str(log), "--customer", "C1", "--channel", "phone", "--outcome",
            "answered", "--at", AT)
    assert r.returncode == 0, r.stderr
    return log


def sql(db, statement, *params):
    c = sqlite3.connect(str(db))
    c.execute(statement, params)
    c.commit()
    c.close()


# --- I2: invalid UTF-8 in a stored text: exit 3 and no JSON at all ------------

def test_list_json_with_invalid_utf8_fails_and_writes_nothing(ledger):
    sql(ledger, "update commitment set text=?", b"\xff\xfe\x1b[31m")
    r = run("commitments", "list", "--ledger", str(ledger), "--format", "json")
    assert r.returncode == 3, (r.stdout, r.stderr)
    assert r.stdout == ""
    assert "row 1, column text: text is not valid UTF-8 (byte 1); JSON not written" in r.stderr


def test_list_table_escapes_the_same_bytes(ledger):
    sql(ledger, "update commitment set text=?", b"\xff\xfe\x1b[31m")
    r = run("commitments", "list", "--ledger", str(ledger))
    assert r.returncode == 0, r.stderr
    assert "\x1b" not in r.stdout and "\\xFF\\xFE\\x1B[31m" in r.stdout


def test_report_json_with_invalid_utf8_fails_and_writes_nothing(ledger):
    sql(ledger, "update commitment set text=?", b"fix \xff")
    r = run("commitments", "report", "--ledger", str(ledger), "--at", "2026-03-05T12:00:00+08:00", "--format", "json")
    assert r.returncode == 3, (r.stdout, r.stderr)
    assert r.stdout == ""
    assert "column text: text is not valid UTF-8 (byte 5)" in r.stderr


def test_guard_log_json_with_invalid_utf8_fails_and_writes_nothing(contact_log):
    sql(contact_log, "update contact_log set customer_id=?", b"C\xfe")
    r = run("guard", "log", "--log", str(contact_log), "--format", "json")
    assert r.returncode == 3, (r.stdout, r.stderr)
    assert r.stdout == ""
    assert "row 1, column customer_id: text is not valid UTF-8 (byte 2)" in r.stderr


def test_list_json_valid_is_still_a_document(ledger):
    r = run("commitments", "list", "--ledger", str(ledger), "--format", "json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)[0]["text"] == "3个工作日内解决"
