# Every dependency comes from a Debian bookworm package (tools/install-deps.sh installs them).
# The SDK libraries (what the installed refbridge package exports, cmake/refbridgeConfig.cmake.in)
# need only the first group; the generator, the programs and the tests add theirs when built.
# Minimum versions, never exact pins: Boost 1.81 is the first with Boost.URL.
find_package(Boost 1.81.0 REQUIRED CONFIG COMPONENTS url)
find_package(RapidJSON REQUIRED CONFIG)
find_package(CURL REQUIRED)
find_package(yaml-cpp REQUIRED CONFIG)
find_package(fmt REQUIRED CONFIG)
find_package(Threads REQUIRED)
find_package(SQLite3 REQUIRED)  # refbridge::ledger
find_package(PkgConfig REQUIRED)
pkg_check_modules(LIBPQ REQUIRED IMPORTED_TARGET libpq)  # refbridge::ledger on PostgreSQL (libpq-dev)

if(REFBRIDGE_BUILD_CODEGEN)
  find_package(Protobuf REQUIRED)
endif()
if(REFBRIDGE_BUILD_CODEGEN OR REFBRIDGE_BUILD_WORKFLOWS OR REFBRIDGE_BUILD_TOOLS)
  find_package(CLI11 REQUIRED CONFIG)
endif()
if(REFBRIDGE_BUILD_TOOLS)
  pkg_check_modules(HTTPLIB REQUIRED IMPORTED_TARGET cpp-httplib)
endif()
if(REFBRIDGE_BUILD_TESTS)
  find_package(Catch2 2 REQUIRED CONFIG)
  include(Catch)
endif()

# RapidJSON's Debian config exports only variables; wrap them in a target. Installed as
# refbridge::rapidjson, whose include directory the package's config file sets from the
# consumer's own find_dependency(RapidJSON) (so the installed package stays relocatable).
if(NOT TARGET refbridge_rapidjson)
  add_library(refbridge_rapidjson INTERFACE)
  target_include_directories(refbridge_rapidjson SYSTEM INTERFACE
                             "$<BUILD_INTERFACE:${RapidJSON_INCLUDE_DIRS};${RAPIDJSON_INCLUDE_DIRS}>")
  target_compile_definitions(refbridge_rapidjson INTERFACE RAPIDJSON_HAS_STDSTRING=1)
  set_target_properties(refbridge_rapidjson PROPERTIES EXPORT_NAME rapidjson)
endif()
