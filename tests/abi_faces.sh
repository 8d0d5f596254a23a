#!/bin/sh
# The faces of the library (the followup CLI, the Python and Lua binding
# modules) are built on its public API only: each one needs the shared
# library (DT_NEEDED), every fu_ symbol it takes from outside is one the
# library exports, and no private fu__ symbol is in it, defined or not (it
# would be there if it linked the static library or declared an internal).
#
#   tests/abi_faces.sh LIBFOLLOWUP.so FACE...        (ctest: abi.faces)
set -u
LIB=${1:?usage: abi_faces.sh LIBFOLLOWUP.so FACE...}
shift
TMP=$(mktemp -d "${TMPDIR:-/tmp}/fu-faces.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
soname=$(readelf -d "$LIB" | sed -n 's/.*(SONAME).*\[\(.*\)\].*/\1/p')
[ -n "$soname" ] || { echo "abi.faces: $LIB has no SONAME" >&2; exit 1; }
nm -D --defined-only "$LIB" | awk '{print $NF}' | grep '^fu_' | sort -u >"$TMP/exported"
[ -s "$TMP/exported" ] || { echo "abi.faces: $LIB exports no fu_ symbol" >&2; exit 1; }
status=0
checked=0
for face in "$@"; do
  [ -n "$face" ] || continue
  name=$(basename "$face")
  if ! readelf -d "$face" | grep -q "(NEEDED).*\[$soname\]"; then
    echo "abi.faces: $name does not link the shared library $soname" >&2
    status=1
  fi
  nm -D --undefined-only "$face" | awk '{print $NF}' | sed 's/@.*//' | grep '^fu_' | sort -u >"$TMP/used"
  comm -23 "$TMP/used" "$TMP/exported" >"$TMP/missing"
  if [ -s "$TMP/missing" ]; then
    echo "abi.faces: $name uses fu_ symbols the library does not export:" >&2
    sed 's/^/  /' "$TMP/missing" >&2
    status=1
  fi
  { nm "$face" 2>/dev/null; nm -D "$face"; } | awk '{print $NF}' | sed 's/@.*//' | grep '^fu__' | sort -u >"$TMP/private"
  if [ -s "$TMP/private" ]; then
    echo "abi.faces: $name holds private fu__ symbols (the static library or an internal declaration):" >&2
    sed 's/^/  /' "$TMP/private" | head -n 20 >&2
    status=1
  fi
  echo "abi.faces: $name: $(wc -l <"$TMP/used") fu_ symbols from $soname" >&2
  checked=$((checked + 1))
done
[ "$checked" -gt 0 ] || { echo "abi.faces: no face to check" >&2; exit 1; }
exit $status
