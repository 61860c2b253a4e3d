# Helpers shared by every folder: one library per folder, tests registered one way.
include(GoogleTest)

# cx_library(NAME engine SOURCES ... DEPS ...) -> target carbonx_engine, alias carbonx::engine.
# Headers live in <folder>/include/carbonx/<name>/.
function(cx_library)
  cmake_parse_arguments(ARG "" "NAME" "SOURCES;DEPS;PRIVATE_DEPS" ${ARGN})
  set(target carbonx_${ARG_NAME})
  add_library(${target} STATIC ${ARG_SOURCES})
  add_library(carbonx::${ARG_NAME} ALIAS ${target})
  target_include_directories(${target} PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/include)
  target_link_libraries(${target} PUBLIC ${ARG_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
endfunction()

# cx_test(NAME engine_tests SOURCES ... DEPS ... [LABELS ...]) -> a GoogleTest binary in
# build/bin, each TEST registered with ctest.
function(cx_test)
  cmake_parse_arguments(ARG "" "NAME;TIMEOUT" "SOURCES;DEPS;LABELS" ${ARGN})
  add_executable(${ARG_NAME} ${ARG_SOURCES})
  target_link_libraries(${ARG_NAME} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gtest_main GTest::gmock)
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 600)
  endif()
  gtest_discover_tests(${ARG_NAME}
    DISCOVERY_TIMEOUT 60
    PROPERTIES TIMEOUT ${ARG_TIMEOUT} LABELS "${ARG_LABELS}")
endfunction()

# cx_benchmark(NAME bench_book SOURCES ... DEPS ...) -> a Google Benchmark binary in build/bin.
function(cx_benchmark)
  cmake_parse_arguments(ARG "" "NAME" "SOURCES;DEPS" ${ARGN})
  add_executable(${ARG_NAME} ${ARG_SOURCES})
  target_link_libraries(${ARG_NAME} PRIVATE ${ARG_DEPS} benchmark::benchmark)
  set_property(GLOBAL APPEND PROPERTY CARBONX_BENCHMARKS ${ARG_NAME})
endfunction()

# cx_fuzz(NAME journal_record_fuzz SOURCES ... DEPS ... RUNS <n> [SEEDS <dir>]
#         [CXX_STANDARD <n>]) -> a libFuzzer target beside the parser it feeds (STYLE.md #12).
# In the fuzz build (-DCARBONX_FUZZ=ON with clang) it is an executable in bin/. In every build it
# is the ctest fuzz.<name>: `scripts/fuzz.sh run`, <n> inputs from a fresh corpus (the target's
# own seeds, written by its LLVMFuzzerInitialize, and SEEDS' files) with a fixed seed, under
# ASan/UBSan. Outside the fuzz build the test needs the fixture fuzz_build (top CMakeLists.txt),
# which builds the fuzz build in <build>/fuzz first.
function(cx_fuzz)
  cmake_parse_arguments(ARG "" "NAME;RUNS;SEEDS;CXX_STANDARD" "SOURCES;DEPS" ${ARGN})
  if(CARBONX_FUZZ)
    add_executable(${ARG_NAME} ${ARG_SOURCES})
    target_link_libraries(${ARG_NAME} PRIVATE ${ARG_DEPS})
    target_link_options(${ARG_NAME} PRIVATE -fsanitize=fuzzer)
    if(ARG_CXX_STANDARD)
      set_target_properties(${ARG_NAME} PROPERTIES CXX_STANDARD ${ARG_CXX_STANDARD})
    endif()
    set(bin $<TARGET_FILE:${ARG_NAME}>)
  else()
    set(bin ${CARBONX_FUZZ_BUILD}/bin/${ARG_NAME})
  endif()
  add_test(NAME fuzz.${ARG_NAME}
    COMMAND ${PROJECT_SOURCE_DIR}/scripts/fuzz.sh run ${bin}
            ${CMAKE_BINARY_DIR}/fuzz_work/${ARG_NAME} ${ARG_RUNS} ${ARG_SEEDS})
  set_tests_properties(fuzz.${ARG_NAME} PROPERTIES TIMEOUT 300 LABELS fuzz)
  if(NOT CARBONX_FUZZ)
    set_tests_properties(fuzz.${ARG_NAME} PROPERTIES FIXTURES_REQUIRED fuzz_build)
  endif()
  set_property(GLOBAL APPEND PROPERTY CARBONX_FUZZ_TARGETS ${ARG_NAME})
endfunction()
