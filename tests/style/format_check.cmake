cmake_policy(SET CMP0007 NEW)
execute_process(COMMAND ${GIT} ls-files -- "*.hpp" "*.cpp" "*.cu"
                WORKING_DIRECTORY ${ROOT} OUTPUT_VARIABLE _files RESULT_VARIABLE _git_result)
if(NOT _git_result EQUAL 0)
  message(FATAL_ERROR "git ls-files failed in ${ROOT}")
endif()
string(REPLACE "\n" ";" _files "${_files}")
list(FILTER _files EXCLUDE REGEX "^$")
list(LENGTH _files _count)
execute_process(COMMAND ${CLANG_FORMAT} --dry-run --Werror ${_files}
                WORKING_DIRECTORY ${ROOT} RESULT_VARIABLE _result ERROR_VARIABLE _errors)
if(NOT _result EQUAL 0)
  message(FATAL_ERROR "clang-format: files differ from .clang-format (run "
                      "`clang-format -i` on them):\n${_errors}")
endif()
message("clang-format: ${_count} files formatted")
