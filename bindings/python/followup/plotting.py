"""Plots with matplotlib (imported on first use; the Agg backend is chosen
when no backend was set, so plots work without a display).

Every function returns the matplotlib ``Axes`` it drew on; pass ``ax=`` to
draw into your own figure, and save with ``ax.figure.savefig(path)``.

- :func:`plot_frequency_recency_matrix`: expected purchases by frequency x recency
- :func:`plot_probability_alive_matrix`: P(alive) by frequency x recency
- :func:`plot_calibration_purchases_vs_holdout_purchases`: model vs actual
- :func:`plot_best_time_heatmap`: contact success by weekday x hour
- :func:`plot_kpi_trend`: a KPI over periods with intervals and RAG bands
- :func:`plot_plan_load`: touchpoints per day, stacked by agent or channel
"""
from __future__ import annotations

import os
from typing import Optional, Sequence

import numpy as np

__all__ = ["plot_frequency_recency_matrix", "plot_probability_alive_matrix",
           "plot_calibration_purchases_vs_holdout_purchases", "plot_best_time_heatmap", "plot_kpi_trend",
           "plot_plan_load"]


def _plt():
    import matplotlib
    if "MPLBACKEND" not in os.environ and matplotlib.get_backend().lower() not in ("agg", "module://matplotlib_inline.backend_inline"):
        try:
            matplotlib.use("Agg")
        except Exception:  # a backend is already in use: keep it
            pass
    import matplotlib.pyplot as plt
    return plt


def _axes(ax, figsize=(7, 5)):
    if ax is not None:
        return ax
    fig, ax = _plt().subplots(figsize=figsize)
    return ax


def _grid(model, T: Optional[float], max_frequency: Optional[int], max_recency: Optional[int]):
    if T is None:
        T = float(max_recency if max_recency is not None else 40)
    F = int(max_frequency if max_frequency is not None else 20)
    R = int(max_recency if max_recency is not None else T)
    f, r = np.meshgrid(np.arange(F + 1, dtype=float), np.arange(R + 1, dtype=float), indexing="ij")
    f, r = f.ravel(), r.ravel()
    r = np.where(f == 0, 0.0, np.minimum(r, T))
    return f, r, np.full_like(f, T), F, R


def _matrix(ax, z, F, R, title, label, cmap):
    plt = _plt()
    im = ax.imshow(z.reshape(F + 1, R + 1), origin="lower", aspect="auto", cmap=cmap)
    ax.set_xlabel("recency (customer's last purchase, in model units)")
    ax.set_ylabel("frequency (repeat purchases)")
    ax.set_title(title)
    plt.colorbar(im, ax=ax, label=label)
    return ax


def plot_frequency_recency_matrix(model, T: Optional[float] = None, t: float = 1.0,
                                  max_frequency: Optional[int] = None, max_recency: Optional[int] = None,
                                  ax=None, cmap: str = "viridis"):
    """Expected purchases in the next ``t`` units of a customer with age ``T``
    by frequency (rows) and recency (columns), from a fitted
    :class:`followup.models.BetaGeoFitter` or ParetoNBDFitter."""
    f, r, TT, F, R = _grid(model, T, max_frequency, max_recency)
    z = np.asarray(model.conditional_expected_number_of_purchases_up_to_time(t, f, r, TT))
    return _matrix(_axes(ax), z, F, R, f"Expected purchases in the next {t:g} units\nby frequency and recency",
                   "expected purchases", cmap)


def plot_probability_alive_matrix(model, T: Optional[float] = None, max_frequency: Optional[int] = None,
                                  max_recency: Optional[int] = None, ax=None, cmap: str = "viridis"):
    """P(alive) by frequency (rows) and recency (columns) for a customer of age ``T``."""
    f, r, TT, F, R = _grid(model, T, max_frequency, max_recency)
    z = np.asarray(model.conditional_probability_alive(f, r, TT))
    return _matrix(_axes(ax), z, F, R, "Probability a customer is alive\nby frequency and recency",
                   "P(alive)", cmap)


def plot_calibration_purchases_vs_holdout_purchases(model, calibration, holdout_purchases, duration_holdout: float,
                                                    n: int = 7, ax=None):
    """Mean holdout purchases, actual and predicted, grouped by calibration
    frequency (0 .. n, the last group n and above). ``calibration``: a
    DataFrame with frequency, recency, T; ``holdout_purchases``: purchases per
    customer in the holdout period of length ``duration_holdout``."""
    import pandas as pd
    pred = np.asarray(model.conditional_expected_number_of_purchases_up_to_time(duration_holdout, calibration))
    freq = np.minimum(np.asarray(calibration["frequency"], dtype=float), n)
    df = pd.DataFrame({"frequency": freq, "actual": np.asarray(holdout_purchases, dtype=float), "model": pred})
    g = df.groupby("frequency")[["actual", "model"]].mean()
    ax = _axes(ax)
    ax.plot(g.index, g["actual"], "o-", label="actual (holdout)")
    ax.plot(g.index, g["model"], "s--", label="model")
    ax.set_xlabel(f"purchases in the calibration period ({n} = {n} or more)")
    ax.set_ylabel("mean purchases in the holdout period")
    ax.set_title("Calibration vs holdout purchases")
    ax.legend()
    return ax


_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def plot_best_time_heatmap(matrix, ax=None, cmap: str = "YlGn", label: str = "P(answer)"):
    """A weekday x hour matrix (7 rows Monday..Sunday, one column per hour or
    slot; a DataFrame keeps its labels) as a heatmap."""
    plt = _plt()
    z = np.asarray(matrix, dtype=float)
    if z.ndim != 2:
        raise ValueError(f"plot_best_time_heatmap: expected a 2-D matrix, got shape {z.shape}")
    ax = _axes(ax, figsize=(10, 4))
    im = ax.imshow(z, aspect="auto", cmap=cmap, vmin=np.nanmin(z) if np.isfinite(z).any() else 0)
    rows = list(getattr(matrix, "index", _WEEKDAYS[: z.shape[0]]))
    cols = list(getattr(matrix, "columns", range(z.shape[1])))
    ax.set_yticks(range(z.shape[0]), [str(v) for v in rows])
    step = max(1, z.shape[1] // 12)
    ax.set_xticks(range(0, z.shape[1], step), [str(cols[i]) for i in range(0, z.shape[1], step)])
    ax.set_xlabel("hour (customer's local time)")
    ax.set_title("Best time to contact")
    plt.colorbar(im, ax=ax, label=label)
    return ax


def plot_kpi_trend(df, value: str = "value", lower: str = "lower", upper: str = "upper", period: str = "period",
                   green: Optional[float] = None, red: Optional[float] = None, higher_is_better: bool = True,
                   title: str = "", ax=None):
    """A KPI over periods: the point estimate with its interval as whiskers,
    and red/amber/green bands from the thresholds ``green`` and ``red``
    (``higher_is_better``: green above ``green``, red below ``red``)."""
    ax = _axes(ax, figsize=(8, 4))
    x = np.arange(len(df))
    v = np.asarray(df[value], dtype=float)
    lo = np.asarray(df[lower], dtype=float) if lower in df else v
    hi = np.asarray(df[upper], dtype=float) if upper in df else v
    finite = np.concatenate([a[np.isfinite(a)] for a in (v, lo, hi)] + [np.array([t for t in (green, red)
                                                                                  if t is not None])])
    ymin, ymax = (finite.min(), finite.max()) if finite.size else (0.0, 1.0)
    pad = 0.1 * (ymax - ymin or 1.0)
    ymin, ymax = ymin - pad, ymax + pad
    if green is not None and red is not None:
        g_lo, g_hi = (green, ymax) if higher_is_better else (ymin, green)
        r_lo, r_hi = (ymin, red) if higher_is_better else (red, ymax)
        ax.axhspan(g_lo, g_hi, color="#2e7d32", alpha=0.15, label="green")
        ax.axhspan(min(green, red), max(green, red), color="#f9a825", alpha=0.15, label="amber")
        ax.axhspan(r_lo, r_hi, color="#c62828", alpha=0.15, label="red")
    yerr = np.vstack([np.clip(v - lo, 0, None), np.clip(hi - v, 0, None)])
    ax.errorbar(x, v, yerr=np.nan_to_num(yerr), fmt="o-", color="#1a237e", capsize=4, label=value)
    ax.set_xticks(x, [str(p) for p in (df[period] if period in df else df.index)], rotation=30, ha="right")
    ax.set_ylim(ymin, ymax)
    ax.set_title(title or "KPI trend")
    ax.legend(loc="best", fontsize="small")
    return ax


def plot_plan_load(plan_df, by: str = "channel", time_col: str = "best_at", tz: Optional[str] = None,
                   capacity: Optional[float] = None, ax=None):
    """Touchpoints per day, stacked by ``by`` (a column such as agent_id or
    channel; none: one bar per day), from :func:`followup.frames.plan_frame`.
    ``capacity``: a dashed line at the daily capacity."""
    import pandas as pd
    t = pd.to_datetime(plan_df[time_col], utc=True)
    if tz:
        t = t.dt.tz_convert(tz)
    day = t.dt.strftime("%Y-%m-%d")
    if by in plan_df.columns:
        counts = pd.crosstab(day, plan_df[by].astype(str))
    else:
        counts = day.value_counts().sort_index().to_frame("touchpoints")
    ax = _axes(ax, figsize=(8, 4))
    bottom = np.zeros(len(counts))
    for c in counts.columns:
        ax.bar(counts.index, counts[c].to_numpy(), bottom=bottom, label=str(c))
        bottom += counts[c].to_numpy()
    if capacity is not None:
        ax.axhline(capacity, color="black", linestyle="--", label="capacity")
    ax.set_ylabel("touchpoints")
    ax.set_title("Plan load per day" + (f" by {by}" if by in plan_df.columns else ""))
    if len(counts.columns) <= 20:
        ax.legend(fontsize="small", ncol=2)
    ax.tick_params(axis="x", rotation=30)
    return ax
