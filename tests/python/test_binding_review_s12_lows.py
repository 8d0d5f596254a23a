"""Review s12 U10 (low): ids beyond 64 bits in book_from_frames, a uint64
customer index of 2**63 in summarize()."""
import numpy as np
import pandas as pd
import pytest

import followup


def test_integer_ids_of_any_size_are_ids():
    cu = pd.DataFrame({"customer_id": [2 ** 70, 7], "tz": ["UTC", "UTC"]})  # object column (2**70 > int64)
    book = followup.book_from_frames(cu, None)
    assert [c.id for c in book] == [str(2 ** 70), "7"]
    small = followup.book_from_frames(pd.DataFrame({"customer_id": pd.Series([1, 2], dtype=object), "tz": "UTC"}),
                                      None)
    assert [c.id for c in small] == ["1", "2"]
    with pytest.raises(followup.InvalidArgumentError, match=r"row 0: column customer_id: expected str, got list"):
        followup.book_from_frames(pd.DataFrame({"customer_id": [[1]], "tz": ["UTC"]}), None)


def test_summarize_uint64_index_beyond_int64_says_too_large():
    with pytest.raises(followup.InvalidArgumentError, match=r"summarize\(\): argument 1 \(customers\): element 1 = "
                       r"9223372036854775808 is too large"):
        followup.summarize(np.array([0, 2 ** 63], dtype=np.uint64), np.array([0, 86400]), np.array([1.0, 2.0]), 1,
                           10 * 86400, 86400.0)
    s = followup.summarize(np.array([0, 0], dtype=np.uint64), np.array([0, 86400]), np.array([1.0, 2.0]), 1,
                           10 * 86400, 86400.0)
    assert len(s.x()) == 1
