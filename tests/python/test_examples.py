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


def test_lua_dialer_plugin_asks_before_each_dial(srcdir):
    lua_dir = BUILD / "lua"
    if not (lua_dir / "followup.so").exists():
        pytest.skip("Lua binding not built")
    env = dict(os.environ, LUA_CPATH=f"{lua_dir}/?.so")
    r = run(["lua5.4", str(srcdir / "examples/lua/dialer_plugin.lua"),
             str(srcdir / "examples/sample/data")], env=env)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    # it dials from the plan, redials an unanswered call when the guard allows
    # it, makes a requested call-back at its time, and stops on the rules
    assert any(l.startswith("dial ") and l.endswith("-> answered") for l in lines)
    assert any(l.startswith("stop ") and ("(caps." in l or "(redial." in l) for l in lines)
    assert any("-> callback_requested" in l for l in lines)
    assert lines[-1].startswith("done: 40 touchpoints")
    # the crash-and-resume test is in test_guard.py


def test_python_notebook_executes(srcdir, tmp_path):
    pytest.importorskip("nbconvert")
    pytest.importorskip("matplotlib")
    nb = srcdir / "examples/python/tour.ipynb"
    # the notebook's own defaults (../sample/data, ../data): only the shipped files
    env = {k: v for k, v in os.environ.items()
           if k not in ("FU_SAMPLE_DIR", "FU_DATA_DIR", "FU_TEST_DATADIR")}
    env.update(FU_NOTEBOOK_OUT=str(tmp_path), PYDEVD_DISABLE_FILE_VALIDATION="1")
    r = run([os.sys.executable, "-m", "nbconvert", "--to", "notebook", "--execute",
             "--ExecutePreprocessor.timeout=600", str(nb), "--output-dir", str(tmp_path),
             "--output", "tour-run.ipynb"], env=env, cwd=str(nb.parent))
    assert r.returncode == 0, r.stderr[-3000:]
    for png in ("tour_besttime.png", "tour_cdnow_palive.png", "tour_plan.png", "tour_kpi.png"):
        data = (tmp_path / png).read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 5000
    out = (tmp_path / "tour-run.ipynb").read_text()
    # it fits CDNOW from examples/data (never "skipped"), plans and shows KPIs
    assert "CDNOW: 2357 customers, r=0.243 alpha=4.414 a=0.793 b=2.426" in out
    assert "skipped" not in out and "not found" not in out
    assert "planned touchpoints for 300 customers" in out
    assert "coverage" in out and "csat" in out


def test_notebook_reads_only_shipped_files(srcdir):
    """No path in the notebook leaves the repository (issue 17 item 6)."""
    text = (srcdir / "examples/python/tour.ipynb").read_text()
    assert "shared" not in text and "../../" not in text
    assert '"../data"' in text.replace("\\", "")
