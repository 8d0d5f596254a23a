"""The examples run and do what they say (issue 9)."""
import os
import pathlib
import subprocess

import pytest

BUILD = pathlib.Path(os.environ.get("FU_BUILD_DIR", "build"))


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=600, **kw)


def test_c_crm_integration_feeds_events_and_plans():
    exe = BUILD / "examples" / "example_crm_integration"
    if not exe.exists():
        pytest.skip("examples not built")
    r = run([str(exe)])
    assert r.returncode == 0, r.stderr
    out = r.stdout
    # the delivery creates the first contact (within 48 h) and the second (7-15 days)
    assert "new        C-1001 2026-11-22T15:30:00+08:00 .. 2026-11-24T15:30:00+08:00" in out
    assert "[cadences.delivery.second_contact]" in out
    # the urgent repair creates the 2h-24h-72h series
    for step in ("first_check", "second_check", "survey"):
        assert f"[cadences.urgent_fault.{step}]" in out
    # the answered call cancels the pending first contact
    assert "cancelled  C-1001" in out and "[cadences.delivery.first_contact]" in out
    # tomorrow's plan is the plan CSV
    plan = out.split("tomorrow's plan:\n", 1)[1]
    assert plan.startswith("customer_id,due_from,due_to,best_at,purpose,channel,priority,rule,reason\n")
    assert "cadences.urgent_fault.second_check" in plan
