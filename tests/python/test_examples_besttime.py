"""examples/python/besttime_heatmap.py runs and writes two real PNG heatmaps."""
import os
import pathlib
import struct
import subprocess
import sys

import pytest

SRC = pathlib.Path(os.environ.get("FU_SOURCE_DIR", "."))
SCRIPT = SRC / "examples" / "python" / "besttime_heatmap.py"


def png_size(path):
    """(width, height) from the PNG signature and IHDR chunk; fails on anything else."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    length, kind = struct.unpack(">I4s", data[8:16])
    assert kind == b"IHDR" and length == 13
    assert data.rstrip(b"\0").endswith(b"IEND\xaeB`\x82"), f"{path} is truncated"
    return struct.unpack(">II", data[16:24])


@pytest.mark.parametrize("customer", [None, "C00012"])
def test_heatmap_example_writes_two_pngs(tmp_path, customer):
    pytest.importorskip("numpy")
    pytest.importorskip("matplotlib")
    cmd = [sys.executable, str(SCRIPT), "--out", str(tmp_path / "out")]
    if customer:
        cmd += ["--customer", customer]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=300, env=dict(os.environ))
    assert r.returncode == 0, r.stderr
    paths = [pathlib.Path(line) for line in r.stdout.split()]
    assert len(paths) == 2
    want = customer or "C00113"  # the sample customer with the most calls (8)
    assert paths[0].name == f"besttime_customer_{want}.png"
    assert paths[1].name.startswith("besttime_segment_")
    for p in paths:
        assert p.parent == tmp_path / "out"
        w, h = png_size(p)
        assert 1000 <= w <= 2000 and 400 <= h <= 800, (w, h)
        assert 20_000 < p.stat().st_size < 2_000_000
