# Warnings for hand-written and generated code alike (generated code must compile clean).
add_library(refbridge_warnings INTERFACE)
target_compile_options(refbridge_warnings INTERFACE -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor
                       -Wold-style-cast -Wcast-align -Woverloaded-virtual -Wnull-dereference)
