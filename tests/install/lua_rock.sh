#!/usr/bin/env bash
# The LuaRocks package: `luarocks --lua-version=5.4 --tree=T make` in a copy of
# the source tree builds and installs the module; lua5.4 then requires it from
# the tree (paths from `luarocks path`), from an unrelated directory; the
# rockspec's version is the library's; `luarocks remove` takes it out again.
#
#   tests/install/lua_rock.sh [SOURCE_DIR]    (ctest: install.lua_rock)
set -euo pipefail
SRC=${1:-"$(cd "$(dirname "$0")/../.." && pwd)"}
LUA=${LUA:-lua5.4}
export CMAKE_BUILD_PARALLEL_LEVEL=${CMAKE_BUILD_PARALLEL_LEVEL:-2}
export CMAKE_ARGS=${CMAKE_ARGS:--DCMAKE_BUILD_TYPE=Debug}   # -O0: a short run; also exercises CMAKE_ARGS
unset LUA_PATH LUA_CPATH LUA_PATH_5_4 LUA_CPATH_5_4

command -v luarocks >/dev/null || { echo "lua_rock: needs luarocks; skipped" >&2; exit 77; }
VERSION=$(sed -n 's/^project(followup VERSION \([0-9.]*\).*/\1/p' "$SRC/CMakeLists.txt")
SPEC=followup-$VERSION-1.rockspec
[ -f "$SRC/$SPEC" ] || { echo "lua_rock: no $SPEC for version $VERSION" >&2; ls "$SRC"/*.rockspec >&2 || true; exit 1; }

TMP=$(mktemp -d "${TMPDIR:-/tmp}/fu-rock.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
mkdir "$TMP/src" "$TMP/home" "$TMP/elsewhere"
export HOME=$TMP/home   # no user configuration or cache of the caller
if git -C "$SRC" rev-parse --git-dir >/dev/null 2>&1; then
  (cd "$SRC" && git ls-files -z --cached --others --exclude-standard |
     tar --null -T - --ignore-failed-read -cf - 2>/dev/null) | tar -C "$TMP/src" -xf -
else
  tar -C "$SRC" --exclude='./build*' --exclude=./.git -cf - . | tar -C "$TMP/src" -xf -
fi
ROCKS=(luarocks --lua-version=5.4 --tree="$TMP/tree")

"${ROCKS[@]}" lint "$TMP/src/$SPEC"
(cd "$TMP/src" && "${ROCKS[@]}" make "$SPEC") >"$TMP/make.log" 2>&1 || { tail -n 60 "$TMP/make.log" >&2; exit 1; }
"${ROCKS[@]}" list --porcelain | grep -q "^followup	$VERSION-1	installed	" \
  || { "${ROCKS[@]}" list >&2; echo "lua_rock: followup $VERSION-1 not listed" >&2; exit 1; }
[ -f "$TMP/tree/lib/lua/5.4/followup.so" ] || { find "$TMP/tree" -type f >&2; exit 1; }

eval "$("${ROCKS[@]}" path)"
(cd "$TMP/elsewhere" && "$LUA" - "$TMP/tree" "$VERSION" <<'EOF'
local tree, version = arg[1], arg[2]
local followup = require "followup"
local where = package.searchpath("followup", package.cpath)
assert(where and where:sub(1, #tree) == tree, "followup.so from " .. tostring(where))
assert(followup.version() == version, followup.version() .. " ~= " .. version)
local b = followup.Book()
b:read_customers_text("customer_id,tz,annual_spend\nC1,Asia/Shanghai,600000\n", "c.csv")
b:finalize()
assert(b:customer_count() == 1)
assert(followup.policy_default())
local ok, err = pcall(followup.time_parse, "not a time")
assert(not ok and tostring(err):find("not a time", 1, true), tostring(err))
print("ok " .. version .. " " .. where)
EOF
)
"${ROCKS[@]}" remove followup >/dev/null
[ ! -e "$TMP/tree/lib/lua/5.4/followup.so" ] || { echo "lua_rock: remove left followup.so" >&2; exit 1; }
echo "lua_rock: luarocks make, require and remove work" >&2
