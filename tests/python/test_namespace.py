"""A tidy namespace (issue 17, item 5): followup.__all__ is the public API
only, dir(followup) hides the SWIG layer, and the .pyi stub names every
public name."""
import ast
import pathlib

import followup


def test_all_is_public_only():
    bad = [n for n in followup.__all__ if n.startswith("_") or "swig" in n.lower()]
    assert bad == []
    assert len(followup.__all__) == len(set(followup.__all__))
    for name in followup.__all__:
        assert hasattr(followup, name), name
    for stray in ("core", "annotations", "_core", "_pythonic", "_export_module_api"):
        assert stray not in followup.__all__


def test_dir_hides_the_swig_layer():
    names = dir(followup)
    assert "Book" in names and "Ledger" in names and "__version__" in names
    for hidden in ("core", "_core", "_pythonic", "_export_module_api", "annotations"):
        assert hidden not in names, hidden
    assert not [n for n in names if "swig" in n.lower()]
    assert followup.core.Book is followup.Book  # still reachable on purpose
    assert followup.__version__ == followup.version()


def _stub_names(path):
    names = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
        elif isinstance(node, ast.ImportFrom):
            names.update(a.asname or a.name for a in node.names)
    return names


def test_the_stub_ships_and_covers_all():
    here = pathlib.Path(followup.__file__).parent  # the package as built / installed
    stub = here / "__init__.pyi"
    assert stub.is_file() and (here / "py.typed").is_file()
    names = _stub_names(stub)
    missing = [n for n in followup.__all__ if n not in names]
    assert missing == [], f"not in {stub} (regenerate: bindings/python/gen_stub.py): {missing}"
    text = stub.read_text(encoding="utf-8")
    # signatures with Python types; time arguments take datetimes
    assert "def fulfill(self, id: int, at: _TimeLike, by: Optional[str] = None) -> None" in text
    assert "def close(self) -> None" in text and "def to_datetime(" in text
