"""examples/python/dask_plan.py: a book planned over Dask partitions (worker
processes and threads) gives the same plan as in one piece — byte for byte,
every status — when every partition gets the whole book's tier cycles
(combined exactly from the partitions' integer parts) and
agent capacity goes through the rounds across partitions (or, by the one-day
rule, the global capacity pass); not without them (the comparison can fail). Skipped when dask.distributed is not installed."""
import os
import pathlib
import subprocess
import sys

import pytest

SRC = pathlib.Path(os.environ.get("FU_SOURCE_DIR", "."))
SCRIPT = SRC / "examples" / "python" / "dask_plan.py"
SAMPLE = SRC / "examples" / "sample" / "data"


def run(*extra):
    cmd = [sys.executable, str(SCRIPT), "--workers", "2", "--threads", "1", *extra]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=240, env=dict(os.environ))


def figure(out, label):
    return int(out.split(label)[1].split()[0])


def test_partitions_plan_as_the_whole_book_with_its_tier_cycles():
    pytest.importorskip("dask.distributed")
    r = run("--customers", "3000", "--partitions", "6", "--threads", "2")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "tier cycles: combined from the partitions' parts" in r.stdout
    assert "bit for bit the whole book's: yes" in r.stdout
    assert "capacity: none" in r.stdout
    assert "same plan as in one piece: yes" in r.stdout
    assert figure(r.stdout, "single process: ") > 1000


def test_partitions_with_their_own_tier_cycles_plan_differently():
    pytest.importorskip("dask.distributed")
    r = run("--customers", "3000", "--partitions", "6", "--local-cycles")
    assert r.returncode == 1, r.stdout + r.stderr
    assert "same plan as in one piece: NO" in r.stdout


def _whole_plan(agents, calls, days, daily):
    import followup
    book = followup.Book(flags=followup.BOOK_CREATE_CUSTOMERS)
    book.read_customers_csv(str(SAMPLE / "customers.csv"))
    book.read_events_csv(str(SAMPLE / "events.csv"))
    return followup.Planner(followup.policy_default(), book, agents=agents, calls_per_agent=calls,
                            daily_capacity=daily).plan(followup.time_parse("2026-11-23T00:00:00+08:00"),
                                                       days * 86400)


@pytest.mark.parametrize("agents,calls,days", [(1, 3, 3), (2, 5, 1), (1, 10, 7), (2, 4, 2)])
def test_capacity_rounds_give_the_plain_one_process_plan_byte_for_byte(tmp_path, agents, calls, days):
    """examples/sample with few agents: most agent contacts are deferred by
    capacity or moved to a later day, and the merged partitions' plan (all
    statuses, status columns) after the rounds (capacity_round,
    CapacityPart.move) is the plan of one planner over the whole book with
    the same agents and no flag byte for byte, for any horizon: the
    contacts over a day's cap rolled over to later days as one planner
    rolls them (docs/planner.md, limit 7)."""
    pytest.importorskip("dask.distributed")
    out = tmp_path / "plan.csv"
    r = run("--sample", str(SAMPLE), "--partitions", "5", "--agents", str(agents),
            "--calls-per-agent", str(calls), "--horizon-days", str(days), "--out", str(out))
    assert r.returncode == 0, r.stdout + r.stderr
    assert "same plan as in one piece: yes" in r.stdout
    assert "on 2 processes" in r.stdout
    deferred = figure(r.stdout, "rounds (")
    moved = figure(r.stdout, "deferred, ")
    assert deferred > 100  # capacity binds: the comparison is not trivial
    assert (moved > 0) == (days > 1)  # contacts rolled over to later days
    # the script's comparison, repeated here against a plan made in this process without any flag
    plan = _whole_plan(agents, calls, days, daily=False)
    text = plan.csv(status_mask=0x1F, with_status=True)
    assert out.read_text(encoding="utf-8") == text
    assert text.count(",deferred,capacity.calls_per_agent_day\n") == deferred
    assert text.count("moved to the first instant allowed on the next day with room") == moved
    if days > 1:  # the one-day rule's plan differs: the rounds are what makes them equal
        assert _whole_plan(agents, calls, days, daily=True).csv(status_mask=0x1F, with_status=True) != text


@pytest.mark.parametrize("agents,calls,days", [(1, 3, 3), (2, 5, 1)])
def test_daily_capacity_pass_gives_the_daily_one_process_plan(tmp_path, agents, calls, days):
    """--daily-capacity: one global pass (capacity_pass, apply_capacity),
    the plan of one planner with daily_capacity byte for byte; over one day
    also the plain one."""
    pytest.importorskip("dask.distributed")
    out = tmp_path / "plan.csv"
    r = run("--sample", str(SAMPLE), "--partitions", "5", "--agents", str(agents), "--calls-per-agent", str(calls),
            "--horizon-days", str(days), "--daily-capacity", "--out", str(out))
    assert r.returncode == 0, r.stdout + r.stderr
    assert "same plan as in one piece: yes" in r.stdout
    assert figure(r.stdout, "global pass (") > 100
    text = _whole_plan(agents, calls, days, daily=True).csv(status_mask=0x1F, with_status=True)
    assert out.read_text(encoding="utf-8") == text
    if days == 1:
        assert _whole_plan(agents, calls, days, daily=False).csv(status_mask=0x1F, with_status=True) == text


def test_capacity_in_each_partition_is_not_the_whole_books():
    pytest.importorskip("dask.distributed")
    r = run("--sample", str(SAMPLE), "--partitions", "5", "--agents", "1", "--calls-per-agent", "3",
            "--horizon-days", "3", "--per-partition-capacity")
    assert r.returncode == 1, r.stdout + r.stderr
    assert "same plan as in one piece: NO" in r.stdout


# bench/bench_dask_plan.py and bench/gen_dask_book.py: the partitions of the
# benchmark book are generated inside the workers; a small run checks itself.
BENCH = SRC / "bench"


def _gen():
    sys.path.insert(0, str(BENCH))
    try:
        import gen_dask_book
    finally:
        sys.path.remove(str(BENCH))
    return gen_dask_book


def test_generated_partition_is_deterministic_and_its_csv_files_are_the_same_book(tmp_path):
    """A partition depends on (seed, partition) only, and the CSV files of
    gen_dask_book.py hold the book the workers build from columns: the same
    plan byte for byte."""
    pytest.importorskip("pandas")
    import followup
    gen = _gen()
    c1, e1 = gen.partition_columns(1, 600, 3, seed=7)
    c2, e2 = gen.partition_columns(1, 600, 3, seed=7)
    assert c1["customer_id"] == c2["customer_id"] == [f"C{k:010d}" for k in range(1, 600, 3)]
    assert e1["order_id"] == e2["order_id"] and (e1["at"] == e2["at"]).all()
    assert not (gen.partition_columns(1, 600, 3, seed=8)[1]["at"][:50] == e1["at"][:50]).all()
    book, totals = gen.partition_book(followup, 1, 600, 3, seed=7)
    assert (totals["customers"], totals["events"]) == (200, len(e1["at"]))
    assert (book.customer_count(), book.event_count()) == (200, len(e1["at"]))
    gen.write_part((1, 600, 3, 4.3, str(tmp_path), 7))
    csv_book = followup.Book(flags=followup.BOOK_CREATE_CUSTOMERS)
    csv_book.read_customers_csv(str(tmp_path / "part-00001" / "customers.csv"))
    csv_book.read_events_csv(str(tmp_path / "part-00001" / "events.csv"))
    policy = followup.policy_default()

    def plan(b):
        return followup.Planner(policy, b, agents=1, calls_per_agent=5).plan(gen.NOW_UTC, 3 * 86400).csv(
            status_mask=0x1F, with_status=True)

    got = plan(book)
    assert got == plan(csv_book)
    assert got.count("\n") > 50 and "capacity.calls_per_agent_day" in got


def test_bench_dask_plan_checks_itself_on_a_small_book():
    """The benchmark on 3 partitions generated in 2 worker processes: capacity
    per day holds, the counters add up, the merged KPI partials count what
    the generator made, a partition planned again in a fresh worker has the
    same SHA-256, and every partition's rows are the one-process plan's."""
    pytest.importorskip("dask.distributed")
    cmd = [sys.executable, str(BENCH / "bench_dask_plan.py"), "--customers", "3000", "--partitions", "3",
           "--workers", "2", "--agents", "2", "--kpi", "--repeat", "1", "--check"]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=240, env=dict(os.environ))
    assert r.returncode == 0, r.stdout + r.stderr
    out = r.stdout
    assert "result: all checks passed" in out
    assert "planned agent contacts per day at most 400: yes" in out
    assert "same SHA-256: yes" in out
    assert "in order, as the one-process plan's: yes" in out
    assert "own tier cycles, bit for bit the partitions' combined ones: yes" in out
    assert "over_contact 3000 (generator 3000)" in out
    deferred = int(out.split("agent contacts before the pass, ")[1].split()[0])
    assert deferred > 50  # capacity binds


@pytest.mark.parametrize("keep", ["0", "4"])
def test_bench_dask_plan_rounds_give_the_plain_one_process_plan(keep):
    """bench_dask_plan.py --rounds: 4 partitions generated in 2 worker
    processes, 3 days, capacity through the rounds (every part made again
    for each round with --keep-parts 0): every partition's rows are those of
    one planner over the whole book without daily_capacity, and capacity
    per day holds."""
    pytest.importorskip("dask.distributed")
    cmd = [sys.executable, str(BENCH / "bench_dask_plan.py"), "--customers", "3000", "--partitions", "4",
           "--workers", "2", "--agents", "3", "--horizon-days", "3", "--rounds", "--keep-parts", keep, "--check"]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=240, env=dict(os.environ))
    assert r.returncode == 0, r.stdout + r.stderr
    out = r.stdout
    assert "result: all checks passed" in out
    assert "planned agent contacts per day at most 600: yes" in out
    assert "in order, as the one-process plan's: yes" in out
    rounds = int(out.split("rounds (capacity_round")[0].split()[-1])
    moved = int(out.split(" moved to a later day, ")[0].split()[-1])
    assert rounds >= 2 and moved > 100  # capacity binds and rolls over
    made = int(out.split("partition plans made by the workers: ")[1].split()[0])
    assert made >= 4 * 2 + rounds if keep == "0" else made >= 4  # open, each round's movers, close


def test_named_agents_are_refused_by_the_example_with_the_reason(tmp_path):
    agents = tmp_path / "agents.csv"
    agents.write_text("agent_id,shift,tz,calls_per_day\nA1,Mon-Sun 09:00-18:00,Asia/Shanghai,3\n")
    r = run("--agents-file", str(agents))
    assert r.returncode == 2, r.stdout + r.stderr
    assert "the planner has 1 named agents" in r.stderr and "decided over the whole plan in one sequence" in r.stderr
    assert 'docs/scaling.md, "Agents by name"' in r.stderr
    agents.write_text("agent_id,shift\nA1,Mon-Sun 9-18\n")
    r = run("--agents-file", str(agents))
    assert r.returncode == 2 and f"{agents}:2:12: shift: expected a time HH:MM, got '9'" in r.stderr, r.stderr
