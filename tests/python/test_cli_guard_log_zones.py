"""`followup guard log` writes a customer's times as `guard check` does
(review s11 hR L1): with --customers, --events and --create-customers are
read as check reads them, and a customer with no zone (made from an event)
or not in the book gets the policy calendar's offset (the built-in's is
Asia/Shanghai, +08:00), not UTC. --events without --customers is refused.
Hand-made inputs, the built-in policy."""
import json

import pytest
from fu_helpers import CLI, run_cli as run

pytestmark = pytest.mark.skipif(not CLI, reason="followup tool not built")

CUST = "customer_id,tz,consent_phone,consent_sms\nC1,America/New_York,yes,yes\n"
EV7 = "customer_id,at,kind,order_id,amount\nC7,2026-06-01T10:00:00+08:00,purchase,O7,100\n"


@pytest.fixture
def files(tmp_path):
    c, e, log = tmp_path / "c.csv", tmp_path / "e.csv", tmp_path / "g.db"
    c.write_text(CUST)
    e.write_text(EV7)
    for cust in ("C1", "C7", "C9"):  # appended without a guard: C7 is only in the events, C9 nowhere
        r = run("guard", "record", "--log", str(log), "--customer", cust, "--channel", "phone",
                "--outcome", "no_answer", "--at", "2026-11-23T02:00:00Z")
        assert r.returncode == 0, r.stderr
    return str(c), str(e), str(log)


def log_times(c, e, log, *more):
    r = run("guard", "log", "--log", log, "--customers", c, "--events", e, "--create-customers", "--format", "json",
            *more)
    assert r.returncode == 0, r.stderr
    return {row["customer_id"]: row["at"] for row in json.loads(r.stdout)}


def check_at(c, e, log, customer):
    r = run("guard", "check", "--customers", c, "--events", e, "--create-customers", "--log", log, "--unknown",
            "allow", "--customer", customer, "--channel", "sms", "--at", "2026-11-23T02:00:00Z", "--format", "json")
    assert r.returncode in (0, 1), r.stderr
    return json.loads(r.stdout)[0]["at"]


def test_log_writes_every_customer_as_check_does(files):
    c, e, log = files
    got = log_times(c, e, log)
    assert got == {"C1": "2026-11-22T21:00:00-05:00", "C7": "2026-11-23T10:00:00+08:00",
                   "C9": "2026-11-23T10:00:00+08:00"}
    for cust in ("C1", "C7", "C9"):
        assert check_at(c, e, log, cust) == got[cust], cust


def test_log_reads_the_events_as_check_does(files):
    c, e, log = files
    r = run("guard", "log", "--log", log, "--customers", c, "--events", e)
    assert r.returncode == 3 and "unknown customer 'C7'" in r.stderr, r.stderr
    r = run("guard", "check", "--log", log, "--customers", c, "--events", e, "--customer", "C7", "--channel", "sms")
    assert r.returncode == 3 and "unknown customer 'C7'" in r.stderr, r.stderr


def test_log_in_utc_without_customers(files):
    _, _, log = files
    r = run("guard", "log", "--log", log, "--format", "json")
    assert r.returncode == 0, r.stderr
    assert {row["at"] for row in json.loads(r.stdout)} == {"2026-11-23T02:00:00Z"}


@pytest.mark.parametrize("opt", [["--events", "{e}"], ["--create-customers"]])
def test_log_refuses_book_options_without_customers(files, opt):
    _, e, log = files
    r = run("guard", "log", "--log", log, *[o.replace("{e}", e) for o in opt])
    assert r.returncode == 2 and r.stdout == "", r.stdout
    assert r.stderr == f"followup guard log: {opt[0]} needs --customers (log reads the book only for the " \
                       "customers' offsets)\n", r.stderr


def test_record_writes_a_created_customer_as_check_does(files):
    c, e, log = files
    r = run("guard", "record", "--log", log, "--customers", c, "--events", e, "--create-customers", "--customer", "C7",
            "--channel", "sms", "--outcome", "no_answer", "--at", "2026-11-23T03:00:00Z", "--format", "json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)[0]["at"] == "2026-11-23T11:00:00+08:00"
