"""Review s7 F15, numeric capacity: daily `followup plan --horizon 1d --agents N`
runs, each day's planned calls fed back as contacts (as a CRM records them),
lose no first contact that the capacity deferred past its window.

30 deliveries Mon 2026-11-23 08:00 +08:00 (first contact due within 48 h, to
Wed 08:00), 1 agent x 9 calls a day, runs at 08:00 each day. Hand count: the
runs of 11-23, 11-24, 11-25 plan 9 each (21, 12, 3 deferred to the next
day); the 11-26 run finds the last 3 windows passed: the old planner said
"0 touchpoints due" and never planned them (27 of 30), now they are due,
overdue, and planned (30 of 30, each once)."""
import csv
import io
import os
import subprocess

import pytest

CLI = os.environ.get("FU_CLI", "")
pytestmark = pytest.mark.skipif(not CLI, reason="followup tool not built")


def test_daily_runs_with_numeric_capacity_plan_every_deferred_contact(tmp_path):
    c, e = tmp_path / "c.csv", tmp_path / "e.csv"
    ids = [f"C{i:02d}" for i in range(1, 31)]
    c.write_text("customer_id,tz\n" + "".join(f"{i},Asia/Shanghai\n" for i in ids))
    events = ["customer_id,at,kind,order_id,product_class,channel,outcome"]
    events += [f"{i},2026-11-23T08:00:00+08:00,delivery,O{i},mid_price,," for i in ids]
    made, per_day, due = {}, [], []
    for day in range(23, 29):
        e.write_text("\n".join(events) + "\n")
        r = subprocess.run([CLI, "plan", "--customers", str(c), "--events", str(e), "--now",
                            f"2026-11-{day}T08:00:00+08:00", "--horizon", "1d", "--agents", "1",
                            "--calls-per-agent", "9", "--no-besttime", "--format", "csv"],
                           capture_output=True, text=True, timeout=120)
        assert r.returncode == 0, r.stderr
        due.append(int(r.stderr.split(" touchpoints due")[0].split()[-1]))
        rows = [x for x in csv.DictReader(io.StringIO(r.stdout)) if x["rule"].endswith("first_contact")]
        per_day.append(len(rows))
        for x in rows:
            made[x["customer_id"]] = made.get(x["customer_id"], 0) + 1
            events.append(f"{x['customer_id']},{x['best_at']},contact,,,phone,answered")
            if day == 26:
                assert "overdue" in x["reason"], x["reason"]
    assert per_day == [9, 9, 9, 3, 0, 0]
    assert due[:4] == [30, 30, 30, 3]
    assert sorted(made) == ids and set(made.values()) == {1}
