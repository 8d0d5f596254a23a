"""bench/besttime_sim_util.py's t-interval factor (review s11 hR L5): the
table is checked against published values and against an independent
numerical inverse of Student's t CDF (Simpson's rule on the density,
bisection), for every df of the table."""
import math
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "bench"))
import besttime_sim_util as u  # noqa: E402


def t_cdf_upper_half(x, df, steps=2000):
    """P(0 <= T <= x) for Student's t with df degrees of freedom."""
    c = math.exp(math.lgamma((df + 1) / 2) - math.lgamma(df / 2)) / math.sqrt(df * math.pi)
    f = lambda t: c * (1 + t * t / df) ** (-(df + 1) / 2)  # noqa: E731
    h = x / steps
    s = f(0) + f(x) + sum((4 if k % 2 else 2) * f(k * h) for k in range(1, steps))
    return s * h / 3


def t975_by_bisection(df):
    lo, hi = 0.0, 20.0
    if df == 1:  # Cauchy: tan(0.475 pi)
        return math.tan(0.475 * math.pi)
    for _ in range(50):
        mid = (lo + hi) / 2
        if t_cdf_upper_half(mid, df, 400) < 0.475:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def test_published_values():
    # e.g. NIST/SEMATECH e-Handbook, table of upper critical values of t
    for df, want in {1: 12.706, 2: 4.303, 12: 2.179, 13: 2.160, 19: 2.093, 30: 2.042, 60: 2.000, 100: 1.984}.items():
        assert abs(u.t975(df) - want) < 0.0006, (df, u.t975(df), want)
    assert (u.t975(12), u.t975(13), u.t975(30)) == (2.1788, 2.1604, 2.0423)
    assert u.t975(121) == 1.96 and u.t975(1000) == 1.96


def test_every_df_against_a_numerical_inverse():
    for df in range(1, 121):
        got = t975_by_bisection(df)
        assert abs(u.t975(df) - got) < 0.00051, (df, u.t975(df), got)


def test_interval_of_13_seeds():
    xs = [float(i) for i in range(13)]
    m, lo, hi = u.tint(xs)
    sd = math.sqrt(sum((x - m) ** 2 for x in xs) / 12)
    assert m == 6.0 and abs((hi - m) - 2.1788 * sd / math.sqrt(13)) < 1e-12 and abs((m - lo) - (hi - m)) < 1e-12
