# refbridge_generate(): C++ bindings for a consumer's own OpenAPI 3.1 / JSON Schema file, generated
# by refbridge-codegen at build time and compiled into a static library (in the style of
# protobuf_generate). Installed with the refbridge CMake package (doc/sdk.md "Generating your own
# bindings"); the refbridge build uses it too.
#
#   refbridge_generate(<target>
#     API <name>                  API name: headers are included as "<name>/models.h", ...
#     SPEC <file>                 the OpenAPI 3.1 YAML (relative to the current source dir)
#     [NAMESPACE <ns>]            C++ namespace (default: <name>)
#     [OUT_DIR <dir>]             where the files go (default: <binary dir>/refbridge_generated/<target>)
#     [FAKE_TARGET <fake>]        also a library <fake> with the in-memory Fake<Api> (fake.h) for tests
#     [CHECK_AGAINST <dir>]       add the CTest test <target>-codegen-drift: fails when the files
#                                 committed under <dir>/<name>/ differ from what the generator emits
#     [DIFF_AGAINST <old-spec>])  add the build target <target>-schema-diff: `refbridge-codegen diff`
#                                 of <old-spec> -> SPEC (lists BREAKING / compatible / docs changes;
#                                 fails on a breaking change)
#
# <target> is created as a STATIC library when it does not exist yet; it gets serde.cc, client.cc
# and validate.cc, the include directory OUT_DIR (PUBLIC) and refbridge::sdk (PUBLIC). The
# generator itself is REFBRIDGE_CODEGEN_EXECUTABLE (default: the package's refbridge::codegen).
include_guard(GLOBAL)

function(_refbridge_codegen_command out_var)
  if(REFBRIDGE_CODEGEN_EXECUTABLE)
    set(${out_var} "${REFBRIDGE_CODEGEN_EXECUTABLE}" PARENT_SCOPE)
  elseif(TARGET refbridge::codegen)
    set(${out_var} refbridge::codegen PARENT_SCOPE)
  elseif(TARGET refbridge-codegen)
    set(${out_var} refbridge-codegen PARENT_SCOPE)
  else()
    message(FATAL_ERROR "refbridge_generate: no refbridge-codegen (install librefbridge-dev, or build refbridge with "
                        "REFBRIDGE_BUILD_CODEGEN=ON, or set REFBRIDGE_CODEGEN_EXECUTABLE)")
  endif()
endfunction()

function(refbridge_generate target)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "API;SPEC;NAMESPACE;OUT_DIR;FAKE_TARGET;CHECK_AGAINST;DIFF_AGAINST" "")
  if(arg_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "refbridge_generate(${target}): unknown arguments ${arg_UNPARSED_ARGUMENTS}")
  endif()
  foreach(required API SPEC)
    if(NOT arg_${required})
      message(FATAL_ERROR "refbridge_generate(${target}): ${required} is required")
    endif()
  endforeach()
  if(NOT arg_API MATCHES "^[a-z][a-z0-9_]*$")
    message(FATAL_ERROR "refbridge_generate(${target}): API '${arg_API}' must be lower_snake_case (it names a folder and a namespace)")
  endif()
  if(NOT arg_NAMESPACE)
    set(arg_NAMESPACE "${arg_API}")
  endif()
  if(NOT arg_OUT_DIR)
    set(arg_OUT_DIR "${CMAKE_CURRENT_BINARY_DIR}/refbridge_generated/${target}")
  endif()
  get_filename_component(spec "${arg_SPEC}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
  get_filename_component(spec_dir "${spec}" DIRECTORY)
  get_filename_component(spec_name "${spec}" NAME)
  _refbridge_codegen_command(codegen)

  # The generator's configuration (schemas/codegen.yaml format), rewritten only when it changes.
  set(config "${CMAKE_CURRENT_BINARY_DIR}/refbridge_generated/${target}.codegen.yaml")
  file(CONFIGURE OUTPUT "${config}" CONTENT
       "# Written by refbridge_generate(${target}): do not edit.\napis:\n  - name: ${arg_API}\n    spec: ${spec_name}\n    namespace: ${arg_NAMESPACE}\n    out: ${arg_API}\n")

  set(dir "${arg_OUT_DIR}/${arg_API}")
  set(outputs "")
  foreach(file models.h serde.h serde.cc client.h client.cc validate.h validate.cc fake.h fake.cc)
    list(APPEND outputs "${dir}/${file}")
  endforeach()
  add_custom_command(
    OUTPUT ${outputs} "${arg_OUT_DIR}/docs/${arg_API}.md"
    COMMAND ${codegen} generate --config "${config}" --root "${spec_dir}" --out-root "${arg_OUT_DIR}"
    COMMAND ${CMAKE_COMMAND} -E touch ${outputs}  # the generator leaves unchanged files alone
    DEPENDS "${spec}" "${config}" ${codegen}
    COMMENT "refbridge-codegen: ${arg_SPEC} -> ${arg_API} bindings"
    VERBATIM)

  if(NOT TARGET ${target})
    add_library(${target} STATIC)
  endif()
  target_sources(${target} PRIVATE "${dir}/serde.cc" "${dir}/client.cc" "${dir}/validate.cc")
  target_include_directories(${target} PUBLIC "$<BUILD_INTERFACE:${arg_OUT_DIR}>")
  target_link_libraries(${target} PUBLIC refbridge::sdk)
  if(arg_FAKE_TARGET)
    add_library(${arg_FAKE_TARGET} STATIC "${dir}/fake.cc")
    target_link_libraries(${arg_FAKE_TARGET} PUBLIC ${target})
  endif()
  if(arg_CHECK_AGAINST)
    get_filename_component(against "${arg_CHECK_AGAINST}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
    add_test(NAME ${target}-codegen-drift
             COMMAND ${codegen} check --config "${config}" --root "${spec_dir}" --against "${against}")
  endif()
  if(arg_DIFF_AGAINST)
    get_filename_component(old "${arg_DIFF_AGAINST}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
    add_custom_target(${target}-schema-diff
                      COMMAND ${codegen} diff "${old}" "${spec}" --root /
                      DEPENDS "${old}" "${spec}"
                      COMMENT "refbridge-codegen diff ${arg_DIFF_AGAINST} -> ${arg_SPEC}" VERBATIM)
  endif()
endfunction()
