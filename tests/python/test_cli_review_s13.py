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


# --- I22: an output that is one of the inputs is refused before anything ----

SAMPLE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "examples", "sample", "data")
NOW = "2026-03-01T09:00:00+08:00"


@pytest.fixture
def copies(tmp_path):
    c, e = tmp_path / "c.csv", tmp_path / "e.csv"
    c.write_bytes(open(os.path.join(SAMPLE, "customers.csv"), "rb").read())
    e.write_bytes(open(os.path.join(SAMPLE, "events.csv"), "rb").read())
    return c, e


def refused(r, *words):
    assert r.returncode == 2, (r.stdout[:200], r.stderr)
    assert r.stdout == ""
    for w in words:
        assert w in r.stderr, r.stderr


def test_segment_output_over_events_is_refused(copies):
    c, e = copies
    before = e.read_bytes()
    r = run("segment", "--customers", str(c), "--events", str(e), "--output", str(e))
    refused(r, "--output", "--events", "overwritten")
    assert e.read_bytes() == before


def test_plan_suppressed_through_a_symlink_is_refused(copies, tmp_path):
    c, e = copies
    link = tmp_path / "link.csv"
    link.symlink_to(c)
    before = c.read_bytes()
    r = run("plan", "--customers", str(c), "--events", str(e), "--now", NOW, "--output", str(tmp_path / "p.csv"),
            "--suppressed", str(link))
    refused(r, "--suppressed", "--customers")
    assert c.read_bytes() == before and not (tmp_path / "p.csv").exists()


def test_plan_output_over_a_hard_link_of_the_events_is_refused(copies, tmp_path):
    c, e = copies
    hard = tmp_path / "hard.csv"
    os.link(e, hard)
    r = run("plan", "--customers", str(c), "--events", str(e), "--now", NOW, "--output", str(hard))
    refused(r, "--output", "--events")


def test_two_outputs_to_one_new_file_are_refused(copies, tmp_path):
    c, e = copies
    r = run("plan", "--customers", str(c), "--events", str(e), "--now", NOW, "--output", str(tmp_path / "p.csv"),
            "--deferred", str(tmp_path / "." / "p.csv"))
    refused(r, "--output", "--deferred", "same file")
    assert not (tmp_path / "p.csv").exists()


def test_outputs_to_dev_null_are_not_the_same_file(copies):
    """/dev/null (any file that is not a regular file) is written in place:
    two outputs there overwrite nothing (review s13 R1: refused as "the same
    file" before)."""
    c, e = copies
    r = run("plan", "--customers", str(c), "--events", str(e), "--now", NOW, "--output", os.devnull,
            "--suppressed", os.devnull, "--deferred", os.devnull)
    assert r.returncode == 0, r.stderr
    assert "same file" not in r.stderr and "overwritten" not in r.stderr


@pytest.mark.parametrize("cmd", [
    ["kpi", "--events", "{e}", "--output", "{e}"],
    ["kpi", "--events", "{e}", "--customers", "{c}", "--output", "{c}"],
    ["frequency", "fit", "--events", "{e}", "--output", "{e}"],
    ["segment", "--customers", "{c}", "--events", "{e}", "--fit-output", "{c}"],
    ["simulate", "--customers", "{c}", "--events", "{e}", "--from", "2026-01-01T00:00:00Z", "--to",
     "2026-01-02T00:00:00Z", "--output", "{e}"],
])
def test_every_output_option_is_checked(copies, cmd):
    c, e = copies
    before = (c.read_bytes(), e.read_bytes())
    r = run(*[a.format(c=c, e=e) for a in cmd])
    refused(r, "it would be overwritten")
    assert (c.read_bytes(), e.read_bytes()) == before


def test_simulate_output_over_a_compared_policy_is_refused(copies, tmp_path):
    c, e = copies
    pol = tmp_path / "p.yaml"
    pol.write_text("name: p\n")
    r = run("simulate", "--customers", str(c), "--events", str(e), "--from", "2026-01-01T00:00:00Z", "--to",
            "2026-01-02T00:00:00Z", "--compare", "policy," + str(pol), "--output", str(pol))
    refused(r, "--output", "--compare")
    assert pol.read_text() == "name: p\n"


def test_a_new_output_beside_the_inputs_is_written(copies, tmp_path):
    c, e = copies
    r = run("segment", "--customers", str(c), "--events", str(e), "--output", str(tmp_path / "s.csv"))
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "s.csv").read_text().startswith("customer_id,")


# --- I3: rows with impossible values are refused, naming the file and row ---

@pytest.mark.parametrize("change,words", [
    ("deadline=9223372036854775807", "deadline 9223372036854775807 is not a time of years 1..9999"),
    ("created_at=-9223372036854775808", "created_at -9223372036854775808 is not a time of years 1..9999"),
    ("state=99", "state 99 is outside 0..3"),
    ("level=-5", "level -5 is outside 0..1000"),
    ("warned=7", "warned 7 is outside 0..1"),
    ("created_at='yesterday'", "created_at is text, not an integer"),
    ("closed_at=1.5", "closed_at is a real, not an integer"),
    ("customer_id=cast(x'43005800' as text)", "customer_id holds a NUL byte at byte 2"),
])
@pytest.mark.parametrize("fmt", ["json", "table"])
def test_ledger_row_out_of_range_is_refused(ledger, change, words, fmt):
    sql(ledger, "update commitment set " + change)
    r = run("commitments", "list", "--ledger", str(ledger), "--format", fmt)
    assert r.returncode == 3, (r.stdout, r.stderr)
    assert r.stdout == ""
    assert "ledger '%s': commitment 1: %s" % (ledger, words) in r.stderr
    assert "restore it from a backup" in r.stderr


def test_ledger_row_out_of_range_is_refused_by_fulfill_and_report(ledger):
    sql(ledger, "update commitment set state=99")
    r = run("commitments", "fulfill", "1", "--ledger", str(ledger))
    assert r.returncode == 3 and "commitment 1: state 99 is outside 0..3" in r.stderr, r.stderr
    r = run("commitments", "report", "--ledger", str(ledger), "--at", "2026-03-10T00:00:00Z", "--record")
    assert r.returncode == 3 and "commitment 1: state 99 is outside 0..3" in r.stderr, r.stderr


@pytest.mark.parametrize("change,words", [
    ("at='yesterday'", "at is text, not an integer"),
    ("at=9223372036854775807", "at 9223372036854775807 is not a time of years 1..9999"),
    ("at=-9223372036854775808", "at -9223372036854775808 is not a time of years 1..9999"),
    ("duration=999999", "duration 999999 is outside 0..86400"),
    ("callback_at='soon'", "callback_at is text, not an integer"),
    ("customer_id=cast(x'43005800' as text)", "customer_id holds a NUL byte"),
])
def test_contact_log_row_out_of_range_is_refused(contact_log, change, words):
    sql(contact_log, "update contact_log set " + change)
    r = run("guard", "log", "--log", str(contact_log), "--format", "json")
    assert r.returncode == 3, (r.stdout, r.stderr)
    assert r.stdout == ""
    assert "contact log '%s': record 1: %s" % (contact_log, words) in r.stderr


def test_contact_log_unknown_channel_names_the_file(contact_log):
    sql(contact_log, "update contact_log set channel='fax'")
    r = run("guard", "log", "--log", str(contact_log))
    assert r.returncode == 3 and "contact log '%s': record 1: " % contact_log in r.stderr, r.stderr
    assert "fax" in r.stderr


# --- I4: a locked ledger's error names the file -------------------------------

def test_a_locked_ledger_names_the_file(ledger, tmp_path):
    n = tmp_path / "n2.csv"
    n.write_text("customer_id,at,note\nC2,2026-03-03T09:00:00+08:00,3个工作日内解决\n")
    holder = sqlite3.connect(str(ledger), isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        r = run("commitments", "extract", "--notes", str(n), "--ledger", str(ledger))
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert r.returncode == 3, r.stderr
    assert "ledger '%s': begin: locked by another process" % ledger in r.stderr


# --- I23: control characters of the data never reach the terminal raw --------

def sample(name):
    return os.path.join(SAMPLE, name)


def test_kpi_dashboard_escapes_control_characters_of_labels(tmp_path):
    seg = tmp_path / "s.csv"
    seg.write_bytes(b'customer_id,segment\nC00001,"x\x1b]0;pwned\x07\x1b[31mRED"\nN\x1b[31mOPE,y\n')
    r = run("kpi", "--customers", sample("customers.csv"), "--events", sample("events.csv"), "--segments", str(seg),
            "--by", "segment")
    assert r.returncode == 0, r.stderr
    assert "\x1b" not in r.stdout and "\x07" not in r.stdout
    assert "x\\x1B]0;pwned\\x07\\x1B[31mRED" in r.stdout
    assert r.stdout.count("\n") > 5  # the dashboard's own lines are kept
    assert "\x1b" not in r.stderr and "(first: 'N\\x1B[31mOPE')" in r.stderr


def test_plan_warnings_escape_control_characters(tmp_path):
    ag = tmp_path / "ag.csv"
    ag.write_bytes(b'agent_id,shift,tz\n"A\x1b[31m1",Mon-Fri 00:00-01:00,UTC\n')
    ev = tmp_path / "e.csv"
    ev.write_bytes(open(sample("events.csv"), "rb").read() + b"")
    lines = ev.read_bytes().split(b"\n")
    hdr = lines[0].split(b",")
    row = [b""] * len(hdr)
    row[hdr.index(b"customer_id")] = b"C00001"
    row[hdr.index(b"at")] = b"2026-02-02T09:00:00+08:00"
    row[hdr.index(b"kind")] = b"purchase"
    row[hdr.index(b"product_class")] = b"pr\x1b[31memium"
    ev.write_bytes(b"\n".join(lines).rstrip(b"\n") + b"\n" + b",".join(row) + b"\n")
    r = run("plan", "--customers", sample("customers.csv"), "--events", str(ev), "--now", NOW, "--agents", str(ag))
    assert r.returncode == 0, r.stderr
    assert "\x1b" not in r.stderr, r.stderr
    assert "agent A\\x1B[31m1:" in r.stderr
    assert "product_class 'pr\\x1B[31memium'" in r.stderr


# --- I17: simulate --truth errors read as every other reader's ---------------

def test_truth_errors_give_byte_column_name_and_value(tmp_path):
    c = tmp_path / "c.csv"
    c.write_text("customer_id,tz\nC1,Asia/Shanghai\n")
    e = tmp_path / "e.csv"
    e.write_text("customer_id,at,kind\nC1,2026-03-02T09:00:00+08:00,purchase\n")
    hdr = "customer_id,archetype,weekend," + ",".join("p%02d" % h for h in range(24)) + "\n"
    cases = {
        "C1,x,0.8," + ",".join(["1.5"] * 24): ":2:10: p00: expected a probability in [0, 1], got '1.5'",
        "C1,x,5," + ",".join(["0.5"] * 24): ":2:6: weekend: expected a probability in [0, 1], got '5'",
        "C1,x,0.8," + ",".join(["0.5"] * 23): ":2:101: p23: missing (expected 27 columns",
    }
    for row, want in cases.items():
        t = tmp_path / "t.csv"
        t.write_text(hdr + row + "\n")
        r = run("simulate", "--customers", str(c), "--events", str(e), "--from", "2026-03-01T00:00:00Z", "--to",
                "2026-03-03T00:00:00Z", "--truth", str(t))
        assert r.returncode == 3 and str(t) + want in r.stderr, (row, r.stderr)


# --- I11, I13 (CLI): values out of range and options given twice are exit 2 --

def plan_args(*more):
    return ("plan", "--customers", sample("customers.csv"), "--events", sample("events.csv")) + more


@pytest.mark.parametrize("more,words", [
    (("--now", NOW, "--horizon", "10000w"), "--horizon: '10000w' is longer than the planner's 100 years"),
    (("--now", "0001-01-01T00:00:00Z"), "--now: '0001-01-01T00:00:00Z' is outside the planner's range"),
    (("--now", "9999-12-31T00:00:00Z", "--horizon", "2d"), "--now: '9999-12-31T00:00:00Z' is outside"),
    (("--now", NOW, "--agents", "99999999999999"), "--agents: expected 1..100000 agents on duty a day or an agents"
                                                    " file, got '99999999999999'"),
    (("--now", NOW, "--agents", "0"), "--agents: expected 1..100000 agents"),
    (("--now", NOW, "--now", "2026-03-02T09:00:00+08:00"),
     "--now given twice; give it once"),
    (("--now", NOW, "--long", "--long"), "--long given twice; give it once"),
])
def test_plan_option_values_out_of_range_are_usage_errors(more, words):
    r = run(*plan_args(*more))
    assert r.returncode == 2, (r.stderr, r.stdout[:100])
    assert words in r.stderr and r.stdout == ""


@pytest.mark.parametrize("cost,words", [
    (["--cost", "phone=1e308", "--budget", "1000"], "--cost wants CHANNEL=AMOUNT with AMOUNT 0..1e12, e.g. phone=12.5"
                                                    " (got '1e308')"),
    (["--cost", "phone=5", "--cost", "phone=1e9"], "--cost: channel phone given twice; give each channel once"),
])
def test_kpi_cost_out_of_range_or_twice_is_refused(cost, words):
    r = run("kpi", "--events", sample("events.csv"), *cost)
    assert r.returncode == 2 and words in r.stderr, r.stderr


def test_kpi_cost_of_two_channels_is_still_taken():
    r = run("kpi", "--events", sample("events.csv"), "--cost", "phone=5", "--cost", "sms=0.1", "--format", "csv")
    assert r.returncode == 0, r.stderr


def test_frequency_cost_twice_is_refused():
    r = run("frequency", "recommend", "--events", sample("events.csv"), "--value", "100", "--cost", "phone=5",
            "--cost", "phone=6")
    assert r.returncode == 2 and "--cost: channel phone given twice" in r.stderr, r.stderr


def test_a_command_line_text_that_is_not_utf8_names_the_option(tmp_path):
    r = run("commitments", "add", "--ledger", str(tmp_path / "l.db"), "--customer", "C1", "--text", "fix \udcff",
            "--within", "1d")
    assert r.returncode == 2 and "--text: the value is not valid UTF-8 (byte 5)" in r.stderr, r.stderr
    assert not (tmp_path / "l.db").exists()


def test_option_errors_do_not_echo_personal_data(tmp_path):
    """review s13 R4: --text, --customer and the like carry personal data;
    the "given twice" and "not valid UTF-8" errors name the option only."""
    r = run("commitments", "add", "--ledger", str(tmp_path / "l.db"), "--customer", "C1", "--text",
            "call 13812345678", "--text", "call 13912345678", "--within", "2d")
    assert r.returncode == 2 and "--text given twice; give it once" in r.stderr, r.stderr
    assert "1381234" not in r.stderr and "1391234" not in r.stderr, r.stderr
    r = run("commitments", "add", "--ledger", str(tmp_path / "l.db"), "--customer", "C1", "--text",
            "回电 13812345678 身份证110105199001011232 \udcff", "--within", "2d")
    assert r.returncode == 2 and "--text: the value is not valid UTF-8" in r.stderr, r.stderr
    assert "1381234" not in r.stderr and "110105" not in r.stderr, r.stderr
