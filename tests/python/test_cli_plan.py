"""`followup plan` and `followup simulate` on the sample data: the plan CSV of
docs/formats.md, best times inside their windows and the quiet hours, rule names
from the policy, suppressed/deferred files, a simulation without cap
violations, and positioned errors for bad input."""
import csv
import datetime as dt
import io
import os
import re
import subprocess

import pytest

import followup

CLI = os.environ.get("FU_CLI", "")
pytestmark = pytest.mark.skipif(not CLI, reason="followup tool not built")

NOW = "2026-11-23T00:00:00+08:00"
HEADER = ["customer_id", "due_from", "due_to", "best_at", "purpose", "channel", "priority", "rule", "reason"]


def run(*args):
    return subprocess.run([CLI, *args], capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def sample(srcdir):
    d = srcdir / "examples/sample/data"
    return str(d / "customers.csv"), str(d / "events.csv")


def parse_time(text):
    """An ISO 8601 time with its offset (the CLI writes the customer's local offset)."""
    t = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    assert t.tzinfo is not None, text
    return t


def policy_rule_names():
    """Every cadence step rule of the built-in policy (cadences.NAME.STEP)."""
    p = followup.policy_default()
    names = set()
    for i in range(p.get_length("cadences")):
        cad = p.get_key("cadences", i)
        steps = f"cadences.{cad}.steps"
        for j in range(p.get_length(steps)):
            names.add(f"cadences.{cad}.{p.get_key(steps, j)}")
    return names


def read_csv(text):
    rows = list(csv.reader(io.StringIO(text)))
    return rows[0], rows[1:]


@pytest.mark.parametrize("extra", [[], ["--no-besttime"]])
def test_plan_csv_on_the_sample(sample, extra):
    r = run("plan", "--customers", sample[0], "--events", sample[1], "--now", NOW, "--format", "csv", *extra)
    assert r.returncode == 0, r.stderr
    header, rows = read_csv(r.stdout)
    assert header == HEADER
    assert len(rows) > 10
    rules = policy_rule_names()
    now = parse_time(NOW)
    for row in rows:
        rec = dict(zip(header, row))
        due_from, due_to, best = (parse_time(rec[k]) for k in ("due_from", "due_to", "best_at"))
        # a contact whose window quiet hours or holidays close is made late, at
        # the first allowed instant after it (review s8 F8), and says so
        assert due_from <= best <= due_to or (best > due_to and "late: " in rec["reason"]), row
        assert now <= best < now + dt.timedelta(days=1), row  # default horizon: one day
        # local time (the written offset is the customer's): quiet hours 08:00-21:00
        if rec["priority"] != "urgent":  # the policy exempts urgent contacts from quiet hours
            minutes = best.hour * 60 + best.minute
            assert 8 * 60 <= minutes < 21 * 60, row
        for rule in rec["rule"].split("; "):
            assert rule in rules, rule
        assert rec["channel"] in ("phone", "sms", "email", "chat", "video", "visit")
        assert rec["priority"] in ("urgent", "high", "normal", "low")
        assert rec["reason"]
    if not extra:
        assert any("best hour by answer rate" in row[-1] for row in rows)
    else:
        assert not any("best hour by answer rate" in row[-1] for row in rows)
    assert re.search(r"\d+ customers, \d+ touchpoints due: \d+ planned", r.stderr)
    # every due touchpoint in exactly one state: the parts add up
    m = re.search(r"(\d+) touchpoints due: (\d+) planned, (\d+) merged into another contact, (\d+) suppressed, "
                  r"(\d+) deferred, (\d+) after the horizon, (\d+) already done; (\d+) late", r.stderr)
    assert m, r.stderr
    n = [int(x) for x in m.groups()]
    assert n[0] == sum(n[1:7]) and n[1] == len(rows)


def test_plan_writes_suppressed_and_deferred_with_reasons(sample, tmp_path):
    sup, dfr, out = tmp_path / "s.csv", tmp_path / "d.csv", tmp_path / "p.csv"
    r = run("plan", "--customers", sample[0], "--events", sample[1], "--now", NOW, "--horizon", "7d",
            "--agents", "1", "--calls-per-agent", "20", "--format", "csv", "--output", str(out),
            "--suppressed", str(sup), "--deferred", str(dfr))
    assert r.returncode == 0, r.stderr
    assert r.stdout == ""
    for path in (sup, dfr, out):
        assert b"\r" not in path.read_bytes(), path  # docs/formats.md: records end with LF
    for path, status in ((sup, "suppressed"), (dfr, "deferred")):
        header, rows = read_csv(path.read_text())
        assert header == HEADER + ["status", "status_rule"]
        assert rows, path
        for row in rows:
            rec = dict(zip(header, row))
            assert rec["status"] == status
            assert rec["status_rule"], row
            assert f"{status} by {rec['status_rule']}" in rec["reason"] or status == "deferred", row
    _, deferred = read_csv(dfr.read_text())
    assert any(row[-1] == "capacity.calls_per_agent_day" for row in deferred)
    # 20 calls a day: no day of the plan has more agent-channel contacts
    header, planned = read_csv(out.read_text())
    per_day = {}
    for row in planned:
        rec = dict(zip(header, row))
        if rec["channel"] in ("phone", "video", "chat", "visit"):
            day = parse_time(rec["best_at"]).astimezone(dt.timezone(dt.timedelta(hours=8))).date()
            per_day[day] = per_day.get(day, 0) + 1
    assert per_day and max(per_day.values()) <= 20


def test_simulate_the_sample_measured_by_the_kpi_engine(sample):
    r = run("simulate", "--customers", sample[0], "--events", sample[1], "--from", "2026-10-01T00:00:00+08:00",
            "--to", NOW, "--format", "csv")
    assert r.returncode == 0 and "caps were broken" not in r.stderr, r.stderr
    header, rows = read_csv(r.stdout)
    values = {row[0]: row[1] for row in rows}
    # Since issue 14 coverage, SLA and cap violations come from the KPI engine
    # (docs/kpi.md). Coverage is strict: customer-weeks due (cadence windows)
    # contacted in every due window, 135 of 186 (was 298 of 300 customers with
    # "any one contact", the 0.99 that issue 18 showed to be meaningless).
    # `over_contact` is given each contact's priority (issue 18), so the 2
    # high-priority contacts the planner rightly let past the normal/low-only
    # caps do not count (2 when the KPI saw every contact as normal).
    assert values["cap_violations"] == "0"
    assert int(values["steps"]) == 53
    # 833 before review s6: 2 steps are no longer merged into a contact that
    # would have delayed them or had no allowed instant (docs/planner.md, Merging);
    # 835 before review s7: + 3 calls made late (National Day, the agents' hours)
    # that the runs after their windows no longer drop (F15, F2);
    # 838 and 135 of 186 covered before review s8: + 29 contacts of windows a
    # daily step missed, now overdue (F14; without it 841), + 3 contacts quiet
    # hours no longer suppress but make late (F8; without it 867); the course
    # end's before_end steps known ahead (F16) cover one more customer-week
    # (without F16: 135); 867 before review s8b: steps made late to one
    # instant merge into one contact (docs/planner.md, Merging), 2 fewer
    assert int(values["contacts"]) == 865
    assert (values["customers_due"], values["customers_contacted"]) == ("186", "136")
    assert float(values["coverage"]) == pytest.approx(136 / 186, abs=1e-4)


def test_simulate_sla_attainment_needs_steps_shorter_than_the_response_times(sample):
    """Daily steps see an issue only at the next midnight: same-day and 2 h
    responses are late; hourly steps answer them in time (docs/planner.md)."""
    values = {}
    for step in ("1d", "1h"):
        r = run("simulate", "--customers", sample[0], "--events", sample[1], "--from", "2026-10-01T00:00:00+08:00",
                "--to", NOW, "--format", "csv", "--step", step)
        assert r.returncode == 0, r.stderr  # no cap violations, see the test above
        _, rows = read_csv(r.stdout)
        values[step] = {row[0]: row[1] for row in rows}
        assert ("SLA attainment is understated" in r.stderr) == (step == "1d"), r.stderr
    assert values["1d"]["sla_due"] == values["1h"]["sla_due"] != "0"
    assert float(values["1h"]["sla_attainment"]) > 0.5
    assert float(values["1h"]["sla_attainment"]) > float(values["1d"]["sla_attainment"])
    assert values["1h"]["cap_violations"] == "0"  # see the test above


def test_missing_file_is_an_input_error(sample):
    r = run("plan", "--customers", "/nonexistent/customers.csv", "--events", sample[1], "--now", NOW)
    assert r.returncode == 3
    assert "/nonexistent/customers.csv" in r.stderr


def test_timestamp_without_offset_names_file_line_and_column(tmp_path, sample):
    ev = tmp_path / "events.csv"
    ev.write_text("customer_id,at,kind\nC00001,2026-11-20T10:00:00+08:00,delivery\nC00001,2026-11-21T10:00:00,inquiry\n")
    r = run("plan", "--customers", sample[0], "--events", str(ev), "--now", NOW)
    assert r.returncode == 3
    assert f"{ev}:3:8: at:" in r.stderr
    assert "offset" in r.stderr
    r = run("plan", "--customers", sample[0], "--events", sample[1], "--now", "2026-11-23T00:00:00")
    assert r.returncode == 2
    assert "--now" in r.stderr


def test_plan_help_mentions_no_besttime():
    r = run("plan", "--help")
    assert r.returncode == 0
    assert "--no-besttime" in r.stdout


@pytest.mark.parametrize("fmt", ["csv", "json", "table"])
def test_plan_times_in_every_zone_past_64_zones(tmp_path, fmt):
    """Each time is written in its customer's offset however many zones the
    plan has (the tool used to fall back to UTC after its 64th zone)."""
    import json
    import zoneinfo
    zones = sorted(z for z in zoneinfo.available_timezones()
                   if z.startswith(("America/", "Asia/", "Europe/", "Africa/")))[:90]
    assert len(zones) == 90
    at = dt.datetime(2026, 3, 2, 12, 0, tzinfo=dt.timezone.utc)  # a Monday
    (tmp_path / "c.csv").write_text("customer_id,tz,consent_phone\n" +
                                    "".join(f"K{i:03d},{z},yes\n" for i, z in enumerate(zones)))
    (tmp_path / "e.csv").write_text("customer_id,at,kind\n" +
                                    "".join(f"K{i:03d},2026-03-02T12:00:00Z,delivery\n" for i in range(len(zones))))
    r = run("plan", "--customers", str(tmp_path / "c.csv"), "--events", str(tmp_path / "e.csv"),
            "--now", "2026-03-02T12:00:00Z", "--horizon", "10d", "--no-besttime", "--format", fmt, "--long")
    assert r.returncode == 0, r.stderr
    if fmt == "csv":
        rows = [(x["customer_id"], x["best_at"]) for x in csv.DictReader(io.StringIO(r.stdout))]
    elif fmt == "json":
        rows = [(x["customer_id"], x["best_at"]) for x in json.loads(r.stdout)]
    else:
        rows = [(m.group(1), m.group(2)) for m in
                re.finditer(r"^(K\d{3})\s.*?(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:[+-]\d\d:\d\d|Z))", r.stdout, re.M)]
    seen = set()
    for cid, best in rows:
        t = parse_time(best)
        want = zoneinfo.ZoneInfo(zones[int(cid[1:])]).utcoffset(t.replace(tzinfo=None))
        assert t.utcoffset() == want, (cid, zones[int(cid[1:])], best)
        seen.add(cid)
    assert len(seen) > 64, len(seen)
