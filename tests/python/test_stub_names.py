"""The committed stub (bindings/python/followup/__init__.pyi) is what a type
checker reads: every name its annotations and defaults use is defined,
imported or a builtin (review s12 U10: `Dvec`, `_PurchaseFitter` and
`dtype[void]` were not), and no default is a C expression or a raw "no time"
number."""
import ast
import importlib.util
import pathlib

SRC = pathlib.Path(__file__).resolve().parents[2]
STUB = SRC / "bindings" / "python" / "followup" / "__init__.pyi"


def gen_stub():
    spec = importlib.util.spec_from_file_location("gen_stub", SRC / "bindings" / "python" / "gen_stub.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_stub_has_no_undefined_names():
    text = STUB.read_text(encoding="utf-8")
    assert gen_stub().undefined_names(text) == []


def test_undefined_names_finds_them():
    """The check itself: a stub using names it never defines fails it."""
    bad = ("from typing import Optional\nclass A: ...\n"
           "def f(a: Optional[Dvec] = None, b: A = FU_X, c: dtype[void] = 1) -> _Hidden: ...\n")
    assert [n for _, n in gen_stub().undefined_names(bad)] == ["Dvec", "FU_X", "_Hidden", "dtype", "void"]


def test_stub_defaults_are_python():
    text = STUB.read_text(encoding="utf-8")
    assert "<<" not in text.replace("1 << TOUCHPOINT_PLANNED", "")
    assert "'1u" not in text and "FU_" not in text
    assert "-9223372036854775808" not in text
    tree = ast.parse(text)
    seg = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "segment_run")
    now = seg.args.defaults[0]
    assert isinstance(now, ast.Name) and now.id == "SEGMENT_RUN_LAST_EVENT"
    plan = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "Plan")
    csv = next(n for n in plan.body if isinstance(n, ast.FunctionDef) and n.name == "csv")
    assert ast.unparse(csv.args.defaults[0]) == "1 << TOUCHPOINT_PLANNED"
    planner = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "Planner")
    init = next(n for n in planner.body if isinstance(n, ast.FunctionDef) and n.name == "__init__")
    tc = next(a for a in init.args.args if a.arg == "tier_cycles")
    assert ast.unparse(tc.annotation) == "Optional[Sequence[float]]"
