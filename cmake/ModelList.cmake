# refbridge_model_list(<api> <out-file>): writes <out-file>, one `REFBRIDGE_MODEL(<api>, <Type>)`
# line per type that generated/<api>/serde.h can read (every component schema: objects and
# enums), so that the fuzz targets (fuzz/) and the hostile-input tests (tests/hostile/) cover every
# model without a hand-kept list. Re-runs when serde.h changes (regeneration adds or drops models).
function(refbridge_model_list api out_file)
  set(serde "${PROJECT_SOURCE_DIR}/generated/${api}/serde.h")
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${serde}")
  # The declarations end with ';', which CMake takes as a list separator: match per element.
  file(STRINGS "${serde}" lines REGEX "^refbridge::Result<void> read_json\\(const rapidjson::Value& v, [A-Za-z0-9_]+& out")
  set(body "// Written by cmake/ModelList.cmake from generated/${api}/serde.h: do not edit.\n")
  set(count 0)
  foreach(line IN LISTS lines)
    if(line MATCHES "Value& v, ([A-Za-z0-9_]+)& out")
      string(APPEND body "REFBRIDGE_MODEL(${api}, ${CMAKE_MATCH_1})\n")
      math(EXPR count "${count} + 1")
    endif()
  endforeach()
  if(count EQUAL 0)
    message(FATAL_ERROR "refbridge_model_list: no read_json declaration found in ${serde}")
  endif()
  file(CONFIGURE OUTPUT "${out_file}" CONTENT "${body}" @ONLY)
endfunction()
