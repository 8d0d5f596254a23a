"""Outside review, session 6, Python findings 12, 13 and 15: enum-valued
attributes equal to their names, DataFrame inputs of the planner and the KPI
engine, plan_customer by id, short reprs."""
import math

import numpy as np

import pandas as pd
import pytest

import followup
from fu_helpers import T, make_book, two_delivery_book

DELIVERY_BOOK = ("C1,Asia/Shanghai,20000,2026-02-25T10:00:00+08:00,,,yes,no,yes\n",
                 "C1,2026-02-25T10:00:00+08:00,purchase,O1,,5000,5000,,,\n"
                 "C1,2026-03-02T10:00:00+08:00,delivery,O1,,5000,,,,\n")


# ---- finding 12: enums ----
def test_touchpoint_enums_equal_their_names_and_ints():
    book = make_book(*DELIVERY_BOOK)
    pl = followup.Planner(followup.policy_default(), book)
    tp = next(t for t in pl.plan(T("2026-03-02T10:00:00+08:00"), 86400) if "first_contact" in t.rule)
    assert tp.channel == "phone" and tp.priority == "high" and tp.status == "planned"
    assert tp.channel != "sms" and not (tp.channel == "PHONE") and tp.priority != "normal"
    # the ints and constants still compare equal (existing code), and hash as ints
    assert tp.channel == followup.CHANNEL_PHONE == 1 and tp.status == followup.TOUCHPOINT_PLANNED == 0
    assert {followup.CHANNEL_PHONE: "x"}[tp.channel] == "x"
    assert isinstance(tp.channel, followup.Channel) and isinstance(tp.priority, followup.Priority)
    assert isinstance(tp.status, followup.TouchpointStatus)
    assert (str(tp.channel), f"{tp.priority}", f"{tp.status}") == ("phone", "high", "planned")
    assert "phone high" in repr(tp) and "planned" in repr(tp)


def test_event_and_customer_enums():
    book = make_book(*DELIVERY_BOOK)
    e0, e1 = book.event(0), book.event(1)
    assert (e0.kind, e1.kind) == ("purchase", "delivery") and e0.kind == followup.EVENT_PURCHASE
    assert e0.channel == "none" and e0.severity == "none" and e0.outcome == "none" and e0.survey == "none"
    assert e0.priority == "none" and e0.priority == 0 and isinstance(e0.priority, followup.EventPriority)
    c = book.customer(0)
    assert (c.consent_phone, c.consent_sms, c.consent_email) == ("yes", "no", "yes")
    assert c.is_smb == "unknown" and c.consent_sms == followup.TRI_NO


def test_event_priority_names_are_the_field_values():
    b = followup.Book()
    b.add_customer("X", "UTC")
    b.add_event("X", 1000, "inquiry", priority="urgent")
    b.add_event("X", 2000, "inquiry", priority="low")
    b.finalize()
    got = [b.event(i).priority for i in range(2)]
    assert got == ["urgent", "low"] and got == [1, 4]  # the C field: priority + 1
    assert [str(p) for p in got] == ["urgent", "low"]
    assert followup.EventPriority.parse("none") == 0


def test_commitment_state_is_an_enum():
    cal = followup.Calendar("Asia/Shanghai")
    cal.set_hours_text("Mon-Fri 09:00-18:00")
    led = followup.Ledger()
    at = T("2025-09-26T10:00:00+08:00")
    cid = led.add_promised("C1", "3个工作日内上门", at, 3, followup.DURATION_WORKING_DAYS, cal, owner="repair")
    one = led.get(cid)
    assert one.state(0) == "open" and one.state(0) == followup.COMMIT_OPEN
    assert isinstance(one.state(0), followup.CommitState) and str(one.state(0)) == "open"
    assert one.event_kind(0, 0) == "created" and one.event_kind(0, 0) == followup.COMMIT_EV_CREATED
    led.fulfill(cid, T("2025-09-29T09:00:00+08:00"), "tech3")
    assert led.get(cid).state(0) == "fulfilled"


# ---- finding 13: DataFrames in ----
_clv_book = two_delivery_book


def _channels(pl):
    return {t.customer_id: str(t.channel) for t in pl.plan(T("2026-10-18T10:00:00+08:00"), 86400)}


@pytest.mark.parametrize("form", ["frame_column", "frame_index", "series", "dict", "values"])
def test_set_clv_takes_frames_series_dicts_and_values(form):
    """As tests/python/test_planner_agents.py: CLV 100 makes K1's contact an
    SMS (channels.by_clv), 9000 keeps K2 on the phone; an unknown id (Z9)
    is skipped as in the CSV."""
    b = _clv_book()
    pl = followup.Planner(followup.policy_default(), b)
    assert _channels(pl) == {"K1": "phone", "K2": "phone"}
    frame = pd.DataFrame({"customer_id": ["Z9", "K2", "K1"], "clv": [5.0, 9000.0, 100.0]})
    data = {"frame_column": frame, "frame_index": frame.set_index("customer_id"),
            "series": frame.set_index("customer_id")["clv"], "dict": {"K1": 100, "K2": 9000, "Z9": 1},
            "values": [100.0, 9000.0]}[form]
    if form == "values":
        pl.set_clv_values(data)
    else:
        pl.set_clv(data)
    assert _channels(pl) == {"K1": "sms", "K2": "phone"}
    pl.set_clv(None)
    assert _channels(pl) == {"K1": "phone", "K2": "phone"}


def test_set_clv_from_segments_frame_matches_csv():
    here = followup.Book()
    import pathlib
    import os
    data = pathlib.Path(os.environ.get("FU_SOURCE_DIR", ".")) / "examples" / "sample" / "data"
    if not (data / "customers.csv").exists():
        pytest.skip("no sample data")
    here.read_customers_csv(str(data / "customers.csv"))
    here.read_events_csv(str(data / "events.csv"))
    here.finalize()
    now = "2026-11-23T00:00:00+08:00"
    seg = followup.segments(here, now)
    a = followup.Planner(followup.policy_default(), here)
    a.set_clv(seg.reset_index()[["customer_id", "clv"]].to_csv(index=False))
    b = followup.Planner(followup.policy_default(), here)
    b.set_clv(seg)
    assert a.plan(now, 86400).csv() == b.plan(now, 86400).csv()


def test_set_clv_bad_frames_raise():
    pl = followup.Planner(followup.policy_default(), _clv_book())
    with pytest.raises(followup.InvalidArgumentError, match="no clv column"):
        pl.set_clv(pd.DataFrame({"customer_id": ["K1"], "value": [1.0]}))
    with pytest.raises(followup.InvalidArgumentError, match="duplicate customer id 'K1'"):
        pl.set_clv(pd.DataFrame({"customer_id": ["K1", "K1"], "clv": [1.0, 2.0]}))
    with pytest.raises(followup.InvalidArgumentError, match=r"customer .* is not a CLV"):
        pl.set_clv(pd.DataFrame({"customer_id": ["K1"], "clv": ["high"]}))
    with pytest.raises(followup.InvalidArgumentError):
        pl.set_clv_values([1.0])  # not one per customer
    with pytest.raises(followup.InvalidArgumentError):
        pl.set_clv({"K1": -5.0})
    with pytest.raises(TypeError, match="set_clv"):
        pl.set_clv(42)


def test_set_agents_takes_a_dataframe():
    b = _clv_book()
    pl = followup.Planner(followup.policy_default(), b)
    pl.set_agents(pd.DataFrame({"agent_id": ["A1"], "shift": ["Mon-Sun 09:00-18:00"], "tz": ["Asia/Shanghai"]}))
    tps = list(pl.plan(T("2026-10-11T10:00:00+08:00"), 2 * 86400))
    # as test_planner_agents.test_policy_hours_and_clv with the CSV text
    assert {t.best_at_epoch for t in tps} == {T("2026-10-12T09:00:00+08:00")}
    assert {t.agent for t in tps} == {"A1"}
    with pytest.raises(followup.ParseError, match="shift"):
        pl.set_agents(pd.DataFrame({"agent_id": ["A1"], "team": ["care"]}))


def test_plan_customer_takes_an_id():
    book = make_book("C0,UTC,,,,,yes,yes,yes\n" + DELIVERY_BOOK[0], "".join(DELIVERY_BOOK[1:]))
    pl = followup.Planner(followup.policy_default(), book)
    now = T("2026-03-02T10:00:00+08:00")
    i = book.find_customer("C1")
    by_id, by_index = pl.plan_customer("C1", now, 86400), pl.plan_customer(i, now, 86400)
    assert by_id.csv() == by_index.csv() and len(by_id) >= 1
    with pytest.raises(followup.NotFoundError, match="plan_customer"):
        pl.plan_customer("nobody", now)


def _kpi_book():
    return make_book("C1,UTC,,,,,yes,yes,yes\nC2,UTC,,,,,yes,yes,yes\nC3,UTC,,,,,yes,yes,yes\n",
                     "C1,2026-03-02T10:00:00Z,contact,,,,,,phone,answered\n"
                     "C2,2026-03-03T10:00:00Z,contact,,,,,,phone,answered\n"
                     "C3,2026-03-20T10:00:00Z,contact,,,,,,phone,answered\n")


def _coverage(k):
    k.compute()
    return sorted((r["group"], r["period"], r["value"], r["n"]) for r in k.records() if r["kpi"] == "coverage")


def test_kpi_set_segments_from_a_frame_matches_one_by_one():
    labels = pd.DataFrame({"segment": pd.Categorical(["gold", "silver", None])},
                          index=pd.Index(["C1", "C2", "C3"], name="customer_id"))
    dues = [("C1", "2026-03-05T00:00:00Z"), ("C2", "2026-03-05T00:00:00Z"), ("C3", "2026-03-05T00:00:00Z")]
    ks = []
    for way in ("one", "frame", "series", "lists"):
        k = followup.Kpi(followup.policy_default(), period="month", by="segment")
        k.add_book(_kpi_book())
        for cid, due in dues:
            k.add_due(cid, due, due_from="2026-03-01T00:00:00Z")
        if way == "one":
            k.set_segment("C1", "gold")
            k.set_segment("C2", "silver")
        elif way == "frame":
            k.set_segments(labels)
        elif way == "series":
            k.set_segments(labels["segment"])
        else:
            k.set_segments(["C1", "C2", "C3"], labels=["gold", "silver", None])
        ks.append(_coverage(k))
    # hand count: C1 and C2 contacted in their windows, C3 (unknown) not
    assert ks[0] == [("gold", "2026-03", 1.0, 1.0), ("silver", "2026-03", 1.0, 1.0),
                     ("unknown", "2026-03", 0.0, 1.0)]
    assert ks[1] == ks[0] and ks[2] == ks[0] and ks[3] == ks[0]


def test_kpi_add_due_from_a_frame_or_plan_in_one_call():
    frame = pd.DataFrame({"customer_id": ["C1", "C2", "C3"],
                          "due_from": pd.to_datetime(["2026-03-01", "2026-03-01", "2026-03-01"], utc=True),
                          "due_to": pd.to_datetime(["2026-03-05", "2026-03-05", "2026-03-05"], utc=True),
                          "agent": ["A1", None, ""]})
    k = followup.Kpi(followup.policy_default(), period="month")
    k.add_book(_kpi_book())
    k.add_due(frame)
    assert _coverage(k) == [("all", "2026-03", pytest.approx(2 / 3), 3.0)]
    # a Plan: its planned touchpoints are the due items, as add_due per touchpoint
    book = make_book(*DELIVERY_BOOK)
    plan = followup.Planner(followup.policy_default(), book).plan(T("2026-03-02T10:00:00+08:00"), 20 * 86400)
    a = followup.Kpi(followup.policy_default(), period="month")
    a.add_book(make_book(*DELIVERY_BOOK))
    a.add_due(plan)
    b = followup.Kpi(followup.policy_default(), period="month")
    b.add_book(make_book(*DELIVERY_BOOK))
    for t in plan:
        b.add_due(t.customer_id, t.due_to_epoch, due_from=t.due_from_epoch, agent_id=t.agent or None)
    assert _coverage(a) == _coverage(b) and len(_coverage(a)) >= 1
    with pytest.raises(followup.InvalidArgumentError, match="due_to"):
        k.add_due(pd.DataFrame({"customer_id": ["C1"]}))
    with pytest.raises(followup.InvalidArgumentError, match="row 1"):
        k.add_due_columns({"customer_id": ["C1", 7], "due_to": np.array([T("2026-03-05T00:00:00Z")] * 2)})


# ---- finding 15: reprs ----
def test_reprs_are_short_and_informative():
    book = make_book(*DELIVERY_BOOK)
    pol = followup.policy_default()
    k = followup.Kpi(pol, period="month", by="tier")
    assert repr(k) == "<followup.Kpi period=month by=tier: not computed>"
    k.add_book(book)
    n = k.compute()
    assert repr(k) == f"<followup.Kpi period=month by=tier: {n} figure{'' if n == 1 else 's'}>"
    f = k.figure(0)
    r = repr(f)
    assert r.startswith(f"<followup.KpiFigure {f.kpi} {f.period}") and "n=" in r
    pl = followup.Planner(pol, book)
    assert repr(pl) == f"<followup.Planner customers=1 policy={pol.name()}>"
    assert repr(pol) == f"<followup.Policy {pol.name()} version={pol.version()}>"
    now = T("2026-03-02T10:00:00+08:00")
    rep = pl.simulate(now, now + 86400)
    assert repr(rep).startswith("<followup.SimReport 2026-03-02T02:00:00+00:00 .. 2026-03-03T02:00:00+00:00: 1 customers")
    rules = followup.segment_rules_from_policy(pol)
    assert repr(rules) == (f"<followup.SegmentRules tiers={rules.n_tiers} classes={rules.n_classes} "
                           f"composite={rules.n_composite} rfm_bins={rules.rfm_bins}>")
    for o in (k, f, pl, pol, rep, rules):
        text = repr(o)
        assert "proxy" not in text.lower() and "fu_" not in text and "Swig" not in text, text


def test_figure_repr_shows_value_interval_and_n():
    k = followup.Kpi(followup.policy_default(), period="month")
    k.add_book(_kpi_book())
    k.add_due("C1", "2026-03-05T00:00:00Z", due_from="2026-03-01T00:00:00Z")
    k.add_due("C3", "2026-03-05T00:00:00Z", due_from="2026-03-01T00:00:00Z")
    k.compute()
    f = k.find("coverage", "2026-03")
    assert not math.isnan(f.ci_low)
    assert repr(f).startswith(f"<followup.KpiFigure coverage 2026-03: 0.5 [{f.ci_low:.6g}, {f.ci_high:.6g}] n=2")


def test_frequency_reprs():
    book = _kpi_book()
    d = followup.frequency_from_book(book, "answered")
    assert repr(d).startswith(f"<followup.FrequencyData {d.count()} attempts")
