# Runs PROGRAM; passes when it exits 0 and its output holds every regex in EXPECT (a
# |-separated list: ctest's PASS_REGULAR_EXPRESSION would ignore the exit code).
execute_process(COMMAND ${PROGRAM} RESULT_VARIABLE code OUTPUT_VARIABLE out ERROR_VARIABLE err)
message("${out}${err}")
if(NOT code EQUAL 0)
  message(FATAL_ERROR "${PROGRAM} exited with ${code}")
endif()
string(REPLACE "|" ";" expected "${EXPECT}")
foreach(regex IN LISTS expected)
  if(NOT "${out}${err}" MATCHES "${regex}")
    message(FATAL_ERROR "${PROGRAM}: no line matches '${regex}'")
  endif()
endforeach()
