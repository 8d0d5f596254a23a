# ctest docs.doxygen_warnings (review s11 L8): the API reference of the public
# headers builds without a Doxygen warning (unbalanced @name groups, duplicate
# or missing @param). Runs the Doxyfile of `cmake --build build --target docs`
# with XML instead of HTML, into a scratch directory.
# cmake -DDOXYGEN=<doxygen> -DDOXYFILE=<build>/docs/Doxyfile.docs -DWORK=<dir> -P doxygen_warnings.cmake
if(NOT EXISTS "${DOXYFILE}")
  message(FATAL_ERROR "docs.doxygen_warnings: no ${DOXYFILE} (configure with Doxygen found)")
endif()
file(REMOVE_RECURSE "${WORK}")
file(MAKE_DIRECTORY "${WORK}")
file(READ "${DOXYFILE}" cfg)
string(APPEND cfg "\nOUTPUT_DIRECTORY = ${WORK}\nGENERATE_HTML = NO\nGENERATE_LATEX = NO\nGENERATE_XML = YES\nWARN_LOGFILE =\nQUIET = YES\n")
file(WRITE "${WORK}/Doxyfile" "${cfg}")
execute_process(COMMAND "${DOXYGEN}" "${WORK}/Doxyfile" WORKING_DIRECTORY "${WORK}"
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "docs.doxygen_warnings: doxygen failed (${rc}):\n${err}")
endif()
if(err MATCHES "warning")
  message(FATAL_ERROR "docs.doxygen_warnings: Doxygen warns on the public headers (fix the comments):\n${err}")
endif()
message("docs.doxygen_warnings: no warning")
