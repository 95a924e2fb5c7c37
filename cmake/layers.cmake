# layers.cmake — the layers of src/ as the table of docs/architecture.md states them, so that the
# page and the build cannot drift apart. Included from the root CMakeLists.txt.
#
# Sets RECUEIL_LAYERS (bottom first, as in the table) and, for each layer L:
#   RECUEIL_LAYER_<L>_PATH  its path under src/: a directory ("core") or a file ("main.c")
#   RECUEIL_LAYER_<L>_DEPS  the layers its code may include (every one, not only the next)
#   RECUEIL_LAYER_<L>_ROOT  its include root: <build>/include/<L>/ with one link per directory
#                           the layer may use (itself included), and nothing else, so that
#                           #include "ui/ui.h" does not resolve from a lower layer.
# Defines recueil_layer_of(FILE OUT): the lowest layer whose row allows every layer FILE includes.

set(RECUEIL_ARCHITECTURE ${CMAKE_SOURCE_DIR}/docs/architecture.md)
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${RECUEIL_ARCHITECTURE})

# Rows look like: | store | `src/store/` | core | the SQLite file … |
file(STRINGS ${RECUEIL_ARCHITECTURE} layer_rows ENCODING UTF-8 REGEX "^\\| *[a-z]+ *\\| *`src/")
set(RECUEIL_LAYERS "")
foreach(row IN LISTS layer_rows)
  if(NOT row MATCHES "^\\| *([a-z]+) *\\| *`src/([a-z_.]+)/?` *\\| *([^|]*)\\|")
    message(FATAL_ERROR "docs/architecture.md: unreadable row of the layer table: ${row}")
  endif()
  set(layer ${CMAKE_MATCH_1})
  set(RECUEIL_LAYER_${layer}_PATH ${CMAKE_MATCH_2})
  string(REGEX MATCHALL "[a-z]+" deps "${CMAKE_MATCH_3}")
  foreach(dep IN LISTS deps)
    # Bottom first: a row names only the layers above it, so that no cycle can be written.
    if(NOT dep IN_LIST RECUEIL_LAYERS)
      message(FATAL_ERROR "docs/architecture.md: layer ${layer} may include ${dep}, which is not a "
                          "layer listed above it")
    endif()
  endforeach()
  set(RECUEIL_LAYER_${layer}_DEPS ${deps})
  list(APPEND RECUEIL_LAYERS ${layer})
endforeach()
if(NOT RECUEIL_LAYERS)
  message(FATAL_ERROR "docs/architecture.md: no layer table found")
endif()

foreach(layer IN LISTS RECUEIL_LAYERS)
  set(root ${CMAKE_BINARY_DIR}/include/${layer})
  set(RECUEIL_LAYER_${layer}_ROOT ${root})
  # Made anew at each configuration: a dependency removed from the table loses its link.
  file(REMOVE_RECURSE ${root})
  file(MAKE_DIRECTORY ${root})
  foreach(dep IN LISTS RECUEIL_LAYER_${layer}_DEPS layer)
    set(path ${RECUEIL_LAYER_${dep}_PATH})
    if(IS_DIRECTORY ${CMAKE_SOURCE_DIR}/src/${path})
      file(CREATE_LINK ${CMAKE_SOURCE_DIR}/src/${path} ${root}/${path} SYMBOLIC)
    endif()
  endforeach()
endforeach()

# recueil_layer_of(FILE OUT): the layer a test or a fuzz harness belongs to, from the layers its
# #include "layer/…" lines name: the lowest whose row allows them all, so that it links that
# layer's library alone.
function(recueil_layer_of file out)
  file(STRINGS ${file} lines ENCODING UTF-8 REGEX "^#include \"[a-z]+/")
  set(used "")
  foreach(line IN LISTS lines)
    string(REGEX REPLACE "^#include \"([a-z]+)/.*" "\\1" l "${line}")
    list(APPEND used ${l})
  endforeach()
  foreach(layer IN LISTS RECUEIL_LAYERS)
    set(ok TRUE)
    foreach(l IN LISTS used)
      if(NOT l STREQUAL layer AND NOT l IN_LIST RECUEIL_LAYER_${layer}_DEPS)
        set(ok FALSE)
      endif()
    endforeach()
    if(ok)
      set(${out} ${layer} PARENT_SCOPE)
      return()
    endif()
  endforeach()
  message(FATAL_ERROR "${file}: no layer may include all of ${used} (docs/architecture.md)")
endfunction()
