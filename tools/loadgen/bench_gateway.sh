#!/bin/bash
# One gateway benchmark run, as in BENCHMARKS.md (the exchange server section): a fresh carbonxd
# with N load members, cxload --setup, cxload at RATE orders/s for SECONDS, then SIGTERM (carbonxd
# prints its batches and apply/commit times), then the fdatasync floor of the disk at that time.
# Prints the load average first.
#
#   tools/loadgen/bench_gateway.sh BIN_DIR DURABILITY FIX_STORE RATE SECONDS [SESSIONS] [PORT]
#   e.g. tools/loadgen/bench_gateway.sh build-perf/bin full_sync file 10000 5
#
# CX_PERF=<file>: also `perf record -g` carbonxd (all threads) during the load phase into <file>.
#
# 2,000 sessions need about 4,000 descriptors: run `ulimit -n 16384` first.
set -u
B=$1; D=$2; S=$3; R=$4; T=$5; N=${6:-10}; P=${7:-29878}; OP=$((P + 1))
REPO=$(cd "$(dirname "$0")/../.." && pwd)
W=$(mktemp -d /tmp/cx-bench.XXXXXX)
cat > "$W/bench.toml" <<EOT
[server]
data_dir = "$W/data"
fix_port = $P
operator_port = $OP
operator_token = "bench-token-1"
durability = "$D"
fix_store = "$S"
instruments = "$REPO/gateway/config/instruments.toml"
throttle_msgs_per_s = 100000
[schedule]
enabled = false
EOT
"$B/cxload" --print-members "$N" >> "$W/bench.toml"
"$B/carbonxd" --config "$W/bench.toml" > "$W/server.log" 2>&1 &
SERVER=$!
sleep 1.5
"$B/cxload" --setup --sessions "$N" --port "$P" --operator-port "$OP" --token bench-token-1 \
  > "$W/setup.log" 2>&1 || cat "$W/setup.log"
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)  durability=$D fix_store=$S rate=$R sessions=$N"
if [ -n "${CX_PERF:-}" ]; then
  perf record -q -F ${CX_PERF_HZ:-4000} ${CX_PERF_CG:--g} -p "$SERVER" -o "$CX_PERF" -- sleep "$T" > /dev/null 2>&1 &
  PERF=$!
fi
"$B/cxload" --sessions "$N" --port "$P" --rate "$R" --duration "$T"
[ -n "${CX_PERF:-}" ] && wait "$PERF"
kill -TERM "$SERVER" 2> /dev/null
wait "$SERVER" || { echo "carbonxd failed:"; tail -5 "$W/server.log"; }
grep "batches" "$W/server.log" | tail -1
"$B/cxload" --fsync-probe "$W/fsync-probe.bin"  # the disk's fsync floor at the time
rm -rf "$W"
