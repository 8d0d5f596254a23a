"""CLI regressions from the outside review of session 6 (findings 5, 7, 8, 9, 16):
the dashboard's trend axes for unbounded percentages, plan --ledger on a
missing file, kpi --by segment with --segments, year-0001 placeholder dates,
and exit codes / messages."""
import csv
import io
import pathlib
import re
import subprocess

import pytest
from fu_helpers import CLI, run_cli as run

pytestmark = pytest.mark.skipif(not CLI, reason="followup tool not built")
NOW = "2026-11-23T00:00:00+08:00"


@pytest.fixture(scope="module")
def sample(srcdir):
    """The sample data directory (examples/sample/data)."""
    return pathlib.Path(srcdir) / "examples/sample/data"


def sample_args(d):
    return ["--customers", str(d / "customers.csv"), "--events", str(d / "events.csv")]


# ---------------------------------------------------------------- finding 5


def trend_points(html, kpi):
    """(axis top value, axis bottom value, [(cy, value)]) of one trend chart, in percent."""
    j = html.index(f'<div class="trend" data-kpi="{kpi}"')
    seg = html[j:html.index("</svg>", j)]
    labels = re.findall(r'<text x="52" y="\d+" text-anchor="end">([-0-9.]+)%</text>', seg)
    pts = [(int(cy), float(v)) for cy, v in
           re.findall(r'<circle[^>]*cy="(\d+)"[^>]*><title>[^:]*: ([-0-9.]+)%', seg)]
    return float(labels[0]), float(labels[1]), pts


def test_uplift_trend_axes_span_the_data(sample, tmp_path):
    out = tmp_path / "k.html"
    r = run("kpi", *sample_args(sample), "--format", "html", "--output", str(out))
    assert r.returncode == 0, r.stderr
    html = out.read_text()
    for kpi in ("repurchase_uplift", "value_uplift"):
        top, bottom, pts = trend_points(html, kpi)
        assert len(pts) >= 6, kpi
        values = [v for _, v in pts]
        assert min(values) < 0 and bottom < 0, (kpi, bottom)  # the sample has negative weeks
        assert bottom <= min(values) and top >= max(values), (kpi, top, bottom, values)
        for cy, v in pts:
            # the chart spans y 110 (bottom label) .. 10 (top label)
            want = 110 - (v - bottom) / (top - bottom) * 100
            assert abs(cy - want) <= 1.5, (kpi, v, cy, want)
        # distinct values get distinct heights: nothing is pinned to an edge
        lo = [cy for cy, v in pts if v == min(values)]
        assert all(cy < 110 for cy in lo) or bottom == min(values), kpi
    # a bounded rate keeps its fixed 0..100% axis
    top, bottom, _ = trend_points(html, "coverage")
    assert (top, bottom) == (100.0, 0.0)


# ---------------------------------------------------------------- finding 7


def test_plan_refuses_a_missing_ledger_and_creates_nothing(sample, tmp_path):
    """(--record-escalations writes to the ledger and may create it:
    test_cli_plan_loop.py::test_record_escalations.)"""
    typo = tmp_path / "typo.db"
    r = run("plan", *sample_args(sample), "--now", NOW, "--ledger", str(typo), "--output", "/dev/null")
    assert r.returncode == 3, (r.returncode, r.stderr)
    assert str(typo) in r.stderr and "does not exist" in r.stderr, r.stderr
    assert not typo.exists()
    assert list(tmp_path.iterdir()) == []


def test_plan_reads_an_existing_ledger_without_changing_it(sample, tmp_path):
    led = tmp_path / "l.db"
    r = run("commitments", "add", "--ledger", str(led), "--customer", "C00001", "--text", "call back",
            "--at", "2026-11-20T10:00:00+08:00", "--deadline", "2026-11-24T12:00:00+08:00", "--owner", "billing")
    assert r.returncode == 0, r.stderr
    before = led.read_bytes()
    r = run("plan", *sample_args(sample), "--now", NOW, "--ledger", str(led), "--output", "/dev/null")
    assert r.returncode == 0, r.stderr
    assert led.read_bytes() == before


# ---------------------------------------------------------------- finding 16


def test_frequency_fit_without_contacts_is_an_input_error(tmp_path):
    ev = tmp_path / "hdr.csv"
    ev.write_text("customer_id,at,kind\n")
    r = run("frequency", "fit", "--events", str(ev))
    assert r.returncode == 3, (r.returncode, r.stderr)
    assert "no contact events" in r.stderr


def test_kpi_empty_range_names_the_options(sample):
    r = run("kpi", "--events", str(sample / "events.csv"), "--from", "2026-10-01", "--to", "2026-10-01")
    assert r.returncode == 2
    assert r.stderr.strip() == "followup kpi: --to must be after --from", r.stderr
    assert "fu_kpi_options" not in r.stderr


def test_kpi_cost_names_the_unknown_channel_and_the_known_ones(sample):
    r = run("kpi", "--events", str(sample / "events.csv"), "--cost", "fax=1")
    assert r.returncode == 2
    assert "unknown channel 'fax'" in r.stderr, r.stderr
    for ch in ("phone", "sms", "email", "chat", "video", "visit"):
        assert ch in r.stderr, (ch, r.stderr)
    r = run("kpi", "--events", str(sample / "events.csv"), "--cost", "phone=x")
    assert r.returncode == 2 and "CHANNEL=AMOUNT" in r.stderr


@pytest.mark.parametrize("name,text,col", [
    ("agents", "agent_id,shift\nA1,Mon-Fri 09:00-25:00\n", "shift"),
    ("clv", "customer_id,clv\nC00001,-5\n", "clv"),
])
def test_plan_file_errors_name_the_column_once(sample, tmp_path, name, text, col):
    f = tmp_path / f"{name}.csv"
    f.write_text(text)
    r = run("plan", *sample_args(sample), "--now", NOW, f"--{name}", str(f), "--output", "/dev/null")
    assert r.returncode == 3, r.stderr
    assert f"{f}:2:" in r.stderr and f"{col}: " in r.stderr, r.stderr
    assert f"{col}: {col}:" not in r.stderr, r.stderr


def test_kpi_wilson_bounds_of_zero_successes_are_exactly_zero(sample):
    r = run("kpi", *sample_args(sample), "--format", "csv")
    assert r.returncode == 0, r.stderr
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    rates = {"coverage", "over_contact", "resolution", "first_contact_resolution", "feedback_closure",
             "repeat_complaints", "commitment_on_time", "follow_up_complaints", "win_back", "repurchase",
             "churn", "quality_closure"}
    rows = [x for x in rows if x["kpi"] in rates and x["ci_low"] != ""]
    zero = [x for x in rows if x["value"] == "0"]
    assert len(zero) >= 3
    for x in zero:
        assert x["ci_low"] == "0", x
    for x in rows:
        if x["value"] == "1":
            assert x["ci_high"] == "1", x


# ---------------------------------------------------------------- finding 8


def kpi_rows(text):
    return list(csv.DictReader(io.StringIO(text)))


def test_kpi_by_segment_needs_segments(sample):
    r = run("kpi", *sample_args(sample), "--by", "segment", "--format", "csv")
    assert r.returncode == 2
    assert "--by segment needs --segments" in r.stderr, r.stderr
    r = run("kpi", *sample_args(sample), "--by", "tier,segment", "--format", "csv")
    assert r.returncode == 2


def test_kpi_by_segment_with_the_csv_of_followup_segment(sample, tmp_path):
    seg = tmp_path / "seg.csv"
    r = run("segment", *sample_args(sample), "--now", NOW, "--output", str(seg))
    assert r.returncode == 0, r.stderr
    want = {x["customer_id"]: x["segment"] or "none" for x in csv.DictReader(seg.open())}
    r = run("kpi", *sample_args(sample), "--by", "segment", "--segments", str(seg), "--format", "csv")
    assert r.returncode == 0, r.stderr
    rows = kpi_rows(r.stdout)
    groups = {x["group"] for x in rows}
    assert groups <= set(want.values()) | {"unknown"}, groups
    assert {"standard", "at_risk"} <= groups
    r = run("kpi", *sample_args(sample), "--format", "csv")
    total = {(x["kpi"], x["period"]): float(x["n"]) for x in kpi_rows(r.stdout)}
    # every customer-unit KPI's units split over the segments without loss
    for kpi in ("coverage", "churn", "resolution"):
        by = {}
        for x in rows:
            if x["kpi"] == kpi:
                by[x["period"]] = by.get(x["period"], 0) + float(x["n"])
        assert by, kpi
        for period, n in by.items():
            assert n == total[(kpi, period)], (kpi, period, n, total[(kpi, period)])


def test_kpi_segments_csv_quoting_and_labels(sample, tmp_path):
    seg = tmp_path / "s.csv"
    seg.write_bytes(b'\xef\xbb\xbfsegment,customer_id\r\n"x,""y""",C00001\r\n\r\n,C00002\r\n')
    r = run("kpi", *sample_args(sample), "--by", "segment", "--segments", str(seg), "--format", "csv")
    assert r.returncode == 0, r.stderr
    groups = {x["group"] for x in kpi_rows(r.stdout)}
    assert groups == {'x,"y"', "none", "unknown"}, groups


# The library's reader (fu_kpi_read_segments_csv) since session 7: the same
# lines and columns as the CLI's own reader had, a column where it gave none
# (the header: 1; a short row: just after its last byte), the column name
# before the message, and the CSV reader's words for CSV syntax.
@pytest.mark.parametrize("text,where", [
    (b"customer_id,seg\nC00001,a\n", ":1:1: expected a header with `customer_id` and `segment` columns "
                                     "(the CSV of followup segment); it has no `segment` column"),
    (b'customer_id,segment\nC00001,"a\nC00002,b\n', ':2:8: segment: quoted field is not terminated'),
    (b"customer_id,segment\nC00001,a\n,b\n", ":3:1: customer_id: empty (expected a customer id)"),
    (b"customer_id,segment,x\nC00001\n", ":2:7: segment: expected at least 2 cells, found 1"),
    (b'customer_id,segment\n"C00001"x,a\n', ":2:9: customer_id: unexpected character after a closing quote"),
    (b"", ":1:1: empty input: no header row"),
    (b"customer_id,segment\nC00001,a\nC00001,b\n", ":3:8: segment: customer 'C00001' is in segment 'a' on "
                                                  "line 2 and 'b' here (one label per customer)"),
    (b"customer_id,segment\nC00001,\xe9t\xe9\n", ":2:8: segment: invalid UTF-8"),
    (b"segment,customer_id,segment\n", ":1:21: segment: a second `segment` column (also column 1 of the header)"),
])
def test_kpi_segments_errors_name_file_line_and_column(sample, tmp_path, text, where):
    seg = tmp_path / "s.csv"
    seg.write_bytes(text)
    r = run("kpi", *sample_args(sample), "--by", "segment", "--segments", str(seg), "--format", "csv")
    assert r.returncode == 3, r.stderr
    assert r.stderr == f"followup: --segments: {seg}{where}\n", r.stderr
    assert not r.stdout


def test_kpi_segments_missing_file(sample, tmp_path):
    seg = tmp_path / "none.csv"
    r = run("kpi", *sample_args(sample), "--by", "segment", "--segments", str(seg), "--format", "csv")
    assert r.returncode == 3, r.stderr
    assert r.stderr == f"followup: --segments: {seg}: cannot read: No such file or directory\n", r.stderr


# ---------------------------------------------------------------- finding 9

PLACEHOLDER = "C00001,0001-01-01T00:00:00Z,purchase,OX,,5,5,,,,,,,\n"


@pytest.fixture()
def placeholder_events(sample, tmp_path):
    e = tmp_path / "e.csv"
    e.write_text((sample / "events.csv").read_text() + PLACEHOLDER)
    return e


def max_rss_kib(*args):
    """Peak RSS of the tool alone, from a fresh interpreter's RUSAGE_CHILDREN."""
    import sys
    code = ("import resource, subprocess, sys\n"
            "r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n"
            "print(r.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    out = subprocess.run([sys.executable, "-c", code, CLI, *args], capture_output=True, text=True, check=True)
    rc, kib = out.stdout.split()
    return int(rc), int(kib)


def test_kpi_warns_about_a_year_0001_event_and_starts_with_the_data(sample, placeholder_events, tmp_path):
    args = ["kpi", "--customers", str(sample / "customers.csv"), "--events", str(placeholder_events),
            "--period", "day", "--format", "csv"]
    r = run(*args)
    assert r.returncode == 0, r.stderr
    assert "warning: 1 event(s) more than 20 years before" in r.stderr, r.stderr
    assert "customer C00001, 0001-01-01" in r.stderr
    periods = sorted({x["period"] for x in kpi_rows(r.stdout)})
    assert periods[0] >= "2020-01-01", periods[:3]
    # the memory is that of the real history (about 11 MB), not of 740,000 days (380 MB)
    rc, kib = max_rss_kib(*args)
    assert rc == 0 and kib < 100 * 1024, kib
    # with --from the engine builds no period before it (the library keeps year 1 valid)
    args += ["--from", "2026-01-01"]
    rc, kib = max_rss_kib(*args)
    assert rc == 0 and kib < 100 * 1024, kib
    r = run(*args)
    assert min(x["period"] for x in kpi_rows(r.stdout)) == "2026-01-01"


def test_kpi_early_events_in_several_years_one_pass(sample, tmp_path):
    """Session 7: the check reads the event times once. Early events in two
    years (a tie on the earliest: the first customer of the book is named),
    and one in 2015, within 20 years of the history (not early): the report
    starts with it. The same output as the two-pass check of 2e36bc2."""
    e = tmp_path / "e.csv"
    e.write_text((sample / "events.csv").read_text()
                 + "C00003,0001-01-01T00:00:00Z,purchase,OX3,,5,5,,,,,,,\n"
                 + "C00002,1900-06-01T00:00:00Z,purchase,OX2,,5,5,,,,,,,\n"
                 + "C00001,0001-01-01T00:00:00Z,purchase,OX1,,5,5,,,,,,,\n"
                 + "C00004,2015-01-01T00:00:00Z,purchase,OX4,,5,5,,,,,,,\n")
    r = run("kpi", "--customers", str(sample / "customers.csv"), "--events", str(e), "--period", "day",
            "--format", "csv")
    assert r.returncode == 0, r.stderr
    assert r.stderr == ("followup kpi: warning: 3 event(s) more than 20 years before the first percentile of the "
                        "history (earliest: customer C00001, 0001-01-01); a null placeholder date?\n"
                        "followup kpi: the report starts with the first other event (give --from to choose)\n"), \
        r.stderr
    assert min(x["period"] for x in kpi_rows(r.stdout)) == "2015-01-01"


def test_kpi_and_segment_are_quiet_on_a_normal_history(sample):
    r = run("kpi", *sample_args(sample), "--format", "csv")
    assert r.returncode == 0 and "warning" not in r.stderr, r.stderr
    r = run("segment", *sample_args(sample), "--now", NOW, "--output", "/dev/null")
    assert r.returncode == 0 and "warning" not in r.stderr, r.stderr


def test_segment_warns_about_a_year_0001_event(sample, placeholder_events):
    r = run("segment", "--customers", str(sample / "customers.csv"), "--events", str(placeholder_events),
            "--now", NOW, "--output", "/dev/null")
    assert r.returncode == 0, r.stderr
    assert "followup segment: warning: 1 event(s) more than 20 years before" in r.stderr, r.stderr


# ---------------------------------------------------------------- findings 11, 17 (docs)


def test_cli_md_command_table_lists_each_command_once(srcdir):
    text = (pathlib.Path(srcdir) / "docs/cli.md").read_text()
    table = text[text.index("## Commands"):text.index("## followup ")]
    names = re.findall(r"(?m)^\| `([a-z-]+)` \|", table)
    r = run("--help")
    tool = re.findall(r"(?m)^  ([a-z-]+) {2,}", r.stdout + r.stderr)
    assert sorted(names) == sorted(set(names)), names
    assert set(names) == set(tool), (names, tool)


def test_docs_say_how_to_load_the_modules_and_match_the_lua_face(srcdir):
    d = pathlib.Path(srcdir) / "docs"
    b = (d / "bindings.md").read_text()
    assert "LUA_CPATH=" in b and "PYTHONPATH=" in b and "build/test/lua/?.so;;" in b
    assert "followup.Kpi(policy, period, by, from, to, as_of, costs, budget)" in b
    assert "PYTHONPATH=" in (d / "python.md").read_text()
    assert "(0-based)" not in (d / "planner.md").read_text()
    assert "durable_high" not in (d / "formats.md").read_text()
