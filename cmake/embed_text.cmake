# Writes OUT, a C file defining each file of FILES (a ;-list) as a NUL-terminated string named
# after NAMES (a ;-list of the same length), declared in HEADER.
list(LENGTH FILES n)
math(EXPR last "${n} - 1")
set(body "/* Generated from the files named below: do not edit. */\n#include \"${HEADER}\"\n")
foreach(i RANGE ${last})
  list(GET FILES ${i} f)
  list(GET NAMES ${i} name)
  get_filename_component(base ${f} NAME)
  file(READ ${f} hex HEX)
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," hex "${hex}")
  string(APPEND body "\n/* ${base} */\nconst char ${name}[] = {${hex}0};\n")
endforeach()
file(WRITE ${OUT} "${body}")
