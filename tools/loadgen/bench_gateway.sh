#!/bin/bash
# One gateway benchmark run, as in BENCHMARKS.md (the exchange server section): a fresh carbonxd
# with N load members, cxload --setup, cxload at RATE orders/s for SECONDS, then SIGTERM (carbonxd
# prints its batches and apply/commit times), then the fdatasync floor of the disk at that time.
# Prints the load average first.
#
#   tools/loadgen/bench_gateway.sh BIN_DIR DURABILITY FIX_STORE RATE SECONDS [SESSIONS] [PORT]
#   e.g. tools/loadgen/bench_gateway.sh build-perf/bin full_sync file 10000 5
#
# Also prints carbonxd's CPU time during the load phase (from /proc: user + system, user and system
# apart, and user + system per thread), in µs per offered order: the work per order, which the
# shared machine's load disturbs much less than the latency.
#
# CX_SERVER_CPUS / CX_LOAD_CPUS=<list>: run carbonxd / the measuring cxload under `taskset -c`.
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
password_hash = "minimum"  # a benchmark: logons are not what it measures
data_dir = "$W/data"
fix_port = $P
operator_port = $OP
durability = "$D"
fix_store = "$S"
instruments = "$REPO/gateway/config/instruments.toml"
throttle_msgs_per_s = 100000
# cxload opens every session from one address at once: let them all be pending together.
fix_max_pending_logons = 4096
fix_max_pending_per_address = 4096
[schedule]
enabled = false
EOT
"$B/cxload" --print-members "$N" >> "$W/bench.toml"
"$B/carbonxd" --init --config "$W/bench.toml" > "$W/server.log" 2>&1 || { cat "$W/server.log"; exit 1; }
${CX_SERVER_CPUS:+taskset -c $CX_SERVER_CPUS} "$B/carbonxd" --config "$W/bench.toml" >> "$W/server.log" 2>&1 &
SERVER=$!
# Wait until the operator API listens (2,000 members' password hashes take a few seconds).
for _ in $(seq 1 300); do
  (exec 3<> "/dev/tcp/127.0.0.1/$OP") 2> /dev/null && break
  sleep 0.1
done
"$B/cxload" --setup --sessions "$N" --port "$P" --operator-port "$OP" --token-file "$W/data/operator.token" \
  > "$W/setup.log" 2>&1 || cat "$W/setup.log"
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)  durability=$D fix_store=$S rate=$R sessions=$N"
if [ -n "${CX_PERF:-}" ]; then
  perf record -q -F ${CX_PERF_HZ:-4000} ${CX_PERF_CG:--g} -p "$SERVER" -o "$CX_PERF" -- sleep "$T" > /dev/null 2>&1 &
  PERF=$!
fi
cpu_ticks() {  # utime + stime of carbonxd's threads: "total user name1=t1 name2=t2 ..."
  local total=0 user=0 line=""
  for t in /proc/"$SERVER"/task/*; do
    local st; st=$(cat "$t/stat" 2> /dev/null) || continue
    local rest=${st#*) }; local f=($rest)
    local ticks=$((f[11] + f[12])); total=$((total + ticks)); user=$((user + f[11]))
    line="$line $(cat "$t/comm" 2> /dev/null | tr ' ' _)=$ticks"
  done
  echo "$total $user$line"
}
CPU0=$(cpu_ticks)
${CX_LOAD_CPUS:+taskset -c $CX_LOAD_CPUS} "$B/cxload" --sessions "$N" --port "$P" --rate "$R" --duration "$T"
CPU1=$(cpu_ticks)
HZ=$(getconf CLK_TCK)
python3 - "$CPU0" "$CPU1" "$HZ" "$R" "$T" <<'PY'
import sys
a, b, hz, rate, secs = sys.argv[1].split(), sys.argv[2].split(), int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])
orders = rate * secs
us = lambda ticks: ticks * 1e6 / hz / orders
before = {}
for i, kv in enumerate(a[2:]):
    before[i] = int(kv.split('=')[1])
threads = []
for i, kv in enumerate(b[2:]):
    name, t = kv.split('=')
    d = int(t) - before.get(i, 0)
    if d > 0:
        threads.append('%s %.1f' % (name, us(d)))
total, user = int(b[0]) - int(a[0]), int(b[1]) - int(a[1])
print('carbonxd CPU per offered order: %.1f us (user %.1f, system %.1f; threads: %s)' %
      (us(total), us(user), us(total - user), ', '.join(threads)))
PY
[ -n "${CX_PERF:-}" ] && wait "$PERF"
kill -TERM "$SERVER" 2> /dev/null
wait "$SERVER" || { echo "carbonxd failed:"; tail -5 "$W/server.log"; }
grep "batches" "$W/server.log" | tail -1
"$B/cxload" --fsync-probe "$W/fsync-probe.bin"  # the disk's fsync floor at the time
rm -rf "$W"
