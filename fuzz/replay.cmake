# fuzz/replay.cmake — included from the root CMakeLists.txt in every build, whatever the
# compiler: each harness of fuzz/ linked with replay_main.c instead of libFuzzer and with the one
# layer it exercises (the lowest its #include lines allow, cmake/layers.cmake), registered as
# the unit test fuzz-replay/<name> that replays fuzz/corpus/<name>/ (seeds and kept crashes).
set(RECUEIL_FUZZ_HARNESSES ytree forms expr values csv manifest codebook)
foreach(name ${RECUEIL_FUZZ_HARNESSES})
  add_executable(fuzz_${name}_replay ${CMAKE_SOURCE_DIR}/fuzz/fuzz_${name}.c
                 ${CMAKE_SOURCE_DIR}/fuzz/fuzz_common.c ${CMAKE_SOURCE_DIR}/fuzz/replay_main.c)
  recueil_layer_of(${CMAKE_SOURCE_DIR}/fuzz/fuzz_${name}.c layer)
  target_link_libraries(fuzz_${name}_replay PRIVATE recueil_${layer} ${CMAKE_DL_LIBS})
  add_test(NAME fuzz-replay/${name}
           COMMAND fuzz_${name}_replay ${CMAKE_SOURCE_DIR}/fuzz/corpus/${name})
  set_tests_properties(fuzz-replay/${name} PROPERTIES TIMEOUT 300 LABELS "unit" SKIP_RETURN_CODE 77)
endforeach()
