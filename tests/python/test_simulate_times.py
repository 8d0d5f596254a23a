"""simulation_frame / sensitivity_frame take the time values every call takes
(review s12 U8): aware datetime, pandas Timestamp, ISO text, numpy
datetime64, epoch; sensitivity_frame refuses a str for agents / calls
("12" ran agents 1 and 2)."""
import datetime as dt

import numpy as np
import pandas as pd
import pytest

import followup
import fu_helpers

F, TO = "2026-03-02T00:00:00+08:00", "2026-03-09T00:00:00+08:00"
EVENTS = ("C1,2026-03-02T10:00:00+08:00,delivery,,,,\n"
          "C2,2026-03-02T10:00:00+08:00,delivery,,,,\n"
          "C1,2026-03-02T11:00:00+08:00,contact,,phone,A1,answered\n")


@pytest.fixture(scope="module")
def book():
    return fu_helpers.make_book("C1,Asia/Shanghai\nC2,Asia/Shanghai\n", EVENTS, "customer_id,tz\n",
                                "customer_id,at,kind,severity,channel,agent_id,outcome\n")


def forms(text):
    t = followup.time_parse(text)
    aware = dt.datetime.fromtimestamp(t, dt.timezone(dt.timedelta(hours=8)))
    return [t, text, aware, pd.Timestamp(aware), np.datetime64(t, "s"), aware.astimezone(dt.timezone.utc)]


def test_simulation_frame_takes_every_time_form(book):
    pol = followup.policy_default()
    ref = followup.simulation_csv(pol, book, "policy", F, TO)
    want = followup.simulation_frame(pol, book, "policy", followup.time_parse(F), followup.time_parse(TO))
    assert len(want) > 5
    for f, t in zip(forms(F), forms(TO)):
        got = followup.simulation_frame(pol, book, "policy", f, t)
        pd.testing.assert_frame_equal(got, want)
        assert followup.simulation_frame(pol, book, "policy", from_=f, to=t).equals(got)
    assert ref.startswith("measure,value")


def test_sensitivity_frame_takes_every_time_form(book):
    pol = followup.policy_default()
    want = followup.sensitivity_frame(pol, book, [1, 2], [5], followup.time_parse(F), followup.time_parse(TO))
    assert want["agents"].tolist() == [1, 2]
    for f, t in zip(forms(F), forms(TO)):
        pd.testing.assert_frame_equal(followup.sensitivity_frame(pol, book, [1, 2], [5], f, t), want)
    # numpy ints and ranges are sequences of ints
    pd.testing.assert_frame_equal(followup.sensitivity_frame(pol, book, np.array([1, 2]), range(5, 6), F, TO), want)


def test_missing_and_bad_times_are_named(book):
    pol = followup.policy_default()
    with pytest.raises(TypeError, match=r"simulation_frame\(\): from_: a time is required, not None"):
        followup.simulation_frame(pol, book, "policy", None, TO)
    with pytest.raises(ValueError, match=r"simulation_frame\(\): to: a time is required, not NaT"):
        followup.simulation_frame(pol, book, "policy", F, pd.NaT)
    with pytest.raises(ValueError, match=r"sensitivity_frame\(\): from_: .*2026-03-02"):
        followup.sensitivity_frame(pol, book, [1], [5], "2026-03-02", TO)
    with pytest.raises(TypeError, match=r"simulation_frame\(\): to must be a time"):
        followup.simulation_frame(pol, book, "policy", F, [1])


@pytest.mark.parametrize("agents,calls,what", [
    ("12", [5], r"agents must be a sequence of ints such as \[1, 2, 3\], not str '12'"),
    ("1,2", [5], r"agents must be a sequence of ints .* not str '1,2'"),
    ([1, 2], "5", r"calls must be a sequence of ints .* not str '5'"),
    ([1, 2.5], [5], r"agents\[1\] must be an int, not float 2.5"),
    ([True], [5], r"agents\[0\] must be an int, not bool True"),
    (3, [5], r"agents must be a sequence of ints .* not int 3"),
])
def test_sensitivity_frame_refuses_text_and_non_ints(book, agents, calls, what):
    with pytest.raises(TypeError, match=what):
        followup.sensitivity_frame(followup.policy_default(), book, agents, calls, F, TO)


def test_sensitivity_frame_range(book):
    with pytest.raises(followup.InvalidArgumentError, match=r"agents\[1\] = 0: must lie in 1..100000"):
        followup.sensitivity_frame(followup.policy_default(), book, [1, 0], [5], F, TO)
