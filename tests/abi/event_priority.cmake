# ctest abi.event_priority_type (review s11 M2): compiles tests/abi/event_priority.c
# with the C compiler of the build, -std=c11 -Wall -Wextra -Werror:
#   - as written (FU_EVENT_PRIORITY_HIGH, FU_EVENT_PRIORITY_OF): must compile;
#   - with -DFU_WRONG (FU_PRIORITY_HIGH into fu_event_in.priority): must FAIL,
#     and fail on the enum conversion, not on something else.
# cmake -DCC=<compiler> -DCC_ID=<GNU|Clang> -DCC_VERSION=<x.y> -DSRC=<source dir> -P event_priority.cmake
if(CC_ID STREQUAL "GNU" AND CC_VERSION VERSION_LESS 10)
  message("abi.event_priority_type: GCC ${CC_VERSION} has no -Wenum-conversion in C (needs 10); skipped")
  return()
endif()
if(NOT CC_ID MATCHES "^(GNU|Clang|AppleClang)$")
  message("abi.event_priority_type: compiler ${CC_ID} not checked; skipped")
  return()
endif()
set(flags -std=c11 -Wall -Wextra -Werror -fsyntax-only -I${SRC}/include)
execute_process(COMMAND ${CC} ${flags} ${SRC}/tests/abi/event_priority.c
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "abi.event_priority_type: the right spellings do not compile:\n${out}")
endif()
execute_process(COMMAND ${CC} ${flags} -DFU_WRONG ${SRC}/tests/abi/event_priority.c
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
if(rc EQUAL 0)
  message(FATAL_ERROR "abi.event_priority_type: `e.priority = FU_PRIORITY_HIGH` compiled without a warning "
                      "(fu_event_in.priority must not take a fu_priority: it holds fu_priority + 1)")
endif()
if(NOT out MATCHES "enum-conversion")
  message(FATAL_ERROR "abi.event_priority_type: the wrong spelling failed, but not on the enum conversion:\n${out}")
endif()
message("abi.event_priority_type: FU_PRIORITY_HIGH into fu_event_in.priority is refused:\n${out}")
