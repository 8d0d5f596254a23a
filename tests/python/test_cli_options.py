"""Every subcommand of the followup tool uses every option it takes, and refuses
every other: an option of the tool that a subcommand does not take is exit 2,
with a message naming the option, the subcommand and the options it takes
(not accepted and ignored, as `followup guard log --channel phone` was).

What a subcommand takes is the list its refusal prints; each of those must be
in the subcommand's own --help, and each option of the whole tool not in it
must be refused. Options that would be ignored with the others given (record
--events without --customers, ...) are refused too."""
import os
import re
import subprocess

import pytest

CLI = os.path.abspath(os.environ["FU_CLI"]) if os.environ.get("FU_CLI") else ""
pytestmark = pytest.mark.skipif(not CLI, reason="followup tool not built")

# the commands with subcommands, each subcommand on its own
NESTED = {
    "guard": ["check", "record", "log"],
    "commitments": ["extract", "add", "list", "fulfill", "cancel", "report"],
    "frequency": ["fit", "recommend"],
}
GLOBAL = {"--help", "--csv-raw", "--version"}  # the tool's own, not a subcommand's


def run(*args):
    return subprocess.run([CLI, *args], capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)


def commands():
    listed = re.findall(r"^  ([a-z-]+)\s{2,}", run("--help").stdout, re.M)
    assert set(NESTED) <= set(listed)
    subs = []
    for c in listed:
        subs += [(c, s) for s in NESTED[c]] if c in NESTED else [(c,)]
    return subs


SUBS = commands() if CLI else []


def help_text(sub):
    r = run(*sub, "--help")
    assert r.returncode == 0, r.stderr
    return r.stdout


def options_in(text):
    return set(re.findall(r"(?<![\w-])--[a-z](?:[a-z-]*[a-z])?", text)) - GLOBAL


def known_options():
    """Every option the tool's help texts name."""
    found = options_in(run("--help").stdout)
    for c in NESTED:
        found |= options_in(help_text((c,)))
    for sub in SUBS:
        found |= options_in(help_text(sub))
    return sorted(found)


def takes(sub):
    """The options `sub` takes, as its refusal of an unknown option lists them."""
    name = " ".join(sub)
    r = run(*sub, "--no-such-option")
    assert r.returncode == 2, (sub, r.stderr)
    m = re.search(r"^followup " + re.escape(name) + r": unknown option '--no-such-option' \(" + re.escape(name)
                  + r" takes (.*); see --help\)$", r.stderr.strip())
    assert m, f"followup {name}: the refusal does not list what it takes: {r.stderr!r}"
    return set() if m.group(1) == "no option" else set(m.group(1).split(", "))


@pytest.mark.parametrize("sub", SUBS, ids=lambda s: " ".join(s))
def test_what_a_subcommand_takes_is_in_its_help(sub):
    documented = options_in(help_text(sub))
    taken = takes(sub)
    assert taken <= documented, f"followup {' '.join(sub)} takes {sorted(taken - documented)} without documenting them"


@pytest.mark.parametrize("sub", SUBS, ids=lambda s: " ".join(s))
def test_every_option_is_taken_or_refused(sub):
    name = " ".join(sub)
    taken = takes(sub)
    refused = 0
    for opt in known_options():
        r = run(*sub, opt)
        if opt in taken:  # used: not refused as an option (a missing value or input is another error)
            assert "does not apply" not in r.stderr and "unknown option" not in r.stderr, (name, opt, r.stderr)
            continue
        refused += 1
        assert r.returncode == 2, f"followup {name} {opt}: exit {r.returncode}, {r.stderr!r}"
        line = r.stderr.strip()
        assert line.startswith(f"followup {name}: "), line
        assert f"'{opt}'" in line or f": {opt} does not apply here" in line, line
        assert f"({name} takes " in line, line
    assert refused > 0 or not taken


def test_the_guard_subcommands_refuse_each_others_options():
    r = run("guard", "log", "--log", "x.log", "--channel", "phone")
    assert r.returncode == 2
    assert r.stderr.startswith("followup guard log: --channel does not apply here (guard log takes --log, --new-log, ")
    assert r.stdout == ""
    for sub, opt in (("check", "--outcome"), ("check", "--after"), ("record", "--new-log"), ("record", "--after"),
                     ("log", "--at"), ("log", "--unknown"), ("log", "--if-allowed")):
        r = run("guard", sub, opt)
        assert r.returncode == 2 and f"followup guard {sub}: {opt} does not apply here" in r.stderr, r.stderr


# Options taken by the subcommand that other options given make ignored:
# refused before any input is read (the files named need not exist).
T = "2026-03-10T10:00:00+08:00"
IGNORED = [
    (["guard", "record", "--log", "l", "--customer", "C1", "--channel", "phone", "--outcome", "answered",
      "--events", "e.csv"], "followup guard record: --events needs --customers"),
    (["guard", "record", "--log", "l", "--customer", "C1", "--channel", "phone", "--outcome", "answered",
      "--policy", "p.yaml"], "followup guard record: --policy needs --customers"),
    (["guard", "record", "--log", "l", "--customer", "C1", "--channel", "phone", "--outcome", "answered",
      "--unknown", "allow"], "followup guard record: --unknown needs --customers"),
    (["guard", "log", "--log", "l", "--policy", "p.yaml"], "followup guard log: --policy needs --customers"),
    (["frequency", "fit", "--bank", "b.csv", "--by", "tier"], "followup frequency fit: --by needs --events"),
    (["frequency", "fit", "--events", "e.csv", "--policy", "p.yaml"],
     "followup frequency fit: --policy needs --by tier"),
    (["frequency", "fit", "--events", "e.csv", "--seed", "3"], "followup frequency fit: --seed needs --holdout"),
    (["frequency", "fit", "--events", "e.csv", "--create-customers"],
     "followup frequency fit: --create-customers needs --customers"),
    (["plan", "--customers", "c.csv", "--events", "e.csv", "--calls-per-agent", "20"],
     "followup plan: --calls-per-agent needs --agents"),
    (["plan", "--customers", "c.csv", "--events", "e.csv", "--daily-capacity"],
     "followup plan: --daily-capacity needs --agents"),
    (["plan", "--customers", "c.csv", "--events", "e.csv", "--agents", "agents.csv", "--calls-per-agent", "20"],
     "followup plan: --calls-per-agent needs --agents N (an agents file gives each agent's calls_per_day)"),
    (["plan", "--customers", "c.csv", "--events", "e.csv", "--agents", "agents.csv", "--daily-capacity"],
     "followup plan: --daily-capacity needs --agents N (an agents file gives each agent's calls_per_day)"),
    (["guard", "check", "--customers", "c.csv", "--log", "l", "--customer", "C1", "--channel", "phone",
      "--create-customers"], "followup guard check: --create-customers needs --events (only events create customers)"),
    (["guard", "record", "--log", "l", "--customer", "C1", "--channel", "phone", "--outcome", "answered",
      "--customers", "c.csv", "--create-customers"],
     "followup guard record: --create-customers needs --events (only events create customers)"),
    (["guard", "log", "--log", "l", "--customers", "c.csv", "--create-customers"],
     "followup guard log: --create-customers needs --events (only events create customers)"),
    (["simulate", "--customers", "c.csv", "--events", "e.csv", "--from", T, "--to", T, "--sensitivity-agents",
      "1,2", "--agents", "3"], "followup simulate: --agents does not apply with --sensitivity-agents"),
    (["simulate", "--customers", "c.csv", "--events", "e.csv", "--from", T, "--to", T, "--sensitivity-agents",
      "1,2", "--sensitivity-calls", "10,20", "--calls-per-agent", "5"],
     "followup simulate: --calls-per-agent does not apply with --sensitivity-calls"),
    (["kpi", "--events", "e.csv", "--create-customers"], "followup kpi: --create-customers needs --customers"),
    (["besttime", "--customers", "c.csv", "--may-contact", "C1", "--at", T, "--day", "tomorrow"],
     "followup besttime: --day does not apply with --may-contact"),
    (["besttime", "--customers", "c.csv", "--may-contact", "C1", "--at", T, "--k", "3"],
     "followup besttime: --k does not apply with --may-contact"),
    (["check-policy", "--standalone"], "followup check-policy: --standalone needs FILE"),
    (["version", "--format", "json"], "followup version: unknown option '--format' (version takes no option"),
]


@pytest.mark.parametrize("args,message", IGNORED, ids=[" ".join(a[:2]) + " " + m.split(": ")[1] for a, m in IGNORED])
def test_an_option_the_others_make_ignored_is_refused(args, message, tmp_path):
    r = subprocess.run([CLI, *args], capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert r.returncode == 2, r.stderr
    assert r.stderr.startswith(message), r.stderr
    assert r.stdout == ""
    assert list(tmp_path.iterdir()) == []  # nothing created (the guard log, a ledger)
