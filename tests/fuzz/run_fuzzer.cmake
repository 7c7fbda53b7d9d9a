# Builds the frame decoding fuzzer with clang++ (libFuzzer + ASan + UBSan) and runs it for
# SECONDS seconds. Fails on any crash, sanitizer report or abort.
string(REPLACE "|" ";" _includes "${INCLUDES};${KOKKOS_INCLUDES}")
string(REPLACE "|" ";" _sources "${SOURCES}")
set(_flags)
foreach(_dir IN LISTS _includes)
  list(APPEND _flags -I${_dir})
endforeach()
execute_process(COMMAND ${CLANGXX} -std=c++17 -g -O1 -fsanitize=fuzzer,address,undefined
                        -fno-sanitize-recover=undefined ${_flags} ${_sources} -o ${WORK}/frame_decode_fuzz
                RESULT_VARIABLE _result OUTPUT_VARIABLE _out ERROR_VARIABLE _out)
if(NOT _result EQUAL 0)
  message(FATAL_ERROR "building the fuzzer failed:\n${_out}")
endif()
file(MAKE_DIRECTORY ${WORK}/corpus)
execute_process(COMMAND ${WORK}/frame_decode_fuzz -max_total_time=${SECONDS} -print_final_stats=1
                        ${WORK}/corpus
                RESULT_VARIABLE _result OUTPUT_VARIABLE _out ERROR_VARIABLE _out)
string(REGEX MATCH "Done [0-9]+ runs in [0-9]+ second" _done "${_out}")
if(NOT _result EQUAL 0)
  message(FATAL_ERROR "the fuzzer found a failure:\n${_out}")
endif()
message("frame decoding fuzzer: ${_done}s, no failure")
