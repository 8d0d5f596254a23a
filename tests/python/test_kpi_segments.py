"""Kpi.read_segments_csv (fu_kpi_read_segments_csv): segment labels from a CSV
with customer_id and segment columns, and Planner.unknown_classes
(fu_planner_unknown_classes) from Python."""
import pytest

import followup
from fu_helpers import T, make_book

W10 = "2026-03-03T10:00:00+08:00"


def engine():
    """By segment, one CSAT answer each: C1 5, C2 4, C3 2, C4 1 (2026-W10)."""
    k = followup.Kpi(followup.policy_default(), by="segment", as_of=T("2026-03-08T00:00:00+08:00"))
    for cid, score in (("C1", 5), ("C2", 4), ("C3", 2), ("C4", 1)):
        k.add_event(cid, T(W10), followup.EVENT_SURVEY, survey=followup.SURVEY_CSAT, score=score)
    return k


def csat(k):
    k.compute()
    return {r["group"]: (r["n"], r["value"]) for r in k.records() if r["kpi"] == "csat" and r["period"] == "2026-W10"}


def test_labels_from_a_csv_land_in_the_groups(tmp_path):
    p = tmp_path / "seg.csv"
    # columns in any order among others, BOM, CRLF, quoted label, empty label = "none",
    # a customer repeated with the same label
    p.write_bytes(b'\xef\xbb\xbfclv,segment,customer_id\r\n1,"gold, old",C1\r\n2,"gold, old",C2\r\n'
                  b'3,,C3\r\n1,"gold, old",C1\r\n')
    k = engine()
    assert k.read_segments_csv(str(p)) is None
    # hand: gold = (5 + 4) / 2, none = C3's 2, unknown = C4's 1
    assert csat(k) == {"gold, old": (2, 4.5), "none": (1, 2.0), "unknown": (1, 1.0)}


@pytest.mark.parametrize("text,line,column,path,message", [
    (b"customer_id,seg\nC1,a\n", 1, 1, "", "expected a header with `customer_id` and `segment` columns "
                                          "(the CSV of followup segment); it has no `segment` column"),
    (b"customer_id,segment\nC1,a\n,b\n", 3, 1, "customer_id", "empty (expected a customer id)"),
    (b"customer_id,segment\nC1,a\nC1,b\n", 3, 4, "segment",
     "customer 'C1' is in segment 'a' on line 2 and 'b' here (one label per customer)"),
    (b"customer_id,segment,x\nC1\n", 2, 3, "segment", "expected at least 2 cells, found 1"),
    (b"customer_id,segment\nC1,\xff\n", 2, 4, "segment", "invalid UTF-8"),
    (b"", 1, 1, "", "empty input: no header row"),
])
def test_refusals_carry_file_line_and_column_and_change_nothing(tmp_path, text, line, column, path, message):
    p = tmp_path / "bad.csv"
    p.write_bytes(text)
    k = engine()
    k.set_segment("C1", "silver")
    with pytest.raises(followup.ParseError) as info:
        k.read_segments_csv(str(p))
    e = info.value
    assert (e.source, e.line, e.column, e.path, e.message) == (str(p), line, column, path, message)
    assert isinstance(e, ValueError)
    # all or nothing: C1 keeps its label, nobody else got one
    assert csat(k) == {"silver": (1, 5.0), "unknown": (3, 7 / 3)}


def test_missing_file_and_bad_arguments(tmp_path):
    k = engine()
    with pytest.raises(followup.InputOutputError) as info:
        k.read_segments_csv(str(tmp_path / "none.csv"))
    assert info.value.source == str(tmp_path / "none.csv")
    assert "cannot read" in info.value.message
    with pytest.raises(TypeError, match="argument 1 .path. must be str"):
        k.read_segments_csv(None)
    with pytest.raises(followup.InvalidArgumentError, match="NUL"):
        k.read_segments_csv(str(tmp_path) + "\0x")


def test_planner_unknown_classes_names_the_first_unknown_text():
    # tests/test_planner.c installation_class_from_its_order: N3's class durable_high
    # names no class of the built-in policy; N1's and N2's are known or empty
    cust = ("N1,Asia/Shanghai,20000,2026-03-01T10:00:00+08:00,,,yes,yes,yes\n"
            "N3,Asia/Shanghai,20000,2026-03-01T10:00:00+08:00,,,yes,yes,yes\n")
    ev = ("N1,2026-03-01T10:00:00+08:00,purchase,O1,high_price,,20000,,,\n"
          "N1,2026-03-02T11:00:00+08:00,installation,O1,,,,,,\n"
          "N3,2026-03-01T10:00:00+08:00,purchase,O3,durable_high,,20000,,,\n"
          "N3,2026-03-01T11:00:00+08:00,purchase,O4,premium_line,,20000,,,\n"
          "N3,2026-03-02T11:00:00+08:00,installation,O3,durable_high,,,,,\n")
    pl = followup.Planner(followup.policy_default(), make_book(cust, ev))
    pl.plan(T("2026-03-02T12:00:00+08:00"), 3 * 86400)
    count, first = pl.unknown_classes()
    assert count == 2
    assert first in ("durable_high", "premium_line")
    known = followup.Planner(followup.policy_default(),
                             make_book(cust.splitlines(True)[0], "".join(ev.splitlines(True)[:2])))
    known.plan(T("2026-03-02T12:00:00+08:00"), 3 * 86400)
    assert known.unknown_classes() == (0, None)
