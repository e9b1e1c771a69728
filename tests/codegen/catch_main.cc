// Catch2 main for the codegen tests when tests/catch_main.cc's shared library is not available.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
