#!/usr/bin/env bash
# The fuzz targets (cx_fuzz in cmake/CarbonxHelpers.cmake; what each covers: engine/fuzz/README.md).
#
#   fuzz.sh build <source dir> <fuzz build dir> <target>...
#       Configures (once) and builds the fuzz build: clang++-16 with libFuzzer, ASan and UBSan
#       (-DCARBONX_FUZZ=ON -DCARBONX_SANITIZE=ON), only the named targets. clang++-16 and its
#       libFuzzer runtime are Debian 12's clang-16 and libclang-rt-16-dev (scripts/setup-deps.sh):
#       GCC has no libFuzzer and Debian's default clang 14 cannot compile the project's C++20.
#   fuzz.sh run <fuzz binary> <work dir> <runs> [seed dir]
#       Runs <runs> inputs from a fresh corpus: the target's own seeds (its LLVMFuzzerInitialize
#       writes them to $CARBONX_FUZZ_SEEDS) and the files of [seed dir], with a fixed seed, so a
#       run is repeatable; capped at 120 s on a slow machine. A crash, a sanitizer report, a leak
#       or an abort fails it; the input is left in <work dir>/crash-* (replay: <binary> <file>).
#       Reports are symbolized (functions, files, lines) by Debian's llvm-symbolizer-16 (llvm-16,
#       scripts/setup-deps.sh) when installed; $ASAN_SYMBOLIZER_PATH, when set, wins.
#
# Longer runs by hand, e.g. ten minutes on two cores, keeping the corpus:
#   build/fuzz/bin/log_store_fuzz -max_total_time=600 -jobs=2 my_corpus/
set -euo pipefail

cmd=${1:-}
case "$cmd" in
  build)
    src=$2
    dir=$3
    shift 3
    cxx=$(command -v clang++-16 || true)
    if [ -z "$cxx" ]; then
      echo "fuzz.sh: clang++-16 not found; scripts/setup-deps.sh installs clang-16" >&2
      exit 1
    fi
    if [ ! -f "$dir/build.ninja" ]; then
      cmake -S "$src" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
        -DCMAKE_CXX_COMPILER="$cxx" -DCARBONX_FUZZ=ON -DCARBONX_SANITIZE=ON >/dev/null
    fi
    cmake --build "$dir" --target "$@"
    ;;
  run)
    bin=$2
    work=$3
    runs=$4
    seeds=${5:-}
    rm -rf "$work"
    mkdir -p "$work/corpus" "$work/seeds"
    if [ -n "$seeds" ]; then cp "$seeds"/* "$work/seeds/"; fi
    symbolizer=${ASAN_SYMBOLIZER_PATH:-$(command -v llvm-symbolizer-16 || true)}
    if [ -n "$symbolizer" ]; then
      export ASAN_SYMBOLIZER_PATH="$symbolizer" UBSAN_SYMBOLIZER_PATH="$symbolizer"
    fi
    # detect_leaks: a decoder that leaks on a refusal is a finding too.
    CARBONX_FUZZ_SEEDS="$work/seeds" ASAN_OPTIONS=detect_leaks=1 \
      UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
      "$bin" -seed=1 -runs="$runs" -max_total_time=120 -rss_limit_mb=1024 -timeout=10 \
      -print_final_stats=1 -artifact_prefix="$work/" "$work/corpus" "$work/seeds"
    ;;
  *)
    echo "usage: fuzz.sh build <source dir> <fuzz build dir> <target>... |" \
      "fuzz.sh run <fuzz binary> <work dir> <runs> [seed dir]" >&2
    exit 2
    ;;
esac
