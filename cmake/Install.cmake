# Install rules and the refbridge CMake package (doc/sdk.md "Installing and consuming").
#
# Component "dev" (Debian package librefbridge-dev): the SDK libraries and headers under
# include/refbridge/, the exported targets refbridge::{sdk,ledger,ping,primero,ping_fake,
# primero_fake,mappings} (+ refbridge::codegen, the generator, and refbridge_generate()),
# refbridgeConfig.cmake / refbridgeConfigVersion.cmake (SameMajorVersion) and refbridge.pc.
# Component "runtime" (Debian package refbridge): the four workflow programs, the ledger tool,
# the sandbox, the example configuration and profiles, and the deploy/ units.
include(CMakePackageConfigHelpers)

set(REFBRIDGE_CMAKE_DIR "${CMAKE_INSTALL_LIBDIR}/cmake/refbridge")
set(REFBRIDGE_DOC_DIR "${CMAKE_INSTALL_DATADIR}/doc/refbridge")

# ---- the SDK libraries and their headers ----
set(_libraries refbridge_sdk refbridge_ledger refbridge_ping_api refbridge_primero_api refbridge_ping_fake
               refbridge_primero_fake refbridge_mappings refbridge_rapidjson)
if(TARGET refbridge_sanitizer_link)  # cmake/Sanitizers.cmake: consumers link the sanitizer runtimes too
  target_link_libraries(refbridge_sdk PUBLIC refbridge_sanitizer_link)
  list(APPEND _libraries refbridge_sanitizer_link)
endif()
set_target_properties(refbridge_sdk PROPERTIES EXPORT_NAME sdk)
set_target_properties(refbridge_ledger PROPERTIES EXPORT_NAME ledger)
set_target_properties(refbridge_mappings PROPERTIES EXPORT_NAME mappings)
install(TARGETS ${_libraries} EXPORT refbridgeTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT dev
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT dev
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/sdk/include/refbridge DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
        COMPONENT dev FILES_MATCHING PATTERN "*.h")
foreach(_dir ping primero mappings)
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/generated/${_dir}/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/refbridge/${_dir}
          COMPONENT dev FILES_MATCHING PATTERN "*.h")
endforeach()
install(FILES ${PROJECT_SOURCE_DIR}/doc/sdk.md ${PROJECT_SOURCE_DIR}/generated/docs/ping.md
              ${PROJECT_SOURCE_DIR}/generated/docs/primero.md
        DESTINATION ${REFBRIDGE_DOC_DIR}/sdk COMPONENT dev)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/examples/ DESTINATION ${REFBRIDGE_DOC_DIR}/examples COMPONENT dev)

# ---- the generator, exported as refbridge::codegen for refbridge_generate() ----
if(TARGET refbridge-codegen)
  set_target_properties(refbridge-codegen PROPERTIES EXPORT_NAME codegen)
  install(TARGETS refbridge-codegen EXPORT refbridgeTargets RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT dev)
endif()

# ---- the CMake package ----
install(EXPORT refbridgeTargets NAMESPACE refbridge:: DESTINATION ${REFBRIDGE_CMAKE_DIR} COMPONENT dev)
configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/refbridgeConfig.cmake.in
                              ${PROJECT_BINARY_DIR}/package/refbridgeConfig.cmake
                              INSTALL_DESTINATION ${REFBRIDGE_CMAKE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/package/refbridgeConfigVersion.cmake
                                 VERSION ${PROJECT_VERSION} COMPATIBILITY SameMajorVersion)
install(FILES ${PROJECT_BINARY_DIR}/package/refbridgeConfig.cmake ${PROJECT_BINARY_DIR}/package/refbridgeConfigVersion.cmake
              ${CMAKE_CURRENT_LIST_DIR}/refbridgeGenerate.cmake
        DESTINATION ${REFBRIDGE_CMAKE_DIR} COMPONENT dev)

# ---- refbridge.pc (pkg-config): prefix found from the file's own place, so it is relocatable ----
set(_up "..")  # <libdir>/pkgconfig -> <prefix>
string(REPLACE "/" ";" _libdir_parts "${CMAKE_INSTALL_LIBDIR}")
foreach(_part IN LISTS _libdir_parts)
  string(APPEND _up "/..")
endforeach()
set(REFBRIDGE_PC_PREFIX "\${pcfiledir}/${_up}")
set(REFBRIDGE_PC_EXTRA_CFLAGS "")
set(REFBRIDGE_PC_EXTRA_LIBS "")
if(REFBRIDGE_LEGACY_API_INCLUDES)  # cmake/IncludeLayout.cmake
  set(REFBRIDGE_PC_EXTRA_CFLAGS "-idirafter \${includedir}/refbridge")
endif()
if(TARGET refbridge_sanitizer_link)
  # A one-line `c++ $(pkg-config --cflags --libs refbridge) app.cc` also compiles app.cc with the
  # sanitizers; keep off the one check Debian's RapidJSON trips (cmake/Sanitizers.cmake), after
  # the -fsanitize that would turn it on again.
  set(REFBRIDGE_PC_EXTRA_LIBS "-fsanitize=address,undefined")
  if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    string(APPEND REFBRIDGE_PC_EXTRA_LIBS " -fno-sanitize=pointer-overflow")
  endif()
endif()
configure_file(${CMAKE_CURRENT_LIST_DIR}/refbridge.pc.in ${PROJECT_BINARY_DIR}/package/refbridge.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/package/refbridge.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig COMPONENT dev)

# ---- the programs and what an operator installs with them ----
foreach(_program refbridge-referrals-to-primero refbridge-decisions-to-progres refbridge-referrals-to-progres
                 refbridge-decisions-to-primero refbridge-ledger refbridge-sandbox)
  if(TARGET ${_program})
    install(TARGETS ${_program} RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT runtime)
  endif()
endforeach()
if(REFBRIDGE_BUILD_WORKFLOWS OR REFBRIDGE_BUILD_TOOLS)
  install(FILES ${PROJECT_SOURCE_DIR}/README.md ${PROJECT_SOURCE_DIR}/doc/configuration.md
          DESTINATION ${REFBRIDGE_DOC_DIR} COMPONENT runtime)
  install(FILES ${PROJECT_SOURCE_DIR}/config/demo.yaml DESTINATION ${REFBRIDGE_DOC_DIR}/config-examples COMPONENT runtime)
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/schemas/profiles/ DESTINATION ${CMAKE_INSTALL_DATADIR}/refbridge/profiles
          COMPONENT runtime FILES_MATCHING PATTERN "*.yaml")
  if(EXISTS ${PROJECT_SOURCE_DIR}/deploy)
    # systemd units name /usr/local/bin: cmake/InstallDeploy.cmake rewrites them for the install prefix.
    install(CODE "set(REFBRIDGE_DEPLOY_SOURCE \"${PROJECT_SOURCE_DIR}/deploy\")" COMPONENT runtime)
    install(SCRIPT ${CMAKE_CURRENT_LIST_DIR}/InstallDeploy.cmake COMPONENT runtime)
  endif()
endif()
