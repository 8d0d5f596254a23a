"""Review s9, the Python faces for notebook users: F3 (naive times in the
frames), F14 (local zones in the frames), F22 (DataFrames out of a book and a
contact log), F11 (event text fields), F7 (add_due names the bad row), F21
(summary periods on the wall clock of tz-aware times), F9 (Guard argument
orders)."""
import datetime as dt
import warnings

import numpy as np
import pandas as pd
import pytest

import followup
from followup import frames
from fu_helpers import sample_book

UTC = dt.timezone.utc


def _epoch(y, mo, d, h=0, mi=0, s=0):
    return int(dt.datetime(y, mo, d, h, mi, s, tzinfo=UTC).timestamp())


CU = pd.DataFrame({"customer_id": ["A", "B"], "tz": ["Asia/Shanghai", "Europe/Berlin"]})


# ---- F3: a time without an offset is refused, or read in an explicit tz ----
def test_naive_text_is_refused_naming_row_and_column():
    ev = pd.DataFrame({"customer_id": ["A", "A", "A"], "kind": ["purchase"] * 3,
                       "at": ["2026-03-10T10:00:00+08:00", "2026-03-11T10:00:00Z", "2026-03-12 10:00:00"]})
    with pytest.raises(followup.ParseError) as e:
        followup.book_from_frames(CU, ev)
    msg = str(e.value)
    assert "row 2" in msg and "column at" in msg and "'2026-03-12 10:00:00'" in msg and "offset" in msg
    for text in ("2026-03-10T10:00:00", "2026-03-10", "2026-03-10 10:00"):
        with pytest.raises(followup.ParseError, match="row 0: column at"):
            followup.book_from_frames(CU, pd.DataFrame({"customer_id": ["A"], "at": [text], "kind": ["purchase"]}))


def test_naive_datetimes_are_refused():
    naive64 = pd.DataFrame({"customer_id": ["A"], "kind": ["purchase"],
                            "at": pd.to_datetime(["2026-03-10 10:00:00"])})
    with pytest.raises(followup.ParseError, match="row 0: column at: .*without a UTC offset"):
        followup.book_from_frames(CU, naive64)
    objects = pd.DataFrame({"customer_id": ["A", "A"], "kind": ["purchase"] * 2,
                            "at": [dt.datetime(2026, 3, 10, 10, tzinfo=UTC), dt.datetime(2026, 3, 10, 11)]})
    with pytest.raises(followup.ParseError, match="row 1: column at"):
        followup.book_from_frames(CU, objects)
    cu = CU.assign(first_purchase_at=["2025-01-01T00:00:00+08:00", "2025-01-02 00:00:00"])
    with pytest.raises(followup.ParseError, match="row 1: column first_purchase_at"):
        followup.book_from_frames(cu)


def test_tz_argument_localises_naive_values_only():
    want = _epoch(2026, 3, 10, 2)  # 10:00 in Beijing (UTC+8, no DST)
    for at in (["2026-03-10 10:00:00"], ["2026-03-10T10:00:00"], pd.to_datetime(["2026-03-10 10:00:00"]),
               [dt.datetime(2026, 3, 10, 10)]):
        ev = pd.DataFrame({"customer_id": ["A"], "at": at, "kind": ["purchase"]})
        assert followup.book_from_frames(CU, ev, tz="Asia/Shanghai").event(0).at_epoch == want
    # a value with an offset keeps it; tz only reads the naive ones
    ev = pd.DataFrame({"customer_id": ["A", "A"], "kind": ["purchase"] * 2,
                       "at": ["2026-03-10T10:00:00Z", "2026-03-10 10:00:00"]})
    b = followup.book_from_frames(CU, ev, tz="Asia/Shanghai")
    assert sorted(b.event(j).at_epoch for j in range(2)) == [want, _epoch(2026, 3, 10, 10)]
    # a wall-clock time that does not exist in the zone (DST gap) names its row
    gap = pd.DataFrame({"customer_id": ["B", "B"], "kind": ["purchase"] * 2,
                        "at": ["2026-03-28 02:30:00", "2026-03-29 02:30:00"]})
    with pytest.raises(followup.ParseError, match="row 1: column at: .*Europe/Berlin"):
        followup.book_from_frames(CU, gap, tz="Europe/Berlin")


def test_segments_refuses_a_naive_text_now():
    b = followup.book_from_frames(CU, pd.DataFrame({"customer_id": ["A"], "kind": ["purchase"],
                                                    "at": ["2026-03-10T10:00:00+08:00"]}))
    with pytest.raises(followup.ParseError, match="now"):
        frames.segments(b, "2026-11-24 00:00:00")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert len(frames.segments(b, "2026-11-24T00:00:00+08:00")) == 2


# ---- F22: DataFrames out, round trip ----
def _same_book(a, b):
    assert a.customers_csv() == b.customers_csv()
    assert a.events_csv() == b.events_csv()


def test_book_frames_round_trip_the_sample_book(srcdir):
    b = sample_book(srcdir)
    cu, ev = followup.book_customers_frame(b), followup.book_events_frame(b)
    assert len(cu) == b.customer_count() and len(ev) == b.event_count()
    assert str(ev["at"].dtype) == "datetime64[ns, UTC]" and str(cu["first_purchase_at"].dtype) == "datetime64[ns, UTC]"
    j = 5
    e = b.event(j)
    assert ev["at"][j] == pd.Timestamp(e.at_epoch, unit="s", tz="UTC")
    assert ev["customer_id"][j] == b.customer(e.customer).id
    assert (ev["note"][j], ev["order_id"][j], ev["agent_id"][j]) == (e.note, e.order_id, e.agent_id)
    assert ev["kind"][j] == followup.event_kind_name(int(e.kind))
    _same_book(b, followup.book_from_frames(cu, ev))
    # the methods give the same frames
    pd.testing.assert_frame_equal(b.events_frame(), ev)
    pd.testing.assert_frame_equal(b.customers_frame(), cu)
    # shown in a zone: the same instants
    local = b.events_frame(tz="Asia/Shanghai")
    assert str(local["at"].dtype) == "datetime64[ns, Asia/Shanghai]" and (local["at"] == ev["at"]).all()


def test_book_frames_keep_ids_and_every_field():
    b = followup.Book()
    b.add_customer("@wx_zhang", "Asia/Shanghai", annual_spend=12.5, industry="retail")
    b.add_customer("=B", "Europe/Berlin")
    b.add_event("@wx_zhang", "2026-03-10T10:00:00+08:00", "contact", order_id="O1", product_class="pc",
                agent_id="ag7", note="hello, \"you\"", channel="phone", outcome="answered", score=4.5,
                priority="urgent")
    b.add_event("=B", "2026-03-11T10:00:00+01:00", "purchase", amount=-3.25, unit_price=1.5)
    b.finalize()
    cu, ev = b.customers_frame(), b.events_frame()
    assert list(cu["customer_id"]) == ["@wx_zhang", "=B"]  # as the book holds them: no CSV neutralising quote
    assert cu["owner"].isna().all() and cu["annual_spend"][0] == 12.5 and np.isnan(cu["annual_spend"][1])
    assert list(ev["customer_id"]) == ["@wx_zhang", "=B"]
    assert ev["at"][0] == pd.Timestamp("2026-03-10T02:00:00Z")
    assert (ev["note"][0], ev["priority"][0], ev["channel"][0], ev["score"][0]) == \
        ("hello, \"you\"", "urgent", "phone", 4.5)
    assert ev["note"][1] is None and pd.isna(ev["priority"][1]) and ev["amount"][1] == -3.25
    _same_book(b, followup.book_from_frames(cu, ev))


def test_contact_log_frame():
    log = followup.ContactLog(None, store_raw_text=True)
    log.append("A", "2026-03-10T10:00:00+08:00", "phone", "answered", agent_id="ag,7", duration=90)
    log.append("B", "2026-03-10T11:00:00+01:00", "phone", "callback_requested", priority="urgent",
               callback_at="2026-03-12T09:00:00+01:00")
    d = log.to_dataframe()
    assert list(d["seq"]) == [1, 2] and list(d["customer_id"]) == ["A", "B"]
    assert str(d["at"].dtype) == "datetime64[ns, UTC]"
    assert list(d["at"]) == [pd.Timestamp("2026-03-10T02:00:00Z"), pd.Timestamp("2026-03-10T10:00:00Z")]
    assert pd.isna(d["callback_at"][0]) and d["callback_at"][1] == pd.Timestamp("2026-03-12T08:00:00Z")
    assert list(d["channel"]) == ["phone", "phone"] and list(d["priority"]) == ["normal", "urgent"]
    assert d["agent_id"][0] == "ag,7" and d["agent_id"][1] is None
    assert d["duration"][0] == 90 and pd.isna(d["duration"][1])
    assert len(followup.contact_log_frame(log, after=1)) == 1
    assert list(followup.contact_log_frame(log, tz="Asia/Shanghai")["at"].dt.hour) == [10, 18]


# ---- F14: local zones ----
def test_plan_frame_has_each_customers_zone_and_local_best_time(srcdir):
    b = sample_book(srcdir)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", followup.FollowupWarning)  # calendar data notes, not this test's matter
        plan = followup.Planner(followup.policy_default(), b, agents=4).plan("2026-11-23T00:00:00+08:00")
    d = followup.plan_frame(plan)
    assert len(d) > 0
    zones = followup.book_customers_frame(b)["tz"]
    assert list(d["tz"]) == [zones[i] for i in d["customer"]]
    for _, r in d.iterrows():  # the local text is the same instant, on the customer's clock
        if pd.isna(r["best_at"]):
            assert r["best_at_local"] is None
            continue
        local = pd.Timestamp(r["best_at_local"])
        assert local == r["best_at"] and local.utcoffset() == r["best_at"].tz_convert(r["tz"]).utcoffset()
    # the columns of before are unchanged, the new ones come last
    assert list(d.columns[-2:]) == ["tz", "best_at_local"] and str(d["best_at"].dtype) == "datetime64[ns, UTC]"


def test_kpi_frame_in_a_zone(srcdir):
    b = sample_book(srcdir)
    k = followup.Kpi(followup.policy_default(), period="week", as_of="2026-11-23T00:00:00+08:00")
    k.add_book(b)
    k.compute()
    utc, local = followup.kpi_frame(k), followup.kpi_frame(k, tz="Asia/Shanghai")
    assert (utc["period_start"] == local["period_start"]).all()
    starts = local["period_start"].dropna()
    assert len(starts) and str(local["period_start"].dtype) == "datetime64[ns, Asia/Shanghai]"
    assert (starts.dt.dayofweek == 0).all() and (starts.dt.hour == 0).all()  # Monday 00:00 in Beijing
    pd.testing.assert_frame_equal(k.to_dataframe(tz="Asia/Shanghai"), local)


# ---- F11: event text fields ----
def test_event_text_fields_are_text():
    b = followup.Book()
    b.add_customer("A", "Asia/Shanghai")
    b.add_event("A", "2026-03-10T10:00:00+08:00", "contact", order_id="O1", agent_id="ag7", note="hello")
    b.add_event("A", "2026-03-11T10:00:00+08:00", "contact")
    b.finalize()
    e, f = b.event(0), b.event(1)
    assert (e.note, e.order_id, e.agent_id, e.product_class) == ("hello", "O1", "ag7", None)
    assert isinstance(e.note_sid, int) and b.string(e.note_sid) == "hello"
    assert (f.note, f.note_sid) == (None, 0)
    assert (b.string(e.note), b.string(f.note)) == ("hello", None)  # code of the id form keeps working


# ---- F7: add_due names the bad row ----
def test_add_due_frame_names_the_bad_row():
    k = followup.Kpi(followup.policy_default())
    df = pd.DataFrame({"customer_id": ["C1", "C2", "C3"],
                       "due_to": ["2026-11-20T10:00:00+08:00", "2026-11-20T10:00:00+08:00",
                                  "2026-11-31T10:00:00+08:00"]})
    with pytest.raises(followup.ParseError) as e:
        k.add_due(df)
    assert "row 2" in str(e.value) and "column due_to" in str(e.value) and "2026-11-31" in str(e.value)
    df2 = df.iloc[:2].assign(due_from=["2026-11-19T10:00:00+08:00", "yesterday"])
    with pytest.raises(followup.ParseError, match="row 1: column due_from"):
        k.add_due(df2)


# ---- F21: periods on the wall clock of tz-aware times ----
def test_summary_periods_cut_at_local_midnight():
    t = pd.to_datetime(["2026-01-01 23:30", "2026-01-02 00:30"]).tz_localize("Asia/Shanghai")
    tx = pd.DataFrame({"c": ["a", "a"], "d": t, "v": [1.0, 2.0]})
    s = followup.summary_from_transactions(tx, "c", "d", "v", observation_period_end=pd.Timestamp(
        "2026-03-01", tz="Asia/Shanghai"), freq="D")
    assert (s.loc["a", "frequency"], s.loc["a", "recency"], s.loc["a", "T"]) == (1.0, 1.0, 59.0)


def test_summary_matches_an_independent_pandas_computation():
    rng = np.random.default_rng(7)
    n = 400
    base = pd.Timestamp("2026-01-01", tz="UTC").value // 10**9
    secs = base + rng.integers(0, 60 * 86400, n)
    zone = "Asia/Shanghai"
    tx = pd.DataFrame({"c": rng.integers(0, 30, n),
                       "d": pd.to_datetime(secs, unit="s", utc=True).tz_convert(zone),
                       "v": rng.integers(1, 100, n).astype(float)})
    end = pd.Timestamp("2026-03-05T12:00:00", tz=zone)
    got = followup.summary_from_transactions(tx, "c", "d", "v", observation_period_end=end)
    # oracle: the Beijing calendar date of every purchase, by plain pandas
    day = tx.assign(day=tx["d"].dt.date).groupby(["c", "day"])["v"].sum().reset_index()
    for c, g in day.groupby("c"):
        first, last = min(g["day"]), max(g["day"])
        assert got.loc[c, "frequency"] == len(g) - 1
        assert got.loc[c, "recency"] == (last - first).days
        assert got.loc[c, "T"] == (end.date() - first).days
        repeat = g.sort_values("day")["v"].iloc[1:]
        assert got.loc[c, "monetary_value"] == pytest.approx(repeat.mean() if len(repeat) else 0.0)


# ---- F9: Guard argument orders ----
def _guard():
    b = followup.Book()
    b.add_customer("A", "Asia/Shanghai")
    b.finalize()
    return followup.Guard(followup.policy_default(), b, followup.ContactLog(None))


AT = "2026-03-10T10:00:00+08:00"


def test_guard_swapped_positional_order_is_a_type_error():
    g = _guard()
    with pytest.raises(TypeError, match=r"Guard.check\(\): .*customer_id, channel, at"):
        g.check("A", AT, "phone")
    with pytest.raises(TypeError, match=r"Guard.check\(\): "):
        g.check("A", dt.datetime(2026, 3, 10, 2, tzinfo=UTC), "phone")
    with pytest.raises(TypeError, match=r"Guard.record\(\): .*customer_id, at, channel"):
        g.record("A", "phone", AT, "answered")
    with pytest.raises(TypeError, match=r"Guard.check_and_record\(\): "):
        g.check_and_record("A", "phone", followup.time_parse(AT))
    assert g._parents  # nothing recorded by the refused calls
    assert g.check("A", "phone", AT).allowed


def test_guard_keywords_work_for_all_three():
    g = _guard()
    d = g.check(customer_id="A", at=AT, channel="phone")
    assert d.allowed
    g.record(customer_id="A", at=AT, channel="sms", outcome="answered")
    d2 = g.check_and_record(customer_id="A", channel="phone", at="2026-03-11T10:00:00+08:00")
    assert d2.allowed
    mixed, keywords = g.check("A", "phone", at=AT), g.check(customer_id="A", channel="phone", at=AT)
    assert (mixed.allowed, mixed.rule) == (keywords.allowed, keywords.rule)  # positional and keyword mixed


def test_book_frames_round_trip_owner_and_tristates():
    b = followup.Book()
    b.read_customers_text("customer_id,tz,owner,is_smb,consent_phone,first_purchase_at\n"
                          "C1,Asia/Shanghai,ag7,yes,no,2026-01-05T15:00:00+08:00\nC2,UTC,,,,\n", "c.csv")
    b.finalize()
    cu = b.customers_frame()
    assert list(cu["owner"]) == ["ag7", None]
    assert list(cu["is_smb"].astype(object)) == ["yes", "unknown"] and cu["consent_phone"][0] == "no"
    assert cu["first_purchase_at"][0] == pd.Timestamp("2026-01-05T07:00:00Z") and pd.isna(cu["first_purchase_at"][1])
    _same_book(b, followup.book_from_frames(cu))
