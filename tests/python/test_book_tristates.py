"""Tristates (is_smb, consent_phone / _sms / _email) in from Python (review s12 U1).

A 0/1 consent column of a CRM export (int64 from pd.read_csv) used to be read
as enum values, 0 = TRI_UNKNOWN: every "did not consent" became "unknown",
which the built-in policy treats as given, so the guard allowed calling
people who said no. `Book.add_customer(consent_phone=False)` did the same.
The rule now: a Tristate member means itself, a bool and the numbers 1 / 0
(any int or float dtype) mean yes / no as the CSV reader reads "1" / "0",
None / NaN / NA mean unknown, the names too; 2, -1, 0.5 are refused.
"""
import io

import numpy as np
import pandas as pd
import pytest

import followup

AT = "2026-03-10T10:00:00+08:00"
CSV = "customer_id,tz,consent_phone,consent_sms\nC1,Asia/Shanghai,0,0\nC2,Asia/Shanghai,1,1\n"
YES, NO, UNKNOWN = followup.Tristate.YES, followup.Tristate.NO, followup.Tristate.UNKNOWN


def _consents(book, field="consent_phone"):
    return [str(getattr(c, field)) for c in book]


def _csv_book(text):
    b = followup.Book()
    b.read_customers_text(text)
    b.finalize()
    return b


def test_int_column_reads_as_the_csv_reader_does_and_the_guard_refuses_the_no():
    cu = pd.read_csv(io.StringIO(CSV))
    assert cu.consent_phone.dtype == np.int64
    book = followup.book_from_frames(cu, None)
    assert _consents(book) == _consents(_csv_book(CSV)) == ["no", "yes"]
    d = followup.Guard(followup.policy_default(), book).check("C1", "phone", AT)
    assert not d.allowed and "consent" in d.reason


@pytest.mark.parametrize("dtype", ["int64", "int8", "uint8", "int32", "Int64", "float64", "float32", "Float64"])
def test_every_numeric_dtype_reads_1_0_as_yes_no(dtype):
    cu = pd.DataFrame({"customer_id": ["A", "B"], "tz": "UTC", "consent_phone": pd.array([1, 0], dtype=dtype),
                       "is_smb": pd.array([0, 1], dtype=dtype)})
    book = followup.book_from_frames(cu, None)
    assert _consents(book) == ["yes", "no"]
    assert _consents(book, "is_smb") == ["no", "yes"]


def test_missing_values_are_unknown_in_float_and_nullable_columns():
    cu = pd.DataFrame({"customer_id": ["A", "B", "C"], "tz": "UTC", "consent_phone": [1.0, 0.0, np.nan],
                       "consent_sms": pd.array([1, None, 0], dtype="Int64")})
    book = followup.book_from_frames(cu, None)
    assert _consents(book) == ["yes", "no", "unknown"]
    assert _consents(book, "consent_sms") == ["yes", "unknown", "no"]


@pytest.mark.parametrize("bad", [2, -1, 0.5])
def test_other_numbers_are_refused_naming_the_row(bad):
    cu = pd.DataFrame({"customer_id": ["A", "B"], "tz": "UTC", "consent_phone": [1, bad]})
    with pytest.raises(followup.InvalidArgumentError, match=r"row 1: column consent_phone: .* is not a tristate.*"
                       r"1 \(yes\) or 0 \(no\)"):
        followup.book_from_frames(cu, None)


def test_object_columns_names_members_bools_and_none():
    cu = pd.DataFrame({"customer_id": list("ABCDEFG"), "tz": "UTC",
                       "consent_phone": ["YES", "no", "Unknown", None, True, followup.Tristate.NO, 0]})
    book = followup.book_from_frames(cu, None)
    assert _consents(book) == ["yes", "no", "unknown", "unknown", "yes", "no", "no"]
    bad = pd.DataFrame({"customer_id": ["A", "B"], "tz": "UTC", "consent_phone": ["yes", "maybe"]})
    with pytest.raises(followup.InvalidArgumentError, match=r"row 1: column consent_phone: 'maybe' is not a "
                       r"tristate name"):
        followup.book_from_frames(bad, None)


def test_customers_frame_round_trip_keeps_the_tristates():
    book = _csv_book("customer_id,tz,consent_phone,is_smb\nA,UTC,no,yes\nB,UTC,,no\nC,UTC,yes,\n")
    again = followup.book_from_frames(followup.book_customers_frame(book), None)
    assert _consents(again) == _consents(book) == ["no", "unknown", "yes"]
    assert _consents(again, "is_smb") == ["yes", "no", "unknown"]


@pytest.mark.parametrize("value,want", [(False, "no"), (True, "yes"), (0, "no"), (1, "yes"), (0.0, "no"),
                                        (1.0, "yes"), (np.int8(0), "no"), (np.float64(1), "yes"),
                                        (None, "unknown"), (float("nan"), "unknown"), (pd.NA, "unknown"),
                                        ("No", "no"), ("unknown", "unknown"), (followup.Tristate.NO, "no"),
                                        (followup.Tristate.UNKNOWN, "unknown"), (np.bool_(False), "no")])
def test_add_customer_tristate_values(value, want):
    b = followup.Book()
    b.add_customer("C1", "Asia/Shanghai", consent_phone=value, is_smb=value)
    b.finalize()
    assert str(b.customer(0).consent_phone) == want
    assert str(b.customer(0).is_smb) == want


def test_add_customer_positional_and_default():
    b = followup.Book()
    # id, tz, annual_spend, first_purchase_at, industry, is_smb, preferred, dnd, phone, sms, email
    b.add_customer("C1", "UTC", 1.0, followup.BOOK_NO_TIME, None, True, None, None, False, 1, "no")
    b.add_customer("C2", "UTC")
    b.finalize()
    c = b.customer(0)
    assert (str(c.is_smb), str(c.consent_phone), str(c.consent_sms), str(c.consent_email)) == \
        ("yes", "no", "yes", "no")
    assert str(b.customer(1).consent_phone) == "unknown"  # not given: unknown, not "no"


def test_add_customer_false_consent_is_refused_by_the_guard():
    b = followup.Book()
    b.add_customer("C1", "Asia/Shanghai", consent_phone=False)
    b.finalize()
    assert not followup.Guard(followup.policy_default(), b).check("C1", "phone", AT).allowed


@pytest.mark.parametrize("bad", [2, -1, 0.5, "maybe"])
def test_add_customer_refuses_other_values_naming_the_argument(bad):
    with pytest.raises(followup.InvalidArgumentError, match=r"Book.add_customer\(\): argument consent_sms: .* "
                       r"is not a tristate"):
        followup.Book().add_customer("C1", "UTC", consent_sms=bad)
    with pytest.raises(TypeError, match=r"argument 9 \(consent_phone\) must be a tristate"):
        followup.Book().add_customer("C1", "UTC", 0.0, 0, None, None, None, None, [1])


def test_flat_constants_are_the_members_and_keep_their_meaning():
    assert followup.TRI_NO is followup.Tristate.NO
    assert followup.TRI_YES is followup.Tristate.YES
    assert followup.TRI_UNKNOWN is followup.Tristate.UNKNOWN
    b = followup.Book()
    b.add_customer("N", "UTC", consent_phone=followup.TRI_NO)
    b.add_customer("U", "UTC", consent_phone=followup.TRI_UNKNOWN)  # the int 0, but a member: unknown
    b.add_customer("Y", "UTC", consent_phone=followup.TRI_YES)
    b.finalize()
    assert _consents(b) == ["no", "unknown", "yes"]
    cu = pd.DataFrame({"customer_id": ["N", "U"], "tz": "UTC",
                       "consent_phone": pd.Series([followup.TRI_NO, followup.TRI_UNKNOWN], dtype=object)})
    assert _consents(followup.book_from_frames(cu, None)) == ["no", "unknown"]
