"""examples/python/dask_plan.py: a book planned over Dask partitions (worker
processes and threads) gives the same plan as in one piece when every
partition gets the whole book's tier cycles, and not without them (the
comparison can fail). Skipped when dask.distributed is not installed."""
import os
import pathlib
import subprocess
import sys

import pytest

SRC = pathlib.Path(os.environ.get("FU_SOURCE_DIR", "."))
SCRIPT = SRC / "examples" / "python" / "dask_plan.py"


def run(*extra):
    cmd = [sys.executable, str(SCRIPT), "--customers", "3000", "--partitions", "6", "--workers", "2",
           "--threads", "2", *extra]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=240, env=dict(os.environ))


def test_partitions_plan_as_the_whole_book_with_its_tier_cycles():
    pytest.importorskip("dask.distributed")
    r = run()
    assert r.returncode == 0, r.stdout + r.stderr
    assert "tier cycles: the whole book's" in r.stdout
    assert "same plan as in one piece: yes" in r.stdout
    single = int(r.stdout.split("single process: ")[1].split()[0])
    dask = int(r.stdout.split("dask: ")[1].split()[0])
    assert single == dask > 1000


def test_partitions_with_their_own_tier_cycles_plan_differently():
    pytest.importorskip("dask.distributed")
    r = run("--local-cycles")
    assert r.returncode == 1, r.stdout + r.stderr
    assert "same plan as in one piece: NO" in r.stdout
