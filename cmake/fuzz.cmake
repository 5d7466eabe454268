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
#
# The Sign API request targets (fuzz/process_create_fuzz.c, fuzz/attach_fuzz.c; see
# docs/sign-api.md, "Fuzzing") differ by these per-target settings, keyed by the name without
# _fuzz (a target without them gets the PDF targets' settings):
#   FUZZ_SEEDS_<name>    seed directory (default FUZZ_CORPUS)
#   FUZZ_SOURCES_<name>  the sources clang compiles with coverage and ASan; everything else
#                        they call comes from signet_lib as the normal compiler built it
#                        (uninstrumented) and its libraries. Default: FUZZ_SOURCES alone.
#   FUZZ_SECONDS_<name>  libFuzzer run time in ctest (default SIGNET_FUZZ_SECONDS)
#   FUZZ_DICT_<name>     a libFuzzer dictionary (default none)
set(SIGNET_FUZZ_SECONDS 25 CACHE STRING "Seconds each libFuzzer target runs in ctest")
set(SIGNET_FUZZ_SECONDS_JSON 15 CACHE STRING
  "Seconds each Sign API request (JSON) libFuzzer target runs in ctest")
set(FUZZ_CORPUS ${CMAKE_SOURCE_DIR}/../shared/pdf-corpus)
foreach(name process_create attach)
  set(FUZZ_SEEDS_${name} ${CMAKE_SOURCE_DIR}/fuzz/seeds/${name})
  set(FUZZ_SECONDS_${name} ${SIGNET_FUZZ_SECONDS_JSON})
  set(FUZZ_DICT_${name} ${CMAKE_SOURCE_DIR}/fuzz/json.dict)
endforeach()
set(FUZZ_SOURCES_process_create src/sign/process.c src/core/str.c)
set(FUZZ_SOURCES_attach src/sign/attach.c src/core/b64.c src/core/str.c)
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

# signet_lib and its libraries, for the targets linked against it. The linker reads the
# clang-compiled objects first, so it takes from the archive only the members that define what
# they still miss: a source of FUZZ_SOURCES_<name> is never linked twice (a member that did
# duplicate one would fail the link, not pass silently). The libraries come from the cached
# pkg-config results (-L/-l flags, as the PkgConfig:: targets of CMakeLists.txt link them),
# which stay set when cmake re-runs.
set(FUZZ_LIB_LINK $<TARGET_FILE:signet_lib>)
foreach(pc MHD JANSSON OPENSSL SQLITE PQ CURL)
  list(APPEND FUZZ_LIB_LINK ${${pc}_LDFLAGS} ${${pc}_LDFLAGS_OTHER})
endforeach()

foreach(target_src IN LISTS FUZZ_TARGETS)
  get_filename_component(base ${target_src} NAME_WE) # pdf_inspect_fuzz
  string(REGEX REPLACE "_fuzz$" "" short ${base})    # pdf_inspect
  set(seeds ${FUZZ_CORPUS})
  if(DEFINED FUZZ_SEEDS_${short})
    set(seeds ${FUZZ_SEEDS_${short}})
  endif()
  set(seconds ${SIGNET_FUZZ_SECONDS})
  if(DEFINED FUZZ_SECONDS_${short})
    set(seconds ${FUZZ_SECONDS_${short}})
  endif()
  add_executable(${base}_replay ${CMAKE_SOURCE_DIR}/fuzz/replay.c ${target_src})
  target_link_libraries(${base}_replay PRIVATE signet_lib)
  add_test(NAME fuzz_replay_${short} COMMAND ${base}_replay ${seeds})
  set_tests_properties(fuzz_replay_${short} PROPERTIES TIMEOUT 300)

  if(SIGNET_LIBFUZZER)
    set(out ${CMAKE_BINARY_DIR}/fuzz/${base})
    if(DEFINED FUZZ_SOURCES_${short})
      set(sources "")
      foreach(src IN LISTS FUZZ_SOURCES_${short})
        list(APPEND sources ${CMAKE_SOURCE_DIR}/${src})
      endforeach()
      set(link ${FUZZ_LIB_LINK})
      set(link_deps signet_lib)
    else()
      set(sources ${fuzz_sources_abs})
      set(link "")
      set(link_deps "")
    endif()
    add_custom_command(OUTPUT ${out}
      COMMAND ${SIGNET_CLANG} -std=c17 -D_GNU_SOURCE -g -O1
              -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
              -I${CMAKE_SOURCE_DIR}/src ${target_src} ${sources} ${link}
              ${MUPDF_LIB} ${MUPDF_THIRD_LIB} -lmujs -lgumbo -lopenjp2 -ljbig2dec -ljpeg -lz
              -lfreetype -lharfbuzz -lm -lpthread -o ${out}
      DEPENDS ${target_src} ${sources} ${link_deps}
      COMMENT "Building libFuzzer target ${base}"
      VERBATIM)
    add_custom_target(${base} ALL DEPENDS ${out})
    set(dict "")
    if(DEFINED FUZZ_DICT_${short})
      set(dict ${FUZZ_DICT_${short}})
    endif()
    add_test(NAME fuzz_${short}
      COMMAND ${CMAKE_SOURCE_DIR}/fuzz/run.sh ${out} ${seeds}
              ${CMAKE_BINARY_DIR}/fuzz/${short}-work ${seconds} ${dict})
    math(EXPR fuzz_timeout "${seconds} + 120")
    set_tests_properties(fuzz_${short} PROPERTIES TIMEOUT ${fuzz_timeout})
  endif()
endforeach()
