"""The HTML KPI dashboard (issue 17 item 9): Kpi.to_html(), `followup kpi
--format html`, and the page in headless Chromium (Debian's `chromium`): it
loads without console errors, its screenshot is not blank and shows the RAG
colours, and the KPI names are in the DOM."""
import os
import pathlib
import re
import shutil
import subprocess

import pytest

import followup

CLI = os.environ.get("FU_CLI", "")
SAMPLE = "examples/sample/data"
NOW = "2026-11-23T00:00:00+08:00"


def sample_book(srcdir):
    book = followup.Book()
    book.read_customers_csv(str(srcdir / SAMPLE / "customers.csv"))
    book.read_events_csv(str(srcdir / SAMPLE / "events.csv"))
    book.finalize()
    return book


@pytest.fixture(scope="module")
def engines(srcdir):
    policy = followup.policy_default()
    book = sample_book(srcdir)
    overall = followup.Kpi(policy, period="week")
    overall.add_book(book)
    overall.compute()
    grouped = followup.Kpi(policy, period="week", by="tier,agent")
    grouped.add_book(book)
    grouped.compute()
    return overall, grouped


def tiles(html):
    return dict(re.findall(r'<div class="tile \w+" data-kpi="(\w+)" data-status="(\w+)"', html))


def test_to_html_has_a_tile_per_kpi_and_too_few_data_for_small_n(engines):
    overall, grouped = engines
    html = overall.to_html(breakdown=grouped, title="Weekly follow-up")
    assert html.startswith("<!DOCTYPE html>") and html.endswith("</html>\n")
    assert "<title>Weekly follow-up</title>" in html
    df = overall.to_dataframe()
    names = set(df.kpi)
    t = tiles(html)
    assert set(t) == names
    # each tile shows the latest figure of its KPI in group "all"
    for name, status in t.items():
        last = df[df.kpi == name].iloc[-1]
        n, lo, hi, target = last.n, last.ci_low, last.ci_high, last.target
        few = (not n >= 5 or last.value != last.value
               or (target == target and (lo != lo or hi != hi or lo <= target <= hi)))
        want = "few" if few else (last.status or "none")
        assert status == want, (name, status, want, n, lo, hi, target)
    # in the trend charts, every point on fewer than 5 units is "too few data"
    points = re.findall(r'<circle class="(\w+)" data-status="\w+"[^>]*><title>[^<]*n = (\d+),', html)
    assert len(points) > 20
    assert any(int(n) < 5 for _, n in points)
    for cls, n in points:
        if int(n) < 5:
            assert cls == "few", (cls, n)
    # the breakdown table: one row per tier/agent group of the latest period
    g = grouped.to_dataframe()
    latest = g[g.period == g.period.iloc[-1]]
    rows = re.findall(r'<tr data-group="([^"]*)">', html)
    assert sorted(rows) == sorted(set(latest.group))
    assert all("/" in r for r in rows)  # tier/agent


def test_to_html_options_and_errors(engines):
    overall, _ = engines
    # min_n=0 keeps only the interval rule; a huge min_n makes every tile "too few data"
    assert set(tiles(overall.to_html(min_n=1e9)).values()) == {"few"}
    assert len(re.findall(r'<circle class="\w+" data-status', overall.to_html(trend_periods=2))) <= 2 * 20
    with pytest.raises(followup.InvalidArgumentError):
        overall.to_html(min_n=float("nan"))
    empty = followup.Kpi(followup.policy_default())
    with pytest.raises(followup.StateError):
        empty.to_html()


def run_cli(*args):
    return subprocess.run([CLI, *args], capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def cli_html(srcdir, tmp_path_factory):
    if not CLI:
        pytest.skip("CLI not built")
    out = tmp_path_factory.mktemp("html") / "kpi.html"
    r = run_cli("kpi", "--customers", str(srcdir / SAMPLE / "customers.csv"),
                "--events", str(srcdir / SAMPLE / "events.csv"), "--format", "html", "--output", str(out))
    assert r.returncode == 0, r.stderr
    return out


def test_cli_writes_the_same_page_as_the_binding(cli_html, engines):
    overall, grouped = engines
    assert cli_html.read_text(encoding="utf-8") == overall.to_html(breakdown=grouped)
    r = run_cli("kpi", "--events", "x.csv", "--format", "htm")
    assert r.returncode == 2 and "html" in r.stderr


def chromium(*args, cwd):
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if not exe:
        pytest.skip("chromium not installed (cmake/install-deps.sh installs it)")
    cmd = [exe, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
           f"--user-data-dir={cwd / 'profile'}", "--enable-logging=stderr", "--v=0", *args]
    # not under the ASan runtime the sanitizer build preloads into Python
    env = {k: v for k, v in os.environ.items() if k not in ("LD_PRELOAD", "ASAN_OPTIONS", "UBSAN_OPTIONS")}
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, cwd=cwd, env=env)


def console_errors(stderr):
    return [l for l in stderr.splitlines() if ":CONSOLE" in l]


def test_page_in_headless_chromium(cli_html, engines, tmp_path):
    # the console check is not vacuous: a broken page is caught
    bad = tmp_path / "bad.html"
    bad.write_text("<!DOCTYPE html><title>x</title><script>console.error('boom')</script>")
    assert console_errors(chromium("--dump-dom", bad.as_uri(), cwd=tmp_path).stderr)

    r = chromium("--dump-dom", cli_html.as_uri(), cwd=tmp_path)
    assert r.returncode == 0, r.stderr[-2000:]
    assert console_errors(r.stderr) == []
    dom = r.stdout
    overall, _ = engines
    for name in set(overall.to_dataframe().kpi):
        assert f'data-kpi="{name}"' in dom and f'<div class="name">{name}</div>' in dom
    assert "too few data" in dom

    png = tmp_path / "shot.png"
    r = chromium(f"--screenshot={png}", "--window-size=1280,1400", cli_html.as_uri(), cwd=tmp_path)
    assert r.returncode == 0 and png.exists(), r.stderr[-2000:]
    assert console_errors(r.stderr) == []
    import numpy as np
    from matplotlib import image
    px = image.imread(str(png))[..., :3]
    assert px.shape[0] >= 1000 and px.shape[1] >= 1200
    nonwhite = (px < 0.95).any(axis=2).mean()
    assert nonwhite > 0.03, nonwhite   # not blank
    rgb = (px * 255).round().astype(int)

    def share(colour, tol=12):
        return (np.abs(rgb - np.array(colour)).max(axis=2) <= tol).mean()
    # the RAG colours and the grey of "too few data" are drawn
    assert share((0xc6, 0x28, 0x28)) > 0.0005   # red
    assert share((0x9a, 0xa5, 0xb1)) > 0.0005   # too few data
