"""C function names never reach a Python user's error message (issue 17 item
5): the library's "the book is not finalized (call fu_book_finalize)" reads
"call Book.finalize()", "fu_besttime_best: NULL argument" reads
"BestTime.best(): None argument", in both str(error) and error.message."""
import pickle
import re

import pytest

import followup
from followup._pythonic import pythonize_message

C_WORDS = re.compile(r"\bfu_\w+|\bNULL\b")


def _unfinalized():
    b = followup.Book()
    b.add_customer("A", "UTC")
    return b


def test_not_finalized_names_the_python_method():
    for make in (lambda b: followup.BestTime(followup.policy_default(), b),
                 lambda b: followup.Planner(followup.policy_default(), b)):
        with pytest.raises(followup.StateError) as info:
            make(_unfinalized())
        assert "call Book.finalize()" in str(info.value)
        assert "call Book.finalize()" in info.value.message
        assert not C_WORDS.search(str(info.value)) and not C_WORDS.search(info.value.message)
        assert info.value.code == followup.ESTATE


def test_in_use_names_the_method_and_the_constructor():
    b = followup.Book()
    b.add_customer("A", "UTC")
    b.finalize()
    pl = followup.Planner(followup.policy_default(), b)
    with pytest.raises(followup.StateError) as info:
        b.add_customer("B", "UTC")
    assert str(info.value).startswith("Book.add_customer(): the book is in use by 1 planner or KPI engine (Planner(), Kpi.add_book())")
    del pl


@pytest.mark.parametrize("c,py", [
    ("the book is not finalized (call fu_book_finalize)", "the book is not finalized (call Book.finalize())"),
    ("the book is not finalized: call fu_book_finalize()", "the book is not finalized: call Book.finalize()"),
    ("fu_besttime_best: NULL argument", "BestTime.best(): None argument"),
    ("fu_planner_new: the book is not finalized", "Planner(): the book is not finalized"),
    ("kpi: nothing computed yet (call fu_kpi_compute)", "kpi: nothing computed yet (call Kpi.compute())"),
    ("see fu_kpi_partial_write()", "see Kpi.partial()"),
    ("fu_time_parse: bad", "followup.time_parse(): bad"),
    ("fu__internal and fu_no_such_thing stay", "fu__internal and fu_no_such_thing stay"),
    ("nothing to change", "nothing to change"),
])
def test_the_mapping(c, py):
    assert pythonize_message(c) == py


def test_errors_made_in_python_and_pickled():
    e = followup.StateError("x (call fu_book_finalize)")
    assert str(e) == "x (call Book.finalize())" == e.message
    e.message = "fu_ledger_query: NULL ledger"
    assert e.message == "Ledger.query(): None ledger"
    back = pickle.loads(pickle.dumps(followup.StateError("call fu_book_finalize")))
    assert str(back) == "call Book.finalize()"
