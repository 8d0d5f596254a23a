"""Issue 13, items 4 and 7 through the tool: a recorded breach cannot be
rewritten, only plain ledger paths, damaged and foreign files refused on open,
`list`/`report` read-only (also in a read-only directory), private files, and
invalid UTF-8 refused before anything is stored."""
import json
import os
import pathlib
import sqlite3
import shutil
import subprocess
import tempfile

import pytest

CLI = os.environ.get("FU_CLI", "")
pytestmark = pytest.mark.skipif(not CLI, reason="followup tool not built")


def run(*args, cwd=None, user=None):
    cmd = [CLI, "commitments", *args]
    kw = {}
    if user is not None:
        kw["user"] = user
    return subprocess.run(cmd, capture_output=True, cwd=cwd, timeout=120, **kw)


def add(path, at="2026-11-02T10:00:00+08:00", text="call back", within="24h", **kw):
    extra = [x for k, v in kw.items() for x in ("--" + k, v)]
    return run("add", "--ledger", str(path), "--customer", "C1", "--text", text, "--within", within,
               "--at", at, "--format", "json", *extra)


def test_a_recorded_breach_is_not_rewritten_by_an_earlier_fulfilment(tmp_path):
    path = tmp_path / "l.db"
    assert add(path).returncode == 0
    # the report records the breach at the deadline (2026-11-03 10:00)
    r = run("report", "--ledger", str(path), "--at", "2026-11-05T00:00:00+08:00", "--record", "--format", "json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["events_recorded"] == 2
    r = run("fulfill", "1", "--ledger", str(path), "--at", "2026-11-02T12:00:00+08:00")
    assert r.returncode != 0
    assert b"before its last recorded event" in r.stderr
    assert b"closed at 2026-11-02T04:00:00Z, before its last recorded event (at 2026-11-03T02:00:00Z)" in r.stderr
    rep = json.loads(run("report", "--ledger", str(path), "--at", "2026-11-06T00:00:00+08:00",
                         "--format", "json").stdout)
    assert rep["on_time"] == {"due": 1, "on_time": 0, "rate": 0.0}


@pytest.mark.parametrize("name", [":memory:", "file:uri2.db", "file:x.db?mode=memory", "file::memory:"])
def test_uris_and_memory_are_refused_and_nothing_claims_success(tmp_path, name):
    r = add(name)
    assert r.returncode != 0
    assert b"ledger" in r.stderr
    assert sorted(os.listdir(tmp_path)) == []
    assert not pathlib.Path("uri2.db").exists()


def flip(path, offset, n=64):
    data = bytearray(path.read_bytes())
    for i in range(offset, offset + n):
        data[i] ^= 0x5A
    path.write_bytes(bytes(data))


def test_flipped_bytes_are_refused_on_open(tmp_path):
    path = tmp_path / "l.db"
    for i in range(150):
        assert add(path, text=f"promise {i} " + "x" * 80).returncode == 0
    flip(path, 4096)
    before = path.read_bytes()
    r = add(path)
    assert r.returncode == 3
    assert b"damaged" in r.stderr
    assert path.read_bytes() == before
    r = run("list", "--ledger", str(path))
    assert r.returncode == 3 and b"damaged" in r.stderr


def test_a_foreign_sqlite_file_is_not_a_ledger(tmp_path):
    path = tmp_path / "other.db"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE commitment(id INTEGER PRIMARY KEY, name TEXT)")
    db.execute("PRAGMA user_version = 3")
    db.commit()
    db.close()
    for args in (["list"], ["report", "--at", "2026-11-05T00:00:00+08:00"]):
        r = run(*args, "--ledger", str(path))
        assert r.returncode == 3
        assert b"not a follow-up ledger" in r.stderr
        assert b"no such column" not in r.stderr.split(b"(")[0]
    r = add(path)
    assert r.returncode == 3 and b"not a follow-up ledger" in r.stderr


def test_report_and_list_write_nothing_and_need_a_ledger(tmp_path):
    empty = tmp_path / "empty.db"
    empty.write_bytes(b"")
    r = run("report", "--ledger", str(empty), "--at", "2026-11-05T00:00:00+08:00")
    assert r.returncode == 3
    assert b"not a follow-up ledger" in r.stderr
    assert empty.read_bytes() == b""
    path = tmp_path / "l.db"
    assert add(path).returncode == 0
    before = path.read_bytes()
    r = run("report", "--ledger", str(path), "--at", "2026-11-09T00:00:00+08:00", "--format", "json")
    assert r.returncode == 0, r.stderr
    rep = json.loads(r.stdout)
    # the state as of --at, computed without storing it
    (c,) = rep["overdue"]
    assert c["state"] == "breached" and c["level"] == 2
    assert rep["events_recorded"] == 0
    assert path.read_bytes() == before
    # SQLite's WAL mode may leave an empty -wal / -shm pair next to the file
    # after a read-only open; nothing was written into them
    wal = tmp_path / "l.db-wal"
    assert not wal.exists() or wal.stat().st_size == 0


def test_new_ledgers_are_private(tmp_path):
    path = tmp_path / "l.db"
    old = os.umask(0)
    try:
        assert add(path).returncode == 0
    finally:
        os.umask(old)
    assert (path.stat().st_mode & 0o777) == 0o600


@pytest.mark.skipif(not hasattr(os, "geteuid"), reason="POSIX only")
def test_list_and_report_in_a_read_only_directory(tmp_path):
    user = 65534 if os.geteuid() == 0 else None
    base = pathlib.Path(tempfile.mkdtemp(prefix="fu-ro-"))
    os.chmod(base, 0o777)
    d = base / "ro"
    if user is not None:
        subprocess.run(["mkdir", str(d)], check=True, user=user)
    else:
        d.mkdir()
    path = d / "l.db"
    r = run("add", "--ledger", str(path), "--customer", "C1", "--text", "x", "--within", "24h",
            "--at", "2026-11-02T10:00:00+08:00", user=user)
    assert r.returncode == 0, r.stderr
    subprocess.run(["chmod", "555", str(d)], check=True, user=user)
    try:
        r = run("list", "--ledger", str(path), "--format", "json", user=user)
        assert r.returncode == 0, r.stderr
        assert len(json.loads(r.stdout)) == 1
        r = run("report", "--ledger", str(path), "--at", "2026-11-05T00:00:00+08:00", "--format", "json",
                user=user)
        assert r.returncode == 0, r.stderr
        assert len(json.loads(r.stdout)["overdue"]) == 1
        assert sorted(os.listdir(d)) == ["l.db"]
    finally:
        subprocess.run(["chmod", "755", str(d)], check=True, user=user)
        shutil.rmtree(base)


def test_invalid_utf8_text_is_refused_and_json_stays_valid(tmp_path):
    path = tmp_path / "l.db"
    assert add(path).returncode == 0
    for opt in ("text", "owner", "category", "by"):
        args = {"text": "call back"}
        if opt == "text":
            args["text"] = b"\xe5\xae"
        else:
            args[opt] = b"ab\xe5\xae"
        cmd = [CLI, "commitments", "add", "--ledger", str(path), "--customer", "C1", "--within", "24h",
               "--at", "2026-11-02T10:00:00+08:00"]
        for k, v in args.items():
            cmd += ["--" + k, v]
        r = subprocess.run(cmd, capture_output=True, timeout=60)
        assert r.returncode != 0, opt
        assert b"--" + opt.encode() + b": " in r.stderr and b"is not valid UTF-8 (byte" in r.stderr, (opt, r.stderr)
    r = run("list", "--ledger", str(path), "--format", "json")
    assert r.returncode == 0
    assert len(json.loads(r.stdout.decode("utf-8"))) == 1
