#!/usr/bin/env bash
# The main job of `make run`. Until the server exists: a demonstration trading day replayed
# through the core, with its report printed.
set -euo pipefail
build=${1:-build}
exec "$build/bin/carbonx-demo"
