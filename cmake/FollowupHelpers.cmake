# Warning flags for the project's own targets (not for generated SWIG code).
function(fu_strict_warnings target)
  target_compile_options(${target} PRIVATE
    $<$<COMPILE_LANGUAGE:C>:-Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes>
    $<$<COMPILE_LANGUAGE:CXX>:-Wall -Wextra -Wpedantic>)
  if(FU_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
