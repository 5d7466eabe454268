# Fuzz targets (fuzz/*_fuzz.c, each defining LLVMFuzzerTestOneInput), included from
# CMakeLists.txt when SIGNET_TESTS is on. For fuzz/pdf_inspect_fuzz.c:
#   - fuzz_replay_pdf_inspect (every build, the sanitizer build included): fuzz/replay.c feeds
#     the corpus and deterministic variants of it to the target, built with the normal compiler
#     against signet_lib. It fails when it found no input, so it never passes without running.
#   - fuzz_pdf_inspect (only when clang can link -fsanitize=fuzzer, and not in the sanitizer
#     build, so `make test` fuzzes once): the target and the sources it needs, compiled by clang
#     with libFuzzer + ASan + UBSan into build/fuzz/pdf_inspect_fuzz, run by fuzz/run.sh for
#     SIGNET_FUZZ_SECONDS from the corpus. A crash, leak or timeout fails the test and leaves the
#     input in build/fuzz/pdf_inspect-work/.
set(SIGNET_FUZZ_SECONDS 25 CACHE STRING "Seconds each libFuzzer target runs in ctest")
set(FUZZ_CORPUS ${CMAKE_SOURCE_DIR}/../shared/pdf-corpus)
# What the targets call, compiled again by clang with coverage instrumentation.
set(FUZZ_SOURCES src/pdf/engine.c src/pdf/inspect.c src/pdf/tags.c src/pdf/position.c
  src/pdf/render.c src/core/log.c src/core/str.c src/core/isotime.c)
file(GLOB FUZZ_TARGETS CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/fuzz/*_fuzz.c)

set(SIGNET_LIBFUZZER OFF)
find_program(SIGNET_CLANG NAMES clang clang-14)
if(SIGNET_CLANG AND NOT SIGNET_SANITIZE)
  set(probe ${CMAKE_BINARY_DIR}/fuzz/probe)
  file(WRITE ${probe}.c "#include <stddef.h>\n#include <stdint.h>\n"
    "int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { return d == NULL && n > 0; }\n")
  execute_process(COMMAND ${SIGNET_CLANG} -fsanitize=fuzzer,address ${probe}.c -o ${probe}
    RESULT_VARIABLE probe_result OUTPUT_QUIET ERROR_QUIET)
  if(probe_result EQUAL 0)
    set(SIGNET_LIBFUZZER ON)
  endif()
endif()
if(NOT SIGNET_LIBFUZZER AND NOT SIGNET_SANITIZE)
  message(STATUS "clang with libFuzzer not found (Debian: clang libclang-rt-dev): "
    "fuzz targets only replay the corpus")
endif()

set(fuzz_sources_abs "")
foreach(src IN LISTS FUZZ_SOURCES)
  list(APPEND fuzz_sources_abs ${CMAKE_SOURCE_DIR}/${src})
endforeach()

foreach(target_src IN LISTS FUZZ_TARGETS)
  get_filename_component(base ${target_src} NAME_WE) # pdf_inspect_fuzz
  string(REGEX REPLACE "_fuzz$" "" short ${base})    # pdf_inspect
  add_executable(${base}_replay ${CMAKE_SOURCE_DIR}/fuzz/replay.c ${target_src})
  target_link_libraries(${base}_replay PRIVATE signet_lib)
  add_test(NAME fuzz_replay_${short} COMMAND ${base}_replay ${FUZZ_CORPUS})
  set_tests_properties(fuzz_replay_${short} PROPERTIES TIMEOUT 300)

  if(SIGNET_LIBFUZZER)
    set(out ${CMAKE_BINARY_DIR}/fuzz/${base})
    add_custom_command(OUTPUT ${out}
      COMMAND ${SIGNET_CLANG} -std=c17 -D_GNU_SOURCE -g -O1
              -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
              -I${CMAKE_SOURCE_DIR}/src ${target_src} ${fuzz_sources_abs}
              ${MUPDF_LIB} ${MUPDF_THIRD_LIB} -lmujs -lgumbo -lopenjp2 -ljbig2dec -ljpeg -lz
              -lfreetype -lharfbuzz -lm -lpthread -o ${out}
      DEPENDS ${target_src} ${fuzz_sources_abs}
      COMMENT "Building libFuzzer target ${base}"
      VERBATIM)
    add_custom_target(${base} ALL DEPENDS ${out})
    add_test(NAME fuzz_${short}
      COMMAND ${CMAKE_SOURCE_DIR}/fuzz/run.sh ${out} ${FUZZ_CORPUS}
              ${CMAKE_BINARY_DIR}/fuzz/${short}-work ${SIGNET_FUZZ_SECONDS})
    math(EXPR fuzz_timeout "${SIGNET_FUZZ_SECONDS} + 120")
    set_tests_properties(fuzz_${short} PROPERTIES TIMEOUT ${fuzz_timeout})
  endif()
endforeach()
