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
