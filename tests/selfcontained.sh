#!/usr/bin/env bash
# The repository is self-contained: a fresh clone of HEAD in an empty temporary
# directory (nothing beside it) configures, builds and passes the tests that
# read data (C, Python, Lua, the examples and the
# notebook). Run by ctest as selfcontained.clone; by hand:
#
#   tests/selfcontained.sh [SOURCE_DIR]      (default: the repository of this script)
#
# It tests the committed HEAD, not uncommitted changes. Exit 77 (ctest: skipped)
# when SOURCE_DIR is not a git checkout or git is missing.
set -euo pipefail
SRC=${1:-"$(cd "$(dirname "$0")/.." && pwd)"}
JOBS=${JOBS:-2}
PY=${PYTHON:-/usr/bin/python3}

command -v git >/dev/null || { echo "selfcontained: git not found; skipped" >&2; exit 77; }
HEAD=$(git -C "$SRC" rev-parse --verify -q HEAD) || { echo "selfcontained: $SRC is not a git checkout; skipped" >&2; exit 77; }
if [ -n "$(git -C "$SRC" status --porcelain --untracked-files=no 2>/dev/null)" ]; then
  echo "selfcontained: note: uncommitted changes in $SRC are not tested (HEAD $HEAD is)" >&2
fi

TMP=$(mktemp -d "${TMPDIR:-/tmp}/fu-selfcontained.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
REPO=$TMP/libfollowup
# Nothing from the environment may point back at the source tree.
unset FU_TEST_DATADIR FU_SOURCE_DIR FU_BUILD_DIR FU_CLI FU_SAMPLE_DIR FU_DATA_DIR PYTHONPATH LUA_PATH LUA_CPATH

git clone -q --no-hardlinks "$SRC" "$REPO"
git -C "$REPO" -c advice.detachedHead=false checkout -q "$HEAD"
[ ! -e "$TMP/shared" ] && [ "$(ls -A "$TMP")" = libfollowup ] || { echo "selfcontained: $TMP is not empty" >&2; exit 1; }

# No test, example, binding or build file names a path outside the repository
# (benchmarks alone may take an optional one).
if grep -rn -e '\.\./shared' -e '\.\./\.\./\.\./' "$REPO/tests" "$REPO/examples" "$REPO/bindings" \
     "$REPO/cmake" "$REPO/CMakeLists.txt" | grep -v "^$REPO/tests/selfcontained.sh:"; then
  echo "selfcontained: the lines above reach outside the repository" >&2; exit 1
fi

B=$REPO/build
# -O0: the point is the data paths, not speed; benchmarks and fuzzers are off.
cmake -S "$REPO" -B "$B" -DCMAKE_BUILD_TYPE=Debug -DFU_BUILD_BENCH=OFF -DFU_BUILD_FUZZ=OFF \
      -DPython3_EXECUTABLE="$PY" >"$TMP/configure.log" 2>&1 || { cat "$TMP/configure.log" >&2; exit 1; }
targets=(test_segment followup_cli example_crm_integration)
grep -q "^FU_BUILD_PYTHON:BOOL=ON" "$B/CMakeCache.txt" && targets+=(followup_python)
grep -q "^FU_BUILD_LUA:BOOL=ON" "$B/CMakeCache.txt" && targets+=(followup_lua)
for t in "${targets[@]}"; do
  cmake --build "$B" -j "$JOBS" --target "$t" >"$TMP/build.log" 2>&1 || { tail -n 60 "$TMP/build.log" >&2; exit 1; }
done

# The data-reading tests, run from the clone through ctest (the C test gets
# FU_TEST_DATADIR from the clone's CMake, the Lua test its environment).
(cd "$B" && ctest --output-on-failure -R '^(c\.segment|lua\.test_segment)$' --no-tests=error)
if [ -f "$B/python/followup/_core.so" ] || ls "$B"/python/followup/_core*.so >/dev/null 2>&1; then
  # Python: the pytest files that read data, with conftest's own default data path.
  (cd "$TMP" && PYTHONPATH="$B/python" FU_SOURCE_DIR="$REPO" FU_BUILD_DIR="$B" \
     FU_CLI="$B/examples/followup" PYDEVD_DISABLE_FILE_VALIDATION=1 \
     "$PY" -m pytest -q -p no:cacheprovider \
       "$REPO/tests/python/test_segment.py" "$REPO/tests/python/test_cli_segment.py" \
       "$REPO/tests/python/test_examples.py")
fi
echo "selfcontained: a clone of $HEAD in $TMP with nothing beside it builds and passes" >&2
