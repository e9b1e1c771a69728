# cmake -DEXPECT=<status> -DEXE=<program> -DARGS="a;b;c" -P expect_exit.cmake
# Runs EXE with ARGS and fails unless it exits with exactly EXPECT (WILL_FAIL cannot tell 1 from 2).
execute_process(COMMAND ${EXE} ${ARGS} RESULT_VARIABLE status OUTPUT_VARIABLE out ERROR_VARIABLE err)
message("${out}${err}")
if(NOT status STREQUAL EXPECT)
  message(FATAL_ERROR "expected exit status ${EXPECT}, got ${status}")
endif()
