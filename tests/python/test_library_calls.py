"""Library calls that only the followup tool had (issue 14, item 5), from
Python: a policy calendar's rules in another zone, the owner and agent
columns of the plan CSV, the segmentation pipeline."""
import os
import subprocess

import numpy as np
import pytest

import followup


def t(text):
    return followup.time_parse(text)


def test_calendar_in_zone_keeps_the_hours_not_the_holidays():
    p = followup.policy_default()
    berlin = p.calendar_in_zone("Europe/Berlin")
    assert berlin.tzid() == "Europe/Berlin"
    assert berlin.is_open(t("2026-10-01T10:00:00+02:00"))       # no Chinese holiday
    assert not berlin.is_open(t("2026-10-01T12:30:00+02:00"))   # lunch, Berlin time
    cn = p.calendar_in_zone("Asia/Shanghai", "cn")
    assert not cn.is_open(t("2026-10-01T10:00:00+08:00"))       # National Day
    with pytest.raises(followup.TimeZoneError):
        p.calendar_in_zone("Mars/Olympus")
    with pytest.raises(followup.NotFoundError):
        p.calendar_in_zone("UTC", "nope")


def test_plan_csv_owner_and_agent_columns():
    b = followup.Book()
    b.read_customers_text("customer_id,tz,consent_phone\nK1,Asia/Shanghai,yes\n", "c.csv")
    b.read_events_text("customer_id,at,kind\nK1,2026-03-02T12:00:00Z,delivery\n", "e.csv")
    b.finalize()
    plan = followup.Planner(followup.policy_default(), b).plan(t("2026-03-02T12:00:00Z"), 10 * 86400)
    head = plan.csv(with_owner=True, with_agent=True).splitlines()[0]
    assert head.endswith(",reason,owner,agent")
    assert plan.csv().splitlines()[0].endswith(",rule,reason")


def test_segment_run_is_the_tools_pipeline(srcdir, tmp_path):
    import math
    d = (srcdir / "examples/sample/data").resolve()
    b = followup.Book()
    b.read_customers_csv(str(d / "customers.csv"))
    b.read_events_csv(str(d / "events.csv"))
    b.finalize()
    rules = followup.segment_rules_from_policy(followup.policy_default())
    run = followup.segment_run(b, rules)
    assert run.count() == b.customer_count()
    assert run.has_clv()
    p = list(run.p_alive())
    assert len(p) == run.count() and all(0 < v <= 1 for v in p if not math.isnan(v))
    text = run.csv(b, False)
    assert text.splitlines()[0] == ("customer_id,tier,lifecycle,r,f,m,p_alive,expected_purchases,clv,"
                                    "segment,rule,handling")
    assert len(text.splitlines()) == run.count() + 1
    out = tmp_path / "seg.csv"
    run.write_csv(b, str(out))
    assert out.read_text() == text
    with pytest.raises(followup.InvalidArgumentError):
        followup.segment_run(b, rules, model=7)
    cli = os.environ.get("FU_CLI")
    if cli:  # the tool's segment CSV is this one, byte for byte
        r = subprocess.run([cli, "segment", "--customers", str(d / "customers.csv"), "--events",
                            str(d / "events.csv")], capture_output=True, text=True, timeout=300)
        assert r.returncode == 0, r.stderr
        assert r.stdout == text


def test_notes_reader(srcdir):
    notes = followup.notes_read_csv_text(
        "extra,note,at,customer_id\n1,\"within 2 days, promised\",2026-01-01T10:00:00+08:00,C1\n"
        "2,,2026-01-02T00:00:00Z,C2\n", "n.csv")
    assert notes.count() == 2
    assert list(notes.customer_ids()) == ["C1", "C2"]
    assert list(notes.texts()) == ["within 2 days, promised", ""]
    assert list(notes.ats_epoch()) == [1767232800, 1767312000]
    assert notes.ats().tolist() == np.array([1767232800, 1767312000], dtype="datetime64[s]").astype(
        "datetime64[ns]").tolist()
    assert list(notes.lines()) == [2, 3]
    with pytest.raises(followup.ParseError) as e:
        followup.notes_read_csv_text("customer_id,at,note\nC1,soon,x\n", "n.csv")
    assert (e.value.source, e.value.line, e.value.column, e.value.path) == ("n.csv", 2, 4, "at")
    sample = followup.notes_read_csv(str((srcdir / "examples/sample/data/notes.csv").resolve()))
    assert sample.count() == 94 and sample.customer_ids()[0] == "C00162"
