"""examples/python/kpi_dashboard.py draws the weekly dashboard as a PNG."""
import os
import pathlib
import subprocess
import sys

import pytest

pytest.importorskip("matplotlib")
pytest.importorskip("pandas")


def test_kpi_dashboard_writes_a_png(srcdir, tmp_path):
    script = pathlib.Path(srcdir) / "examples/python/kpi_dashboard.py"
    env = dict(os.environ)
    env["MPLCONFIGDIR"] = str(tmp_path / "mpl")  # matplotlib's cache, out of $HOME
    r = subprocess.run([sys.executable, str(script), "--out", str(tmp_path / "out"), "--weeks", "20"],
                       capture_output=True, text=True, timeout=300, env=env)
    assert r.returncode == 0, r.stderr
    png = tmp_path / "out" / "kpi_dashboard.png"
    assert r.stdout.strip() == str(png)
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    # IHDR: width and height, big-endian, at bytes 16..24
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert (width, height) == (1980, 1045)
    assert 50_000 < len(data) < 5_000_000  # six panels of lines and markers, not an empty canvas


def test_kpi_dashboard_rejects_a_missing_data_dir(srcdir, tmp_path):
    script = pathlib.Path(srcdir) / "examples/python/kpi_dashboard.py"
    env = dict(os.environ)
    env["MPLCONFIGDIR"] = str(tmp_path / "mpl")
    r = subprocess.run([sys.executable, str(script), "--data", str(tmp_path / "nope"), "--out", str(tmp_path)],
                       capture_output=True, text=True, timeout=300, env=env)
    assert r.returncode != 0
    assert "nope" in r.stderr
