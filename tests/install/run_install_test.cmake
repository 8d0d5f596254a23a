# Install the built project into a scratch prefix, then build a consumer program
# against it from outside the tree, once with find_package(followup) and once
# with pkg-config, and run both.
file(REMOVE_RECURSE ${WORK})
set(PREFIX ${WORK}/prefix)
execute_process(COMMAND ${CMAKE_COMMAND} --install ${BIN} --prefix ${PREFIX}
                RESULT_VARIABLE rc OUTPUT_QUIET)
if(rc)
  message(FATAL_ERROR "cmake --install failed: ${rc}")
endif()
foreach(f include/followup.h include/followup/common.h)
  if(NOT EXISTS ${PREFIX}/${f})
    message(FATAL_ERROR "not installed: ${f}")
  endif()
endforeach()
file(GLOB pcs ${PREFIX}/lib*/pkgconfig/followup.pc ${PREFIX}/lib/*/pkgconfig/followup.pc)
file(GLOB cfgs ${PREFIX}/lib*/cmake/followup/followupConfig.cmake ${PREFIX}/lib/*/cmake/followup/followupConfig.cmake)
if(NOT pcs OR NOT cfgs)
  message(FATAL_ERROR "followup.pc or followupConfig.cmake not installed under ${PREFIX}")
endif()
list(GET pcs 0 pc)
get_filename_component(pcdir ${pc} DIRECTORY)

# 1. CMake package
execute_process(COMMAND ${CMAKE_COMMAND} -S ${SRC}/tests/install/consumer -B ${WORK}/cmake-build
                        -G ${GENERATOR} -DCMAKE_PREFIX_PATH=${PREFIX}
                RESULT_VARIABLE rc)
if(rc)
  message(FATAL_ERROR "configuring the consumer with find_package failed")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} --build ${WORK}/cmake-build RESULT_VARIABLE rc)
if(rc)
  message(FATAL_ERROR "building the consumer with find_package failed")
endif()
execute_process(COMMAND ${WORK}/cmake-build/consumer RESULT_VARIABLE rc OUTPUT_VARIABLE out)
if(rc OR NOT out MATCHES "followup [0-9]+\\.[0-9]+\\.[0-9]+ ok")
  message(FATAL_ERROR "consumer (CMake) failed: ${rc} ${out}")
endif()

# 2. pkg-config, with a plain compiler call
find_program(PKGCONF pkg-config REQUIRED)
set(ENV{PKG_CONFIG_PATH} ${pcdir})
execute_process(COMMAND ${PKGCONF} --cflags --libs followup OUTPUT_VARIABLE flags
                RESULT_VARIABLE rc OUTPUT_STRIP_TRAILING_WHITESPACE)
if(rc)
  message(FATAL_ERROR "pkg-config followup failed")
endif()
separate_arguments(flags UNIX_COMMAND "${flags}")
execute_process(COMMAND cc -std=c11 -Wall -Werror ${SRC}/tests/install/consumer/consumer.c
                        -o ${WORK}/consumer-pc ${flags} -Wl,-rpath,${pcdir}/..
                RESULT_VARIABLE rc)
if(rc)
  message(FATAL_ERROR "building the consumer with pkg-config failed")
endif()
execute_process(COMMAND ${WORK}/consumer-pc RESULT_VARIABLE rc OUTPUT_VARIABLE out)
if(rc OR NOT out MATCHES "followup [0-9]+\\.[0-9]+\\.[0-9]+ ok")
  message(FATAL_ERROR "consumer (pkg-config) failed: ${rc} ${out}")
endif()
# 3. the Python package and the Lua module, when they were built
if(PYTHON)
  file(GLOB_RECURSE pyinit ${PREFIX}/__init__.py)
  if(NOT pyinit)
    message(FATAL_ERROR "Python package not installed")
  endif()
  list(GET pyinit 0 pyinit)
  get_filename_component(pkgdir ${pyinit} DIRECTORY)
  get_filename_component(sitedir ${pkgdir} DIRECTORY)
  execute_process(COMMAND ${CMAKE_COMMAND} -E env PYTHONPATH=${sitedir}
                  ${PYTHON} -c "import followup, sys; assert followup.__file__.startswith(sys.argv[1]); print(followup.__version__)" ${sitedir}
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(rc)
    message(FATAL_ERROR "installed Python package does not import: ${out} ${err}")
  endif()
endif()
if(LUA)
  file(GLOB_RECURSE luaso ${PREFIX}/lib/followup.so)
  list(FILTER luaso INCLUDE REGEX "/lua/5.4/followup.so$")
  if(NOT luaso)
    message(FATAL_ERROR "Lua module not installed")
  endif()
  list(GET luaso 0 luaso)
  get_filename_component(luadir ${luaso} DIRECTORY)
  execute_process(COMMAND ${CMAKE_COMMAND} -E env "LUA_CPATH=${luadir}/?.so"
                  ${LUA} -e "local f = require 'followup'; assert(f.version():match('^%d+%.%d+%.%d+$'))"
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(rc)
    message(FATAL_ERROR "installed Lua module does not load: ${out} ${err}")
  endif()
endif()
message(STATUS "installed package works with CMake, pkg-config, Python and Lua")
