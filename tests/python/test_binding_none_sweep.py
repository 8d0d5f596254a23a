"""None in every text argument of the public Python API (review s12 U4).

`Book.find_customer(None)` and `Kpi.find(None)` used to kill the interpreter
(strlen(NULL) in bindings/common/book.i and kpi.i). This test enumerates the
public classes and functions of the package, builds one object of each
class it can, and calls every method / function once per parameter whose
annotation says it takes a text, with None there and ordinary values in the
other required parameters. Any Python exception is a clean answer (None is
"absent" where the argument is optional); a crash is not. The calls run in a
child interpreter, so a crash fails this test (naming the last call begun)
instead of the test runner.
"""
import os
import pathlib
import subprocess
import sys
import textwrap

import followup

SWEEP = textwrap.dedent(r'''
    import inspect, os, sys
    import followup

    src = sys.argv[1]
    NOW = "2026-11-23T00:00:00+08:00"
    pol = followup.policy_default()
    book = followup.Book()
    book.read_customers_csv(os.path.join(src, "examples/sample/data/customers.csv"))
    book.read_events_csv(os.path.join(src, "examples/sample/data/events.csv"))
    book.finalize()
    objs = {"Book": book, "Policy": pol}

    def make(name, fn):
        try:
            objs[name] = fn()
        except Exception as e:  # a fixture that cannot be built is reported, not fatal
            print("NOFIXTURE", name, type(e).__name__, e, flush=True)

    make("Calendar", lambda: pol.calendar_in_zone("Asia/Shanghai"))
    make("Planner", lambda: followup.Planner(pol, book))
    make("Plan", lambda: objs["Planner"].plan(NOW, 3 * 86400))
    make("Touchpoint", lambda: objs["Plan"].touchpoint(followup.TOUCHPOINT_PLANNED, 0))
    make("Customer", lambda: book.customer(0))
    make("Event", lambda: book.event(0))
    def kpi():
        k = followup.Kpi(pol, as_of=NOW)
        k.add_book(book)
        k.compute()
        return k
    make("Kpi", kpi)
    make("BestTime", lambda: followup.BestTime(pol, book))
    make("ContactLog", lambda: followup.ContactLog())
    make("Guard", lambda: followup.Guard(pol, book, objs["ContactLog"]))
    make("Ledger", lambda: followup.Ledger())
    make("Redactor", lambda: followup.Redactor())
    make("Extractor", lambda: followup.extractor_from_policy(pol))
    make("Extraction", lambda: objs["Extractor"].run(objs["Calendar"], "we promise within 3 working days", NOW))
    make("EventBatch", lambda: followup.EventBatch())
    make("SegmentRules", lambda: followup.segment_rules_from_policy(pol))
    make("FrequencyData", lambda: followup.frequency_from_book(book))
    make("CommitmentList", lambda: objs["Ledger"].query())
    make("FrequencyModel", lambda: followup.FrequencyModel(objs["FrequencyData"]))
    make("Windows", lambda: followup.Windows("Mon-Fri 09:00-18:00"))
    make("Notes", lambda: followup.notes_read_csv_text("customer_id,at,note\nC00001,2026-11-20T10:00:00+08:00,x\n"))
    make("SegmentRun", lambda: followup.segment_run(book, objs["SegmentRules"], NOW))
    make("BookSummary", lambda: followup.segment_book(book, NOW))
    make("SimReport", lambda: objs["Planner"].simulate(NOW, "2026-11-24T00:00:00+08:00"))
    make("KpiFigure", lambda: objs["Kpi"].figure(0))

    TEXT = {"customer_id": "C00001", "id": "C00001", "customer": "C00001", "channel": "phone", "tz": "Asia/Shanghai",
            "tzid": "Asia/Shanghai", "zone": "Asia/Shanghai", "kind": "purchase", "outcome": "answered",
            "priority": "normal", "period": "week", "by": "tier", "unknown": "policy", "kpi": "coverage",
            "text": "x", "label": "gold", "mode": "end_of_day"}
    SKIP = {"close", "refresh", "finalize", "plot", "write_csv", "write_html", "save", "merge", "simulate",
            "to_html", "partial"}

    def takes_text(p):
        a = p.annotation
        return isinstance(a, str) and ("str" in a.split("|") or "str" in a.replace(" ", "").split("|")
                                      or a.startswith("Optional[str") or a == "str")

    def filler(p):
        a = p.annotation if isinstance(p.annotation, str) else ""
        if p.name in TEXT:
            return TEXT[p.name]
        if "datetime" in a or p.name in ("now", "at", "t", "as_of", "from_", "_from", "to", "created_at",
                                         "deadline"):
            return NOW
        if p.name in ("path", "filename"):
            return os.path.join(os.getcwd(), "sweep.out")
        if a in objs:
            return objs[a]
        if a == "float":
            return 1.0
        if a == "bool":
            return False
        if "str" in a:
            return "x"
        if a.startswith(("Sequence", "list", "ArrayLike")):
            return []
        return 0

    calls = 0

    def sweep(title, fn):
        global calls
        try:
            sig = inspect.signature(fn)
        except (TypeError, ValueError):
            return
        params = [p for p in sig.parameters.values() if p.name != "self"
                  and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY, p.POSITIONAL_ONLY)]
        for target in params:
            if not takes_text(target):
                continue
            kwargs = {}
            for p in params:
                if p is target:
                    kwargs[p.name] = None
                elif p.default is p.empty:
                    kwargs[p.name] = filler(p)
            # as keywords, and positionally as far as the parameters allow (the two paths of SWIG's
            # argument parsing differ: find_customer(None) crashed positionally, not as id=None)
            args, rest = [], dict(kwargs)
            for p in params:
                if p.name not in rest or p.kind is p.KEYWORD_ONLY:
                    break
                args.append(rest.pop(p.name))
            for form, a, k in (("keywords", (), kwargs), ("positional", tuple(args), rest)):
                print("CALL", title, target.name, form, flush=True)
                calls += 1
                try:
                    fn(*a, **k)
                except BaseException as e:  # any exception is a clean answer; a crash ends the process
                    if isinstance(e, (KeyboardInterrupt, SystemExit)):
                        raise
                print("DONE", flush=True)

    for name in sorted(objs):
        obj = objs[name]
        for attr in sorted(dir(type(obj))):
            if attr.startswith("_") or attr in SKIP:
                continue
            fn = getattr(obj, attr, None)
            if callable(fn) and not isinstance(fn, type):
                sweep(f"{name}.{attr}", fn)
    for name in sorted(followup.__all__):
        obj = getattr(followup, name, None)
        if isinstance(obj, type):
            if issubclass(obj, BaseException):
                continue
            sweep(name, obj)
        elif callable(obj) and name not in SKIP and not name.startswith(("plot", "write")):
            sweep(name, obj)
    print("CALLS", calls, flush=True)
''')


def _run(tmp_path, srcdir):
    script = tmp_path / "sweep.py"
    script.write_text(SWEEP)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
    return subprocess.run([sys.executable, str(script), str(pathlib.Path(srcdir).resolve())], cwd=tmp_path,
                          env=env, capture_output=True, text=True, timeout=900)


def test_none_in_every_text_argument_never_crashes(tmp_path, srcdir):
    r = _run(tmp_path, srcdir)
    lines = r.stdout.splitlines()
    begun = [ln for ln in lines if ln.startswith("CALL ")]
    assert r.returncode == 0, (f"the sweep died (rc {r.returncode}) in: {begun[-1] if begun else '?'}\n"
                               f"{r.stderr[-2000:]}")
    total = [ln for ln in lines if ln.startswith("CALLS ")]
    assert total, r.stdout[-2000:]
    n = int(total[0].split()[1])
    # the review tried ~45; the sweep reaches every text parameter of the objects it builds
    assert n >= 300, f"only {n} calls: {r.stdout[-3000:]}"
    for must in ("CALL Book.find_customer id positional", "CALL Kpi.find kpi positional",
                 "CALL Guard.check customer_id keywords", "CALL ContactLog.append customer_id positional",
                 "CALL Book.add_customer id keywords"):
        assert must in begun, must
    assert not [ln for ln in lines if ln.startswith("NOFIXTURE")], r.stdout[-3000:]


CHECKS = textwrap.dedent(r'''
    import os, re, sys
    import followup
    src = sys.argv[1]
    book = followup.Book()
    book.read_customers_csv(os.path.join(src, "examples/sample/data/customers.csv"))
    book.read_events_csv(os.path.join(src, "examples/sample/data/events.csv"))
    book.finalize()

    def expect(fn, pattern):
        try:
            fn()
        except TypeError as e:
            assert re.search(pattern, str(e)), (pattern, str(e))
            return
        raise AssertionError("no TypeError: " + pattern)
    expect(lambda: followup.Book().find_customer(None), r"Book.find_customer\(\): argument 1 \(id\) must be str, not None")
    expect(lambda: book.find_customer(None), r"argument 1 \(id\) must be str, not None")
    k = followup.Kpi(followup.policy_default(), as_of="2026-11-23T00:00:00+08:00")
    k.add_book(book)
    k.compute()
    expect(lambda: k.find(None), r"Kpi.find\(\): argument 1 \(kpi\) must be str, not None")
    assert k.find("coverage") is not None  # the ordinary call still works
    print("OK", flush=True)
''')


def test_find_customer_and_kpi_find_none_are_type_errors(tmp_path, srcdir):
    """The two calls that crashed, with their messages (in a child process too)."""
    script = tmp_path / "checks.py"
    script.write_text(CHECKS)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
    r = subprocess.run([sys.executable, str(script), str(pathlib.Path(srcdir).resolve())], cwd=tmp_path, env=env,
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0 and r.stdout.strip() == "OK", (r.returncode, r.stdout, r.stderr[-2000:])
