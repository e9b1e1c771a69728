# ASan + UBSan for every target of this build (tools/test.sh runs the whole suite under them).
add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
add_link_options(-fsanitize=address,undefined)
if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  # Debian's RapidJSON 1.1.0 adds an offset to a null pointer in internal/stack.h (Stack::Push on an
  # empty stack; fixed upstream after 1.1.0). clang's pointer-overflow check aborts on it inside
  # every DOM parse, so that one check is off; every other UBSan check stays on.
  add_compile_options(-fno-sanitize=pointer-overflow)
endif()

# Consumers of the installed libraries of a sanitizer build (the install-and-consume test of
# tests/package) must link the sanitizer runtimes too: refbridge::sdk carries the link option
# through this target, which exists (and is exported) only in sanitizer builds.
add_library(refbridge_sanitizer_link INTERFACE)
target_link_options(refbridge_sanitizer_link INTERFACE -fsanitize=address,undefined)
set_target_properties(refbridge_sanitizer_link PROPERTIES EXPORT_NAME sanitizer_link)
