# Where the generated bindings' headers are found. Installed, every header of the SDK is under
# <prefix>/include/refbridge/: refbridge/error.h, refbridge/primero/client.h, refbridge/ping/models.h,
# refbridge/mappings/<function>.h. In the build tree, ${REFBRIDGE_GENERATED_INCLUDE_DIR} holds
# refbridge/{ping,primero,mappings} as symbolic links to generated/<dir>, so the same paths work
# there without moving the committed generated files.
#
# REFBRIDGE_LEGACY_API_INCLUDES ON: the project's own code (and the generated code) still includes
# the bindings as "primero/client.h"; generated/ stays on the include path and the installed
# targets add `-idirafter <prefix>/include/refbridge` (after the system directories, so that
# refbridge/time.h never hides <time.h>). tools/rename-includes.sh rewrites every include to
# "refbridge/<dir>/..." and sets this OFF.
set(REFBRIDGE_LEGACY_API_INCLUDES OFF)

set(REFBRIDGE_GENERATED_INCLUDE_DIR "${PROJECT_BINARY_DIR}/generated-include")
file(MAKE_DIRECTORY "${REFBRIDGE_GENERATED_INCLUDE_DIR}/refbridge")
foreach(_dir ping primero mappings)
  if(NOT EXISTS "${REFBRIDGE_GENERATED_INCLUDE_DIR}/refbridge/${_dir}")
    file(CREATE_LINK "${PROJECT_SOURCE_DIR}/generated/${_dir}" "${REFBRIDGE_GENERATED_INCLUDE_DIR}/refbridge/${_dir}"
         SYMBOLIC)
  endif()
endforeach()
