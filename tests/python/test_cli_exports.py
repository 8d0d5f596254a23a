"""CSV exports of the followup tool (issue 13, items 6 and 9): formula
neutralisation in every CSV it writes, --csv-raw, output files replaced all
or nothing (a file size limit, the error a full disk gives, never empties an
existing --output), and clear errors for ordinary misuse."""
import csv
import io
import os
import pathlib
import resource
import signal
import subprocess

import pytest

CLI = os.environ.get("FU_CLI", "")
pytestmark = pytest.mark.skipif(not CLI, reason="followup tool not built")
SAMPLE = pathlib.Path(__file__).resolve().parents[2] / "examples" / "sample" / "data"
NOW = "2026-03-01T00:00:00+08:00"
# customer ids and an agent id a spreadsheet would run as formulas
SWAP = {"C00001": "=1+2", "C00002": "-2", "C00003": "@SUM(A1)", "A03": "+A03"}
GUARDED = {"=1+2", "@SUM(A1)", "+A03"}


def run(*args, limit=None):
    def cap():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return subprocess.run([CLI, *map(str, args)], capture_output=True, text=True, timeout=300,
                          preexec_fn=cap if limit else None)


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    d = tmp_path_factory.mktemp("exports")
    for name in ("customers.csv", "events.csv"):
        rows = list(csv.reader(open(SAMPLE / name, newline="", encoding="utf-8")))
        for row in rows[1:]:
            for i, cell in enumerate(row):
                row[i] = SWAP.get(cell, cell)
        with open(d / name, "w", newline="", encoding="utf-8") as f:
            csv.writer(f, lineterminator="\n").writerows(rows)
    return d


def cells(text):
    """Every cell of a CSV text as written (raw), and as a reader sees it."""
    return [c for row in csv.reader(io.StringIO(text)) for c in row]


def check_neutralised(text):
    seen = cells(text)
    for bad in GUARDED:
        assert bad not in seen, f"{bad!r} written as is"
    for cell in seen:
        # no cell a spreadsheet would evaluate, except plain numbers
        if cell[:1] in ("=", "+", "-", "@", "\t", "\r"):
            float(cell)
    return seen


def test_plan_csv(data, tmp_path):
    out = tmp_path / "plan.csv"
    args = ("plan", "--customers", data / "customers.csv", "--events", data / "events.csv",
            "--now", "2025-12-01T00:00:00+08:00", "--horizon", "30d", "--format", "csv", "--output", out)
    r = run(*args)
    assert r.returncode == 0, r.stderr
    seen = check_neutralised(out.read_text())
    assert "'@SUM(A1)" in seen and "-2" in seen   # a plain negative number stays as it is
    assert '\n"\'@SUM(A1)",2025-12-01T00:00:00+08:00,' in out.read_text()
    r = run(*args, "--csv-raw")
    assert r.returncode == 0, r.stderr
    assert "@SUM(A1)" in cells(out.read_text())


def test_segment_csv(data):
    r = run("segment", "--customers", data / "customers.csv", "--events", data / "events.csv")
    assert r.returncode == 0, r.stderr
    seen = check_neutralised(r.stdout)
    assert "'@SUM(A1)" in seen
    assert '\n"\'=1+2",' in r.stdout    # quoted, apostrophe inside


def test_kpi_csv_keeps_negative_numbers(data):
    r = run("kpi", "--customers", data / "customers.csv", "--events", data / "events.csv",
            "--by", "agent", "--format", "csv")
    assert r.returncode == 0, r.stderr
    seen = check_neutralised(r.stdout)
    assert "'+A03" in seen
    r = run("kpi", "--customers", data / "customers.csv", "--events", data / "events.csv",
            "--by", "agent", "--format", "csv", "--csv-raw")
    assert "+A03" in cells(r.stdout)


def test_kpi_table_csv_and_besttime_csv(data):
    r = run("kpi", "--customers", data / "customers.csv", "--events", data / "events.csv",
            "--by", "agent", "--format", "table")
    assert r.returncode == 0
    r = run("besttime", "--customers", data / "customers.csv", "--events", data / "events.csv",
            "--day", "2026-03-05", "--k", "1", "--format", "csv")
    assert r.returncode == 0, r.stderr
    assert "'=1+2" in check_neutralised(r.stdout)


def test_commitments_csv(tmp_path):
    ledger = tmp_path / "l.db"
    r = run("commitments", "add", "--ledger", ledger, "--customer", "=HYPERLINK(\"x\")", "--text",
            "-call back tomorrow", "--within", "24h", "--at", "2026-03-02T10:00:00+08:00", "--owner", "@ops")
    assert r.returncode == 0, r.stderr
    r = run("commitments", "list", "--ledger", ledger, "--format", "csv")
    assert r.returncode == 0, r.stderr
    seen = check_neutralised(r.stdout)
    assert "'=HYPERLINK(\"x\")" in seen and "'@ops" in seen


def test_simulate_csv(data, tmp_path):
    out = tmp_path / "sim.csv"
    r = run("simulate", "--customers", data / "customers.csv", "--events", data / "events.csv",
            "--from", "2026-02-01T00:00:00+08:00", "--to", "2026-02-03T00:00:00+08:00",
            "--format", "csv", "--output", out)
    assert r.returncode in (0, 1), r.stderr
    check_neutralised(out.read_text())
    assert out.read_text().count("\n") > 2 and out.read_text().startswith("measure,policy,")


@pytest.mark.parametrize("cmd", ["plan", "segment", "kpi"])
def test_full_disk_keeps_the_old_output(data, tmp_path, cmd):
    out = tmp_path / "out.csv"
    out.write_text("previous\n")
    common = ["--customers", data / "customers.csv", "--events", data / "events.csv"]
    args = {"plan": ["plan", *common, "--now", NOW, "--format", "csv"],
            "segment": ["segment", *common],
            "kpi": ["kpi", *common, "--by", "agent", "--format", "csv"]}[cmd]
    r = run(*args, "--output", out, limit=2048)
    assert r.returncode == 3, r.stderr
    assert "File too large" in r.stderr and str(out) in r.stderr
    assert out.read_text() == "previous\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv"]   # no temporary file left
    r = run(*args, "--output", out)
    assert r.returncode == 0, r.stderr
    assert out.read_text() != "previous\n"


def test_output_keeps_the_mode_of_the_replaced_file(data, tmp_path):
    out = tmp_path / "out.csv"
    out.write_text("x")
    out.chmod(0o640)
    r = run("segment", "--customers", data / "customers.csv", "--events", data / "events.csv", "--output", out)
    assert r.returncode == 0, r.stderr
    assert out.stat().st_mode & 0o777 == 0o640


def test_directory_input_says_why(data, tmp_path):
    r = run("plan", "--customers", tmp_path, "--events", data / "events.csv", "--now", NOW)
    assert r.returncode == 3
    assert f"{tmp_path}: cannot read: Is a directory" in r.stderr


def test_directory_output_says_why(data, tmp_path):
    r = run("segment", "--customers", data / "customers.csv", "--events", data / "events.csv",
            "--output", tmp_path)
    assert r.returncode == 3
    assert "Is a directory" in r.stderr and str(tmp_path) in r.stderr


def test_huge_field_names_column_and_line(tmp_path):
    c = tmp_path / "c.csv"
    c.write_text("customer_id,tz,industry\nC1,UTC,retail\nC2,UTC," + "x" * (10 << 20) + "\n")
    e = tmp_path / "e.csv"
    e.write_text("customer_id,at,kind\n")
    r = run("plan", "--customers", c, "--events", e, "--now", NOW)
    assert r.returncode == 3
    assert f"{c}:3:" in r.stderr and "industry" in r.stderr and "longer than" in r.stderr


@pytest.mark.parametrize("day", ["0001-01-01", "1899-12-31", "9999-01-01", "9999-12-31"])
def test_besttime_refuses_days_out_of_range(day):
    r = run("besttime", "--customers", SAMPLE / "customers.csv", "--day", day)
    assert r.returncode == 2
    assert f"--day: {day} is out of range" in r.stderr
    assert r.stdout == ""


def test_besttime_serves_the_range_ends():
    for day in ("1900-01-01", "9998-12-31"):
        r = run("besttime", "--customers", SAMPLE / "customers.csv", "--day", day, "--k", "1", "--format", "csv")
        assert r.returncode == 0, r.stderr
        best = [row[2] for row in csv.reader(io.StringIO(r.stdout))][1:]
        assert best and "?" not in best and all(b.startswith(day[:4]) or b == "" for b in best)


@pytest.mark.parametrize("args,message", [
    (("besttime", "--k", "0"), "followup besttime: --k: bad number '0'"),
    (("besttime", "--k", "169"), "followup besttime: --k: bad number '169'"),
    (("besttime", "--k", "2x"), "followup besttime: --k: bad number '2x'"),
    (("besttime", "--thompson", ""), "followup besttime: --thompson: bad number ''"),
    (("simulate", "--compare", "baseline", "--seed", "x"), "followup simulate: --seed: bad number 'x' (expected a whole number 0 to 18446744073709551615)"),
    (("simulate", "--compare", "baseline", "--agents", "1.5"), "followup simulate: --agents: bad number '1.5' (expected a whole number 1 to 999)"),
])
def test_bad_numbers_name_the_command_and_the_option(args, message):
    r = run(*args)
    assert r.returncode == 2
    assert r.stderr == message + "\n"
    assert r.stdout == ""


def test_besttime_refuses_now_out_of_range():
    r = run("besttime", "--customers", SAMPLE / "customers.csv", "--now", "0001-01-01T00:00:00Z")
    assert r.returncode == 2
    assert "--now is out of range" in r.stderr


@pytest.mark.skipif(not os.environ.get("PYTHONPATH"), reason="Python binding not on the path")
def test_python_book_export_is_neutralised_and_reads_back():
    import followup
    b = followup.Book(flags=followup.BOOK_CREATE_CUSTOMERS)
    text = "customer_id,at,kind,agent_id,amount\n=1+2,2026-03-01T10:00:00Z,purchase,@ops,-4.5\n"
    src = pathlib.Path(os.environ.get("TMPDIR", "/tmp")) / f"fu-exports-{os.getpid()}.csv"
    src.write_text(text)
    try:
        b.read_events_csv(str(src))
        b.finalize()
        out = b.events_csv()
        assert "\n\"'=1+2\",2026-03-01T10:00:00Z,purchase,,,,-4.5,,,\"'@ops\"," in out
        raw = followup.Book(flags=followup.BOOK_CREATE_CUSTOMERS | followup.BOOK_WRITE_RAW_CELLS)
        raw.read_events_csv(str(src))
        raw.finalize()
        assert "\n=1+2,2026-03-01T10:00:00Z,purchase,,,,-4.5,,,@ops," in raw.events_csv()
        # what was written reads back as it was
        src.write_text(out)
        again = followup.Book(flags=followup.BOOK_CREATE_CUSTOMERS)
        again.read_events_csv(str(src))
        again.finalize()
        assert again.events_csv() == out
    finally:
        src.unlink()


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full")
@pytest.mark.parametrize("cmd", ["plan", "segment", "kpi", "besttime"])
def test_full_standard_output_is_an_error(data, cmd):
    common = ["--customers", data / "customers.csv", "--events", data / "events.csv"]
    args = {"plan": ["plan", *common, "--now", NOW, "--format", "csv"],
            "segment": ["segment", *common],
            "kpi": ["kpi", *common, "--format", "csv"],
            "besttime": ["besttime", *common, "--day", "2026-03-05", "--format", "csv"]}[cmd]
    with open("/dev/full", "w") as full:
        r = subprocess.run([CLI, *map(str, args)], stdout=full, stderr=subprocess.PIPE, text=True, timeout=300)
    assert r.returncode == 3, r.stderr
    assert "No space left on device" in r.stderr
