"""book_from_frames goes through the C API (fu_book_add_customer /
fu_book_add_event): an id with an invisible character (a byte order mark, a
zero width space, a bidi mark) is refused as the customers CSV refuses it,
naming the row and the argument, and a score out of range is quoted exactly
(review s13 leftovers; tests/test_book_api_ids.c for the C side)."""
import math
import re

import pytest

pd = pytest.importorskip("pandas")

import followup  # noqa: E402

TAIL = "of the id: ids are compared byte for byte"


@pytest.mark.parametrize("cid, cp, at", [("\ufeffC2", "U+FEFF", 0), ("C\u200b2", "U+200B", 1),
                                         ("C2\u202e", "U+202E", 2)])
def test_customer_id_with_an_invisible_character(cid, cp, at):
    c = pd.DataFrame({"customer_id": ["C1", cid], "tz": ["UTC", "UTC"]})
    with pytest.raises(followup.InvalidArgumentError,
                       match=rf"row 1: customer id: an invisible character {re.escape(cp)} \(.*\) at byte {at} {TAIL}"):
        followup.book_from_frames(c)


def test_event_id_creating_a_customer():
    c = pd.DataFrame({"customer_id": ["C1"], "tz": ["UTC"]})
    e = pd.DataFrame({"customer_id": ["C1", "C1\u200d"], "at": [1_767_225_600, 1_767_225_600],
                      "kind": ["purchase", "purchase"]})
    with pytest.raises(followup.InvalidArgumentError,
                       match=rf"row 1: event customer_id: an invisible character U\+200D \(zero width joiner\) "
                             rf"at byte 2 {TAIL}"):
        followup.book_from_frames(c, e, flags=followup.BOOK_CREATE_CUSTOMERS)
    with pytest.raises(followup.NotFoundError, match=r"the id holds an invisible character U\+200D"):
        followup.book_from_frames(c, e)


def test_score_out_of_range_quoted_exactly():
    c = pd.DataFrame({"customer_id": ["C1"], "tz": ["UTC"]})
    e = pd.DataFrame({"customer_id": ["C1"], "at": [1_767_225_600], "kind": ["survey"], "survey": ["nps"],
                      "score": [math.nextafter(10.0, 11.0)]})
    with pytest.raises(followup.RangeError, match=r"nps score must be an integer 0\.\.10, got 10\.000000000000002$"):
        followup.book_from_frames(c, e)
