# Prepares one fuzz target's directories (run by ctest's fuzz-seeds-<name> and by tools/fuzz.sh):
#   cmake -DSEEDS=<dir> [-DCORPUS=<dir>] -DFROM=<dir> -DPATTERN=<glob> [-DSEED_TOOL=<exe> -DFAMILY=<f>] -P prepare_corpus.cmake
# SEEDS is rewritten from the files matching FROM/**/PATTERN: through SEED_TOOL (JSON model seeds,
# fuzz/seed_corpus.cc) when given, else copied. CORPUS (the fuzzer's working corpus), when given,
# is emptied.
foreach(var SEEDS FROM PATTERN)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "prepare_corpus.cmake: -D${var}=... is required")
  endif()
endforeach()
file(REMOVE_RECURSE "${SEEDS}")
file(MAKE_DIRECTORY "${SEEDS}")
if(DEFINED CORPUS)
  file(REMOVE_RECURSE "${CORPUS}")
  file(MAKE_DIRECTORY "${CORPUS}")
endif()
file(GLOB_RECURSE inputs "${FROM}/${PATTERN}")
if(NOT inputs)
  message(FATAL_ERROR "prepare_corpus.cmake: no ${PATTERN} file under ${FROM}")
endif()
if(DEFINED SEED_TOOL)
  execute_process(COMMAND "${SEED_TOOL}" "${FAMILY}" "${SEEDS}" ${inputs} RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "prepare_corpus.cmake: ${SEED_TOOL} failed (${rc})")
  endif()
else()
  file(COPY ${inputs} DESTINATION "${SEEDS}")
endif()
