"""fu_guard and fu_contact_log from Python: a context manager, string enums,
the decision with its rule and next allowed instant, and the CLI faces."""
import csv
import io
import json
import os
import pathlib
import signal
import stat
import subprocess

import pytest

import followup


def t(text):
    return followup.time_parse(text)


@pytest.fixture()
def world():
    policy = followup.policy_default()
    book = followup.Book()
    book.read_customers_text(
        "customer_id,tz,first_purchase_at,consent_phone,consent_sms,consent_email\n"
        "A,Asia/Shanghai,2025-06-01T10:00:00+08:00,yes,yes,no\n")
    book.finalize()
    return policy, book


def test_check_record_and_the_min_gap(world, tmp_path):
    policy, book = world
    path = str(tmp_path / "contacts.db")
    with followup.ContactLog(path) as log, followup.Guard(policy, book, log) as guard:
        d = guard.check("A", "phone", t("2026-03-10T10:00:00+08:00"))
        assert d.allowed and d.rule == "" and d.reason == ""
        guard.record("A", t("2026-03-10T10:00:00+08:00"), "phone", "answered", agent_id="ag7",
                     rule="cadences.delivery.first_contact", duration=95)
        d = guard.check("A", "sms", t("2026-03-10T15:00:00+08:00"))
        assert not d.allowed
        assert d.rule == "caps.min_gap"
        assert d.next_allowed_epoch == t("2026-03-11T10:00:00+08:00")
        assert "2026-03-11T10:00:00+08:00" in d.reason
        assert guard.check("A", "email", t("2026-03-12T10:00:00+08:00")).rule == "customer.consent_email"
        rows = list(csv.DictReader(io.StringIO(log.csv())))
        assert len(rows) == 1 and rows[0]["outcome"] == "answered" and rows[0]["agent_id"] == "ag7"
        assert rows[0]["duration"] == "95"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    # closed handles raise instead of crashing
    with pytest.raises(followup.StateError):
        guard.check("A", "phone", t("2026-03-10T10:00:00+08:00"))
    with pytest.raises(followup.StateError):
        log.count()
    # a new guard over the same file remembers
    with followup.ContactLog(path) as log2, followup.Guard(policy, book, log2) as g2:
        assert g2.check("A", "phone", t("2026-03-10T18:00:00+08:00")).rule == "caps.min_gap"


def test_bad_input_is_a_clear_error(world):
    policy, book = world
    with followup.ContactLog() as log, followup.Guard(policy, book, log) as guard:
        with pytest.raises(followup.ParseError, match="fax"):
            guard.check("A", "fax", 0)
        with pytest.raises(followup.ParseError, match="hung_up"):
            guard.record("A", t("2026-03-10T10:00:00+08:00"), "phone", "hung_up")
        with pytest.raises(followup.NotFoundError, match="nobody"):
            guard.record("nobody", t("2026-03-10T10:00:00+08:00"), "phone", "answered")
        with pytest.raises(followup.InvalidArgumentError, match="callback_at"):
            guard.record("A", t("2026-03-10T10:00:00+08:00"), "phone", "callback_requested")
        assert log.count() == 0
        d = guard.check("nobody", "phone", t("2026-03-10T10:00:00+08:00"))
        assert not d.allowed and d.rule == "guard.unknown_customer"
    with followup.ContactLog() as log, followup.Guard(policy, book, log, unknown="allow") as guard:
        assert guard.check("nobody", "phone", t("2026-03-10T10:00:00+08:00")).allowed


def test_callback_and_redial(world):
    policy, book = world
    with followup.Guard(policy, book) as guard:
        guard.record("A", t("2026-03-10T10:00:00+08:00"), "phone", "callback_requested", rule="r",
                     callback_at=t("2026-03-10T15:00:00+08:00"))
        d = guard.check("A", "phone", t("2026-03-10T11:00:00+08:00"), rule="r")
        assert (d.rule, d.next_allowed_epoch) == ("redial.callback", t("2026-03-10T15:00:00+08:00"))
        assert guard.check("A", "phone", t("2026-03-10T15:00:00+08:00"), rule="r").allowed


def test_best_time_model_files(world, tmp_path):
    policy, book = world
    m = followup.BestTime(policy, book)
    path = str(tmp_path / "bt.model")
    followup.besttime_save(m, path)
    followup.besttime_load(m, path)
    with open(path, "a") as f:
        f.write("junk\n")
    with pytest.raises(followup.ParseError):
        followup.besttime_load(m, path)


def test_customer_base_models_from_a_notebook_to_a_crm(tmp_path):
    path = str(tmp_path / "cb.model")
    followup.model_params_save(path, bgnbd=followup.BgNbd(0.2426, 4.414, 0.7929, 2.426),
                               gammagamma=followup.GammaGamma(6.25, 3.74, 15.44))
    m = followup.model_params_load(path)
    assert m.pareto() is None
    b = m.bgnbd()
    assert (b.r, b.alpha, b.a, b.b) == (0.2426, 4.414, 0.7929, 2.426)
    assert m.gammagamma().gamma == 15.44
    with open(path) as f:
        text = f.read()
    with open(path, "w") as f:
        f.write(text.replace("customer-base 1", "customer-base 2"))
    with pytest.raises(followup.ParseError, match="newer"):
        followup.model_params_load(path)


def cli(*args):
    exe = os.environ.get("FU_CLI")
    if not exe:
        pytest.skip("no CLI")
    return subprocess.run([exe, "guard", *args], capture_output=True, text=True)


def test_cli_check_record_log(tmp_path):
    cust = tmp_path / "customers.csv"
    cust.write_text("customer_id,tz,consent_phone\nA,Asia/Shanghai,yes\n")
    log = str(tmp_path / "log.db")
    base = ["--customers", str(cust), "--log", log]
    r = cli("check", *base, "--customer", "A", "--channel", "phone", "--at", "2026-03-10T10:00:00+08:00",
            "--format", "json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)[0]["allowed"] == "yes"
    r = cli("record", *base, "--customer", "A", "--channel", "phone", "--outcome", "no_answer",
            "--at", "2026-03-10T10:00:00+08:00", "--rule", "r1")
    assert r.returncode == 0, r.stderr
    r = cli("check", *base, "--customer", "A", "--channel", "phone", "--at", "2026-03-10T11:00:00+08:00",
            "--rule", "r1")
    assert r.returncode == 1
    # an unanswered attempt: spaced by the policy's redial.no_answer.retry_after
    # (2 business hours), not by the min gap
    assert "redial.retry_after" in r.stdout and "2026-03-10T12:00:00+08:00" in r.stdout
    r = cli("log", "--log", log, "--format", "csv")
    assert r.returncode == 0
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert rows[0]["outcome"] == "no_answer" and rows[0]["rule"] == "r1"
    r = cli("record", "--log", log, "--customer", "A", "--channel", "fax", "--outcome", "answered")
    assert r.returncode == 2 and "fax" in r.stderr
    r = cli("check", "--log", log, "--customer", "A", "--channel", "phone")
    assert r.returncode == 2 and "--customers" in r.stderr


def _dialer(srcdir, state, step=False, **kw):
    build = pathlib.Path(os.environ.get("FU_BUILD_DIR", "build"))
    lua_dir = build / "lua"
    if not (lua_dir / "followup.so").exists():
        pytest.skip("Lua binding not built")
    env = dict(os.environ, LUA_CPATH=f"{lua_dir}/?.so")
    env.pop("FU_DIALER_STEP", None)
    if step:
        env["FU_DIALER_STEP"] = "1"
    cmd = ["lua5.4", str(srcdir / "examples/lua/dialer_plugin.lua"), str(srcdir / "examples/sample/data"),
           str(state)]
    return subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)


def _log_rows(path):
    with followup.ContactLog(str(path), readonly=True) as log:
        rows = list(csv.DictReader(io.StringIO(log.csv())))
    return [(r["customer_id"], r["at"], r["channel"], r["outcome"], r["rule"], r["callback_at"]) for r in rows]


@pytest.mark.parametrize("kill_after", [1, 17, 45])
def test_dialer_killed_mid_run_resumes_with_nothing_lost(srcdir, tmp_path, kill_after):
    clean, crashed = tmp_path / "clean", tmp_path / "crashed"
    clean.mkdir()
    crashed.mkdir()
    p = _dialer(srcdir, clean)
    out, err = p.communicate(timeout=300)
    assert p.returncode == 0, err
    want = _log_rows(clean / "contacts.db")
    assert len(want) > kill_after + 5

    # kill the dialer after its `kill_after`-th call: in step mode it waits for
    # a line on stdin after each call, so the kill lands mid-run for sure
    p = _dialer(srcdir, crashed, stdin=subprocess.PIPE, step=True)
    seen = 0
    for line in p.stdout:
        if line.startswith("dial "):
            seen += 1
            if seen == kill_after:
                p.send_signal(signal.SIGKILL)
                break
            p.stdin.write("\n")
            p.stdin.flush()
    p.wait(timeout=60)
    assert p.returncode == -signal.SIGKILL
    got = _log_rows(crashed / "contacts.db")
    assert len(got) == kill_after
    assert got == want[:len(got)]

    # restart: it resumes, redials nothing twice and loses nothing
    p = _dialer(srcdir, crashed)
    out2, err = p.communicate(timeout=300)
    assert p.returncode == 0, err
    assert _log_rows(crashed / "contacts.db") == want
    assert out2.splitlines()[-1] == out.splitlines()[-1]


def test_c_crm_example_checks_inside_its_handler(tmp_path):
    build = pathlib.Path(os.environ.get("FU_BUILD_DIR", "build"))
    exe = build / "examples" / "example_crm_guard"
    if not exe.exists():
        pytest.skip("examples not built")
    log = tmp_path / "crm.db"
    r = subprocess.run([str(exe), str(log)], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    answers = [json.loads(l.split("-> ", 1)[1]) for l in r.stdout.splitlines() if l.startswith("  -> ")]
    assert answers[0]["allowed"] is True
    assert answers[1] == {"status": 201}
    assert (answers[2]["rule"], answers[2]["next_allowed"]) == ("caps.min_gap", "2026-03-11T02:00:00Z")
    assert answers[3]["rule"] == "customer.consent_email" and answers[3]["next_allowed"] == "never"
    assert answers[4]["rule"] == "customer.dnd_windows"
    assert answers[5]["rule"] == "quiet_hours.allowed"
    assert answers[6]["rule"] == "guard.unknown_customer"
    assert answers[7]["status"] == 400 and "fax" in answers[7]["error"]
    with followup.ContactLog(str(log), readonly=True) as l:
        assert l.count() == 1
