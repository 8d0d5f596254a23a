"""fu_kpi from Python: the Kpi engine on the hand-computed fixture of
tests/data/kpi (scenario A of tests/test_kpi.c), records, CSV/JSON, pandas."""
import gc
import json
import math

import pytest

import followup
from fu_helpers import book_of_dir

AS_OF = "2026-04-30T00:00:00+08:00"


def fixture_book(srcdir):
    return book_of_dir(srcdir / "tests" / "data" / "kpi")


def engine(srcdir, **kw):
    k = followup.Kpi(followup.policy_default(), as_of=followup.time_parse(AS_OF), **kw)
    k.add_book(fixture_book(srcdir))
    k.compute()
    return k


def test_coverage_and_timeliness_match_the_hand_computation(srcdir):
    k = engine(srcdir)
    # 4 customers due in W10 (three deliveries, one inquiry reply), 2 contacted in time
    f = k.find("coverage", "2026-W10")
    assert (f.kpi, f.group, f.period) == ("coverage", "all", "2026-W10")
    assert (f.n, f.successes, f.value) == (4, 2, 0.5)
    assert f.ci_low == pytest.approx(0.150039, abs=1e-6)  # Wilson 2/4
    assert f.ci_high == pytest.approx(0.849961, abs=1e-6)
    assert (f.target, f.status, f.rule) == (0.9, "red", "kpis.coverage")
    assert f.period_start_epoch == followup.time_parse("2026-03-02T00:00:00+08:00")
    assert f.period_end_epoch == followup.time_parse("2026-03-09T00:00:00+08:00")
    t = k.find("response_timeliness", "2026-W10")
    assert (t.successes, t.n) == (2, 4)
    assert k.find("response_time_p50", "2026-W10").value == pytest.approx(6.0)
    assert k.find("response_time_p90", "2026-W10").value == pytest.approx(21.2)
    assert (k.find("resolution", "2026-W10").successes, k.find("resolution", "2026-W10").n) == (2, 3)
    assert k.find("first_contact_resolution", "2026-W10").value == pytest.approx(2 / 3)
    assert k.find("feedback_closure", "2026-W10").value == 0.5
    fuc = k.find("follow_up_complaints", "2026-W10")
    assert (fuc.value, fuc.status) == (0.0, "green")  # lower is better, 0 <= 5%
    # no target: status none, rule empty, no interval for one answer
    p50 = k.find("response_time_p50", "2026-W10")
    assert (p50.status, p50.rule) == ("none", "")
    assert math.isnan(p50.target)
    assert k.find("coverage", "2026-W11") is None


def test_grouping_by_tier_and_agent(srcdir):
    k = engine(srcdir, by="tier")
    assert k.find("coverage", "2026-W10", "vip").value == 1.0
    o = k.find("coverage", "2026-W10", "ordinary")
    assert (o.successes, o.n) == (1, 3)
    k = engine(srcdir, by="agent")
    # the responder's agent: A1 answered V1 in time, A2 O2 in time and O1 late
    assert k.find("response_timeliness", "2026-W10", "A1").value == 1.0
    assert k.find("response_timeliness", "2026-W10", "A2").value == 0.5
    assert k.find("response_timeliness", "2026-W10", "unassigned").value == 0.0
    cards = k.scorecards()
    assert {c.agent for c in cards} == {"A1", "A2"}
    assert all(c.ci_low <= c.score <= c.ci_high for c in cards)


def test_surveys_added_record_by_record():
    p = followup.policy_default()
    k = followup.Kpi(p, period="week")
    t0 = followup.time_parse("2026-03-02T10:00:00+08:00")
    for i, s in enumerate([5, 4, 2]):
        k.add_event("C1", t0 + i, followup.EVENT_SURVEY, survey=followup.SURVEY_CSAT, score=s)
    for i, s in enumerate([10, 9, 8, 3]):
        k.add_event("C2", t0 + i, followup.EVENT_SURVEY, survey=followup.SURVEY_NPS, score=s)
    assert k.compute() == k.count() > 0
    csat = k.find("csat")
    assert csat.value == pytest.approx(11 / 3) and csat.n == 3
    assert csat.target == 4.5 and csat.status == "red"  # 3.67 <= baseline 3.8
    assert k.find("csat_top2").value == pytest.approx(2 / 3)
    nps = k.find("nps")  # promoters 2, detractors 1 of 4
    assert nps.value == pytest.approx(25.0) and nps.n == 4
    low, high = followup.kpi_wilson(2, 3, 0.95)
    top2 = k.find("csat_top2")
    assert (top2.ci_low, top2.ci_high) == (pytest.approx(low), pytest.approx(high))
    # incremental: one more answer, the figures follow
    k.add_event("C1", t0 + 10, followup.EVENT_SURVEY, survey=followup.SURVEY_CSAT, score=5)
    k.compute()
    assert k.find("csat").value == pytest.approx(4.0)


def test_commitments_due_items_and_costs():
    p = followup.policy_default()
    T = followup.time_parse
    k = followup.Kpi(p, period="month", costs={"phone": 10},
                     as_of=T("2026-12-31T00:00:00+08:00"))
    k.add_commitment("C1", T("2026-03-05T18:00:00+08:00"), followup.COMMIT_FULFILLED,
                     closed_at=T("2026-03-04T12:00:00+08:00"), created_by="A1")
    k.add_commitment("C2", T("2026-03-06T18:00:00+08:00"), followup.COMMIT_FULFILLED,
                     closed_at=T("2026-03-09T12:00:00+08:00"))
    k.add_commitment("C3", T("2026-03-07T18:00:00+08:00"), followup.COMMIT_CANCELLED)
    k.add_due("C1", T("2026-03-10T18:00:00+08:00"), due_from=T("2026-03-09T09:00:00+08:00"))
    k.add_event("C1", T("2026-03-09T10:00:00+08:00"), followup.EVENT_CONTACT,
                channel=followup.CHANNEL_PHONE, outcome=followup.OUTCOME_ANSWERED, agent_id="A1")
    k.add_event("C1", T("2026-03-20T10:00:00+08:00"), followup.EVENT_PURCHASE, amount=70.0)
    k.compute()
    on_time = k.find("commitment_on_time", "2026-03")
    assert (on_time.successes, on_time.n) == (1, 2)  # the cancelled one does not count
    cov = k.find("coverage", "2026-03")
    assert (cov.successes, cov.n) == (1, 1)
    assert k.find("roi", "2026-03").value == pytest.approx(7.0)  # 70 revenue / 10 cost


def test_outputs_csv_json_dashboard_and_dataframe(srcdir):
    k = engine(srcdir)
    csv = k.csv()
    assert csv.startswith("kpi,group,period,value,ci_low,ci_high,n,target,status,rule\n")
    assert "\ncoverage,all,2026-W10,0.5,0.150039,0.849961,4,0.9,red,kpis.coverage\n" in csv
    doc = json.loads(k.json())
    assert doc["period"] == "week" and doc["by"] == "none"
    assert len(doc["figures"]) == k.count()
    assert "[R] red" in k.dashboard()
    recs = k.records()
    assert len(recs) == k.count()
    assert recs[0]["kpi"] == "coverage" and recs[0]["n"] == 4.0
    df = k.to_dataframe()
    pd = pytest.importorskip("pandas")
    assert isinstance(df, pd.DataFrame)
    assert list(df.columns[:10]) == ["kpi", "group", "period", "value", "ci_low", "ci_high", "n",
                                     "target", "status", "rule"]
    row = df[(df.kpi == "coverage") & (df.period == "2026-W10")].iloc[0]
    assert (row.value, row.n, row.status) == (0.5, 4.0, "red")
    assert df[df.kpi == "response_time_p50"].target.isna().all()


def test_to_dataframe_without_pandas_gives_records(srcdir, monkeypatch):
    import builtins
    real_import = builtins.__import__

    def no_pandas(name, *args, **kwargs):
        if name == "pandas":
            raise ImportError("no pandas here")
        return real_import(name, *args, **kwargs)

    k = engine(srcdir)
    monkeypatch.setattr(builtins, "__import__", no_pandas)
    out = k.to_dataframe()
    assert isinstance(out, list) and len(out) == k.count()
    assert [(r["kpi"], r["group"], r["period"], r["n"]) for r in out] == \
        [(f.kpi, f.group, f.period, f.n) for f in k.figures()]


def test_the_engine_keeps_its_policy_alive():
    k = followup.Kpi(followup.policy_default(), by="tier")
    gc.collect()
    k.add_customer("V1", annual_spend=600000)
    k.add_event("V1", followup.time_parse("2026-03-02T10:00:00+08:00"), followup.EVENT_SURVEY,
                survey=followup.SURVEY_CSAT, score=5)
    k.compute()
    f = k.find("csat", group="vip")
    assert (f.target, f.rule) == (4.8, "kpis.csat.vip")  # VIP target from the policy


def test_errors_raise():
    p = followup.policy_default()
    with pytest.raises(followup.ParseError):
        followup.Kpi(p, period="fortnight")
    with pytest.raises(followup.ParseError, match="frob"):
        followup.Kpi(p, by="tier,frob")
    with pytest.raises(followup.InvalidArgumentError):
        followup.Kpi(p, costs="phone=-1")
    with pytest.raises(followup.InvalidArgumentError):
        followup.Kpi(p, from_=10, to=5)
    k = followup.Kpi(p)
    with pytest.raises(followup.StateError):
        k.csv()  # nothing computed yet
    with pytest.raises(followup.InvalidArgumentError):
        k.add_event("", 0, followup.EVENT_CONTACT)
    assert k.compute() == 0
    with pytest.raises(followup.InvalidArgumentError):
        k.figure(0)
    with pytest.raises(followup.NotFoundError):
        k.find("happiness")
    with pytest.raises(followup.StateError):
        k.scorecard_count()  # the grouping has no agent
    with pytest.raises(followup.StateError):
        k.add_book(followup.Book())  # not finalized
    assert followup.kpi_name(followup.KPI_NPS) == "nps"
    assert followup.kpi_from_string("churn") == followup.KPI_CHURN
    assert followup.kpi_t_quantile(0.975, 9) == pytest.approx(2.2622, abs=1e-4)


def test_targets_as_written_quality_closure_and_uplift():
    """The KPIs of issue 15 item 8 through Python, on a hand-made book (the
    values are worked out in tests/test_kpi.c, quality_closure_uplift_...)."""
    p = followup.policy_default()
    T = followup.time_parse
    k = followup.Kpi(p, costs={"phone": 10}, as_of=T("2026-06-01T00:00:00+08:00"))
    k.add_event("Q1", T("2026-03-02T10:00:00+08:00"), followup.EVENT_FAULT, order_id="F1")
    k.add_event("Q1", T("2026-03-06T10:00:00+08:00"), followup.EVENT_RESOLVED, order_id="F1")
    k.add_event("Q2", T("2026-03-03T10:00:00+08:00"), followup.EVENT_FAULT, order_id="F2")
    k.add_event("Q2", T("2026-03-12T10:00:00+08:00"), followup.EVENT_RESOLVED, order_id="F2")
    for c, day in (("U1", "01"), ("U2", "02"), ("U3", "03")):
        k.add_event(c, T(f"2026-02-{day}T10:00:00+08:00"), followup.EVENT_PURCHASE, amount=50.0)
    k.add_event("U1", T("2026-03-03T10:00:00+08:00"), followup.EVENT_CONTACT,
                channel=followup.CHANNEL_PHONE, outcome=followup.OUTCOME_ANSWERED)
    k.add_event("U1", T("2026-03-10T10:00:00+08:00"), followup.EVENT_PURCHASE, amount=400.0)
    k.add_event("U2", T("2026-03-04T10:00:00+08:00"), followup.EVENT_CONTACT,
                channel=followup.CHANNEL_PHONE, outcome=followup.OUTCOME_ANSWERED)
    k.add_event("U3", T("2026-03-20T10:00:00+08:00"), followup.EVENT_PURCHASE, amount=100.0)
    k.compute()
    q = k.find("quality_closure", "2026-W10")
    assert (q.successes, q.n, q.target) == (1, 2, 1.0)  # Q2 took 9 days
    # contacted U1 (400), U2 (0): rate 1/2, mean 200; not contacted U3 (100): 1/1, 100
    assert k.find("repurchase_uplift", "2026-W10").value == pytest.approx(0.5 - 1.0)
    assert k.find("value_uplift", "2026-W10").value == pytest.approx(200 / 100 - 1)
    roi = k.find("roi_incremental", "2026-W10")
    assert roi.value == pytest.approx((200 - 100) * 2 / 20)  # 10 per 1 spent
    assert (roi.target, roi.status) == (7.0, "green")
    assert k.find("roi", "2026-W10").status == "none"  # gross ROI: no target
    assert followup.kpi_name(followup.KPI_ROI_INCREMENTAL) == "roi_incremental"
    assert followup.KPI_COUNT == 25
