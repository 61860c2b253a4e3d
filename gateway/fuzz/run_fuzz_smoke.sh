#!/usr/bin/env bash
# Builds the FIX translation fuzz target with clang++ (libFuzzer + ASan/UBSan) and runs it for a
# short, bounded time from the golden inputs. Used by the `gateway_fuzz_smoke` ctest; the full
# build never needs clang for anything else.
#   run_fuzz_smoke.sh <source dir> <work dir> [seconds]
set -euo pipefail
src=$1
work=$2
seconds=${3:-20}
mkdir -p "$work/corpus"
cp "$src"/gateway/tests/golden/*.fix "$work/corpus/" 2>/dev/null || true
bin="$work/fix_decode_fuzz"
if [ ! -x "$bin" ] || [ -n "$(find "$src/gateway/fixadapter" "$src/gateway/fuzz" \
    "$src/gateway/include" -newer "$bin" -name '*.?pp' | head -1)" ]; then
  # QuickFIX's headers need C++14 and dynamic exception specifications (see gateway/README.md).
  clang++ -std=c++14 -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
    -Wno-dynamic-exception-spec -Wno-deprecated-declarations \
    -DCARBONX_FIX_DICTIONARY="\"$src/gateway/spec/FIX44-carbonx.xml\"" \
    -I"$src/gateway/include" $(pkg-config --cflags quickfix) \
    "$src"/gateway/fixadapter/*.cpp "$src/gateway/fuzz/fix_decode_fuzz.cpp" \
    $(pkg-config --libs quickfix) -o "$bin"
fi
"$bin" -max_total_time="$seconds" -rss_limit_mb=1024 -print_final_stats=1 "$work/corpus"
