"""CLI regressions from the outside review of session 7, planner findings
F15 (late contacts lost in daily runs), F2 (per-hour agent limit vs team
hours), F16 (agents CSV without tz) and F1 (a repaired fault escalated).
Small hand-made books, built-in policy; expected values worked out by hand
(National Day 2026: Thu 10-01 .. Wed 10-07)."""
import csv
import io

import pytest
from fu_helpers import CLI, run_cli as run

pytestmark = pytest.mark.skipif(not CLI, reason="followup tool not built")


def plan(tmp_path, customers, events, now, horizon="1d", agents=None, *extra):
    c = tmp_path / "c.csv"
    e = tmp_path / "e.csv"
    c.write_text(customers)
    e.write_text(events)
    args = ["plan", "--customers", str(c), "--events", str(e), "--now", now, "--horizon", horizon,
            "--format", "csv", "--no-besttime", "--later", str(tmp_path / "later.csv"), *extra]
    if agents is not None:
        a = tmp_path / "a.csv"
        a.write_text(agents)
        args += ["--agents", str(a)]
    r = run(*args)
    assert r.returncode == 0, r.stderr
    later = list(csv.DictReader(open(tmp_path / "later.csv", encoding="utf-8")))
    return list(csv.DictReader(io.StringIO(r.stdout))), later, r.stderr


def test_daily_runs_over_national_day_plan_the_late_first_contact(tmp_path):
    """F15: the old planner said "0 touchpoints due" from the 10-05 run on."""
    cust = "customer_id,tz\nC2,Asia/Shanghai\n"
    ev = "customer_id,at,kind,order_id,product_class\nC2,2026-10-02T10:00:00+08:00,delivery,O2,mid_price\n"
    for day in ("05", "06", "07"):
        rows, later, err = plan(tmp_path, cust, ev, f"2026-10-{day}T00:00:00+08:00")
        first = [r for r in later if r["rule"] == "cadences.delivery.first_contact"]
        assert len(first) == 1, (day, err)
        assert first[0]["best_at"] == "2026-10-08T08:00:00+08:00"
        assert "overdue" in first[0]["reason"]
    rows, later, err = plan(tmp_path, cust, ev, "2026-10-08T00:00:00+08:00")
    first = [r for r in rows if r["rule"] == "cadences.delivery.first_contact"]
    assert [r["best_at"] for r in first] == ["2026-10-08T08:00:00+08:00"]
    # made on 10-08 (fed back as an answered contact): not planned again
    ev2 = ("customer_id,at,kind,order_id,product_class,channel,outcome\n"
           "C2,2026-10-02T10:00:00+08:00,delivery,O2,mid_price,,\n"
           "C2,2026-10-08T08:05:00+08:00,contact,,,phone,answered\n")
    rows, later, err = plan(tmp_path, cust, ev2, "2026-10-09T00:00:00+08:00")
    assert not [r for r in rows + later if r["rule"] == "cadences.delivery.first_contact"]


def test_daily_runs_with_one_agent_make_every_first_contact(tmp_path):
    """F15 + F2: one agent, 9 calls a day, 30 deliveries due within 48 h; each
    day's planned calls are fed back as answered contacts. The old planner
    made 8 a day and lost 6 (the 11-26 run: "0 touchpoints due")."""
    cust = "customer_id,tz\n" + "".join(f"C{i:02d},Asia/Shanghai\n" for i in range(1, 31))
    events = ["customer_id,at,kind,order_id,product_class,channel,outcome\n"]
    events += [f"C{i:02d},2026-11-23T08:00:00+08:00,delivery,O{i},mid_price,,\n" for i in range(1, 31)]
    agents = "agent_id,shift,tz,calls_per_day\nA1,Mon-Fri 09:00-18:00,Asia/Shanghai,9\n"
    made = []
    for day in ("23", "24", "25", "26", "27"):
        rows, later, err = plan(tmp_path, cust, "".join(events), f"2026-11-{day}T08:00:00+08:00", "1d", agents)
        first = [r for r in rows if r["rule"] == "cadences.delivery.first_contact"]
        made.append(len(first))
        events += [f"{r['customer_id']},{r['best_at']},contact,,,phone,answered\n" for r in first]
        if day == "24":
            assert "late (holidays, quiet hours or agents)" in err
    assert made == [9, 9, 9, 3, 0]


def test_agents_without_tz_warn(tmp_path):
    """F16: shifts read in UTC meet the Beijing team hours for 60 minutes."""
    cust = "customer_id,tz\n" + "".join(f"C{i:02d},Asia/Shanghai\n" for i in range(1, 5))
    ev = "customer_id,at,kind,order_id,product_class\n" + "".join(
        f"C{i:02d},2026-11-23T08:00:00+08:00,delivery,O{i},mid_price\n" for i in range(1, 5))
    agents = "agent_id,shift,calls_per_day\nA1,Mon-Fri 09:00-18:00,40\nA2,Mon-Fri 09:00-18:00,40\n"
    rows, later, err = plan(tmp_path, cust, ev, "2026-11-23T08:00:00+08:00", "1d", agents)
    assert ("warning: agent A1 and others: the shift meets agents.team_hours for 60 minutes a day, "
            "calls_per_day needs 90") in err
    agents_tz = "agent_id,shift,tz,calls_per_day\nA1,Mon-Fri 09:00-18:00,Asia/Shanghai,40\n"
    rows, later, err = plan(tmp_path, cust, ev, "2026-11-23T08:00:00+08:00", "1d", agents_tz)
    assert "warning: agent" not in err


def test_repair_ends_the_fault_escalation_and_keeps_the_survey(tmp_path):
    """F1: VIP urgent fault 09:00, repair 10:00 of the same order."""
    cust = "customer_id,tz,annual_spend\nC1,Asia/Shanghai,600000\n"
    ev = ("customer_id,at,kind,order_id,product_class,unit_price,amount,severity\n"
          "C1,2026-10-20T10:00:00+08:00,purchase,O1,high_price,20000,20000,\n"
          "C1,2026-11-23T09:00:00+08:00,fault,O1,,,,urgent\n"
          "C1,2026-11-23T10:00:00+08:00,repair,O1,,,,urgent\n")
    rows, later, err = plan(tmp_path, cust, ev, "2026-11-23T10:00:00+08:00", "7d", None,
                            "--suppressed", str(tmp_path / "s.csv"))
    rules = "; ".join(r["rule"] for r in rows)
    assert "fault_escalation" not in rules
    assert "cadences.urgent_fault.survey" in rules
    assert "urgent_fault.survey" not in (tmp_path / "s.csv").read_text()
