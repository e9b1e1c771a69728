# REFBRIDGE_FUZZ: libFuzzer targets (fuzz/), run briefly by ctest and at length by tools/fuzz.sh.
# The code under test (SDK runtime, generated PING/Primero bindings, mapping-spec compiler) is
# instrumented for coverage (-fsanitize=fuzzer-no-link); builds without REFBRIDGE_FUZZ are
# unchanged. Other executables linking these libraries still work: the sanitizer runtime of
# REFBRIDGE_SANITIZE provides the coverage callbacks (as no-ops).
if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  message(FATAL_ERROR "REFBRIDGE_FUZZ needs clang (libFuzzer): configure with -DCMAKE_CXX_COMPILER=clang++-14 "
                      "(Debian packages clang-14 libclang-rt-14-dev, see tools/install-deps.sh)")
endif()
if(NOT REFBRIDGE_SANITIZE)
  message(FATAL_ERROR "REFBRIDGE_FUZZ needs REFBRIDGE_SANITIZE=ON (the fuzz targets run under ASan+UBSan, and the "
                      "sanitizer runtime provides the coverage callbacks to the non-fuzz executables)")
endif()

foreach(target refbridge_sdk refbridge_ping_api refbridge_primero_api refbridge_codegen_lib)
  target_compile_options(${target} PRIVATE -fsanitize=fuzzer-no-link)
endforeach()

add_subdirectory(fuzz)
