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
message(STATUS "installed package works with CMake and pkg-config")
