#!/usr/bin/env bash
# Builds the operator console's web folder (web/README.md): `npm ci` when node_modules is missing
# or older than package-lock.json (exactly the locked versions; nothing else is fetched), then
# `vite build` into <out dir>. Called by the CMake target `web` (out dir: <build dir>/web).
# Usage: web/build.sh <out dir>
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=$1
if ! command -v npm >/dev/null; then
  echo "web/build.sh: npm is missing (scripts/setup-deps.sh installs it)" >&2
  exit 1
fi
if [ ! -f "$here/node_modules/.package-lock.json" ] ||
  [ "$here/package-lock.json" -nt "$here/node_modules/.package-lock.json" ]; then
  echo "web/build.sh: npm ci in web/"
  (cd "$here" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
fi
mkdir -p "$out"
cd "$here" && CARBONX_WEB_OUT=$(cd "$out" && pwd) ./node_modules/.bin/vite build --logLevel warn
