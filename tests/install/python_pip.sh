#!/usr/bin/env bash
# The Python package installs with pip and as a wheel, offline, with Debian's
# setuptools, pip and python3-build (pyproject.toml + setup.py's CMake build):
#   1. `pip install --no-build-isolation .` into a fresh venv (--system-site-packages);
#   2. `python3 -m build --wheel --no-isolation` makes a wheel that installs into
#      another fresh venv (without the system site-packages) and imports there;
#   3. `pip install --root R .` puts it where Debian's python3 looks for
#      /usr/local (R/usr/local/lib/python3.X/dist-packages, on sys.path).
# Each import runs from an unrelated directory and checks where it came from.
# The source tree is copied first (git's tracked files as they are now), so the
# build directories setuptools writes stay out of it.
#
#   tests/install/python_pip.sh [SOURCE_DIR]    (ctest: install.python_pip)
set -euo pipefail
SRC=${1:-"$(cd "$(dirname "$0")/../.." && pwd)"}
PY=${PYTHON:-/usr/bin/python3}
export PIP_NO_INDEX=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_WARN_SCRIPT_LOCATION=1
export CMAKE_BUILD_PARALLEL_LEVEL=${CMAKE_BUILD_PARALLEL_LEVEL:-2}
# -O0 keeps the run short (the point is packaging, not speed); also exercises CMAKE_ARGS
export CMAKE_ARGS=${CMAKE_ARGS:--DCMAKE_BUILD_TYPE=Debug}
unset PYTHONPATH

"$PY" -c "import venv, setuptools, wheel" 2>/dev/null || { echo "python_pip: needs python3-venv, python3-setuptools, python3-wheel; skipped" >&2; exit 77; }
"$PY" -m build --version >/dev/null 2>&1 || { echo "python_pip: needs python3-build; skipped" >&2; exit 77; }

TMP=$(mktemp -d "${TMPDIR:-/tmp}/fu-pip.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
mkdir "$TMP/src" "$TMP/elsewhere"
if git -C "$SRC" rev-parse --git-dir >/dev/null 2>&1; then
  (cd "$SRC" && git ls-files -z --cached --others --exclude-standard |
     tar --null -T - --ignore-failed-read -cf - 2>/dev/null) | tar -C "$TMP/src" -xf -
else
  tar -C "$SRC" --exclude='./build*' --exclude=./.git -cf - . | tar -C "$TMP/src" -xf -
fi

check_import() { # <python> <expected directory prefix>
  (cd "$TMP/elsewhere" && "$1" - "$2" <<'EOF'
import sys
import followup
assert followup.__file__.startswith(sys.argv[1]), (followup.__file__, sys.argv[1])
b = followup.Book()
b.read_customers_text("customer_id,tz,annual_spend\nC1,Asia/Shanghai,600000\n", "c.csv")
b.finalize()
assert b.customer_count() == 1 and followup.policy_default() is not None
assert followup.time_format(followup.time_parse("2026-11-23T08:00:00+08:00"), 0) == "2026-11-23T00:00:00+00:00"
print("ok", followup.__version__, followup.__file__)
EOF
  )
}

echo "== 1. pip install --no-build-isolation . into a venv" >&2
"$PY" -m venv --system-site-packages "$TMP/venv-pip"
(cd "$TMP/src" && "$TMP/venv-pip/bin/python" -m pip install -q --no-build-isolation .) >"$TMP/pip.log" 2>&1 \
  || { tail -n 60 "$TMP/pip.log" >&2; exit 1; }
check_import "$TMP/venv-pip/bin/python" "$TMP/venv-pip/lib/"

echo "== 2. python3 -m build --wheel --no-isolation; the wheel in a plain venv" >&2
(cd "$TMP/src" && "$PY" -m build --wheel --no-isolation --outdir "$TMP/dist") >"$TMP/build.log" 2>&1 \
  || { tail -n 60 "$TMP/build.log" >&2; exit 1; }
WHL=$(ls "$TMP"/dist/followup-*.whl)
"$PY" - "$WHL" <<'EOF'
import sys, zipfile
names = zipfile.ZipFile(sys.argv[1]).namelist()
for want in ("followup/__init__.py", "followup/core.py", "followup/__init__.pyi", "followup/py.typed"):
    assert want in names, (want, names)
assert any(n.startswith("followup/_core") and n.endswith(".so") for n in names), names
assert not any(n.startswith(("lib/", "tests/", "bindings/")) for n in names), names
EOF
"$PY" -m venv "$TMP/venv-whl"
"$TMP/venv-whl/bin/python" -m pip install -q "$WHL"
check_import "$TMP/venv-whl/bin/python" "$TMP/venv-whl/lib/"

echo "== 3. pip install --root: Debian's site directory for /usr/local" >&2
(cd "$TMP/src" && "$PY" -m pip install -q --no-build-isolation --root "$TMP/root" .) >"$TMP/root.log" 2>&1 \
  || { tail -n 60 "$TMP/root.log" >&2; exit 1; }
SITE=$("$PY" -c "import sysconfig; s = sysconfig.get_scheme_names(); print(sysconfig.get_paths('posix_local' if 'deb_system' in s else 'posix_prefix')['platlib'])")
"$PY" -c "import sys; assert sys.argv[1] in sys.path, (sys.argv[1], sys.path)" "$SITE"
[ -f "$TMP/root$SITE/followup/__init__.py" ] || { echo "python_pip: not in $TMP/root$SITE" >&2; find "$TMP/root" -name __init__.py >&2; exit 1; }
PYTHONPATH="$TMP/root$SITE" check_import "$PY" "$TMP/root$SITE"
echo "python_pip: pip, wheel and site-packages installs import" >&2
