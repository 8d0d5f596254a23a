import os
import pathlib

import pytest


@pytest.fixture(scope="session")
def datadir() -> pathlib.Path:
    """The data shipped in the repository: examples/data (CDNOW; see its README)."""
    default = pathlib.Path(__file__).resolve().parents[2] / "examples" / "data"
    return pathlib.Path(os.environ.get("FU_TEST_DATADIR", default))


@pytest.fixture(scope="session")
def srcdir() -> pathlib.Path:
    """The source tree."""
    return pathlib.Path(os.environ.get("FU_SOURCE_DIR", "."))


def rss_kib() -> int:
    """Resident set size of this process in KiB (Linux).

    Under AddressSanitizer (FU_UNDER_ASAN) freed memory sits in quarantine, so
    RSS says nothing about leaks: tests that measure it are skipped there (they
    run in the normal build)."""
    if os.environ.get("FU_UNDER_ASAN"):
        pytest.skip("RSS growth is meaningless under the address sanitizer")
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS")
