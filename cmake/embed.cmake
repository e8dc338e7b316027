# cmake -DIN=<file> -DOUT=<c file> -DNAME=<symbol> -P embed.cmake
# Writes OUT defining `const char NAME_text[]` (the bytes of IN, NUL-terminated) and
# `const size_t NAME_len`: a data file compiled into the library.
file(READ "${IN}" hex HEX)
string(LENGTH "${hex}" n)
math(EXPR len "${n} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," body "${hex}")
string(REGEX REPLACE "((0x..,){24})" "\\1\n" body "${body}")
file(WRITE "${OUT}" "/* generated from ${IN} by cmake/embed.cmake: do not edit */\n#include <stddef.h>\nconst char ${NAME}_text[] = {\n${body}0x00};\nconst size_t ${NAME}_len = ${len};\n")
