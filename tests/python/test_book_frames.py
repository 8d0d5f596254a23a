"""followup.book_from_frames: a book from DataFrames in one bulk call per frame
equals the book read from the same CSV files; bad rows are named."""
import pytest

np = pytest.importorskip("numpy")
pd = pytest.importorskip("pandas")

import followup  # noqa: E402
from followup import frames  # noqa: E402
from fu_helpers import sample_book  # noqa: E402


@pytest.fixture(scope="module")
def sample(srcdir):
    d = srcdir / "examples" / "sample" / "data"
    ref = sample_book(srcdir)
    return pd.read_csv(d / "customers.csv"), pd.read_csv(d / "events.csv"), ref


def test_the_sample_book_from_frames_equals_the_csv_book(sample):
    cust, ev, ref = sample
    b = frames.book_from_frames(cust, ev)
    assert (len(b), b.event_count()) == (len(ref), ref.event_count())
    assert b.customers_csv() == ref.customers_csv()
    assert b.events_csv() == ref.events_csv()


def test_datetime64_tz_aware_and_enum_members_are_accepted(sample):
    cust, ev, ref = sample
    ev2 = ev.copy()
    at = pd.to_datetime(ev["at"], utc=True)
    ev2["at"] = at.dt.tz_convert("Asia/Shanghai")  # tz-aware Timestamps
    ev2["kind"] = [followup.EventKind.parse(k) for k in ev["kind"]]  # IntEnum members
    cust2 = cust.copy()
    cust2["first_purchase_at"] = pd.to_datetime(cust["first_purchase_at"], utc=True).dt.tz_localize(None)  # naive UTC
    with pytest.raises(followup.ParseError, match="column first_purchase_at: .*without a UTC offset"):
        frames.book_from_frames(cust2, ev2)  # a naive time is never taken as UTC silently (review s9 F3)
    b = frames.book_from_frames(cust2, ev2, tz="UTC")  # ... but read in the zone asked for
    assert b.events_csv() == ref.events_csv()
    assert b.customers_csv() == ref.customers_csv()


def test_bad_rows_are_named():
    cust = pd.DataFrame({"customer_id": ["A", "B"], "tz": ["UTC", "Mars/Base"]})
    with pytest.raises(followup.Error) as e:
        frames.book_from_frames(cust)
    assert "row 1" in str(e.value)
    cust = pd.DataFrame({"customer_id": ["A"], "tz": ["UTC"]})
    ev = pd.DataFrame({"customer_id": ["A", "A"], "at": ["2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z"],
                       "kind": ["purchase", "teleport"]})
    with pytest.raises(followup.ParseError) as e:
        frames.book_from_frames(cust, ev)
    assert "row 1" in str(e.value) and "teleport" in str(e.value)
    ev = pd.DataFrame({"customer_id": ["A", "Z"], "at": ["2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z"],
                       "kind": ["purchase", "purchase"]})
    with pytest.raises(followup.Error) as e:
        frames.book_from_frames(cust, ev)
    assert "row 1" in str(e.value)
    ev = pd.DataFrame({"customer_id": ["A"], "at": ["not a time"], "kind": ["purchase"]})
    with pytest.raises(followup.ParseError) as e:
        frames.book_from_frames(cust, ev)
    assert "row 0: column at: 'not a time' is not a time" in str(e.value)


def test_bulk_columns_check_types_and_lengths():
    b = followup.Book()
    with pytest.raises(followup.InvalidArgumentError) as e:
        b.add_customer_columns({"customer_id": ["A", "B"], "tz": ["UTC"]})
    assert "column tz has 1 rows, expected 2" in str(e.value)
    with pytest.raises(followup.InvalidArgumentError) as e:
        b.add_customer_columns({"customer_id": ["A"], "tz": ["UTC"], "annual_spend": np.array([1], dtype=np.int32)})
    assert "float64" in str(e.value)
    with pytest.raises(followup.InvalidArgumentError) as e:
        b.add_customer_columns({"customer_id": ["A\0B"], "tz": ["UTC"]})
    assert "NUL" in str(e.value)
    with pytest.raises(followup.InvalidArgumentError) as e:
        b.add_customer_columns({"customer_id": [1], "tz": ["UTC"]})
    assert "expected str, got int" in str(e.value)
    assert len(b) == 0


def test_kpi_and_commitment_frames_are_typed(sample):
    cust, ev, ref = sample
    k = followup.Kpi(followup.policy_default(), "week", "none", followup.time_parse("2026-10-26T00:00:00+08:00"),
                     followup.time_parse("2026-11-23T00:00:00+08:00"))
    k.add_book(ref)
    n = k.compute()
    d = followup.kpi_frame(k)
    assert len(d) == n and str(d["period_start"].dtype) == "datetime64[ns, UTC]"
    assert list(d["status"].cat.categories) == ["green", "yellow", "red", "none"]
    assert str(d["n"].dtype) == "Int64"
    f0 = k.figure(0)
    assert d["period_start"].iloc[0] == pd.Timestamp(f0.period_start_epoch, unit="s", tz="UTC")
    assert d["kpi"].iloc[0] == f0.kpi and d["value"].iloc[0] == pytest.approx(f0.value)
    led = followup.Ledger()
    t = followup.time_parse
    led.add("C1", "call back", t("2026-11-01T00:00:00Z"), t("2026-11-03T00:00:00Z"))
    cid = led.add("C2", "send quote", t("2026-11-01T00:00:00Z"), t("2026-11-05T00:00:00Z"))
    led.fulfill(cid, t("2026-11-02T08:00:00Z"))
    c = followup.commitments_frame(led.query())
    assert list(c["customer_id"]) == ["C1", "C2"]
    assert list(c["state"].astype(str)) == ["open", "fulfilled"]
    assert c["deadline"].iloc[0] == pd.Timestamp("2026-11-03T00:00:00Z")
    assert pd.isna(c["closed_at"].iloc[0]) and c["closed_at"].iloc[1] == pd.Timestamp("2026-11-02T08:00:00Z")


def test_time_columns_fast_and_general_paths_agree():
    vals = ["2026-01-01T08:00:00+08:00", "2026-01-01T00:00:00Z", "2025-12-31T19:00:00-05:00",
            "2026-01-01T00:00:00.000Z", "2026-01-01T00:00:00", "2026-01-01 05:30:00+0530"]
    with pytest.raises(followup.ParseError, match="row 4: column at"):  # no offset: refused (review s9 F3)
        frames._seconds(pd.Series(vals), "at", True)
    got = frames._seconds(pd.Series(vals), "at", True, "UTC")  # read in UTC when asked
    assert got.tolist() == [1767225600] * 6
    fast = frames._seconds(pd.Series(vals[:3]), "at", True)  # the vectorised ISO path
    assert fast.tolist() == [1767225600] * 3
    cust = pd.DataFrame({"customer_id": ["A"], "tz": ["UTC"]})
    ev = pd.DataFrame({"customer_id": ["A", "A"], "at": ["2026-01-01T00:00:00Z", "2026-13-01T00:00:00Z"],
                       "kind": ["purchase", "purchase"]})
    with pytest.raises(followup.ParseError) as e:
        frames.book_from_frames(cust, ev)
    assert "row 1: column at: '2026-13-01T00:00:00Z' is not a time" in str(e.value)


def test_priority_column_reaches_the_event_field():
    pd = pytest.importorskip("pandas")
    cust = pd.DataFrame({"customer_id": ["C1"], "tz": ["UTC"]})
    ev = pd.DataFrame({"customer_id": ["C1"] * 4, "at": [1, 2, 3, 4], "kind": ["contact"] * 4,
                       "priority": ["urgent", None, followup.Priority.LOW, " High "]})
    book = frames.book_from_frames(cust, ev)
    assert [book.event(i).priority for i in range(4)] == [1, 0, 4, 2]
    assert book.events_csv().splitlines()[1].endswith(",urgent")
    with pytest.raises(followup.ParseError, match="row 0: column priority"):
        frames.book_from_frames(cust, ev.assign(priority=["asap"] * 4))
    batch = followup.EventBatch()
    batch.add("C1", 10, followup.EVENT_CONTACT, priority=3)
    book.append_events(batch)
    assert book.event(book.event_count() - 1).priority == 3
    with pytest.raises(followup.InvalidArgumentError):
        book.add_event("C1", 11, followup.EVENT_CONTACT, priority=5)
