"""KPIs over partitions from Python: Kpi.partial() -> bytes, Kpi.merge(bytes).
The sample book (examples/sample) split by customer into three partitions
merges to the whole book's figures exactly; the same through Dask worker
processes; the budget option (the CLI's --budget) reaches Python."""
import math

import pytest

import followup

AS_OF = "2026-06-01T00:00:00+08:00"
COSTS = {"phone": 8, "sms": 0.1, "email": 0.05, "chat": 1.5}


def sample_texts(srcdir):
    d = srcdir / "examples" / "sample" / "data"
    return (d / "customers.csv").read_text(), (d / "events.csv").read_text()


def split(text, nparts=3):
    """Split a CSV (customer id first, one record a line) by customer."""
    head, *lines = text.splitlines(keepends=True)
    parts = [[head] for _ in range(nparts)]
    for line in lines:
        cid = line.split(",", 1)[0]
        parts[sum(cid.encode()) % nparts].append(line)
    return ["".join(p) for p in parts]


def book(customers, events):
    b = followup.Book()
    b.read_customers_text(customers)
    b.read_events_text(events)
    b.finalize()
    return b


def engine(by="none", period="week", **kw):
    return followup.Kpi(followup.policy_default(), period=period, by=by,
                        as_of=followup.time_parse(AS_OF), costs=COSTS, budget=400, **kw)


def same(a, b):
    assert len(a) == len(b)
    for x, y in zip(a, b):
        assert x.keys() == y.keys()
        for key in x:
            u, v = x[key], y[key]
            if isinstance(u, float) and math.isnan(u):
                assert isinstance(v, float) and math.isnan(v), (key, x, y)
            else:
                assert u == v, (key, x, y)


@pytest.mark.parametrize("by", ["none", "tier", "agent", "tier,agent", "channel,product_class"])
@pytest.mark.parametrize("period", ["week", "month"])
def test_three_partitions_merge_to_the_whole_book(srcdir, by, period):
    cust, ev = sample_texts(srcdir)
    whole = engine(by, period)
    whole.add_book(book(cust, ev))
    whole.compute()
    merged = engine(by, period)
    blobs = []
    for c, e in zip(split(cust), split(ev)):
        k = engine(by, period)
        k.add_book(book(c, e))
        blob = k.partial()
        assert isinstance(blob, bytes) and blob[:8] == b"FUKPIPRT"
        blobs.append(blob)
    for blob in blobs:
        merged.merge(blob)
    merged.compute()
    assert whole.count() > 50
    same(whole.records(), merged.records())


def test_foreign_and_corrupt_partials_are_refused(srcdir):
    cust, ev = sample_texts(srcdir)
    k = engine("tier")
    k.add_book(book(*[p[0] for p in (split(cust), split(ev))]))
    blob = k.partial()
    into = engine("tier")
    with pytest.raises(followup.Error, match="grouping"):
        engine("agent").merge(blob)
    with pytest.raises(followup.Error, match="truncated or corrupt"):
        into.merge(blob[:-1])
    with pytest.raises(followup.Error, match="not a KPI partial"):
        into.merge(b"not a partial at all")
    bad = bytearray(blob)
    bad[len(bad) // 2] ^= 1
    with pytest.raises(followup.Error, match="corrupt"):
        into.merge(bytes(bad))
    with pytest.raises(followup.Error, match="as_of"):
        followup.Kpi(followup.policy_default()).partial()
    into.merge(blob)  # the refusals left nothing behind
    into.compute()
    same(into.records(), (k.compute(), k.records())[1])


def split_by_time(text, at="2026-03-01"):
    """Split an events CSV by time (the usual export layout): every active
    customer is in both halves."""
    head, *lines = text.splitlines(keepends=True)
    parts = [[head], [head]]
    for line in lines:
        parts[line.split(",", 2)[1][:10] >= at].append(line)
    return ["".join(p) for p in parts]


def test_partitions_sharing_customers_are_refused(srcdir):
    """Review s8 F9: a split by month used to merge silently (503 active
    customers in a 300-customer book); now the merge names a shared customer."""
    cust, ev = sample_texts(srcdir)
    halves = split_by_time(ev)
    blobs = []
    for e in halves:
        k = engine("none", "month")
        k.add_book(book(cust, e))
        blobs.append(k.partial())
    into = engine("none", "month")
    into.merge(blobs[0])
    into.compute()
    before = into.records()
    with pytest.raises(followup.Error, match=r"customer 'C\d+' is in this partial and in a partial merged before: "
                                             r"KPI partitions must split by customer") as ex:
        into.merge(blobs[1])
    shared = str(ex.value).split("customer '", 1)[1].split("'", 1)[0]
    assert all(any(line.startswith(shared + ",") for line in h.splitlines()) for h in halves)
    into.compute()
    same(before, into.records())  # the refused partial left nothing behind
    own = engine("none", "month")
    own.add_book(book(cust, halves[1]))
    with pytest.raises(followup.Error, match="the engine's own data"):
        own.merge(blobs[0])
    with pytest.raises(followup.Error, match="a partial merged before"):
        into.merge(blobs[0])  # the same partial twice


def _fnv_reseal(blob):
    h = 14695981039346656037
    for byte in blob[:-8]:
        h = ((h ^ byte) * 1099511628211) & 0xFFFFFFFFFFFFFFFF
    blob[-8:] = h.to_bytes(8, "little")
    return bytes(blob)


def test_version_1_and_2_partials_are_refused(srcdir):
    cust, ev = sample_texts(srcdir)
    k = engine("tier")
    k.add_book(book(split(cust)[0], split(ev)[0]))
    blob = k.partial()
    assert blob[8:12] == (3).to_bytes(4, "little")
    old = bytearray(blob)
    old[8] = 1
    with pytest.raises(followup.Error, match="version 1 .* no customer list"):
        engine("tier").merge(_fnv_reseal(old))
    old[8] = 2  # agents by masked text (review r3 M1)
    with pytest.raises(followup.Error, match="version 2 .* masked text"):
        engine("tier").merge(_fnv_reseal(old))


def test_budget_reaches_python():
    """Hand computation: one phone contact at 8 in week 2026-W10 (Mon
    2026-03-02 .. Mon 2026-03-09, as_of after it), budget 5 a week:
    spend 8 / 5 - 1 = 0.6 over the target 0 by more than the 10% warning: red."""
    def k_of(budget):
        k = followup.Kpi(followup.policy_default(), as_of=followup.time_parse("2026-03-20T00:00:00+08:00"),
                         costs={"phone": 8}, budget=budget)
        k.add_event("C1", followup.time_parse("2026-03-03T10:00:00+08:00"), followup.EVENT_CONTACT,
                    channel=followup.CHANNEL_PHONE, agent_id="A1", outcome=followup.OUTCOME_ANSWERED)
        k.compute()
        return k
    f = k_of(5.0).find("budget_overrun", "2026-W10")
    assert f is not None
    assert f.value == pytest.approx(0.6, abs=1e-12)
    assert f.n == 1
    assert (f.status, f.rule) == ("red", "kpis.budget_overrun")
    g = k_of(10.0).find("budget_overrun", "2026-W10")
    assert g.value == pytest.approx(-0.2, abs=1e-12)  # 8 / 10 - 1, under budget
    assert g.status == "green"
    assert k_of(0.0).find("budget_overrun", "2026-W10") is None  # no budget, no figure
    with pytest.raises(followup.Error):
        followup.Kpi(followup.policy_default(), budget=-1.0)


def _partition_partial(customers, events, by):
    import followup as fu
    b = fu.Book()
    b.read_customers_text(customers)
    b.read_events_text(events)
    b.finalize()
    k = fu.Kpi(fu.policy_default(), by=by, as_of=fu.time_parse(AS_OF),
               costs=",".join(f"{c}={v}" for c, v in COSTS.items()), budget=400)
    k.add_book(b)
    return k.partial()


def test_merge_through_dask_worker_processes(srcdir):
    dask = pytest.importorskip("dask")
    distributed = pytest.importorskip("distributed")
    cust, ev = sample_texts(srcdir)
    whole = engine("tier,agent")
    whole.add_book(book(cust, ev))
    whole.compute()
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        parts = [dask.delayed(_partition_partial)(c, e, "tier,agent") for c, e in zip(split(cust), split(ev))]
        blobs = client.compute(parts, sync=True)
    merged = engine("tier,agent")
    for blob in blobs:
        merged.merge(blob)
    merged.compute()
    same(whole.records(), merged.records())


def test_partitions_with_due_items_merge_into_an_empty_reducer(srcdir):
    """Review s12 U13: partials made after Kpi.add_due(plan) merge into an
    empty Kpi (docs/kpi.md "KPIs over partitions"), and the merged figures
    equal the one-process engine given the same book and due items."""
    cust, ev = sample_texts(srcdir)
    pol = followup.policy_default()
    now = followup.time_parse("2026-05-20T09:00:00+08:00")
    whole = engine("tier,agent")
    whole.add_book(book(cust, ev))
    blobs, ndue = [], 0
    for c, e in zip(split(cust), split(ev)):
        b = book(c, e)
        plan = followup.Planner(pol, b).plan(now, 7 * 86400)
        ndue += len(plan)
        k = engine("tier,agent")
        k.add_book(b)
        k.add_due(plan)
        whole.add_due(plan)
        blobs.append(k.partial())
    assert ndue > 100
    into = engine("tier,agent")
    for blob in blobs:
        into.merge(blob)
    into.compute()
    whole.compute()
    same(whole.records(), into.records())
    assert sum(f["n"] for f in into.records() if f["kpi"] == "coverage") > 100


def test_due_items_given_and_derived_partials_are_refused_in_the_users_terms(srcdir):
    cust, ev = sample_texts(srcdir)
    (c0, c1, _), (e0, e1, _) = split(cust), split(ev)
    given = engine()
    given.add_book(book(c0, e0))
    given.add_due("C00001", followup.time_parse("2026-05-25T00:00:00+08:00"))
    derived = engine()
    derived.add_book(book(c1, e1))
    into = engine()
    into.merge(given.partial())
    with pytest.raises(followup.InvalidArgumentError,
                       match=r"Kpi.merge\(\): the partial derives its due items from the policy's cadences "
                             r"\(no add_due\), this engine counts coverage from the due items given to it"):
        into.merge(derived.partial())
    into = engine()
    into.merge(derived.partial())
    with pytest.raises(followup.InvalidArgumentError, match=r"the partial counts coverage from the due items "
                                                            r"given to it \(add_due\), this engine derives them"):
        into.merge(given.partial())
