#!/usr/bin/env bash
# Fails when any tracked C++ file differs from what clang-format (.clang-format) would write.
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(git ls-files '*.cpp' '*.hpp' '*.h' '*.cc' 2>/dev/null || true)
if [ ${#files[@]} -eq 0 ]; then
  mapfile -t files < <(find engine registry gateway tools bench tests \
    \( -name '*.cpp' -o -name '*.hpp' -o -name '*.h' \) 2>/dev/null)
fi
[ ${#files[@]} -eq 0 ] && { echo "format-check: no C++ files"; exit 0; }
clang-format --dry-run -Werror "${files[@]}"
echo "format-check: ${#files[@]} files formatted"
