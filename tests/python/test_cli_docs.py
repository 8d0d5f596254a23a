"""docs/cli.md documents every command, subcommand and option of the tool: the
usage line and every option of each `followup ... --help` are in its section
(refresh them with tests/update_cli_docs.py when a command changes)."""
import os
import pathlib
import re
import subprocess

import pytest

CLI = os.environ.get("FU_CLI", "")
pytestmark = pytest.mark.skipif(not CLI, reason="followup tool not built")
DOC = pathlib.Path(__file__).resolve().parents[2] / "docs" / "cli.md"
COMMANDS = ["plan", "simulate", "segment", "besttime", "commitments", "kpi", "check-policy", "version", "frequency", "guard"]
SUBCOMMANDS = ["extract", "add", "list", "fulfill", "cancel", "report"]


def help_text(*args):
    r = subprocess.run([CLI, *args, "--help"], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    return r.stdout


def section(title):
    text = DOC.read_text(encoding="utf-8")
    m = re.search(r"^#+ " + re.escape(title) + r"\n(.*?)(?=^#+ followup |\Z)", text, re.S | re.M)
    assert m, f"docs/cli.md has no section '{title}'"
    return m.group(1)


def test_every_command_is_listed():
    main = help_text()
    listed = re.findall(r"^  ([a-z-]+)\s{2,}", main, re.M)
    assert sorted(listed) == sorted(COMMANDS)
    for cmd in COMMANDS:
        assert f"| `{cmd}` |" in DOC.read_text(encoding="utf-8")


@pytest.mark.parametrize("args", [[c] for c in COMMANDS] + [["commitments", s] for s in SUBCOMMANDS]
                         + [["guard", s] for s in ("check", "record", "log")]
                         + [["frequency", s] for s in ("fit", "recommend")])
def test_help_text_and_options_are_documented(args):
    text = help_text(*args)
    body = section("followup " + " ".join(args))
    for opt in sorted(set(re.findall(r"--[a-z][a-z-]*", text))):
        assert opt in body, f"{opt} of 'followup {' '.join(args)}' missing from docs/cli.md"
    usage = text.splitlines()[0]
    assert usage in body, f"the usage line of 'followup {' '.join(args)}' changed: update docs/cli.md"


def test_exit_codes_and_global_option_documented():
    doc = DOC.read_text(encoding="utf-8")
    for code in range(5):
        assert f"| {code} |" in doc
    assert "--csv-raw" in doc and "--csv-raw" in help_text()
