"""What bench/besttime_sim_seeds.py and bench/besttime_sim_pair.py share: the
--seeds option (a list of seeds and ranges, "1-10" or "1,3,5-7") and the mean
with its 95% t-interval over the seeds."""
import argparse
import math

# Two-sided 95% quantiles of Student's t by sample size n (n - 1 degrees of
# freedom); other sizes use the normal 1.96.
T975 = {2: 12.706, 3: 4.303, 4: 3.182, 5: 2.776, 6: 2.571, 7: 2.447, 8: 2.365, 9: 2.306, 10: 2.262,
        11: 2.228, 12: 2.201, 15: 2.145, 20: 2.093}


def tint(xs):
    """(mean, low, high) of xs: the mean and its 95% t-interval; the interval
    is (nan, nan) for fewer than two values."""
    n = len(xs)
    m = sum(xs) / n
    if n < 2:
        return m, float("nan"), float("nan")
    sd = math.sqrt(sum((x - m) ** 2 for x in xs) / (n - 1))
    h = T975.get(n, 1.96) * sd / math.sqrt(n)
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
