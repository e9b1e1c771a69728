# Warnings for hand-written and generated code alike (generated code must compile clean).
# -Wnull-dereference is left out: with GCC 12 at -O2 it fires inside libstdc++ for CLI11's
# headers (std::vector<std::string> relocation), a known false positive.
add_library(refbridge_warnings INTERFACE)
target_compile_options(refbridge_warnings INTERFACE -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor
                       -Wold-style-cast -Wcast-align -Woverloaded-virtual)
