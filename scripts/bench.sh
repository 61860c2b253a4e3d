#!/usr/bin/env bash
# Runs every Google Benchmark program in build/bin (bench_*), one after the other.
set -euo pipefail
build=${1:-build}
shopt -s nullglob
for b in "$build"/bin/bench_*; do
  echo "== $(basename "$b")"
  "$b" --benchmark_counters_tabular=true
done
