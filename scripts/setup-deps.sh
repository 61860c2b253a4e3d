#!/usr/bin/env bash
# Installs the Debian packages carbonx needs, only when one is missing, and the interop test's npm
# packages (tests/interop, npm ci) when they are not installed. Idempotent; safe in CI.
set -euo pipefail

packages=(
  build-essential cmake pkg-config ninja-build
  clang-format
  # The fuzz build (scripts/fuzz.sh): libFuzzer and the sanitizers' runtime, and a clang that
  # compiles the project's C++20 (Debian 12's default clang 14 does not).
  clang-16 libclang-rt-16-dev
  # llvm-symbolizer-16: the sanitizers' reports name functions, files and lines.
  llvm-16
  libgtest-dev libgmock-dev libbenchmark-dev
  libboost-dev libboost-system-dev
  libquickfix-dev liblmdb-dev
  libcli11-dev libfmt-dev nlohmann-json3-dev libtomlplusplus-dev libsodium-dev
  libssl-dev
  chromium
  # The replicated log (gateway/replica): etcd 3.4, started by its tests on loopback.
  etcd-server etcd-client
)

# Node.js and npm for the interop test (tests/interop: jspurefix, an independent FIX engine).
# Debian's packages, unless a node with npm is already installed (e.g. from another source, whose
# nodejs package bundles npm and conflicts with Debian's npm).
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  packages+=(nodejs npm)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -ne 0 ]; then
  echo "setup-deps: installing ${missing[*]}"
  sudo_cmd=()
  if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# The interop test's npm packages, exactly as locked (package-lock.json), when not installed yet
# or when the lock changed since. --ignore-scripts: jspurefix's postinstall only unpacks FIX
# repository files the test does not use (it loads the QuickFIX-format FIX44.xml).
interop="$(cd "$(dirname "$0")/.." && pwd)/tests/interop"
if [ ! -f "$interop/node_modules/.package-lock.json" ] ||
  [ "$interop/package-lock.json" -nt "$interop/node_modules/.package-lock.json" ]; then
  echo "setup-deps: npm ci in tests/interop"
  (cd "$interop" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
fi

# The operator console's npm packages (web/: vite, uPlot, playwright-core; web/README.md), the
# same way. playwright-core downloads no browser: the console's browser test drives Debian's
# chromium (above).
web="$(cd "$(dirname "$0")/.." && pwd)/web"
if [ ! -f "$web/node_modules/.package-lock.json" ] ||
  [ "$web/package-lock.json" -nt "$web/node_modules/.package-lock.json" ]; then
  echo "setup-deps: npm ci in web"
  (cd "$web" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
fi
