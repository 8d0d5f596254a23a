#!/usr/bin/python3
"""Draw the weekly KPI dashboard as a PNG.

Loads the sample customers and events (examples/sample/data), computes the
KPIs per ISO week with the built-in policy (followup.Kpi) and draws one
panel per KPI: the weekly value with its 95% interval as a band, the
policy's target as a dashed line, the red threshold as a dotted line, and
each week's marker coloured by its RAG status (green / amber / red; grey
without a target). The last week's value and status are in the panel title.

    /usr/bin/python3 examples/python/kpi_dashboard.py --out /tmp/kpi
    /usr/bin/python3 examples/python/kpi_dashboard.py --weeks 26 --out /tmp/kpi

writes <out>/kpi_dashboard.png. Needs the followup package on PYTHONPATH (the
build puts it in <build>/python), pandas and matplotlib (Debian:
python3-pandas, python3-matplotlib).
"""
import argparse
import pathlib
import sys

import matplotlib

matplotlib.use("Agg")  # files only, no display
import matplotlib.pyplot as plt  # noqa: E402

import followup as fu  # noqa: E402

HERE = pathlib.Path(__file__).resolve().parent

# (KPI, title, how to show a value, lower is better)
PANELS = [
    ("coverage", "Coverage (contacted / due)", "pct", False),
    ("csat", "CSAT (1-5)", "num", False),
    ("nps", "NPS (-100..100)", "num", False),
    ("resolution", "Problem resolution", "pct", False),
    ("response_timeliness", "Response within the SLA", "pct", False),
    ("follow_up_complaints", "Complaints caused by follow-ups", "pct", True),
]
RAG = {"green": "#2e9e44", "yellow": "#f0a202", "red": "#d62728", "none": "#8c8c8c"}


def compute(data_dir, policy):
    book = fu.Book()
    book.read_customers_csv(str(data_dir / "customers.csv"))
    book.read_events_csv(str(data_dir / "events.csv"))
    book.finalize()
    k = fu.Kpi(policy, period="week")
    k.add_book(book)
    k.compute()
    return k.to_dataframe()


def red_threshold(policy, kpi, kind, lower):
    """The policy's red line for a KPI: `red`, else the baseline, else the
    target moved by `amber_margin` (absolute for rates); None without a target."""
    for key in ("red", "baseline"):
        try:
            return policy.get_number(f"kpis.{kpi}.{key}")
        except fu.Error:
            pass
    try:
        target = policy.get_number(f"kpis.{kpi}.target")
        margin = policy.get_number("kpis.amber_margin")
    except fu.Error:
        return None
    m = margin if kind == "pct" else margin * abs(target)
    return target + m if lower else target - m


def fmt(v, kind):
    return f"{100 * v:.1f}%" if kind == "pct" else f"{v:.2f}" if abs(v) < 10 else f"{v:.1f}"


def draw(df, policy, weeks, out):
    periods = sorted(df["period"].unique())
    if weeks:
        periods = periods[-weeks:]
    x_of = {p: i for i, p in enumerate(periods)}
    fig, axes = plt.subplots(2, 3, figsize=(18, 9.5), sharex=True)
    for ax, (kpi, title, kind, lower) in zip(axes.flat, PANELS):
        d = df[(df["kpi"] == kpi) & (df["group"] == "all") & df["period"].isin(x_of)].sort_values("period")
        ax.set_title(title, fontsize=12, loc="left")
        ax.grid(True, color="#e6e6e6", linewidth=0.8)
        ax.set_axisbelow(True)
        if d.empty:
            ax.text(0.5, 0.5, "no data", transform=ax.transAxes, ha="center", color="#8c8c8c")
            continue
        x = [x_of[p] for p in d["period"]]
        scale = 100.0 if kind == "pct" else 1.0
        v = d["value"] * scale
        ax.fill_between(x, d["ci_low"] * scale, d["ci_high"] * scale, color="#4c72b0", alpha=0.13,
                        linewidth=0, label="95% interval")
        ax.plot(x, v, color="#4c72b0", linewidth=1.4, zorder=2)
        ax.scatter(x, v, c=[RAG.get(s, RAG["none"]) for s in d["status"]], s=34, zorder=3,
                   edgecolors="white", linewidths=0.6)
        target = d["target"].dropna()
        if not target.empty:
            ax.axhline(target.iloc[-1] * scale, color="#333333", linestyle="--", linewidth=1.1,
                       label=f"target {fmt(target.iloc[-1], kind)}")
        red = red_threshold(policy, kpi, kind, lower)
        if red is not None:
            ax.axhline(red * scale, color=RAG["red"], linestyle=":", linewidth=1.1,
                       label=f"red {'from' if lower else 'below'} {fmt(red, kind)}")
        last = d.iloc[-1]
        ax.set_title(f"{last['period']}: {fmt(last['value'], kind)} ({last['status']}, n={last['n']:.0f})",
                     fontsize=10, loc="right", color=RAG.get(last["status"], RAG["none"]))
        if kind == "pct":
            ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda y, _: f"{y:.0f}%"))
        if kpi == "csat":
            ax.set_ylim(1, 5.05)
        elif kpi == "nps":
            ax.set_ylim(-100, 100)
        elif kind == "pct":
            ax.set_ylim(-2, 102)
        ax.legend(loc="best", fontsize=8, framealpha=0.85, edgecolor="#dddddd")
    step = max(1, len(periods) // 13)
    for ax in axes[-1]:
        ax.set_xticks(range(0, len(periods), step))
        ax.set_xticklabels([periods[i] for i in range(0, len(periods), step)], rotation=45, ha="right",
                           fontsize=8)
        ax.set_xlim(-0.5, len(periods) - 0.5)
    handles = [matplotlib.lines.Line2D([], [], marker="o", linestyle="", color=c, label=s)
               for s, c in (("green: meets the target", RAG["green"]), ("amber: misses it", RAG["yellow"]),
                            ("red: at or beyond the red line", RAG["red"]), ("no target", RAG["none"]))]
    fig.legend(handles=handles, loc="upper right", ncol=4, frameon=False, fontsize=9)
    fig.suptitle(f"Weekly follow-up KPIs (policy {policy.name()}, all customers, "
                 f"{periods[0]} .. {periods[-1]})", x=0.01, ha="left", fontsize=14)
    fig.tight_layout(rect=(0, 0, 1, 0.95))
    out.mkdir(parents=True, exist_ok=True)
    path = out / "kpi_dashboard.png"
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=pathlib.Path, default=HERE.parent / "sample" / "data",
                    help="directory with customers.csv and events.csv (default: the sample data)")
    ap.add_argument("--policy", help="policy YAML (default: the built-in policy)")
    ap.add_argument("--weeks", type=int, default=0, help="show only the last N weeks (default: all)")
    ap.add_argument("--out", type=pathlib.Path, required=True, help="directory for kpi_dashboard.png")
    a = ap.parse_args(argv)
    policy = fu.policy_load_file(a.policy) if a.policy else fu.policy_default()
    df = compute(a.data, policy)
    path = draw(df, policy, a.weeks, a.out)
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
