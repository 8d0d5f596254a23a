-- LuaRocks package of the Lua 5.4 binding: `luarocks --lua-version=5.4 make`
-- in the source tree builds the SWIG module with CMake (target followup_lua,
-- linked to the shared C library) and installs `followup.so` as the module
-- `followup` with `libfollowup.so.1` beside it. Needs cmake, swig and the
-- development packages of libyaml, PCRE2, ICU, SQLite and Lua 5.4
-- (cmake/install-deps.sh installs them on Debian). Set CMAKE_BUILD_PARALLEL_LEVEL to build in parallel and CMAKE_ARGS
-- to add configure arguments (e.g. -DCMAKE_BUILD_TYPE=Debug). See docs/bindings.md.
rockspec_format = "3.0"
package = "followup"
version = "0.2.0-1"
source = {
   -- `luarocks make` builds the checkout it runs in; a release names its
   -- tarball here.
   url = "file://."
}
description = {
   summary = "After-sales customer follow-up: segmentation, cadence, best time to call, commitments, KPIs",
   detailed = [[
libfollowup for Lua 5.4: who to contact (segmentation, customer-base models),
how often and when (cadences, contact caps, quiet hours, best time to call),
what was promised (commitment tracking with business-time deadlines) and how
the team is doing (KPIs with intervals and RAG status).
]],
   license = "MIT",
   labels = { "crm", "scheduling", "statistics" },
}
dependencies = {
   "lua >= 5.4, < 5.5",
}
external_dependencies = {
   YAML = { header = "yaml.h" },
   PCRE2 = { header = "pcre2.h" },
   ICU = { header = "unicode/ucal.h" },
   SQLITE3 = { header = "sqlite3.h" },
}
build = {
   type = "command",
   build_command = [[cmake -S . -B build.luarocks -DCMAKE_BUILD_TYPE=Release -DFU_BUILD_PYTHON=OFF -DFU_BUILD_LUA=ON -DFU_BUILD_TESTS=OFF -DFU_BUILD_EXAMPLES=OFF -DFU_BUILD_BENCH=OFF -DFU_BUILD_FUZZ=OFF -DFU_WERROR=OFF $CMAKE_ARGS && cmake --build build.luarocks --target followup_lua]],
   install = {
      -- the module and, beside it (it is found through $ORIGIN), the shared
      -- C library it links, under its SONAME
      lib = { followup = "build.luarocks/lua/followup.so", "build.luarocks/lua/libfollowup.so.1" },
   },
   copy_directories = {},
}
