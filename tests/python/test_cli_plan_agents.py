"""`followup plan --agents FILE`: the agents CSV names the agent of every
agent contact (agent column); `--agents N` stays a number of agents.
Expected agents worked out by hand (tests/test_planner_agents.c)."""
import csv
import io
import pytest

from fu_helpers import CLI, run_cli as run

pytestmark = pytest.mark.skipif(not CLI, reason="followup tool not built")

CUSTOMERS = ("customer_id,tz,consent_phone,owner\n"
             "K1,Asia/Shanghai,yes,A2\nK2,Asia/Shanghai,yes,\nK3,Asia/Shanghai,yes,\n")
EVENTS = "customer_id,at,kind\n" + "".join(f"K{i},2026-03-07T10:00:00+08:00,delivery\n" for i in (1, 2, 3))
AGENTS = ("agent_id,team,skills,shift,tz,calls_per_day\n"
          "A1,care,phone,Mon-Fri 09:00-18:00,Asia/Shanghai,\n"
          "A2,care,phone,Mon-Fri 09:00-18:00,Asia/Shanghai,\n")


def test_plan_with_agents(tmp_path):
    for name, text in (("c.csv", CUSTOMERS), ("e.csv", EVENTS), ("a.csv", AGENTS)):
        (tmp_path / name).write_text(text)
    args = ["plan", "--customers", str(tmp_path / "c.csv"), "--events", str(tmp_path / "e.csv"),
            "--now", "2026-03-07T10:00:00+08:00", "--horizon", "3d", "--no-besttime", "--format", "csv"]
    r = run(*args, "--agents", "2")
    assert r.returncode == 0, r.stderr
    assert "agent" not in r.stdout.splitlines()[0].split(",")
    r = run(*args, "--agents", str(tmp_path / "a.csv"))
    assert r.returncode == 0, r.stderr
    rows = {x["customer_id"]: x for x in csv.DictReader(io.StringIO(r.stdout))}
    # Saturday: nobody on shift; every call moves to Monday 09:00
    assert {x["best_at"] for x in rows.values()} == {"2026-03-09T09:00:00+08:00"}
    assert rows["K1"]["agent"] == "A2"  # the customer's owner
    assert rows["K2"]["agent"] == "A1" and rows["K3"]["agent"] == "A1"  # then the least loaded, file order
    assert "agents.shift" in rows["K2"]["reason"]
    (tmp_path / "bad.csv").write_text("agent_id,shift\nA1,Mon 09:00-25:00\n")
    r = run(*args, "--agents", str(tmp_path / "bad.csv"))
    assert r.returncode == 3 and "bad.csv:2" in r.stderr, r.stderr


def test_plan_with_clv(tmp_path):
    """--clv FILE: channels.by_clv makes the low-CLV second contact an SMS."""
    (tmp_path / "c.csv").write_text("customer_id,tz,consent_phone,consent_sms\n"
                                    "K1,Asia/Shanghai,yes,yes\nK2,Asia/Shanghai,yes,yes\n")
    # the first contacts made on 03-03 (else, since review s8 F14, still due,
    # overdue, high priority, merged with the second contact: a call)
    (tmp_path / "e.csv").write_text("customer_id,at,kind\nK1,2026-03-02T10:00:00+08:00,delivery\n"
                                    "K2,2026-03-02T10:00:00+08:00,delivery\n"
                                    "K1,2026-03-03T10:00:00+08:00,contact\nK2,2026-03-03T10:00:00+08:00,contact\n")
    (tmp_path / "clv.csv").write_text("customer_id,clv\nK1,100\nK2,9000\n")
    r = run("plan", "--customers", str(tmp_path / "c.csv"), "--events", str(tmp_path / "e.csv"),
            "--now", "2026-03-09T10:00:00+08:00", "--no-besttime", "--format", "csv",
            "--clv", str(tmp_path / "clv.csv"))
    assert r.returncode == 0, r.stderr
    rows = {x["customer_id"]: x for x in csv.DictReader(io.StringIO(r.stdout))}
    assert rows["K1"]["channel"] == "sms" and "channels.by_clv: CLV 100 below 9000" in rows["K1"]["reason"]
    assert rows["K2"]["channel"] == "phone" and "one-to-one" in rows["K2"]["reason"]
