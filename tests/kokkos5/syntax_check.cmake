# Runs `COMPILER -std=c++20 -fopenmp -fsyntax-only FLAGS file` for each of SOURCES; fails with
# the compiler output of every file that does not compile.
set(_failed 0)
list(LENGTH SOURCES _count)
foreach(_source IN LISTS SOURCES)
  set(_language)
  if(_source MATCHES "\\.hpp$")
    set(_language -x c++)
  endif()
  execute_process(COMMAND ${COMPILER} -std=c++20 -fopenmp -fsyntax-only -Wno-deprecated-declarations
                          ${FLAGS} ${_language} ${_source}
                  RESULT_VARIABLE _result OUTPUT_VARIABLE _out ERROR_VARIABLE _out)
  if(NOT _result EQUAL 0)
    math(EXPR _failed "${_failed} + 1")
    message("FAILED against Kokkos 5: ${_source}\n${_out}")
  endif()
endforeach()
if(_failed GREATER 0)
  message(FATAL_ERROR "${_failed} of ${_count} files do not compile against Kokkos 5")
endif()
message("all ${_count} files compile against Kokkos 5")
