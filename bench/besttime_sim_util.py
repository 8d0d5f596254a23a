"""What bench/besttime_sim_seeds.py and bench/besttime_sim_pair.py share: the
--seeds option (a list of seeds and ranges, "1-10" or "1,3,5-7") and the mean
with its 95% t-interval over the seeds."""
import argparse
import math

# T975[df - 1]: the 0.975 quantile of Student's t with df = 1..120 degrees
# of freedom (the half-width factor of a two-sided 95% interval), to 4
# decimals; computed with scipy.stats.t.ppf(0.975, df) (scipy 1.10) and
# checked against published tables by tests/python/test_bench_tint.py.
# Past 120 degrees of freedom the normal 1.96 (t(0.975, 120) = 1.9799).
T975 = (
    12.7062, 4.3027, 3.1824, 2.7764, 2.5706, 2.4469, 2.3646, 2.3060, 2.2622, 2.2281,  # df 1-10
    2.2010, 2.1788, 2.1604, 2.1448, 2.1314, 2.1199, 2.1098, 2.1009, 2.0930, 2.0860,  # df 11-20
    2.0796, 2.0739, 2.0687, 2.0639, 2.0595, 2.0555, 2.0518, 2.0484, 2.0452, 2.0423,  # df 21-30
    2.0395, 2.0369, 2.0345, 2.0322, 2.0301, 2.0281, 2.0262, 2.0244, 2.0227, 2.0211,  # df 31-40
    2.0195, 2.0181, 2.0167, 2.0154, 2.0141, 2.0129, 2.0117, 2.0106, 2.0096, 2.0086,  # df 41-50
    2.0076, 2.0066, 2.0057, 2.0049, 2.0040, 2.0032, 2.0025, 2.0017, 2.0010, 2.0003,  # df 51-60
    1.9996, 1.9990, 1.9983, 1.9977, 1.9971, 1.9966, 1.9960, 1.9955, 1.9949, 1.9944,  # df 61-70
    1.9939, 1.9935, 1.9930, 1.9925, 1.9921, 1.9917, 1.9913, 1.9908, 1.9905, 1.9901,  # df 71-80
    1.9897, 1.9893, 1.9890, 1.9886, 1.9883, 1.9879, 1.9876, 1.9873, 1.9870, 1.9867,  # df 81-90
    1.9864, 1.9861, 1.9858, 1.9855, 1.9853, 1.9850, 1.9847, 1.9845, 1.9842, 1.9840,  # df 91-100
    1.9837, 1.9835, 1.9833, 1.9830, 1.9828, 1.9826, 1.9824, 1.9822, 1.9820, 1.9818,  # df 101-110
    1.9816, 1.9814, 1.9812, 1.9810, 1.9808, 1.9806, 1.9804, 1.9803, 1.9801, 1.9799,  # df 111-120
)


def t975(df):
    """The two-sided 95% t factor for df >= 1 degrees of freedom."""
    if df < 1:
        raise ValueError(f"t975: df must be >= 1, got {df!r}")
    return T975[df - 1] if df <= len(T975) else 1.96


def tint(xs):
    """(mean, low, high) of xs: the mean and its 95% t-interval; the interval
    is (nan, nan) for fewer than two values."""
    n = len(xs)
    m = sum(xs) / n
    if n < 2:
        return m, float("nan"), float("nan")
    sd = math.sqrt(sum((x - m) ** 2 for x in xs) / (n - 1))
    h = t975(n - 1) * sd / math.sqrt(n)
    return m, m - h, m + h


def seeds_of(text):
    """The seeds of "A-B,C,...": each part a seed or an inclusive range, in
    the order given."""
    out = []
    for part in text.split(","):
        a, _, b = part.partition("-")
        out.extend(range(int(a), int(b or a) + 1))
    return out


def _seeds_arg(text):
    try:
        seeds = seeds_of(text)
    except ValueError:
        seeds = []
    if not seeds:
        raise argparse.ArgumentTypeError(f"expected seeds and ranges such as 1-10 or 1,3,5-7, not {text!r}")
    return seeds


def add_seeds_option(ap):
    """--seeds on an argparse parser: the list of seeds to run or read
    (seeds_of), 1-10 unless given; a text that names no seed is a usage error."""
    ap.add_argument("--seeds", default="1-10", type=_seeds_arg,
                    help="seeds and ranges, e.g. 1-10 or 1,3,5-7 (default 1-10)")
