"""Kpi inputs from Python (review s12 U9, U10): set_segments refuses a
customer with two labels as the CSV form does; merge() takes any buffer of
bytes and names itself when refusing; period/by read in any case, defaults
shown for None, a dimension named twice refused."""
import numpy as np
import pytest

import followup


def kpi(**kw):
    return followup.Kpi(followup.policy_default(), **kw)


def test_set_segments_refuses_a_customer_with_two_labels(tmp_path):
    k = kpi(by="segment")
    with pytest.raises(followup.InvalidArgumentError,
                       match=r"Kpi.set_segments\(\): entry 2: customer 'C1' is in segment 'gold' \(entry 0\) and "
                             r"'bronze' here \(one label per customer\)"):
        k.set_segments(["C1", "C2", "C1"], labels=["gold", "silver", "bronze"])
    pd = pytest.importorskip("pandas")
    with pytest.raises(followup.InvalidArgumentError, match="customer 'C9' is in segment 'x'"):
        k.set_segments(pd.DataFrame({"customer_id": ["C9", "C9"], "segment": ["x", "y"]}))
    # the CSV form refuses the same data
    f = tmp_path / "seg.csv"
    f.write_text("customer_id,segment\nC1,gold\nC2,silver\nC1,bronze\n")
    with pytest.raises(followup.ParseError, match="customer 'C1' is in segment 'gold' on line 2 and 'bronze'"):
        k.read_segments_csv(str(f))
    # all or nothing: the refused calls set no label; the same label twice is one label
    k.add_event("C1", followup.time_parse("2026-03-02T10:00:00+08:00"), "complaint")
    k.set_segments(["C1", "C2", "C1"], labels=["gold", "silver", "gold"])
    k.compute()
    assert {f["group"] for f in k.records()} == {"gold"}


def test_merge_takes_any_bytes_buffer_and_names_itself():
    src = kpi(as_of=0)
    src.add_event("C1", -86400, "complaint")
    blob = src.partial()
    want = (src.compute(), src.csv())[1]
    for arg in (blob, bytearray(blob), memoryview(blob), np.frombuffer(blob, dtype=np.uint8)):
        into = kpi(as_of=0)
        into.merge(arg)
        into.compute()
        assert into.csv() == want, type(arg)
    ba = bytearray(blob)
    kpi(as_of=0).merge(ba)
    ba.extend(b"x")  # the buffer was released (a held export raises BufferError here)
    mv = memoryview(blob)
    kpi(as_of=0).merge(mv)
    mv.release()
    with pytest.raises(TypeError, match=r"^Kpi.merge\(\): argument 1 \(bytes\) must be bytes \(binary data, .*"
                                        r"open\(path, 'rb'\)\), bytearray, memoryview or a uint8 array, not str$"):
        kpi(as_of=0).merge(blob.decode("latin-1"))
    for bad, name in ((np.zeros(4, dtype=np.int64), "ndarray"), ([1, 2], "list"), (None, "NoneType"),
                      (np.frombuffer(blob, dtype=np.uint8)[::2], "ndarray")):  # int64 items; not contiguous
        with pytest.raises(TypeError, match=r"^Kpi.merge\(\): argument 1 \(bytes\) must be bytes, bytearray, "
                                            rf"memoryview or a uint8 array, not {name}$"):
            kpi(as_of=0).merge(bad)


def test_period_and_by_defaults_case_and_repeats():
    assert repr(kpi(period=None, by=None)) == "<followup.Kpi period=week by=none: not computed>"
    assert repr(kpi(period="WEEK", by="Tier,AGENT")) == "<followup.Kpi period=week by=tier,agent: not computed>"
    t = followup.time_parse("2026-03-02T10:00:00+08:00")
    a, b = kpi(period="Month", by="Channel"), kpi(period="month", by="channel")
    for k in (a, b):
        k.add_event("C1", t, "contact", channel="phone", agent_id="A1", outcome="answered")
        k.compute()
    assert a.csv() == b.csv() and a.count() > 0
    for by in ("tier,tier", "tier x Tier", "agent,channel,agent"):
        with pytest.raises(followup.ParseError, match=r"grouping '(tier|agent)' given twice \(each dimension once\)"):
            kpi(by=by)
    with pytest.raises(followup.ParseError, match="unknown period 'fortnight'"):
        kpi(period="fortnight")
