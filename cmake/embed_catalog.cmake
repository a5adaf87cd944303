# Writes OUT, a C file holding each catalog file (FILES, paths relative
# to DIR, separated by ^) as an array of its lines, and the table
# catalog_file.c reads.  Run at build time:
#   cmake -DDIR=<source dir> -DOUT=catalog_data.c -DFILES="a.yaml^b.yaml" -P
# (an array of lines, not one literal: C11 promises only 4,095 characters
# per string literal, and -pedantic holds us to it).  The text is turned
# into C without going through CMake lists, whose brackets and
# semicolons would change it.
set(c "/* Generated from the catalog files by cmake/embed_catalog.cmake: do not\n * edit; edit the catalog files. */\n#include <stddef.h>\n\n#include \"catalog.h\"\n\n")
set(table "")
string(REPLACE "^" ";" files "${FILES}")
foreach(file IN LISTS files)
  string(MAKE_C_IDENTIFIER "${file}" id)
  file(READ "${DIR}/${file}" body)
  string(REGEX MATCHALL "\n" newlines "${body}")
  list(LENGTH newlines n)
  string(REPLACE "\\" "\\\\" body "${body}")
  string(REPLACE "\"" "\\\"" body "${body}")
  string(REPLACE "\n" "\\n\",\n    \"" body "${body}")
  # The file ends in a newline: drop the empty literal after it.
  string(REGEX REPLACE ",\n    \"$" "," body "${body}")
  string(APPEND c "static const char *const ${id}_lines[] = {\n    \"${body}\n};\n\n")
  string(APPEND table "    {\"${file}\", ${id}_lines, ${n}},\n")
endforeach()
string(APPEND c "static const catalog_embedded files[] = {\n${table}};\n\n")
string(APPEND c "const catalog_embedded *catalog_embedded_files(size_t *count) {\n  *count = sizeof files / sizeof files[0];\n  return files;\n}\n")
file(WRITE "${OUT}.tmp" "${c}")
execute_process(COMMAND ${CMAKE_COMMAND} -E copy_if_different "${OUT}.tmp" "${OUT}")
