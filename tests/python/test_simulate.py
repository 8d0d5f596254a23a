"""fu_simulation from Python: the measures as a DataFrame (hand-checked on a
small book), the sensitivity table against team size as a DataFrame and its
plot saved as PNG, errors raised."""
import pytest

import followup
import fu_helpers
from fu_helpers import T

CUST_HDR = "customer_id,tz\n"
EV_HDR = "customer_id,at,kind,severity,channel,agent_id,outcome\n"
POLICY = """name: t
version: '1'
extends: builtin
cadences:
  installation: ~
  warranty: ~
  high_price_equipment: ~
  urgent_fault: ~
  consultation: ~
  complaint: ~
  enrollment: ~
  course_start: ~
  course_end: ~
  bank_large_sale: ~
  win_back: ~
  consumables: ~
  fast_moving: ~
  deep_care: ~
  vip_monthly: ~
  ordinary_quarterly: ~
suppressions:
  smb_month_end: ~
"""
FROM = "2026-03-02T00:00:00+08:00"
TO = "2026-03-09T00:00:00+08:00"


def make_book(n, events):
    return fu_helpers.make_book("".join("C%d,Asia/Shanghai\n" % i for i in range(1, n + 1)), events, CUST_HDR, EV_HDR)


def policy():
    return followup.policy_load_string(POLICY, "t.yaml")


def truth_file(tmp_path, n, p):
    path = tmp_path / "truth.csv"
    rows = ["customer_id,archetype,weekend," + ",".join("p%02d" % h for h in range(24))]
    rows += ["C%d,office,1.0,%s" % (i, ",".join([str(p)] * 24)) for i in range(1, n + 1)]
    path.write_text("\n".join(rows) + "\n")
    return str(path)


def test_baseline_measures_by_hand():
    b = make_book(2, "C1,2026-03-02T10:00:00+08:00,delivery,,,,\n"
                     "C2,2026-03-02T10:00:00+08:00,delivery,,,,\n"
                     "C1,2026-03-02T11:00:00+08:00,contact,,phone,A1,answered\n"
                     "C2,2026-03-02T11:00:00+08:00,contact,,phone,A1,no_answer\n")
    df = followup.simulation_frame(policy(), b, "baseline", T(FROM), T(TO)).set_index("measure")
    assert df.loc["coverage", "value"] == pytest.approx(0.5)
    assert df.loc["coverage", "n"] == 2
    assert df.loc["answer_rate", "successes"] == 1
    assert df.loc["calls_per_agent_day", "value"] == 2
    assert df.loc["off_hours_calls", "value"] == 0
    # Wilson 95% interval of 1/2: (0.5 + z^2/4 -+ z sqrt(1/8 + z^2/16)) / (1 + z^2/2), z = 1.959964
    assert df.loc["coverage", "ci_low"] == pytest.approx(0.0945312, abs=1e-6)
    assert df.loc["coverage", "ci_high"] == pytest.approx(0.9054688, abs=1e-6)


def test_policy_run_reaches_everybody_when_all_answer(tmp_path):
    b = make_book(3, "".join("C%d,2026-03-02T10:00:00+08:00,delivery,,,,\n" % i for i in (1, 2, 3)))
    df = followup.simulation_frame(policy(), b, "besttime", T(FROM), T(TO), agents=1, calls_per_agent=2,
                                   truth=truth_file(tmp_path, 3, 1.0)).set_index("measure")
    assert df.loc["coverage", "value"] == 1.0
    assert df.loc["max_calls_agent_day", "value"] == 2
    assert df.loc["cap_violations", "value"] == 0


def test_sensitivity_frame_and_plot(tmp_path):
    b = make_book(6, "".join("C%d,2026-03-0%dT10:00:00+08:00,delivery,,,,\n" % (i, 2 + i % 3) for i in range(1, 7)))
    df = followup.sensitivity_frame(policy(), b, range(1, 4), [1, 3], T(FROM), T(TO), run="policy",
                                    truth=truth_file(tmp_path, 6, 0.6))
    assert list(df["agents"]) == [1, 1, 2, 2, 3, 3]
    assert list(df["calls_per_agent"]) == [1, 3] * 3
    assert ((df["coverage"] >= 0) & (df["coverage"] <= 1)).all()
    assert (df["coverage_low"] <= df["coverage"]).all() and (df["coverage"] <= df["coverage_high"]).all()
    assert (df["cap_violations"] == 0).all()
    pytest.importorskip("matplotlib")
    png = tmp_path / "sensitivity.png"
    followup.plot_sensitivity(df, str(png))
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_oracle_run_from_python(tmp_path):
    """The evaluation-only oracle arm, as the CLI's --compare oracle: with every
    call answered it reaches everybody; without a truth it is refused."""
    b = make_book(3, "".join("C%d,2026-03-02T10:00:00+08:00,delivery,,,,\n" % i for i in (1, 2, 3)))
    df = followup.simulation_frame(policy(), b, "oracle", T(FROM), T(TO), agents=1, calls_per_agent=2,
                                   truth=truth_file(tmp_path, 3, 1.0)).set_index("measure")
    assert df.loc["coverage", "value"] == 1.0
    assert df.loc["cap_violations", "value"] == 0
    with pytest.raises(followup.Error):
        followup.simulation_frame(policy(), b, "oracle", T(FROM), T(TO))


def test_errors_raise():
    b = make_book(1, "C1,2026-03-02T10:00:00+08:00,delivery,,,,\n")
    with pytest.raises(followup.Error, match="baseline, policy, besttime or oracle"):
        followup.simulation_csv(policy(), b, "sometimes", T(FROM), T(TO))
    with pytest.raises(followup.Error):
        followup.simulation_csv(policy(), b, "policy", T(TO), T(FROM))
    with pytest.raises(followup.Error):
        followup.sensitivity_csv(policy(), b, "1,x", "2", T(FROM), T(TO))


# Review s7 F9: the due touchpoints the caps held, and the calls the run used.
# The built-in policy with one cadence: a delivery gets call a within 1 day and
# call b 2 days later within 1 day; at most one contact a week. Delivery Mon
# 09:00, everybody answers: a is made Mon 09:00, b (Wed 09:00 .. Thu 09:00)
# is held by caps.weekly in every plan that sees it: one touchpoint, missed.
WEEKLY_ONE = POLICY.replace("  ordinary_quarterly: ~\n", """  ordinary_quarterly: ~
  delivery: ~
  probe:
    trigger: {event: delivery}
    steps:
      a: {at: 0h, within: 1d, purpose: first call, channel: phone}
      b: {at: 2d, within: 1d, purpose: second call, channel: phone}
caps:
  limits:
    new_customer: ~
    first_month: ~
    per_order: ~
    weekly: {max: 1, per: 7d}
""")


def test_simulation_frame_counts_the_due_contacts_the_caps_held(tmp_path):
    b = make_book(1, "C1,2026-03-02T09:00:00+08:00,delivery,,,,\n")
    pol = followup.policy_load_string(WEEKLY_ONE, "w.yaml")
    df = followup.simulation_frame(pol, b, "policy", T(FROM), T(TO), agents=1, calls_per_agent=0,
                                   truth=truth_file(tmp_path, 1, 1.0)).set_index("measure")
    assert df.loc["contacts", "value"] == 1
    assert df.loc["cap_held", "value"] == 1
    assert df.loc["cap_held_missed", "value"] == 1
    assert df.loc["capacity_held", "value"] == 0
    assert df.loc["calls_per_agent", "value"] == 200  # the built-in capacity.calls_per_agent_day.max
    s = followup.sensitivity_frame(pol, b, [1, 2], [5], T(FROM), T(TO), run="policy",
                                   truth=truth_file(tmp_path, 1, 1.0))
    assert list(s["cap_held"]) == [1, 1] and list(s["cap_held_missed"]) == [1, 1]
    assert list(s["contacts"]) == [1, 1] and list(s["calls_per_agent"]) == [5, 5]
    assert list(s["capacity_held"]) == [0, 0]


def test_timeliness_by_tier_and_a_truth_that_misses_a_customer(tmp_path):
    """Review s9: response timeliness per value tier (D4), rows after the measures;
    a truth without a row for a customer of the book is refused (D9)."""
    b = make_book(2, "C1,2026-03-02T10:00:00+08:00,complaint,normal,phone,,\n"
                     "C2,2026-03-02T10:00:00+08:00,complaint,normal,phone,,\n"
                     "C1,2026-03-02T11:00:00+08:00,contact,,phone,A1,answered\n"
                     "C2,2026-03-04T11:00:00+08:00,contact,,phone,A1,answered\n")
    df = followup.simulation_frame(policy(), b, "baseline", T(FROM), T(TO)).set_index("measure")
    # no annual spend: both customers in the tier "unknown" (SLA 24 h): C1 on time, C2 after 49 h
    assert df.loc["response_timeliness_unknown", "n"] == 2 == df.loc["response_timeliness", "n"]
    assert df.loc["response_timeliness_unknown", "successes"] == 1
    with pytest.raises(followup.Error, match=r"no row for customer 'C2' \(1 of the book's 2 customers"):
        followup.simulation_csv(policy(), b, "policy", T(FROM), T(TO), truth=truth_file(tmp_path, 1, 0.5))
