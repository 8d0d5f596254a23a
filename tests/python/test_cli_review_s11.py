"""CLI regressions from the outside review of session 11 (hU): H1 (`guard
check` answered "allowed" from a log path that does not exist), H2 (`guard`
JSON wrote "yes"/"no", "never" and "" where docs/cli.md promises booleans and
null), L3 (docs/guide.md's error lines), L4 (two column numbers in one time
error), L9 (`guard log` in UTC where `check` writes the customer's offset; a
YAML error placed past the end of the file). Hand-made inputs, the built-in
policy."""
import json
import pathlib
import re
import subprocess

import pytest
from fu_helpers import CLI, run_cli as run

pytestmark = pytest.mark.skipif(not CLI, reason="followup tool not built")

CUST = "customer_id,tz,consent_phone,consent_sms\nC1,Asia/Shanghai,yes,yes\nC2,Asia/Shanghai,no,yes\n"
AT = "2026-11-23T11:00:00+08:00"


@pytest.fixture
def world(tmp_path):
    c = tmp_path / "c.csv"
    c.write_text(CUST)
    log = tmp_path / "g.db"
    r = run("guard", "record", "--customers", str(c), "--log", str(log), "--customer", "C1", "--channel", "phone",
            "--outcome", "answered", "--at", "2026-11-23T10:00:00+08:00")
    assert r.returncode == 0, r.stderr
    return c, log


def check(c, log, *more):
    return run("guard", "check", "--customers", str(c), "--log", str(log), "--customer", "C1", "--channel", "phone",
               "--at", AT, *more)


# --- H1: a log that does not exist is not an empty history -------------------

def test_check_against_the_real_log_says_no(world):
    c, log = world
    r = check(c, log)
    assert r.returncode == 1 and "caps.min_gap" in r.stdout


@pytest.mark.parametrize("name", ["typo.db", "nodir/g.db"])
def test_check_refuses_a_log_that_does_not_exist(world, tmp_path, name):
    c, _ = world
    missing = tmp_path / name
    r = check(c, missing)
    assert r.returncode == 3, (r.stdout, r.stderr)
    assert r.stdout == ""
    assert str(missing if name == "typo.db" else missing.parent) in r.stderr
    assert not missing.exists()


def test_a_missing_log_names_how_to_start_one(world, tmp_path):
    c, _ = world
    r = check(c, tmp_path / "typo.db")
    assert "does not exist" in r.stderr and "guard record" in r.stderr and "--new-log" in r.stderr


def test_new_log_reads_an_absent_log_as_empty_and_creates_nothing(world, tmp_path):
    c, _ = world
    fresh = tmp_path / "fresh.db"
    r = check(c, fresh, "--new-log")
    assert r.returncode == 0, r.stderr
    assert not fresh.exists()
    # its directory must exist even then
    r = check(c, tmp_path / "nodir" / "g.db", "--new-log")
    assert r.returncode == 3 and "directory" in r.stderr and "nodir" in r.stderr


def test_guard_log_refuses_a_log_that_does_not_exist(tmp_path):
    r = run("guard", "log", "--log", str(tmp_path / "typo.db"))
    assert r.returncode == 3 and "typo.db' does not exist" in r.stderr
    r = run("guard", "log", "--log", str(tmp_path / "typo.db"), "--new-log", "--format", "json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout) == []
    assert not (tmp_path / "typo.db").exists()


def test_record_still_creates_the_log_but_not_its_directory(tmp_path):
    log = tmp_path / "new.db"
    r = run("guard", "record", "--log", str(log), "--customer", "C1", "--channel", "phone", "--outcome", "answered",
            "--at", AT)
    assert r.returncode == 0, r.stderr
    assert log.exists()
    r = run("guard", "record", "--log", str(tmp_path / "nodir" / "g.db"), "--customer", "C1", "--channel", "phone",
            "--outcome", "answered", "--at", AT)
    assert r.returncode == 3 and "nodir" in r.stderr


# --- H2: typed JSON ------------------------------------------------------------

def test_check_json_is_typed_for_a_denial(world):
    c, log = world
    r = check(c, log, "--format", "json")
    assert r.returncode == 1
    row = json.loads(r.stdout)[0]
    assert row["allowed"] is False
    assert row["rule"] == "caps.min_gap"
    assert row["next_allowed"] == "2026-11-24T10:00:00+08:00"
    assert row["past_calendar_data"] is None


def test_check_json_is_typed_when_allowed(world):
    c, log = world
    r = run("guard", "check", "--customers", str(c), "--log", str(log), "--customer", "C1", "--channel", "phone",
            "--at", "2026-11-25T11:00:00+08:00", "--format", "json")
    assert r.returncode == 0, r.stderr
    row = json.loads(r.stdout)[0]
    assert row["allowed"] is True
    assert row["rule"] is None and row["reason"] is None and row["past_calendar_data"] is None
    assert row["next_allowed"] == "2026-11-25T11:00:00+08:00"


def test_never_is_null_in_json_and_never_in_csv(world):
    c, log = world
    ask = ["guard", "check", "--customers", str(c), "--log", str(log), "--customer", "C2", "--channel", "phone",
           "--at", AT]
    row = json.loads(run(*ask, "--format", "json").stdout)[0]
    assert row["allowed"] is False and row["rule"] == "customer.consent_phone"
    assert row["next_allowed"] is None
    assert "never" in row["reason"]
    assert ",never," in run(*ask, "--format", "csv").stdout
    bt = run("besttime", "--customers", str(c), "--may-contact", "C2", "--at", AT, "--format", "json")
    assert bt.returncode == 1
    assert json.loads(bt.stdout)[0]["next_allowed"] is None


def test_log_json_is_typed(world):
    c, log = world
    r = run("guard", "record", "--log", str(log), "--customer", "C1", "--channel", "phone",
            "--outcome", "callback_requested", "--callback", "2026-11-25T15:00:00+08:00",
            "--at", "2026-11-24T10:00:00+08:00", "--agent", "a1")
    assert r.returncode == 0, r.stderr
    rows = json.loads(run("guard", "log", "--log", str(log), "--format", "json").stdout)
    assert [x["seq"] for x in rows] == [1, 2]
    first, second = rows
    assert first["agent_id"] is None and first["rule"] is None and first["order_id"] is None
    assert first["duration"] is None and first["callback_at"] is None
    assert second["agent_id"] == "a1" and second["callback_at"] == "2026-11-25T07:00:00Z"


def test_besttime_json_has_no_empty_strings(tmp_path):
    src = pathlib.Path(__file__).resolve().parents[2] / "examples/sample/data"
    r = run("besttime", "--customers", str(src / "customers.csv"), "--events", str(src / "events.csv"),
            "--now", "2026-11-23T00:00:00+08:00", "--k", "2", "--format", "json")
    assert r.returncode == 0, r.stderr
    rows = json.loads(r.stdout)
    assert any(x["best_at"] is None for x in rows)
    assert all(v != "" and v not in ("yes", "no", "never") for x in rows for v in x.values())


def test_simulate_sensitivity_json_numbers(tmp_path):
    src = pathlib.Path(__file__).resolve().parents[2] / "examples/sample/data"
    r = run("simulate", "--customers", str(src / "customers.csv"), "--events", str(src / "events.csv"),
            "--from", "2026-11-01T00:00:00+08:00", "--to", "2026-11-04T00:00:00+08:00",
            "--sensitivity-agents", "1,2", "--sensitivity-calls", "10", "--format", "json")
    assert r.returncode == 0, r.stderr
    rows = json.loads(r.stdout)
    assert [x["agents"] for x in rows] == [1, 2]
    for x in rows:
        for k, v in x.items():
            assert v is None or (isinstance(v, (int, float)) and not isinstance(v, bool)), (k, v)


# --- L4: one position per error ------------------------------------------------

def test_a_time_in_a_file_keeps_its_file_position_and_says_the_character(tmp_path):
    c, e = tmp_path / "c.csv", tmp_path / "e.csv"
    c.write_text(CUST)
    e.write_text("customer_id,kind,order_id,at\nC1,purchase,O1,2026-11-23T09:00:00\n")
    r = run("plan", "--customers", str(c), "--events", str(e), "--now", AT)
    assert r.returncode == 3
    assert (f"{e}:2:16: at: bad time '2026-11-23T09:00:00': an offset is required (Z or +HH:MM) "
            "(character 20 of the value)") in r.stderr
    assert "(column" not in r.stderr


@pytest.mark.parametrize("args, opt", [
    (["plan", "--customers", "c.csv", "--events", "c.csv", "--now"], "--now"),
    (["guard", "check", "--customers", "c.csv", "--log", "g.db", "--customer", "C1", "--channel", "phone",
      "--at"], "--at"),
    (["segment", "--customers", "c.csv", "--events", "c.csv", "--now"], "--now"),
])
def test_a_time_option_has_no_pseudo_file_position(tmp_path, args, opt):
    (tmp_path / "c.csv").write_text(CUST)
    args = [str(tmp_path / a) if a.endswith((".csv", ".db")) else a for a in args]
    r = run(*args, "2026-11-23T09:00:00")
    assert r.returncode == 2, r.stderr
    assert "<time>" not in r.stderr and ":1:20:" not in r.stderr
    assert re.search(re.escape(opt) + r": bad time '2026-11-23T09:00:00': an offset is required \(Z or \+HH:MM\) "
                     r"\(character 20 of the value\)\n$", r.stderr), r.stderr


def test_a_date_option_says_the_character_or_nothing_for_the_whole_value(tmp_path):
    (tmp_path / "e.csv").write_text("customer_id,at,kind\n")
    r = run("kpi", "--events", str(tmp_path / "e.csv"), "--from", "2026-02-3x")
    assert r.returncode == 2
    assert r.stderr == "followup: --from: bad date '2026-02-3x': expected YYYY-MM-DD (character 9 of the value)\n"
    r = run("kpi", "--events", str(tmp_path / "e.csv"), "--from", "2026-02-30")
    assert r.returncode == 2 and r.stderr == "followup: --from: bad date '2026-02-30': no such day\n"


def test_a_duration_option_says_where_in_the_value(tmp_path):
    (tmp_path / "c.csv").write_text(CUST)
    r = run("plan", "--customers", str(tmp_path / "c.csv"), "--events", str(tmp_path / "c.csv"), "--now", AT,
            "--horizon", "3x")
    assert r.returncode == 2
    assert r.stderr == "followup: --horizon: unknown unit 'x' (character 2 of the value)\n", r.stderr
    r = run("plan", "--customers", str(tmp_path / "c.csv"), "--events", str(tmp_path / "c.csv"), "--now", AT,
            "--horizon", "3")
    assert r.returncode == 2
    assert r.stderr == "followup: --horizon: missing unit (character 2 of the value): use s, m, h, d, w, months, " \
                       "working days, business hours\n", r.stderr
    r = run("plan", "--customers", str(tmp_path / "c.csv"), "--events", str(tmp_path / "c.csv"), "--now", AT,
            "--horizon", "x")
    assert r.returncode == 2 and r.stderr == "followup: --horizon: expected a number (character 1 of the value)\n", \
        r.stderr


# --- L9: one offset for guard times; YAML errors inside the file ---------------

def test_guard_log_writes_the_customers_offset_with_customers(world):
    c, log = world
    got = json.loads(run("guard", "log", "--log", str(log), "--customers", str(c), "--format", "json").stdout)
    assert got[0]["at"] == "2026-11-23T10:00:00+08:00"
    # without the customers: UTC, as documented
    got = json.loads(run("guard", "log", "--log", str(log), "--format", "json").stdout)
    assert got[0]["at"] == "2026-11-23T02:00:00Z"
    r = run("guard", "record", "--customers", str(c), "--log", str(log), "--customer", "C1", "--channel", "sms",
            "--outcome", "answered", "--at", "2026-11-25T10:00:00+08:00", "--format", "json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)[0]["at"] == "2026-11-25T10:00:00+08:00"


@pytest.mark.parametrize("text, line, col", [
    ("name: x\nquiet_hours\n", 2, 12),       # a key without ':' on the last line
    ("name: x\nquiet_hours", 2, 12),         # the same without the final newline
    ("name: x\r\nquiet_hours: [\r\n", 2, 15),  # an open bracket, CRLF
    ("name: x\nfoo: \"abc\n\n\n", 2, 10),    # an open quote, blank lines after it
])
def test_a_yaml_error_at_the_end_points_inside_the_file(tmp_path, text, line, col):
    p = tmp_path / "site.yaml"
    p.write_bytes(text.encode())
    r = run("check-policy", str(p))
    assert r.returncode == 1
    assert f"site.yaml:{line}:{col}: YAML syntax error: " in r.stderr, r.stderr
    assert "(at the end of the file)" in r.stderr


def test_a_yaml_error_inside_the_file_is_where_it_is(tmp_path):
    p = tmp_path / "site.yaml"
    p.write_text("name: x\n  bad: 1\nversion: \"1\"\n")
    r = run("check-policy", str(p))
    assert r.returncode == 1 and "site.yaml:2:6: YAML syntax error" in r.stderr
    assert "end of the file" not in r.stderr


# --- L3: docs/guide.md's policy errors are those of its own site.yaml ---------

def test_guide_policy_errors_are_those_of_its_site_yaml(tmp_path):
    guide = (pathlib.Path(__file__).resolve().parents[2] / "docs" / "guide.md").read_text(encoding="utf-8")
    part = guide[guide.index("## 4. Your own policy"):guide.index("## 5.")]
    block = re.search(r"\n\n((?:    .*\n)+)\n    followup check-policy site.yaml", part).group(1)
    site = "".join(line[4:] + "\n" for line in block.rstrip("\n").split("\n"))
    assert site.startswith("# site.yaml\nname: acme\n")
    quoted = [" ".join(q.split()) for q in re.findall(r"`(site\.yaml:\d+:\d+: [^`]*)`", part, re.S)]
    assert len(quoted) == 2, quoted
    (tmp_path / "site.yaml").write_text(site)
    def check_policy():
        return subprocess.run([str(pathlib.Path(CLI).resolve()), "check-policy", "site.yaml"], cwd=tmp_path,
                              capture_output=True, text=True, timeout=60)

    assert check_policy().returncode == 0
    for broken, want in ((site.replace("max: 2", "max: 0"), quoted[0]),
                         (site.replace("\nquiet_hours:", "\nquiet_hour:"), quoted[1])):
        (tmp_path / "site.yaml").write_text(broken)
        r = check_policy()
        assert r.returncode != 0
        assert r.stderr == f"followup: {want}\n"


# --- L2: events naming customers not in --customers, command by command ------

EV7 = ("customer_id,at,kind,channel,outcome,order_id,amount\n"
       "C1,2026-11-20T10:00:00+08:00,contact,phone,answered,,\n"
       "C1,2026-06-01T10:00:00+08:00,purchase,,,O1,100\n"
       "C7,2026-06-01T10:00:00+08:00,purchase,,,O7,100\n"
       "C7,2026-11-20T10:00:00+08:00,contact,phone,answered,,\n")


@pytest.fixture
def unknown(tmp_path):
    c, e = tmp_path / "c.csv", tmp_path / "e.csv"
    c.write_text(CUST)
    e.write_text(EV7)
    return str(c), str(e)


@pytest.mark.parametrize("cmd", [
    ["guard", "check", "--log", "{log}", "--new-log", "--customer", "C1", "--channel", "phone", "--at",
     "2026-11-26T11:00:00+08:00"],
    ["segment", "--now", "2026-11-23T00:00:00+08:00"],
    ["kpi", "--format", "csv"],
    ["frequency", "fit"],
    ["plan", "--now", "2026-11-23T00:00:00+08:00"],
])
def test_create_customers_where_the_library_can(unknown, tmp_path, cmd):
    c, e = unknown
    cmd = [a.replace("{log}", str(tmp_path / "g.db")) for a in cmd]
    r = run(*cmd, "--customers", c, "--events", e)
    assert r.returncode == 3 and "unknown customer 'C7'" in r.stderr, r.stderr
    r = run(*cmd, "--customers", c, "--events", e, "--create-customers")
    assert r.returncode in (0, 1), r.stderr  # guard check: 1 is a denial
    assert "unknown customer" not in r.stderr


def test_guard_checks_a_created_customer_in_the_policy_calendars_zone(unknown, tmp_path):
    c, e = unknown
    r = run("guard", "check", "--customers", c, "--events", e, "--create-customers", "--log", str(tmp_path / "g.db"),
            "--new-log", "--customer", "C7", "--channel", "phone", "--at", "2026-11-26T23:00:00+08:00",
            "--format", "json")
    assert r.returncode == 1, r.stderr
    row = json.loads(r.stdout)[0]
    assert row["rule"] == "quiet_hours.allowed"
    assert (row["at"], row["next_allowed"]) == ("2026-11-26T23:00:00+08:00", "2026-11-27T08:00:00+08:00")


@pytest.mark.parametrize("cmd", [["plan"], ["besttime"], ["segment"], ["simulate"], ["kpi"], ["frequency"],
                                 ["guard"], ["commitments", "extract"], ["commitments", "report"]])
def test_every_help_says_what_an_unknown_customer_does(cmd):
    text = " ".join(run(*cmd, "--help").stdout.split())
    assert ("not in --customers" in text or "not in it" in text), text
    assert "exit 3" in text
