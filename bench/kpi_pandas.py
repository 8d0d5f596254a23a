"""The KPI benchmark's reference computation in pandas (run by bench_kpi).

    /usr/bin/python3 bench/kpi_pandas.py DIR [RUNS]

Reads the raw columns bench_kpi wrote to DIR (loading is not timed) and
computes, per ISO week (Asia/Shanghai) x value tier x agent, the KPIs that
vectorise naturally, with the definitions of docs/kpi.md and their intervals
(Wilson, t, NPS): response timeliness, response time p50/p90, resolution,
CSAT (mean and top-2-box), NPS, CES, over-contact (min gap, new-customer,
first-month, weekly and SMS caps), repeat complaints and repurchase. Prints
the median of RUNS runs as "pandas median SECONDS s wall, SECONDS s CPU" plus check sums that
bench_kpi prints for the C engine too.
"""
import sys
import time

import numpy as np
import pandas as pd
from scipy import stats

H = 3600
DAY = 86400
Z = stats.norm.ppf(0.975)
KINDS = dict(purchase=0, fault=4, complaint=5, inquiry=6, feedback=7, contact=8, survey=9, resolved=14)


def load(d):
    def col(name, dt):
        return np.fromfile(f"{d}/{name}.bin", dtype=dt)

    ev = pd.DataFrame({
        "cust": col("cust", "<i4"), "at": col("at", "<i8"), "kind": col("kind", "u1"),
        "agent": col("agent", "<i4"), "channel": col("channel", "u1"), "outcome": col("outcome", "u1"),
        "survey": col("survey", "u1"), "score": col("score", "<f4"), "amount": col("amount", "<f8"),
        "severity": col("severity", "u1"),
    })
    tier = col("cust_tier", "u1")
    return ev, tier


def wilson(x, n):
    p = x / n
    den = 1 + Z * Z / n
    mid = (p + Z * Z / (2 * n)) / den
    half = Z * np.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n)) / den
    return p, (mid - half).clip(0, 1), (mid + half).clip(0, 1)


def prop(df, keys, col):
    g = df.groupby(keys, sort=False)[col].agg(["sum", "count"])
    v, lo, hi = wilson(g["sum"].to_numpy(float), g["count"].to_numpy(float))
    return g.assign(value=v, ci_low=lo, ci_high=hi)


def mean_t(df, keys, col):
    g = df.groupby(keys, sort=False)[col].agg(["mean", "std", "count"])
    n = g["count"].to_numpy(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        half = stats.t.ppf(0.975, n - 1) * g["std"].to_numpy() / np.sqrt(n)
    return g.assign(ci_low=g["mean"] - half, ci_high=g["mean"] + half)


def window_count(key, ws_key):
    """Contacts of the same customer in (t - per, t] for sorted composite keys."""
    return np.arange(len(key)) - np.searchsorted(key, ws_key, side="right") + 1


def compute(ev, tier):
    out = {}
    as_of = ev["at"].max()
    ev = ev.sort_values(["cust", "at"], kind="stable", ignore_index=True)
    ev["week"] = (ev["at"] + 8 * H - 4 * DAY) // (7 * DAY)
    ev["tier"] = tier[ev["cust"].to_numpy()]
    kind = ev["kind"]

    # surveys: CSAT, top-2-box, NPS, CES
    sv = ev[kind == KINDS["survey"]]
    keys = ["week", "tier", "agent"]
    cs = sv[sv["survey"] == 1]
    out["csat"] = mean_t(cs, keys, "score")
    out["csat_top2"] = prop(cs.assign(top=cs["score"] >= 4), keys, "top")
    ns = sv[sv["survey"] == 2]
    g = ns.assign(p=ns["score"] >= 9, d=ns["score"] <= 6).groupby(keys, sort=False)[["p", "d"]].agg(["sum", "count"])
    n = g[("p", "count")].to_numpy(float)
    pp, pd_ = g[("p", "sum")].to_numpy(float) / n, g[("d", "sum")].to_numpy(float) / n
    half = 100 * Z * np.sqrt((pp + pd_ - (pp - pd_) ** 2) / n)
    out["nps"] = pd.DataFrame({"value": 100 * (pp - pd_), "ci_low": 100 * (pp - pd_) - half,
                               "ci_high": 100 * (pp - pd_) + half, "n": n}, index=g.index)
    out["ces"] = mean_t(sv[sv["survey"] == 3], keys, "score")

    # issues answered by the first reached contact after them
    reached = ev[(kind == KINDS["contact"]) & ev["outcome"].isin([0, 1])][["cust", "at", "agent"]]
    issues = ev[kind.isin([4, 5, 6, 7])][["cust", "at", "kind", "severity", "week", "tier"]]
    m = pd.merge_asof(issues.sort_values("at"), reached.rename(columns={"at": "c_at"}).sort_values("c_at"),
                      left_on="at", right_on="c_at", by="cust", direction="forward")
    tier_sla = np.array([2 * H, 24 * H, 24 * H])[m["tier"].to_numpy()]
    sev_sla = np.array([24 * H, 2 * H, 24 * H, 72 * H])[m["severity"].to_numpy()]
    deadline = m["at"] + np.minimum(tier_sla, sev_sla)
    answered = m["c_at"].notna()
    m["agent"] = m["agent"].fillna(0).astype("int64")
    m["within"] = answered & (m["c_at"] <= deadline)
    counted = answered | (deadline <= as_of)
    out["response_timeliness"] = prop(m[counted], keys, "within")
    rt = m[answered].assign(hours=(m["c_at"] - m["at"]) / H)
    gq = rt.groupby(keys, sort=False)["hours"]
    out["response_time_p50"] = gq.quantile(0.5)
    out["response_time_p90"] = gq.quantile(0.9)

    # resolution: a later `resolved` event of the customer
    res = ev[kind == KINDS["resolved"]][["cust", "at"]].rename(columns={"at": "r_at"}).sort_values("r_at")
    prob = m[m["kind"].isin([4, 5, 6])].sort_values("at")
    r = pd.merge_asof(prob, res, left_on="at", right_on="r_at", by="cust", direction="forward",
                      allow_exact_matches=False)
    out["resolution"] = prop(r.assign(ok=r["r_at"].notna()), keys, "ok")

    # repeat complaints within 30 days
    comp = m[m["kind"] == KINDS["complaint"]].sort_values(["cust", "at"])
    nxt = comp.groupby("cust")["at"].shift(-1)
    rep = (nxt - comp["at"]) <= 30 * DAY
    obs = rep | (comp["at"] + 30 * DAY <= as_of)
    out["repeat_complaints"] = prop(comp[obs].assign(rep=rep[obs]), keys, "rep")

    # over-contact against the caps
    ct = ev[kind == KINDS["contact"]][["cust", "at", "agent", "channel", "week", "tier"]]
    first_purchase = ev[kind == KINDS["purchase"]].groupby("cust")["at"].min()
    fp = first_purchase.reindex(ct["cust"]).to_numpy()
    t = ct["at"].to_numpy()
    is_new = (fp <= t) & (t < fp + 90 * DAY)
    key = ct["cust"].to_numpy().astype(np.int64) * (1 << 40) + (t - t.min() + (1 << 36))
    gap = ct.groupby("cust")["at"].diff() < 24 * H
    over = gap.to_numpy() | (window_count(key, key - 7 * DAY) > 3)
    over |= is_new & ((window_count(key, key - 72 * H) > 2) | (window_count(key, key - 30 * DAY) > 2))
    sms = ct["channel"].to_numpy() == 2
    ks = key[sms]
    over_sms = np.zeros(len(ct), bool)
    over_sms[sms] = window_count(ks, ks - 3 * DAY) > 2
    out["over_contact"] = prop(ct.assign(over=over | over_sms), keys, "over")

    # repurchase: the first purchase of a customer in a week, bought again within 90 days
    pu = ev[kind == KINDS["purchase"]][["cust", "at", "agent", "week", "tier"]]
    nxt = pu.groupby("cust")["at"].shift(-1)
    first_in_week = ~pu.duplicated(["cust", "week"])
    again = (nxt - pu["at"]) <= 90 * DAY
    obs = first_in_week & (again | (pu["at"] + 90 * DAY <= as_of))
    out["repurchase"] = prop(pu[obs].assign(ok=again[obs]), keys, "ok")
    return out


def main():
    d = sys.argv[1]
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    ev, tier = load(d)
    times, cpu = [], []
    res = None
    for _ in range(runs):
        t0, c0 = time.perf_counter(), time.process_time()
        res = compute(ev, tier)
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    times.sort()
    cpu.sort()
    med = times[len(times) // 2]
    cpu_med = cpu[len(cpu) // 2]
    rows = sum(len(v) for v in res.values())
    c = res["csat"]
    tm = res["response_timeliness"]
    print(f"pandas: {len(res)} KPIs, {rows} figures, runs {', '.join(f'{x:.2f}' for x in times)} s")
    print(f"pandas check: csat answers {c['count'].sum()} (mean {(c['mean'] * c['count']).sum() / c['count'].sum():.4f}),"
          f" nps answers {res['nps']['n'].sum():.0f}, issues with an SLA {tm['count'].sum()} (within {tm['sum'].sum()})")
    print(f"pandas median {med:.3f} s wall, {cpu_med:.3f} s CPU")


if __name__ == "__main__":
    main()
