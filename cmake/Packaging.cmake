# CPack: two Debian packages from one build (`cpack -G DEB` in the build directory; the package
# test in tests/package builds and inspects them).
#   refbridge          component "runtime": the four workflow programs, refbridge-ledger,
#                      refbridge-sandbox, example configuration and profiles, deploy/ units
#   librefbridge-dev   component "dev": headers, static libraries, the CMake package, refbridge.pc,
#                      refbridge-codegen, the SDK guide and examples
# Shared-library dependencies of the programs come from dpkg-shlibdeps; the -dev package also
# depends on the -dev packages of what its static libraries link (cmake/refbridgeConfig.cmake.in).
set(CPACK_PACKAGE_NAME refbridge)
set(CPACK_PACKAGE_VENDOR "refbridge")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "proGres (PING) <-> Primero v2 referral exchange")
set(CPACK_PACKAGE_CONTACT "refbridge maintainers <refbridge@localhost>")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_GENERATOR DEB)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL runtime dev)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_COMPRESSION_TYPE zstd)  # dpkg >= 1.21.18 (bookworm) reads it; fast to build in the package test
set(CPACK_STRIP_FILES ON)  # programs only (install strips executables, never the static libraries)
set(CPACK_DEBIAN_PACKAGE_SECTION misc)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_RUNTIME_PACKAGE_NAME refbridge)
set(CPACK_DEBIAN_RUNTIME_PACKAGE_SECTION net)
set(CPACK_COMPONENT_RUNTIME_DESCRIPTION
    "Workflow programs moving referrals and decisions between proGres (PING) and Primero v2\n"
    "refbridge-referrals-to-primero, refbridge-decisions-to-progres, refbridge-referrals-to-progres,\n"
    "refbridge-decisions-to-primero, the ledger tool, the local sandbox, systemd units and examples.")
set(CPACK_DEBIAN_DEV_PACKAGE_NAME librefbridge-dev)
set(CPACK_DEBIAN_DEV_PACKAGE_SECTION libdevel)
set(CPACK_COMPONENT_DEV_DESCRIPTION
    "refbridge SDK: typed PING and Primero v2 clients, fakes, mappings, ledger (development files)\n"
    "Headers under /usr/include/refbridge, static libraries, the CMake package (find_package(refbridge)),\n"
    "refbridge.pc, and refbridge-codegen with the refbridge_generate() CMake function.")
set(CPACK_DEBIAN_DEV_PACKAGE_DEPENDS
    "libboost1.81-dev | libboost-dev (>= 1.81), libboost-url1.81-dev | libboost-url-dev (>= 1.81), rapidjson-dev, libcurl4-openssl-dev | libcurl-dev, libyaml-cpp-dev, libfmt-dev, libsqlite3-dev, libpq-dev")
include(CPack)
