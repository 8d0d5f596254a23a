"""Outside review, session 7: the Python findings F5, F7, F11, F12, F13, F14
and the policy byte order mark (F8)."""
import warnings

import numpy as np
import pandas as pd
import pytest

import followup
from fu_helpers import T, make_book

DELIVERY_BOOK = ("C1,Asia/Shanghai,20000,2026-02-25T10:00:00+08:00,,,yes,no,yes\n"
                 "C2,Asia/Shanghai,20000,2026-02-25T10:00:00+08:00,,,yes,no,yes\n",
                 "C1,2026-02-25T10:00:00+08:00,purchase,O1,,5000,5000,,,\n"
                 "C1,2026-03-02T10:00:00+08:00,delivery,O1,,5000,,,,\n"
                 "C2,2026-03-02T11:00:00+08:00,delivery,O2,,5000,,,,\n")


# ---- F7: an event's priority given as the Priority member or the flat constant ----
@pytest.mark.parametrize("given, stored", [
    (followup.PRIORITY_URGENT, "urgent"), (followup.Priority.URGENT, "urgent"), ("urgent", "urgent"),
    (followup.PRIORITY_HIGH, "high"), (followup.PRIORITY_NORMAL, "normal"), (followup.PRIORITY_LOW, "low"),
    (followup.EventPriority.LOW, "low"), (2, "high"), (0, "none")])  # a plain int: the field (priority + 1)
def test_event_priority_constants_mean_their_priority(given, stored):
    b = followup.Book()
    b.add_customer("C1", "Asia/Shanghai")
    b.add_event("C1", "2026-11-20T10:00:00+08:00", "inquiry", priority=given)
    b.finalize()
    assert b.event(0).priority == stored
    assert b.events_csv().splitlines()[1].endswith("," + ("" if stored == "none" else stored))


def test_event_priority_positional_and_batch():
    b = followup.Book()
    b.add_customer("C1", "UTC")
    b.add_event("C1", 9, followup.EVENT_CONTACT, "", "", 0, 0, 0, 0, "", 0, 0, 0, "", followup.PRIORITY_URGENT)
    b.finalize()
    batch = followup.EventBatch()
    batch.add("C1", 10, followup.EVENT_CONTACT, priority=followup.PRIORITY_HIGH)
    batch.add("C1", 11, followup.EVENT_CONTACT, priority=followup.Priority.LOW)
    b.append_events(batch)
    assert [str(b.event(i).priority) for i in range(3)] == ["urgent", "high", "low"]


def test_event_priority_reads_back_equal_to_the_constants():
    b = followup.Book()
    b.add_customer("C1", "UTC")
    b.add_event("C1", 10, "inquiry", priority="urgent")
    b.finalize()
    p = b.event(0).priority
    assert p == followup.PRIORITY_URGENT and p == followup.Priority.URGENT and p == "urgent"
    assert p != followup.PRIORITY_HIGH and p == followup.EventPriority.URGENT and int(p) == 1
    # the flat constants stay the ints they were
    assert followup.PRIORITY_URGENT == 0 and followup.PRIORITY_LOW == 3
    assert isinstance(followup.PRIORITY_HIGH, int)


# ---- F12: three-letter zone aliases ----
@pytest.mark.parametrize("tz", ["CST", "PST", "IST", "CTT"])
def test_legacy_three_letter_zone_refused(tz):
    with pytest.raises(followup.TimeZoneError, match=f"ambiguous time zone '{tz}'.*IANA id"):
        followup.Calendar(tz)
    b = followup.Book()
    with pytest.raises(followup.TimeZoneError, match="ambiguous"):
        b.add_customer("C1", tz)


def test_cst_names_both_candidates_and_iana_fixed_zones_stay():
    with pytest.raises(followup.TimeZoneError) as e:
        followup.Calendar("CST")
    assert "Asia/Shanghai" in str(e.value) and "America/Chicago" in str(e.value)
    for tz in ("EST", "UTC", "Asia/Shanghai", "America/Chicago", "PRC"):
        followup.Calendar(tz)


def test_legacy_zone_in_customers_csv_names_the_cell():
    with pytest.raises(followup.TimeZoneError) as e:
        followup.Book().read_customers_text("customer_id,tz\nC1,Asia/Shanghai\nC2,CST\n", "c.csv")
    assert (e.value.line, e.value.column) == (3, 4)


# ---- F8: a policy saved with a byte order mark ----
def test_policy_with_byte_order_mark(tmp_path):
    text = 'name: acme\r\nversion: "1"\r\n'
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode())
    pol = followup.policy_load_file(str(path))
    assert pol is not None
    bad = tmp_path / "bad.yaml"
    bad.write_bytes(b"\xef\xbb\xbfname: acme\nversion: [1\n")
    with pytest.raises(followup.Error) as e:
        followup.policy_load_file(str(bad))
    # positions count from after the mark; an error found at the end is placed
    # after the last character, not on a line past the end (review s11 L9)
    assert (e.value.line, e.value.column) == (2, 12)


# ---- F5: agents DataFrame with a missing calls_per_day ----
def test_set_agents_frame_with_missing_calls_per_day():
    book = make_book(*DELIVERY_BOOK)
    pl = followup.Planner(followup.policy_default(), book)
    frame = pd.DataFrame({"agent_id": ["A01", "A02"], "shift": ["Mon-Sun 09:00-18:00"] * 2,
                          "tz": ["Asia/Shanghai"] * 2, "calls_per_day": [40, np.nan]})
    assert frame["calls_per_day"].dtype == np.float64
    pl.set_agents(frame)
    plan = pl.plan(T("2026-03-02T12:00:00+08:00"), 2 * 86400)
    agents = {str(t.agent) for t in plan if t.status == "planned" and t.agent}
    assert agents and agents <= {"A01", "A02"}
    frac = frame.assign(calls_per_day=[40.5, 3.0])  # not whole: still refused by the agents reader
    with pytest.raises(followup.ParseError):
        pl.set_agents(frac)


# ---- F14: pandas.NA ----
def test_nullable_frames_into_clv_and_segments():
    book = make_book(*DELIVERY_BOOK)
    pl = followup.Planner(followup.policy_default(), book)
    clv = pd.DataFrame({"customer_id": ["C1", "C2"], "clv": [1200.5, None]}).convert_dtypes()
    assert str(clv["clv"].dtype) == "Float64"
    pl.set_clv(clv)
    pl.set_clv(pd.Series([pd.NA, 5], index=["C1", "C2"], dtype="Int64"))
    def by_segment(labels):
        k = followup.Kpi(followup.policy_default(), period="week", by="segment")
        k.add_book(book)
        k.set_segments(labels)
        k.compute()
        return k.to_dataframe()
    seg = pd.DataFrame({"customer_id": ["C1", "C2"], "segment": ["vip", pd.NA]}).astype({"segment": "string"})
    got = by_segment(seg)
    assert "vip" in set(got["group"].astype(str))
    pd.testing.assert_frame_equal(got, by_segment({"C1": "vip", "C2": None}))
    with pytest.raises(followup.InvalidArgumentError, match=r"customer 'C1': 'x' is not a CLV"):
        pl.set_clv(pd.Series(["x", pd.NA], index=["C1", "C2"]))


# ---- F11: add_due of plan_frame() equals add_due of the Plan ----
def test_add_due_frame_counts_only_planned_rows():
    book = make_book(*DELIVERY_BOOK)
    pl = followup.Planner(followup.policy_default(), book)
    plan = pl.plan(T("2026-03-02T12:00:00+08:00"), 14 * 86400)
    frame = followup.plan_frame(plan)
    frame = pd.concat([frame, frame.assign(status="suppressed")], ignore_index=True)

    def coverage(due):
        k = followup.Kpi(followup.policy_default(), period="week")
        k.add_book(book)
        k.add_due(due)
        k.compute()
        d = k.to_dataframe()
        return d[d["kpi"] == "coverage"][["period", "value", "n"]].values.tolist()
    assert coverage(frame) == coverage(plan)


# ---- F13: placeholder dates in the KPI frame ----
def test_kpi_frame_with_placeholder_dates_warns_not_raises():
    book = make_book(DELIVERY_BOOK[0], DELIVERY_BOOK[1] + "C2,0001-01-01T00:00:00+00:00,purchase,O9,,10,10,,,\n")
    k = followup.Kpi(followup.policy_default(), period="month")
    k.add_book(book)
    k.compute()
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        d = k.to_dataframe()
    assert any(issubclass(x.category, followup.FollowupWarning) and "placeholder" in str(x.message) for x in w)
    assert d["period_start"].isna().any() and d["period_start"].notna().any()
    assert (d["period"] == "0001-01").any()


# ---- F19: names in f-strings with a format spec, option messages in Python names ----
def test_enum_format_spec_formats_the_name():
    assert f"{followup.Channel.PHONE:>8}" == "   phone" and f"{followup.Priority.HIGH:<6}|" == "high  |"
    assert f"{followup.Channel.PHONE}" == "phone" and "%s" % followup.Channel.PHONE == "phone"


def test_option_messages_name_the_constructor():
    with pytest.raises(followup.InvalidArgumentError) as e:
        followup.Kpi(followup.policy_default(), period="week", from_="2026-10-01T00:00:00Z",
                     to="2026-09-01T00:00:00Z")
    assert str(e.value).startswith("Kpi(): ") and "fu_kpi_options" not in str(e.value)


# ---- F19 (d): the sensitivity table names the calls it ran with ----
def test_sensitivity_without_calls_names_the_policys_calls():
    import os
    import pathlib
    import subprocess
    cli = os.environ.get("FU_CLI", "")
    if not cli:
        pytest.skip("followup tool not built")
    real = pathlib.Path(__file__).resolve().parents[2] / "examples" / "sample" / "realistic"
    r = subprocess.run([cli, "simulate", "--customers", str(real / "customers.csv"), "--events",
                        str(real / "events.csv"), "--truth", str(real / "truth.csv"), "--from",
                        "2026-11-02T00:00:00+08:00", "--to", "2026-11-04T00:00:00+08:00", "--compare", "policy",
                        "--sensitivity-agents", "1", "--format", "csv"], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    row = r.stdout.splitlines()[1].split(",")
    assert row[:2] == ["1", "200"]  # the built-in capacity.calls_per_agent_day.max, not 0


# ---- F16: agents whose shift barely meets the team hours, from Python ----
def test_short_agents_names_an_agents_file_read_in_utc():
    book = make_book(DELIVERY_BOOK[0], "C1,2026-03-02T10:00:00+08:00,delivery,O1,,5000,,,,\n")
    pl = followup.Planner(followup.policy_default(), book)
    assert pl.short_agents() == (0, None, 0, 0)
    pl.set_agents("agent_id,shift,calls_per_day\nA1,Mon-Sun 09:00-18:00,80\n")  # no tz: UTC
    pl.plan(T("2026-03-02T12:00:00+08:00"), 86400)
    assert pl.short_agents() == (1, "A1", 60, 180)  # 17:00-18:00 Beijing; 80 calls need 180 minutes
    pl.set_agents("agent_id,shift,tz,calls_per_day\nA1,Mon-Sun 09:00-18:00,Asia/Shanghai,80\n")
    pl.plan(T("2026-03-02T12:00:00+08:00"), 86400)
    assert pl.short_agents() == (0, None, 0, 0)
