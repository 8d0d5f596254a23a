"""The DataFrame functions of followup.frames have full annotations and
numpy-style docstrings (issue 17 items 2 and 5): inspect.signature shows a
type for every parameter and the result, the docstring has Parameters and
Returns sections naming every parameter, and every column of a real result
frame is named in Returns with its dtype."""
import inspect
import re
import warnings

import pandas as pd
import pytest

import followup
from followup import frames
from fu_helpers import sample_book

NOW = "2026-11-23T00:00:00+08:00"
FUNCTIONS = {"summary_from_transactions": "pandas.DataFrame", "book_from_frames": "Book",
             "plan_frame": "pandas.DataFrame", "segments": "pandas.DataFrame", "besttime_frame": "pandas.DataFrame",
             "kpi_frame": "pandas.DataFrame", "commitments_frame": "pandas.DataFrame", "to_utc": "pandas.Series",
             "book_events_frame": "pandas.DataFrame", "book_customers_frame": "pandas.DataFrame",
             "contact_log_frame": "pandas.DataFrame"}


def _sections(doc: str) -> dict:
    """numpy-style sections of a docstring: name -> text."""
    doc = inspect.cleandoc(doc)
    parts = re.split(r"^(\w[\w ]*)\n-{3,}\n", doc, flags=re.M)
    return {parts[i]: parts[i + 1] for i in range(1, len(parts) - 1, 2)}


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_signature_and_numpy_docstring(name):
    fn = getattr(frames, name)
    assert getattr(followup, name, fn) is fn
    sig = inspect.signature(fn)
    assert sig.return_annotation == FUNCTIONS[name]
    for p in sig.parameters.values():
        assert p.annotation is not p.empty, (name, p.name)
        assert "'" not in str(p.annotation)
    sec = _sections(fn.__doc__)
    assert "Parameters" in sec and "Returns" in sec, (name, list(sec))
    for p in sig.parameters:
        assert re.search(rf"^{p} : ", sec["Parameters"], flags=re.M), (name, p)


@pytest.fixture(scope="module")
def book(srcdir):
    return sample_book(srcdir)


def _columns_documented(fn, df):
    returns = _sections(fn.__doc__)["Returns"]
    for col, dtype in df.dtypes.items():
        assert f"``{col}``" in returns, (fn.__name__, col)
        kind = ("category" if isinstance(dtype, pd.CategoricalDtype) else "datetime64[ns, UTC]"
                if str(dtype) == "datetime64[ns, UTC]" else "object" if dtype == object else str(dtype))
        # the dtype is named in the bullet of the column
        bullets = [b for b in re.split(r"\n *- ", returns) if f"``{col}``" in b]
        assert bullets and kind in bullets[0], (fn.__name__, col, kind)


def test_returned_columns_are_documented_with_their_dtypes(book):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        seg = frames.segments(book, NOW)
    _columns_documented(frames.segments, seg)
    plan = followup.Planner(followup.policy_default(), book, agents=4).plan(followup.time_parse(NOW))
    _columns_documented(frames.plan_frame, frames.plan_frame(plan))
    k = followup.Kpi(followup.policy_default(), as_of=followup.time_parse(NOW))
    k.add_book(book)
    k.compute()
    _columns_documented(frames.kpi_frame, frames.kpi_frame(k))
    _columns_documented(frames.commitments_frame, frames.commitments_frame(followup.Ledger().query()))
    _columns_documented(frames.book_events_frame, frames.book_events_frame(book))
    _columns_documented(frames.book_customers_frame, frames.book_customers_frame(book))
    log = followup.ContactLog(None)
    log.append("C00001", NOW, "phone", "answered", duration=30)
    _columns_documented(frames.contact_log_frame, frames.contact_log_frame(log))
    tx = pd.DataFrame({"id": [1, 1, 2], "date": ["2020-01-01", "2020-01-05", "2020-01-03"], "v": [1.0, 2.0, 3.0]})
    _columns_documented(frames.summary_from_transactions, frames.summary_from_transactions(tx, "id", "date", "v"))


def test_to_dataframe_methods_are_annotated():
    for cls in (followup.Plan, followup.Kpi, followup.CommitmentList, followup.ContactLog):
        assert inspect.signature(cls.to_dataframe).return_annotation == "pandas.DataFrame"
    for m in (followup.Book.events_frame, followup.Book.customers_frame):
        assert inspect.signature(m).return_annotation == "pandas.DataFrame"


def test_stub_has_the_frame_signatures(srcdir):
    stub = (srcdir / "bindings" / "python" / "followup" / "__init__.pyi").read_text(encoding="utf-8")
    assert "def plan_frame(plan: Plan, status: str = 'all') -> pandas.DataFrame: ..." in stub
    assert "def kpi_frame(kpi: Kpi, tz: Optional[str] = None) -> pandas.DataFrame: ..." in stub
    assert "import pandas\n" in stub
