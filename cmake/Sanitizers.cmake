# ASan + UBSan for every target of this build (tools/test.sh runs the whole suite under them).
add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
add_link_options(-fsanitize=address,undefined)
