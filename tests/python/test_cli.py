"""The followup command line tool: subcommands, help, exit codes, error messages."""
import os
import subprocess

import pytest

CLI = os.environ.get("FU_CLI", "")
pytestmark = pytest.mark.skipif(not CLI, reason="followup tool not built")


def run(*args, input=None):
    return subprocess.run([CLI, *args], capture_output=True, text=True, input=input, timeout=120)


def test_no_arguments_is_a_usage_error():
    r = run()
    assert r.returncode == 2
    assert "usage: followup <command>" in r.stderr


def test_help_lists_every_command():
    r = run("--help")
    assert r.returncode == 0
    for cmd in ("check-policy", "version"):
        assert cmd in r.stdout


def test_unknown_command():
    r = run("frobnicate")
    assert r.returncode == 2
    assert "unknown command 'frobnicate'" in r.stderr


def test_version_matches_library():
    import followup
    r = run("version")
    assert r.returncode == 0
    assert r.stdout.startswith(f"followup {followup.__version__} ")


@pytest.mark.parametrize("cmd", ["version", "check-policy"])
def test_every_command_has_help(cmd):
    r = run(cmd, "--help")
    assert r.returncode == 0
    assert r.stdout.startswith(f"usage: followup {cmd}")


def test_check_policy_builtin_is_valid():
    r = run("check-policy")
    assert r.returncode == 0, r.stderr
    assert "valid" in r.stdout


def test_check_policy_reports_file_line_column_and_key(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: site\ncaps:\n  new_customr: {}\n")
    r = run("check-policy", str(bad))
    assert r.returncode == 1
    msg = r.stderr.strip()
    assert msg.startswith(f"followup: {bad}:3:")
    assert "new_customr" in msg


def test_check_policy_missing_file():
    r = run("check-policy", "/nonexistent/policy.yaml")
    assert r.returncode == 3
    assert "/nonexistent/policy.yaml" in r.stderr
