"""`followup plan --ledger`: promises of a ledger made with `followup
commitments add` plan their contacts, with an owner column."""
import csv
import io
import pytest

from fu_helpers import CLI, run_cli as run

pytestmark = pytest.mark.skipif(not CLI, reason="followup tool not built")

CUSTOMERS = ("customer_id,tz,annual_spend,first_purchase_at,consent_phone,consent_sms,consent_email\n"
             "C1,Asia/Shanghai,20000,2025-01-10T10:00:00+08:00,yes,yes,yes\n"
             "C2,Asia/Shanghai,20000,2025-01-10T10:00:00+08:00,yes,yes,yes\n")
EVENTS = ("customer_id,at,kind,channel,outcome\n"
          "C1,2026-02-20T10:00:00+08:00,contact,phone,answered\n"
          "C2,2026-02-20T10:00:00+08:00,contact,phone,answered\n")


def test_plan_with_ledger(tmp_path):
    (tmp_path / "c.csv").write_text(CUSTOMERS)
    (tmp_path / "e.csv").write_text(EVENTS)
    led = str(tmp_path / "l.db")
    r = run("commitments", "add", "--ledger", led, "--customer", "C2", "--text", "refund the fee",
            "--at", "2026-03-02T10:00:00+08:00", "--deadline", "2026-03-04T12:00:00+08:00", "--owner", "billing")
    assert r.returncode == 0, r.stderr
    args = ["plan", "--customers", str(tmp_path / "c.csv"), "--events", str(tmp_path / "e.csv"),
            "--now", "2026-03-04T20:00:00+08:00", "--horizon", "2d", "--no-besttime", "--format", "csv"]
    r = run(*args)
    assert r.returncode == 0, r.stderr
    assert "promise_breached" not in r.stdout and "owner" not in r.stdout.splitlines()[0]
    r = run(*args, "--ledger", led)
    assert r.returncode == 0, r.stderr
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    rem = [x for x in rows if x["rule"] == "cadences.promise_breached.remedy"]
    assert len(rem) == 1, rows
    assert rem[0]["customer_id"] == "C2" and rem[0]["owner"] == "billing" and rem[0]["priority"] == "high"
    assert rem[0]["due_from"] == "2026-03-04T12:00:00+08:00" and rem[0]["due_to"] == "2026-03-05T12:00:00+08:00"
    assert "refund the fee" in rem[0]["reason"]
    r = run(*args, "--ledger", str(tmp_path / "missing" / "x.db"))
    assert r.returncode == 3 and "--ledger" in r.stderr


def test_ledger_flags_deadlines_past_the_calendar_data(tmp_path):
    """The built-in cn calendar has official holidays until 2026-12-31: a
    deadline on 2027-01-05 is flagged, one on 2026-12-30 is not."""
    led = str(tmp_path / "l.db")
    for cust, due in (("C1", "2026-12-30T18:00:00+08:00"), ("C2", "2027-01-05T18:00:00+08:00")):
        r = run("commitments", "add", "--ledger", led, "--customer", cust, "--text", "call back",
                "--at", "2026-12-06T10:00:00+08:00", "--deadline", due, "--format", "csv")
        assert r.returncode == 0, r.stderr
    r = run("commitments", "list", "--ledger", led, "--format", "csv")
    assert r.returncode == 0, r.stderr
    rows = {x["customer_id"]: x for x in csv.DictReader(io.StringIO(r.stdout))}
    assert rows["C1"]["deadline_flag"] == ""
    assert rows["C2"]["deadline_flag"] == "past_calendar_data"
    r = run("commitments", "report", "--ledger", led, "--at", "2027-01-06T12:00:00+08:00", "--format", "csv")
    assert r.returncode == 0, r.stderr
    assert "past_calendar_data" in r.stdout and r.stdout.splitlines()[0].endswith("deadline_flag")


def test_record_escalations(tmp_path):
    """Fault F1 03-02 10:00 unresolved: at 03-04 11:00 the expert team's
    escalation (window from 03-04 10:00) is one `escalated` event in the
    ledger, on a new `escalation` row owned by `expert`; a second run adds none."""
    (tmp_path / "c.csv").write_text(CUSTOMERS)
    (tmp_path / "e.csv").write_text("customer_id,at,kind,order_id,channel,outcome\n"
                                    "C1,2026-02-20T10:00:00+08:00,contact,,phone,answered\n"
                                    "C1,2026-03-02T10:00:00+08:00,fault,F1,,\n")
    led = str(tmp_path / "l.db")
    args = ["plan", "--customers", str(tmp_path / "c.csv"), "--events", str(tmp_path / "e.csv"),
            "--now", "2026-03-04T11:00:00+08:00", "--no-besttime", "--format", "csv", "--ledger", led]
    r = run("plan", "--customers", "x", "--events", "y", "--record-escalations")
    assert r.returncode == 2 and "needs --ledger" in r.stderr
    r = run(*args, "--record-escalations")
    assert r.returncode == 0, r.stderr
    assert "1 escalations recorded" in r.stderr
    r = run(*args, "--record-escalations")
    assert r.returncode == 0 and "0 escalations recorded" in r.stderr, r.stderr
    r = run("commitments", "list", "--ledger", led, "--format", "csv")
    assert r.returncode == 0, r.stderr
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert len(rows) == 1
    assert (rows[0]["customer_id"], rows[0]["category"], rows[0]["owner"]) == ("C1", "escalation", "expert")
    assert rows[0]["rule"] == "cadences.fault_escalation.expert_team"
