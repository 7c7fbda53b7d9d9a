function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE _result OUTPUT_VARIABLE _out ERROR_VARIABLE _out)
  if(NOT _result EQUAL 0)
    message(FATAL_ERROR "failed: ${ARGN}\n${_out}")
  endif()
endfunction()
string(REPLACE "|" ";" PREFIX_PATH "${PREFIX_PATH}")
file(REMOVE_RECURSE ${PREFIX} ${WORK})
run(${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${PREFIX})
# As README shows: only the install prefix on the search path. The installed config must find
# the Kokkos it was built with by itself (before, users had to add Kokkos to the path too).
# The initial cache file carries the compiler flags intact: a sanitizer build (the asan preset)
# links only against code built with the same -fsanitize flags.
file(WRITE ${WORK}.cache.cmake "set(CMAKE_PREFIX_PATH \"${PREFIX}\" CACHE STRING \"\")\n"
                               "set(CMAKE_CXX_FLAGS \"${CXX_FLAGS}\" CACHE STRING \"\")\n")
run(${CMAKE_COMMAND} -C ${WORK}.cache.cmake -S ${SOURCE} -B ${WORK} -G Ninja -DCMAKE_CXX_COMPILER=${CXX})
run(${CMAKE_COMMAND} --build ${WORK})
# RUNS: ,-separated runs of EXECUTABLE, each a |-separated argument list (lists do not
# survive -D); without RUNS, EXECUTABLE (default: consumer) runs once without arguments.
string(REPLACE "," ";" RUNS "${RUNS}")
if(NOT EXECUTABLE)
  set(EXECUTABLE consumer)
endif()
if(NOT RUNS)
  run(${WORK}/${EXECUTABLE})
endif()
foreach(_args IN LISTS RUNS)
  string(REPLACE "|" ";" _args "${_args}")
  run(${WORK}/${EXECUTABLE} ${_args})
  message("ran ${EXECUTABLE} ${_args}")
endforeach()
message("${EXECUTABLE} built against ${PREFIX} and ran")
