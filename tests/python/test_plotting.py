"""followup.plotting: every plot saves a non-blank PNG of the expected size."""
import pathlib
import struct

import pytest

np = pytest.importorskip("numpy")
pd = pytest.importorskip("pandas")
pytest.importorskip("matplotlib")

import followup  # noqa: E402
from followup import frames, models, plotting  # noqa: E402
import fu_helpers  # noqa: E402

DATA = pathlib.Path(__file__).resolve().parent.parent / "data" / "cdnow"
NOW = "2026-11-23T00:00:00+08:00"


def png_ok(path, width=700, height=500):
    """A PNG of width x height pixels (dpi 100) that is not one flat colour."""
    import matplotlib.image as mpimg
    raw = path.read_bytes()
    assert raw[:8] == b"\x89PNG\r\n\x1a\n"
    w, h = struct.unpack(">II", raw[16:24])
    assert (w, h) == (width, height)
    img = mpimg.imread(str(path))
    assert img.shape[:2] == (height, width)
    flat = img.reshape(-1, img.shape[2])
    assert len(np.unique(flat.round(2), axis=0)) > 20  # drawn, not blank


def save(ax, path, size=(7, 5)):
    ax.figure.set_size_inches(*size)
    ax.figure.savefig(path, dpi=100)
    import matplotlib.pyplot as plt
    plt.close(ax.figure)


@pytest.fixture(scope="module")
def cdnow():
    d = pd.read_csv(DATA / "cdnow_customers_summary_with_transactions.csv")
    return d.rename(columns={"x": "frequency", "t_x": "recency", "zbar": "monetary_value"})


@pytest.fixture(scope="module")
def bgf(cdnow):
    return models.BetaGeoFitter().fit(cdnow)


@pytest.fixture(scope="module")
def sample_book(srcdir):
    return fu_helpers.sample_book(srcdir)


def test_frequency_recency_and_alive_matrices(tmp_path, bgf):
    save(plotting.plot_frequency_recency_matrix(bgf, T=39, t=1), tmp_path / "fr.png")
    png_ok(tmp_path / "fr.png")
    save(plotting.plot_probability_alive_matrix(bgf, T=39), tmp_path / "pa.png")
    png_ok(tmp_path / "pa.png")


def test_calibration_vs_holdout(tmp_path, bgf):
    tx = pd.read_csv(DATA / "CDNOW_sample.txt", sep=r"\s+", header=None,
                     names=["master", "id", "date", "cds", "value"], dtype={"date": str})
    tx["date"] = pd.to_datetime(tx["date"], format="%Y%m%d")
    cal = frames.summary_from_transactions(tx, "id", "date", observation_period_end="1997-09-30",
                                           freq_multiplier=7)
    hold = tx[tx["date"] > "1997-09-30"].drop_duplicates(["id", "date"]).groupby("id").size()
    hold = hold.reindex(cal.index, fill_value=0)
    ax = plotting.plot_calibration_purchases_vs_holdout_purchases(bgf, cal, hold, 39)
    save(ax, tmp_path / "cal.png")
    png_ok(tmp_path / "cal.png")


def test_best_time_heatmap(tmp_path, sample_book):
    bt = followup.BestTime(followup.policy_default(), sample_book)
    m = frames.besttime_frame(bt, customer=0, now=NOW)
    assert m.shape == (7, 24) and list(m.index) == list(frames.WEEKDAYS)
    assert ((m >= 0) & (m <= 1)).all().all()
    save(plotting.plot_best_time_heatmap(m), tmp_path / "bt.png", (10, 4))
    png_ok(tmp_path / "bt.png", 1000, 400)


def test_kpi_trend_with_rag_bands(tmp_path):
    df = pd.DataFrame({"period": ["W44", "W45", "W46", "W47"], "value": [0.62, 0.71, 0.8, 0.55],
                       "lower": [0.5, 0.6, 0.7, 0.4], "upper": [0.72, 0.8, 0.88, 0.69]})
    ax = plotting.plot_kpi_trend(df, green=0.75, red=0.6, title="answer rate")
    assert {p.get_label() for p in ax.patches} >= {"green", "amber", "red"}
    save(ax, tmp_path / "kpi.png", (8, 4))
    png_ok(tmp_path / "kpi.png", 800, 400)


def test_plan_load(tmp_path, sample_book):
    plan = followup.Planner(followup.policy_default(), sample_book, agents=4).plan(
        followup.time_parse(NOW), 7 * 86400)
    df = frames.plan_frame(plan, "planned")
    ax = plotting.plot_plan_load(df, by="channel", capacity=40)
    assert sum(p.get_height() for p in ax.patches) == len(df)
    save(ax, tmp_path / "load.png", (8, 4))
    png_ok(tmp_path / "load.png", 800, 400)
