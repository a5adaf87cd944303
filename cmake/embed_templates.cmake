# Writes OUT, a C file holding each templates/NAME.yaml as an array of its
# lines, and the table 'capplan init' reads.  Run at build time:
#   cmake -DDIR=templates -DOUT=templates.c -DNAMES="a|summary a^b|..." -P
# (an array of lines, not one literal: C11 promises only 4,095 characters
# per string literal, and -pedantic holds us to it).
set(c "/* Generated from the YAML files in templates/ by\n * cmake/embed_templates.cmake: do not edit; edit the templates. */\n#include <stddef.h>\n\n#include \"templates.h\"\n\n")
set(table "")
string(REPLACE "^" ";" entries "${NAMES}")
foreach(entry IN LISTS entries)
  string(REPLACE "|" ";" parts "${entry}")
  list(GET parts 0 name)
  list(GET parts 1 summary)
  string(MAKE_C_IDENTIFIER "${name}" id)
  file(STRINGS "${DIR}/${name}.yaml" lines)
  string(APPEND c "static const char *const ${id}_lines[] = {\n")
  set(n 0)
  foreach(line IN LISTS lines)
    string(REPLACE "\\" "\\\\" line "${line}")
    string(REPLACE "\"" "\\\"" line "${line}")
    string(APPEND c "    \"${line}\\n\",\n")
    math(EXPR n "${n} + 1")
  endforeach()
  string(APPEND c "};\n\n")
  string(APPEND table "    {\"${name}\", \"${summary}\", ${id}_lines, ${n}},\n")
endforeach()
string(APPEND c "static const capplan_template templates[] = {\n${table}};\n\n")
string(APPEND c "const capplan_template *capplan_templates(size_t *count) {\n  *count = sizeof templates / sizeof templates[0];\n  return templates;\n}\n")
file(WRITE "${OUT}.tmp" "${c}")
execute_process(COMMAND ${CMAKE_COMMAND} -E copy_if_different "${OUT}.tmp" "${OUT}")
