#!/usr/bin/env bash
# The main job of `make run`: the demonstration market (scripts/demo-market.sh): a fresh store
# in data/demo, the 2017 allocation issued, carbonxd started, a trading day through FIX, the
# reports printed; the server runs until Ctrl-C. Without the server programs (a partial build),
# the engine's demonstration day (carbonx-demo) runs instead.
set -euo pipefail
build=${1:-build}
if [ -x "$build/bin/carbonxd" ] && [ -x "$build/bin/cxctl" ]; then
  exec "$(dirname "$0")/demo-market.sh" "$build"
fi
echo "run: carbonxd or cxctl not built; showing the engine's demonstration day instead" >&2
exec "$build/bin/carbonx-demo"
